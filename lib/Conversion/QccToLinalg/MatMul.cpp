//===- MatMul.cpp - qcc.matmul and qcc.gemm to linalg ---------------------===//
//
// Matrix products, and integer fully connected layers rewritten as 1x1 convolutions.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Utils/ChannelBlocks.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::lowering;

namespace {

struct MatMulLowering : ModeAwareLowering<MatMulOp> {
  using ModeAwareLowering::ModeAwareLowering;

  LogicalResult matchAndRewrite(MatMulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    auto a = op.getLhs().getType().getShape(), bs = op.getRhs().getType().getShape();
    auto out = op.getOutput().getType().getShape();
    unsigned rank = out.size(), batch = rank - 2, loops = rank + 1;
    // Loops: batch..., m, n | k. Batch dimensions broadcast as in numpy.
    auto operandMap = [&](ArrayRef<int64_t> shape, AffineExpr row, AffineExpr col) {
      SmallVector<AffineExpr> exprs;
      unsigned off = batch - (shape.size() - 2);
      for (unsigned i = 0; i + 2 < shape.size(); ++i)
        exprs.push_back(shape[i] == 1 && out[off + i] != 1 ? getAffineConstantExpr(0, ctx)
                                                           : getAffineDimExpr(off + i, ctx));
      exprs.push_back(row);
      exprs.push_back(col);
      return AffineMap::get(loops, 0, exprs, ctx);
    };
    auto m = getAffineDimExpr(batch, ctx), n = getAffineDimExpr(batch + 1, ctx),
         k = getAffineDimExpr(batch + 2, ctx);
    SmallVector<AffineMap> maps = {operandMap(a, m, k), operandMap(bs, k, n),
                                   AffineMap::getMultiDimIdentityMap(loops, ctx).dropResult(
                                       loops - 1)};
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters.push_back(utils::IteratorType::reduction);
    Mac mac = macFor(op.getLhs(), op.getRhs());
    Value acc = filledWith(b, loc, out, mac.zero(b, loc));
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{acc.getType()}, ValueRange{adaptor.getLhs(), adaptor.getRhs()},
        ValueRange{acc}, maps, iters, [&](OpBuilder &nb, Location nl, ValueRange v) {
          nb.create<linalg::YieldOp>(nl, mac(nb, nl, v[0], v[1], v[2]));
        });
    // A register block of output columns for qcc-vectorize-conv.
    int64_t cols = out.back(), nb = largestDivisor(cols, {16, 8, 4, 2});
    if (nb > 1) {
      SmallVector<int64_t> tiles(loops, 1);
      tiles[batch + 1] = nb;
      generic->setAttr(kTileSizesAttrName, b.getDenseI64ArrayAttr(tiles));
    }
    b.replaceOp(op, buildEpilogue(b, op, generic.getResult(0), fixed,
                                  ChannelLayout{{cols}, AffineMap::get(rank, 0, n)}));
    return success();
  }
};

struct GemmLowering : ModeAwareLowering<GemmOp> {
  GemmLowering(const TypeConverter &converter, MLIRContext *ctx, bool fixed, int64_t rowLanes)
      : ModeAwareLowering(converter, ctx, fixed), rowLanes(rowLanes) {}
  /// Output columns per register block of a float fully connected layer (a few vector
  /// registers: several independent FMA chains).
  int64_t rowLanes;

