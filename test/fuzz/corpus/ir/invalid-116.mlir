func.func @plan_dim_twice() attributes {test.a = #dl.plan<devices = [0, 1, 2, 3], splits = [#dl.split<dim = height, bounds = [0, 4, 8]>, #dl.split<dim = height, bounds = [0, 4, 8]>]>} {
  return
}
