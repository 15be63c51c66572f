//===- VectorizeConv.cpp - register-blocked vector convolutions -----------===//
#include "qcc/Dialect/Qcc/Transforms/Passes.h"

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

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCVECTORIZECONV
#define GEN_PASS_DEF_QCCHOISTACCUMULATORS
#define GEN_PASS_DEF_QCCX86DOTPRODUCTS
#define GEN_PASS_DEF_QCCARMDOTPRODUCTS
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

/// `row(operands)` over vectors of rank 1 or 2 and shape `type`: applied once to rank-1
/// operands, or to each row of rank-2 ones (vector.extract), the results reassembled row
/// by row (vector.insert). LLVM then sees one 1-D vector operation per row.
static Value rowByRow(RewriterBase &rewriter, Location loc, VectorType type,
                      ArrayRef<Value> operands, function_ref<Value(ArrayRef<Value>)> row) {
  if (type.getRank() == 1)
    return row(operands);
  Value result = rewriter.create<arith::ConstantOp>(loc, type, rewriter.getZeroAttr(type));
  for (int64_t r = 0; r < type.getShape()[0]; ++r) {
    SmallVector<Value> rows;
    for (Value v : operands)
      rows.push_back(rewriter.create<vector::ExtractOp>(loc, v, ArrayRef<int64_t>{r}));
    result = rewriter.create<vector::InsertOp>(loc, row(rows), result, ArrayRef<int64_t>{r});
  }
  return result;
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
    if (!conv || !conv->hasAttr("qcc.tile_sizes") || !slice->hasOneUse() ||
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
    if (epilogue->hasAttr("qcc.epilogue"))
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
        return producer && consumer && producer->hasAttr("qcc.tile_sizes") &&
               collapse->hasOneUse() &&
               consumer.getNumParallelLoops() == consumer.getNumLoops();
      });
      patterns.add<SwapSliceWithElementwise>(ctx);
      if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
        return signalPassFailure();
    }
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
      SmallVector<int64_t> interchange;
      if (auto attr = op->getAttrOfType<DenseI64ArrayAttr>("qcc.tile_interchange"))
        interchange.assign(attr.asArrayRef().begin(), attr.asArrayRef().end());
      op->removeAttr("qcc.tile_interchange");
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

/// An accumulator block with unit dimensions (a 1x1 output plane: the classifier) is read
/// and written through a collapse_shape, a view, which linalg's transfer hoisting does not
/// see through: allocate such a block collapsed, and copy its initial value in collapsed.
/// Applies to an allocation used only by collapse_shapes of one identity-layout type and
/// at most one copy of its initial value.
static void allocateCollapsed(RewriterBase &rewriter, memref::AllocOp alloc) {
  memref::CollapseShapeOp collapse;
  linalg::CopyOp init;
  for (Operation *user : alloc->getUsers()) {
    auto c = dyn_cast<memref::CollapseShapeOp>(user);
    auto copy = dyn_cast<linalg::CopyOp>(user);
    if (c && (!collapse || c.getType() == collapse.getType()))
      collapse = c;
    else if (copy && !init && copy.getOutputs()[0] == alloc.getResult() &&
             copy.getInputs()[0] != alloc.getResult())
      init = copy;
    else
      return;
  }
  if (!collapse || !collapse.getType().getLayout().isIdentity() ||
      (init && !memref::CollapseShapeOp::isGuaranteedCollapsible(
                   cast<MemRefType>(init.getInputs()[0].getType()),
                   collapse.getReassociationIndices())))
    return;
  rewriter.setInsertionPoint(alloc);
  auto flat = rewriter.create<memref::AllocOp>(alloc.getLoc(), collapse.getType(),
                                               alloc.getAlignmentAttr());
  if (init) {
    rewriter.setInsertionPoint(init);
    Value flatSrc = rewriter.create<memref::CollapseShapeOp>(
        init.getLoc(), init.getInputs()[0], collapse.getReassociationIndices());
    rewriter.replaceOpWithNewOp<linalg::CopyOp>(init, flatSrc, flat.getResult());
  }
  for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
    rewriter.replaceOp(user, flat.getResult());
  rewriter.eraseOp(alloc);
}

