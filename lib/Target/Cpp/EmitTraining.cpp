//===- EmitTraining.cpp - Training ops and the training main() ----*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The DeviceEmitter's part for training steps (docs/training.md): one dlrt
// call per backward, loss and optimizer op, and the main() of a function
// marked `dl.train`, which hands the step to dlrt_train_main.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/Cpp/DeviceEmitter.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::target;

static ArrayRef<int64_t> dims(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

static int64_t count(Value v) { return product(dims(v)); }

/// "n, c, h, w" of a rank-2 `[N, C]` or rank-4 input (h = w = 1 for 2-D).
static std::string nchw(Value v) {
  auto d = dims(v);
  std::string s = std::to_string(d[0]) + ", " + std::to_string(d[1]);
  return s + (d.size() == 4
                  ? ", " + std::to_string(d[2]) + ", " + std::to_string(d[3])
                  : std::string(", 1, 1"));
}

LogicalResult DeviceEmitter::emitTrainingOp(Operation *op) {
  auto open = [&](StringRef fn) -> llvm::raw_ostream & {
    beginOp(op);
    return body << "  " << kernel(fn) << "(";
  };
  auto close = [&]() {
    body << ");\n";
    endOp();
    return success();
  };
  auto convTail = [&](ArrayRef<int64_t> s, ArrayRef<int64_t> p,
                      ArrayRef<int64_t> d, int64_t groups) {
    body << ",\n      /*stride=*/" << s[0] << ", " << s[1] << ", /*pad tlbr=*/"
         << p[0] << ", " << p[1] << ", " << p[2] << ", " << p[3]
         << ", /*dilation=*/" << d[0] << ", " << d[1] << ", /*groups=*/"
         << groups;
  };
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](Conv2DBackwardDataOp o) {
        auto dy = dims(o.getResultGrad()), w = dims(o.getWeight()),
             dx = dims(o.getInputGrad());
        std::string out = allocate(o.getInputGrad());
        open("conv2d_backward_data")
            << ptr(o.getResultGrad()) << ", " << dy[0] << ", " << dy[1]
            << ", " << dy[2] << ", " << dy[3] << ", " << ptr(o.getWeight())
            << ", " << dx[1] << ", " << w[2] << ", " << w[3];
        convTail(o.getStrides(), o.getPadding(), o.getDilations(),
                 static_cast<int64_t>(o.getGroups()));
        body << ", " << out << ", " << dx[2] << ", " << dx[3];
        return close();
      })
      .Case([&](Conv2DBackwardWeightsOp o) {
        auto x = dims(o.getInput()), dy = dims(o.getResultGrad()),
             w = dims(o.getWeightGrad());
        std::string dw = allocate(o.getWeightGrad());
        std::string db = o.getBiasGrad().use_empty()
                             ? std::string("nullptr")
                             : allocate(o.getBiasGrad());
        open("conv2d_backward_weights")
            << ptr(o.getInput()) << ", " << x[0] << ", " << x[1] << ", "
            << x[2] << ", " << x[3] << ", " << ptr(o.getResultGrad()) << ", "
            << dy[1] << ", " << dy[2] << ", " << dy[3] << ", " << w[2] << ", "
            << w[3];
        convTail(o.getStrides(), o.getPadding(), o.getDilations(),
                 static_cast<int64_t>(o.getGroups()));
        body << ", " << dw << ", " << db;
        return close();
      })
      .Case([&](DenseBackwardDataOp o) {
        auto dy = dims(o.getResultGrad()), w = dims(o.getWeight());
        std::string out = allocate(o.getInputGrad());
        open("dense_backward_data")
            << ptr(o.getResultGrad()) << ", " << dy[0] << ", " << dy[1]
            << ", " << ptr(o.getWeight()) << ", " << w[1] << ", " << out;
        return close();
      })
      .Case([&](DenseBackwardWeightsOp o) {
        auto x = dims(o.getInput()), dy = dims(o.getResultGrad());
        std::string dw = allocate(o.getWeightGrad());
        std::string db = o.getBiasGrad().use_empty()
                             ? std::string("nullptr")
                             : allocate(o.getBiasGrad());
        open("dense_backward_weights")
            << ptr(o.getInput()) << ", " << x[0] << ", " << x[1] << ", "
            << ptr(o.getResultGrad()) << ", " << dy[1] << ", " << dw << ", "
            << db;
        return close();
      })
      .Case([&](ReluBackwardOp o) {
        std::string out = tryReuse(op, o.getResultGrad(), o.getInputGrad())
                              ? ptr(o.getInputGrad())
                              : allocate(o.getInputGrad());
        open("relu_backward") << ptr(o.getResult()) << ", "
                              << ptr(o.getResultGrad()) << ", " << out << ", "
                              << count(o.getResult());
        return close();
      })
      .Case([&](Pool2DBackwardOp o) {
        auto in = dims(o.getInput()), out = dims(o.getResultGrad());
        ArrayRef<int64_t> k = o.getKernel(), s = o.getStrides(),
                          p = o.getPadding();
        std::string dx = allocate(o.getInputGrad());
        open("pool2d_backward")
            << "/*kind=*/" << (o.getKind() == PoolKind::max ? "0" : "1")
            << ", " << ptr(o.getInput()) << ", " << in[0] << ", " << in[1]
            << ", " << in[2] << ", " << in[3] << ", /*kernel=*/" << k[0]
            << ", " << k[1] << ", /*stride=*/" << s[0] << ", " << s[1]
            << ", /*pad tlbr=*/" << p[0] << ", " << p[1] << ", " << p[2]
            << ", " << p[3] << ",\n      " << ptr(o.getResultGrad()) << ", "
            << out[2] << ", " << out[3] << ", /*count_include_pad=*/"
            << (o.getCountIncludePad() ? 1 : 0) << ", " << dx;
        return close();
      })
      .Case<SigmoidBackwardOp, TanhBackwardOp, GeluBackwardOp, ClipBackwardOp>(
          [&](Operation *o) {
            // (forward result or input, result gradient) -> input gradient.
            Value from = o->getOperand(0), dy = o->getOperand(1),
                  dx = o->getResult(0);
            std::string out = tryReuse(op, dy, dx) ? ptr(dx) : allocate(dx);
            StringRef fn = isa<SigmoidBackwardOp>(o) ? "sigmoid_backward"
                           : isa<TanhBackwardOp>(o)  ? "tanh_backward"
                           : isa<GeluBackwardOp>(o)  ? "gelu_backward"
                                                     : "clip_backward";
            open(fn) << ptr(from) << ", " << ptr(dy) << ", " << out << ", "
                     << count(from);
            if (auto clip = dyn_cast<ClipBackwardOp>(o))
              body << ", " << floatLiteral(clip.getMin().convertToFloat())
                   << ", " << floatLiteral(clip.getMax().convertToFloat());
            return close();
          })
      .Case([&](SoftmaxBackwardOp o) {
        auto shape = dims(o.getResult());
        int64_t axis = static_cast<int64_t>(o.getAxis());
        std::string dx = allocate(o.getInputGrad());
        open("softmax_backward")
            << ptr(o.getResult()) << ", " << ptr(o.getResultGrad()) << ", "
            << product(shape.take_front(axis)) << ", " << shape[axis] << ", "
            << product(shape.drop_front(axis + 1)) << ", " << dx;
        return close();
      })
      .Case([&](MatMulBackwardLhsOp o) {
        // [(G,) M, N] x [(G,) K, N]^T -> [(G,) M, K]
        auto dy = dims(o.getResultGrad()), b = dims(o.getRhs());
        int64_t r = dy.size(), g = r == 3 ? dy[0] : 1;
        std::string da = allocate(o.getLhsGrad());
        open("matmul_backward_lhs")
            << ptr(o.getResultGrad()) << ", " << g << ", " << dy[r - 2] << ", "
            << dy[r - 1] << ", " << ptr(o.getRhs()) << ", " << b[r - 2] << ", "
            << da;
        return close();
      })
      .Case([&](MatMulBackwardRhsOp o) {
        // [(G,) M, K]^T x [(G,) M, N] -> [(G,) K, N]
        auto a = dims(o.getLhs()), dy = dims(o.getResultGrad());
        int64_t r = a.size(), g = r == 3 ? a[0] : 1;
        std::string db = allocate(o.getRhsGrad());
        open("matmul_backward_rhs")
            << ptr(o.getLhs()) << ", " << g << ", " << a[r - 2] << ", "
            << a[r - 1] << ", " << ptr(o.getResultGrad()) << ", " << dy[r - 1]
            << ", " << db;
        return close();
      })
      .Case([&](BatchNormTrainOp o) {
        std::string y = allocate(o.getResult());
        open("batch_norm_train")
            << ptr(o.getInput()) << ", " << nchw(o.getInput()) << ", "
            << ptr(o.getScale()) << ", " << ptr(o.getBias()) << ", "
            << floatLiteral(o.getEpsilon().convertToFloat()) << ", " << y;
        return close();
      })
      .Case([&](BatchNormBackwardOp o) {
        auto out = [&](Value v) {
          return v.use_empty() ? std::string("nullptr") : allocate(v);
        };
        std::string dx = out(o.getInputGrad()), ds = out(o.getScaleGrad()),
                    db = out(o.getBiasGrad());
        open("batch_norm_backward")
            << ptr(o.getInput()) << ", " << nchw(o.getInput()) << ", "
            << ptr(o.getScale()) << ", " << ptr(o.getResultGrad()) << ", "
            << floatLiteral(o.getEpsilon().convertToFloat()) << ", " << dx
            << ", " << ds << ", " << db;
        return close();
      })
      .Case([&](BatchNormRunningStatsOp o) {
        std::string m = allocate(o.getNewMean());
        std::string v = allocate(o.getNewVariance());
        open("batch_norm_running_stats")
            << ptr(o.getInput()) << ", " << nchw(o.getInput()) << ", "
            << ptr(o.getMean()) << ", " << ptr(o.getVariance()) << ", "
            << floatLiteral(o.getMomentum().convertToFloat()) << ", " << m
            << ", " << v;
        return close();
      })
      .Case([&](LSTMBackwardOp o) {
        auto x = dims(o.getInput());
        int64_t hidden = dims(o.getWHh())[1];
        auto out = [&](Value v) {
          return v.use_empty() ? std::string("nullptr") : allocate(v);
        };
        std::string dx = out(o.getInputGrad()), dwih = out(o.getWIhGrad()),
                    dwhh = out(o.getWHhGrad()),
                    db = o.getBias() ? out(o.getBiasGrad()) : "nullptr";
        open("lstm_backward")
            << ptr(o.getInput()) << ", " << x[0] << ", " << x[1] << ", " << x[2]
            << ", " << ptr(o.getWIh()) << ", " << ptr(o.getWHh()) << ", "
            << (o.getBias() ? ptr(o.getBias()) : "nullptr") << ", " << hidden
            << ",\n      " << ptr(o.getResultGrad()) << ", " << dx << ", "
            << dwih << ", " << dwhh << ", " << db;
        return close();
      })
      .Case([&](SoftmaxCrossEntropyOp o) {
        auto z = dims(o.getLogits());
        std::string loss = allocate(o.getLoss());
        open("softmax_cross_entropy")
            << ptr(o.getLogits()) << ", " << ptr(o.getTargets()) << ", "
            << z[0] << ", " << z[1] << ", " << loss;
        return close();
      })
      .Case([&](SoftmaxCrossEntropyBackwardOp o) {
        auto z = dims(o.getLogits());
        std::string dz = allocate(o.getLogitsGrad());
        open("softmax_cross_entropy_backward")
            << ptr(o.getLogits()) << ", " << ptr(o.getTargets()) << ", "
            << z[0] << ", " << z[1] << ", "
            << floatLiteral(o.getScale().convertToFloat()) << ", " << dz;
        return close();
      })
      .Case([&](SGDUpdateOp o) {
        std::string p = allocate(o.getNewParam());
        std::string v = allocate(o.getNewVelocity());
        open("sgd_update")
            << ptr(o.getParam()) << ", " << ptr(o.getGrad()) << ", "
            << ptr(o.getVelocity()) << ", " << count(o.getParam()) << ", "
            << floatLiteral(o.getLr().convertToFloat()) << ", "
            << floatLiteral(o.getMomentum().convertToFloat()) << ", "
            << floatLiteral(o.getWeightDecay().convertToFloat()) << ", " << p
            << ", " << v;
        return close();
      })
      .Case([&](AdamUpdateOp o) {
        std::string p = allocate(o.getNewParam());
        std::string m = allocate(o.getNewM());
        std::string v = allocate(o.getNewV());
        open("adam_update")
            << ptr(o.getParam()) << ", " << ptr(o.getGrad()) << ", "
            << ptr(o.getM()) << ", " << ptr(o.getV()) << ", "
            << ptr(o.getStep()) << ", " << count(o.getParam()) << ", "
            << floatLiteral(o.getLr().convertToFloat()) << ", "
            << floatLiteral(o.getBeta1().convertToFloat()) << ", "
            << floatLiteral(o.getBeta2().convertToFloat()) << ", "
            << floatLiteral(o.getEpsilon().convertToFloat()) << ", " << p
            << ", " << m << ", " << v;
        return close();
      })
      .Default([&](Operation *o) {
        return o->emitError() << "'" << o->getName()
                              << "' is not a training op";
      });
}

