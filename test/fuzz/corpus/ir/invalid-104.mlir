func.func @layout_empty() attributes {test.a = #dl.layout<devices = [], dims = []>} {
  return
}
