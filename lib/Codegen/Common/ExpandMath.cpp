//===- ExpandMath.cpp - math ops without libm -----------------------------===//
#include "qcc/Codegen/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Approximation.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCEXPANDMATH
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {

/// fma(a, b, c) -> a * b + c: a target without an FMA unit would otherwise call fmaf.
struct SplitFma : OpRewritePattern<math::FmaOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::FmaOp op, PatternRewriter &rewriter) const override {
    Value mul = rewriter.create<arith::MulFOp>(op.getLoc(), op.getA(), op.getB());
    rewriter.replaceOpWithNewOp<arith::AddFOp>(op, mul, op.getC());
    return success();
  }
};

/// A constant of `type` (a scalar, or a shaped type splatted with `scalar`).
Value splatConstant(PatternRewriter &rewriter, Location loc, Type type, Attribute scalar) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    return rewriter.create<arith::ConstantOp>(loc, type, SplatElementsAttr::get(shaped, scalar));
  return rewriter.create<arith::ConstantOp>(loc, type, cast<TypedAttr>(scalar));
}

/// The value of a scalar or splat f32 constant that is an integer, if `v` is one.
std::optional<double> integralConstant(Value v) {
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  if (auto splat = dyn_cast<SplatElementsAttr>(attr))
    attr = splat.getSplatValue<Attribute>();
  auto f = dyn_cast<FloatAttr>(attr);
  if (!f || !f.getType().isF32())
    return std::nullopt;
  double d = f.getValueAsDouble();
  if (d != std::nearbyint(d))
    return std::nullopt;
  return d;
}

/// fptosi(minimumf(maximumf(roundeven(x) [+ zp], lo), hi)) -> i32, integral constants:
/// bitcast(minimumf(maximumf(x, lo - zp), hi - zp) + 1.5 * 2^23) - (0x4B400000 - zp).
struct MagicRounding : OpRewritePattern<arith::FPToSIOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::FPToSIOp op, PatternRewriter &rewriter) const override {
    Type i32 = getElementTypeOrSelf(op.getType());
    if (!i32.isInteger(32))
      return failure();
    auto min = op.getIn().getDefiningOp<arith::MinimumFOp>();
    auto max = min ? min.getLhs().getDefiningOp<arith::MaximumFOp>() : nullptr;
    if (!max)
      return failure();
    std::optional<double> lo = integralConstant(max.getRhs()), hi = integralConstant(min.getRhs());
    Value rounded = max.getLhs();
    double zp = 0;
    if (auto add = rounded.getDefiningOp<arith::AddFOp>()) {
      std::optional<double> z = integralConstant(add.getRhs());
      if (!z)
        return failure();
      zp = *z;
      rounded = add.getLhs();
    }
    auto round = rounded.getDefiningOp<math::RoundEvenOp>();
    constexpr double kLimit = 1 << 22;
    if (!round || !lo || !hi || std::abs(*lo - zp) >= kLimit || std::abs(*hi - zp) >= kLimit)
      return failure();
    Location loc = op.getLoc();
    Type type = round.getType();
    auto constant = [&](Type t, Attribute scalar) {
      return splatConstant(rewriter, loc, t, scalar);
    };
    auto f32 = [&](double v) { return constant(type, rewriter.getF32FloatAttr(float(v))); };
    auto nnan = arith::FastMathFlagsAttr::get(getContext(), arith::FastMathFlags::nnan);
    Value x = rewriter.create<arith::MaximumFOp>(loc, round.getOperand(), f32(*lo - zp), nnan);
    x = rewriter.create<arith::MinimumFOp>(loc, x, f32(*hi - zp), nnan);
    x = rewriter.create<arith::AddFOp>(loc, x, f32(12582912.0)); // 0x4B400000
    Value bits = rewriter.create<arith::BitcastOp>(loc, op.getType(), x);
    Value offset = constant(op.getType(), rewriter.getI32IntegerAttr(0x4B400000 - int32_t(zp)));
    rewriter.replaceOpWithNewOp<arith::SubIOp>(op, bits, offset);
    return success();
  }
};

/// roundeven(x) on f32 without a rounding instruction or libm (the Cortex-M targets, where
/// LLVM calls roundevenf): with t = copysign(2^23, x), x + t has an ulp of 1 for
/// |x| < 2^23, so the FPU's default rounding (to nearest, ties to even) rounds it to an
/// integer and subtracting t is exact; |x| >= 2^23 (and inf, nan) is integral already.
/// copysign keeps the sign of a zero result (roundeven(-0.3) = -0).
struct ExpandRoundEven : OpRewritePattern<math::RoundEvenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::RoundEvenOp op, PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return failure();
    Location loc = op.getLoc();
    auto f32 = [&](float v) {
      return splatConstant(rewriter, loc, type, rewriter.getF32FloatAttr(v));
    };
    Value x = op.getOperand();
    Value t = rewriter.create<math::CopySignOp>(loc, f32(8388608.0f), x); // 2^23
    Value r = rewriter.create<arith::SubFOp>(loc, rewriter.create<arith::AddFOp>(loc, x, t), t);
    r = rewriter.create<math::CopySignOp>(loc, r, x);
    Value small = rewriter.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT,
                                                 rewriter.create<math::AbsFOp>(loc, x),
                                                 f32(8388608.0f));
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, small, r, x);
    return success();
  }
};

struct QccExpandMathPass : mlir::qcc::impl::QccExpandMathBase<QccExpandMathPass> {
  using QccExpandMathBase::QccExpandMathBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    if (!keepFma)
      patterns.add<SplitFma>(&getContext());
    if (magicRounding)
      patterns.add<MagicRounding>(&getContext());
    if (expandRoundEven)
      patterns.add<ExpandRoundEven>(&getContext(), /*benefit=*/0); // after MagicRounding
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
