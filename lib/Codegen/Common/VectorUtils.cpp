//===- VectorUtils.cpp - vector rewrites shared by the codegen passes ----===//
#include "qcc/Codegen/VectorUtils.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Matchers.h"

#include <deque>

using namespace mlir;

namespace mlir::qcc {

Value rowByRow(RewriterBase &rewriter, Location loc, VectorType type,
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

bool laneOf(Value v, int64_t bits, bool isUnsigned, int64_t &k, Value &x) {
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

std::optional<PackedDot> matchPackedDot(arith::AddIOp op, int64_t perWord,
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

SmallVector<arith::AddIOp> dotCandidates(func::FuncOp f, ArrayRef<int64_t> lanes) {
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

void rewriteRows(RewriterBase &rewriter, arith::AddIOp op, const PackedDot &m,
                        function_ref<Value(Value, Value, Value)> row) {
  rewriter.setInsertionPoint(op);
  rewriter.replaceOp(op, rowByRow(rewriter, op.getLoc(), cast<VectorType>(op.getType()),
                                  {m.acc, m.a, m.w},
                                  [&](ArrayRef<Value> v) { return row(v[0], v[1], v[2]); }));
}

Value rowInChunks(RewriterBase &rewriter, Location loc, Value acc, Value a, Value w,
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

Value callIntrinsic(RewriterBase &rewriter, Location loc, StringRef name, Type result,
                           ValueRange args) {
  return rewriter
      .create<LLVM::CallIntrinsicOp>(loc, TypeRange{result}, rewriter.getStringAttr(name), args)
      .getResult(0);
}

} // namespace mlir::qcc
