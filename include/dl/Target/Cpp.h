//===- Cpp.h - Emit C++ programs from dl device functions -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Translation of partitioned dl modules (one `func.func` per device, marked
// `dl.device = K`) into one self-contained C++ program per device (MPI
// rank) that calls the dlrt runtime (include/dlrt/dlrt.h). The structure of
// the generated code and its command-line options are documented in
// docs/codegen.md.
//
//===----------------------------------------------------------------------===//

#ifndef DL_TARGET_CPP_H
#define DL_TARGET_CPP_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir {
class ModuleOp;
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace mlir::dl {

/// Returns the device (rank) a function runs on: its `dl.device` attribute,
/// or 0 for the only function of a module that has no `dl.device` at all
/// (an unpartitioned single-device program). Returns std::nullopt otherwise.
std::optional<int64_t> getDeviceOfFunction(func::FuncOp func);

/// Emits the C++ program of one device function to `os`. Reports an error
/// at the offending op's location for anything it cannot translate.
LogicalResult translateDeviceToCpp(func::FuncOp func, raw_ostream &os);

/// Emits the programs of all device functions of `module`, in device order,
/// each preceded by a `// ----- device K -----` marker line. With `device`
/// set, emits only that device's program (no marker).
LogicalResult translateModuleToCpp(ModuleOp module, raw_ostream &os,
                                   std::optional<int64_t> device = {});

/// Writes `rank<K>.cpp` for every device function of `module` into `dir`
/// (created if needed) and appends the paths to `files` in device order.
LogicalResult emitDeviceSources(ModuleOp module, StringRef dir,
                                SmallVectorImpl<std::string> &files);

/// Whether `module` holds the stage functions of pipeline training (marked
/// `dl.pipeline` by dl-generate-pipeline-training).
bool isPipelineTrainingModule(ModuleOp module);

/// Emits the one program of pipeline training: every stage's forward,
/// backward and update functions and a main() that runs the stage of its
/// MPI rank (dlrt_pipeline_main). translateModuleToCpp does this for a
/// pipeline-training module.
LogicalResult translatePipelineToCpp(ModuleOp module, raw_ostream &os);

/// Registers the `dl-to-cpp` translation (and its `--dl-device` option)
/// with mlir-translate style tools.
void registerToCppTranslation();

} // namespace mlir::dl

#endif // DL_TARGET_CPP_H
