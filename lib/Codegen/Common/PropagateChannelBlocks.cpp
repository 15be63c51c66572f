//===- PropagateChannelBlocks.cpp - NCHWc between blocked layers ----------===//
#include "qcc/Codegen/Passes.h"
#include "qcc/Dialect/Qcc/IR/QccDialect.h"
#include "qcc/Dialect/Qcc/Utils/ChannelBlocks.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCPROPAGATECHANNELBLOCKS
#include "qcc/Codegen/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;
using ::mlir::qcc::packChannels;

namespace {

/// True if the body maps finite inputs to finite outputs whatever they are (so padded
/// channels, which hold finite values, stay finite): only additions, subtractions,
/// multiplications, min/max, negation, comparisons and selects of the inputs and finite
/// constants, and divisions by a nonzero constant or by a constant input of finite nonzero
/// elements (Relu, Clip, HardSwish, residual Adds, an average pooling's divisor).
/// A division by a variable or a logarithm could turn a padded channel's 0 into Inf or NaN,
/// which the next blocked convolution would multiply by its weight 0 into NaN.
bool keepsPaddingFinite(linalg::GenericOp op) {
  Block &body = *op.getBody();
  auto finiteConstant = [](Value v, bool nonzero) {
    FloatAttr attr;
    if (!matchPattern(v, m_Constant(&attr)))
      return false;
    APFloat x = attr.getValue();
    return x.isFinite() && !(nonzero && x.isZero());
  };
  // A block argument of a constant input whose elements are all finite and nonzero (the
  // per-position divisor of an average pooling).
  auto nonzeroConstantInput = [&](Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    if (!arg || arg.getOwner() != &body || arg.getArgNumber() >= op.getNumDpsInputs())
      return false;
    DenseElementsAttr attr;
    if (!matchPattern(op.getDpsInputOperand(arg.getArgNumber())->get(), m_Constant(&attr)) ||
        !isa<FloatType>(attr.getElementType()))
      return false;
    return llvm::all_of(attr.getValues<APFloat>(),
                        [](const APFloat &x) { return x.isFinite() && !x.isZero(); });
  };
  for (Operation &inner : body) {
    if (isa<linalg::YieldOp, arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::MaximumFOp,
            arith::MinimumFOp, arith::MaxNumFOp, arith::MinNumFOp, arith::NegFOp, arith::CmpFOp,
            arith::SelectOp>(inner))
      continue;
    if (auto div = dyn_cast<arith::DivFOp>(inner);
        div && (finiteConstant(div.getRhs(), true) || nonzeroConstantInput(div.getRhs())))
      continue;
    if (auto c = dyn_cast<arith::ConstantOp>(inner); c && finiteConstant(c.getResult(), false))
      continue;
    return false;
  }
  // Values from outside the body (captured constants) must be finite too.
  bool finite = true;
  body.walk([&](Operation *inner) {
    for (Value v : inner->getOperands())
      if (v.getParentBlock() != &body && isa<FloatType>(v.getType()) &&
          !finiteConstant(v, false))
        finite = false;
  });
  return finite;
}

/// True if two packs or unpacks block the same dimensions the same static way.
template <typename A, typename B> bool sameBlocks(A a, B b) {
  return a.getInnerDimsPos() == b.getInnerDimsPos() &&
         a.getOuterDimsPerm() == b.getOuterDimsPerm() &&
         a.getStaticInnerTiles() == b.getStaticInnerTiles() &&
         !ShapedType::isDynamicShape(a.getStaticInnerTiles());
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

/// The channel block size of a pack or unpack of NCHW dimension 1 into NCHWc (no outer
/// permutation, a static tile), or 0.
int64_t channelBlock(ArrayRef<int64_t> innerDims, ArrayRef<int64_t> outerPerm,
                     ArrayRef<int64_t> tiles, int64_t rank) {
  if (rank != 4 || innerDims.size() != 1 || innerDims[0] != 1 || !outerPerm.empty() ||
      tiles.size() != 1 || ShapedType::isDynamic(tiles[0]))
    return 0;
  return tiles[0];
}
int64_t channelBlock(tensor::PackOp pack) {
  return channelBlock(pack.getInnerDimsPos(), pack.getOuterDimsPerm(),
                      pack.getStaticInnerTiles(), pack.getSourceType().getRank());
}

/// pack(fill(v)) -> fill(v) of the packed shape (a pooling's initial value). Padded lanes
/// get v too: only for a finite v, or as the initial value of a blocked window op (a max
/// pooling's -inf becomes the maximum over a window, which always covers some input).
struct PackOfFill : OpRewritePattern<tensor::PackOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::PackOp pack, PatternRewriter &rewriter) const override {
    auto fill = pack.getSource().getDefiningOp<linalg::FillOp>();
    if (!fill || !channelBlock(pack) || !fill.hasPureTensorSemantics())
      return failure();
    FloatAttr value;
    bool finite = matchPattern(fill.getDpsInputOperand(0)->get(), m_Constant(&value)) &&
                  value.getValue().isFinite();
    auto window = pack->hasOneUse() ? dyn_cast<linalg::GenericOp>(*pack->user_begin())
                                    : linalg::GenericOp();
    if (!finite && !(window && window->hasAttr(kTileSizesAttrName) &&
                     window.getNumDpsInits() == 1 &&
                     window.getDpsInitOperand(0)->get() == pack.getResult()))
      return failure();
    Value empty = rewriter.create<tensor::EmptyOp>(pack.getLoc(), pack.getDestType().getShape(),
                                                   pack.getDestType().getElementType());
    rewriter.replaceOpWithNewOp<linalg::FillOp>(pack, fill.getDpsInputOperand(0)->get(), empty);
    return success();
  }
};