LogicalResult DeviceEmitter::emitTrainMain(raw_ostream &os,
                                           DictionaryAttr train) {
  auto get = [&](StringRef key) -> int64_t {
    auto a = train.getAs<IntegerAttr>(key);
    return a ? a.getInt() : -1;
  };
  int64_t numParams = get("params"), statesPerParam = get("states_per_param");
  int64_t dataParallel = get("data_parallel");
  auto optimizer = train.getAs<StringAttr>("optimizer");
  auto gradientsOnlyAttr = train.getAs<BoolAttr>("gradients_only");
  bool gradientsOnly = gradientsOnlyAttr && gradientsOnlyAttr.getValue();
  // x, targets and, when the step updates the parameters, the step number.
  int64_t firstParam = gradientsOnly ? 2 : 3;
  unsigned numArgs = func.getNumArguments();
  bool shapeOk =
      gradientsOnly
          ? numArgs == firstParam + numParams &&
                func.getNumResults() == 2 + numParams
          : numArgs == firstParam + numParams * (1 + statesPerParam) &&
                func.getNumResults() == numArgs - 1;
  if (numParams < 1 || statesPerParam < 1 || statesPerParam > 2 ||
      dataParallel < 1 || !optimizer || !shapeOk)
    return func.emitError()
           << "malformed '" << DLDialect::kTrainAttrName
           << "' function: expected (x, targets, step, params, states) -> "
              "(loss, logits, params, states), or (x, targets, params) -> "
              "(loss, logits, gradients) with gradients_only, as built by "
              "dl-generate-training";
  auto hyper = [&](StringRef key, double fallback) {
    auto a = train.getAs<FloatAttr>(key);
    return floatLiteral(a ? static_cast<float>(a.getValueAsDouble())
                          : static_cast<float>(fallback));
  };
  auto x = cast<RankedTensorType>(func.getArgumentTypes()[0]);
  auto logits = cast<RankedTensorType>(func.getArgumentTypes()[1]);
  os << "\n//===--- Training program "
        "--------------------------------------------===//\n\n";
  for (int64_t i = 0; i < numParams; ++i) {
    auto t = cast<RankedTensorType>(func.getArgumentTypes()[firstParam + i]);
    os << "const int64_t kParamShape" << i << "[] = "
       << joinBraced(t.getShape()) << ";\n";
  }
  os << "const dlrt_train_tensor kParams[] = {\n";
  for (int64_t i = 0; i < numParams; ++i) {
    auto t = cast<RankedTensorType>(func.getArgumentTypes()[firstParam + i]);
    auto name = func.getArgAttrOfType<StringAttr>(firstParam + i, "dl.param");
    if (!name)
      return func.emitError() << "argument " << firstParam + i
                              << " of a training step lacks 'dl.param'";
    auto intArg = [&](StringRef key, int64_t fallback) {
      auto a = func.getArgAttrOfType<IntegerAttr>(firstParam + i, key);
      return a ? a.getInt() : fallback;
    };
    os << "    {" << cString(name.getValue()) << ", " << t.getRank()
       << ", kParamShape" << i << ", " << t.getNumElements()
       << ", /*split_dim=*/" << intArg("dl.split_dim", -1)
       << ", /*split_parts=*/" << intArg("dl.split_parts", 1)
       << ", /*rank0_only=*/"
       << (func.getArgAttr(firstParam + i, "dl.rank0_only") ? 1 : 0)
       << (func.getArgAttr(firstParam + i, "dl.init_ones") ? ", /*init_ones=*/1"
                                                           : "")
       << "},\n";
  }
  os << "};\n";
  os << "const char *const kStateSuffixes[] = {"
     << (statesPerParam == 1 ? "\"velocity\"" : "\"m\", \"v\"") << "};\n";
  os << "\n} // namespace\n\n"
     << "int main(int argc, char **argv) {\n"
     << "  dlrt_init(&argc, &argv);\n"
     << "  dl_setup();\n"
     << "  dlrt_train_program program = {\n"
     << "      /*batch=*/" << x.getDimSize(0) << ", /*classes=*/"
     << logits.getDimSize(1) << ", /*input_rank=*/" << x.getRank()
     << ", InputShape0,\n"
     << "      /*num_params=*/" << numParams << ", kParams, "
     << "/*states_per_param=*/" << statesPerParam << ", kStateSuffixes,\n"
     << "      /*data_parallel=*/" << dataParallel << ", "
     << cString(optimizer.getValue()) << ", dl_run, dl_free,\n"
     << "      /*gradients_only=*/" << (gradientsOnly ? 1 : 0) << ", /*lr=*/"
     << hyper("lr", 0.01) << ", /*momentum=*/" << hyper("momentum", 0.0)
     << ", /*weight_decay=*/" << hyper("weight_decay", 0.0)
     << ",\n      /*beta1=*/" << hyper("beta1", 0.9) << ", /*beta2=*/"
     << hyper("beta2", 0.999) << ", /*epsilon=*/" << hyper("epsilon", 1e-8)
     << ",\n      /*tensor_parallel=*/"
     << std::max<int64_t>(1, get("tensor_parallel")) << "};\n"
     << "  int status = dlrt_train_main(&program, argc, argv);\n"
     << "  dlrt_finalize();\n"
     << "  return status;\n}\n";
  return success();
}
