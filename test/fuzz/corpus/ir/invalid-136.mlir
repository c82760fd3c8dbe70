func.func @plan_dim_not_splittable(%x: tensor<1x8xf32>, %w: tensor<3x8xf32>)
    -> tensor<1x3xf32> {
  %0 = dl.dense %x, %w {dl.plan = #dl.plan<devices = [0, 1], splits = [#dl.split<dim = height, bounds = [0, 1, 2]>]>}
      : (tensor<1x8xf32>, tensor<3x8xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}
