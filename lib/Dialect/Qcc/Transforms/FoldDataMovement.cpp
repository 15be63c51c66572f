//===- FoldDataMovement.cpp - qcc-fold-fake-quant: ops that move values --===//
//
// The folds of qcc-fold-fake-quant for ops that move or select values without arithmetic:
// they run on the stored integers (max_pool, reshape, transpose, slice, gather, gather_nd,
// nearest resize, pad, concat, argmax).
//
//===----------------------------------------------------------------------===//

#include "FoldFakeQuantUtils.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace mlir::qcc;
using namespace mlir::qcc::fold_fake_quant;
using quant::UniformQuantizedType;

namespace {

/// quantize(op(dq(x))) for ops that only move or select values (max_pool, reshape,
/// transpose, slice, gather, gather_nd, nearest resize): the op runs on the stored integers, then converts to the output parameters.
struct FoldDataMovement : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    Operation *op = q.getInput().getDefiningOp();
    bool moves = op && (isa<MaxPoolOp, ReshapeOp, TransposeOp, SliceOp, GatherOp, GatherNDOp>(op) ||
                        (isa<ResizeOp>(op) && cast<ResizeOp>(op).getMode() == "nearest"));
    if (!out || !moves || !q.getInput().hasOneUse())
      return failure();
    Value x = dequantizedSource(op->getOperand(0));
    auto xt = x ? activation8(getElementTypeOrSelf(x)) : nullptr;
    if (!xt || xt.getScale() <= 0)
      return failure();
    OperationState state(op->getLoc(), op->getName());
    state.addOperands(x);
    state.addOperands(op->getOperands().drop_front()); // gather's indices
    state.addAttributes(op->getAttrs());
    state.addTypes(withElement(op->getResult(0), xt));
    Value moved = rewriter.create(state)->getResult(0);
    rewriter.replaceOp(q, convertTo(rewriter, q.getLoc(), moved, out));
    return success();
  }
};

/// quantize(pad(dq(x), v)) -> pad(x converted to the output's parameters, v): the padded
/// positions hold quantize(v) with the output's parameters, as in the fake-quant graph.
/// topk(dequantize(x)) whose values only feed quantize ops: topk of the stored integers
/// (the order of the real values is theirs), its values converted to each quantize's type.
struct FoldTopK : OpRewritePattern<TopKOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TopKOp op, PatternRewriter &rewriter) const override {
    Value x = dequantizedSource(op.getInput());
    auto xt = x ? activation8(getElementTypeOrSelf(x)) : nullptr;
    if (!xt || xt.getScale() <= 0)
      return failure();
    for (Operation *user : op.getValues().getUsers())
      if (!isa<QuantizeOp>(user) || !activation8(getElementTypeOrSelf(user->getResult(0))))
        return failure();
    auto moved = rewriter.create<TopKOp>(op.getLoc(), withElement(op.getValues(), xt),
                                         op.getIndices().getType(), x, op.getAxisAttr(),
                                         op.getKAttr(), op.getLargestAttr());
    for (Operation *user : llvm::make_early_inc_range(op.getValues().getUsers()))
      rewriter.replaceOp(user, convertTo(rewriter, user->getLoc(), moved.getValues(),
                                         getElementTypeOrSelf(user->getResult(0))));
    rewriter.replaceAllUsesWith(op.getIndices(), moved.getIndices());
    rewriter.eraseOp(op);
    return success();
  }
};

struct FoldPad : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    auto pad = q.getInput().getDefiningOp<PadOp>();
    if (!out || !pad || !pad->hasOneUse())
      return failure();
    Value x = dequantizedSource(pad.getInput());
    if (!x || !activation8(getElementTypeOrSelf(x)))
      return failure();
    Value converted = convertTo(rewriter, pad.getLoc(), x, out);
    rewriter.replaceOpWithNewOp<PadOp>(q, q.getType(), converted, pad.getPadsAttr(),
                                       pad.getValueAttr());
    return success();
  }
};

/// argmax(dq(x)) -> argmax(x): with a positive scale the stored integers are in the order
/// of the real values.
struct FoldArgMax : OpRewritePattern<ArgMaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ArgMaxOp op, PatternRewriter &rewriter) const override {
    Value x = dequantizedSource(op.getInput());
    auto xt = x ? dyn_cast<UniformQuantizedType>(getElementTypeOrSelf(x)) : nullptr;
    if (!xt || !(xt.getScale() > 0))
      return failure();
    rewriter.modifyOpInPlace(op, [&] { op.getInputMutable().assign(x); });
    return success();
  }
};

/// quantize(concat(dq(x_i)...)): inputs converted to the output's parameters, then joined.
struct FoldConcat : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto out = activation8(q.getType().getElementType());
    auto concat = q.getInput().getDefiningOp<ConcatOp>();
    if (!out || !concat || !concat->hasOneUse())
      return failure();
    SmallVector<Value> inputs;
    for (Value in : concat.getInputs()) {
      Value x = dequantizedSource(in);
      if (!x || !activation8(getElementTypeOrSelf(x)))
        return failure();
      inputs.push_back(convertTo(rewriter, concat.getLoc(), x, out));
    }
    rewriter.replaceOpWithNewOp<ConcatOp>(q, q.getType(), inputs, concat.getAxisAttr());
    return success();
  }
};

} // namespace

void mlir::qcc::fold_fake_quant::populateDataMovementFolds(RewritePatternSet &patterns) {
  patterns.add<FoldDataMovement, FoldPad, FoldArgMax, FoldConcat, FoldTopK>(patterns.getContext());
}
