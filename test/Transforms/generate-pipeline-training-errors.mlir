// RUN: dl-opt %s -split-input-file --dl-generate-pipeline-training="stages=3" -verify-diagnostics
// RUN: not dl-opt %s -split-input-file --dl-generate-pipeline-training="stages=9" 2>&1 | FileCheck %s --check-prefix=RANGE
// RUN: not dl-opt %s -split-input-file --dl-generate-pipeline-training="stages=2,1" 2>&1 | FileCheck %s --check-prefix=ORDER
// RUN: not dl-opt %s -split-input-file --dl-generate-pipeline-training="stages=a" 2>&1 | FileCheck %s --check-prefix=PARSE
// RUN: not dl-opt %s -split-input-file --dl-generate-pipeline-training="num-stages=5" 2>&1 | FileCheck %s --check-prefix=BALANCE

// RANGE: error: stage cut 9 is out of range: the model has 4 layers, so a cut (the first layer of a stage) must lie in 1..3
// ORDER: error: stage cuts must be increasing, got 1 after 2
// PARSE: error: invalid stage cuts 'a': expected comma-separated layer indices
// BALANCE: error: cannot cut 4 layers into 5 stages

// A residual connection: the cut before layer 3 (the add) is crossed by
// two tensors, %h and %r.
func.func @residual(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = dl.param "fc1.weight" : tensor<4x4xf32>
  // expected-note @+1 {{crossing tensor 'tensor<2x4xf32>'}}
  %h = dl.dense %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %r = dl.relu %h : tensor<2x4xf32>
  %w2 = dl.param "fc2.weight" : tensor<4x4xf32>
  // expected-note @+1 {{crossing tensor 'tensor<2x4xf32>'}}
  %g = dl.dense %r, %w2 : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  // expected-error @+1 {{cannot start a pipeline stage at layer 3 ('dl.add'): 2 tensors cross the cut, a stage boundary carries exactly one activation}}
  %y = dl.add %g, %h : tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// -----

// One weight used by layers on both sides of the cut.
func.func @shared(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %w = dl.param "fc.weight" : tensor<4x4xf32>
  %h = dl.dense %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %r = dl.relu %h : tensor<2x4xf32>
  %s = dl.relu %r : tensor<2x4xf32>
  // expected-error @+1 {{parameter 'fc.weight' is used by stages 0 and 1; a parameter must belong to one pipeline stage (move the cut)}}
  %y = dl.dense %s, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
