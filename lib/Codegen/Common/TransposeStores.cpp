//===- TransposeStores.cpp - transposed byte blocks by interleaves --------===//
#include "qcc/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCTRANSPOSESTORES
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {

/// The two interleaves of `a` and `b` (vectors of `n` elements) in units of `unit`
/// elements: lo takes the units of their first halves alternately (a0, b0, a1, b1, ..),
/// hi those of their second halves.
std::pair<Value, Value> interleave(PatternRewriter &rewriter, Location loc, Value a, Value b,
                                   int64_t n, int64_t unit) {
  SmallVector<int64_t> lo, hi;
  int64_t half = n / unit / 2;
  for (int64_t j = 0; j < half; ++j)
    for (int64_t from : {int64_t(0), n})
      for (int64_t t = 0; t < unit; ++t) {
        lo.push_back(from + j * unit + t);
        hi.push_back(from + (j + half) * unit + t);
      }
  return {rewriter.create<vector::ShuffleOp>(loc, a, b, lo),
          rewriter.create<vector::ShuffleOp>(loc, a, b, hi)};
}

/// vector.transfer_write %v : vector<P x F x T>, memref<F x P, strided<[S, 1]>> with the
/// transposing map (T of 8, 16 or 32 bits): rows of 8 elements by interleaves, then one
/// store per filter row.
struct TransposedByteStore : OpRewritePattern<vector::TransferWriteOp> {
  TransposedByteStore(MLIRContext *ctx, bool masked) : OpRewritePattern(ctx), masked(masked) {}
  bool masked;

  LogicalResult matchAndRewrite(vector::TransferWriteOp op,
                                PatternRewriter &rewriter) const override {
    VectorType type = op.getVectorType();
    auto memref = dyn_cast<MemRefType>(op.getSource().getType());
    Type element = type.getElementType();
    unsigned bits = element.getIntOrFloatBitWidth();
    if (!memref || memref.getRank() != 2 || type.getRank() != 2 || op.getMask() ||
        !element.isIntOrFloat() || (bits != 8 && bits != 16 && bits != 32) ||
        type.isScalable())
      return failure();
    MLIRContext *ctx = getContext();
    AffineMap transposed = AffineMap::get(
        2, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(0, ctx)}, ctx);
    if (op.getPermutationMap() != transposed || !op.getInBounds() ||
        llvm::any_of(op.getInBoundsValues(), [](bool b) { return !b; }))
      return failure();
    int64_t cols = type.getDimSize(0), filters = type.getDimSize(1);
    if (cols > 8 || cols < 2 || (filters != 8 && filters != 16 && filters != 32))
      return failure();
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(getStridesAndOffset(memref, strides, offset)) || strides[1] != 1)
      return failure();

    Location loc = op.getLoc();
    auto rowType = VectorType::get({filters}, element);
    Value zero = rewriter.create<arith::ConstantOp>(
        loc, rowType, cast<TypedAttr>(rewriter.getZeroAttr(rowType)));
    // groups[g][k]: pixel group g's k-th vector, whose filters each hold `unit` bytes.
    SmallVector<SmallVector<Value>> groups;
    for (int64_t p = 0; p < 8; ++p)
      groups.push_back({p < cols ? rewriter.create<vector::ExtractOp>(loc, op.getVector(), p)
                                       .getResult()
                                 : zero});
    for (int64_t unit = 1; unit < 8; unit *= 2) {
      SmallVector<SmallVector<Value>> next;
      for (size_t g = 0; g < groups.size(); g += 2) {
        SmallVector<Value> merged;
        for (size_t k = 0; k < groups[g].size(); ++k) {
          auto [lo, hi] = interleave(rewriter, loc, groups[g][k], groups[g + 1][k], filters, unit);
          merged.push_back(lo);
          merged.push_back(hi);
        }
        next.push_back(std::move(merged));
      }
      groups = std::move(next);
    }
    // groups[0][k] holds filters k * F/8 .. (k + 1) * F/8 - 1, 8 elements each.
    Value mask;
    if (masked && cols < 8) {
      SmallVector<bool> enabled(8, false);
      std::fill(enabled.begin(), enabled.begin() + cols, true);
      auto maskType = VectorType::get({8}, rewriter.getI1Type());
      mask = rewriter.create<arith::ConstantOp>(loc, maskType,
                                                DenseElementsAttr::get(maskType, enabled));
    }
    Value f0 = op.getIndices()[0], col = op.getIndices()[1];
    int64_t perVector = filters / 8;
    for (int64_t f = 0; f < filters; ++f) {
      Value v = groups[0][f / perVector];
      int64_t first = (f % perVector) * 8;
      Value row = v;
      if (perVector > 1 || cols < 8)
        row = rewriter.create<vector::ExtractStridedSliceOp>(
            loc, v, ArrayRef<int64_t>{first}, ArrayRef<int64_t>{mask ? 8 : cols},
            ArrayRef<int64_t>{1});
      Value at = rewriter.create<arith::AddIOp>(
          loc, f0, rewriter.create<arith::ConstantIndexOp>(loc, f));
      if (mask)
        rewriter.create<vector::MaskedStoreOp>(loc, op.getSource(), ValueRange{at, col}, mask,
                                               row);
      else
        rewriter.create<vector::TransferWriteOp>(loc, row, op.getSource(), ValueRange{at, col},
                                                 ArrayRef<bool>{true});
    }
    rewriter.eraseOp(op);
    return success();
  }
};

struct QccTransposeStoresPass
    : mlir::qcc::impl::QccTransposeStoresBase<QccTransposeStoresPass> {
  using QccTransposeStoresBase::QccTransposeStoresBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<TransposedByteStore>(&getContext(), maskedStores);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