struct QccHoistAccumulatorsPass
    : mlir::qcc::impl::QccHoistAccumulatorsBase<QccHoistAccumulatorsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<memref::AllocOp> allocs;
    getOperation().walk([&](memref::AllocOp alloc) { allocs.push_back(alloc); });
    for (memref::AllocOp alloc : allocs)
      allocateCollapsed(rewriter, alloc);
    // Subviews of the accumulator are loop invariant in the reduction loops: move them out
    // first, so that the transfers on them are recognized as invariant too.
    getOperation().walk([](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
    linalg::hoistRedundantVectorTransfers(getOperation());
    // A fused epilogue reads the accumulator block right where the reduction wrote it,
    // and the reduction reads the block its initial value was just written to: forward
    // those transfers and drop the dead writes, so the block buffer disappears.
    vector::transferOpflowOpt(rewriter, getOperation());
    // An accumulator block initialized by copying a constant (a bias the canonicalizer
    // folded into a constant) is read right after the copy: read the constant instead.
    getOperation().walk([&](linalg::CopyOp copy) {
      Value dst = copy.getOutputs()[0];
      Value src = copy.getInputs()[0];
      auto alloc = dst.getDefiningOp<memref::AllocOp>();
      Value base = src;
      while (auto view = base.getDefiningOp<memref::SubViewOp>())
        base = view.getSource();
      auto global = base.getDefiningOp<memref::GetGlobalOp>();
      if (!alloc || !global ||
          cast<MemRefType>(src.getType()).getShape() != cast<MemRefType>(dst.getType()).getShape())
        return;
      auto def = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(global,
                                                                        global.getNameAttr());
      if (!def || !def.getConstant())
        return;
      auto read = dyn_cast_or_null<vector::TransferReadOp>(copy->getNextNode());
      if (!read || read.getSource() != dst)
        return;
      rewriter.modifyOpInPlace(read, [&] { read.getSourceMutable().assign(src); });
    });
    // A buffer that is only ever written (the block, once every read was forwarded) is dead.
    SmallVector<memref::AllocOp> writeOnly;
    getOperation().walk([&](memref::AllocOp alloc) {
      if (llvm::all_of(alloc->getUsers(), [&](Operation *user) {
            if (auto write = dyn_cast<vector::TransferWriteOp>(user))
              return write.getSource() == alloc.getResult();
            if (auto copy = dyn_cast<linalg::CopyOp>(user))
              return copy.getOutputs()[0] == alloc.getResult() &&
                     copy.getInputs()[0] != alloc.getResult();
            return false;
          }))
        writeOnly.push_back(alloc);
    });
    for (memref::AllocOp alloc : writeOnly) {
      for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
        rewriter.eraseOp(user);
      rewriter.eraseOp(alloc);
    }
  }
};

//===----------------------------------------------------------------------===//
// Packed products to dot-product instructions
//===----------------------------------------------------------------------===//

/// `v` is lane k of a 32-bit word holding `32 / bits` packed lanes, extracted as convert-
/// qcc-to-linalg's packed products do: `(x << (32 - bits * (k + 1))) >> (32 - bits)`, the
/// left shift absent for the top lane, the right shift arithmetic (a signed lane) or, with
/// `isUnsigned`, logical. Sets k and x.
static bool laneOf(Value v, int64_t bits, bool isUnsigned, int64_t &k, Value &x) {
  auto constant = [](Value c) -> std::optional<int64_t> {
    APInt value;
    if (matchPattern(c, m_ConstantInt(&value)))
      return value.getSExtValue();
    return std::nullopt;
  };
  Value shifted, amount;
  if (auto shr = v.getDefiningOp<arith::ShRUIOp>(); shr && isUnsigned)
    shifted = shr.getLhs(), amount = shr.getRhs();
  else if (auto shr = v.getDefiningOp<arith::ShRSIOp>(); shr && !isUnsigned)
    shifted = shr.getLhs(), amount = shr.getRhs();
  else
    return false;
  if (constant(amount) != 32 - bits)
    return false;
  int64_t lanes = 32 / bits;
  if (auto shl = shifted.getDefiningOp<arith::ShLIOp>()) {
    auto left = constant(shl.getRhs());
    if (!left || *left <= 0 || *left % bits != 0 || *left > 32 - bits)
      return false;
    k = lanes - 1 - *left / bits;
    x = shl.getLhs();
    return true;
  }
  k = lanes - 1;
  x = shifted;
  return true;
}

