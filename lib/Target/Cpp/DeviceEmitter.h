//===- DeviceEmitter.h - Shared emitter of device programs ------*- C++ -*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// The emitter of one device function's program, shared by the C++ target
// (TranslateToCpp.cpp, the base class as is) and the CUDA target
// (lib/Target/CUDA/TranslateToCUDA.cpp, a subclass). The base class owns
// everything that does not depend on where tensors live: liveness and
// buffer reuse, aliasing of reshapes and contiguous slices, weights and
// constants, the program skeleton and its main(). A target overrides the
// hooks that do: kernel names, allocation, copies, residency of inputs,
// outputs, weights and constants, the program header and communication.
//
//===----------------------------------------------------------------------===//

#ifndef DL_LIB_TARGET_CPP_DEVICEEMITTER_H
#define DL_LIB_TARGET_CPP_DEVICEEMITTER_H

#include "dialects/DL/DLOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <optional>
#include <string>

namespace mlir::dl::target {

//===----------------------------------------------------------------------===//
// Small helpers
//===----------------------------------------------------------------------===//

int64_t product(ArrayRef<int64_t> dims);
/// `{1, 2, 3}`.
std::string joinBraced(ArrayRef<int64_t> values);
/// `[1,2,3]` for messages.
std::string shapeString(ArrayRef<int64_t> dims);
/// Escapes a string for a C string literal (quotes included).
std::string cString(StringRef s);
/// A short human name for a location (NameLoc name, else file:line:col).
std::string locName(Location loc);
/// Prints a float so that it reads back exactly, as a C++ float expression.
std::string floatLiteral(float v);
/// Emits `static const int64_t NAME[] = {...};` inside an op's block.
void emitI64Array(raw_ostream &os, StringRef name, ArrayRef<int64_t> values);
/// Emits `static const int NAME[] = {...};` inside an op's block.
void emitIntArray(raw_ostream &os, StringRef name, ArrayRef<int64_t> values);

/// The device of a function to emit (getDeviceOfFunction), or an error at
/// the function if it has none or a negative one.
FailureOr<int64_t> getEmittedDevice(func::FuncOp func);

/// Functions of `module` that are device programs, sorted by device.
FailureOr<SmallVector<std::pair<int64_t, func::FuncOp>>>
collectDevices(ModuleOp module);

/// Emits the program of device `k` (function `func`) to `os`.
using DeviceTranslator =
    function_ref<LogicalResult(func::FuncOp func, int64_t k, raw_ostream &os)>;
/// Like DeviceTranslator; returns the source file extension (".cpp").
using SourceTranslator = function_ref<FailureOr<StringRef>(
    func::FuncOp func, int64_t k, raw_ostream &os)>;

/// All devices of `module` in order, each after a `// ----- device K -----`
/// line (or only `device`, without the marker).
LogicalResult translateModuleWith(ModuleOp module, raw_ostream &os,
                                  std::optional<int64_t> device,
                                  const DeviceTranslator &translate);

/// Writes `dir/rank<K><ext>` for every device of `module`, in order.
LogicalResult emitDeviceSourcesWith(ModuleOp module, StringRef dir,
                                    SmallVectorImpl<std::string> &files,
                                    const SourceTranslator &translate);

/// The value of the `--dl-device` translation option shared by dl-to-cpp
/// and dl-to-cuda (registered on the first call); unset when not given.
std::optional<int64_t> getDeviceOption();

//===----------------------------------------------------------------------===//
// Buffers and values
//===----------------------------------------------------------------------===//

/// Storage behind one or more SSA tensors.
struct Buffer {
  enum class Kind { Owned, Input, Weight, Constant };
  Kind kind;
  /// Variable holding the base pointer.
  std::string var;
  int64_t numElements = 0;
  /// Index of the last op that uses any value living in this buffer.
  unsigned lastUse = 0;
  /// Already freed or handed to the caller.
  bool released = false;
};

/// Where one SSA tensor lives: `buffer` + `offset` elements.
struct ValueInfo {
  unsigned buffer = 0;
  int64_t offset = 0;
  int64_t numElements = 0;
};

//===----------------------------------------------------------------------===//
// DeviceEmitter
//===----------------------------------------------------------------------===//

/// Emits the program of one device function. As is, the C++ program over
/// the dlrt CPU kernels; subclasses retarget it through the virtual hooks.
class DeviceEmitter {
public:
  DeviceEmitter(func::FuncOp func, int64_t device)
      : func(func), device(device), body(bodyStr), globals(globalsStr),
        setup(setupStr) {}
  virtual ~DeviceEmitter() = default;

