module {
  func.func @cluster_on_func() attributes {dl.cluster = #dl.cluster<name = "c", topology = full, bandwidth = 1.0e9, latency = 0.0, devices = [#dl.device<name = "d", kind = cpu, flops = 1.0e9, mem_bw = 1.0e9, memory = 1024, power_active = 1.0, power_idle = 0.5, host = "h">]>} {
    return
  }
}