/// An `acc + sum_k lane_k(a) * lane_k(w)` vector add over words of `perWord` packed lanes
/// (2: 16-bit halves, 4: bytes), the sum associated in any way. With `unsignedA` a's lanes
/// are unsigned and w's signed (VPDPBUSD), else both signed (PMADDWD, VPDPWSSD, SDOT).
struct PackedDot {
  Value acc, a, w;
};
static std::optional<PackedDot> matchPackedDot(arith::AddIOp op, int64_t perWord,
                                               bool unsignedA) {
  int64_t bits = 32 / perWord;
  auto products = [&](Value s, Value &a, Value &w) {
    // The add tree's leaves, left to right (the first product names a and w).
    SmallVector<Value, 4> terms;
    std::deque<Value> pending = {s};
    while (!pending.empty()) {
      Value v = pending.front();
      pending.pop_front();
      auto add = v.getDefiningOp<arith::AddIOp>();
      if (add && int64_t(terms.size() + pending.size()) + 1 < perWord) {
        pending.push_front(add.getRhs());
        pending.push_front(add.getLhs());
      } else {
        terms.push_back(v);
      }
    }
    if (int64_t(terms.size()) != perWord)
      return false;
    unsigned seen = 0;
    for (Value t : terms) {
      auto mul = t.getDefiningOp<arith::MulIOp>();
      if (!mul)
        return false;
      Value lhs = mul.getLhs(), rhs = mul.getRhs(), x0, x1;
      int64_t k0, k1;
      if (!laneOf(lhs, bits, unsignedA, k0, x0))
        std::swap(lhs, rhs);
      if (!laneOf(lhs, bits, unsignedA, k0, x0) || !laneOf(rhs, bits, false, k1, x1) || k0 != k1)
        return false;
      if (!a)
        a = x0, w = x1;
      else if (!(x0 == a && x1 == w) && (unsignedA || !(x0 == w && x1 == a)))
        return false;
      seen |= 1u << k0;
    }
    return seen == (1u << perWord) - 1;
  };
  for (auto [sum, acc] : {std::pair(op.getRhs(), op.getLhs()), std::pair(op.getLhs(), op.getRhs())}) {
    PackedDot m{acc, {}, {}};
    if (products(sum, m.a, m.w))
      return m;
  }
  return std::nullopt;
}

/// The 32-bit integer vector adds of rank 1 or 2 whose rows have a multiple of `lanes`.
static SmallVector<arith::AddIOp> dotCandidates(func::FuncOp f, ArrayRef<int64_t> lanes) {
  SmallVector<arith::AddIOp> candidates;
  f.walk([&](arith::AddIOp op) {
    auto type = dyn_cast<VectorType>(op.getType());
    if (type && type.getElementType().isInteger(32) && type.getRank() >= 1 &&
        type.getRank() <= 2 && !type.isScalable() &&
        llvm::any_of(lanes, [&](int64_t l) { return type.getShape().back() % l == 0; }))
      candidates.push_back(op);
  });
  return candidates;
}

/// Replaces `op` (matched as `m`) row by row: `row(acc, a, w)` on 1-D vectors.
static void rewriteRows(RewriterBase &rewriter, arith::AddIOp op, const PackedDot &m,
                        function_ref<Value(Value, Value, Value)> row) {
  rewriter.setInsertionPoint(op);
  rewriter.replaceOp(op, rowByRow(rewriter, op.getLoc(), cast<VectorType>(op.getType()),
                                  {m.acc, m.a, m.w},
                                  [&](ArrayRef<Value> v) { return row(v[0], v[1], v[2]); }));
}

