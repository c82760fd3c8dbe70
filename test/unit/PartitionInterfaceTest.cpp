//===- PartitionInterfaceTest.cpp - Layer interface tests -------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements unit tests of PartitionableOpInterface and
// enumeratePlanParts against the worked examples of the partitioning
// reference (section 6: VGG-16 conv4_2 and fc6, the LSTM with
// H_d = X = 512), uneven splits, and the cases the interface must reject.
// Layers are built by parsing IR strings.
//
//===----------------------------------------------------------------------===//

#include "dialects/DL/DLOps.h"
#include "dl/Registration.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::dl;

namespace {

/// fp32 bytes per value.
constexpr int64_t kB = 4;

class PartitionInterfaceTest : public ::testing::Test {
protected:
  PartitionInterfaceTest() {
    DialectRegistry registry;
    registerDLDialects(registry);
    ctx.appendDialectRegistry(registry);
    ctx.loadAllAvailableDialects();
  }

  /// Parses `body` as the body of `func.func @f(args) -> results` and
  /// returns the first partitionable layer in it.
  PartitionableOpInterface parseLayer(llvm::StringRef ir) {
    module = parseSourceString<ModuleOp>(ir, &ctx);
    if (!module)
      return nullptr;
    PartitionableOpInterface layer;
    module->walk([&](PartitionableOpInterface op) {
      if (!layer)
        layer = op;
    });
    return layer;
  }

  /// The local split of `layer` for `parts`, which must succeed.
  LocalSplit split(PartitionableOpInterface layer,
                   llvm::ArrayRef<DimRange> parts) {
    FailureOr<LocalSplit> result = layer.computeLocalSplit(parts);
    EXPECT_TRUE(succeeded(result));
    return succeeded(result) ? *result : LocalSplit{};
  }

  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
};

/// VGG-16 conv4_2: 512 -> 512, 28x28, K = 3, S = 1, p = 1, with bias.
constexpr llvm::StringLiteral kConv4_2 = R"mlir(
func.func @f(%x: tensor<1x512x28x28xf32>, %w: tensor<512x512x3x3xf32>,
             %b: tensor<512xf32>) -> tensor<1x512x28x28xf32> {
  %0 = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x512x28x28xf32>, tensor<512x512x3x3xf32>, tensor<512xf32>)
      -> tensor<1x512x28x28xf32>
  return %0 : tensor<1x512x28x28xf32>
}
)mlir";

/// VGG-16 fc6 at batch 1: 25,088 -> 4,096, with bias.
constexpr llvm::StringLiteral kFc6 = R"mlir(
func.func @f(%x: tensor<1x25088xf32>, %w: tensor<4096x25088xf32>,
             %b: tensor<4096xf32>) -> tensor<1x4096xf32> {
  %0 = dl.dense %x, %w, %b
      : (tensor<1x25088xf32>, tensor<4096x25088xf32>, tensor<4096xf32>)
      -> tensor<1x4096xf32>
  return %0 : tensor<1x4096xf32>
}
)mlir";

/// One LSTM step with H_d = X = 512 and a bias.
constexpr llvm::StringLiteral kLstm = R"mlir(
func.func @f(%x: tensor<1x1x512xf32>, %wih: tensor<2048x512xf32>,
             %whh: tensor<2048x512xf32>, %b: tensor<2048xf32>)
    -> tensor<1x1x512xf32> {
  %0 = dl.lstm %x, %wih, %whh, %b {hidden_size = 512 : i64}
      : (tensor<1x1x512xf32>, tensor<2048x512xf32>, tensor<2048x512xf32>,
         tensor<2048xf32>) -> tensor<1x1x512xf32>
  return %0 : tensor<1x1x512xf32>
}
)mlir";

//===----------------------------------------------------------------------===//
// 6.1 VGG-16 conv4_2
//===----------------------------------------------------------------------===//

