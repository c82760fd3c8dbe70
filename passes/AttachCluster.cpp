//===- AttachCluster.cpp - Attach the target cluster ------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements dl-attach-cluster: it loads a YAML cluster file or a
// named preset and sets it as the `dl.cluster` attribute of the module.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLDialect.h"
#include "lib/Cluster/ClusterModel.h"
#include "passes/Passes.h"

namespace mlir::dl {
#define GEN_PASS_DEF_DLATTACHCLUSTER
#include "passes/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {

struct DLAttachClusterPass
    : public dl::impl::DLAttachClusterBase<DLAttachClusterPass> {
  using DLAttachClusterBase::DLAttachClusterBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string error;
    std::optional<Cluster> loaded = loadCluster(cluster, error);
    if (!loaded) {
      mlir::emitError(module.getLoc()) << "cannot load cluster: " << error;
      return signalPassFailure();
    }
    loaded->attachTo(module);
  }
};

} // namespace
