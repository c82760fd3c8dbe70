func.func @dim_bounds_start() attributes {test.a = #dl.dim<kind = split, bounds = [1, 4]>} {
  return
}
