//===- CommAnalysis.h - Matching and volume of device programs ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the analysis of a module of device programs: it checks
// that every send meets its receive and every collective all its members,
// in an order that cannot deadlock, and predicts the bytes each device
// sends to and receives from each peer with the runtime's accounting.
//
//===----------------------------------------------------------------------===//

#ifndef DL_COMMANALYSIS_H
#define DL_COMMANALYSIS_H

#include "mlir/IR/BuiltinOps.h"
#include <map>

namespace mlir::dl {

/// Predicted traffic of one device.
struct DeviceTraffic {
  std::map<int64_t, int64_t> sentTo;
  std::map<int64_t, int64_t> receivedFrom;
  int64_t messages = 0;
  int64_t sentTotal() const;
  int64_t receivedTotal() const;
};

/// Simulates the device functions of `module` (those with `dl.device`)
/// with blocking point-to-point and collective semantics. Emits an error
/// at the first op that cannot be matched, or on every stuck op when the
/// programs deadlock, and fails. On success fills `traffic` (indexed by
/// device) with the bytes the runtime will count.
LogicalResult analyzeCommunication(ModuleOp module,
                                   std::map<int64_t, DeviceTraffic> &traffic);

} // namespace mlir::dl

#endif // DL_COMMANALYSIS_H
