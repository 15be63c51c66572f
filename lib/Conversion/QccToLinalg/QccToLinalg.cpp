//===- QccToLinalg.cpp - lower qcc ops to linalg on tensors ---------------===//
//
// Every qcc op becomes linalg.generic (or linalg.transpose / tensor ops) on tensors.
// Quantized element types become their integer storage types here; their scales and zero
// points become constants in the bodies that need them. The patterns live in one file per
// op family beside this one (Conv.cpp, MatMul.cpp, Elementwise.cpp, Softmax.cpp,
// Pooling.cpp, DataMovement.cpp, Quantization.cpp); their shared helpers in
// LoweringUtils.h. This file holds the type conversion and the pass.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qcc/Conversion/Passes.h"
#include "qcc/Dialect/Qcc/IR/QccOps.h"

#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_CONVERTQCCTOLINALG
#include "qcc/Conversion/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

struct QccTypeConverter : TypeConverter {
  QccTypeConverter() {
    addConversion([](Type t) { return t; });
    addConversion([](quant::QuantizedType t) -> Type {
      return IntegerType::get(t.getContext(), t.getStorageTypeIntegralWidth());
    });
    addConversion([this](RankedTensorType t) -> Type {
      return RankedTensorType::get(t.getShape(), convertType(t.getElementType()));
    });
  }
};

struct ConvertQccToLinalgPass
    : mlir::qcc::impl::ConvertQccToLinalgBase<ConvertQccToLinalgPass> {
  using ConvertQccToLinalgBase::ConvertQccToLinalgBase;
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    QccTypeConverter converter;
    ConversionTarget target(*ctx);
    target.addIllegalDialect<QccDialect, quant::QuantizationDialect>();
    target.addLegalOp<ModuleOp>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect, arith::ArithDialect,
                           math::MathDialect, scf::SCFDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp f) {
      return converter.isSignatureLegal(f.getFunctionType());
    });
    target.addDynamicallyLegalOp<func::ReturnOp>(
        [&](func::ReturnOp r) { return converter.isLegal(r.getOperandTypes()); });
    target.addDynamicallyLegalOp<arith::ConstantOp>(
        [&](arith::ConstantOp c) { return converter.isLegal(c.getType()); });

    {
      RewritePatternSet prepare(ctx);
      populateGemmAsConvPatterns(prepare);
      if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(prepare))))
        return signalPassFailure();
    }
    LoweringOptions o;
    o.fixed = requantMode == RequantMode::Fixed;
    o.vectorLanes = int64_t(vectorBits / 32);
    o.blockLanes = o.vectorLanes * int64_t(std::max(vectorRegisters / 2, 1u));
    o.pairProducts = pairProducts;
    o.quadProducts = quadProducts;
    o.quadUnsignedInput = quadUnsignedInput;
    o.scalarBlocks = scalarBlocks;
    o.quadPairSums16 = quadPairSums16;
    o.depthwiseRowBlocks = depthwiseRowBlocks;
    o.blockedLanes = int64_t(blockedLanes);
    o.hardwareFma = hardwareFma;
    RewritePatternSet patterns(ctx);
    populateConvPatterns(converter, patterns, o);
    populateMatMulPatterns(converter, patterns, o);
    populateElementwisePatterns(converter, patterns, o);
    populateSoftmaxPatterns(converter, patterns, o);
    populatePoolingPatterns(converter, patterns, o);
    populateDataMovementPatterns(converter, patterns);
    populateDetectionPatterns(converter, patterns);
    populateDynamicQuantPatterns(converter, patterns);
    populateQuantizationPatterns(converter, patterns, o);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns, converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    if (failed(applyFullConversion(getOperation(), target, std::move(patterns))))
      return signalPassFailure();
    // Each tensor.empty the lowerings created gets its own `qcc.distinct` number, in walk
    // order: deterministic, and independent of what else the process compiled.
    int64_t next = 0;
    getOperation().walk([&](tensor::EmptyOp empty) {
      if (empty->hasAttr(kDistinctAttrName))
        empty->setAttr(kDistinctAttrName, IntegerAttr::get(IntegerType::get(ctx, 64), next++));
    });
  }
};

} // namespace
