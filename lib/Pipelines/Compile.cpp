//===- Compile.cpp - one call from an imported module to an object --------===//
#include "qcc/Pipelines/Pipelines.h"

#include "qcc/Dialect/Qcc/IR/QccDialect.h"

#include "llvm/ADT/SmallString.h"

#include <optional>

using namespace mlir;

namespace mlir::qcc {

RequantMode defaultRequantMode(const TargetDesc &target) {
  return target.isCortexM() ? RequantMode::Fixed : RequantMode::Float;
}

std::string checkCompileOptions(const CompileOptions &options) {
  if (options.threads > 1 && options.target.isCortexM())
    return "--threads=" + std::to_string(options.threads) +
           " needs an operating system's threads; target '" + options.target.name +
           "' is bare metal (use --threads=1)";
  return "";
}

FailureOr<CompiledModel> compile(ModuleOp module, const CompileOptions &options, EmitKind emit,
                                 llvm::StringRef sourceName, std::string &error,
                                 function_ref<LogicalResult(PassManager &)> configure,
                                 TimingScope *timing) {
  MLIRContext *ctx = module.getContext();
  error = checkCompileOptions(options);
  if (!error.empty())
    return failure();
  // Both pass managers live until the end: timing reports key passes by address.
  PassManager qccPm(ctx), lowerPm(ctx);
  auto run = [&](PassManager &pm, function_ref<void(OpPassManager &)> build,
                 llvm::StringRef stage) {
    if (timing)
      pm.enableTiming(*timing);
    if (configure && failed(configure(pm))) {
      error = "invalid pass manager options";
      return false;
    }
    build(pm);
    if (failed(pm.run(module))) {
      error = stage.str();
      return false;
    }
    return true;
  };
  CompiledModel result;
  if (!run(qccPm, [&](OpPassManager &pm) { buildQccPipeline(pm, options); },
           "the qcc pipeline failed"))
    return failure();
  if (emit == EmitKind::Mlir) {
    llvm::raw_string_ostream os(result.code);
    module.print(os);
    return result;
  }
  result.interface = describeInterface(module);
  {
    llvm::raw_string_ostream os(result.layerReport);
    printLayerReport(module, os);
  }
  if (!run(lowerPm, [&](OpPassManager &pm) { buildLoweringPipeline(pm, options); },
           "lowering to LLVM failed"))
    return failure();
  // The plan qcc-plan-arena and qcc-parallelize-layers left on the module.
  ModelInterface &iface = result.interface;
  auto read = [&](llvm::StringRef name, int64_t &field) {
    if (auto a = module->getAttrOfType<IntegerAttr>(name))
      field = a.getInt();
  };
  read(mlir::qcc::kArenaSizeAttrName, iface.arenaSize);
  read(mlir::qcc::kArenaLowerBoundAttrName, iface.arenaLowerBound);
  read(mlir::qcc::kArenaAlignmentAttrName, iface.arenaAlign);
  read(mlir::qcc::kParallelLayersAttrName, iface.parallelLayers);
  read(mlir::qcc::kLayersAttrName, iface.layers);

  OutputKind kind = emit == EmitKind::LLVMIR     ? OutputKind::LLVMIR
                    : emit == EmitKind::Assembly ? OutputKind::Assembly
                                                 : OutputKind::Object;
  {
    std::optional<TimingScope> cg;
    if (timing)
      cg.emplace(timing->nest("LLVM optimization and code generation"));
    llvm::SmallString<0> code;
    llvm::raw_svector_ostream os(code);
    if (!emitCode(module, options, kind, os, error))
      return failure();
    result.code.assign(code.begin(), code.end());
  }
  if (emit == EmitKind::Object) {
    llvm::raw_string_ostream os(result.header);
    writeCHeader(iface, options, sourceName, os);
  }
  return result;
}

} // namespace mlir::qcc
