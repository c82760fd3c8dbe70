module attributes {dl.cluster = #dl.cluster<name = "c", topology = full, bandwidth = 1.0e9, latency = 0.0, devices = []>} {
}
