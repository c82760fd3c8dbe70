//===- EmitPipeline.cpp - The program of pipeline training --------*- C++
//-*-===//
//
// SPDX-License-Identifier: Apache-2.0
//
//===----------------------------------------------------------------------===//
//
// Emits one C++ program for all stages of a pipeline-training module
// (dl-generate-pipeline-training, docs/training.md): each stage's forward,
// backward and update function is emitted by its own DeviceEmitter (with
// its own global-symbol prefix) as a plain C++ function, and main() hands
// the table of stages to dlrt_pipeline_main, which runs the stage of the
// MPI rank.
//
//===----------------------------------------------------------------------===//

#include "dl/Target/Cpp.h"
#include "lib/Target/Cpp/DeviceEmitter.h"
#include "passes/TrainingUtils.h"

using namespace mlir;
using namespace mlir::dl;
using namespace mlir::dl::target;
using mlir::dl::training::kPipelineAttrName;

namespace {

/// The three functions of one stage.
struct StageFunctions {
  func::FuncOp forward, backward, update;
};

int64_t elements(Type t) {
  return product(cast<RankedTensorType>(t).getShape());
}

/// The stages of `module` in order, or an error.
FailureOr<SmallVector<StageFunctions>> collectStages(ModuleOp module) {
  SmallVector<StageFunctions> stages;
  for (auto f : module.getOps<func::FuncOp>()) {
    auto info = f->getAttrOfType<DictionaryAttr>(kPipelineAttrName);
    if (!info)
      return f.emitError() << "a pipeline-training module may hold only "
                              "functions marked '"
                           << kPipelineAttrName << "'";
    auto stage = info.getAs<IntegerAttr>("stage");
    auto count = info.getAs<IntegerAttr>("stages");
    auto role = info.getAs<StringAttr>("role");
    if (!stage || !count || !role || stage.getInt() < 0 ||
        stage.getInt() >= count.getInt())
      return f.emitError() << "malformed '" << kPipelineAttrName
                           << "' attribute";
    if (stages.empty())
      stages.resize(count.getInt());
    if (int64_t(stages.size()) != count.getInt())
      return f.emitError() << "the stage functions disagree on the number of "
                              "stages";
    StageFunctions &s = stages[stage.getInt()];
    func::FuncOp *slot = role.getValue() == "forward"    ? &s.forward
                         : role.getValue() == "backward" ? &s.backward
                         : role.getValue() == "update"   ? &s.update
                                                         : nullptr;
    if (!slot || *slot)
      return f.emitError() << "unknown or repeated role '" << role.getValue()
                           << "' of stage " << stage.getInt();
    *slot = f;
  }
  if (stages.empty())
    return module.emitError("no pipeline stage functions");
  for (auto [k, s] : llvm::enumerate(stages))
    if (!s.forward || !s.backward || !s.update)
      return module.emitError() << "stage " << k
                                << " lacks its forward, backward or update "
                                   "function";
  return stages;
}

} // namespace

bool mlir::dl::isPipelineTrainingModule(ModuleOp module) {
  return llvm::any_of(module.getOps<func::FuncOp>(), [](func::FuncOp f) {
    return f->hasAttr(kPipelineAttrName);
  });
}

LogicalResult mlir::dl::translatePipelineToCpp(ModuleOp module,
                                               raw_ostream &os) {
  return DeviceEmitter::emitPipelineProgram(module, os);
}

