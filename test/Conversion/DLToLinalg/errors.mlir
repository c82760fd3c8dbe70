// RUN: dl-opt %s --convert-dl-to-linalg -split-input-file -verify-diagnostics

// Training ops (the backward and optimizer ops of dl-generate-training)
// have no linalg lowering; the error names the op.
func.func @backward(%y: tensor<2x3xf32>, %dy: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'dl.relu_backward' has no lowering to linalg}}
  %dx = dl.relu_backward %y, %dy : tensor<2x3xf32>
  return %dx : tensor<2x3xf32>
}
