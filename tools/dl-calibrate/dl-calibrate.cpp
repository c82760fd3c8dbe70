//===- dl-calibrate.cpp - Measure this machine for a cluster file ---------===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the `dl-calibrate` driver; lib/Calibrate does the
// work.
//
//===----------------------------------------------------------------------===//

#include "dl/Calibrate.h"

int main(int argc, char **argv) {
  return mlir::dl::runCalibrateTool(argc, argv);
}
