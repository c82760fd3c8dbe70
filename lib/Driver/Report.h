//===- Report.h - The HTML plan report of dl-compile --------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares the writer of OUTDIR/report.html: one self-contained
// page (inline CSS, script and SVG, no network) with the cost model's
// per-device timeline, memory per device against its capacity, the bytes
// between every pair of devices and the per-layer plan table.
// docs/reading-the-report.md explains the page.
//
//===----------------------------------------------------------------------===//

#ifndef DL_LIB_DRIVER_REPORT_H
#define DL_LIB_DRIVER_REPORT_H

#include "dl/CommAnalysis.h"
#include "lib/Cluster/ClusterModel.h"
#include "passes/Search/Search.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/JSON.h"
#include <map>
#include <string>
#include <vector>

namespace mlir::dl {

/// Parameter bytes each device program of a partitioned `module` reads
/// (indexed by device; devices without a program read none).
std::vector<int64_t> parameterBytesPerDevice(ModuleOp module,
                                             int64_t numDevices);

struct ReportInputs {
  const Cluster *cluster = nullptr;
  /// The content of plan.json.
  llvm::json::Value plan = nullptr;
  /// The cost model's evaluation and timeline of the plans, when it could
  /// price them (else null: the page says so).
  const search::Evaluation *evaluation = nullptr;
  const search::Timeline *timeline = nullptr;
  /// Names of the problem's nodes (the timeline's steps refer to them).
  std::vector<std::string> nodeNames;
  /// Parameter bytes per device (parameterBytesPerDevice).
  std::vector<int64_t> paramBytes;
  /// The communication analysis' predicted traffic per device.
  const std::map<int64_t, DeviceTraffic> *traffic = nullptr;
};

/// The data the page renders, as embedded in it.
llvm::json::Value reportData(const ReportInputs &inputs);

/// Writes the report page to `path`; on failure sets `error`.
LogicalResult writeReport(const ReportInputs &inputs, StringRef path,
                          std::string &error);

} // namespace mlir::dl

#endif // DL_LIB_DRIVER_REPORT_H