LogicalResult DeviceEmitter::emitPipelineProgram(ModuleOp module,
                                                 raw_ostream &os) {
  auto stagesOr = collectStages(module);
  if (failed(stagesOr))
    return failure();
  SmallVector<StageFunctions> stages = std::move(*stagesOr);
  int64_t numStages = stages.size();
  DictionaryAttr info0 =
      stages[0].forward->getAttrOfType<DictionaryAttr>(kPipelineAttrName);
  DictionaryAttr infoLast =
      stages.back().forward->getAttrOfType<DictionaryAttr>(kPipelineAttrName);
  auto get = [](DictionaryAttr d, StringRef key) -> int64_t {
    auto a = d.getAs<IntegerAttr>(key);
    return a ? a.getInt() : -1;
  };
  auto optimizer = info0.getAs<StringAttr>("optimizer");
  int64_t statesPerParam = get(info0, "states_per_param");
  if (!optimizer || statesPerParam < 1 || statesPerParam > 2 ||
      get(infoLast, "primary_results") != 2)
    return stages[0].forward.emitError()
           << "malformed '" << kPipelineAttrName << "' attribute";

  // The model's parameter table, from the update functions' arguments.
  SmallVector<std::pair<std::string, RankedTensorType>> table;
  SmallVector<SmallVector<int64_t>> stageParams;
  for (StageFunctions s : stages) {
    auto info = s.update->getAttrOfType<DictionaryAttr>(kPipelineAttrName);
    auto indices = info.getAs<DenseI64ArrayAttr>("param_indices");
    if (!indices ||
        s.update.getNumArguments() != 1 + indices.size() * (2 + statesPerParam))
      return s.update.emitError()
             << "malformed update function: expected (step, params..., "
                "grads..., states...)";
    stageParams.emplace_back(indices.asArrayRef());
    for (auto [j, index] : llvm::enumerate(indices.asArrayRef())) {
      if (index < 0)
        return s.update.emitError("negative parameter index");
      if (table.size() <= size_t(index))
        table.resize(index + 1);
      auto name = s.update.getArgAttrOfType<StringAttr>(1 + j, "dl.param");
      if (!name || !table[index].first.empty())
        return s.update.emitError()
               << "parameter " << index << " is unnamed or in two stages";
      table[index] = {
          name.getValue().str(),
          cast<RankedTensorType>(s.update.getArgumentTypes()[1 + j])};
    }
  }
  for (auto [i, entry] : llvm::enumerate(table))
    if (entry.first.empty())
      return module.emitError() << "parameter " << i << " belongs to no stage";

  // Emit every function's body with its own emitter.
  std::vector<std::unique_ptr<DeviceEmitter>> emitters;
  SmallVector<std::string> names;
  for (auto [k, s] : llvm::enumerate(stages))
    for (auto [role, f] :
         {std::pair<StringRef, func::FuncOp>{"forward", s.forward},
          {"backward", s.backward},
          {"update", s.update}}) {
      auto e = std::make_unique<DeviceEmitter>(f, k);
      std::string name = ("dl_stage" + Twine(k) + "_" + role).str();
      e->symbolPrefix = name + "_";
      SmallVector<RankedTensorType> args, results;
      if (failed(e->emitBody(args, results)))
        return failure();
      if (!e->weightOrder.empty() || e->needsAllToAll)
        return f.emitError("a stage function may not read weights from the "
                           "weight store or use all-to-all");
      emitters.push_back(std::move(e));
      names.push_back(name);
    }

  os << "// Pipeline-training program of " << numStages
     << " stage(s), emitted by dl: MPI rank k runs stage k.\n"
     << "// Build: c++ -O3 -std=c++17 -I<dl>/include train.cpp -L<dl>/lib "
        "-ldlrt\n"
     << "// Run:   mpirun -np " << numStages
     << " train --help (docs/training.md).\n\n"
     << "#include \"dlrt/dlrt.h\"\n\n";
  emitStdIncludes(os);
  os << "namespace {\nint kRank = 0; // set by main()\n} // namespace\n";
  emitters.front()->emitPrelude(os);
  os << "\n//===--- Constants "
        "---------------------------------------------------===//\n\n";
  for (auto &e : emitters)
    os << e->globalsStr;
  os << "\n/// Materializes splat constants once.\nvoid dl_setup() {\n";
  for (auto &e : emitters)
    os << e->setupStr;
  os << "}\n";
  for (auto [e, name] : llvm::zip(emitters, names)) {
    os << "\n//===--- @" << e->func.getSymName() << " "
       << std::string(std::max<int>(3, 60 - e->func.getSymName().size()), '-')
       << "===//\n\n";
    os << "void " << name
       << "([[maybe_unused]] float *const *in, [[maybe_unused]] float "
          "**out) {\n"
       << e->bodyStr << "}\n";
  }

  os << "\n//===--- Pipeline-training program "
        "-----------------------------------===//\n\n";
  for (auto [i, entry] : llvm::enumerate(table))
    os << "const int64_t kParamShape" << i
       << "[] = " << joinBraced(entry.second.getShape()) << ";\n";
  os << "const dlrt_train_tensor kParams[] = {\n";
  for (auto [i, entry] : llvm::enumerate(table))
    os << "    {" << cString(entry.first) << ", " << entry.second.getRank()
       << ", kParamShape" << i << ", " << entry.second.getNumElements()
       << "},\n";
  os << "};\n";
  os << "const char *const kStateSuffixes[] = {"
     << (statesPerParam == 1 ? "\"velocity\"" : "\"m\", \"v\"") << "};\n";
  for (auto [k, s] : llvm::enumerate(stages)) {
    os << "const int kStage" << k << "Params[] = {";
    llvm::interleaveComma(stageParams[k], os);
    if (stageParams[k].empty())
      os << "0";
    os << "};\n";
    auto fwdInfo = s.forward->getAttrOfType<DictionaryAttr>(kPipelineAttrName);
    int64_t primary = get(fwdInfo, "primary_results");
    if (primary < 1 || int64_t(s.forward.getNumResults()) < primary)
      return s.forward.emitError("malformed forward function");
    os << "const int64_t kStage" << k << "Saved[] = {";
    SmallVector<int64_t> saved;
    for (Type t : s.forward.getResultTypes().drop_front(primary))
      saved.push_back(elements(t));
    llvm::interleaveComma(saved, os);
    if (saved.empty())
      os << "0";
    os << "};\n";
  }
  os << "const dlrt_pipeline_stage kStages[] = {\n";
  for (auto [k, s] : llvm::enumerate(stages)) {
    auto fwdInfo = s.forward->getAttrOfType<DictionaryAttr>(kPipelineAttrName);
    int64_t primary = get(fwdInfo, "primary_results");
    auto layers = fwdInfo.getAs<DenseI64ArrayAttr>("layers");
    std::string range =
        layers && layers.size() == 2
            ? std::to_string(layers[0]) + "-" + std::to_string(layers[1] - 1)
            : "?";
    os << "    {/*num_params=*/" << stageParams[k].size() << ", kStage" << k
       << "Params, /*num_saved=*/" << s.forward.getNumResults() - primary
       << ", kStage" << k << "Saved,\n     /*in_elements=*/"
       << elements(s.forward.getArgumentTypes()[0]) << ", /*out_elements=*/"
       << elements(s.forward.getResultTypes()[primary - 1]) << ", /*layers=*/"
       << cString(range) << ",\n     " << names[3 * k] << ", "
       << names[3 * k + 1] << ", " << names[3 * k + 2] << "},\n";
  }
  os << "};\n";
  auto x = cast<RankedTensorType>(stages[0].forward.getArgumentTypes()[0]);
  os << "const int64_t kInputShape[] = " << joinBraced(x.getShape())
     << ";\n\n} // namespace\n\n"
     << "int main(int argc, char **argv) {\n"
     << "  dlrt_init(&argc, &argv);\n"
     << "  kRank = dlrt_rank();\n"
     << "  dl_setup();\n"
     << "  dlrt_pipeline_program program = {\n"
     << "      /*num_stages=*/" << numStages << ", kStages,\n"
     << "      /*micro_batch=*/" << get(info0, "micro_batch")
     << ", /*micro_batches=*/" << get(info0, "micro_batches")
     << ", /*classes=*/" << get(info0, "classes") << ",\n"
     << "      /*input_rank=*/" << x.getRank() << ", kInputShape,\n"
     << "      /*num_params=*/" << table.size() << ", kParams, "
     << "/*states_per_param=*/" << statesPerParam << ", kStateSuffixes,\n"
     << "      " << cString(optimizer.getValue()) << ", /*schedule=*/"
     << "\"1f1b\", dl_free};\n"
     << "  int status = dlrt_pipeline_main(&program, argc, argv);\n"
     << "  dlrt_finalize();\n"
     << "  return status;\n}\n";
  return success();
}