/// pack(pad(x)) -> pad(pack(x)) for a pad of the spatial dimensions only (a pooling's
/// input): the pad then applies to the blocked value, whose producer's unpack can fold.
/// Padded channel lanes at padded spatial positions hold the pad value instead of the
/// pack's padding value; both are never read into a real channel.
struct PackOfSpatialPad : OpRewritePattern<tensor::PackOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::PackOp pack, PatternRewriter &rewriter) const override {
    auto pad = pack.getSource().getDefiningOp<tensor::PadOp>();
    int64_t lanes = channelBlock(pack);
    if (!pad || !lanes || !pad.getConstantPaddingValue())
      return failure();
    auto low = pad.getStaticLow(), high = pad.getStaticHigh();
    if (ShapedType::isDynamicShape(low) || ShapedType::isDynamicShape(high) || low[0] ||
        low[1] || high[0] || high[1])
      return failure();
    Location loc = pack.getLoc();
    Value inner = packChannels(rewriter, loc, pad.getSource(), lanes, pack.getPaddingValue());
    SmallVector<OpFoldResult> lo, hi;
    for (int64_t x : {int64_t(0), int64_t(0), low[2], low[3], int64_t(0)})
      lo.push_back(rewriter.getIndexAttr(x));
    for (int64_t x : {int64_t(0), int64_t(0), high[2], high[3], int64_t(0)})
      hi.push_back(rewriter.getIndexAttr(x));
    auto type = pack.getDestType();
    rewriter.replaceOpWithNewOp<tensor::PadOp>(pack, type, inner, lo, hi,
                                               pad.getConstantPaddingValue());
    return success();
  }
};

/// The pieces (value, first channel) of a concatenation along the channels of an NCHW
/// tensor of `channels` channels, `v` = a chain of insert_slices into a tensor.empty, when
/// every piece starts on a block boundary of `lanes` channels and only the last piece in
/// channel order ends inside a block; empty otherwise.
SmallVector<std::pair<Value, int64_t>> blockAlignedConcat(Value v, int64_t lanes) {
  SmallVector<std::pair<Value, int64_t>> pieces;
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() != 4)
    return {};
  auto shape = type.getShape();
  while (auto insert = v.getDefiningOp<tensor::InsertSliceOp>()) {
    auto offsets = insert.getStaticOffsets(), sizes = insert.getStaticSizes();
    if (!insert.hasUnitStride() || ShapedType::isDynamicShape(offsets) ||
        ShapedType::isDynamicShape(sizes) || insert.getSourceType().getRank() != 4 ||
        offsets[0] || offsets[2] || offsets[3] || sizes[0] != shape[0] ||
        sizes[2] != shape[2] || sizes[3] != shape[3] || offsets[1] % lanes ||
        ((offsets[1] + sizes[1]) % lanes && offsets[1] + sizes[1] != shape[1]))
      return {};
    pieces.push_back({insert.getSource(), offsets[1]});
    v = insert.getDest();
  }
  if (pieces.empty() || !v.getDefiningOp<tensor::EmptyOp>())
    return {};
  // The pieces must cover every channel (the empty tensor's values are undefined).
  int64_t covered = 0;
  for (auto &[piece, offset] : pieces)
    covered += cast<RankedTensorType>(piece.getType()).getShape()[1];
  if (covered != shape[1])
    return {};
  return pieces;
}

