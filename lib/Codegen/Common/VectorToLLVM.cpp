//===- VectorToLLVM.cpp - vector to LLVM with a chosen index width --------===//
//
// Upstream's convert-vector-to-llvm (LLVM 19) converts with a 64-bit index whatever the
// target; this pass runs the same patterns with the index width the pipeline gives, so
// that 32-bit targets (Cortex-M) get one memref descriptor layout throughout.
//
//===----------------------------------------------------------------------===//
#include "qcc/Codegen/Passes.h"

#include "mlir/Conversion/LLVMCommon/ConversionTarget.h"
#include "mlir/Conversion/LLVMCommon/LoweringOptions.h"
#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCVECTORTOLLVM
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {
struct QccVectorToLLVMPass : public mlir::qcc::impl::QccVectorToLLVMBase<QccVectorToLLVMPass> {
  using Base::Base;

  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    // Vector-to-vector lowerings first (what upstream's pass does before converting).
    {
      RewritePatternSet patterns(ctx);
      vector::populateVectorToVectorCanonicalizationPatterns(patterns);
      vector::populateVectorBroadcastLoweringPatterns(patterns);
      vector::populateVectorContractLoweringPatterns(patterns, vector::VectorTransformsOptions());
      vector::populateVectorMaskOpLoweringPatterns(patterns);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorInterleaveLoweringPatterns(patterns);
      vector::populateVectorTransposeLoweringPatterns(patterns,
                                                      vector::VectorTransformsOptions());
      // Transfers of rank > 1 were unrolled by convert-vector-to-scf.
      vector::populateVectorTransferLoweringPatterns(patterns, /*maxTransferRank=*/1);
      (void)applyPatternsAndFoldGreedily(getOperation(), std::move(patterns));
    }
    LowerToLLVMOptions options(ctx);
    if (indexBitwidth != 0)
      options.overrideIndexBitwidth(indexBitwidth);
    LLVMTypeConverter converter(ctx, options);
    RewritePatternSet patterns(ctx);
    vector::populateVectorMaskMaterializationPatterns(patterns, /*force32BitVectorIndices=*/true);
    vector::populateVectorTransferLoweringPatterns(patterns);
    populateVectorToLLVMMatrixConversionPatterns(converter, patterns);
    populateVectorToLLVMConversionPatterns(converter, patterns, /*reassociateFPReductions=*/false,
                                           /*force32BitVectorIndices=*/true);
    LLVMConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect, memref::MemRefDialect>();
    target.addLegalOp<UnrealizedConversionCastOp>();
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