TEST_F(PartitionInterfaceTest, Conv4_2WholeLayer) {
  PartitionableOpInterface conv = parseLayer(kConv4_2);
  ASSERT_TRUE(conv);
  EXPECT_EQ(conv.getIterationExtent(SplitDim::out_channel), 512);
  EXPECT_EQ(conv.getIterationExtent(SplitDim::in_channel), 512);
  EXPECT_EQ(conv.getIterationExtent(SplitDim::height), 28);
  EXPECT_EQ(conv.getIterationExtent(SplitDim::gate), -1);
  LayerWork work = conv.getWork();
  EXPECT_EQ(work.macs, 1849688064);
  EXPECT_EQ(work.flops, 2 * 1849688064LL);
  EXPECT_EQ(work.paramBytes, 2359808 * kB); // 9.44 MB
  EXPECT_EQ(work.outputBytes, 401408 * kB); // 1.61 MB map
}

TEST_F(PartitionInterfaceTest, Conv4_2OutputChannel) {
  PartitionableOpInterface conv = parseLayer(kConv4_2);
  ASSERT_TRUE(conv);
  for (int64_t p = 0; p < 4; ++p) {
    LocalSplit s =
        split(conv, {DimRange{SplitDim::out_channel, 128 * p, 128 * (p + 1)}});
    EXPECT_EQ(s.kind, ResultKind::Slice);
    // 128 filters and their biases: 589,952 parameters = 2,359,808 B.
    EXPECT_EQ(s.operands[1].offsets[0], 128 * p);
    EXPECT_EQ(s.operands[1].numElements(), 128 * 512 * 9);
    EXPECT_EQ(s.operands[2].numElements(), 128);
    EXPECT_EQ(s.work.paramBytes, 2359808);
    EXPECT_EQ(s.work.macs, 462422016);
    // The whole input map, padded on every side.
    EXPECT_EQ(s.operands[0].numElements(), 401408);
    EXPECT_EQ(s.operands[0].padLo[2], 1);
    EXPECT_EQ(s.operands[0].padHi[3], 1);
    EXPECT_EQ(s.result.offsets[1], 128 * p);
    EXPECT_EQ(s.result.numElements(), 128 * 28 * 28);
  }
  // The output allgather delivers the other 3 slices: 301,056 values.
  LocalSplit s = split(conv, {DimRange{SplitDim::out_channel, 0, 128}});
  EXPECT_EQ(3 * s.result.numElements(), 301056);
}

TEST_F(PartitionInterfaceTest, Conv4_2InputChannel) {
  PartitionableOpInterface conv = parseLayer(kConv4_2);
  ASSERT_TRUE(conv);
  for (int64_t p = 0; p < 4; ++p) {
    LocalSplit s =
        split(conv, {DimRange{SplitDim::in_channel, 128 * p, 128 * (p + 1)}});
    EXPECT_EQ(s.kind, ResultKind::PartialSum);
    EXPECT_EQ(s.operands[0].offsets[1], 128 * p);
    EXPECT_EQ(s.operands[0].sizes[1], 128);
    EXPECT_EQ(s.operands[1].offsets[1], 128 * p);
    EXPECT_EQ(s.operands[1].sizes[0], 512);
    // The bias is added once, by the part holding channel 0.
    EXPECT_EQ(s.operands[2].needed, p == 0);
    EXPECT_EQ(s.work.paramBytes, (512 * 128 * 9 + (p == 0 ? 512 : 0)) * kB);
    EXPECT_EQ(s.work.macs, 462422016);
    // A full-size partial sum; the allreduce sends 2(P-1)/P of it.
    EXPECT_EQ(s.result.numElements(), 401408);
    EXPECT_EQ(2 * 3 * s.result.numElements() / 4, 602112);
  }
}

TEST_F(PartitionInterfaceTest, Conv4_2SpatialStrips) {
  PartitionableOpInterface conv = parseLayer(kConv4_2);
  ASSERT_TRUE(conv);
  // 4 strips x 7 rows; strip p needs rows [7p - 1, 7p + 7] clipped.
  const int64_t lo[] = {0, 6, 13, 20}, size[] = {8, 9, 9, 8};
  const int64_t padLo[] = {1, 0, 0, 0}, padHi[] = {0, 0, 0, 1};
  int64_t haloTotal = 0;
  for (int64_t p = 0; p < 4; ++p) {
    LocalSplit s =
        split(conv, {DimRange{SplitDim::height, 7 * p, 7 * (p + 1)}});
    const TensorRegion &in = s.operands[0];
    EXPECT_EQ(in.offsets[2], lo[p]) << "strip " << p;
    EXPECT_EQ(in.sizes[2], size[p]) << "strip " << p;
    EXPECT_EQ(in.padLo[2], padLo[p]) << "strip " << p;
    EXPECT_EQ(in.padHi[2], padHi[p]) << "strip " << p;
    EXPECT_EQ(s.work.paramBytes, 2359808 * kB); // all 9.44 MB of weights
    EXPECT_EQ(s.work.macs, 462422016);
    // Halo: the input rows beyond the strip's own 7, W * C values each.
    int64_t halo = (in.sizes[2] - 7) * 28 * 512;
    EXPECT_EQ(halo * kB, (p == 0 || p == 3) ? 57344 : 114688);
    haloTotal += halo;
  }
  // 14,336 values = W * C per direction per boundary, 3 boundaries.
  EXPECT_EQ(haloTotal, 14336 * 2 * 3);
  EXPECT_EQ(haloTotal * kB, 344064);
}