  LogicalResult emit(raw_ostream &os);

  /// Emits the program of a pipeline-training module (functions marked
  /// `dl.pipeline` by dl-generate-pipeline-training): every stage's
  /// forward, backward and update functions and a main() that runs the
  /// stage of its MPI rank through dlrt_pipeline_main (EmitPipeline.cpp).
  static LogicalResult emitPipelineProgram(ModuleOp module, raw_ostream &os);

protected:
  //===--- Target hooks ---------------------------------------------------===//

  /// "C++" or "CUDA", for diagnostics.
  virtual StringRef targetName() const { return "C++"; }
  /// The function implementing kernel `name` (`conv2d`, `relu`, ...) with
  /// the argument list of the dlrt function of that name.
  virtual std::string kernel(StringRef name) const {
    return ("dlrt_" + name).str();
  }
  /// Allocation and release of a tensor buffer of n floats.
  virtual StringRef allocFn() const { return "dl_alloc"; }
  virtual StringRef freeFn() const { return "dl_free"; }
  /// Emits a copy of n floats between two tensor buffers.
  virtual void emitCopy(StringRef dst, StringRef src, int64_t n);
  /// Whether tensors live in a separate (device) memory: inputs, weights
  /// and constants are then uploaded and outputs downloaded (dl_upload,
  /// dl_copy_in, dl_copy_out from the target prelude).
  virtual bool deviceResident() const { return false; }
  /// The comment, #includes and first lines of the program.
  virtual void emitHeader(raw_ostream &os);
  /// The standard headers every program includes (after the target's).
  static void emitStdIncludes(raw_ostream &os);
  /// The shared helpers (kPrelude, dl_alloc, ...), the all-to-all helper
  /// when used and the target's prelude.
  void emitPrelude(raw_ostream &os);
  /// kNumRanks and kPlanHash, which main() checks at start-up
  /// (dlrt_check_plan).
  void emitPlanIdentity(raw_ostream &os);
  /// Target helpers after the shared prelude (kernels, handles).
  virtual void emitTargetPrelude(raw_ostream &os) {}
  /// Communication ops.
  virtual LogicalResult emitComm(Operation *op);

  //===--- Shared pieces for subclasses -----------------------------------===//

  /// Emits the dlrt call (with its `{ static const ... }` block) of a
  /// communication op whose input lives at `in` and whose result goes to
  /// `out`; for the in-place all_reduce/broadcast, `out` is the buffer
  /// (already holding the input). Sets needsAllToAll when used.
  LogicalResult emitCommCall(Operation *op, StringRef in, StringRef out);

  /// Analyses the function and emits its body (into `body`, its globals
  /// and set-up lines into `globals` and `setup`); returns the argument
  /// and result types.
  LogicalResult emitBody(SmallVectorImpl<RankedTensorType> &argTypes,
                         SmallVectorImpl<RankedTensorType> &resultTypes);

  // Analysis.
  unsigned lastUseOf(Value v) const;
  FailureOr<RankedTensorType> tensorType(Operation *op, Value v);