  /// A float fully connected layer with constant weights B^T (N x K, `bt`), A not
  /// transposed: B packed in blocks of nb output columns, N'/nb x K x nb (N' = N rounded up
  /// to the block, the extra columns' weights 0), so that each block streams one
  /// contiguous stretch of weights, and the block is several vector registers wide, so
  /// that several FMA chains run at once (one 8-lane chain ran at the FMA's latency: 2
  /// multiply-adds per ns). Loops m, j (block), n (in block) | k, accumulating into `acc`
  /// padded to N'; the first N columns are kept. Null when B is not such a constant.
  Value blockedFloatGemm(OpBuilder &b, GemmOp op, Value a, Value bt, Value acc,
                         const Mac &mac) const {
    DenseElementsAttr wConst = constantBehind(bt);
    if (!wConst || wConst.isSplat() || !wConst.getElementType().isF32())
      return nullptr;
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    auto shape = op.getType().getShape();
    int64_t cols = shape[1], k = op.getA().getType().getShape()[1];
    int64_t nb = std::min<int64_t>(rowLanes, llvm::alignTo(cols, 16));
    int64_t padded = llvm::alignTo(cols, nb);
    SmallVector<float> weights(padded * k, 0.f);
    llvm::copy(wConst.getValues<float>(), weights.begin());
    DenseElementsAttr packed = packFiltersLast(
        DenseElementsAttr::get(RankedTensorType::get({padded, k, 1, 1}, f32),
                               ArrayRef<float>(weights)),
        padded / nb, f32); // N'/nb x K x 1 x 1 x nb
    Value w = b.create<arith::ConstantOp>(
        loc, packed.reshape(RankedTensorType::get({padded / nb, k, nb}, f32)));
    if (padded != cols) {
      SmallVector<OpFoldResult> lo(2, b.getIndexAttr(0)), hi(2, b.getIndexAttr(0));
      hi[1] = b.getIndexAttr(padded - cols);
      acc = b.create<tensor::PadOp>(loc, RankedTensorType::get({shape[0], padded}, f32), acc,
                                    lo, hi, f32Const(b, loc, 0.f));
    }
    Value acc3 = expand(b, loc, acc, {shape[0], padded / nb, nb}, {{0}, {1, 2}});
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    using IT = utils::IteratorType;
    auto blocked = b.create<linalg::GenericOp>(
        loc, TypeRange{acc3.getType()}, ValueRange{a, w}, ValueRange{acc3},
        ArrayRef<AffineMap>{AffineMap::get(4, 0, {d(0), d(3)}, ctx),
                            AffineMap::get(4, 0, {d(1), d(3), d(2)}, ctx),
                            AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)},
        ArrayRef<IT>{IT::parallel, IT::parallel, IT::parallel, IT::reduction},
        [&](OpBuilder &nb2, Location nl, ValueRange v) {
          nb2.create<linalg::YieldOp>(nl, mac(nb2, nl, v[0], v[1], v[2]));
        });
    blocked->setAttr(kTileSizesAttrName, b.getDenseI64ArrayAttr({1, 1, nb, 1}));
    Value flat = b.create<tensor::CollapseShapeOp>(loc, blocked.getResult(0),
                                                   ArrayRef<ReassociationIndices>{{0}, {1, 2}});
    return padded == cols ? flat : leadingSlice(b, loc, flat, shape);
  }

  LogicalResult matchAndRewrite(GemmOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    float alpha = op.getAlpha().convertToFloat(), beta = op.getBeta().convertToFloat();
    Mac mac = macFor(op.getA(), op.getB(), alpha);
    auto outType = RankedTensorType::get(op.getType().getShape(), mac.accType(b));
    Value acc;
    if (Value c = adaptor.getC(); c && beta != 0.f) {
      acc = buildElementwise(b, loc, c, outType, [&](OpBuilder &nb, Location nl, ValueRange v) {
        return beta == 1.f ? v[0] : nb.create<arith::MulFOp>(nl, v[0], f32Const(nb, nl, beta));
      });
    } else {
      acc = filledWith(b, loc, outType.getShape(), mac.zero(b, loc));
    }
    auto m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx), k = getAffineDimExpr(2, ctx);
    // A constant B^T (a fully connected layer's weights) is transposed at compile time, so
    // that a block of output columns reads one contiguous row of B per k.
    Value bValue = adaptor.getB();
    bool transB = op.getTransB();
    if (transB && !mac.isInteger() && !op.getTransA()) {
      if (Value blocked = blockedFloatGemm(b, op, adaptor.getA(), bValue, acc, mac)) {
        b.replaceOp(op, blocked);
        return success();
      }
    }
    if (transB) {
      if (DenseElementsAttr wConst = constantBehind(bValue)) {
        auto shape = wConst.getType().getShape(); // N x K, viewed as N filters of K x 1 x 1
        Type storage = cast<RankedTensorType>(bValue.getType()).getElementType();
        DenseElementsAttr asFilters =
            wConst.reshape(RankedTensorType::get({shape[0], shape[1], 1, 1}, storage));
        DenseElementsAttr packed = packFiltersLast(asFilters, 1, storage); // 1 x K x 1 x 1 x N
        bValue = b.create<arith::ConstantOp>(
            loc, packed.reshape(RankedTensorType::get({shape[1], shape[0]}, storage)));
        transB = false;
      }
    }
    SmallVector<AffineMap> maps = {
        AffineMap::get(3, 0, op.getTransA() ? ArrayRef<AffineExpr>{k, m} : ArrayRef<AffineExpr>{m, k}, ctx),
        AffineMap::get(3, 0, transB ? ArrayRef<AffineExpr>{n, k} : ArrayRef<AffineExpr>{k, n}, ctx),
        AffineMap::get(3, 0, {m, n}, ctx)};
    using IT = utils::IteratorType;
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{acc.getType()}, ValueRange{adaptor.getA(), bValue}, ValueRange{acc}, maps,
        ArrayRef<IT>{IT::parallel, IT::parallel, IT::reduction},
        [&](OpBuilder &nb, Location nl, ValueRange v) {
          nb.create<linalg::YieldOp>(nl, mac(nb, nl, v[0], v[1], v[2]));
        });
    // Row-major B: a register block of output columns for qcc-vectorize-conv.
    if (!transB) {
      int64_t nb = largestDivisor(op.getType().getShape()[1], {16, 8, 4, 2});
      if (nb > 1)
        generic->setAttr(kTileSizesAttrName, b.getDenseI64ArrayAttr({1, nb, 1}));
    }
    auto cols = op.getType().getShape()[1];
    b.replaceOp(op, buildEpilogue(b, op, generic.getResult(0), fixed,
                                  ChannelLayout{{cols}, AffineMap::get(2, 0, n)}));
    return success();
  }
};

