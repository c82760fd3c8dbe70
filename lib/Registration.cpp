//===- Registration.cpp - register dl with an MLIR tool -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the registration entry points of include/dl.
//
//===----------------------------------------------------------------------===//

#include "dl/Registration.h"
#include "dialects/DL/DLDialect.h"
#include "dl/Conversion/Passes.h"
#include "passes/Passes.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void mlir::dl::registerDLDialects(DialectRegistry &registry) {
  registry.insert<DLDialect, func::FuncDialect, arith::ArithDialect,
                  tensor::TensorDialect, tosa::TosaDialect,
                  linalg::LinalgDialect, math::MathDialect>();
}

namespace {
struct PartitionPipelineOptions
    : public PassPipelineOptions<PartitionPipelineOptions> {
  Option<std::string> cluster{
      *this, "cluster",
      llvm::cl::desc("A YAML cluster file or preset to attach (default: the "
                     "module's dl.cluster)"),
      llvm::cl::init("")};
  Option<std::string> scheme{
      *this, "scheme",
      llvm::cl::desc("search (default): plan with dl-search-partition; "
                     "model: keep the model's dl.plan attributes; any other "
                     "value is forced with dl-force-scheme"),
      llvm::cl::init("search")};
  Option<std::string> objective{
      *this, "objective",
      llvm::cl::desc("Objective of the search (latency, throughput, energy, "
                     "memory)"),
      llvm::cl::init("latency")};
  Option<int64_t> devices{
      *this, "devices",
      llvm::cl::desc("Number of devices when the module has no cluster"),
      llvm::cl::init(0)};
};

void buildPartitionPipeline(OpPassManager &pm,
                            const PartitionPipelineOptions &options) {
  using namespace mlir::dl;
  if (!options.cluster.empty()) {
    DLAttachClusterOptions attach;
    attach.cluster = options.cluster;
    pm.addPass(createDLAttachCluster(attach));
  }
  if (options.scheme == "search") {
    DLSearchPartitionOptions search;
    search.objective = options.objective;
    pm.addPass(createDLSearchPartition(search));
  } else if (options.scheme != "model") {
    DLForceSchemeOptions force;
    force.scheme = options.scheme;
    if (options.devices > 0)
      force.numDevices = options.devices;
    pm.addPass(createDLForceScheme(force));
  }
  DLApplyPartitionOptions apply;
  apply.numDevices = options.devices;
  pm.addPass(createDLApplyPartition(apply));
  pm.addPass(createDLVerifyComm());
}
} // namespace

void mlir::dl::registerDLPassesAndPipelines() {
  registerDLPasses();
  registerDLConversionPasses();
  PassPipelineRegistration<PartitionPipelineOptions>(
      "dl-partition-pipeline",
      "Partition a dl model: attach the cluster, plan every layer (search, "
      "the model's own plans or a forced scheme), emit one program per "
      "device and verify their communication",
      buildPartitionPipeline);
}
