//===- PropagateChannelBlocks.cpp - NCHWc between blocked layers ----------===//
#include "qcc/Dialect/Qcc/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCPROPAGATECHANNELBLOCKS
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;

namespace {

/// True if `pack` and `unpack` block the same dimensions the same way.
bool sameBlocks(tensor::PackOp pack, tensor::UnPackOp unpack) {
  return pack.getInnerDimsPos() == unpack.getInnerDimsPos() &&
         pack.getOuterDimsPerm() == unpack.getOuterDimsPerm() &&
         pack.getStaticInnerTiles() == unpack.getStaticInnerTiles() &&
         !ShapedType::isDynamicShape(pack.getStaticInnerTiles());
}

/// pack(unpack(y)) -> y. With a partial last block, y's padded lanes need not hold the
/// pack's padding value: qcc's blocked consumers weigh them 0 (see the pass description).
struct FoldPackOfUnpack : OpRewritePattern<tensor::PackOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::PackOp pack, PatternRewriter &rewriter) const override {
    auto unpack = pack.getSource().getDefiningOp<tensor::UnPackOp>();
    if (!unpack || !sameBlocks(pack, unpack) ||
        unpack.getSource().getType() != pack.getResult().getType())
      return failure();
    rewriter.replaceOp(pack, unpack.getSource());
    return success();
  }
};

/// True if the body maps finite inputs to finite outputs whatever they are (so padded
/// channels, which hold finite values, stay finite): only additions, subtractions,
/// multiplications, min/max, negation, comparisons and selects of the inputs and finite
/// constants, and divisions by a nonzero constant (Relu, Clip, HardSwish, residual Adds).
/// A division by a variable or a logarithm could turn a padded channel's 0 into Inf or NaN,
/// which the next blocked convolution would multiply by its weight 0 into NaN.
bool keepsPaddingFinite(Block &body) {
  auto finiteConstant = [](Value v, bool nonzero) {
    FloatAttr attr;
    if (!matchPattern(v, m_Constant(&attr)))
      return false;
    APFloat x = attr.getValue();
    return x.isFinite() && !(nonzero && x.isZero());
  };
  for (Operation &op : body) {
    if (isa<linalg::YieldOp, arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::MaximumFOp,
            arith::MinimumFOp, arith::MaxNumFOp, arith::MinNumFOp, arith::NegFOp, arith::CmpFOp,
            arith::SelectOp>(op))
      continue;
    if (auto div = dyn_cast<arith::DivFOp>(op); div && finiteConstant(div.getRhs(), true))
      continue;
    if (auto c = dyn_cast<arith::ConstantOp>(op); c && finiteConstant(c.getResult(), false))
      continue;
    return false;
  }
  // Values from outside the body (captured constants) must be finite too.
  bool finite = true;
  body.walk([&](Operation *op) {
    for (Value v : op->getOperands())
      if (v.getParentBlock() != &body && isa<FloatType>(v.getType()) &&
          !finiteConstant(v, false))
        finite = false;
  });
  return finite;
}

