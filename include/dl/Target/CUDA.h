//===- CUDA.h - Emit CUDA programs from dl device functions -----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Translation of partitioned dl modules into one CUDA program (`.cu`) per
// device: the same structure and command line as the C++ target
// (include/dl/Target/Cpp.h), with tensors in GPU memory, cuBLAS/cuDNN and
// own kernels, and communication through host staging buffers or NCCL.
// See the CUDA section of docs/codegen.md.
//
//===----------------------------------------------------------------------===//

#ifndef DL_TARGET_CUDA_H
#define DL_TARGET_CUDA_H

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

/// Options of the CUDA emitter.
struct CUDATargetOptions {
  /// Ranks that run CUDA programs. Collectives whose whole group is in
  /// this set may use NCCL; unset means every rank.
  std::optional<SmallVector<int64_t>> gpuDevices;
};

/// Emits the CUDA program of one device function to `os`.
LogicalResult translateDeviceToCUDA(func::FuncOp func, raw_ostream &os,
                                    const CUDATargetOptions &options = {});

/// Emits the CUDA programs of all device functions of `module` (or only
/// `device`), like translateModuleToCpp. NCCL is allowed between the GPU
/// devices of the module's `dl.cluster` (every device if it has none).
LogicalResult translateModuleToCUDA(ModuleOp module, raw_ostream &os,
                                    std::optional<int64_t> device = {});

/// The indices of the devices of kind `gpu` in the module's `dl.cluster`,
/// or std::nullopt when the module has no cluster.
std::optional<SmallVector<int64_t>> getGpuDevices(ModuleOp module);

/// Whether this build of dl builds CUDA rank programs (CMake option
/// DL_ENABLE_CUDA: nvcc and cuBLAS were found).
bool isCUDAEnabled();

/// Like emitDeviceSources, but writes `rank<K>.cu` (CUDA) for the ranks
/// whose cluster device is a GPU and `rank<K>.cpp` (C++) for the others.
/// Without CUDA support in this build (isCUDAEnabled), every rank gets C++.
LogicalResult emitRankSources(ModuleOp module, StringRef dir,
                              SmallVectorImpl<std::string> &files);

/// Registers the `dl-to-cuda` translation (its `--dl-device` option is the
/// one of `dl-to-cpp`).
void registerToCUDATranslation();

} // namespace mlir::dl

#endif // DL_TARGET_CUDA_H
