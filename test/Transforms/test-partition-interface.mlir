// RUN: dl-opt %s --dl-test-partition-interface -split-input-file -verify-diagnostics -o /dev/null

// Checks PartitionableOpInterface against the worked examples of the
// partitioning reference (section 6; fp32, so 4 B per value, P = 4). A layer
// with a dl.plan gets one remark per part: the part's iteration ranges, the
// region of each operand (`begin:end` per tensor dim, then `pad lo/hi`, the
// zero padding the layer itself still supplies at the real border), the
// result kind and region, and the part's work (MACs, FLOPs = 2 MACs, and
// parameter / input / output bytes). A layer without a plan gets one remark
// with its splittable dims and the work of the whole layer.

//===----------------------------------------------------------------------===//
// VGG-16 conv4_2: 512 -> 512 channels, 28x28, K = 3, S = 1, p = 1.
//   whole layer: 28*28*512 outputs * 512*9 MACs = 1,849,688,064 MACs;
//   parameters 512*512*9 + 512 = 2,359,808 (9,439,232 B);
//   map 512*28*28 = 401,408 values (1,605,632 B).
//===----------------------------------------------------------------------===//

func.func @conv4_2_whole(%x: tensor<1x512x28x28xf32>, %w: tensor<512x512x3x3xf32>,
                         %b: tensor<512xf32>) -> tensor<1x512x28x28xf32> {
  // expected-remark@below {{dims [batch=1, out_channel=512, in_channel=512, height=28, width=28] macs 1849688064 flops 3699376128 params 9439232B in 1605632B out 1605632B}}
  %0 = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x512x28x28xf32>, tensor<512x512x3x3xf32>, tensor<512xf32>)
      -> tensor<1x512x28x28xf32>
  return %0 : tensor<1x512x28x28xf32>
}

// -----

// Output-channel split: 128 filters per device, 128*512*9 + 128 = 589,952
// parameters (2,359,808 B), 1,849,688,064 / 4 = 462,422,016 MACs, and the
// whole input map (1,605,632 B, border padding on all four sides). The
// output slice is 128*784 values (401,408 B).
func.func @conv4_2_out_channel(%x: tensor<1x512x28x28xf32>,
                               %w: tensor<512x512x3x3xf32>,
                               %b: tensor<512xf32>) -> tensor<1x512x28x28xf32> {
  // expected-remark@below {{device 0: out_channel 0:128 | op0 [0:1, 0:512, 0:28 pad 1/1, 0:28 pad 1/1] | op1 [0:128, 0:512, 0:3, 0:3] | op2 [0:128] | result slice [0:1, 0:128, 0:28, 0:28] | macs 462422016 flops 924844032 params 2359808B in 1605632B out 401408B}}
  // expected-remark@below {{device 1: out_channel 128:256 | op0 [0:1, 0:512, 0:28 pad 1/1, 0:28 pad 1/1] | op1 [128:256, 0:512, 0:3, 0:3] | op2 [128:256] | result slice [0:1, 128:256, 0:28, 0:28] | macs 462422016 flops 924844032 params 2359808B in 1605632B out 401408B}}
  // expected-remark@below {{device 2: out_channel 256:384 | op0 [0:1, 0:512, 0:28 pad 1/1, 0:28 pad 1/1] | op1 [256:384, 0:512, 0:3, 0:3] | op2 [256:384] | result slice [0:1, 256:384, 0:28, 0:28] | macs 462422016 flops 924844032 params 2359808B in 1605632B out 401408B}}
  // expected-remark@below {{device 3: out_channel 384:512 | op0 [0:1, 0:512, 0:28 pad 1/1, 0:28 pad 1/1] | op1 [384:512, 0:512, 0:3, 0:3] | op2 [384:512] | result slice [0:1, 384:512, 0:28, 0:28] | macs 462422016 flops 924844032 params 2359808B in 1605632B out 401408B}}
  %0 = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = out_channel,
                                             bounds = [0, 128, 256, 384, 512]>]>}
      : (tensor<1x512x28x28xf32>, tensor<512x512x3x3xf32>, tensor<512xf32>)
      -> tensor<1x512x28x28xf32>
  return %0 : tensor<1x512x28x28xf32>
}

// -----

