//===- DataMovement.cpp - reshape, transpose, concat, slice, pad, argmax --===//
//
// Ops that move data without arithmetic (and argmax, which only compares).
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Utils/ChannelBlocks.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
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
    // A scalar and a one-element tensor: one view, with no dimension groups.
    if (inType.getRank() == 0) {
      b.replaceOpWithNewOp<tensor::ExpandShapeOp>(op, outType, v, SmallVector<ReassociationIndices>{});
      return success();
    }
    if (outType.getRank() == 0) {
      b.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, outType, v, SmallVector<ReassociationIndices>{});
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

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    b.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, outType, adaptor.getInput(), ValueRange{}, ValueRange{}, ValueRange{},
        b.getDenseI64ArrayAttr(op.getOffsets()), b.getDenseI64ArrayAttr(outType.getShape()),
        b.getDenseI64ArrayAttr(op.getStrides()));
    return success();
  }
};

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(PadOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    float value = op.getValue().convertToFloat();
    Value pad;
    if (outType.getElementType().isF32()) {
      pad = f32Const(b, loc, value);
    } else {
      // The real value quantized with the result's parameters, as QuantizeLinear would.
      QuantParams q = getQuantParams(op.getType().getElementType());
      int64_t stored = ::mlir::qcc::quantizeValue(value, q.scales[0], q.zeroPoints[0], q.qmin,
                                                   q.qmax);
      pad = b.create<arith::ConstantOp>(loc, b.getIntegerAttr(outType.getElementType(), stored));
    }
    int64_t rank = outType.getRank();
    SmallVector<OpFoldResult> lo, hi;
    for (int64_t d = 0; d < rank; ++d) {
      lo.push_back(b.getIndexAttr(op.getPads()[d]));
      hi.push_back(b.getIndexAttr(op.getPads()[d + rank]));
    }
    b.replaceOpWithNewOp<tensor::PadOp>(op, outType, adaptor.getInput(), lo, hi, pad);
    return success();
  }
};

/// One reduction over `axis` carrying (largest value, its index); a later element replaces
/// them only when strictly larger (first index on ties), or also when equal with
/// select_last_index.
struct ArgMaxLowering : OpConversionPattern<ArgMaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ArgMaxOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto inType = cast<RankedTensorType>(x.getType());
    Type et = inType.getElementType();
    auto outType = cast<RankedTensorType>(op.getType());
    Type it = outType.getElementType();
    int64_t rank = inType.getRank(), axis = op.getAxis();
    SmallVector<int64_t> reducedShape;
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis) {
        reducedShape.push_back(inType.getDimSize(d));
        outExprs.push_back(b.getAffineDimExpr(d));
      }
    bool isFloat = et.isF32();
    bool isSigned = true;
    if (!isFloat)
      isSigned = getQuantParams(op.getInput().getType().getElementType()).isSigned;
    unsigned width = isFloat ? 32 : et.getIntOrFloatBitWidth();
    Value lowest =
        isFloat ? f32Const(b, loc, -std::numeric_limits<float>::infinity())
                : b.create<arith::ConstantOp>(
                      loc, b.getIntegerAttr(et, isSigned ? APInt::getSignedMinValue(width)
                                                         : APInt::getMinValue(width)));
    Value best = filledWith(b, loc, reducedShape, lowest);
    Value index = filledWith(b, loc, reducedShape,
                             b.create<arith::ConstantOp>(loc, b.getIntegerAttr(it, 0)));
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                   AffineMap::get(rank, 0, outExprs, ctx),
                                   AffineMap::get(rank, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    iters[axis] = utils::IteratorType::reduction;
    bool last = op.getSelectLastIndex();
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{best.getType(), index.getType()}, ValueRange{x}, ValueRange{best, index},
        maps, iters, [&](OpBuilder &nb, Location nl, ValueRange v) {
          Value take;
          if (isFloat)
            take = nb.create<arith::CmpFOp>(nl, last ? arith::CmpFPredicate::OGE
                                                     : arith::CmpFPredicate::OGT,
                                            v[0], v[1]);
          else
            take = nb.create<arith::CmpIOp>(
                nl, isSigned ? (last ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sgt)
                             : (last ? arith::CmpIPredicate::uge : arith::CmpIPredicate::ugt),
                v[0], v[1]);
          Value i = nb.create<arith::IndexCastOp>(nl, it, nb.create<linalg::IndexOp>(nl, axis));
          nb.create<linalg::YieldOp>(
              nl, ValueRange{nb.create<arith::SelectOp>(nl, take, v[0], v[1]),
                             nb.create<arith::SelectOp>(nl, take, i, v[2])});
        });
    Value result = generic.getResult(1);
    if (op.getKeepdims()) {
      // One group of result dimensions per reduced dimension; the kept unit dimension
      // joins its neighbour's (a rank-1 input reduces to a scalar: no groups).
      SmallVector<ReassociationIndices> reassoc;
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis)
          reassoc.push_back({d});
      if (!reassoc.empty()) {
        if (axis == rank - 1)
          reassoc.back().push_back(axis);
        else
          reassoc[axis].insert(reassoc[axis].begin(), axis);
      }
      result = b.create<tensor::ExpandShapeOp>(loc, outType, result, reassoc);
    }
    b.replaceOp(op, result);
    return success();
  }
};