/// pack(concat) -> concat(packs) for a concatenation along the channels whose pieces start
/// on block boundaries (blockAlignedConcat): each piece is packed on its own (its pack can
/// then fold with its producer's unpack) and inserted at its block offset.
struct PackOfChannelConcat : OpRewritePattern<tensor::PackOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::PackOp pack, PatternRewriter &rewriter) const override {
    int64_t lanes = channelBlock(pack);
    if (!lanes)
      return failure();
    SmallVector<std::pair<Value, int64_t>> pieces = blockAlignedConcat(pack.getSource(), lanes);
    if (pieces.empty())
      return failure();
    Location loc = pack.getLoc();
    Value result = rewriter.create<tensor::EmptyOp>(loc, pack.getDestType().getShape(),
                                                    pack.getDestType().getElementType());
    for (auto &[piece, offset] : llvm::reverse(pieces)) {
      Value packed = packChannels(rewriter, loc, piece, lanes, pack.getPaddingValue());
      auto pshape = cast<RankedTensorType>(packed.getType()).getShape();
      SmallVector<int64_t> offs = {0, offset / lanes, 0, 0, 0};
      result = rewriter.create<tensor::InsertSliceOp>(
          loc, packed, result, ValueRange{}, ValueRange{}, ValueRange{},
          rewriter.getDenseI64ArrayAttr(offs), rewriter.getDenseI64ArrayAttr(pshape),
          rewriter.getDenseI64ArrayAttr(SmallVector<int64_t>(5, 1)));
    }
    rewriter.replaceOp(pack, result);
    return success();
  }
};

/// A window op on NCHW (a max or average pooling: loops n, c, oh, ow | kh, kw, the
/// channel loop d1 used only as dimension 1 of the input and the output) whose input is
/// an unpack, possibly spatially padded, or whose result only a pack reads while its input
/// is a block-aligned concatenation: packed along the channel loop (linalg::pack), so it
/// runs on the blocks and its input pack and output unpack can fold with their neighbours.
struct WindowOnBlocks : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (op.getNumDpsInits() != 1 || op.getNumDpsInputs() < 1 || op.getNumLoops() != 6 ||
        op.getNumParallelLoops() != 4 || op->hasAttr(kTileSizesAttrName))
      return failure();
    // Blocked on one side: the input is (a spatial pad of) an unpack, or the only user of
    // the result is a pack.
    Value in = op.getDpsInputOperand(0)->get();
    if (auto pad = in.getDefiningOp<tensor::PadOp>())
      in = pad.getSource();
    int64_t lanes = 0;
    if (auto unpack = in.getDefiningOp<tensor::UnPackOp>())
      lanes = channelBlock(unpack.getInnerDimsPos(), unpack.getOuterDimsPerm(),
                           unpack.getStaticInnerTiles(), unpack.getDestType().getRank());
    else if (op->hasOneUse())
      if (auto pack = dyn_cast<tensor::PackOp>(*op->user_begin()))
        // Only when the input's pack then disappears too (a concatenation of blocks): a
        // pack moved above a pooling converts a larger tensor.
        if (!blockAlignedConcat(in, channelBlock(pack)).empty())
          lanes = channelBlock(pack);
    if (!lanes)
      return failure();
    // d1 parallel, dimension 1 of operand 0 and of the output, in no other operand.
    AffineExpr d1 = rewriter.getAffineDimExpr(1);
    if (op.getIteratorTypesArray()[1] != utils::IteratorType::parallel)
      return failure();
    for (OpOperand &operand : op->getOpOperands()) {
      AffineMap map = op.getMatchingIndexingMap(&operand);
      bool first = operand.getOperandNumber() == 0 || op.isDpsInit(&operand);
      for (auto [i, e] : llvm::enumerate(map.getResults()))
        if (e.isFunctionOfDim(1) && !(first && i == 1 && e == d1))
          return failure();
      if (first && (map.getNumResults() != 4 || map.getResult(1) != d1))
        return failure();
    }
    if (!keepsPaddingFinite(op))
      return failure();
    SmallVector<OpFoldResult> sizes(6, rewriter.getIndexAttr(0));
    sizes[1] = rewriter.getIndexAttr(lanes);
    // qcc-vectorize-conv tiles the packed op as it does a depthwise convolution: a row of
    // up to 8 output columns x the lanes (loops n, c, oh, ow | kh, kw | lane).
    int64_t width = cast<RankedTensorType>(op->getResult(0).getType()).getShape()[3];
    int64_t columns = 1;
    for (int64_t cand : {8, 7, 6, 5, 4, 3, 2})
      if (width % cand == 0) {
        columns = cand;
        break;
      }
    FailureOr<linalg::PackResult> packed = linalg::pack(rewriter, op, sizes);
    if (failed(packed))
      return failure();
    packed->packedLinalgOp->setAttr(
        kTileSizesAttrName, rewriter.getDenseI64ArrayAttr({1, 1, 1, columns, 1, 1, lanes}));
    return success();
  }
};