// Input-channel split: each device reads 128 input channels (401,408 B) and
// 512*128*9 = 589,824 weights, and produces a full-size partial sum of
// 401,408 values (1,605,632 B; the reference's allreduce volume is
// 2*3/4 * 401,408 = 602,112 values). The bias is added once, by the part
// holding channel 0: 589,824 + 512 = 590,336 parameters (2,361,344 B) there,
// 589,824 (2,359,296 B) elsewhere. MACs: 401,408 * 128*9 = 462,422,016.
func.func @conv4_2_in_channel(%x: tensor<1x512x28x28xf32>,
                              %w: tensor<512x512x3x3xf32>,
                              %b: tensor<512xf32>) -> tensor<1x512x28x28xf32> {
  // expected-remark@below {{device 0: in_channel 0:128 | op0 [0:1, 0:128, 0:28 pad 1/1, 0:28 pad 1/1] | op1 [0:512, 0:128, 0:3, 0:3] | op2 [0:512] | result partial [0:1, 0:512, 0:28, 0:28] | macs 462422016 flops 924844032 params 2361344B in 401408B out 1605632B}}
  // expected-remark@below {{device 1: in_channel 128:256 | op0 [0:1, 128:256, 0:28 pad 1/1, 0:28 pad 1/1] | op1 [0:512, 128:256, 0:3, 0:3] | op2 unused | result partial [0:1, 0:512, 0:28, 0:28] | macs 462422016 flops 924844032 params 2359296B in 401408B out 1605632B}}
  // expected-remark@below {{device 2: in_channel 256:384 | op0 [0:1, 256:384, 0:28 pad 1/1, 0:28 pad 1/1] | op1 [0:512, 256:384, 0:3, 0:3] | op2 unused | result partial [0:1, 0:512, 0:28, 0:28] | macs 462422016 flops 924844032 params 2359296B in 401408B out 1605632B}}
  // expected-remark@below {{device 3: in_channel 384:512 | op0 [0:1, 384:512, 0:28 pad 1/1, 0:28 pad 1/1] | op1 [0:512, 384:512, 0:3, 0:3] | op2 unused | result partial [0:1, 0:512, 0:28, 0:28] | macs 462422016 flops 924844032 params 2359296B in 401408B out 1605632B}}
  %0 = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = in_channel,
                                             bounds = [0, 128, 256, 384, 512]>]>}
      : (tensor<1x512x28x28xf32>, tensor<512x512x3x3xf32>, tensor<512xf32>)
      -> tensor<1x512x28x28xf32>
  return %0 : tensor<1x512x28x28xf32>
}

// -----

// Spatial, 4 strips x 7 rows. Output rows [a, b] need input rows
// [a - 1, b + 1] clipped to [0, 27]: strip 0 reads rows 0..7 (8 rows, pad 1
// on top), the interior strips 9 rows, strip 3 rows 20..27 (pad 1 below).
// Every device holds all 9,439,232 B of weights and computes
// 7*28*512*4608 = 462,422,016 MACs. Inputs: 8*28*512*4 = 458,752 B at the
// ends, 9*28*512*4 = 516,096 B inside; the halo is 28*512 = 14,336 values
// (57,344 B) per direction per boundary, so an interior strip receives
// 2*57,344 = 114,688 B more than its own 7 rows and an end strip 57,344 B.
func.func @conv4_2_strips(%x: tensor<1x512x28x28xf32>,
                          %w: tensor<512x512x3x3xf32>,
                          %b: tensor<512xf32>) -> tensor<1x512x28x28xf32> {
  // expected-remark@below {{device 0: height 0:7 | op0 [0:1, 0:512, 0:8 pad 1/0, 0:28 pad 1/1] | op1 [0:512, 0:512, 0:3, 0:3] | op2 [0:512] | result slice [0:1, 0:512, 0:7, 0:28] | macs 462422016 flops 924844032 params 9439232B in 458752B out 401408B}}
  // expected-remark@below {{device 1: height 7:14 | op0 [0:1, 0:512, 6:15, 0:28 pad 1/1] | op1 [0:512, 0:512, 0:3, 0:3] | op2 [0:512] | result slice [0:1, 0:512, 7:14, 0:28] | macs 462422016 flops 924844032 params 9439232B in 516096B out 401408B}}
  // expected-remark@below {{device 2: height 14:21 | op0 [0:1, 0:512, 13:22, 0:28 pad 1/1] | op1 [0:512, 0:512, 0:3, 0:3] | op2 [0:512] | result slice [0:1, 0:512, 14:21, 0:28] | macs 462422016 flops 924844032 params 9439232B in 516096B out 401408B}}
  // expected-remark@below {{device 3: height 21:28 | op0 [0:1, 0:512, 20:28 pad 0/1, 0:28 pad 1/1] | op1 [0:512, 0:512, 0:3, 0:3] | op2 [0:512] | result slice [0:1, 0:512, 21:28, 0:28] | macs 462422016 flops 924844032 params 9439232B in 458752B out 401408B}}
  %0 = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = height,
                                             bounds = [0, 7, 14, 21, 28]>]>}
      : (tensor<1x512x28x28xf32>, tensor<512x512x3x3xf32>, tensor<512xf32>)
      -> tensor<1x512x28x28xf32>
  return %0 : tensor<1x512x28x28xf32>
}

