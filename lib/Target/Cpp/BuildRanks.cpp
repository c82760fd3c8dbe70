//===- BuildRanks.cpp - Compile emitted rank programs -----------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements buildRankBinaries: it runs the host C++ compiler (or
// nvcc for `.cu` CUDA programs) on the emitted rank sources, a bounded
// number of processes at a time, and links each against this build's dlrt
// (paths from dl/Target/Config.h).
//
//===----------------------------------------------------------------------===//

#include "dl/Target/Build.h"
#include "dl/Target/Config.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <deque>

using namespace mlir;
using namespace mlir::dl;

/// `explicitChoice`, else the value of `envVar` if set, else `fallback`.
static std::string pickCompiler(StringRef explicitChoice, const char *envVar,
                                StringRef fallback) {
  if (!explicitChoice.empty())
    return explicitChoice.str();
  if (std::optional<std::string> env = llvm::sys::Process::GetEnv(envVar))
    return *env;
  return fallback.str();
}

/// nvcc for a CUDA rank program: the runtime, cuBLAS, and cuDNN/NCCL where
/// this build found them (the program falls back to its own kernels and to
/// host-staged MPI otherwise).
static SmallVector<std::string> getCUDACompileCommand(
    StringRef source, StringRef binary, const BuildOptions &options,
    StringRef include, StringRef lib) {
  SmallVector<std::string> cmd = {
      pickCompiler(options.cudaCompiler, "DL_NVCC", DL_NVCC_COMPILER), "-O3",
      "-std=c++17", "-I" + include.str()};
  if (DL_HAVE_NCCL)
    cmd.push_back("-DDL_USE_NCCL");
  if (!DL_HAVE_CUDNN)
    cmd.push_back("-DDL_NO_CUDNN");
  cmd.append({source.str(), "-o", binary.str(), "-L" + lib.str(), "-ldlrt"});
  if (DL_HAVE_NCCL)
    cmd.append({"-ldlrt_nccl", "-lnccl"});
  std::string cudaLib = DL_CUDA_LIBRARY_DIR;
  if (!cudaLib.empty())
    cmd.push_back("-L" + cudaLib);
  cmd.push_back("-lcublas");
  if (DL_HAVE_CUDNN)
    cmd.push_back("-lcudnn");
  cmd.append({"-Xlinker", "-rpath," + lib.str()});
  if (!cudaLib.empty())
    cmd.append({"-Xlinker", "-rpath," + cudaLib});
  cmd.append(options.extraFlags.begin(), options.extraFlags.end());
  return cmd;
}

SmallVector<std::string>
mlir::dl::getCompileCommand(StringRef source, StringRef binary,
                            const BuildOptions &options) {
  std::string include = options.runtimeIncludeDir.empty()
                            ? std::string(DL_RUNTIME_INCLUDE_DIR)
                            : options.runtimeIncludeDir;
  std::string lib = options.runtimeLibraryDir.empty()
                        ? std::string(DL_RUNTIME_LIBRARY_DIR)
                        : options.runtimeLibraryDir;
  if (llvm::sys::path::extension(source) == ".cu")
    return getCUDACompileCommand(source, binary, options, include, lib);
  SmallVector<std::string> cmd = {
      pickCompiler(options.compiler, "DL_CXX", DL_HOST_CXX_COMPILER)};
  cmd.append(options.optFlags.begin(), options.optFlags.end());
  cmd.append({"-fopenmp", "-std=c++17", "-I" + include, source.str(), "-o",
              binary.str(), "-L" + lib, "-ldlrt", "-Wl,-rpath," + lib});
  // An instrumented dlrt needs the sanitizer runtimes in the program.
  SmallVector<StringRef> sanitizerFlags;
  StringRef(DL_SANITIZER_FLAGS).split(sanitizerFlags, ' ', -1, false);
  for (StringRef flag : sanitizerFlags)
    cmd.push_back(flag.str());
  cmd.append(options.extraFlags.begin(), options.extraFlags.end());
  return cmd;
}

