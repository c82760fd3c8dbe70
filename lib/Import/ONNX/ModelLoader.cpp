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
