func.func @plan_replicas_batch(%x: tensor<3x8xf32>) -> tensor<3x8xf32> {
  %0 = dl.relu %x {dl.plan = #dl.plan<devices = [0, 1], replicas = 2>}
      : tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}
