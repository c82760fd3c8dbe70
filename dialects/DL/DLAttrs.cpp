//===- DLAttrs.cpp - dl dialect attributes ------------------------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the attributes of the dl dialect and their verifiers.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dl;

#include "dialects/DL/DLEnums.cpp.inc"

/// Parses `[e0, e1, ...]` (possibly empty) for a DL_ArrayParameter.
template <typename T>
static FailureOr<SmallVector<T>> parseBracketedList(AsmParser &parser) {
  SmallVector<T> elements;
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
        FailureOr<T> element = FieldParser<T>::parse(parser);
        if (failed(element))
          return failure();
        elements.push_back(*element);
        return success();
      }))
    return failure();
  return elements;
}

/// Prints `[e0, e1, ...]` for a DL_ArrayParameter.
template <typename T>
static void printBracketedList(AsmPrinter &printer, ArrayRef<T> elements) {
  printer << '[';
  llvm::interleaveComma(elements, printer);
  printer << ']';
}

#define GET_ATTRDEF_CLASSES
#include "dialects/DL/DLAttrs.cpp.inc"

void DLDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/DL/DLAttrs.cpp.inc"
      >();
}

/// Checks that `bounds` has at least two entries, starts at 0 and never
/// decreases; `what` names the owner in the message.
static LogicalResult
verifyBounds(function_ref<InFlightDiagnostic()> emitError,
             ArrayRef<int64_t> bounds, StringRef what) {
  if (bounds.size() < 2)
    return emitError() << what << " bounds need at least 2 entries, got "
                       << bounds.size();
  if (bounds.front() != 0)
    return emitError() << what << " bounds must start at 0, got "
                       << bounds.front();
  for (size_t i = 1; i < bounds.size(); ++i)
    if (bounds[i] < bounds[i - 1])
      return emitError() << what << " bounds must be non-decreasing, but "
                         << bounds[i] << " follows " << bounds[i - 1];
  return success();
}

/// Checks that a device group is non-empty, non-negative and duplicate-free.
static LogicalResult
verifyGroup(function_ref<InFlightDiagnostic()> emitError,
            ArrayRef<int64_t> devices, StringRef what) {
  if (devices.empty())
    return emitError() << what << " needs at least one device";
  llvm::SmallDenseSet<int64_t> seen;
  for (int64_t d : devices) {
    if (d < 0)
      return emitError() << what << " has negative device " << d;
    if (!seen.insert(d).second)
      return emitError() << what << " lists device " << d << " twice";
  }
  return success();
}

LogicalResult DimLayoutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                    DimLayoutKind kind,
                                    ArrayRef<int64_t> bounds,
                                    ArrayRef<int64_t> halo) {
  if (kind == DimLayoutKind::replicated) {
    if (!bounds.empty() || !halo.empty())
      return emitError() << "a replicated dim takes no bounds or halo";
    return success();
  }
  if (failed(verifyBounds(emitError, bounds, "split dim")))
    return failure();
  if (!halo.empty() && (halo.size() != 2 || halo[0] < 0 || halo[1] < 0))
    return emitError() << "halo must be [lo, hi] with non-negative entries";
  return success();
}

LogicalResult LayoutAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> devices,
                                 ArrayRef<DimLayoutAttr> dims, bool partial) {
  if (failed(verifyGroup(emitError, devices, "layout")))
    return failure();
  for (auto [i, dim] : llvm::enumerate(dims)) {
    if (dim.getKind() != DimLayoutKind::split)
      continue;
    if (dim.getBounds().size() != devices.size() + 1)
      return emitError() << "dim " << i << " has " << dim.getBounds().size()
                         << " bounds but the layout has " << devices.size()
                         << " devices (expected " << devices.size() + 1 << ")";
  }
  return success();
}

