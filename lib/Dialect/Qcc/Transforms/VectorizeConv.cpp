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

namespace {

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
      rewriter.setInsertionPoint(op);
      if (failed(linalg::vectorize(rewriter, op)))
        op.emitWarning("qcc-vectorize-conv: vectorization failed");
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
