module attributes {
  dl.cluster = #dl.cluster<name = "edge-4", topology = shared,
      bandwidth = 1.25e7, latency = 2.0e-3,
      devices = [
        #dl.device<name = "pi0", kind = cpu, flops = 2.4e10, mem_bw = 4.0e9,
                   memory = 1073741824, power_active = 6.4, power_idle = 2.7,
                   host = "node0">,
        #dl.device<name = "pi1", kind = cpu, flops = 1.2e10, mem_bw = 4.0e9,
                   memory = 1073741824, power_active = 6.4, power_idle = 2.7,
                   host = "node1">,
        #dl.device<name = "jetson", kind = gpu, flops = 4.7e11,
                   mem_bw = 2.56e10, memory = 4294967296, power_active = 10.0,
                   power_idle = 0.0, host = "node2">,
        #dl.device<name = "pi3", kind = cpu, flops = 1.2e10, mem_bw = 4.0e9,
                   memory = 1073741824, power_active = 6.4, power_idle = 2.7,
                   host = "node3">],
      links = [#dl.link<from = 0, to = 2, bandwidth = 1.25e8, latency = 1.0e-4>,
               #dl.link<from = 3, to = 1, bandwidth = 5.0e7, latency = 0.0>]>,
  dl.weights = "model.dlw"
} {

func.func @conv_plans(%x: tensor<4x512x28x28xf32>,
                      %w: tensor<512x512x3x3xf32>) -> tensor<4x512x28x28xf32> {
  %0 = dl.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<stage = 0, devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = height,
                                             bounds = [0, 7, 14, 21, 28]>]>}
      : (tensor<4x512x28x28xf32>, tensor<512x512x3x3xf32>)
      -> tensor<4x512x28x28xf32>
  %1 = dl.conv2d %0, %w {padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<stage = 1, devices = [3, 2, 1, 0], replicas = 2,
                         splits = [#dl.split<dim = out_channel,
                                             bounds = [0, 256, 512]>]>}
      : (tensor<4x512x28x28xf32>, tensor<512x512x3x3xf32>)
      -> tensor<4x512x28x28xf32>
  %2 = dl.relu %1 {dl.plan = #dl.plan<stage = 0, devices = [2], replicas = 1>}
      : tensor<4x512x28x28xf32>
  %3 = dl.conv2d %2, %w {padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = height, bounds = [0, 14, 28]>,
                                   #dl.split<dim = width, bounds = [0, 10, 28]>]>}
      : (tensor<4x512x28x28xf32>, tensor<512x512x3x3xf32>)
      -> tensor<4x512x28x28xf32>
  %4 = dl.relu %3 {dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                                      tile = #dl.tile<group = 0, grid = [2, 2]>>}
      : tensor<4x512x28x28xf32>
  return %4 : tensor<4x512x28x28xf32>
}

func.func @lstm_plans(%x: tensor<5x1x8xf32>, %wih: tensor<64x8xf32>,
                      %whh: tensor<64x16xf32>) -> tensor<5x1x16xf32> {
  %0 = dl.lstm %x, %wih, %whh {hidden_size = 16 : i64,
      dl.plan = #dl.plan<devices = [0, 1, 2],
                         splits = [#dl.split<dim = hidden, bounds = [0, 8, 12, 16]>]>}
      : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>)
      -> tensor<5x1x16xf32>
  %1 = dl.lstm %x, %wih, %whh {hidden_size = 16 : i64,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = gate, bounds = [0, 1, 2, 3, 4]>]>}
      : (tensor<5x1x8xf32>, tensor<64x8xf32>, tensor<64x16xf32>)
      -> tensor<5x1x16xf32>
  return %1 : tensor<5x1x16xf32>
}

func.func @on_device_3() attributes {dl.device = 3 : i64} {
  return
}

func.func @plain_attrs() -> tensor<2xf32> {
  %0 = dl.param "p" {
      test.dim = #dl.dim<kind = replicated>,
      test.dim_halo = #dl.dim<kind = split, bounds = [0, 4, 7], halo = [1, 1]>,
      test.layout = #dl.layout<devices = [0, 1, 2],
                               dims = [#dl.dim<kind = replicated>,
                                       #dl.dim<kind = split, bounds = [0, 3, 5, 7]>]>,
      test.partial = #dl.layout<devices = [1, 0],
                                dims = [#dl.dim<kind = replicated>],
                                partial = true>,
      test.unsplit = #dl.layout<devices = [5], dims = [], partial = false>,
      test.split = #dl.split<dim = in_channel, bounds = [0, 3, 5, 7]>,
      test.tile = #dl.tile<group = 2, grid = [3, 3]>,
      test.link = #dl.link<from = 1, to = 0, bandwidth = 1.0e9, latency = 5.0e-6>,
      test.enums = [#dl<split_dim batch>, #dl<split_dim out_channel>,
                    #dl<split_dim in_channel>, #dl<split_dim height>,
                    #dl<split_dim width>, #dl<split_dim gate>,
                    #dl<split_dim hidden>, #dl<pool_kind max>,
                    #dl<pool_kind avg>, #dl<activation none>,
                    #dl<activation relu>, #dl<device_kind cpu>,
                    #dl<device_kind gpu>, #dl<topology full>,
                    #dl<topology shared>, #dl<topology ring>,
                    #dl<topology star>, #dl<dim_layout_kind replicated>,
                    #dl<dim_layout_kind split>]} : tensor<2xf32>
  return %0 : tensor<2xf32>
}

}