/// An integer fully connected layer (qcc.gemm, A not transposed, constant B) is a 1x1
/// convolution of an M x K x 1 x 1 input with N filters: rewriting it as one gives it the
/// convolution's packed-word kernels (VPDPBUSD / VPDPWSSD / SDOT, weights packed at compile
/// time, filters on the vector lanes) and its fused epilogue. Same arithmetic, same result.
struct IntegerGemmAsConv : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op, PatternRewriter &b) const override {
    auto bType = op.getB().getType();
    if (!isa<quant::QuantizedType>(op.getA().getType().getElementType()) || op.getTransA())
      return failure();
    DenseElementsAttr w = constantBehind(op.getB());
    if (!w)
      return failure();
    auto c = cast_or_null<TypedValue<RankedTensorType>>(op.getC());
    int64_t m = op.getType().getShape()[0], n = op.getType().getShape()[1];
    int64_t k = op.getA().getType().getShape()[1];
    if (c) {
      auto cShape = c.getType().getShape();
      if (!(cShape.size() == 1 && cShape[0] == n) &&
          !(cShape.size() == 2 && cShape[0] == 1 && cShape[1] == n))
        return failure(); // a bias per row and column is no convolution bias
    }
    Location loc = op.getLoc();
    // The weights as N x K x 1 x 1 (transposed at compile time when B is K x N).
    Type storage = w.getElementType();
    auto filterType = RankedTensorType::get({n, k, 1, 1}, storage);
    DenseElementsAttr filters;
    if (op.getTransB()) {
      filters = w.reshape(filterType);
    } else {
      SmallVector<APInt> values(w.getValues<APInt>());
      SmallVector<APInt> transposed;
      transposed.reserve(values.size());
      for (int64_t f = 0; f < n; ++f)
        for (int64_t i = 0; i < k; ++i)
          transposed.push_back(values[i * n + f]);
      filters = DenseElementsAttr::get(filterType, transposed);
    }
    Type wElement = bType.getElementType();
    if (auto axis = dyn_cast<quant::UniformQuantizedPerAxisType>(wElement))
      wElement = quant::UniformQuantizedPerAxisType::get(
          axis.getFlags(), axis.getStorageType(), axis.getExpressedType(), axis.getScales(),
          axis.getZeroPoints(), /*quantizedDimension=*/0, axis.getStorageTypeMin(),
          axis.getStorageTypeMax());
    Value wConst = b.create<arith::ConstantOp>(loc, filters);
    Value weight = b.create<quant::StorageCastOp>(
        loc, RankedTensorType::get({n, k, 1, 1}, wElement), wConst);
    Value input = b.create<ReshapeOp>(
        loc, RankedTensorType::get({m, k, 1, 1}, op.getA().getType().getElementType()), op.getA());
    Value bias;
    if (c)
      bias = c.getType().getRank() == 1
                 ? c
                 : b.create<ReshapeOp>(
                       loc, RankedTensorType::get({n}, c.getType().getElementType()), c)
                       .getResult();
    auto convType = RankedTensorType::get({m, n, 1, 1}, op.getType().getElementType());
    auto conv = b.create<Conv2DOp>(loc, convType, input, weight, bias,
                                   b.getDenseI64ArrayAttr({1, 1}),
                                   b.getDenseI64ArrayAttr({0, 0, 0, 0}),
                                   b.getDenseI64ArrayAttr({1, 1}), b.getI64IntegerAttr(1),
                                   op.getAccumulatorAttr(), op.getMultiplierAttr(),
                                   op.getClampMinAttr(), op.getClampMaxAttr());
    b.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), conv.getResult());
    return success();
  }
};

} // namespace

void mlir::qcc::lowering::populateMatMulPatterns(const TypeConverter &converter, RewritePatternSet &patterns,
    const LoweringOptions &o) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<MatMulLowering>(converter, ctx, o.fixed);
  patterns.add<GemmLowering>(converter, ctx, o.fixed, std::max<int64_t>(o.blockLanes / 4, 8));
}

void mlir::qcc::lowering::populateGemmAsConvPatterns(RewritePatternSet &patterns) {
  patterns.add<IntegerGemmAsConv>(patterns.getContext());
}