/// One generic over the output: the maps are constant vectors read along the row and
/// column loops; the input is read with tensor.extract at the mapped positions.
struct ResizeLowering : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value x = adaptor.getInput();
    StringRef mode = op.getMode();
    bool linear = mode != "nearest";
    auto i64s = [&](ArrayRef<int64_t> v) -> Value {
      auto t = RankedTensorType::get({static_cast<int64_t>(v.size())}, b.getI64Type());
      return b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(t, v));
    };
    auto f32s = [&](ArrayRef<float> v) -> Value {
      auto t = RankedTensorType::get({static_cast<int64_t>(v.size())}, b.getF32Type());
      return b.create<arith::ConstantOp>(loc, DenseElementsAttr::get(t, v));
    };
    SmallVector<Value> ins = {i64s(op.getRows()), i64s(op.getCols())};
    if (linear) {
      ins.push_back(i64s(*op.getRowsHi()));
      ins.push_back(i64s(*op.getColsHi()));
      ins.push_back(f32s(*op.getRowWeights()));
      ins.push_back(f32s(*op.getColWeights()));
    }
    MLIRContext *ctx = b.getContext();
    AffineMap rowMap = AffineMap::get(4, 0, {b.getAffineDimExpr(2)}, ctx);
    AffineMap colMap = AffineMap::get(4, 0, {b.getAffineDimExpr(3)}, ctx);
    SmallVector<AffineMap> maps;
    for (size_t k = 0; k < ins.size(); ++k)
      maps.push_back(k % 2 == 0 ? rowMap : colMap);
    maps.push_back(AffineMap::getMultiDimIdentityMap(4, ctx));
    Value init = emptyTensor(b, loc, outType.getShape(), outType.getElementType());
    SmallVector<utils::IteratorType> iters(4, utils::IteratorType::parallel);
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{outType}, ins, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange v) {
          Value n = nb.create<linalg::IndexOp>(nl, 0), c = nb.create<linalg::IndexOp>(nl, 1);
          auto idx = [&](Value i64) {
            return nb.create<arith::IndexCastOp>(nl, nb.getIndexType(), i64).getResult();
          };
          auto at = [&](Value r, Value col) {
            return nb.create<tensor::ExtractOp>(nl, x, ValueRange{n, c, idx(r), idx(col)})
                .getResult();
          };
          if (!linear) {
            nb.create<linalg::YieldOp>(nl, at(v[0], v[1]));
            return;
          }
          if (mode == "linear_q10") {
            // TFLite's ResizeBilinearInteger on int8 values, in i32 (|acc| < 2^28).
            Type i32 = nb.getI32Type();
            auto val = [&](Value r, Value col) {
              return nb.create<arith::ExtSIOp>(nl, i32, at(r, col)).getResult();
            };
            auto w = [&](Value f) { return nb.create<arith::FPToSIOp>(nl, i32, f).getResult(); };
            auto mul = [&](Value a, Value bb) { return nb.create<arith::MulIOp>(nl, a, bb).getResult(); };
            Value one = i32Const(nb, nl, 1024);
            Value wr = w(v[4]), wc = w(v[5]);
            Value ir = nb.create<arith::SubIOp>(nl, one, wr), ic = nb.create<arith::SubIOp>(nl, one, wc);
            Value acc = mul(mul(val(v[0], v[1]), ir), ic);
            acc = nb.create<arith::AddIOp>(nl, acc, mul(mul(val(v[2], v[1]), wr), ic));
            acc = nb.create<arith::AddIOp>(nl, acc, mul(mul(val(v[0], v[3]), ir), wc));
            acc = nb.create<arith::AddIOp>(nl, acc, mul(mul(val(v[2], v[3]), wr), wc));
            Value positive = nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sgt, acc,
                                                      i32Const(nb, nl, 0));
            Value round = nb.create<arith::SelectOp>(nl, positive, i32Const(nb, nl, 1 << 19),
                                                     i32Const(nb, nl, -(1 << 19)));
            Value q = nb.create<arith::DivSIOp>(nl, nb.create<arith::AddIOp>(nl, acc, round),
                                                i32Const(nb, nl, 1 << 20));
            nb.create<linalg::YieldOp>(
                nl, ValueRange{nb.create<arith::TruncIOp>(nl, outType.getElementType(), q)});
            return;
          }
          if (mode == "linear_tflite") {
            // TFLite's float ResizeBilinear on uint8 values: f32, left to right, + 0.5,
            // truncated.
            Type f32 = nb.getF32Type();
            auto val = [&](Value r, Value col) {
              return nb.create<arith::UIToFPOp>(nl, f32, at(r, col)).getResult();
            };
            auto mul = [&](Value a, Value bb) { return nb.create<arith::MulFOp>(nl, a, bb).getResult(); };
            Value one = f32Const(nb, nl, 1.f);
            Value wr = v[4], wc = v[5];
            Value ir = nb.create<arith::SubFOp>(nl, one, wr), ic = nb.create<arith::SubFOp>(nl, one, wc);
            Value sum = mul(mul(val(v[0], v[1]), ir), ic);
            sum = nb.create<arith::AddFOp>(nl, sum, mul(mul(val(v[2], v[1]), wr), ic));
            sum = nb.create<arith::AddFOp>(nl, sum, mul(mul(val(v[0], v[3]), ir), wc));
            sum = nb.create<arith::AddFOp>(nl, sum, mul(mul(val(v[2], v[3]), wr), wc));
            sum = nb.create<arith::AddFOp>(nl, sum, f32Const(nb, nl, 0.5f));
            Value q = nb.create<arith::FPToUIOp>(nl, nb.getI32Type(), sum);
            nb.create<linalg::YieldOp>(
                nl, ValueRange{nb.create<arith::TruncIOp>(nl, outType.getElementType(), q)});
            return;
          }
          // (1 - w) * a + w * b = a + w * (b - a), per direction.
          auto lerp = [&](Value a, Value bb, Value w) {
            Value d = nb.create<arith::SubFOp>(nl, bb, a);
            return nb.create<arith::AddFOp>(nl, a, nb.create<arith::MulFOp>(nl, w, d)).getResult();
          };
          Value top = lerp(at(v[0], v[1]), at(v[0], v[3]), v[5]);
          Value bottom = lerp(at(v[2], v[1]), at(v[2], v[3]), v[5]);
          nb.create<linalg::YieldOp>(nl, lerp(top, bottom, v[4]));
        });
    b.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// An index read from an indices tensor, as an `index` into a dimension of size `dim`:
/// negative ones count from the end, and the result is clamped to [0, dim - 1] (the op's
/// definition: no read outside the tensor whatever the indices hold).
static Value wrapAndClampIndex(OpBuilder &b, Location loc, Value raw, int64_t dim) {
  Type t = raw.getType();
  auto c = [&](int64_t v) {
    return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(t, v)).getResult();
  };
  Value zero = c(0);
  Value negative = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, raw, zero);
  Value wrapped = b.create<arith::SelectOp>(loc, negative,
                                            b.create<arith::AddIOp>(loc, raw, c(dim)), raw);
  Value clamped = b.create<arith::MaxSIOp>(loc, b.create<arith::MinSIOp>(loc, wrapped, c(dim - 1)),
                                           zero);
  return b.create<arith::IndexCastOp>(loc, b.getIndexType(), clamped);
}

/// One generic over the output reading the indices as an input; the gathered element is
/// read with tensor.extract.
struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value x = adaptor.getInput(), indices = adaptor.getIndices();
    auto inType = cast<RankedTensorType>(x.getType());
    int64_t axis = op.getAxis(), q = cast<RankedTensorType>(indices.getType()).getRank();
    int64_t rank = outType.getRank(), dim = inType.getDimSize(axis);
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineExpr> idxExprs;
    for (int64_t j = 0; j < q; ++j)
      idxExprs.push_back(b.getAffineDimExpr(axis + j));
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, idxExprs, ctx),
                                   AffineMap::getMultiDimIdentityMap(rank, ctx)};
    Value init = emptyTensor(b, loc, outType.getShape(), outType.getElementType());
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{outType}, ValueRange{indices}, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange v) {
          SmallVector<Value> at;
          for (int64_t d = 0; d < axis; ++d)
            at.push_back(nb.create<linalg::IndexOp>(nl, d));
          at.push_back(wrapAndClampIndex(nb, nl, v[0], dim));
          for (int64_t d = axis + q; d < rank; ++d)
            at.push_back(nb.create<linalg::IndexOp>(nl, d));
          nb.create<linalg::YieldOp>(nl, nb.create<tensor::ExtractOp>(nl, x, at).getResult());
        });
    b.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// One generic over the output; each of the k tuple entries is read from the indices with