/// One row in chunks of `chunk` words: `step(acc, a, w)` on each chunk, the packed operands
/// bitcast to `lanes` narrow elements.
static Value rowInChunks(RewriterBase &rewriter, Location loc, Value acc, Value a, Value w,
                         int64_t chunk, VectorType lanes,
                         function_ref<Value(Value, Value, Value)> step) {
  int64_t words = cast<VectorType>(acc.getType()).getShape()[0];
  Value row = acc;
  for (int64_t offset = 0; offset < words; offset += chunk) {
    auto slice = [&](Value v) -> Value {
      return rewriter.create<vector::ExtractStridedSliceOp>(
          loc, v, ArrayRef<int64_t>{offset}, ArrayRef<int64_t>{chunk}, ArrayRef<int64_t>{1});
    };
    Value part = step(slice(acc), rewriter.create<vector::BitCastOp>(loc, lanes, slice(a)),
                      rewriter.create<vector::BitCastOp>(loc, lanes, slice(w)));
    row = rewriter.create<vector::InsertStridedSliceOp>(loc, part, row,
                                                        ArrayRef<int64_t>{offset},
                                                        ArrayRef<int64_t>{1});
  }
  return row;
}

static Value callIntrinsic(RewriterBase &rewriter, Location loc, StringRef name, Type result,
                           ValueRange args) {
  return rewriter
      .create<LLVM::CallIntrinsicOp>(loc, TypeRange{result}, rewriter.getStringAttr(name), args)
      .getResult(0);
}

