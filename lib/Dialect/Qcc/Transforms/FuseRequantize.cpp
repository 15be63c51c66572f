//===- FuseRequantize.cpp - requantization epilogues ----------------------===//
//
// After qcc-fold-fake-quant every integer conv2d / matmul / gemm yields an int32
// accumulator that one qcc.requantize turns into 8 bits. This pass moves that requantize
// into the producer (the `accumulator` / `multiplier` / `clamp_*` attributes), so that the
// lowering computes it on the accumulator's register block and no int32 tensor is ever
// stored; it then merges what follows a requantization without changing a single result.
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Transforms/Passes.h"
#include "qcc/Dialect/Qcc/Utils/QuantParams.h"

#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <algorithm>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCFUSEREQUANTIZE
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

using quant::UniformQuantizedPerAxisType;
using quant::UniformQuantizedType;

/// The f32 multipliers qcc.requantize uses when none is given: scale_in / scale_out per
/// channel, precomputed here so the fused op carries them.
SmallVector<float> defaultMultipliers(Type in, UniformQuantizedType out) {
  SmallVector<float> m;
  auto so = static_cast<float>(out.getScale());
  for (float s : getQuantParams(in).scales)
    m.push_back(s / so);
  return m;
}

/// requantize(conv2d | matmul | gemm) -> the contraction with a fused epilogue.
template <typename OpT>
struct FuseIntoProducer : OpRewritePattern<RequantizeOp> {
  using OpRewritePattern<RequantizeOp>::OpRewritePattern;
  LogicalResult matchAndRewrite(RequantizeOp rq, PatternRewriter &rewriter) const override {
    auto producer = rq.getInput().template getDefiningOp<OpT>();
    if (!producer || producer.getAccumulator() || !producer->hasOneUse())
      return failure();
    auto out = productActivationType(rq.getType().getElementType());
    if (!out)
      return failure();
    Type acc = producer.getType().getElementType();
    SmallVector<float> mult = rq.getMultiplier()
                                  ? SmallVector<float>(rq.getMultiplier()->begin(),
                                                       rq.getMultiplier()->end())
                                  : defaultMultipliers(acc, out);
    Operation *fused = rewriter.clone(*producer);
    fused->getResult(0).setType(rq.getType());
    fused->setAttr("accumulator", TypeAttr::get(acc));
    fused->setAttr("multiplier", rewriter.getDenseF32ArrayAttr(mult));
    if (auto lo = rq.getClampMinAttr())
      fused->setAttr("clamp_min", lo);
    if (auto hi = rq.getClampMaxAttr())
      fused->setAttr("clamp_max", hi);
    rewriter.replaceOp(rq, fused->getResults());
    rewriter.eraseOp(producer);
    return success();
  }
};

/// No multiplier (scale_in / scale_out applies) or every multiplier exactly 1.
bool hasUnitMultiplier(RequantizeOp rq) {
  auto m = rq.getMultiplier();
  return !m || llvm::all_of(*m, [](float v) { return v == 1.f; });
}

/// An op whose result is a requantization with an output clamp: qcc.requantize, or a
/// contraction with a fused epilogue.
bool isRequantizing(Operation *op) {
  if (isa_and_nonnull<RequantizeOp>(op))
    return true;
  return op && isa<Conv2DOp, MatMulOp, GemmOp>(op) && op->hasAttr("accumulator");
}

/// requantize2(requantize1(v)) where requantize2 only shifts the zero point and clamps
/// (equal scales, multiplier 1): one requantize with requantize2's type and the
/// intersection of both clamps, shifted. Exact in both arithmetic modes:
///   clamp(clamp(t + zp1, lo1, hi1) - zp1 + zp2, lo2, hi2)
///     = clamp(t + zp2, max(lo1 - zp1 + zp2, lo2), min(hi1 - zp1 + zp2, hi2)).
struct MergeShiftingRequantize : OpRewritePattern<RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RequantizeOp rq, PatternRewriter &rewriter) const override {
    Operation *producer = rq.getInput().getDefiningOp();
    if (!isRequantizing(producer) || !producer->hasOneUse())
      return failure();
    auto in = dyn_cast<UniformQuantizedType>(rq.getInput().getType().getElementType());
    auto out = dyn_cast<UniformQuantizedType>(rq.getType().getElementType());
    if (!in || !out || in.getScale() != out.getScale())
      return failure();
    if (!hasUnitMultiplier(rq))
      return failure();
    auto attrOr = [&](StringRef name, int64_t dflt) {
      auto a = producer->getAttrOfType<IntegerAttr>(name);
      return a ? a.getInt() : dflt;
    };
    int64_t shift = out.getZeroPoint() - in.getZeroPoint();
    int64_t outMin = out.getStorageTypeMin(), outMax = out.getStorageTypeMax();
    int64_t lo = std::max<int64_t>(attrOr("clamp_min", in.getStorageTypeMin()) + shift,
                                   rq.getClampMin().value_or(outMin));
    int64_t hi = std::min<int64_t>(attrOr("clamp_max", in.getStorageTypeMax()) + shift,
                                   rq.getClampMax().value_or(outMax));
    if (lo > hi)
      return failure(); // a constant result; not worth a special case
    rewriter.modifyOpInPlace(producer, [&] {
      producer->getResult(0).setType(rq.getType());
      if (lo > outMin)
        producer->setAttr("clamp_min", rewriter.getI64IntegerAttr(lo));
      else
        producer->removeAttr("clamp_min");
      if (hi < outMax)
        producer->setAttr("clamp_max", rewriter.getI64IntegerAttr(hi));
      else
        producer->removeAttr("clamp_max");
    });
    rewriter.replaceOp(rq, producer->getResults());
    return success();
  }
};

/// A requantize to its own type with multiplier 1 and no clamp is the identity.
struct RemoveIdentityRequantize : OpRewritePattern<RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RequantizeOp rq, PatternRewriter &rewriter) const override {
    if (rq.getInput().getType() != rq.getType() || rq.getClampMin() || rq.getClampMax())
      return failure();
    if (!hasUnitMultiplier(rq))
      return failure();
    rewriter.replaceOp(rq, rq.getInput());
    return success();
  }
};

/// quantize(dequantize(q)) with equal parameters is q.
struct RemoveIdentityQuantDequant : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto dq = q.getInput().getDefiningOp<DequantizeOp>();
    if (!dq || dq.getInput().getType() != q.getType())
      return failure();
    rewriter.replaceOp(q, dq.getInput());
    return success();
  }
};

struct QccFuseRequantizePass
    : mlir::qcc::impl::QccFuseRequantizeBase<QccFuseRequantizePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseIntoProducer<Conv2DOp>, FuseIntoProducer<MatMulOp>,
                 FuseIntoProducer<GemmOp>, MergeShiftingRequantize, RemoveIdentityRequantize,
                 RemoveIdentityQuantDequant>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