/// tensor.extract, then the input element.
struct GatherNDLowering : OpConversionPattern<GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GatherNDOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    auto outType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getType()));
    Value x = adaptor.getInput(), indices = adaptor.getIndices();
    auto inType = cast<RankedTensorType>(x.getType());
    auto idxType = cast<RankedTensorType>(indices.getType());
    int64_t q = idxType.getRank(), k = idxType.getDimSize(q - 1), bd = op.getBatchDims();
    int64_t rank = outType.getRank();
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx)};
    Value init = emptyTensor(b, loc, outType.getShape(), outType.getElementType());
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{outType}, ValueRange{}, ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange) {
          SmallVector<Value> lead;
          for (int64_t d = 0; d < q - 1; ++d)
            lead.push_back(nb.create<linalg::IndexOp>(nl, d));
          SmallVector<Value> at(lead.begin(), lead.begin() + bd);
          for (int64_t j = 0; j < k; ++j) {
            SmallVector<Value> pos = lead;
            pos.push_back(nb.create<arith::ConstantIndexOp>(nl, j));
            Value raw = nb.create<tensor::ExtractOp>(nl, indices, pos);
            at.push_back(wrapAndClampIndex(nb, nl, raw, inType.getDimSize(bd + j)));
          }
          for (int64_t d = q - 1; d < rank; ++d)
            at.push_back(nb.create<linalg::IndexOp>(nl, d));
          nb.create<linalg::YieldOp>(nl, nb.create<tensor::ExtractOp>(nl, x, at).getResult());
        });
    b.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// k rounds, each a reduction over `axis` that picks the first largest (smallest) element