/// A depthwise row block's loop over the kernel's columns (KW <= 4, unit steps from 0):
///
///   acc' = for kw: acc + extui(read(rows[..., kw + sc * i])) * extsi(broadcast(w[kh, kw]))
///
/// where each vector row r reads L input bytes at columns kw, kw + sc, ... of one input row
/// (a window `x` of the padded input, sliced at kw, with column stride sc = 1 or 2) and w is
/// the channel's weight at (kh, kw). For output lane i the KW products come from the
/// consecutive bytes x[sc * i + j], j < KW: one VPDPBUSD per row does them all, on the
/// input row's bytes shuffled into quads (x[sc*i], x[sc*i+1], x[sc*i+2], x[sc*i+3]) and the
/// broadcast weight word (w[kh, 0], w[kh, 1], w[kh, 2], 0) — the fourth byte's weight is 0.
/// LLVM selects the shuffle as one VPERMW (stride 2) or VPERMQ + VPSHUFB (unit stride).
static LogicalResult rewriteDepthwiseWindow(RewriterBase &rewriter, scf::ForOp loop) {
  auto kw = getConstantIntValue(loop.getUpperBound());
  if (!isConstantIntValue(loop.getLowerBound(), 0) || !isConstantIntValue(loop.getStep(), 1) ||
      !kw || *kw < 2 || *kw > 4 || loop.getNumRegionIterArgs() != 1)
    return failure();
  auto accType = dyn_cast<VectorType>(loop.getRegionIterArgs()[0].getType());
  if (!accType || !accType.getElementType().isInteger(32) || accType.getRank() > 2 ||
      !llvm::is_contained({8, 16}, accType.getShape().back()))
    return failure();
  int64_t lanes = accType.getShape().back();
  int64_t rows = accType.getRank() == 2 ? accType.getShape()[0] : 1;
  Value iv = loop.getInductionVar(), arg = loop.getRegionIterArgs()[0];
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddIOp>();
  // The loop is replaced whole: nothing in it may do more than compute and read.
  if (!add || !llvm::all_of(loop.getBody()->without_terminator(), [](Operation &op) {
        return isMemoryEffectFree(&op) || isa<vector::TransferReadOp>(op);
      }))
    return failure();
  Value product = add.getLhs() == arg ? add.getRhs() : add.getRhs() == arg ? add.getLhs() : Value();
  auto mul = product ? product.getDefiningOp<arith::MulIOp>() : nullptr;
  if (!mul)
    return failure();
  // Each factor: 8-bit values read from memory, zero- or sign-extended, possibly centered
  // by a zero point in 16 bits first (extsi(ext(v) - zp)). The weight is the one read
  // from a 0-D memref (broadcast); the input must be unsigned; the weights signed with
  // zero point 0 or unsigned with any zero point.
  struct Factor {
    vector::TransferReadOp read;
    bool isUnsigned = false;
    int64_t zp = 0;
  };
  auto factor = [](Value v) -> std::optional<Factor> {
    Factor f;
    if (auto ext = v.getDefiningOp<arith::ExtUIOp>()) {
      f.isUnsigned = true;
      f.read = ext.getIn().getDefiningOp<vector::TransferReadOp>();
    } else if (auto ext = v.getDefiningOp<arith::ExtSIOp>()) {
      Value in = ext.getIn();
      if (auto sub = in.getDefiningOp<arith::SubIOp>()) {
        APInt z;
        if (!matchPattern(sub.getRhs(), m_ConstantInt(&z)))
          return std::nullopt;
        f.zp = z.getSExtValue();
        in = sub.getLhs();
      }
      if (auto inner = in.getDefiningOp<arith::ExtUIOp>()) {
        f.isUnsigned = true;
        in = inner.getIn();
      } else if (auto inner = in.getDefiningOp<arith::ExtSIOp>()) {
        in = inner.getIn();
      }
      f.read = in.getDefiningOp<vector::TransferReadOp>();
    }
    if (!f.read)
      return std::nullopt;
    return f;
  };
  auto lhs = factor(mul.getLhs()), rhs = factor(mul.getRhs());
  if (!lhs || !rhs)
    return failure();
  auto isBroadcast = [](Factor f) {
    return cast<MemRefType>(f.read.getSource().getType()).getRank() == 0;
  };
  if (isBroadcast(*lhs))
    std::swap(lhs, rhs);
  if (!isBroadcast(*rhs) || isBroadcast(*lhs) || !lhs->isUnsigned ||
      (!rhs->isUnsigned && rhs->zp != 0) || rhs->zp < 0 || rhs->zp > 255)
    return failure();
  vector::TransferReadOp xRead = lhs->read, wRead = rhs->read;
  int64_t zp = lhs->zp, wZp = rhs->zp;
  bool unsignedWeights = rhs->isUnsigned;
  if (xRead.getMask() || wRead.getMask() ||
      !xRead.getVectorType().getElementType().isInteger(8) ||
      !wRead.getVectorType().getElementType().isInteger(8) ||
      !xRead.getPermutationMap().isMinorIdentity() ||
      llvm::any_of(xRead.getInBoundsValues(), [](bool b) { return !b; }) ||
      !llvm::all_of(xRead.getIndices(), [](Value v) { return isConstantIntValue(v, 0); }))
    return failure();

  // The input window at kw: subview(base)[..., kw] (unit strides), then optionally a
  // subview with strides [sr, sc] from offset 0.
  int64_t rowStride = 1, colStride = 1;
  auto window = xRead.getSource().getDefiningOp<memref::SubViewOp>();
  if (window && !llvm::is_contained(window.getMixedOffsets(), OpFoldResult(iv))) {
    ArrayRef<int64_t> strides = window.getStaticStrides();
    if (!llvm::all_of(window.getStaticOffsets(), [](int64_t o) { return o == 0; }) ||
        strides.size() != (size_t)accType.getRank() || llvm::any_of(strides, ShapedType::isDynamic))
      return failure();
    colStride = strides.back();
    rowStride = strides.size() == 2 ? strides[0] : 1;
    window = window.getSource().getDefiningOp<memref::SubViewOp>();
  }
  if (!window || window.getMixedOffsets().back() != OpFoldResult(iv) ||
      !llvm::all_of(window.getStaticStrides(), [](int64_t s) { return s == 1; }) ||
      colStride > 2)
    return failure();
  auto baseType = cast<MemRefType>(window.getSource().getType());
  int64_t baseRank = baseType.getRank();
  if (baseRank < 2 || ShapedType::isDynamic(baseType.getShape().back()) ||
      window.getStaticSizes().size() != (size_t)baseRank)
    return failure();
  // Weights: a 0-D subview of the filter at (..., kh, kw), broadcast to the block.
  auto wWindow = wRead.getSource().getDefiningOp<memref::SubViewOp>();
  if (!wWindow || wRead.getVectorType().getShape() != accType.getShape() ||
      cast<MemRefType>(wRead.getSource().getType()).getRank() != 0 ||
      wWindow.getMixedOffsets().back() != OpFoldResult(iv) ||
      !llvm::all_of(wWindow.getStaticSizes(), [](int64_t s) { return s == 1; }) ||
      !llvm::all_of(wWindow.getStaticStrides(), [](int64_t s) { return s == 1; }))
    return failure();
  auto wBaseType = cast<MemRefType>(wWindow.getSource().getType());
  if (wBaseType.getShape().back() < *kw)
    return failure();
  // The kernel's column offsets must not depend on kw other than through the last index.
  for (memref::SubViewOp sv : {window, wWindow}) {
    SmallVector<OpFoldResult> offsets = sv.getMixedOffsets();
    for (OpFoldResult o : ArrayRef(offsets).drop_back())
      if (auto v = dyn_cast<Value>(o); v && !loop.isDefinedOutsideOfLoop(v))
        return failure();
  }

  Location loc = loop.getLoc();
  rewriter.setInsertionPoint(loop);
  Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
  Value zero8 = rewriter.create<arith::ConstantOp>(loc, rewriter.getI8IntegerAttr(0));
  Value c0 = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  auto withColumnZero = [&](memref::SubViewOp sv, int64_t lastSize) {
    SmallVector<OpFoldResult> offsets = sv.getMixedOffsets(), sizes = sv.getMixedSizes(),
                              strides = sv.getMixedStrides();
    offsets.back() = rewriter.getIndexAttr(0);
    sizes.back() = rewriter.getIndexAttr(lastSize);
    return rewriter.create<memref::SubViewOp>(loc, sv.getSource(), offsets, sizes, strides);
  };
  // The channel's weight word for this kh: (w[kh, 0], ..., w[kh, KW - 1], 0...).
  Value wRow = withColumnZero(wWindow, *kw);
  SmallVector<Value> wIdx(wBaseType.getRank(), c0);
  Value wBytes = rewriter.create<vector::TransferReadOp>(
      loc, VectorType::get({4}, i8), wRow, wIdx,
      AffineMap::get(wBaseType.getRank(), 0, rewriter.getAffineDimExpr(wBaseType.getRank() - 1)),
      zero8, /*mask=*/Value(), rewriter.getBoolArrayAttr({false}));
  Value wWord = rewriter.create<vector::ExtractOp>(
      loc, rewriter.create<vector::BitCastOp>(loc, VectorType::get({1}, i32), wBytes),
      ArrayRef<int64_t>{0});
  auto rowType = VectorType::get({lanes}, i32);
  Value wVec = rewriter.create<vector::BroadcastOp>(loc, rowType, wWord);
  // A centered input: sum_j (x_j - zp) w_j = sum_j x_j w_j - zp * sum_j w_j.
  // Unsigned weights with zero point zw (VPDPBUSD's signed operand is then the input,
  // x' = x - 128): sum_j (x_j - zp)(w_j - zw) = D1 - D2 + C with D1 = sum_j w_j x'_j,
  // D2 = sum_j zw x'_j (a second VPDPBUSD, on the word (zw, .., zw, 0..)) and
  // C = (128 - zp) * (sum_j w_j - KW * zw).
  Value correction, zwVec, signFlip, zeroAcc;
  auto i32Const = [&](int64_t v) -> Value {
    return rewriter.create<arith::ConstantOp>(loc, rewriter.getI32IntegerAttr((int32_t)v));
  };
  if (unsignedWeights || zp != 0) {
    auto wide = VectorType::get({4}, i32);
    Value wWide = unsignedWeights ? rewriter.create<arith::ExtUIOp>(loc, wide, wBytes).getResult()
                                  : rewriter.create<arith::ExtSIOp>(loc, wide, wBytes).getResult();
    Value wSum = rewriter.create<vector::ReductionOp>(loc, vector::CombiningKind::ADD, wWide);
    Value c = unsignedWeights
                  ? rewriter.create<arith::MulIOp>(
                        loc, rewriter.create<arith::SubIOp>(loc, wSum, i32Const(*kw * wZp)),
                        i32Const(128 - zp))
                  : rewriter.create<arith::MulIOp>(loc, wSum, i32Const(zp));
    correction = rewriter.create<vector::BroadcastOp>(loc, rowType, c);
  }
  if (unsignedWeights) {
    uint32_t zwWord = 0;
    for (int64_t j = 0; j < *kw; ++j)
      zwWord |= uint32_t(wZp) << (8 * j);
    zwVec = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(rowType, rewriter.getI32IntegerAttr((int32_t)zwWord)));
    signFlip = rewriter.create<arith::ConstantOp>(
        loc, DenseElementsAttr::get(rowType, rewriter.getI32IntegerAttr((int32_t)0x80808080u)));
    zeroAcc = rewriter.create<arith::ConstantOp>(loc, rewriter.getZeroAttr(rowType));
  }
  // Each input row: the bytes from column 0 of the window (masked past its end), shuffled
  // into one quad per output lane.
  Value xRows = withColumnZero(window, baseType.getShape().back());
  int64_t need = colStride * (lanes - 1) + 4, width = 16;
  while (width < need)
    width *= 2;
  SmallVector<int64_t> quads;
  for (int64_t i = 0; i < lanes; ++i)
    for (int64_t j = 0; j < 4; ++j)
      quads.push_back(std::min(colStride * i + j, width - 1));
  AffineMap lastDim = AffineMap::get(baseRank, 0, rewriter.getAffineDimExpr(baseRank - 1));
  std::string intrinsic = "llvm.x86.avx512.vpdpbusd." + std::to_string(lanes * 32);
  // The block's input quads, row by row, in the accumulator's shape.
  Value words = rewriter.create<arith::ConstantOp>(loc, accType, rewriter.getZeroAttr(accType));
  for (int64_t r = 0; r < rows; ++r) {
    SmallVector<Value> idx(baseRank, c0);
    idx[baseRank - 2] = rewriter.create<arith::ConstantIndexOp>(loc, r * rowStride);
    Value bytes = rewriter.create<vector::TransferReadOp>(
        loc, VectorType::get({width}, i8), xRows, idx, lastDim, zero8, Value(),
        rewriter.getBoolArrayAttr({false}));
    Value shuffled = rewriter.create<vector::ShuffleOp>(loc, bytes, bytes, quads);
    Value row = rewriter.create<vector::BitCastOp>(loc, rowType, shuffled);
    words = accType.getRank() == 1
                ? row
                : rewriter.create<vector::InsertOp>(loc, row, words, ArrayRef<int64_t>{r});
  }
  Value result = rowByRow(rewriter, loc, accType, {loop.getInitArgs()[0], words},
                          [&](ArrayRef<Value> v) -> Value {
    Value acc = v[0], words = v[1], dot;
    if (unsignedWeights) {
      Value centered = rewriter.create<arith::XOrIOp>(loc, words, signFlip);
      Value d1 = callIntrinsic(rewriter, loc, intrinsic, rowType, ValueRange{acc, wVec, centered});
      Value d2 =
          callIntrinsic(rewriter, loc, intrinsic, rowType, ValueRange{zeroAcc, zwVec, centered});
      dot = rewriter.create<arith::AddIOp>(loc, rewriter.create<arith::SubIOp>(loc, d1, d2),
                                           correction);
    } else {
      dot = callIntrinsic(rewriter, loc, intrinsic, rowType, ValueRange{acc, words, wVec});
      if (correction)
        dot = rewriter.create<arith::SubIOp>(loc, dot, correction);
    }
    return dot;
  });
  rewriter.replaceOp(loop, result);
  return success();
}