  // Value bookkeeping.
  unsigned newBuffer(Buffer::Kind kind, std::string var, int64_t n);
  void bindRoot(Value v, unsigned buffer);
  void bindAlias(Value v, Value of, int64_t offset);
  std::string ptr(Value v) const;
  bool isRoot(Value v) const;
  /// Allocates a fresh owned buffer for `v` (emitting the allocation).
  std::string allocate(Value v, StringRef why = "");
  /// Binds `result` to `operand`'s buffer if this op is the operand's last
  /// use and no other operand of `op` lives there; returns true if so.
  bool tryReuse(Operation *op, Value operand, Value result,
                bool allowSharedOperands = false);
  /// The result buffer of an in-place op: `operand`'s when it dies here,
  /// else a fresh copy of it.
  std::string inPlaceResult(Operation *op, Value operand, Value result,
                            StringRef why = "");
  void releaseDeadBuffers(unsigned opIndex);

  // Emission helpers.
  void beginOp(Operation *op);
  void endOp();
  std::string constantGlobal(Operation *op, DenseElementsAttr attr,
                             std::optional<float> *splat = nullptr);
  InFlightDiagnostic emitTargetError(Operation *op, const Twine &what);

  // Op emitters.
  LogicalResult emitOp(Operation *op);
  LogicalResult emitParam(ParamOp op);
  LogicalResult emitConstant(Operation *op, Value result, Attribute value);
  LogicalResult emitConv(Conv2DOp op);
  LogicalResult emitDense(DenseOp op);
  LogicalResult emitMatMul(MatMulOp op);
  LogicalResult emitPool(Pool2DOp op);
  LogicalResult emitGlobalAvgPool(GlobalAvgPoolOp op);
  LogicalResult emitBatchNorm(BatchNormOp op);
  LogicalResult emitUnary(Operation *op, StringRef fn);
  LogicalResult emitClip(ClipOp op);
  LogicalResult emitBinary(Operation *op, StringRef fn);
  LogicalResult emitSoftmax(SoftmaxOp op);
  LogicalResult emitConcat(ConcatOp op);
  LogicalResult emitLSTM(LSTMOp op);
  LogicalResult emitLSTMGates(LSTMGatesOp op);
  LogicalResult emitLSTMCell(LSTMCellOp op);
  LogicalResult emitExtractSlice(tensor::ExtractSliceOp op);
  LogicalResult emitInsertSlice(tensor::InsertSliceOp op);
  LogicalResult emitReturn(func::ReturnOp op);
  /// Non-blocking all_reduce: the start in place on the result buffer
  /// (handle in a local variable), the wait aliasing that buffer; between
  /// them every op is followed by dlrt_comm_progress. Host memory only.
  LogicalResult emitAllReduceStart(AllReduceStartOp op);
  LogicalResult emitAllReduceWait(AllReduceWaitOp op);
  /// Backward, loss and optimizer ops (EmitTraining.cpp).
  LogicalResult emitTrainingOp(Operation *op);
  /// The main() of a `dl.train` function: hands the step to
  /// dlrt_train_main (EmitTraining.cpp).
  LogicalResult emitTrainMain(raw_ostream &os, DictionaryAttr train);

  func::FuncOp func;
  int64_t device;

  std::string bodyStr, globalsStr, setupStr;
  llvm::raw_string_ostream body, globals, setup;

  DenseMap<Operation *, unsigned> opIndex;
  SmallVector<Buffer> buffers;
  DenseMap<Value, ValueInfo> values;
  /// Values known to be a splat constant, with the splat value.
  DenseMap<Value, float> splats;
  unsigned currentOp = 0;
  unsigned tmpCounter = 0;

  // Weights fetched from the weight file: name -> (global, shape).
  std::map<std::string, std::pair<std::string, SmallVector<int64_t>>> weights;
  SmallVector<std::string> weightOrder;
  DenseMap<Attribute, std::string> constants;
  unsigned constantCounter = 0;
  bool needsAllToAll = false;
  bool hasResults = false;
  /// Prefix of the global symbols (constants, weights) of this function,
  /// so that several functions can share one program.
  std::string symbolPrefix;
  /// Handle variables of the started, not yet waited all-reduces.
  DenseMap<Value, std::string> pendingComm;
};

} // namespace mlir::dl::target

#endif // DL_LIB_TARGET_CPP_DEVICEEMITTER_H
