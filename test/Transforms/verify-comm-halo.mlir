// dl-verify-comm on halo exchanges: neighbours whose counts disagree are
// an error at the exchange; a device whose neighbour is at an exchange
// without it waits for the neighbour's next one (consecutive exchanges
// between different pairs, test/Integration/Schemes/halo-pairs.test), and
// one that the neighbour never joins is a deadlock.
//
// RUN: dl-opt %s --split-input-file --dl-verify-comm --verify-diagnostics -o /dev/null

// Device 0 expects one row from device 1, which sends two.
module {
  func.func @m_rank0(%x: tensor<1x2x4x4xf32>) attributes {dl.device = 0 : i64} {
    // expected-error @+1 {{halo exchange of device 0 does not match its neighbour 1}}
    %0 = dl.halo_exchange %x dim 2 prev -1 next 1 recv [0, 1] send [0, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x5x4xf32>
    return
  }
  func.func @m_rank1() attributes {dl.device = 1 : i64} {
    %x = tensor.empty() : tensor<1x2x4x4xf32>
    // expected-note @+1 {{the neighbour's halo exchange}}
    %0 = dl.halo_exchange %x dim 2 prev 0 next -1 recv [1, 0] send [2, 0] : tensor<1x2x4x4xf32> -> tensor<1x2x5x4xf32>
    return
  }
}

// -----

// Devices 1-2 exchange after devices 2-3 did: device 1's exchange names
// device 2 while device 2 is still at its exchange with device 3.
module {
  func.func @m_rank0(%x: tensor<1x2x4x4xf32>) attributes {dl.device = 0 : i64} {
    return
  }
  func.func @m_rank1() attributes {dl.device = 1 : i64} {
    %x = tensor.empty() : tensor<1x2x4x4xf32>
    %0 = dl.halo_exchange %x dim 2 prev -1 next 2 recv [0, 1] send [0, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x5x4xf32>
    return
  }
  func.func @m_rank2() attributes {dl.device = 2 : i64} {
    %x = tensor.empty() : tensor<1x2x4x4xf32>
    %0 = dl.halo_exchange %x dim 2 prev -1 next 3 recv [0, 1] send [0, 1] : tensor<1x2x4x4xf32> -> tensor<1x2x5x4xf32>
    %1 = dl.halo_exchange %x dim 2 prev 1 next -1 recv [1, 0] send [1, 0] : tensor<1x2x4x4xf32> -> tensor<1x2x5x4xf32>
    return
  }
  func.func @m_rank3() attributes {dl.device = 3 : i64} {
    %x = tensor.empty() : tensor<1x2x4x4xf32>
    %0 = dl.halo_exchange %x dim 2 prev 2 next -1 recv [1, 0] send [1, 0] : tensor<1x2x4x4xf32> -> tensor<1x2x5x4xf32>
    return
  }
}

// -----

// Device 1 names device 0, which never exchanges with it.
module {
  func.func @m_rank0(%x: tensor<1x2x4x4xf32>) attributes {dl.device = 0 : i64} {
    return
  }
  func.func @m_rank1() attributes {dl.device = 1 : i64} {
    %x = tensor.empty() : tensor<1x2x4x4xf32>
    // expected-error @+1 {{communication deadlock: device 1 can never complete this op}}
    %0 = dl.halo_exchange %x dim 2 prev 0 next -1 recv [1, 0] send [1, 0] : tensor<1x2x4x4xf32> -> tensor<1x2x5x4xf32>
    return
  }
}