struct QccX86DotProductsPass
    : mlir::qcc::impl::QccX86DotProductsBase<QccX86DotProductsPass> {
  using QccX86DotProductsBase::QccX86DotProductsBase;
  void runOnOperation() override {
    if (isa != "vnni" && isa != "avx2" && isa != "sse2") {
      getOperation().emitError("qcc-x86-dot-products: isa must be vnni, avx2 or sse2, not '")
          << isa << "'";
      return signalPassFailure();
    }
    bool vnni = isa == "vnni";
    IRRewriter rewriter(&getContext());
    if (vnni) {
      SmallVector<scf::ForOp> loops;
      getOperation().walk([&](scf::ForOp loop) { loops.push_back(loop); });
      for (scf::ForOp loop : loops)
        (void)rewriteDepthwiseWindow(rewriter, loop);
    }
    // Words per instruction: VPDPWSSD/VPDPBUSD take 4, 8 or 16; PMADDWD 8 (AVX2) or 4 (SSE2).
    int64_t chunk = isa == "avx2" ? 8 : 4;
    Type i32 = rewriter.getI32Type();
    for (arith::AddIOp op : dotCandidates(getOperation(), chunk)) {
      Location loc = op.getLoc();
      int64_t lanes = cast<VectorType>(op.getType()).getShape().back();
      // VNNI on one row of 4, 8 or 16 words (VPDPBUSD for unsigned x signed byte quads,
      // VPDPWSSD for 16-bit pairs).
      auto vnniRow = [&](StringRef base) {
        return [&, base](Value acc, Value a, Value w) {
          return callIntrinsic(rewriter, loc, (base + std::to_string(lanes * 32)).str(),
                               VectorType::get({lanes}, i32), ValueRange{acc, a, w});
        };
      };
      if (vnni && llvm::is_contained({4, 8, 16}, lanes)) {
        if (auto m = matchPackedDot(op, 4, /*unsignedA=*/true)) {
          rewriteRows(rewriter, op, *m, vnniRow("llvm.x86.avx512.vpdpbusd."));
          continue;
        }
        if (auto m = matchPackedDot(op, 2, false))
          rewriteRows(rewriter, op, *m, vnniRow("llvm.x86.avx512.vpdpwssd."));
        continue;
      }
      if (vnni)
        continue;
      auto m = matchPackedDot(op, 2, false);
      if (!m)
        continue;
      StringRef name = isa == "avx2" ? "llvm.x86.avx2.pmadd.wd" : "llvm.x86.sse2.pmadd.wd";
      rewriteRows(rewriter, op, *m, [&](Value acc, Value a, Value w) {
        return rowInChunks(rewriter, loc, acc, a, w, chunk,
                           VectorType::get({2 * chunk}, rewriter.getI16Type()),
                           [&](Value accPart, Value a16, Value w16) -> Value {
                             Value product = callIntrinsic(rewriter, loc, name,
                                                           VectorType::get({chunk}, i32),
                                                           ValueRange{a16, w16});
                             return rewriter.create<arith::AddIOp>(loc, accPart, product);
                           });
      });
    }
  }
};

struct QccArmDotProductsPass
    : mlir::qcc::impl::QccArmDotProductsBase<QccArmDotProductsPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    for (arith::AddIOp op : dotCandidates(getOperation(), 4)) {
      auto m = matchPackedDot(op, 4, /*unsignedA=*/false);
      if (!m)
        continue;
      Location loc = op.getLoc();
      rewriteRows(rewriter, op, *m, [&](Value acc, Value a, Value w) {
        return rowInChunks(rewriter, loc, acc, a, w, 4,
                           VectorType::get({16}, rewriter.getI8Type()),
                           [&](Value accPart, Value a8, Value w8) {
                             return callIntrinsic(rewriter, loc,
                                                  "llvm.aarch64.neon.sdot.v4i32.v16i8",
                                                  accPart.getType(), ValueRange{accPart, a8, w8});
                           });
      });
    }
  }
};

} // namespace