LogicalResult SplitAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                SplitDim dim, ArrayRef<int64_t> bounds) {
  if (failed(verifyBounds(emitError, bounds, "split")))
    return failure();
  for (size_t i = 1; i < bounds.size(); ++i)
    if (bounds[i] == bounds[i - 1])
      return emitError() << "split part " << i - 1 << " is empty";
  return success();
}

LogicalResult FusedTileAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                    int64_t group, ArrayRef<int64_t> grid) {
  if (group < 0)
    return emitError() << "tile group must be non-negative, got " << group;
  if (grid.size() != 2 || grid[0] < 1 || grid[1] < 1)
    return emitError() << "tile grid must be [rows, cols] with positive "
                          "entries";
  return success();
}

LogicalResult PlanAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t stage, ArrayRef<int64_t> devices,
                               int64_t replicas, ArrayRef<SplitAttr> splits,
                               FusedTileAttr tile) {
  if (stage < 0)
    return emitError() << "plan stage must be non-negative, got " << stage;
  if (replicas < 1)
    return emitError() << "plan replicas must be positive, got " << replicas;
  if (failed(verifyGroup(emitError, devices, "plan")))
    return failure();
  llvm::SmallDenseSet<unsigned> dims;
  for (SplitAttr split : splits)
    if (!dims.insert(static_cast<unsigned>(split.getDim())).second)
      return emitError() << "plan splits dim '"
                         << stringifySplitDim(split.getDim()) << "' twice";
  if (tile && !splits.empty())
    return emitError() << "a fused-tile plan takes no explicit splits";
  if (tile && replicas != 1)
    return emitError() << "a fused-tile plan takes no replicas";
  return success();
}

LogicalResult DeviceAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 StringRef name, DeviceKind kind,
                                 APFloat flopsF, APFloat memBwF,
                                 int64_t memory, APFloat powerActiveF,
                                 APFloat powerIdleF, StringRef host) {
  double flops = flopsF.convertToDouble(), memBw = memBwF.convertToDouble();
  double powerActive = powerActiveF.convertToDouble();
  double powerIdle = powerIdleF.convertToDouble();
  if (name.empty())
    return emitError() << "device name must not be empty";
  if (!(flops > 0))
    return emitError() << "device '" << name << "' needs flops > 0";
  if (!(memBw > 0))
    return emitError() << "device '" << name << "' needs mem_bw > 0";
  if (memory <= 0)
    return emitError() << "device '" << name << "' needs memory > 0";
  if (powerActive < 0 || powerIdle < 0)
    return emitError() << "device '" << name << "' has negative power";
  return success();
}

LogicalResult LinkAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t from, int64_t to, APFloat bandwidthF,
                               APFloat latencyF) {
  double bandwidth = bandwidthF.convertToDouble();
  double latency = latencyF.convertToDouble();
  if (from < 0 || to < 0)
    return emitError() << "link endpoints must be non-negative";
  if (from == to)
    return emitError() << "link from device " << from << " to itself";
  if (!(bandwidth > 0))
    return emitError() << "link bandwidth must be > 0";
  if (latency < 0)
    return emitError() << "link latency must be >= 0";
  return success();
}

LogicalResult ClusterAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  StringRef name, Topology topology,
                                  APFloat bandwidthF, APFloat latencyF,
                                  ArrayRef<DeviceAttr> devices,
                                  ArrayRef<LinkAttr> links) {
  double bandwidth = bandwidthF.convertToDouble();
  double latency = latencyF.convertToDouble();
  if (devices.empty())
    return emitError() << "cluster '" << name << "' has no devices";
  if (!(bandwidth > 0))
    return emitError() << "cluster bandwidth must be > 0";
  if (latency < 0)
    return emitError() << "cluster latency must be >= 0";
  int64_t n = devices.size();
  for (LinkAttr link : links)
    if (link.getFrom() >= n || link.getTo() >= n)
      return emitError() << "link " << link.getFrom() << " -> " << link.getTo()
                         << " names a device outside [0, " << n << ")";
  return success();
}
