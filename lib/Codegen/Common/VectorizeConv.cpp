//===- VectorizeConv.cpp - register-blocked vector convolutions -----------===//
#include "qcc/Codegen/Passes.h"
#include "qcc/Dialect/Qcc/IR/QccDialect.h"
#include "qcc/Codegen/VectorUtils.h"


#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <deque>
#include <numeric>
#include <deque>
#include <numeric>

#define DEBUG_TYPE "qcc-vectorize-conv"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCVECTORIZECONV
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

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


/// A stride-2 convolution tile reads its input rows through a slice with stride 2 along the
/// innermost dimension, which the vector lowering turns into one scalar load and insert per
/// lane. Read the contiguous span 2n - 1 as two n-lane vectors instead, [0, n) and
/// [n - 1, 2n - 1), and pick the even elements with one two-input shuffle per row (vpermt2b
/// / tbl on the targets here). Two n-lane reads keep the vectors a power of two wide: one
/// (2n - 1)-lane read makes LLVM scalarize the shuffle.
struct ContiguousStridedRead : OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::TransferReadOp read,
                                PatternRewriter &rewriter) const override {
    auto slice = read.getSource().getDefiningOp<tensor::ExtractSliceOp>();
    VectorType vt = read.getVectorType();
    if (!slice || vt.getRank() < 1 || vt.getRank() > 2 || read.getMask() ||
        !read.getPermutationMap().isMinorIdentity() ||
        llvm::any_of(read.getInBoundsValues(), [](bool b) { return !b; }) ||
        !llvm::all_of(read.getIndices(), [](Value v) { return isConstantIntValue(v, 0); }))
      return failure();
    auto srcType = dyn_cast<RankedTensorType>(slice.getSourceType());
    if (!srcType || !srcType.hasStaticShape() || srcType.getRank() != vt.getRank() ||
        slice.getResultType().getShape() != vt.getShape())
      return failure();
    ArrayRef<int64_t> offsets = slice.getStaticOffsets(), strides = slice.getStaticStrides();
    int64_t rank = vt.getRank(), n = vt.getShape().back();
    if (llvm::any_of(offsets, ShapedType::isDynamic) || strides.back() != 2 || n < 2 ||
        llvm::any_of(strides.drop_back(), [](int64_t t) { return t != 1; }) ||
        offsets.back() + 2 * n - 1 > srcType.getShape().back())
      return failure();
    Location loc = read.getLoc();
    SmallVector<bool> inBounds(rank, true);
    auto readAt = [&](int64_t shift) -> Value {
      SmallVector<Value> indices;
      for (auto [i, o] : llvm::enumerate(offsets))
        indices.push_back(rewriter.create<arith::ConstantIndexOp>(
            loc, i + 1 == offsets.size() ? o + shift : o));
      return rewriter.create<vector::TransferReadOp>(loc, vt, slice.getSource(), indices,
                                                     read.getPadding(), inBounds);
    };
    Value lo = readAt(0), hi = readAt(n - 1);
    SmallVector<int64_t> mask; // element 2i: lo[2i], or hi[2i - (n - 1)] = lane n + 2i - n + 1
    for (int64_t i = 0; i < n; ++i)
      mask.push_back(2 * i < n ? 2 * i : 2 * i + 1);
    rewriter.replaceOp(read, rowByRow(rewriter, loc, vt, {lo, hi}, [&](ArrayRef<Value> v) {
                         return rewriter.create<vector::ShuffleOp>(loc, v[0], v[1], mask);
                       }));
    return success();
  }
};

/// elementwise(extract_slice(conv)) -> extract_slice(elementwise(conv)) for a slice at
/// offset 0 with unit strides of a convolution marked for tiling (a depthwise convolution
/// computed over a few extra columns, so that its rows fill whole registers): the
/// elementwise op (a float Relu / Clip) then reads the convolution directly and becomes
/// its epilogue, computing the extra columns too, instead of a separate pass that reads
/// the wide result and writes the narrow one.
struct SwapSliceWithElementwise : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (op.getNumDpsInits() != 1 || op.getNumDpsInputs() != 1 ||
        op.getNumParallelLoops() != op.getNumLoops() ||
        !llvm::all_of(op.getIndexingMapsArray(), [](AffineMap m) { return m.isIdentity(); }))
      return failure();
    auto slice = op.getDpsInputOperand(0)->get().getDefiningOp<tensor::ExtractSliceOp>();
    auto conv = slice ? slice.getSource().getDefiningOp<linalg::GenericOp>() : nullptr;
    if (!conv || !conv->hasAttr(kTileSizesAttrName) || !slice->hasOneUse() ||
        !conv->hasOneUse() || !slice.hasUnitStride() || !slice.hasZeroOffset() ||
        slice.getSourceType().getRank() != slice.getResultType().getRank())
      return failure();
    Location loc = op.getLoc();
    auto narrowType = cast<RankedTensorType>(op.getResultTypes()[0]);
    auto wideType = RankedTensorType::get(slice.getSourceType().getShape(),
                                          narrowType.getElementType());
    Value init = rewriter.create<tensor::EmptyOp>(loc, wideType.getShape(),
                                                  wideType.getElementType());
    auto wide = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{wideType}, ValueRange{slice.getSource()}, ValueRange{init},
        op.getIndexingMapsArray(), op.getIteratorTypesArray());
    rewriter.inlineRegionBefore(op.getRegion(), wide.getRegion(), wide.getRegion().begin());
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, narrowType, wide.getResult(0), slice.getMixedOffsets(), slice.getMixedSizes(),
        slice.getMixedStrides());
    return success();
  }
};