TEST_F(PartitionInterfaceTest, Conv4_2Grid2x2) {
  PartitionableOpInterface conv = parseLayer(kConv4_2);
  ASSERT_TRUE(conv);
  int64_t total = 0;
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 2; ++j) {
      LocalSplit s =
          split(conv, {DimRange{SplitDim::height, 14 * i, 14 * (i + 1)},
                       DimRange{SplitDim::width, 14 * j, 14 * (j + 1)}});
      const TensorRegion &in = s.operands[0];
      // A 15x15 window: 14 own rows/cols plus one from the neighbour.
      EXPECT_EQ(in.sizes[2], 15);
      EXPECT_EQ(in.sizes[3], 15);
      EXPECT_EQ(in.offsets[2], i == 0 ? 0 : 13);
      EXPECT_EQ(in.offsets[3], j == 0 ? 0 : 13);
      int64_t received = in.numElements() - 14 * 14 * 512;
      EXPECT_EQ(received, 14 * 512 * 2 + 512);
      EXPECT_EQ(received * kB, 59392);
      EXPECT_EQ(s.work.macs, 462422016);
      total += received * kB;
    }
  EXPECT_EQ(total, 237568);
}

TEST_F(PartitionInterfaceTest, Conv1_2SameMacsSameHalo) {
  PartitionableOpInterface conv = parseLayer(R"mlir(
func.func @f(%x: tensor<1x64x224x224xf32>, %w: tensor<64x64x3x3xf32>,
             %b: tensor<64xf32>) -> tensor<1x64x224x224xf32> {
  %0 = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x64x224x224xf32>, tensor<64x64x3x3xf32>, tensor<64xf32>)
      -> tensor<1x64x224x224xf32>
  return %0 : tensor<1x64x224x224xf32>
}
)mlir");
  ASSERT_TRUE(conv);
  EXPECT_EQ(conv.getWork().macs, 1849688064);
  EXPECT_EQ(conv.getWork().paramBytes, 147712);
  EXPECT_EQ(conv.getWork().outputBytes, 12845056); // 12.85 MB
  LocalSplit s = split(conv, {DimRange{SplitDim::height, 56, 112}});
  EXPECT_EQ(s.operands[0].offsets[2], 55);
  EXPECT_EQ((s.operands[0].sizes[2] - 56) * 224 * 64, 2 * 14336);
}

TEST_F(PartitionInterfaceTest, Stride2Halo) {
  PartitionableOpInterface conv = parseLayer(R"mlir(
func.func @f(%x: tensor<1x1x224x224xf32>, %w: tensor<1x1x3x3xf32>)
    -> tensor<1x1x112x112xf32> {
  %0 = dl.conv2d %x, %w {strides = array<i64: 2, 2>,
                         padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x1x224x224xf32>, tensor<1x1x3x3xf32>)
      -> tensor<1x1x112x112xf32>
  return %0 : tensor<1x1x112x112xf32>
}
)mlir");
  ASSERT_TRUE(conv);
  // Output rows [56, 111] need input rows [111, 223].
  LocalSplit hi = split(conv, {DimRange{SplitDim::height, 56, 112}});
  EXPECT_EQ(hi.operands[0].offsets[2], 111);
  EXPECT_EQ(hi.operands[0].offsets[2] + hi.operands[0].sizes[2] - 1, 223);
  EXPECT_EQ(hi.operands[0].padLo[2], 0);
  EXPECT_EQ(hi.operands[0].padHi[2], 0);
  // Rows [0, 55] need [-1, 111]: [0, 111] after clipping, 1 row of padding.
  LocalSplit lo = split(conv, {DimRange{SplitDim::height, 0, 56}});
  EXPECT_EQ(lo.operands[0].offsets[2], 0);
  EXPECT_EQ(lo.operands[0].offsets[2] + lo.operands[0].sizes[2] - 1, 111);
  EXPECT_EQ(lo.operands[0].padLo[2], 1);
}

