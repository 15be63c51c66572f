//===- DataMovement.cpp - reshape, transpose and concat to linalg ---------===//
//
// Ops that move data without arithmetic.
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

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value v = adaptor.getInput();
    auto inType = cast<RankedTensorType>(v.getType());
    if (inType == outType) {
      b.replaceOp(op, v);
      return success();
    }
    // Through a 1-D view: both steps are pure views once bufferized.
    auto flatType = RankedTensorType::get({inType.getNumElements()}, inType.getElementType());
    auto all = [](int64_t rank) {
      ReassociationIndices r;
      for (int64_t i = 0; i < rank; ++i)
        r.push_back(i);
      return SmallVector<ReassociationIndices>{r};
    };
    if (inType.getRank() != 1)
      v = b.create<tensor::CollapseShapeOp>(
          loc, flatType, v,
          inType.getRank() == 0 ? SmallVector<ReassociationIndices>{} : all(inType.getRank()));
    if (outType.getRank() != 1)
      v = b.create<tensor::ExpandShapeOp>(
          loc, outType, v,
          outType.getRank() == 0 ? SmallVector<ReassociationIndices>{} : all(outType.getRank()));
    b.replaceOp(op, v);
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value init = emptyTensor(b, op.getLoc(), outType.getShape(), outType.getElementType());
    b.replaceOp(op, b.create<linalg::TransposeOp>(op.getLoc(), adaptor.getInput(), init,
                                                  op.getPerm())
                        .getResult());
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    int64_t axis = static_cast<int64_t>(op.getAxis()), rank = outType.getRank(), offset = 0;
    // Each operand is written into its slice of the result; bufferization then lets the
    // producers write there directly where it can.
    Value result = emptyTensor(b, loc, outType.getShape(), outType.getElementType());
    for (Value v : adaptor.getInputs()) {
      auto shape = cast<RankedTensorType>(v.getType()).getShape();
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes, strides(rank, b.getIndexAttr(1));
      offsets[axis] = b.getIndexAttr(offset);
      for (int64_t dim : shape)
        sizes.push_back(b.getIndexAttr(dim));
      result = b.create<tensor::InsertSliceOp>(loc, v, result, offsets, sizes, strides);
      offset += shape[axis];
    }
    b.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::qcc::lowering::populateDataMovementPatterns(const TypeConverter &converter,
    RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReshapeLowering, TransposeLowering, ConcatLowering>(converter, ctx);
}
