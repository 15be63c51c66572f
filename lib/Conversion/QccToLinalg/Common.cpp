//===- Common.cpp - helpers of the qcc-to-linalg lowerings ----------------===//
//
// Quantization parameters, scalar and tensor builders, elementwise bodies.
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

namespace mlir::qcc::lowering {


Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Type elementType) {
  auto empty = b.create<tensor::EmptyOp>(loc, shape, elementType);
  // Numbered once the conversion is done (numberDistinctTensors); no CSE runs before.
  empty->setAttr(kDistinctAttrName, b.getI64IntegerAttr(0));
  return empty;
}

Value f32Const(OpBuilder &b, Location loc, float v) {
  return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(v));
}

Value fusedMulAddF32(OpBuilder &b, Location loc, Value x, float y, Value z, bool hardware) {
  if (hardware)
    return b.create<math::FmaOp>(loc, x, f32Const(b, loc, y), z);
  Type f64 = b.getF64Type();
  Value xd = b.create<arith::ExtFOp>(loc, f64, x);
  Value zd = b.create<arith::ExtFOp>(loc, f64, z);
  Value yd = b.create<arith::ConstantOp>(loc, b.getF64FloatAttr(static_cast<double>(y)));
  Value sum = b.create<arith::AddFOp>(loc, b.create<arith::MulFOp>(loc, xd, yd), zd);
  return b.create<arith::TruncFOp>(loc, b.getF32Type(), sum);
}

Value i32Const(OpBuilder &b, Location loc, int64_t v) {
  return b.create<arith::ConstantOp>(loc, b.getI32IntegerAttr(static_cast<int32_t>(v)));
}

Value clampInt(OpBuilder &b, Location loc, Value v, int64_t lo, int64_t hi) {
  v = b.create<arith::MaxSIOp>(loc, v, i32Const(b, loc, lo));
  return b.create<arith::MinSIOp>(loc, v, i32Const(b, loc, hi));
}

Value narrowToStorage(OpBuilder &b, Location loc, Value v, const QuantParams &q) {
  v = clampInt(b, loc, v, q.qmin, q.qmax);
  if (q.width == 32)
    return v;
  return b.create<arith::TruncIOp>(loc, b.getIntegerType(q.width), v);
}

Value clampValue(OpBuilder &b, Location loc, Value v, std::optional<float> lo,
                 std::optional<float> hi) {
  if (lo)
    v = b.create<arith::MaximumFOp>(loc, v, f32Const(b, loc, *lo));
  if (hi)
    v = b.create<arith::MinimumFOp>(loc, v, f32Const(b, loc, *hi));
  return v;
}

Value saturateToStorage(OpBuilder &b, Location loc, Value rounded, const QuantParams &q) {
  // No NaN-propagating select: a NaN here would make the conversion below poison anyway
  // (fptosi of NaN), so `nnan` loses nothing and lets x86 use plain VMAXPS / VMINPS.
  auto nnan = arith::FastMathFlagsAttr::get(b.getContext(), arith::FastMathFlags::nnan);
  Value v = b.create<arith::MaximumFOp>(loc, rounded, f32Const(b, loc, q.qmin), nnan);
  v = b.create<arith::MinimumFOp>(loc, v, f32Const(b, loc, q.qmax), nnan);
  Value i32 = b.create<arith::FPToSIOp>(loc, b.getI32Type(), v);
  if (q.width == 32)
    return i32;
  return b.create<arith::TruncIOp>(loc, b.getIntegerType(q.width), i32);
}

Value widenToI32(OpBuilder &b, Location loc, Value v, const QuantParams &q) {
  if (q.width == 32)
    return v;
  if (q.isSigned)
    return b.create<arith::ExtSIOp>(loc, b.getI32Type(), v);
  return b.create<arith::ExtUIOp>(loc, b.getI32Type(), v);
}

Value quantizeElement(OpBuilder &b, Location loc, Value x, const QuantParams &q, Value scale,
                      Value zp) {
  Value r = b.create<math::RoundEvenOp>(loc, b.create<arith::DivFOp>(loc, x, scale));
  return saturateToStorage(b, loc, b.create<arith::AddFOp>(loc, r, zp), q);
}

Value dequantizeElement(OpBuilder &b, Location loc, Value v, const QuantParams &q, Value scale,
                        Value zp) {
  Value centered = b.create<arith::SubIOp>(loc, widenToI32(b, loc, v, q), zp);
  Value f = b.create<arith::SIToFPOp>(loc, b.getF32Type(), centered);
  return b.create<arith::MulFOp>(loc, f, scale);
}

Mac macFor(Value input, Value weight, float alpha) {
  Mac m;
  m.alpha = alpha;
  if (isa<quant::QuantizedType>(getElementTypeOrSelf(input))) {
    m.x = getQuantParams(getElementTypeOrSelf(input));
    m.w = getQuantParams(getElementTypeOrSelf(weight));
  }
  return m;
}