// -----

// 2x2 grid (devices row-major over height, then width): each tile owns
// 14x14 outputs and reads a 15x15 input window, i.e. 15*15*512 = 115,200
// values (460,800 B) against its own 14*14*512 = 100,352: it receives
// 14*512*2 + 512 = 14,848 values (59,392 B) from 3 neighbours.
// MACs: 14*14*512*4608 = 462,422,016.
func.func @conv4_2_grid(%x: tensor<1x512x28x28xf32>,
                        %w: tensor<512x512x3x3xf32>) -> tensor<1x512x28x28xf32> {
  // expected-remark@below {{device 0: height 0:14 width 0:14 | op0 [0:1, 0:512, 0:15 pad 1/0, 0:15 pad 1/0] | op1 [0:512, 0:512, 0:3, 0:3] | result slice [0:1, 0:512, 0:14, 0:14] | macs 462422016 flops 924844032 params 9437184B in 460800B out 401408B}}
  // expected-remark@below {{device 1: height 0:14 width 14:28 | op0 [0:1, 0:512, 0:15 pad 1/0, 13:28 pad 0/1] | op1 [0:512, 0:512, 0:3, 0:3] | result slice [0:1, 0:512, 0:14, 14:28] | macs 462422016 flops 924844032 params 9437184B in 460800B out 401408B}}
  // expected-remark@below {{device 2: height 14:28 width 0:14 | op0 [0:1, 0:512, 13:28 pad 0/1, 0:15 pad 1/0] | op1 [0:512, 0:512, 0:3, 0:3] | result slice [0:1, 0:512, 14:28, 0:14] | macs 462422016 flops 924844032 params 9437184B in 460800B out 401408B}}
  // expected-remark@below {{device 3: height 14:28 width 14:28 | op0 [0:1, 0:512, 13:28 pad 0/1, 13:28 pad 0/1] | op1 [0:512, 0:512, 0:3, 0:3] | result slice [0:1, 0:512, 14:28, 14:28] | macs 462422016 flops 924844032 params 9437184B in 460800B out 401408B}}
  %0 = dl.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = height, bounds = [0, 14, 28]>,
                                   #dl.split<dim = width, bounds = [0, 14, 28]>]>}
      : (tensor<1x512x28x28xf32>, tensor<512x512x3x3xf32>)
      -> tensor<1x512x28x28xf32>
  return %0 : tensor<1x512x28x28xf32>
}

// -----

