//===- dl-train.cpp - Build and run a training program ------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// dl-train MODEL -o OUTDIR [options]: turns a forward model into a training
// step (dl-generate-training), emits and compiles it over libdlrt and runs
// it under mpirun with the data, epochs and checkpoints given. The flow is
// lib/Driver/TrainDriver.cpp (shared with `dl-compile --train`); see
// docs/training.md.
//
//===----------------------------------------------------------------------===//

#include "dl/Driver.h"
#include "llvm/Support/InitLLVM.h"

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  return mlir::dl::trainMain(argc, argv, "dl-train");
}