struct QccVectorizeConvPass : mlir::qcc::impl::QccVectorizeConvBase<QccVectorizeConvPass> {
  /// The elementwise op that finishes a contraction, if any: its only user, an elementwise
  /// linalg.generic reading it as its first input through the identity map (the
  /// `qcc.epilogue` requantization of an integer convolution, or a float convolution's
  /// activation: Relu, Clip), other inputs only broadcast parameters.
  static linalg::GenericOp epilogueOf(linalg::GenericOp op) {
    if (!op->hasOneUse())
      return nullptr;
    auto epilogue = dyn_cast<linalg::GenericOp>(*op->user_begin());
    if (!epilogue || epilogue.getNumDpsInits() != 1 || epilogue.getNumDpsInputs() < 1 ||
        epilogue.getNumParallelLoops() != epilogue.getNumLoops() ||
        epilogue.getDpsInputOperand(0)->get() != op->getResult(0) ||
        !epilogue.getMatchingIndexingMap(epilogue.getDpsInputOperand(0)).isIdentity() ||
        !epilogue.getMatchingIndexingMap(epilogue.getDpsInitOperand(0)).isIdentity())
      return nullptr;
    if (epilogue->hasAttr(kEpilogueAttrName))
      return epilogue;
    for (OpOperand *in : epilogue.getDpsInputOperands())
      if (in->getOperandNumber() > 0 &&
          (in->get() == op->getResult(0) ||
           epilogue.getMatchingIndexingMap(in).getNumResults() >=
               epilogue.getMatchingIndexingMap(epilogue.getDpsInputOperand(0)).getNumResults()))
        return nullptr;
    return epilogue;
  }

