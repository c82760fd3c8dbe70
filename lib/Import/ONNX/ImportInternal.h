//===- ImportInternal.h - ONNX importer internals ---------------*- C++ -*-===//
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file declares what the files of the ONNX importer share: the model
// loader (the only code that calls the throwing ONNX checker and shape
// inference), host-side constant tensors and the constant folder of shape
// subgraphs.
//
//===----------------------------------------------------------------------===//

#ifndef DL_LIB_IMPORT_ONNX_IMPORTINTERNAL_H
#define DL_LIB_IMPORT_ONNX_IMPORTINTERNAL_H

#include "onnx/onnx_pb.h"
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlir::dl::onnx_import {

/// Parses the model at `path`, optionally runs `onnx::checker::check_model`,
/// then `onnx::shape_inference::InferShapes`. Returns false and sets
/// `error` on failure; never throws.
bool loadModel(const std::string &path, onnx::ModelProto &model, bool check,
               std::string &error);

/// A constant tensor known at import time: an initializer, the value of a
/// Constant node, or the folded result of a shape computation.
struct ConstTensor {
  bool isFloat = true;
  std::vector<int64_t> shape;
  std::vector<float> f;   ///< data when isFloat
  std::vector<int64_t> i; ///< data otherwise (int64, int32, bool)

  int64_t size() const;
  double at(int64_t k) const { return isFloat ? f[k] : double(i[k]); }
  int64_t intAt(int64_t k) const { return isFloat ? int64_t(f[k]) : i[k]; }
  /// Whether every element is zero.
  bool isZero() const;
  static ConstTensor ints(std::vector<int64_t> shape,
                          std::vector<int64_t> data);
  static ConstTensor floats(std::vector<int64_t> shape,
                            std::vector<float> data);
};

/// Converts a TensorProto (float, double, int64, int32, bool, ...) held in
/// the model. Returns false and sets `error` for unsupported types and
/// external data.
bool tensorFromProto(const onnx::TensorProto &proto, ConstTensor &out,
                     std::string &error);

/// Broadcasts `in` to `shape` (numpy rules). Returns false if the shapes
/// are incompatible.
bool broadcastTo(const ConstTensor &in, const std::vector<int64_t> &shape,
                 ConstTensor &out);

/// The numpy broadcast of two shapes, or nullopt.
std::optional<std::vector<int64_t>>
broadcastShapes(const std::vector<int64_t> &a, const std::vector<int64_t> &b);

/// Evaluates `node` on constant inputs (an entry is null for an absent
/// optional input) for the ops that shape subgraphs use: Constant,
/// ConstantOfShape, Shape (needs `inputShapes[0]`), Gather, Unsqueeze,
/// Squeeze, Concat, Cast, Slice, Reshape, Expand, Identity, Range and
/// elementwise Add/Sub/Mul/Div/Equal/Where. Returns nullopt when the op is
/// not foldable; sets `error` (and returns an empty vector) when it is but
/// its attributes are invalid.
std::optional<std::vector<ConstTensor>>
foldNode(const onnx::NodeProto &node, int64_t opset,
         const std::vector<const ConstTensor *> &inputs,
         const std::vector<int64_t> *inputShape, std::string &error);

} // namespace mlir::dl::onnx_import

#endif // DL_LIB_IMPORT_ONNX_IMPORTINTERNAL_H