/// not yet taken, inserts it and its index at position j of the results and marks it taken.
/// O(k n) work, no sorting buffers.
struct TopKLowering : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = b.getContext();
    Value x = adaptor.getInput();
    auto inType = cast<RankedTensorType>(x.getType());
    Type et = inType.getElementType();
    auto valType = cast<RankedTensorType>(getTypeConverter()->convertType(op.getValues().getType()));
    auto idxType = cast<RankedTensorType>(op.getIndices().getType());
    Type it = idxType.getElementType();
    int64_t rank = inType.getRank(), axis = op.getAxis(), k = op.getK();
    bool isFloat = et.isF32(), largest = op.getLargest();
    bool isSigned = isFloat || getQuantParams(op.getInput().getType().getElementType()).isSigned;
    SmallVector<int64_t> reduced;
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis) {
        reduced.push_back(inType.getDimSize(d));
        outExprs.push_back(b.getAffineDimExpr(d));
      }
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap red = AffineMap::get(rank, 0, outExprs, ctx);
    SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
    SmallVector<utils::IteratorType> redIters = iters;
    redIters[axis] = utils::IteratorType::reduction;
    // Masks are i8 (0 / 1), not i1: vectorized i1 memory accesses are bit-packed in LLVM
    // while scalar ones use a byte per element.
    Type i8 = b.getI8Type();
    auto byte = [&](OpBuilder &nb, Location nl, int64_t v) {
      return nb.create<arith::ConstantOp>(nl, nb.getIntegerAttr(i8, v)).getResult();
    };
    Value taken0 = filledWith(b, loc, inType.getShape(), byte(b, loc, 0));
    Value vals0 = emptyTensor(b, loc, valType.getShape(), valType.getElementType());
    Value idxs0 = emptyTensor(b, loc, idxType.getShape(), it);
    auto c = [&](OpBuilder &nb, Location nl, int64_t v) {
      return nb.create<arith::ConstantIndexOp>(nl, v).getResult();
    };
    auto better = [&](OpBuilder &nb, Location nl, Value v, Value best) -> Value {
      if (isFloat)
        return nb.create<arith::CmpFOp>(nl, largest ? arith::CmpFPredicate::OGT
                                                    : arith::CmpFPredicate::OLT, v, best);
      arith::CmpIPredicate p = largest ? (isSigned ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::ugt)
                                       : (isSigned ? arith::CmpIPredicate::slt : arith::CmpIPredicate::ult);
      return nb.create<arith::CmpIOp>(nl, p, v, best);
    };
    auto loop = b.create<scf::ForOp>(
        loc, c(b, loc, 0), c(b, loc, k), c(b, loc, 1), ValueRange{taken0, vals0, idxs0},
        [&](OpBuilder &nb, Location nl, Value j, ValueRange carried) {
          Value zeroV = isFloat ? f32Const(nb, nl, 0.f)
                                : nb.create<arith::ConstantOp>(nl, nb.getIntegerAttr(et, 0)).getResult();
          Value bestV = filledWith(nb, nl, reduced, zeroV);
          Value bestI = filledWith(nb, nl, reduced, nb.create<arith::ConstantOp>(nl, nb.getIntegerAttr(it, 0)));
          Value found = filledWith(nb, nl, reduced, byte(nb, nl, 0));
          auto pick = nb.create<linalg::GenericOp>(
              nl, TypeRange{bestV.getType(), bestI.getType(), found.getType()},
              ValueRange{x, carried[0]}, ValueRange{bestV, bestI, found},
              SmallVector<AffineMap>{id, id, red, red, red}, redIters,
              [&](OpBuilder &g, Location gl, ValueRange v) {
                Value fresh = g.create<arith::CmpIOp>(gl, arith::CmpIPredicate::eq, v[1], byte(g, gl, 0));
                Value notFound = g.create<arith::CmpIOp>(gl, arith::CmpIPredicate::eq, v[4], byte(g, gl, 0));
                Value take = g.create<arith::AndIOp>(
                    gl, fresh, g.create<arith::OrIOp>(gl, notFound, better(g, gl, v[0], v[2])));
                Value i = g.create<arith::IndexCastOp>(gl, it, g.create<linalg::IndexOp>(gl, axis));
                g.create<linalg::YieldOp>(
                    gl, ValueRange{g.create<arith::SelectOp>(gl, take, v[0], v[2]),
                                   g.create<arith::SelectOp>(gl, take, i, v[3]),
                                   g.create<arith::OrIOp>(gl, v[4], g.create<arith::ExtUIOp>(gl, i8, take))});
              });
          // Insert at position j along the axis (rank-reduced sources).
          SmallVector<OpFoldResult> offs, sizes, strides;
          for (int64_t d = 0; d < rank; ++d) {
            offs.push_back(d == axis ? OpFoldResult(j) : OpFoldResult(nb.getIndexAttr(0)));
            sizes.push_back(nb.getIndexAttr(d == axis ? 1 : inType.getDimSize(d)));
            strides.push_back(nb.getIndexAttr(1));
          }
          Value vals = nb.create<tensor::InsertSliceOp>(nl, pick.getResult(0), carried[1], offs, sizes, strides);
          Value idxs = nb.create<tensor::InsertSliceOp>(nl, pick.getResult(1), carried[2], offs, sizes, strides);
          // Mark the picked elements taken.
          auto mark = nb.create<linalg::GenericOp>(
              nl, TypeRange{carried[0].getType()}, ValueRange{pick.getResult(1)},
              ValueRange{carried[0]}, SmallVector<AffineMap>{red, id}, iters,
              [&](OpBuilder &g, Location gl, ValueRange v) {
                Value i = g.create<arith::IndexCastOp>(gl, it, g.create<linalg::IndexOp>(gl, axis));
                Value hit = g.create<arith::CmpIOp>(gl, arith::CmpIPredicate::eq, i, v[0]);
                g.create<linalg::YieldOp>(
                    gl, ValueRange{g.create<arith::OrIOp>(gl, v[1], g.create<arith::ExtUIOp>(gl, i8, hit))});
              });
          nb.create<scf::YieldOp>(nl, ValueRange{mark.getResult(0), vals, idxs});
        });
    b.replaceOp(op, ValueRange{loop.getResult(1), loop.getResult(2)});
    return success();
  }
};