  /// Tiles a contraction's epilogue (see epilogueOf) into the contraction's register
  /// blocks with the contraction and the producer of its initial accumulator (the bias
  /// broadcast or the zero fill) fused into each block, then tiles the fused block's
  /// reduction loops. The accumulator then only ever exists as one block, which
  /// vectorization keeps in registers: it starts as the broadcast bias, not as a read of a
  /// buffer the bias was written to first, and ends in the epilogue. Fails (changing
  /// nothing) without an epilogue. (Tiling a contraction without one this way, its bias
  /// fused, was measured: the block then lives in a buffer of its own, copied into the
  /// output, and float convolutions ran 5x slower.)
  LogicalResult tileFused(RewriterBase &rewriter, linalg::GenericOp op, ArrayRef<int64_t> sizes,
                          ArrayRef<int64_t> interchange) {
    linalg::GenericOp epilogue = epilogueOf(op);
    AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
    if (!epilogue || !outMap.isProjectedPermutation())
      return failure();
    Operation *init = op.getDpsInitOperand(0)->get().getDefiningOp();
    auto initOp = dyn_cast_or_null<linalg::GenericOp>(init);
    // Iterate the epilogue (and the elementwise op that makes the initial accumulator) in
    // the contraction's parallel loop order, so that all three vectorize to the same vector
    // shape and layout: each transfer_read of the accumulator block then folds with the
    // transfer_write before it and the block never leaves registers.
    unsigned rank = outMap.getNumResults();
    SmallVector<unsigned> order(rank);
    std::iota(order.begin(), order.end(), 0);
    llvm::sort(order, [&](unsigned a, unsigned b) {
      return outMap.getDimPosition(a) < outMap.getDimPosition(b);
    });
    if (!llvm::equal(order, llvm::seq<unsigned>(0, rank))) {
      rewriter.setInsertionPoint(epilogue);
      FailureOr<linalg::GenericOp> swapped =
          linalg::interchangeGenericOp(rewriter, epilogue, order);
      if (failed(swapped))
        return failure();
      epilogue = *swapped;
      if (initOp && initOp.getNumLoops() == rank && initOp.getNumParallelLoops() == rank &&
          initOp->hasOneUse()) {
        rewriter.setInsertionPoint(initOp);
        if (failed(linalg::interchangeGenericOp(rewriter, initOp, order)))
          init = nullptr;
      }
    }
    SmallVector<OpFoldResult> blockSizes;
    for (unsigned dim : order)
      blockSizes.push_back(rewriter.getIndexAttr(sizes[outMap.getDimPosition(dim)]));
    scf::SCFTileAndFuseOptions options;
    options.tilingOptions.setTileSizes(blockSizes);
    // The contraction's block loop order, among its parallel loops (the epilogue's loops,
    // now in the contraction's order).
    SmallVector<int64_t> parallelOrder;
    for (int64_t i : interchange)
      if (i < static_cast<int64_t>(rank))
        parallelOrder.push_back(i);
    if (parallelOrder.size() == rank)
      options.tilingOptions.setInterchange(parallelOrder);
    options.setFusionControlFn([&](tensor::ExtractSliceOp, OpResult producer, bool) {
      Operation *owner = producer.getOwner();
      bool fuse = owner == op.getOperation() || (init && owner == init && isa<linalg::LinalgOp>(init));
      return std::make_tuple(fuse, false);
    });
    rewriter.setInsertionPoint(epilogue);
    FailureOr<scf::SCFTileAndFuseResult> fused = scf::tileConsumerAndFuseProducersUsingSCF(
        rewriter, cast<TilingInterface>(epilogue.getOperation()), options);
    if (failed(fused)) {
      LLVM_DEBUG(epilogue.emitRemark("qcc-vectorize-conv: epilogue fusion failed"));
      return failure();
    }
    linalg::GenericOp block;
    for (Operation *t : fused->tiledAndFusedOps)
      if (auto g = dyn_cast<linalg::GenericOp>(t); g && g.getNumReductionLoops() > 0)
        block = g;
    for (OpResult r : epilogue->getResults())
      rewriter.replaceAllUsesWith(r, fused->replacements.lookup(r));
    // The untiled contraction and its initial accumulator die with the epilogue's slices;
    // the greedy rewrites below erase them.
    rewriter.eraseOp(epilogue);
    if (!block)
      return success();
    // The block's parallel extents are the block sizes already; tile its reductions.
    SmallVector<OpFoldResult> reductionSizes;
    for (auto [i, it] : llvm::enumerate(block.getIteratorTypesArray()))
      reductionSizes.push_back(rewriter.getIndexAttr(
          it == utils::IteratorType::reduction ? sizes[i] : 0));
    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(reductionSizes);
    rewriter.setInsertionPoint(block);
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(block.getOperation()), tiling);
    if (succeeded(tiled))
      rewriter.replaceOp(block, tiled->replacements);
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    MLIRContext *ctx = &getContext();
    // A convolution's result is collapsed to the op's NCHW shape (N x G x F/G x H x W ->
    // N x C x H x W) before an elementwise consumer (a float convolution's Relu or Clip)
    // reads it: run the consumer on the uncollapsed shape and collapse its result instead,
    // so that it reads the convolution directly and becomes its epilogue.
    // A depthwise convolution computed over a few extra columns is sliced before its
    // consumer (see SwapSliceWithElementwise): look through that slice too.
    {
      RewritePatternSet patterns(ctx);
      linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, [](OpOperand *operand) {
        auto collapse = operand->get().getDefiningOp<tensor::CollapseShapeOp>();
        Value src = collapse ? collapse.getSrc() : Value();
        if (auto slice = src ? src.getDefiningOp<tensor::ExtractSliceOp>() : nullptr)
          src = slice.getSource();
        auto producer = src ? src.getDefiningOp<linalg::GenericOp>() : linalg::GenericOp();
        auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
        return producer && consumer && producer->hasAttr(kTileSizesAttrName) &&
               collapse->hasOneUse() &&
               consumer.getNumParallelLoops() == consumer.getNumLoops();
      });
      patterns.add<SwapSliceWithElementwise>(ctx);
      if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> convs;
    func.walk([&](linalg::GenericOp op) {
      if (op->hasAttr(kTileSizesAttrName))
        convs.push_back(op);
    });
    IRRewriter rewriter(ctx);
    SmallVector<Operation *> tiles;
    for (linalg::GenericOp op : convs) {
      auto sizes = op->getAttrOfType<DenseI64ArrayAttr>(kTileSizesAttrName);
      op->removeAttr(kTileSizesAttrName);
      SmallVector<int64_t> interchange;
      if (auto attr = op->getAttrOfType<DenseI64ArrayAttr>(kTileInterchangeAttrName))
        interchange.assign(attr.asArrayRef().begin(), attr.asArrayRef().end());
      op->removeAttr(kTileInterchangeAttrName);
      if (succeeded(tileFused(rewriter, op, sizes.asArrayRef(), interchange)))
        continue;
      SmallVector<OpFoldResult> tileSizes;
      for (int64_t s : sizes.asArrayRef())
        tileSizes.push_back(rewriter.getIndexAttr(s));
      scf::SCFTilingOptions options;
      options.setTileSizes(tileSizes);
      if (static_cast<int64_t>(interchange.size()) == sizes.size())
        options.setInterchange(interchange);
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
    cleanup.add<ContiguousStridedRead>(ctx);
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

} // namespace
