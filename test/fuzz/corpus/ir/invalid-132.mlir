func.func @plan_not_plan(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = dl.relu %x {dl.plan = #dl.split<dim = batch, bounds = [0, 1]>} : tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
