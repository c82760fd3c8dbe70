// RUN: dl-translate --dl-to-cpp %s -split-input-file -verify-diagnostics

// Ops outside the supported set are reported at their location.
func.func @unsupported(%x: tensor<4xf32>) -> tensor<4xf32>
    attributes {dl.device = 0 : i64} {
  // expected-error @+1 {{'arith.addf' is not supported by the C++ emitter}}
  %y = arith.addf %x, %x : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Only static f32 shapes can be emitted.
// expected-error @+1 {{argument 0 must be a statically shaped f32 tensor, got 'tensor<?x4xf32>'}}
func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32>
    attributes {dl.device = 0 : i64} {
  %y = dl.relu %x : tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// Strided slices have no runtime counterpart.
func.func @strided(%x: tensor<8xf32>) -> tensor<4xf32>
    attributes {dl.device = 0 : i64} {
  // expected-error @+1 {{C++ emission supports extract_slice with static offsets and sizes and unit strides only}}
  %y = tensor.extract_slice %x[0] [4] [2] : tensor<8xf32> to tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Two functions and no dl.device: nothing says which program is which.
// expected-error @+1 {{no device function to emit: expected func.func ops with a 'dl.device' attribute}}
module {
  func.func @a() {
    return
  }
  func.func @b() {
    return
  }
}

// -----

// Two programs for one device.
module {
  func.func @a() attributes {dl.device = 0 : i64} {
    return
  }
  // expected-error @+1 {{device 0 has more than one function}}
  func.func @b() attributes {dl.device = 0 : i64} {
    return
  }
}
