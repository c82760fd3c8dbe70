// RUN: dl-opt %s -split-input-file --dl-generate-training -verify-diagnostics
// RUN: not dl-opt %s -split-input-file --dl-generate-training="optimizer=rmsprop" 2>&1 | FileCheck %s --check-prefix=OPT
// OPT: unknown optimizer 'rmsprop' (expected sgd, momentum or adam)
// RUN: not dl-opt %s -split-input-file --dl-generate-training="tensor-parallel=3" 2>&1 | FileCheck %s --check-prefix=TP3
// TP3: tensor-parallel=3: no pair of conv/dense layers to split
// RUN: not dl-opt %s -split-input-file --dl-generate-training="tensor-parallel=2 data-parallel=2" 2>&1 | FileCheck %s --check-prefix=TPDP
// TPDP: tensor-parallel combines with neither data-parallel nor gradients-only yet

// An op without GradientOpInterface on the path to a parameter.
func.func @no_gradient(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = dl.param "fc.weight" : tensor<3x4xf32>
  %wh = dl.param "fc.recurrent" : tensor<3x3xf32>
  %h = dl.dense %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  // expected-error @+1 {{'dl.lstm_gates' has no gradient (GradientOpInterface)}}
  %y = dl.lstm_gates %x, %h, %w, %wh
      : (tensor<2x4xf32>, tensor<2x3xf32>, tensor<3x4xf32>, tensor<3x3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @inline_param(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{parameter 'fc.weight' has an inline value; training needs parameters from the weight store}}
  %w = dl.param "fc.weight" : tensor<3x4xf32> = dense<1.0>
  %y = dl.dense %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// expected-error @+1 {{the result must be statically shaped logits [B, C]}}
func.func @not_logits(%x: tensor<2x4xf32>) -> tensor<2x1x3xf32> {
  %w = dl.param "fc.weight" : tensor<3x4xf32>
  %y = dl.dense %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  %r = dl.reshape %y : tensor<2x3xf32> -> tensor<2x1x3xf32>
  return %r : tensor<2x1x3xf32>
}

// -----

// expected-error @+1 {{the model has no parameters to train}}
func.func @no_params(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %y = dl.relu %x : tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// expected-error @+1 {{parameter 'unused.weight' does not influence the loss}}
func.func @unused(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %u = dl.param "unused.weight" : tensor<3x4xf32>
  %v = dl.relu %u : tensor<3x4xf32>
  %w = dl.param "fc.weight" : tensor<3x4xf32>
  %y = dl.dense %x, %w : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @bn_stats_shared(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %s = dl.param "bn.weight" : tensor<3xf32>
  %m = dl.param "bn.running_mean" : tensor<3xf32>
  %v = dl.param "bn.running_var" : tensor<3xf32>
  %n = dl.batch_norm %x, %s, %s, %m, %v
      : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %w = dl.param "fc.weight" : tensor<3x3xf32>
  // expected-error @+1 {{running statistic 'bn.running_mean' of a batch norm is used by another op}}
  %y = dl.dense %n, %w, %m : (tensor<2x3xf32>, tensor<3x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
