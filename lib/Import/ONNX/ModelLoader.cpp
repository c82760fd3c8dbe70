//===- ModelLoader.cpp - Read and check ONNX models -------------*- C++ -*-===//
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// This file implements the model loader of the ONNX importer. The ONNX
// checker and shape inference report problems with C++ exceptions, so this
// file is compiled with -fexceptions and is the only one that calls them;
// every exception is turned into an error message here.
//
//===----------------------------------------------------------------------===//

#include "ImportInternal.h"
#include "onnx/checker.h"
#include "onnx/shape_inference/implementation.h"
#include <exception>
#include <fstream>

using namespace mlir::dl::onnx_import;

namespace {
bool checkBeforeInference(const onnx::ModelProto &model, std::string &error) {
  const auto &known =
      onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  for (const onnx::OperatorSetIdProto &opset : model.opset_import()) {
    std::string domain = opset.domain() == "ai.onnx" ? "" : opset.domain();
    auto it = known.find(domain);
    if (it != known.end() && opset.version() > it->second.second) {
      error = "opset " + std::to_string(opset.version()) + " of domain '" +
              opset.domain() + "' is newer than this ONNX library supports (" +
              std::to_string(it->second.second) + ")";
      return false;
    }
  }
  for (const onnx::NodeProto &node : model.graph().node())
    for (const onnx::AttributeProto &a : node.attribute())
      if (a.name() == "strides" || a.name() == "dilations" ||
          a.name() == "kernel_shape")
        for (int64_t v : a.ints())
          if (v < 1) {
            error = "node '" + node.name() + "' (" + node.op_type() +
                    "): " + a.name() + " must be positive, got " +
                    std::to_string(v);
            return false;
          }
  return true;
}
} // namespace

bool mlir::dl::onnx_import::loadModel(const std::string &path,
                                      onnx::ModelProto &model, bool check,
                                      std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open the file";
    return false;
  }
  try {
    if (!model.ParseFromIstream(&in)) {
      error = "not a valid ONNX model (protobuf parse error)";
      return false;
    }
    if (!model.has_graph() || model.ir_version() == 0) {
      error = "not a valid ONNX model (no graph or IR version)";
      return false;
    }
    if (check)
      onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    error = std::string("the ONNX checker rejects the model: ") + e.what();
    return false;
  }
  // ONNX shape inference (libonnx) divides by a zero stride and crashes on
  // opset versions it does not know: reject such models before it runs.
  if (!checkBeforeInference(model, error))
    return false;
  try {
    onnx::ShapeInferenceOptions options;
    options.check_type = false;
    options.error_mode = 0;
    options.enable_data_propagation = true;
    onnx::shape_inference::InferShapes(
        model, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &e) {
    error = std::string("ONNX shape inference failed: ") + e.what();
    return false;
  }
  return true;
}
