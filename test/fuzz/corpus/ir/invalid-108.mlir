func.func @split_start() attributes {test.a = #dl.split<dim = height, bounds = [2, 7]>} {
  return
}
