//===- VerifyComm.cpp - Check device programs communicate safely --*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements dl-verify-comm: it proves that the device programs
// of a module match every send with its receive and every collective with
// all its members in a deadlock-free order, and optionally reports the
// predicted bytes per device.
//
//===----------------------------------------------------------------------===//

#include "dl/CommAnalysis.h"
#include "passes/Passes.h"

namespace mlir::dl {
#define GEN_PASS_DEF_DLVERIFYCOMM
#include "passes/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {
struct DLVerifyCommPass : public dl::impl::DLVerifyCommBase<DLVerifyCommPass> {
  using DLVerifyCommBase::DLVerifyCommBase;

  void runOnOperation() override {
    std::map<int64_t, DeviceTraffic> traffic;
    if (failed(analyzeCommunication(getOperation(), traffic)))
      return signalPassFailure();
    if (report)
      for (auto &[device, t] : traffic) {
        InFlightDiagnostic diag = getOperation().emitRemark()
                                  << "device " << device << ": sends "
                                  << t.sentTotal() << " B, receives "
                                  << t.receivedTotal() << " B in "
                                  << t.messages << " messages";
        for (auto &[peer, bytes] : t.sentTo)
          diag << "; to " << peer << ": " << bytes << " B";
      }
    markAllAnalysesPreserved();
  }
};
} // namespace
