//===- CodeGen.cpp - LLVM dialect to IR, assembly or object ---------------===//
//
// In process: MLIR's LLVM IR translation, LLVM's new pass manager at -O0..-O3, then the
// TargetMachine's code generator. No llc, no shelling out.
//
//===----------------------------------------------------------------------===//
#include "qcc/Pipelines/Pipelines.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/Analysis/CGSCCPassManager.h"
#include "llvm/Analysis/LoopAnalysisManager.h"
#include "llvm/CodeGen/MachineModuleInfo.h"
#include "llvm/CodeGen/Passes.h"
#include "llvm/CodeGen/TargetPassConfig.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"

using namespace mlir;

/// True if the function computes on vectors: qcc vectorized it itself.
static bool hasVectorCode(const llvm::Function &f) {
  for (const llvm::BasicBlock &bb : f)
    for (const llvm::Instruction &inst : bb) {
      if (inst.getType()->isVectorTy())
        return true;
      for (const llvm::Value *op : inst.operands())
        if (op->getType()->isVectorTy())
          return true;
    }
  return false;
}

/// The code generator's passes, as LLVMTargetMachine::addPassesToEmitFile adds them, with
/// the pre-register-allocation machine scheduler left out unless `machineScheduler`: a
/// choice of this target machine's pass configuration, not of LLVM's process-global
/// -enable-misched option. True on failure.
static bool addCodegenPasses(llvm::LLVMTargetMachine &tm, llvm::legacy::PassManager &pm,
                             llvm::raw_pwrite_stream &os, llvm::CodeGenFileType type,
                             bool machineScheduler) {
  auto *mmi = new llvm::MachineModuleInfoWrapperPass(&tm);
  llvm::TargetPassConfig *config = tm.createPassConfig(pm);
  config->setDisableVerify(true);
  if (!machineScheduler)
    config->disablePass(&llvm::MachineSchedulerID);
  pm.add(config);
  pm.add(mmi);
  if (config->addISelPasses())
    return true;
  config->addMachinePasses();
  config->setInitialized();
  if (tm.addAsmPrinter(pm, os, nullptr, type, mmi->getMMI().getContext()))
    return true;
  pm.add(llvm::createFreeMachineFunctionPass());
  return false;
}

static void initializeLLVMTargets() {
  static bool done = [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
    return true;
  }();
  (void)done;
}

bool ::mlir::qcc::emitCode(ModuleOp module, const CompileOptions &options, OutputKind kind,
                   llvm::raw_pwrite_stream &os, std::string &error) {
  initializeLLVMTargets();
  const TargetDesc &t = options.target;
  std::string lookupError;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(t.triple, lookupError);
  if (!target) {
    error = "LLVM has no backend for triple '" + t.triple + "': " + lookupError;
    return false;
  }
  llvm::CodeGenOptLevel cgLevel = options.optLevel == 0   ? llvm::CodeGenOptLevel::None
                                  : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                                  : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                                          : llvm::CodeGenOptLevel::Aggressive;
  llvm::TargetOptions targetOptions; // no FP contraction beyond fmuladd: bit-stable numerics
  // Cortex-M with an FPU: the hard-float procedure call standard (float arguments in s0-s15),
  // as the triple's "eabihf" says and arm-none-eabi-gcc -mfloat-abi=hard links against.
  if (t.isCortexM() && t.hasFPU)
    targetOptions.FloatABIType = llvm::FloatABI::Hard;
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      t.triple, t.cpu, t.features, targetOptions,
      // Microcontroller firmware is linked at fixed addresses: static, not position-independent.
      t.isCortexM() ? llvm::Reloc::Static : llvm::Reloc::PIC_, std::nullopt, cgLevel));
  if (!tm) {
    error = "LLVM could not create a target machine for " + t.triple + " / " + t.cpu;
    return false;
  }

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, options.name);
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return false;
  }
  llvmModule->setTargetTriple(t.triple);
  llvmModule->setDataLayout(tm->createDataLayout());
  for (llvm::Function &f : *llvmModule) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", t.cpu);
    if (!t.features.empty())
      f.addFnAttr("target-features", t.features);
    f.addFnAttr(llvm::Attribute::NoUnwind);
    // A function qcc left as scalar loops (an elementwise op or data movement outside a
    // convolution; qcc vectorizes the kernels itself) is optimized for size. LLVM fully
    // unrolled such loops (64 copies of a scalar Relu per row on AArch64): a chain of 1,000
    // Relu layers took 40 s to compile for aarch64-rpi4 and 6.9 s for x86_64, 5.7 s and
    // 4.4 s without; the MobileNetV2-style float net's .text went from 176 KB to 66 KB
    // (compile 4.4 -> 3.4 s) with run times unchanged within noise (bench, x86_64-v4).
    if (!hasVectorCode(f))
      f.addFnAttr(llvm::Attribute::OptimizeForSize);
  }

  if (options.optLevel > 0) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::OptimizationLevel level = options.optLevel == 1   ? llvm::OptimizationLevel::O1
                                    : options.optLevel == 2 ? llvm::OptimizationLevel::O2
                                                            : llvm::OptimizationLevel::O3;
    llvm::ModulePassManager mpm = pb.buildPerModuleDefaultPipeline(level);
    mpm.run(*llvmModule, mam);
  }

  if (kind == OutputKind::LLVMIR) {
    llvmModule->print(os, nullptr);
    return true;
  }
  // x86: LLVM's pre-register-allocation machine scheduler took half of code generation
  // on the unrolled kernels (1.5 s of 5.6 s for the float MobileNetV2-style model), and
  // bench measured no difference in run time on these out-of-order cores without it: off
  // in this target machine's pass configuration (TargetDesc::preRAScheduler), unless asked
  // for with --enable-misched. (AArch64 keeps it: the Cortex-A72 is narrow.)
  auto &registered = llvm::cl::getRegisteredOptions();
  auto misched = registered.find("enable-misched");
  bool askedFor = misched != registered.end() && misched->second->getNumOccurrences() > 0;
  llvm::legacy::PassManager codegen;
  auto fileType = kind == OutputKind::Assembly ? llvm::CodeGenFileType::AssemblyFile
                                               : llvm::CodeGenFileType::ObjectFile;
  if (addCodegenPasses(*static_cast<llvm::LLVMTargetMachine *>(tm.get()), codegen, os, fileType,
                       /*machineScheduler=*/t.preRAScheduler || askedFor)) {
    error = "the target cannot emit this file type";
    return false;
  }
  codegen.run(*llvmModule);
  return true;
}