// MoDNN BODP: H_out = 28 with speeds c = (2, 1, 1) gives strips [0,13],
// [14,20], [21,27], which need input rows [0,14], [13,21], [20,27]. MACs are
// proportional to the rows: 14*28*512*4608 = 924,844,032 on the fast device,
// 462,422,016 on the others.
func.func @conv4_2_bodp(%x: tensor<1x512x28x28xf32>,
                        %w: tensor<512x512x3x3xf32>) -> tensor<1x512x28x28xf32> {
  // expected-remark@below {{device 0: height 0:14 | op0 [0:1, 0:512, 0:15 pad 1/0, 0:28 pad 1/1] | op1 [0:512, 0:512, 0:3, 0:3] | result slice [0:1, 0:512, 0:14, 0:28] | macs 924844032 flops 1849688064}}
  // expected-remark@below {{device 1: height 14:21 | op0 [0:1, 0:512, 13:22, 0:28 pad 1/1] | op1 [0:512, 0:512, 0:3, 0:3] | result slice [0:1, 0:512, 14:21, 0:28] | macs 462422016 flops 924844032}}
  // expected-remark@below {{device 2: height 21:28 | op0 [0:1, 0:512, 20:28 pad 0/1, 0:28 pad 1/1] | op1 [0:512, 0:512, 0:3, 0:3] | result slice [0:1, 0:512, 21:28, 0:28] | macs 462422016 flops 924844032}}
  %0 = dl.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<devices = [0, 1, 2],
                         splits = [#dl.split<dim = height, bounds = [0, 14, 21, 28]>]>}
      : (tensor<1x512x28x28xf32>, tensor<512x512x3x3xf32>)
      -> tensor<1x512x28x28xf32>
  return %0 : tensor<1x512x28x28xf32>
}

// -----

// Stride-2 halo: K = 3, S = 2, p = 1, H_in = 224 gives H_out = 112. Output
// rows [56,111] need input rows [111,223]; rows [0,55] need [-1,111], i.e.
// [0,111] after clipping -1 to 0 (pad 1 on top). The last output column
// reads up to column 111*2 - 1 + 2 = 223, so no padding on the right.
// MACs per part: 56*112 outputs * 9 = 56,448.
func.func @stride2_halo(%x: tensor<1x1x224x224xf32>, %w: tensor<1x1x3x3xf32>)
    -> tensor<1x1x112x112xf32> {
  // expected-remark@below {{device 0: height 0:56 | op0 [0:1, 0:1, 0:112 pad 1/0, 0:224 pad 1/0] | op1 [0:1, 0:1, 0:3, 0:3] | result slice [0:1, 0:1, 0:56, 0:112] | macs 56448 flops 112896}}
  // expected-remark@below {{device 1: height 56:112 | op0 [0:1, 0:1, 111:224, 0:224 pad 1/0] | op1 [0:1, 0:1, 0:3, 0:3] | result slice [0:1, 0:1, 56:112, 0:112] | macs 56448 flops 112896}}
  %0 = dl.conv2d %x, %w {strides = array<i64: 2, 2>,
      padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<devices = [0, 1],
                         splits = [#dl.split<dim = height, bounds = [0, 56, 112]>]>}
      : (tensor<1x1x224x224xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x112x112xf32>
  return %0 : tensor<1x1x112x112xf32>
}

// -----

// VGG-16 conv1_2 (64 -> 64, 224x224, K = 3, p = 1): the same
// 224*224*64 * 64*9 = 1,849,688,064 MACs as conv4_2 (462,422,016 per strip
// of 56 rows) and the same halo of 224*64 = 14,336 values per direction:
// an interior strip reads 58 rows, 58*224*64*4 = 3,325,952 B, which is
// 2*57,344 B more than its own 56 rows (3,211,264 B). Its weights are only
// 64*64*9 + 64 = 36,928 parameters (147,712 B), against a 12.85 MB map
// (64*224*224*4 = 12,845,056 B).
func.func @conv1_2(%x: tensor<1x64x224x224xf32>, %w: tensor<64x64x3x3xf32>,
                   %b: tensor<64xf32>) -> tensor<1x64x224x224xf32> {
  // expected-remark@below {{dims [batch=1, out_channel=64, in_channel=64, height=224, width=224] macs 1849688064 flops 3699376128 params 147712B in 12845056B out 12845056B}}
  %0 = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x64x224x224xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>)
      -> tensor<1x64x224x224xf32>
  // expected-remark@below {{device 0: height 0:56 | op0 [0:1, 0:64, 0:57 pad 1/0, 0:224 pad 1/1] | op1 [0:64, 0:64, 0:3, 0:3] | op2 [0:64] | result slice [0:1, 0:64, 0:56, 0:224] | macs 462422016 flops 924844032 params 147712B in 3268608B out 3211264B}}
  // expected-remark@below {{device 1: height 56:112 | op0 [0:1, 0:64, 55:113, 0:224 pad 1/1] | op1 [0:64, 0:64, 0:3, 0:3] | op2 [0:64] | result slice [0:1, 0:64, 56:112, 0:224] | macs 462422016 flops 924844032 params 147712B in 3325952B out 3211264B}}
  // expected-remark@below {{device 2: height 112:168 | op0 [0:1, 0:64, 111:169, 0:224 pad 1/1] | op1 [0:64, 0:64, 0:3, 0:3] | op2 [0:64] | result slice [0:1, 0:64, 112:168, 0:224] | macs 462422016 flops 924844032 params 147712B in 3325952B out 3211264B}}
  // expected-remark@below {{device 3: height 168:224 | op0 [0:1, 0:64, 167:224 pad 0/1, 0:224 pad 1/1] | op1 [0:64, 0:64, 0:3, 0:3] | op2 [0:64] | result slice [0:1, 0:64, 168:224, 0:224] | macs 462422016 flops 924844032 params 147712B in 3268608B out 3211264B}}
  %1 = dl.conv2d %0, %w, %b {padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = height,
                                             bounds = [0, 56, 112, 168, 224]>]>}
      : (tensor<1x64x224x224xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>)
      -> tensor<1x64x224x224xf32>
  return %1 : tensor<1x64x224x224xf32>
}

//===----------------------------------------------------------------------===//
// VGG-16 fc6, B = 1: 25,088 -> 4,096, 102,760,448 weights.
//===----------------------------------------------------------------------===//

// -----

// Output split: 1,024 rows of W per device, 1,024*25,088 = 25,690,112
// weights + 1,024 biases = 25,691,136 parameters (102,764,544 B); every
// device reads the whole 25,088-value input (100,352 B) and produces 1,024
// outputs (4,096 B).
func.func @fc6_out(%x: tensor<1x25088xf32>, %w: tensor<4096x25088xf32>,
                   %b: tensor<4096xf32>) -> tensor<1x4096xf32> {
  // expected-remark@below {{device 0: out_channel 0:1024 | op0 [0:1, 0:25088] | op1 [0:1024, 0:25088] | op2 [0:1024] | result slice [0:1, 0:1024] | macs 25690112 flops 51380224 params 102764544B in 100352B out 4096B}}
  // expected-remark@below {{device 1: out_channel 1024:2048 | op0 [0:1, 0:25088] | op1 [1024:2048, 0:25088] | op2 [1024:2048] | result slice [0:1, 1024:2048] | macs 25690112 flops 51380224 params 102764544B in 100352B out 4096B}}
  // expected-remark@below {{device 2: out_channel 2048:3072 | op0 [0:1, 0:25088] | op1 [2048:3072, 0:25088] | op2 [2048:3072] | result slice [0:1, 2048:3072] | macs 25690112 flops 51380224 params 102764544B in 100352B out 4096B}}
  // expected-remark@below {{device 3: out_channel 3072:4096 | op0 [0:1, 0:25088] | op1 [3072:4096, 0:25088] | op2 [3072:4096] | result slice [0:1, 3072:4096] | macs 25690112 flops 51380224 params 102764544B in 100352B out 4096B}}
  %0 = dl.dense %x, %w, %b {dl.plan = #dl.plan<devices = [0, 1, 2, 3],
      splits = [#dl.split<dim = out_channel, bounds = [0, 1024, 2048, 3072, 4096]>]>}
      : (tensor<1x25088xf32>, tensor<4096x25088xf32>, tensor<4096xf32>)
      -> tensor<1x4096xf32>
  return %0 : tensor<1x4096xf32>
}

// -----

// Input split: 6,272 columns of W per device (25,690,112 weights,
// 102,760,448 B), 6,272 inputs (25,088 B), a full-size partial sum of 4,096
// values (16,384 B; allreduce 2*3/4 * 4,096 = 6,144 values per device). The
// bias (4,096 values, 16,384 B) is read only by the part holding column 0.
func.func @fc6_in(%x: tensor<1x25088xf32>, %w: tensor<4096x25088xf32>,
                  %b: tensor<4096xf32>) -> tensor<1x4096xf32> {
  // expected-remark@below {{device 0: in_channel 0:6272 | op0 [0:1, 0:6272] | op1 [0:4096, 0:6272] | op2 [0:4096] | result partial [0:1, 0:4096] | macs 25690112 flops 51380224 params 102776832B in 25088B out 16384B}}
  // expected-remark@below {{device 1: in_channel 6272:12544 | op0 [0:1, 6272:12544] | op1 [0:4096, 6272:12544] | op2 unused | result partial [0:1, 0:4096] | macs 25690112 flops 51380224 params 102760448B in 25088B out 16384B}}
  // expected-remark@below {{device 2: in_channel 12544:18816 | op0 [0:1, 12544:18816] | op1 [0:4096, 12544:18816] | op2 unused | result partial [0:1, 0:4096] | macs 25690112 flops 51380224 params 102760448B in 25088B out 16384B}}
  // expected-remark@below {{device 3: in_channel 18816:25088 | op0 [0:1, 18816:25088] | op1 [0:4096, 18816:25088] | op2 unused | result partial [0:1, 0:4096] | macs 25690112 flops 51380224 params 102760448B in 25088B out 16384B}}
  %0 = dl.dense %x, %w, %b {dl.plan = #dl.plan<devices = [0, 1, 2, 3],
      splits = [#dl.split<dim = in_channel, bounds = [0, 6272, 12544, 18816, 25088]>]>}
      : (tensor<1x25088xf32>, tensor<4096x25088xf32>, tensor<4096xf32>)
      -> tensor<1x4096xf32>
  return %0 : tensor<1x4096xf32>
}

//===----------------------------------------------------------------------===//
// LSTM, H_d = X = 512, one step (T = 1), batch 1.
//   whole layer: 4*512*(512+512) = 2,097,152 weights and MACs, 2,048 biases.
//   Gate rows are in i, f, g, o order, 512 rows per gate.
//===----------------------------------------------------------------------===//

// -----

// The whole layer: (2,097,152 + 2,048) * 4 = 8,396,800 B of parameters;
// FLOPs = 2 * MACs + 25 per unit for the cell update (3 sigmoids, 2 tanh,
// 3 multiplies and an add, as counted by the layer) = 4,194,304 + 12,800.
func.func @lstm_whole(%x: tensor<1x1x512xf32>, %wih: tensor<2048x512xf32>,
                      %whh: tensor<2048x512xf32>, %b: tensor<2048xf32>)
    -> tensor<1x1x512xf32> {
  // expected-remark@below {{dims [batch=1, gate=4, hidden=512] macs 2097152 flops 4207104 params 8396800B in 2048B out 2048B}}
  %0 = dl.lstm %x, %wih, %whh, %b {hidden_size = 512 : i64}
      : (tensor<1x1x512xf32>, tensor<2048x512xf32>, tensor<2048x512xf32>,
         tensor<2048xf32>) -> tensor<1x1x512xf32>
  return %0 : tensor<1x1x512xf32>
}

// -----

// Gate-based, P = 4: one gate per device, 512 rows of w_ih and w_hh =
// 524,288 weights and MACs, + 512 biases: (524,288 + 512) * 4 = 2,099,200 B.
// The part holds gate pre-activations that a combiner turns into h_t, so the
// result kind is `combine` over the whole output and no cell update is
// counted on the part (FLOPs = 2 * MACs).
func.func @lstm_gate(%x: tensor<1x1x512xf32>, %wih: tensor<2048x512xf32>,
                     %whh: tensor<2048x512xf32>, %b: tensor<2048xf32>)
    -> tensor<1x1x512xf32> {
  // expected-remark@below {{device 0: gate 0:1 | op0 [0:1, 0:1, 0:512] | op1 [0:512, 0:512] | op2 [0:512, 0:512] | op3 [0:512] | result combine [0:1, 0:1, 0:512] | macs 524288 flops 1048576 params 2099200B in 2048B out 2048B}}
  // expected-remark@below {{device 1: gate 1:2 | op0 [0:1, 0:1, 0:512] | op1 [512:1024, 0:512] | op2 [512:1024, 0:512] | op3 [512:1024] | result combine [0:1, 0:1, 0:512] | macs 524288 flops 1048576 params 2099200B in 2048B out 2048B}}
  // expected-remark@below {{device 2: gate 2:3 | op0 [0:1, 0:1, 0:512] | op1 [1024:1536, 0:512] | op2 [1024:1536, 0:512] | op3 [1024:1536] | result combine [0:1, 0:1, 0:512] | macs 524288 flops 1048576 params 2099200B in 2048B out 2048B}}
  // expected-remark@below {{device 3: gate 3:4 | op0 [0:1, 0:1, 0:512] | op1 [1536:2048, 0:512] | op2 [1536:2048, 0:512] | op3 [1536:2048] | result combine [0:1, 0:1, 0:512] | macs 524288 flops 1048576 params 2099200B in 2048B out 2048B}}
  %0 = dl.lstm %x, %wih, %whh, %b {hidden_size = 512 : i64,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = gate, bounds = [0, 1, 2, 3, 4]>]>}
      : (tensor<1x1x512xf32>, tensor<2048x512xf32>, tensor<2048x512xf32>,
         tensor<2048xf32>) -> tensor<1x1x512xf32>
  return %0 : tensor<1x1x512xf32>
}

// -----

// Weight-based (hidden units), P = 4: 128 units x 4 gates, i.e. rows
// [u0 + g*512, u1 + g*512) for g = 0..3 (`x4 stride 512`): 512 x 1024 =
// 524,288 weights and MACs per device, the same as gate-based. Each part
// owns its 128 units of h_t (512 B) and runs their cell update:
// FLOPs = 2 * 524,288 + 25 * 128 = 1,051,776.
func.func @lstm_hidden(%x: tensor<1x1x512xf32>, %wih: tensor<2048x512xf32>,
                       %whh: tensor<2048x512xf32>, %b: tensor<2048xf32>)
    -> tensor<1x1x512xf32> {
  // expected-remark@below {{device 0: hidden 0:128 | op0 [0:1, 0:1, 0:512] | op1 [0:128, 0:512] x4 stride 512 | op2 [0:128, 0:512] x4 stride 512 | op3 [0:128] x4 stride 512 | result slice [0:1, 0:1, 0:128] | macs 524288 flops 1051776 params 2099200B in 2048B out 512B}}
  // expected-remark@below {{device 1: hidden 128:256 | op0 [0:1, 0:1, 0:512] | op1 [128:256, 0:512] x4 stride 512 | op2 [128:256, 0:512] x4 stride 512 | op3 [128:256] x4 stride 512 | result slice [0:1, 0:1, 128:256] | macs 524288 flops 1051776 params 2099200B in 2048B out 512B}}
  // expected-remark@below {{device 2: hidden 256:384 | op0 [0:1, 0:1, 0:512] | op1 [256:384, 0:512] x4 stride 512 | op2 [256:384, 0:512] x4 stride 512 | op3 [256:384] x4 stride 512 | result slice [0:1, 0:1, 256:384] | macs 524288 flops 1051776 params 2099200B in 2048B out 512B}}
  // expected-remark@below {{device 3: hidden 384:512 | op0 [0:1, 0:1, 0:512] | op1 [384:512, 0:512] x4 stride 512 | op2 [384:512, 0:512] x4 stride 512 | op3 [384:512] x4 stride 512 | result slice [0:1, 0:1, 384:512] | macs 524288 flops 1051776 params 2099200B in 2048B out 512B}}
  %0 = dl.lstm %x, %wih, %whh, %b {hidden_size = 512 : i64,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = hidden, bounds = [0, 128, 256, 384, 512]>]>}
      : (tensor<1x1x512xf32>, tensor<2048x512xf32>, tensor<2048x512xf32>,
         tensor<2048xf32>) -> tensor<1x1x512xf32>
  return %0 : tensor<1x1x512xf32>
}

//===----------------------------------------------------------------------===//
// Pooling, batch-norm and relu
//===----------------------------------------------------------------------===//

// -----

// 2x2/2 max pooling, 224 -> 112, 4 strips of 28 output rows: K = S, so strip
// [a, b) reads exactly input rows [2a, 2b) and the strips' inputs are
// disjoint (no halo). FLOPs: 28*112*64 outputs * 4 compares = 802,816.
// Input 56*224*64*4 = 3,211,264 B, output 28*112*64*4 = 802,816 B.
func.func @pool_2x2(%x: tensor<1x64x224x224xf32>) -> tensor<1x64x112x112xf32> {
  // expected-remark@below {{device 0: height 0:28 | op0 [0:1, 0:64, 0:56, 0:224] | result slice [0:1, 0:64, 0:28, 0:112] | macs 0 flops 802816 params 0B in 3211264B out 802816B}}
  // expected-remark@below {{device 1: height 28:56 | op0 [0:1, 0:64, 56:112, 0:224] | result slice [0:1, 0:64, 28:56, 0:112] | macs 0 flops 802816 params 0B in 3211264B out 802816B}}
  // expected-remark@below {{device 2: height 56:84 | op0 [0:1, 0:64, 112:168, 0:224] | result slice [0:1, 0:64, 56:84, 0:112] | macs 0 flops 802816 params 0B in 3211264B out 802816B}}
  // expected-remark@below {{device 3: height 84:112 | op0 [0:1, 0:64, 168:224, 0:224] | result slice [0:1, 0:64, 84:112, 0:112] | macs 0 flops 802816 params 0B in 3211264B out 802816B}}
  %0 = dl.pool2d max %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = height, bounds = [0, 28, 56, 84, 112]>]>}
      : tensor<1x64x224x224xf32> -> tensor<1x64x112x112xf32>
  return %0 : tensor<1x64x112x112xf32>
}

// -----

// 3x3/2 max pooling with p = 1, 112 -> 56 ((112 + 2 - 3) / 2 + 1), 4 strips
// of 14 rows: strip [a, b) reads input rows [2a - 1, 2b), so neighbours
// share K - S = 1 row: [0,28) (pad 1 on top), [27,56), [55,84), [83,112).
// FLOPs: 14*56*64 outputs * 9 = 451,584. Input: 28 or 29 rows * 112*64*4.
func.func @pool_3x3(%x: tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32> {
  // expected-remark@below {{device 0: height 0:14 | op0 [0:1, 0:64, 0:28 pad 1/0, 0:112 pad 1/0] | result slice [0:1, 0:64, 0:14, 0:56] | macs 0 flops 451584 params 0B in 802816B out 200704B}}
  // expected-remark@below {{device 1: height 14:28 | op0 [0:1, 0:64, 27:56, 0:112 pad 1/0] | result slice [0:1, 0:64, 14:28, 0:56] | macs 0 flops 451584 params 0B in 831488B out 200704B}}
  // expected-remark@below {{device 2: height 28:42 | op0 [0:1, 0:64, 55:84, 0:112 pad 1/0] | result slice [0:1, 0:64, 28:42, 0:56] | macs 0 flops 451584 params 0B in 831488B out 200704B}}
  // expected-remark@below {{device 3: height 42:56 | op0 [0:1, 0:64, 83:112, 0:112 pad 1/0] | result slice [0:1, 0:64, 42:56, 0:56] | macs 0 flops 451584 params 0B in 831488B out 200704B}}
  %0 = dl.pool2d max %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>,
      padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
                         splits = [#dl.split<dim = height, bounds = [0, 14, 28, 42, 56]>]>}
      : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// Batch-norm and relu after conv4_2 follow the layout of their input and
// need no halo: a channel split of batch-norm reads its channels of the map
// and of the four [C] parameters (4 * 256 * 4 = 4,096 B), 2 FLOPs per value
// (256*784*2 = 401,408); a row split of relu reads exactly its rows
// (14*28*512 = 200,704 values, 802,816 B), 1 FLOP per value.
func.func @bn_relu(%x: tensor<1x512x28x28xf32>, %p: tensor<512xf32>)
    -> tensor<1x512x28x28xf32> {
  // expected-remark@below {{device 0: out_channel 0:256 | op0 [0:1, 0:256, 0:28, 0:28] | op1 [0:256] | op2 [0:256] | op3 [0:256] | op4 [0:256] | result slice [0:1, 0:256, 0:28, 0:28] | macs 0 flops 401408 params 4096B in 802816B out 802816B}}
  // expected-remark@below {{device 1: out_channel 256:512 | op0 [0:1, 256:512, 0:28, 0:28] | op1 [256:512] | op2 [256:512] | op3 [256:512] | op4 [256:512] | result slice [0:1, 256:512, 0:28, 0:28] | macs 0 flops 401408 params 4096B in 802816B out 802816B}}
  %0 = dl.batch_norm %x, %p, %p, %p, %p {dl.plan = #dl.plan<devices = [0, 1],
      splits = [#dl.split<dim = out_channel, bounds = [0, 256, 512]>]>}
      : (tensor<1x512x28x28xf32>, tensor<512xf32>, tensor<512xf32>,
         tensor<512xf32>, tensor<512xf32>) -> tensor<1x512x28x28xf32>
  // expected-remark@below {{device 2: height 0:14 | op0 [0:1, 0:512, 0:14, 0:28] | result slice [0:1, 0:512, 0:14, 0:28] | macs 0 flops 200704 params 0B in 802816B out 802816B}}
  // expected-remark@below {{device 3: height 14:28 | op0 [0:1, 0:512, 14:28, 0:28] | result slice [0:1, 0:512, 14:28, 0:28] | macs 0 flops 200704 params 0B in 802816B out 802816B}}
  %1 = dl.relu %0 {dl.plan = #dl.plan<devices = [2, 3],
      splits = [#dl.split<dim = height, bounds = [0, 14, 28]>]>}
      : tensor<1x512x28x28xf32>
  return %1 : tensor<1x512x28x28xf32>
}

// -----

// d x m: 2 replicas x 2 output-channel halves over 4 devices, laid out
// row-major over (replica, split): devices [3, 2] hold replica 0 (batch
// [0, 2)) and [1, 0] replica 1 (batch [2, 4)). Each part: 2*3*8 = 48 MACs,
// 3*8 weights (96 B; no bias, so nothing else), 2*8 inputs (64 B) and 2*3
// outputs (24 B).
func.func @replicas_by_splits(%x: tensor<4x8xf32>, %w: tensor<6x8xf32>)
    -> tensor<4x6xf32> {
  // expected-remark@below {{device 3: batch 0:2 out_channel 0:3 | op0 [0:2, 0:8] | op1 [0:3, 0:8] | result slice [0:2, 0:3] | macs 48 flops 96 params 96B in 64B out 24B}}
  // expected-remark@below {{device 2: batch 0:2 out_channel 3:6 | op0 [0:2, 0:8] | op1 [3:6, 0:8] | result slice [0:2, 3:6] | macs 48 flops 96 params 96B in 64B out 24B}}
  // expected-remark@below {{device 1: batch 2:4 out_channel 0:3 | op0 [2:4, 0:8] | op1 [0:3, 0:8] | result slice [2:4, 0:3] | macs 48 flops 96 params 96B in 64B out 24B}}
  // expected-remark@below {{device 0: batch 2:4 out_channel 3:6 | op0 [2:4, 0:8] | op1 [3:6, 0:8] | result slice [2:4, 3:6] | macs 48 flops 96 params 96B in 64B out 24B}}
  %0 = dl.dense %x, %w {dl.plan = #dl.plan<devices = [3, 2, 1, 0], replicas = 2,
      splits = [#dl.split<dim = out_channel, bounds = [0, 3, 6]>]>}
      : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}
