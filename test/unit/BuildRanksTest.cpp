//===- BuildRanksTest.cpp - Tests of emitDeviceSources/buildRankBinaries -===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file tests writing per-rank sources and compiling them into rank
// executables against this build's dlrt.
//
//===----------------------------------------------------------------------===//

#include "dl/Registration.h"
#include "dl/Target/Build.h"
#include "dl/Target/Config.h"
#include "dl/Target/Cpp.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

constexpr const char *kTwoRanks = R"mlir(
module {
  func.func @r0(%x: tensor<2x2xf32>) -> tensor<2x2xf32>
      attributes {dl.device = 0 : i64} {
    %y = dl.relu %x : tensor<2x2xf32>
    return %y : tensor<2x2xf32>
  }
  func.func @r1(%x: tensor<2x2xf32>) attributes {dl.device = 1 : i64} {
    return
  }
}
)mlir";

struct BuildRanksTest : public ::testing::Test {
  void SetUp() override {
    DialectRegistry registry;
    dl::registerDLDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("dl-build-ranks", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  MLIRContext context;
  SmallString<128> dir;
};

TEST_F(BuildRanksTest, EmitsAndCompilesEveryRank) {
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(kTwoRanks, &context);
  ASSERT_TRUE(module);
  SmallVector<std::string> sources;
  ASSERT_TRUE(succeeded(dl::emitDeviceSources(*module, dir, sources)));
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(llvm::sys::path::filename(sources[0]), "rank0.cpp");
  EXPECT_EQ(llvm::sys::path::filename(sources[1]), "rank1.cpp");

  dl::BuildOptions options;
  options.optFlags = {"-O0"};
  SmallString<128> binDir(dir);
  llvm::sys::path::append(binDir, "bin");
  options.outputDir = binDir.str().str();
  SmallVector<std::string> binaries;
  std::string log, error;
  llvm::raw_string_ostream logStream(log);
  ASSERT_TRUE(succeeded(
      dl::buildRankBinaries(sources, options, binaries, logStream, error)))
      << error;
  EXPECT_NE(log.find("[1/2] compiling rank0"), std::string::npos) << log;
  EXPECT_NE(log.find("[2/2] compiling rank1"), std::string::npos) << log;
  ASSERT_EQ(binaries.size(), 2u);
  for (const std::string &binary : binaries)
    EXPECT_TRUE(llvm::sys::fs::can_execute(binary)) << binary;

  // The rank-0 program runs without MPI launcher and lists its options.
  SmallString<128> out(dir);
  llvm::sys::path::append(out, "help.txt");
  std::optional<StringRef> redirects[] = {std::nullopt, StringRef(out),
                                          StringRef(out)};
  int rc = llvm::sys::ExecuteAndWait(binaries[0], {binaries[0], "--help"},
                                     std::nullopt, redirects);
  EXPECT_EQ(rc, 0);
}

TEST_F(BuildRanksTest, ReportsCompilerErrors) {
  SmallString<128> source(dir);
  llvm::sys::path::append(source, "rank0.cpp");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(source, ec);
    ASSERT_FALSE(ec);
    os << "int main() { this is not C++; }\n";
  }
  dl::BuildOptions options;
  options.optFlags = {"-O0"};
  SmallVector<std::string> binaries;
  std::string log, error;
  llvm::raw_string_ostream logStream(log);
  EXPECT_TRUE(failed(dl::buildRankBinaries({source.str().str()}, options,
                                           binaries, logStream, error)));
  EXPECT_NE(error.find("compiling '" + source.str().str() + "' failed"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("error"), std::string::npos) << error;
}

TEST(BuildCommandTest, LinksThisBuildsRuntime) {
  dl::BuildOptions options;
  options.compiler = "c++";
  options.runtimeIncludeDir = "/inc";
  options.runtimeLibraryDir = "/lib";
  SmallVector<std::string> cmd = dl::getCompileCommand("r.cpp", "r", options);
  std::string line = llvm::join(cmd, " ");
  // A sanitizer build links the programs with the sanitizer runtimes its
  // instrumented dlrt needs, and instruments them alike.
  std::string sanitizerFlags = DL_SANITIZER_FLAGS;
  EXPECT_EQ(line, "c++ -O3 -march=native -fopenmp -std=c++17 -I/inc r.cpp "
                  "-o r -L/lib -ldlrt -Wl,-rpath,/lib" +
                      (sanitizerFlags.empty() ? "" : " " + sanitizerFlags));
}

TEST(BuildCommandTest, CompilesCUDASourcesWithNvcc) {
  dl::BuildOptions options;
  options.compiler = "c++"; // not used for .cu
  options.cudaCompiler = "/opt/nvcc";
  options.runtimeIncludeDir = "/inc";
  options.runtimeLibraryDir = "/lib";
  SmallVector<std::string> cmd = dl::getCompileCommand("r.cu", "r", options);
  std::string line = llvm::join(cmd, " ");
  EXPECT_EQ(cmd.front(), "/opt/nvcc") << line;
  EXPECT_NE(line.find(" -O3 -std=c++17 -I/inc "), std::string::npos) << line;
  EXPECT_NE(line.find(" r.cu -o r -L/lib -ldlrt "), std::string::npos)
      << line;
  EXPECT_NE(line.find(" -lcublas"), std::string::npos) << line;
  EXPECT_NE(line.find("-Xlinker -rpath,/lib"), std::string::npos) << line;
  EXPECT_EQ(line.find("-fopenmp"), std::string::npos) << line;
  EXPECT_EQ(line.find("-march=native"), std::string::npos) << line;
  // NCCL and cuDNN exactly when this build found them.
  bool nccl = line.find("-DDL_USE_NCCL") != std::string::npos;
  EXPECT_EQ(nccl, line.find("-ldlrt_nccl -lnccl") != std::string::npos)
      << line;
  EXPECT_NE(line.find("-lcudnn") != std::string::npos,
            line.find("-DDL_NO_CUDNN") != std::string::npos)
      << line;
}

} // namespace