TEST_F(PartitionInterfaceTest, BodpStrips) {
  PartitionableOpInterface conv = parseLayer(kConv4_2);
  ASSERT_TRUE(conv);
  // c = (2, 1, 1): strips [0,13], [14,20], [21,27] need [0,14], [13,21],
  // [20,27].
  const int64_t bounds[] = {0, 14, 21, 28};
  const int64_t first[] = {0, 13, 20}, last[] = {14, 21, 27};
  for (int p = 0; p < 3; ++p) {
    LocalSplit s =
        split(conv, {DimRange{SplitDim::height, bounds[p], bounds[p + 1]}});
    const TensorRegion &in = s.operands[0];
    EXPECT_EQ(in.offsets[2], first[p]) << "strip " << p;
    EXPECT_EQ(in.offsets[2] + in.sizes[2] - 1, last[p]) << "strip " << p;
    EXPECT_EQ(s.work.macs,
              (bounds[p + 1] - bounds[p]) * 28 * 512 * 512 * 9);
  }
}

//===----------------------------------------------------------------------===//
// 6.2 VGG-16 fc6
//===----------------------------------------------------------------------===//

TEST_F(PartitionInterfaceTest, Fc6OutputSplit) {
  PartitionableOpInterface fc = parseLayer(kFc6);
  ASSERT_TRUE(fc);
  EXPECT_EQ(fc.getWork().macs, 102760448);
  for (int64_t p = 0; p < 4; ++p) {
    LocalSplit s = split(
        fc, {DimRange{SplitDim::out_channel, 1024 * p, 1024 * (p + 1)}});
    EXPECT_EQ(s.kind, ResultKind::Slice);
    EXPECT_EQ(s.operands[1].numElements(), 102760448 / 4);
    EXPECT_EQ(s.operands[1].offsets[0], 1024 * p);
    // Every device reads the whole 100,352 B input.
    EXPECT_EQ(s.work.inputBytes, 100352);
    EXPECT_EQ(s.result.numElements(), 1024);
  }
}

TEST_F(PartitionInterfaceTest, Fc6InputSplit) {
  PartitionableOpInterface fc = parseLayer(kFc6);
  ASSERT_TRUE(fc);
  for (int64_t p = 0; p < 4; ++p) {
    LocalSplit s = split(
        fc, {DimRange{SplitDim::in_channel, 6272 * p, 6272 * (p + 1)}});
    EXPECT_EQ(s.kind, ResultKind::PartialSum);
    EXPECT_EQ(s.operands[0].offsets[1], 6272 * p);
    EXPECT_EQ(s.operands[1].numElements(), 102760448 / 4);
    // Bias only on the first input part.
    EXPECT_EQ(s.operands[2].needed, p == 0);
    EXPECT_EQ(s.work.paramBytes, (102760448 / 4 + (p == 0 ? 4096 : 0)) * kB);
    // Allreduce of the 4,096-value partial: 6,144 values sent per device.
    EXPECT_EQ(s.result.numElements(), 4096);
    EXPECT_EQ(2 * 3 * s.result.numElements() / 4, 6144);
  }
}

//===----------------------------------------------------------------------===//
// 6.4 LSTM, H_d = X = 512
//===----------------------------------------------------------------------===//

TEST_F(PartitionInterfaceTest, LstmWholeLayer) {
  PartitionableOpInterface lstm = parseLayer(kLstm);
  ASSERT_TRUE(lstm);
  LayerWork work = lstm.getWork();
  EXPECT_EQ(work.macs, 2097152);
  EXPECT_EQ(work.paramBytes, (2097152 + 2048) * kB);
}