namespace {
/// One compiler process in flight.
struct Job {
  llvm::sys::ProcessInfo process;
  std::string source;
  std::string logPath;
};
} // namespace

/// Waits for `job` and returns failure with the compiler output in `error`
/// if it did not exit 0.
static LogicalResult finish(Job &job, std::string &error) {
  std::string message;
  llvm::sys::ProcessInfo result =
      llvm::sys::Wait(job.process, /*SecondsToWait=*/std::nullopt, &message);
  std::string output;
  if (auto buffer = llvm::MemoryBuffer::getFile(job.logPath))
    output = (*buffer)->getBuffer().str();
  llvm::sys::fs::remove(job.logPath);
  if (result.ReturnCode == 0)
    return success();
  error = "compiling '" + job.source + "' failed";
  if (result.ReturnCode < 0)
    error += " (" + message + ")";
  else
    error += " with exit code " + std::to_string(result.ReturnCode);
  error += ":\n" + output;
  return failure();
}

LogicalResult
mlir::dl::buildRankBinaries(ArrayRef<std::string> sources,
                            const BuildOptions &options,
                            SmallVectorImpl<std::string> &binaries,
                            raw_ostream &log, std::string &error) {
  std::deque<Job> running;
  LogicalResult status = success();
  unsigned jobs = std::max(1u, options.jobs);
  for (auto [i, source] : llvm::enumerate(sources)) {
    StringRef stem = llvm::sys::path::stem(source);
    SmallString<256> binary;
    if (options.outputDir.empty()) {
      binary = llvm::sys::path::parent_path(source);
    } else {
      binary = options.outputDir;
      if (std::error_code ec =
              llvm::sys::fs::create_directories(options.outputDir)) {
        error = "cannot create '" + options.outputDir + "': " + ec.message();
        status = failure();
        break;
      }
    }
    llvm::sys::path::append(binary, stem);
    SmallVector<std::string> cmd = getCompileCommand(source, binary, options);

    // Resolve the compiler through PATH unless it is a path already.
    std::string program = cmd.front();
    if (!llvm::sys::path::has_parent_path(program)) {
      llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName(program);
      if (!found) {
        error = (llvm::sys::path::extension(source) == ".cu" ? "CUDA" : "C++") +
                std::string(" compiler '") + program + "' not found in PATH";
        status = failure();
        break;
      }
      program = *found;
    }

    // Bound the number of compilers in flight.
    while (running.size() >= jobs) {
      if (failed(finish(running.front(), error)))
        status = failure();
      running.pop_front();
    }
    if (failed(status))
      break;

    log << "[" << i + 1 << "/" << sources.size() << "] compiling " << stem
        << "\n";
    if (options.verbose) {
      llvm::interleave(cmd, log, " ");
      log << "\n";
    }
    log.flush();

    SmallString<128> logPath;
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
            "dl-compile-" + stem.str(), "log", logPath)) {
      error = "cannot create a temporary file: " + ec.message();
      status = failure();
      break;
    }
    SmallVector<StringRef> args(cmd.begin(), cmd.end());
    std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath),
                                            StringRef(logPath)};
    std::string message;
    bool failedToStart = false;
    Job job;
    job.process =
        llvm::sys::ExecuteNoWait(program, args,
                                 /*Env=*/std::nullopt, redirects,
                                 /*MemoryLimit=*/0, &message, &failedToStart);
    job.source = source;
    job.logPath = logPath.str().str();
    if (failedToStart) {
      error = "cannot run '" + program + "': " + message;
      llvm::sys::fs::remove(logPath);
      status = failure();
      break;
    }
    running.push_back(std::move(job));
    binaries.push_back(binary.str().str());
  }
  // Always reap every started compiler.
  while (!running.empty()) {
    std::string jobError;
    if (failed(finish(running.front(), jobError)) && succeeded(status)) {
      error = jobError;
      status = failure();
    }
    running.pop_front();
  }
  return status;
}
