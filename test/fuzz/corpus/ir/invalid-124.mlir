func.func @link_endpoint() attributes {test.a = #dl.link<from = -1, to = 1, bandwidth = 1.0e8, latency = 0.0>} {
  return
}