TEST_F(PartitionInterfaceTest, LstmGateSplit) {
  PartitionableOpInterface lstm = parseLayer(kLstm);
  ASSERT_TRUE(lstm);
  for (int64_t g = 0; g < 4; ++g) {
    LocalSplit s = split(lstm, {DimRange{SplitDim::gate, g, g + 1}});
    EXPECT_EQ(s.kind, ResultKind::Combine);
    // One gate: rows [512g, 512g + 512) of w_ih and w_hh.
    EXPECT_EQ(s.operands[1].offsets[0], 512 * g);
    EXPECT_EQ(s.operands[1].sizes[0], 512);
    EXPECT_EQ(s.operands[1].numElements() + s.operands[2].numElements(),
              524288);
    EXPECT_EQ(s.work.macs, 524288);
  }
}

TEST_F(PartitionInterfaceTest, LstmHiddenSplit) {
  PartitionableOpInterface lstm = parseLayer(kLstm);
  ASSERT_TRUE(lstm);
  for (int64_t p = 0; p < 4; ++p) {
    LocalSplit s =
        split(lstm, {DimRange{SplitDim::hidden, 128 * p, 128 * (p + 1)}});
    EXPECT_EQ(s.kind, ResultKind::Slice);
    // 128 units x 4 gates: rows [128p + 512g, ...) for g = 0..3.
    for (unsigned i = 1; i <= 3; ++i) {
      EXPECT_EQ(s.operands[i].offsets[0], 128 * p);
      EXPECT_EQ(s.operands[i].sizes[0], 128);
      EXPECT_EQ(s.operands[i].repeat, 4);
      EXPECT_EQ(s.operands[i].repeatStride, 512);
    }
    // 512 x 1024 = 524,288 weights per device, the same as gate-based.
    EXPECT_EQ(s.operands[1].numElements() + s.operands[2].numElements(),
              524288);
    EXPECT_EQ(s.work.macs, 524288);
    EXPECT_EQ(s.result.offsets[2], 128 * p);
    EXPECT_EQ(s.result.sizes[2], 128);
  }
}

//===----------------------------------------------------------------------===//
// Uneven splits
//===----------------------------------------------------------------------===//

