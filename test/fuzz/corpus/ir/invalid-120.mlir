func.func @device_flops() attributes {test.a = #dl.device<name = "d", kind = cpu, flops = 0.0, mem_bw = 1.0e9, memory = 1024, power_active = 1.0, power_idle = 0.5, host = "h">} {
  return
}