Value filledWith(OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Value value) {
  Value init = emptyTensor(b, loc, shape, value.getType());
  return b.create<linalg::FillOp>(loc, value, init).getResult(0);
}

Value storageZeroPoint(OpBuilder &b, Location loc, const QuantParams &q) {
  return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(b.getIntegerType(q.width), q.zeroPoints[0]));
}

AffineMap broadcastMap(ArrayRef<int64_t> in, ArrayRef<int64_t> out, MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  size_t off = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i)
    exprs.push_back(in[i] == 1 && out[off + i] != 1 ? getAffineConstantExpr(0, ctx)
                                                    : getAffineDimExpr(off + i, ctx));
  return AffineMap::get(out.size(), 0, exprs, ctx);
}

Value buildElementwise(OpBuilder &b, Location loc, ValueRange inputs,
                       RankedTensorType outType, BodyFn body,
                       ArrayRef<AffineMap> maps) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> indexing;
  for (auto [i, v] : llvm::enumerate(inputs))
    indexing.push_back(i < maps.size()
                           ? maps[i]
                           : broadcastMap(cast<RankedTensorType>(v.getType()).getShape(),
                                          outType.getShape(), ctx));
  indexing.push_back(b.getMultiDimIdentityMap(outType.getRank()));
  SmallVector<utils::IteratorType> iters(outType.getRank(), utils::IteratorType::parallel);
  Value init = emptyTensor(b, loc, outType.getShape(), outType.getElementType());
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{outType}, inputs, ValueRange{init}, indexing, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        nb.create<linalg::YieldOp>(nl, body(nb, nl, args.drop_back()));
      });
  return generic.getResult(0);
}

Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, Value padValue) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape(type.getShape());
  SmallVector<OpFoldResult> lo(shape.size(), b.getIndexAttr(0)),
      hi(shape.size(), b.getIndexAttr(0));
  for (int i = 0; i < 2; ++i) {
    shape[2 + i] += low[i] + high[i];
    lo[2 + i] = b.getIndexAttr(low[i]);
    hi[2 + i] = b.getIndexAttr(high[i]);
  }
  auto padType = RankedTensorType::get(shape, type.getElementType());
  return b.create<tensor::PadOp>(loc, padType, input, lo, hi, padValue);
}

Value leadingSlice(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> zeros(shape.size(), 0), ones(shape.size(), 1);
  return b.create<tensor::ExtractSliceOp>(
      loc, RankedTensorType::get(shape, type.getElementType()), v, ValueRange{}, ValueRange{},
      ValueRange{}, b.getDenseI64ArrayAttr(zeros), b.getDenseI64ArrayAttr(shape),
      b.getDenseI64ArrayAttr(ones));
}

Value expand(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape,
             ArrayRef<ReassociationIndices> reassoc) {
  auto type = RankedTensorType::get(shape, cast<RankedTensorType>(v.getType()).getElementType());
  return b.create<tensor::ExpandShapeOp>(loc, type, v, reassoc);
}

DenseElementsAttr constantBehind(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    DenseElementsAttr attr;
    if (matchPattern(v, m_Constant(&attr)))
      return attr;
    if (isa<UnrealizedConversionCastOp, quant::StorageCastOp>(def) && def->getNumOperands() == 1) {
      v = def->getOperand(0);
      continue;
    }
    break;
  }
  return {};
}

Value reduceDims(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> reduced,
                 Value init, function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  MLIRContext *ctx = b.getContext();
  auto shape = cast<RankedTensorType>(input.getType()).getShape();
  SmallVector<int64_t> outShape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iters;
  for (int64_t i = 0; i < (int64_t)shape.size(); ++i) {
    bool red = llvm::is_contained(reduced, i);
    iters.push_back(red ? utils::IteratorType::reduction : utils::IteratorType::parallel);
    if (!red) {
      outShape.push_back(shape[i]);
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
  }
  Value acc = filledWith(b, loc, outShape, init);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(shape.size()),
                                 AffineMap::get(shape.size(), 0, outExprs, ctx)};
  return b
      .create<linalg::GenericOp>(loc, TypeRange{acc.getType()}, input, acc, maps, iters,
                                 [&](OpBuilder &nb, Location nl, ValueRange v) {
                                   nb.create<linalg::YieldOp>(nl, combine(nb, nl, v[1], v[0]));
                                 })
      .getResult(0);
}

int64_t extraEndPad(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                    int64_t padBegin, int64_t padEnd, int64_t dilation) {
  int64_t needed = (out - 1) * stride + dilation * (kernel - 1) + 1;
  return std::max<int64_t>(0, needed - (in + padBegin + padEnd));
}

} // namespace mlir::qcc::lowering