TEST_F(PartitionInterfaceTest, SevenChannelsOnThreeDevices) {
  PartitionableOpInterface conv = parseLayer(R"mlir(
func.func @f(%x: tensor<1x3x8x8xf32>, %w: tensor<7x3x3x3xf32>,
             %b: tensor<7xf32>) -> tensor<1x7x8x8xf32> {
  %0 = dl.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<devices = [0, 1, 2],
          splits = [#dl.split<dim = out_channel, bounds = [0, 3, 5, 7]>]>}
      : (tensor<1x3x8x8xf32>, tensor<7x3x3x3xf32>, tensor<7xf32>)
      -> tensor<1x7x8x8xf32>
  return %0 : tensor<1x7x8x8xf32>
}
)mlir");
  ASSERT_TRUE(conv);
  auto plan = conv->getAttrOfType<PlanAttr>(DLDialect::kPlanAttrName);
  ASSERT_TRUE(plan);
  auto parts = enumeratePlanParts(plan, conv);
  ASSERT_TRUE(succeeded(parts));
  ASSERT_EQ(parts->size(), 3u);
  const int64_t lo[] = {0, 3, 5}, n[] = {3, 2, 2};
  int64_t macs = 0;
  for (auto [i, part] : llvm::enumerate(*parts)) {
    EXPECT_EQ(part.device, static_cast<int64_t>(i));
    ASSERT_EQ(part.ranges.size(), 1u);
    EXPECT_EQ(part.ranges[0].dim, SplitDim::out_channel);
    LocalSplit s = split(conv, part.ranges);
    EXPECT_EQ(s.operands[1].offsets[0], lo[i]);
    EXPECT_EQ(s.operands[1].sizes[0], n[i]);
    EXPECT_EQ(s.result.sizes[1], n[i]);
    EXPECT_EQ(s.work.paramBytes, (n[i] * 27 + n[i]) * kB);
    macs += s.work.macs;
  }
  // The parts add up to the whole layer.
  EXPECT_EQ(macs, conv.getWork().macs);
}

TEST_F(PartitionInterfaceTest, ThirteenRowsOnFourDevices) {
  PartitionableOpInterface conv = parseLayer(R"mlir(
func.func @f(%x: tensor<1x2x13x5xf32>, %w: tensor<2x2x3x3xf32>)
    -> tensor<1x2x13x5xf32> {
  %0 = dl.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>,
      dl.plan = #dl.plan<devices = [0, 1, 2, 3],
          splits = [#dl.split<dim = height, bounds = [0, 4, 7, 10, 13]>]>}
      : (tensor<1x2x13x5xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x13x5xf32>
  return %0 : tensor<1x2x13x5xf32>
}
)mlir");
  ASSERT_TRUE(conv);
  auto plan = conv->getAttrOfType<PlanAttr>(DLDialect::kPlanAttrName);
  auto parts = enumeratePlanParts(plan, conv);
  ASSERT_TRUE(succeeded(parts));
  ASSERT_EQ(parts->size(), 4u);
  // Output rows [4,7), [7,10), [10,13) after [0,4); input rows one beyond
  // each side, clipped at the border.
  const int64_t outLo[] = {0, 4, 7, 10}, outHi[] = {4, 7, 10, 13};
  const int64_t inLo[] = {0, 3, 6, 9}, inHi[] = {5, 8, 11, 13};
  int64_t macs = 0;
  for (int p = 0; p < 4; ++p) {
    const PlanPart &part = (*parts)[p];
    EXPECT_EQ(part.ranges[0].lo, outLo[p]);
    EXPECT_EQ(part.ranges[0].hi, outHi[p]);
    LocalSplit s = split(conv, part.ranges);
    const TensorRegion &in = s.operands[0];
    EXPECT_EQ(in.offsets[2], inLo[p]) << "part " << p;
    EXPECT_EQ(in.offsets[2] + in.sizes[2], inHi[p]) << "part " << p;
    EXPECT_EQ(in.padLo[2], p == 0 ? 1 : 0);
    EXPECT_EQ(in.padHi[2], p == 3 ? 1 : 0);
    macs += s.work.macs;
  }
  EXPECT_EQ(macs, conv.getWork().macs);
}

//===----------------------------------------------------------------------===//
// enumeratePlanParts
//===----------------------------------------------------------------------===//

TEST_F(PartitionInterfaceTest, ReplicasBySplits) {
  PartitionableOpInterface fc = parseLayer(R"mlir(
func.func @f(%x: tensor<4x8xf32>, %w: tensor<6x8xf32>) -> tensor<4x6xf32> {
  %0 = dl.dense %x, %w {dl.plan = #dl.plan<devices = [3, 2, 1, 0],
      replicas = 2,
      splits = [#dl.split<dim = out_channel, bounds = [0, 3, 6]>]>}
      : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}
)mlir");
  ASSERT_TRUE(fc);
  auto plan = fc->getAttrOfType<PlanAttr>(DLDialect::kPlanAttrName);
  auto parts = enumeratePlanParts(plan, fc);
  ASSERT_TRUE(succeeded(parts));
  ASSERT_EQ(parts->size(), 4u);
  // Row-major over (replica, split): the split index varies fastest.
  const int64_t device[] = {3, 2, 1, 0}, replica[] = {0, 0, 1, 1};
  const int64_t batchLo[] = {0, 0, 2, 2}, outLo[] = {0, 3, 0, 3};
  for (int i = 0; i < 4; ++i) {
    const PlanPart &part = (*parts)[i];
    EXPECT_EQ(part.device, device[i]);
    EXPECT_EQ(part.replica, replica[i]);
    ASSERT_EQ(part.ranges.size(), 2u);
    EXPECT_EQ(part.ranges[0].dim, SplitDim::batch);
    EXPECT_EQ(part.ranges[0].lo, batchLo[i]);
    EXPECT_EQ(part.ranges[0].hi, batchLo[i] + 2);
    EXPECT_EQ(part.ranges[1].dim, SplitDim::out_channel);
    EXPECT_EQ(part.ranges[1].lo, outLo[i]);
    EXPECT_EQ(part.ranges[1].hi, outLo[i] + 3);
    LocalSplit s = split(fc, part.ranges);
    EXPECT_EQ(s.result.offsets[0], batchLo[i]);
    EXPECT_EQ(s.result.offsets[1], outLo[i]);
    EXPECT_EQ(s.work.macs, 2 * 3 * 8);
  }
}

TEST_F(PartitionInterfaceTest, SinglePartOnSeveralDevicesIsReplicated) {
  PartitionableOpInterface relu = parseLayer(R"mlir(
func.func @f(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
  %0 = dl.relu %x {dl.plan = #dl.plan<devices = [4, 1, 2]>} : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}
)mlir");
  ASSERT_TRUE(relu);
  auto plan = relu->getAttrOfType<PlanAttr>(DLDialect::kPlanAttrName);
  auto parts = enumeratePlanParts(plan, relu);
  ASSERT_TRUE(succeeded(parts));
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].device, 4);
  EXPECT_EQ((*parts)[2].device, 2);
  for (const PlanPart &part : *parts)
    EXPECT_TRUE(part.ranges.empty());
}

TEST_F(PartitionInterfaceTest, EnumerateRejectsMismatchedPlans) {
  PartitionableOpInterface mm = parseLayer(R"mlir(
func.func @f(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>) -> tensor<4x2xf32> {
  %0 = dl.matmul %a, %b : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}
)mlir");
  ASSERT_TRUE(mm);
  // Plans built directly (the dl.plan verifier would reject them in IR).
  auto rows = SplitAttr::get(&ctx, SplitDim::height, {0, 2, 4});
  // 2 parts on 3 devices.
  auto threeDevices = PlanAttr::get(&ctx, 0, {0, 1, 2}, 1, {rows}, {});
  EXPECT_TRUE(failed(enumeratePlanParts(threeDevices, mm)));
  // Replicas of a layer without a batch dim (a rank-2 matmul).
  auto replicas = PlanAttr::get(&ctx, 0, {0, 1}, 2, {}, {});
  EXPECT_TRUE(failed(enumeratePlanParts(replicas, mm)));
  // The well-formed plan works.
  auto good = PlanAttr::get(&ctx, 0, {0, 1}, 1, {rows}, {});
  auto parts = enumeratePlanParts(good, mm);
  ASSERT_TRUE(succeeded(parts));
  EXPECT_EQ((*parts)[1].ranges[0].lo, 2);
}

//===----------------------------------------------------------------------===//
// Rejected parts
//===----------------------------------------------------------------------===//

TEST_F(PartitionInterfaceTest, RejectsNonSplittableDims) {
  PartitionableOpInterface fc = parseLayer(kFc6);
  ASSERT_TRUE(fc);
  EXPECT_EQ(fc.getIterationExtent(SplitDim::height), -1);
  EXPECT_TRUE(failed(fc.computeLocalSplit({{SplitDim::height, 0, 1}})));
  EXPECT_TRUE(failed(fc.computeLocalSplit({{SplitDim::gate, 0, 1}})));

  PartitionableOpInterface conv = parseLayer(kConv4_2);
  ASSERT_TRUE(conv);
  EXPECT_TRUE(failed(conv.computeLocalSplit({{SplitDim::hidden, 0, 8}})));
}

TEST_F(PartitionInterfaceTest, RejectsOutOfRangeRanges) {
  PartitionableOpInterface conv = parseLayer(kConv4_2);
  ASSERT_TRUE(conv);
  // Past the extent, negative, empty and reversed ranges.
  EXPECT_TRUE(failed(conv.computeLocalSplit({{SplitDim::height, 20, 29}})));
  EXPECT_TRUE(failed(conv.computeLocalSplit({{SplitDim::height, -1, 7}})));
  EXPECT_TRUE(failed(conv.computeLocalSplit({{SplitDim::height, 7, 7}})));
  EXPECT_TRUE(
      failed(conv.computeLocalSplit({{SplitDim::out_channel, 256, 128}})));
  EXPECT_TRUE(succeeded(conv.computeLocalSplit({{SplitDim::height, 21, 28}})));
}

TEST_F(PartitionInterfaceTest, RejectsGateAndHiddenTogether) {
  PartitionableOpInterface lstm = parseLayer(kLstm);
  ASSERT_TRUE(lstm);
  EXPECT_TRUE(failed(lstm.computeLocalSplit(
      {{SplitDim::gate, 0, 2}, {SplitDim::hidden, 0, 256}})));
  // Whole-extent ranges are no split and compose with either.
  EXPECT_TRUE(succeeded(lstm.computeLocalSplit(
      {{SplitDim::gate, 0, 4}, {SplitDim::hidden, 0, 256}})));
  EXPECT_TRUE(failed(lstm.computeLocalSplit({{SplitDim::gate, 0, 5}})));
}

} // namespace
