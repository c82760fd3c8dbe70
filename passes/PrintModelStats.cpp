//===- PrintModelStats.cpp - Per-layer model statistics -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements dl-print-model-stats: a per-layer table of output
// shapes, parameters, MACs, FLOPs and activation bytes, with totals, computed
// through PartitionableOpInterface.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "passes/Passes.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

namespace mlir::dl {
#define GEN_PASS_DEF_DLPRINTMODELSTATS
#include "passes/Passes.h.inc"
} // namespace mlir::dl

using namespace mlir;
using namespace mlir::dl;

namespace {

struct LayerRow {
  std::string name;
  std::string op;
  std::string shape;
  LayerWork work;
};

/// A readable name for a layer: its NameLoc if it has one, else the op name.
std::string layerName(Operation *op, unsigned index) {
  if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
    return loc.getName().str();
  return ("%" + llvm::Twine(index)).str();
}

std::string shapeString(Value v) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(cast<RankedTensorType>(v.getType()).getShape(), os, "x");
  return s;
}

/// Formats `v` with an SI suffix (k, M, G, T).
std::string human(double v) {
  const char *suffix[] = {"", "k", "M", "G", "T"};
  int i = 0;
  while (v >= 1000 && i < 4) {
    v /= 1000;
    ++i;
  }
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format(i ? "%.2f %s" : "%.0f%s", v,
                                              suffix[i]);
  return s;
}

struct DLPrintModelStatsPass
    : public dl::impl::DLPrintModelStatsBase<DLPrintModelStatsPass> {
  using DLPrintModelStatsBase::DLPrintModelStatsBase;

  void runOnOperation() override {
    if (format != "table" && format != "json") {
      getOperation().emitError() << "unknown stats format '" << format
                                 << "' (expected 'table' or 'json')";
      return signalPassFailure();
    }
    SmallVector<LayerRow> rows;
    unsigned index = 0;
    getOperation().walk([&](PartitionableOpInterface layer) {
      Operation *op = layer.getOperation();
      rows.push_back(LayerRow{layerName(op, index++),
                              op->getName().getStringRef().str(),
                              shapeString(op->getResult(0)),
                              layer.getWork()});
    });

    std::string error;
    auto output = openOutputFile(outputFile, &error);
    if (!output) {
      getOperation().emitError() << "cannot open stats output: " << error;
      return signalPassFailure();
    }
    llvm::raw_ostream &os = output->os();
    LayerWork total;
    for (const LayerRow &row : rows) {
      total.macs += row.work.macs;
      total.flops += row.work.flops;
      total.paramBytes += row.work.paramBytes;
      total.outputBytes += row.work.outputBytes;
    }
    if (format == "json")
      printJson(os, rows, total);
    else
      printTable(os, rows, total);
    output->keep();
    markAllAnalysesPreserved();
  }

  void printTable(llvm::raw_ostream &os, ArrayRef<LayerRow> rows,
                  const LayerWork &total) {
    size_t nameW = 5, opW = 5, shapeW = 6;
    for (const LayerRow &r : rows) {
      nameW = std::max(nameW, r.name.size());
      opW = std::max(opW, r.op.size());
      shapeW = std::max(shapeW, r.shape.size());
    }
    auto line = [&](StringRef idx, StringRef name, StringRef op,
                    StringRef shape, StringRef params, StringRef macs,
                    StringRef flops, StringRef act) {
      os << llvm::left_justify(idx, 4) << llvm::left_justify(name, nameW + 2)
         << llvm::left_justify(op, opW + 2)
         << llvm::left_justify(shape, shapeW + 2)
         << llvm::right_justify(params, 12) << llvm::right_justify(macs, 16)
         << llvm::right_justify(flops, 16) << llvm::right_justify(act, 14)
         << "\n";
    };
    line("#", "layer", "op", "output", "params", "MACs", "FLOPs",
         "act bytes");
    for (auto [i, r] : llvm::enumerate(rows))
      line(std::to_string(i), r.name, r.op, r.shape,
           std::to_string(r.work.paramBytes / 4), std::to_string(r.work.macs),
           std::to_string(r.work.flops), std::to_string(r.work.outputBytes));
    line("", "total", "", "", std::to_string(total.paramBytes / 4),
         std::to_string(total.macs), std::to_string(total.flops),
         std::to_string(total.outputBytes));
    os << "layers: " << rows.size()
       << ", parameters: " << human(total.paramBytes / 4)
       << " (" << human(total.paramBytes) << "B)"
       << ", FLOPs: " << human(total.flops)
       << ", activations: " << human(total.outputBytes) << "B\n";
  }

  void printJson(llvm::raw_ostream &os, ArrayRef<LayerRow> rows,
                 const LayerWork &total) {
    llvm::json::Array layers;
    for (const LayerRow &r : rows)
      layers.push_back(llvm::json::Object{
          {"name", r.name},
          {"op", r.op},
          {"output", r.shape},
          {"params", r.work.paramBytes / 4},
          {"macs", r.work.macs},
          {"flops", r.work.flops},
          {"activation_bytes", r.work.outputBytes}});
    llvm::json::Object root{
        {"layers", std::move(layers)},
        {"total", llvm::json::Object{{"params", total.paramBytes / 4},
                                     {"macs", total.macs},
                                     {"flops", total.flops},
                                     {"activation_bytes", total.outputBytes}}}};
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
  }
};

} // namespace
