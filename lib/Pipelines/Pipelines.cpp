//===- Pipelines.cpp - qcc's pass pipelines -------------------------------===//
#include "qcc/Pipelines/Pipelines.h"
#include "qcc/Conversion/Passes.h"
#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Codegen/Passes.h"
#include "qcc/Dialect/Qcc/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVMPass.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/Extensions/AllExtensions.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Linalg/Transforms/TilingInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/Transforms/SubsetOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/SubsetInsertionOpInterfaceImpl.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void ::mlir::qcc::buildQccPipeline(OpPassManager &pm, const CompileOptions &options) {
  pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccDecomposeConvTranspose());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccRuntimeZeroPoints());
  mlir::qcc::QccFoldFakeQuantOptions foldOpts;
  foldOpts.requantMode = options.requantMode;
  pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccFoldFakeQuant(foldOpts));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccFuseRequantize());
}

void ::mlir::qcc::buildLoweringPipeline(OpPassManager &pm, const CompileOptions &options) {
  mlir::qcc::ConvertQccToLinalgOptions convertOpts;
  convertOpts.requantMode = options.requantMode;
  convertOpts.vectorBits = options.target.vectorBits;
  convertOpts.vectorRegisters = options.target.vectorRegisters;
  const TargetDesc &t = options.target;
  bool x86 = t.isX86();
  // x86: integer convolutions multiply pairs of channels, which qcc-x86-dot-products turns
  // into VPDPWSSD (AVX512-VNNI) or PMADDWD (AVX2 / SSE2).
  X86DotIsa isa = t.hasVNNI ? X86DotIsa::VNNI
                  : t.vectorBits >= 256 ? X86DotIsa::AVX2
                                        : X86DotIsa::SSE2;
  convertOpts.pairProducts = x86;
  // The Cortex-M DSP extension (M4, M7, and the M55, whose MVE vectors qcc does not use for
  // convolutions yet: its scalar DSP code ran the MLPerf Tiny models in 1.9-4.6 instructions
  // per MAC against 2.0-5.5 for LLVM's MVE code of the generic kernels): quads of signed
  // bytes, as for SDOT, each expanded in registers by two SXTB16 and multiplied by two
  // SMLADs (qcc-cortex-m-dot-products). The weights stay bytes in flash and the input bytes
  // in RAM (pairs of 16-bit values would double both).
  bool smlad = t.isCortexM() && t.hasDSP;
  // AArch64 with the dot product (Cortex-A76): quads of channels through SDOT.
  bool sdot = t.hasDotProduct;
  // x86 with AVX512-VNNI: quads of channels through VPDPBUSD (u8 input bytes x s8 weights)
  // where the weights allow it, pairs through VPDPWSSD elsewhere.
  // AArch64 without it (Cortex-A72): the same quads, summed by pairs in 16 bits
  // (SMULL, ADDP, SADALP: qcc-arm-dot-products with dot-product=false).
  bool aarch64 = t.isAArch64();
  convertOpts.quadProducts = sdot || aarch64 || (x86 && isa == X86DotIsa::VNNI) || smlad;
  convertOpts.quadPairSums16 = aarch64 && !sdot;
  convertOpts.quadUnsignedInput = x86;
  convertOpts.scalarBlocks = t.isCortexM();
  convertOpts.depthwiseRowBlocks = x86;
  // Fused multiply-add instructions: AArch64, x86-64-v3 and later (or a host with FMA).
  bool hardwareFma = t.hasFMA;
  convertOpts.hardwareFma = hardwareFma;
  // x86: float convolutions on channel-blocked (NCHWc) activations, one register's worth of
  // channels per block. Measured on the float MobileNetV2-style net against NCHW:
  // x86-64-v4 10.5 -> 6.4 ms, x86-64-v3 17.7 -> 14.4 ms, x86-64 (SSE2) 25.5 -> 22.5 ms.
  // AArch64 (4 lanes): the float MobileNetV2-style net's llvm-mca whole-model estimate on
  // the Cortex-A72 64.0 -> 62.5 ms (bench/mca.py --model; not measured on hardware).
  convertOpts.blockedLanes = x86 || aarch64 ? t.vectorBits / 32 : 0;
  pm.addPass(mlir::qcc::createConvertQccToLinalg(convertOpts));
  if (convertOpts.blockedLanes)
    pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccPropagateChannelBlocks());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccVectorizeConv());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Tensors to buffers. Results become out-parameters that the producer writes directly;
  // what remains allocated goes into the arena.
  bufferization::OneShotBufferizationOptions bufOpts;
  bufOpts.bufferizeFunctionBoundaries = true;
  bufOpts.setFunctionBoundaryTypeConversion(bufferization::LayoutMapOption::IdentityLayoutMap);
  // Copies into strided views (tensor.pad, insert_slice) become loops, not a call to the
  // memrefCopy runtime function: the object may reference nothing but memcpy/memset.
  auto linalgCopy = [](OpBuilder &b, Location loc, Value from, Value to) {
    b.create<linalg::CopyOp>(loc, from, to);
    return success();
  };
  bufOpts.memCpyFn = linalgCopy;
  // Results that are arguments, constants or returned twice get a buffer of their own.
  pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccDistinctResults());
  pm.addPass(bufferization::createOneShotBufferizePass(bufOpts));
  bufferization::BufferResultsToOutParamsOpts outOpts;
  outOpts.hoistStaticAllocs = true;
  outOpts.memCpyFn = linalgCopy;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outOpts));
  pm.addPass(createCSEPass()); // identical subviews: the in-place tile copy becomes a self-copy
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccHoistAccumulators());
  pm.addPass(createCanonicalizerPass());
  if (aarch64) {
    mlir::qcc::QccArmDotProductsOptions armOpts;
    armOpts.dotProduct = sdot;
    pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccArmDotProducts(armOpts));
  }
  if (smlad)
    pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccCortexMDotProducts());
  if (x86) {
    mlir::qcc::QccX86DotProductsOptions dotOpts;
    dotOpts.instructionSet = isa;
    pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccX86DotProducts(dotOpts));
  }
  pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccElidePadCopies());
  // Byte-masked stores: AVX-512BW (VMOVDQU8 with a mask register), part of x86-64-v4.
  mlir::qcc::QccTransposeStoresOptions transposeOpts;
  transposeOpts.maskedStores = t.hasAVX512BW;
  pm.addNestedPass<func::FuncOp>(mlir::qcc::createQccTransposeStores(transposeOpts));
  pm.addPass(createCanonicalizerPass());
  mlir::qcc::QccPlanArenaOptions arenaOpts;
  arenaOpts.alignment = options.arenaAlignment;
  pm.addPass(mlir::qcc::createQccPlanArena(arenaOpts));
  pm.addPass(mlir::qcc::createQccOutlineLayers());

  // Loops, then LLVM.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  if (options.threads > 1) {
    pm.addPass(createCanonicalizerPass());
    mlir::qcc::QccParallelizeLayersOptions parOpts;
    parOpts.threads = options.threads;
    pm.addPass(mlir::qcc::createQccParallelizeLayers(parOpts));
  }
  pm.addPass(createLowerAffinePass());
  // Fully unrolled: N-D transfers become 1-D transfers, with no stack buffer in between.
  pm.addPass(createConvertVectorToSCFPass(VectorTransferToSCFOptions().enableFullUnroll()));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  mlir::qcc::QccExpandMathOptions mathOpts;
  mathOpts.magicRounding = x86;
  mathOpts.keepFma = hardwareFma;
  mathOpts.expandRoundEven = t.isCortexM();
  pm.addPass(mlir::qcc::createQccExpandMath(mathOpts));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Index arithmetic as wide as a pointer: 32 bits on the Cortex-M targets (64-bit index
  // math there costs register pairs and carries on every address).
  unsigned indexBits = t.pointerBits() == 32 ? 32 : 0; // 0: LLVM dialect default (64)
  FinalizeMemRefToLLVMConversionPassOptions memrefOpts;
  memrefOpts.indexBitwidth = indexBits;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefOpts));
  if (indexBits) {
    mlir::qcc::QccVectorToLLVMOptions vectorOpts;
    vectorOpts.indexBitwidth = indexBits;
    pm.addPass(mlir::qcc::createQccVectorToLLVM(vectorOpts));
  } else {
    pm.addPass(createConvertVectorToLLVMPass());
  }
  pm.addPass(createConvertMathToLLVMPass());
  ArithToLLVMConversionPassOptions arithOpts;
  arithOpts.indexBitwidth = indexBits;
  pm.addPass(createArithToLLVMConversionPass(arithOpts));
  ConvertFuncToLLVMPassOptions funcOpts;
  funcOpts.useBarePtrCallConv = true;
  funcOpts.indexBitwidth = indexBits;
  pm.addPass(createConvertFuncToLLVMPass(funcOpts));
  ConvertControlFlowToLLVMPassOptions cfOpts;
  cfOpts.indexBitwidth = indexBits;
  pm.addPass(createConvertControlFlowToLLVMPass(cfOpts));
  pm.addPass(createReconcileUnrealizedCastsPass());
  mlir::qcc::QccExportCAbiOptions abiOpts;
  abiOpts.name = options.name;
  pm.addPass(mlir::qcc::createQccExportCAbi(abiOpts));
  if (options.threads > 1) {
    mlir::qcc::QccLaunchParallelOptions launchOpts;
    launchOpts.threads = options.threads;
    pm.addPass(mlir::qcc::createQccLaunchParallel(launchOpts));
  }
  pm.addPass(createCanonicalizerPass());
}