/// An elementwise linalg.generic (all loops parallel, every map the identity, no
/// linalg.index, a body that keeps finite values finite) whose inputs are all unpacks of
/// the same blocking: the same op on the blocked values, then one unpack.
struct ElementwiseOnBlocks : OpRewritePattern<linalg::GenericOp> {
  /// `next` numbers the new tensor.empty ops' `qcc.distinct` attribute (see
  /// convert-qcc-to-linalg: it keeps CSE from merging them into one buffer).
  ElementwiseOnBlocks(MLIRContext *ctx, int64_t &next) : OpRewritePattern(ctx), next(next) {}
  int64_t &next;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (op.getNumDpsInputs() < 1 || op.getNumDpsInits() != 1 || op->getNumResults() != 1 ||
        op.getNumParallelLoops() != op.getNumLoops() ||
        !llvm::all_of(op.getIndexingMapsArray(), [](AffineMap m) { return m.isIdentity(); }) ||
        !keepsPaddingFinite(*op.getBody()))
      return failure();
    SmallVector<tensor::UnPackOp> unpacks;
    for (OpOperand *in : op.getDpsInputOperands()) {
      auto unpack = in->get().getDefiningOp<tensor::UnPackOp>();
      if (!unpack)
        return failure();
      if (!unpacks.empty() &&
          (unpack.getSource().getType() != unpacks[0].getSource().getType() ||
           unpack.getInnerDimsPos() != unpacks[0].getInnerDimsPos() ||
           unpack.getOuterDimsPerm() != unpacks[0].getOuterDimsPerm() ||
           unpack.getStaticInnerTiles() != unpacks[0].getStaticInnerTiles()))
        return failure();
      unpacks.push_back(unpack);
    }
    auto blockedType = cast<RankedTensorType>(unpacks[0].getSource().getType());
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Location loc = op.getLoc();
    SmallVector<Value> inputs;
    for (tensor::UnPackOp unpack : unpacks)
      inputs.push_back(unpack.getSource());
    auto init = rewriter.create<tensor::EmptyOp>(loc, blockedType.getShape(),
                                                 resultType.getElementType());
    init->setAttr("qcc.distinct", rewriter.getI64IntegerAttr(next++));
    unsigned rank = blockedType.getRank();
    SmallVector<AffineMap> maps(inputs.size() + 1,
                                rewriter.getMultiDimIdentityMap(rank));
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto blocked = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{RankedTensorType::get(blockedType.getShape(), resultType.getElementType())},
        inputs, ValueRange{init}, maps, iters);
    rewriter.cloneRegionBefore(op.getRegion(), blocked.getRegion(), blocked.getRegion().begin());
    // Same attributes (a requantization's qcc.epilogue mark, for one).
    for (NamedAttribute attr : op->getDiscardableAttrs())
      blocked->setAttr(attr.getName(), attr.getValue());
    auto unpack = rewriter.create<tensor::UnPackOp>(
        loc, blocked.getResult(0), op.getDpsInitOperand(0)->get(), unpacks[0].getInnerDimsPos(),
        unpacks[0].getMixedTiles(), unpacks[0].getOuterDimsPerm());
    rewriter.replaceOp(op, unpack.getResult());
    return success();
  }
};

struct QccPropagateChannelBlocksPass
    : mlir::qcc::impl::QccPropagateChannelBlocksBase<QccPropagateChannelBlocksPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    int64_t next = 0;
    getOperation().walk([&](tensor::EmptyOp empty) {
      if (auto n = empty->getAttrOfType<IntegerAttr>("qcc.distinct"))
        next = std::max(next, n.getInt() + 1);
    });
    RewritePatternSet patterns(ctx);
    patterns.add<FoldPackOfUnpack>(ctx);
    patterns.add<ElementwiseOnBlocks>(ctx, next);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // What remains converts between layouts at the edges of the blocked layers (the image
    // in, a pooling or a reshape out): pad + expand_shape + transpose, and back.
    IRRewriter rewriter(ctx);
    SmallVector<Operation *> edges;
    getOperation().walk([&](Operation *op) {
      if (isa<tensor::PackOp, tensor::UnPackOp>(op))
        edges.push_back(op);
    });
    for (Operation *op : edges) {
      rewriter.setInsertionPoint(op);
      bool lowered = isa<tensor::PackOp>(op)
                         ? succeeded(linalg::lowerPack(rewriter, cast<tensor::PackOp>(op)))
                         : succeeded(linalg::lowerUnPack(rewriter, cast<tensor::UnPackOp>(op)));
      if (!lowered) {
        op->emitError("qcc-propagate-channel-blocks: cannot lower this layout change");
        return signalPassFailure();
      }
    }
    // An unpack lowers to ... extract_slice + a copy into its destination; into a fresh
    // tensor.empty that copy only duplicates the slice.
    getOperation().walk([&](linalg::CopyOp copy) {
      if (copy.hasPureTensorSemantics() && copy->getNumResults() == 1 &&
          copy.getDpsInitOperand(0)->get().getDefiningOp<tensor::EmptyOp>() &&
          copy.getDpsInputOperand(0)->get().getDefiningOp<tensor::ExtractSliceOp>() &&
          copy.getDpsInputOperand(0)->get().getType() == copy->getResult(0).getType()) {
        copy->getResult(0).replaceAllUsesWith(copy.getDpsInputOperand(0)->get());
        copy->erase();
      }
    });
  }
};

} // namespace