/// Elementwise conversion; f32 to integer saturates (arith.fptosi is poison out of range,
/// so the value is clamped first to the largest f32 inside the range) and maps NaN to 0.
struct CastLowering : OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(CastOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &b) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    Type from = getElementTypeOrSelf(x.getType());
    Type to = op.getType().getElementType();
    bool srcU = op.getSourceUnsigned(), dstU = op.getResultUnsigned();
    Value result = buildElementwise(
        b, loc, ValueRange{x}, op.getType(),
        [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
          Value e = v[0];
          if (from == to)
            return e;
          if (isa<FloatType>(to))
            return srcU ? nb.create<arith::UIToFPOp>(nl, to, e).getResult()
                        : nb.create<arith::SIToFPOp>(nl, to, e).getResult();
          unsigned width = to.getIntOrFloatBitWidth();
          if (isa<FloatType>(from)) {
            // Bounds as f32 values inside the range (2^(w-1) - 1 rounds up to 2^(w-1)
            // in f32 for wide types: step down to the next f32).
            APInt lo = dstU ? APInt::getMinValue(width) : APInt::getSignedMinValue(width);
            APInt hi = dstU ? APInt::getMaxValue(width) : APInt::getSignedMaxValue(width);
            auto asFloat = [&](const APInt &v, bool isSigned, bool down) {
              float f = isSigned ? static_cast<float>(v.getSExtValue())
                                 : static_cast<float>(v.getZExtValue());
              double exact = isSigned ? static_cast<double>(v.getSExtValue())
                                      : static_cast<double>(v.getZExtValue());
              if (down && static_cast<double>(f) > exact)
                f = std::nextafter(f, 0.f);
              return f;
            };
            Value flo = f32Const(nb, nl, asFloat(lo, !dstU, false));
            Value fhi = f32Const(nb, nl, asFloat(hi, !dstU, true));
            Value isNan = nb.create<arith::CmpFOp>(nl, arith::CmpFPredicate::UNO, e, e);
            Value c = nb.create<arith::MinimumFOp>(nl, nb.create<arith::MaximumFOp>(nl, e, flo),
                                                   fhi);
            c = nb.create<arith::SelectOp>(nl, isNan, f32Const(nb, nl, 0.f), c);
            return dstU ? nb.create<arith::FPToUIOp>(nl, to, c).getResult()
                        : nb.create<arith::FPToSIOp>(nl, to, c).getResult();
          }
          unsigned fromWidth = from.getIntOrFloatBitWidth();
          if (fromWidth > width)
            return nb.create<arith::TruncIOp>(nl, to, e);
          if (fromWidth < width)
            return srcU ? nb.create<arith::ExtUIOp>(nl, to, e).getResult()
                        : nb.create<arith::ExtSIOp>(nl, to, e).getResult();
          return e;
        });
    b.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::qcc::lowering::populateDataMovementPatterns(const TypeConverter &converter,
    RewritePatternSet &patterns) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReshapeLowering, TransposeLowering, ConcatLowering, SliceLowering, PadLowering,
               ArgMaxLowering, ResizeLowering, GatherLowering, GatherNDLowering,
               CastLowering, TopKLowering>(converter, ctx);
}