void ::mlir::qcc::registerQccDialects(DialectRegistry &registry) {
  registry.insert<mlir::qcc::QccDialect, quant::QuantizationDialect, func::FuncDialect,
                  arith::ArithDialect, math::MathDialect, linalg::LinalgDialect,
                  tensor::TensorDialect, bufferization::BufferizationDialect,
                  memref::MemRefDialect, scf::SCFDialect, cf::ControlFlowDialect,
                  affine::AffineDialect, vector::VectorDialect, LLVM::LLVMDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  linalg::registerTilingInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  vector::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerSubsetOpInterfaceExternalModels(registry);
  vector::registerSubsetOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(registry);
  func::registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

namespace {
/// The options of the qcc-lower-to-llvm pipeline: the driver's flags of the same names.
struct LoweringPipelineOptions : public PassPipelineOptions<LoweringPipelineOptions> {
  Option<std::string> target{*this, "target",
                             llvm::cl::desc("A --target name (qcc --list-targets); empty: "
                                            "generic, no target features")};
  Option<::mlir::qcc::RequantMode> requant{
      *this, "requant",
      llvm::cl::desc("Integer requantization arithmetic (default: the target's, "
                     "defaultRequantMode)"),
      llvm::cl::values(clEnumValN(::mlir::qcc::RequantMode::Float, "float", "ONNX Runtime's MLAS"),
                       clEnumValN(::mlir::qcc::RequantMode::Fixed, "fixed", "TFLite's gemmlowp"))};
  Option<int64_t> threads{*this, "threads", llvm::cl::desc("Threads per layer"),
                          llvm::cl::init(1)};
  Option<std::string> name{*this, "name", llvm::cl::desc("C identifier prefix"),
                           llvm::cl::init("model")};
};
} // namespace

void ::mlir::qcc::registerQccPasses() {
  mlir::qcc::registerQccConversionPasses();
  mlir::qcc::registerQccTransformsPasses();
  mlir::qcc::registerQccCodegenPasses();
  // The upstream passes the pipelines use, so that qcc-opt can run them one by one.
  registerCanonicalizerPass();
  registerCSEPass();
  bufferization::registerBufferizationPasses();
  registerLinalgPasses();
  memref::registerMemRefPasses();
  registerConvertFuncToLLVMPass();
  registerFinalizeMemRefToLLVMConversionPass();
  registerArithToLLVMConversionPass();
  registerConvertMathToLLVMPass();
  registerConvertControlFlowToLLVMPass();
  registerSCFToControlFlowPass();
  registerReconcileUnrealizedCastsPass();
  registerConvertAffineToStandardPass();
  registerConvertVectorToSCF();
  registerConvertVectorToLLVMPass();

  static PassPipelineRegistration<> qccPipeline(
      "qcc-pipeline", "qcc's dialect-level pipeline (what --emit=mlir shows)",
      [](OpPassManager &pm) { buildQccPipeline(pm, CompileOptions()); });
  // qcc-opt --qcc-lower-to-llvm='target=aarch64-rpi4 requant=fixed' is the driver's
  // lowering for that target; without target=, a generic one (no target features).
  registerPassPipeline(
      "qcc-lower-to-llvm",
      "Lower the qcc dialect to the LLVM dialect with the C entry point (options: target=, "
      "requant=, threads=, name=)",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) -> LogicalResult {
        LoweringPipelineOptions opts;
        if (failed(opts.parseFromString(text)))
          return failure();
        CompileOptions options;
        if (!opts.target.empty()) {
          std::optional<TargetDesc> t = lookupTarget(opts.target);
          if (!t)
            return errorHandler("qcc-lower-to-llvm: unknown target '" + opts.target +
                                "'; known targets: " + knownTargetNames());
          options.target = *t;
        }
        options.requantMode =
            opts.requant.hasValue() ? opts.requant : defaultRequantMode(options.target);
        if (opts.threads < 1 || opts.threads > 64)
          return errorHandler("qcc-lower-to-llvm: threads must be 1 to 64");
        options.threads = opts.threads;
        if (std::string why = checkCompileOptions(options); !why.empty())
          return errorHandler("qcc-lower-to-llvm: " + why);
        options.name = opts.name;
        buildLoweringPipeline(pm, options);
        return success();
      },
      [](function_ref<void(const mlir::detail::PassOptions &)> printOptions) {
        printOptions(LoweringPipelineOptions());
      });
}
