//===- FixedPoint.cpp - TFLite / gemmlowp fixed-point arithmetic ----------===//
//
// The integer-only requantization arithmetic of --requant=fixed, built as arith ops;
// QuantMath.h holds the same arithmetic on scalars for compile-time constants and tests.
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

Value fixedHighMul(OpBuilder &b, Location loc, Value x, Value m) {
  Type i64 = b.getI64Type();
  Value ab = b.create<arith::MulIOp>(loc, b.create<arith::ExtSIOp>(loc, i64, x),
                                     b.create<arith::ExtSIOp>(loc, i64, m));
  Value zero = b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(0));
  Value nonNegative = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, ab, zero);
  Value nudge = b.create<arith::SelectOp>(
      loc, nonNegative, b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(1LL << 30)),
      b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(1 - (1LL << 30))));
  Value q = b.create<arith::DivSIOp>(loc, b.create<arith::AddIOp>(loc, ab, nudge),
                                     b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(1LL << 31)));
  return b.create<arith::TruncIOp>(loc, b.getI32Type(), q);
}

Value fixedDivideByPOT(OpBuilder &b, Location loc, Value x, Value e, Value mask) {
  Type type = getElementTypeOrSelf(x.getType());
  auto constant = [&](int64_t v) {
    return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(type, v)).getResult();
  };
  Value remainder = b.create<arith::AndIOp>(loc, x, mask);
  Value negative = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, x, constant(0));
  Value threshold = b.create<arith::AddIOp>(loc, b.create<arith::ShRSIOp>(loc, mask, constant(1)),
                                            b.create<arith::ExtUIOp>(loc, type, negative));
  Value up = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sgt, remainder, threshold);
  return b.create<arith::AddIOp>(loc, b.create<arith::ShRSIOp>(loc, x, e),
                                 b.create<arith::ExtUIOp>(loc, type, up));
}

Value fixedMultiplyWith(OpBuilder &b, Location loc, Value x, Value m, Value leftFactor,
                        Value rightShift, Value rightMask) {
  Value shifted = b.create<arith::MulIOp>(loc, x, leftFactor);
  return fixedDivideByPOT(b, loc, fixedHighMul(b, loc, shifted, m), rightShift, rightMask);
}

Value fixedMultiply(OpBuilder &b, Location loc, Value x, const FixedMultiplier &m) {
  return fixedMultiplyWith(b, loc, x, i32Const(b, loc, m.m), i32Const(b, loc, int64_t(1) << m.left),
                           i32Const(b, loc, m.right), i32Const(b, loc, (int64_t(1) << m.right) - 1));
}

} // namespace mlir::qcc::lowering