/// An elementwise linalg.generic on NCHW (all loops parallel, the output map the identity,
/// a body that keeps finite values finite): each input either read through the identity
/// map or broadcast along the channels (a map without d1: an average pooling's divisor per
/// position). Rewritten on the blocks, the broadcast inputs as they are, when it is blocked
/// on one side:
///  - every identity input is an unpack of the same blocking: the op reads the blocked
///    values and its result is unpacked (Relu or Clip after a convolution, residual Add);
///  - its only user is a pack: the identity inputs are packed (each pack may fold with its
///    producer's unpack or move further up) and the op's result replaces the pack.
struct ElementwiseOnBlocks : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (op.getNumDpsInputs() < 1 || op.getNumDpsInits() != 1 || op->getNumResults() != 1 ||
        op.getNumLoops() != 4 || op.getNumParallelLoops() != op.getNumLoops() ||
        !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity() ||
        !keepsPaddingFinite(op))
      return failure();
    SmallVector<OpOperand *> blockedInputs;
    for (OpOperand *in : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(in);
      if (map.isIdentity())
        blockedInputs.push_back(in);
      else if (llvm::any_of(map.getResults(), [](AffineExpr e) { return e.isFunctionOfDim(1); }))
        return failure();
    }
    if (blockedInputs.empty())
      return failure();
    // Push down: every identity input an unpack of one blocking.
    tensor::UnPackOp first = blockedInputs[0]->get().getDefiningOp<tensor::UnPackOp>();
    bool pushDown = first && channelBlock(first.getInnerDimsPos(), first.getOuterDimsPerm(),
                                          first.getStaticInnerTiles(), 4);
    for (OpOperand *in : blockedInputs) {
      auto unpack = in->get().getDefiningOp<tensor::UnPackOp>();
      pushDown = pushDown && unpack &&
                 unpack.getSource().getType() == first.getSource().getType() &&
                 sameBlocks(unpack, first);
    }
    // Bubble up: the only user a pack of the channels.
    tensor::PackOp pack;
    if (!pushDown && op->hasOneUse())
      pack = dyn_cast<tensor::PackOp>(*op->user_begin());
    if (!pushDown && !(pack && channelBlock(pack)))
      return failure();
    int64_t lanes = pushDown ? first.getStaticInnerTiles()[0] : channelBlock(pack);
    Location loc = op.getLoc();
    if (pack)
      rewriter.setInsertionPoint(pack);
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    MLIRContext *ctx = op.getContext();
    for (OpOperand *in : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(in);
      if (map.isIdentity()) {
        inputs.push_back(pushDown ? in->get().getDefiningOp<tensor::UnPackOp>().getSource()
                                  : packChannels(rewriter, loc, in->get(), lanes));
        maps.push_back(AffineMap::getMultiDimIdentityMap(5, ctx));
      } else {
        inputs.push_back(in->get());
        maps.push_back(AffineMap::get(5, 0, map.getResults(), ctx));
      }
    }
    maps.push_back(AffineMap::getMultiDimIdentityMap(5, ctx));
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    auto shape = cast<RankedTensorType>(inputs[blockedInputs[0]->getOperandNumber()].getType())
                     .getShape();
    Value init = rewriter.create<tensor::EmptyOp>(loc, shape, resultType.getElementType());
    auto blocked = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps,
        SmallVector<utils::IteratorType>(5, utils::IteratorType::parallel));
    rewriter.cloneRegionBefore(op.getRegion(), blocked.getRegion(), blocked.getRegion().begin());
    // Same attributes (a requantization's qcc.epilogue mark, for one).
    for (NamedAttribute attr : op->getDiscardableAttrs())
      blocked->setAttr(attr.getName(), attr.getValue());
    if (pack) {
      rewriter.replaceOp(pack, blocked.getResult(0));
      rewriter.eraseOp(op);
      return success();
    }
    auto unpack = rewriter.create<tensor::UnPackOp>(
        loc, blocked.getResult(0), op.getDpsInitOperand(0)->get(), first.getInnerDimsPos(),
        first.getMixedTiles(), first.getOuterDimsPerm());
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
      if (auto n = empty->getAttrOfType<IntegerAttr>(kDistinctAttrName))
        next = std::max(next, n.getInt() + 1);
    });
    RewritePatternSet patterns(ctx);
    patterns.add<FoldPackOfUnpack, PackOfFill, PackOfSpatialPad, PackOfChannelConcat,
                 WindowOnBlocks, ElementwiseOnBlocks>(ctx);
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
    // The tensor.empty ops this pass and the packs' lowering created get distinct
    // `qcc.distinct` numbers as convert-qcc-to-linalg's own do (CSE would otherwise merge
    // identical ones into one buffer), after the largest number the function had.
    getOperation().walk([&](tensor::EmptyOp empty) {
      if (!empty->hasAttr(kDistinctAttrName))
        empty->setAttr(kDistinctAttrName, rewriter.getI64IntegerAttr(next++));
    });
  }
};

} // namespace
