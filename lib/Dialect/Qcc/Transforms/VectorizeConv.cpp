//===- VectorizeConv.cpp - register-blocked vector convolutions -----------===//
#include "qcc/Dialect/Qcc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCVECTORIZECONV
#define GEN_PASS_DEF_QCCHOISTACCUMULATORS
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

#define DEBUG_TYPE "qcc-vectorize-conv"

namespace {

/// The linalg vectorizer only accepts projected-permutation indexing maps. A strided
/// convolution tile reads its input through `d * s` (and, once unit dimensions are folded,
/// through constant 0 results): take that operand as a strided, rank-reduced
/// tensor.extract_slice instead, so that its map becomes a plain projection. Returns
/// failure (leaving the op unchanged) when some map result has another form.
static LogicalResult projectStridedOperands(RewriterBase &rewriter, linalg::GenericOp op) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return failure();
  struct Plan {
    unsigned operand;
    SmallVector<int64_t> offsets, sizes, strides;
    SmallVector<int64_t> kept;         // the slice's shape once size-1 fixed indices drop
    SmallVector<AffineExpr> results;   // the operand's new map: one loop dim per kept dim
  };
  SmallVector<Plan, 2> plans;
  MLIRContext *ctx = op.getContext();
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(in);
    if (map.isProjectedPermutation())
      continue;
    auto type = dyn_cast<RankedTensorType>(in->get().getType());
    if (!type || !type.hasStaticShape())
      return failure();
    Plan plan{in->getOperandNumber(), {}, {}, {}, {}, {}};
    for (AffineExpr e : map.getResults()) {
      int64_t dim = -1, stride = 1;
      if (auto d = dyn_cast<AffineDimExpr>(e)) {
        dim = d.getPosition();
      } else if (auto c = dyn_cast<AffineConstantExpr>(e)) {
        // A fixed index: a size-1 slice that the rank reduction drops.
        plan.offsets.push_back(c.getValue());
        plan.sizes.push_back(1);
        plan.strides.push_back(1);
        continue;
      } else if (auto m = dyn_cast<AffineBinaryOpExpr>(e);
                 m && m.getKind() == AffineExprKind::Mul) {
        auto d = dyn_cast<AffineDimExpr>(m.getLHS());
        auto c = dyn_cast<AffineConstantExpr>(m.getRHS());
        if (!d || !c || c.getValue() < 1)
          return failure();
        dim = d.getPosition();
        stride = c.getValue();
      } else {
        return failure();
      }
      plan.offsets.push_back(0);
      plan.sizes.push_back(ranges[dim]);
      plan.strides.push_back(stride);
      plan.kept.push_back(ranges[dim]);
      plan.results.push_back(getAffineDimExpr(dim, ctx));
    }
    plans.push_back(std::move(plan));
  }
  if (plans.empty())
    return success();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  rewriter.setInsertionPoint(op);
  for (Plan &plan : plans) {
    Value src = op->getOperand(plan.operand);
    auto resultType = RankedTensorType::get(plan.kept, getElementTypeOrSelf(src.getType()));
    Value slice = rewriter.create<tensor::ExtractSliceOp>(
        op.getLoc(), resultType, src, ValueRange{}, ValueRange{}, ValueRange{},
        rewriter.getDenseI64ArrayAttr(plan.offsets), rewriter.getDenseI64ArrayAttr(plan.sizes),
        rewriter.getDenseI64ArrayAttr(plan.strides));
    maps[plan.operand] = AffineMap::get(maps[plan.operand].getNumDims(), 0, plan.results, ctx);
    rewriter.modifyOpInPlace(op, [&] { op->setOperand(plan.operand, slice); });
  }
  rewriter.modifyOpInPlace(op, [&] { op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps)); });
  return success();
}

struct QccVectorizeConvPass : mlir::qcc::impl::QccVectorizeConvBase<QccVectorizeConvPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    SmallVector<linalg::GenericOp> convs;
    func.walk([&](linalg::GenericOp op) {
      if (op->hasAttr("qcc.tile_sizes"))
        convs.push_back(op);
    });
    IRRewriter rewriter(ctx);
    SmallVector<Operation *> tiles;
    for (linalg::GenericOp op : convs) {
      auto sizes = op->getAttrOfType<DenseI64ArrayAttr>("qcc.tile_sizes");
      op->removeAttr("qcc.tile_sizes");
      SmallVector<OpFoldResult> tileSizes;
      for (int64_t s : sizes.asArrayRef())
        tileSizes.push_back(rewriter.getIndexAttr(s));
      scf::SCFTilingOptions options;
      options.setTileSizes(tileSizes);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        op.emitWarning("qcc-vectorize-conv: tiling failed; the convolution stays scalar");
        continue;
      }
      rewriter.replaceOp(op, tiled->replacements);
      tiles.append(tiled->tiledOps.begin(), tiled->tiledOps.end());
    }
    // Fold the unit dimensions of each tile, so that it is a plain 2-D elementwise
    // multiply-accumulate, then vectorize it.
    {
      RewritePatternSet patterns(ctx);
      linalg::ControlDropUnitDims control;
      linalg::populateFoldUnitExtentDimsPatterns(patterns, control);
      tensor::populateFoldTensorEmptyPatterns(patterns);
      if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> toVectorize;
    func.walk([&](linalg::GenericOp op) {
      if (op->getParentOfType<scf::ForOp>() && op.hasPureTensorSemantics() &&
          op.getNumParallelLoops() == op.getNumLoops())
        toVectorize.push_back(op);
    });
    for (linalg::GenericOp op : toVectorize) {
      // A tile whose every dimension was a unit one has nothing to vectorize.
      if (op.getNumLoops() == 0)
        continue;
      if (failed(projectStridedOperands(rewriter, op))) {
        LLVM_DEBUG(op.emitRemark("qcc-vectorize-conv: unsupported indexing map; stays scalar"));
        continue;
      }
      rewriter.setInsertionPoint(op);
      if (failed(linalg::vectorize(rewriter, op)))
        LLVM_DEBUG(op.emitRemark("qcc-vectorize-conv: vectorization failed; stays scalar"));
    }
    RewritePatternSet cleanup(ctx);
    vector::populateVectorTransferDropUnitDimsPatterns(cleanup);
    vector::TransferReadOp::getCanonicalizationPatterns(cleanup, ctx);
    vector::TransferWriteOp::getCanonicalizationPatterns(cleanup, ctx);
    if (failed(applyPatternsAndFoldGreedily(func, std::move(cleanup))))
      return signalPassFailure();
    // The accumulator tile (extract_slice + transfer_read ... transfer_write + insert_slice)
    // is invariant in the c, kh, kw loops: carry it as a vector iter_arg instead.
    SmallVector<LoopLikeOpInterface> loops;
    func.walk([&](LoopLikeOpInterface loop) { loops.push_back(loop); }); // innermost first
    for (LoopLikeOpInterface loop : loops)
      (void)hoistLoopInvariantSubsets(rewriter, loop);
  }
};

struct QccHoistAccumulatorsPass
    : mlir::qcc::impl::QccHoistAccumulatorsBase<QccHoistAccumulatorsPass> {
  void runOnOperation() override {
    // Subviews of the accumulator are loop invariant in the reduction loops: move them out
    // first, so that the transfers on them are recognized as invariant too.
    getOperation().walk([](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
    linalg::hoistRedundantVectorTransfers(getOperation());
  }
};

} // namespace
