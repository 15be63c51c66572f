//===- Packing.cpp - weights packed for the contraction kernels -----------===//
//
// Filters-last and packed-word weight layouts computed at compile time, and the
// matching input packing and bias terms.
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

DenseElementsAttr packFiltersLast(DenseElementsAttr w, int64_t g, Type storage) {
  auto shape = w.getType().getShape();
  int64_t f = shape[0], cg = shape[1], kh = shape[2], kw = shape[3], fg = f / g;
  auto packedType = RankedTensorType::get({g, cg, kh, kw, fg}, storage);
  if (w.isSplat())
    return DenseElementsAttr::get(packedType, w.getSplatValue<Attribute>());
  ArrayRef<char> raw = w.getRawData();
  size_t bytes = storage.getIntOrFloatBitWidth() / 8;
  std::vector<char> packed(raw.size());
  for (int64_t fi = 0; fi < f; ++fi)
    for (int64_t ci = 0; ci < cg; ++ci)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          int64_t src = ((fi * cg + ci) * kh + y) * kw + x;
          int64_t gi = fi / fg, fl = fi % fg;
          int64_t dst = (((gi * cg + ci) * kh + y) * kw + x) * fg + fl;
          std::memcpy(&packed[dst * bytes], &raw[src * bytes], bytes);
        }
  return DenseElementsAttr::getFromRawBuffer(packedType, packed);
}

SmallVector<int64_t> centeredWeights(DenseElementsAttr w, const QuantParams &q) {
  int64_t perFilter = w.getNumElements() / w.getType().getShape()[0], i = 0;
  SmallVector<int64_t> values;
  values.reserve(w.getNumElements());
  for (const APInt &v : w.getValues<APInt>()) {
    int64_t zp = q.zeroPoints[q.zeroPoints.size() == 1 ? 0 : i++ / perFilter];
    values.push_back((q.isSigned ? v.getSExtValue() : int64_t(v.getZExtValue())) - zp);
  }
  return values;
}

DenseElementsAttr packFilterWords(DenseElementsAttr w, int64_t g, const QuantParams &q,
                                  int64_t perWord, Type i32) {
  auto shape = w.getType().getShape();
  int64_t f = shape[0], cg = shape[1], kh = shape[2], kw = shape[3], fg = f / g;
  int64_t words = (cg + perWord - 1) / perWord, bits = 32 / perWord;
  uint32_t mask = perWord == 2 ? 0xFFFFu : 0xFFu;
  SmallVector<int64_t> values = centeredWeights(w, q);
  SmallVector<int32_t> packed(g * words * kh * kw * fg);
  for (int64_t fi = 0; fi < f; ++fi) {
    for (int64_t p = 0; p < words; ++p)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x) {
          uint32_t word = 0;
          for (int64_t k = 0; k < perWord; ++k) {
            int64_t ci = perWord * p + k;
            if (ci < cg) // channels past C/G (padding to whole words) weigh 0
              word |= (uint32_t(values[((fi * cg + ci) * kh + y) * kw + x]) & mask)
                      << (bits * k);
          }
          int64_t gi = fi / fg, fl = fi % fg;
          packed[(((gi * words + p) * kh + y) * kw + x) * fg + fl] = static_cast<int32_t>(word);
        }
  }
  return DenseElementsAttr::get(RankedTensorType::get({g, words, kh, kw, fg}, i32),
                                ArrayRef(packed));
}

Value biasPlusTerms(OpBuilder &b, Location loc, Value bias, int64_t f,
                    function_ref<int64_t(int64_t)> term) {
  SmallVector<int64_t> values(f, 0);
  if (bias) {
    DenseElementsAttr attr = constantBehind(bias);
    if (!attr)
      return nullptr;
    int64_t j = 0;
    for (const APInt &v : attr.getValues<APInt>())
      values[j++] = v.getSExtValue();
  }
  SmallVector<int32_t> init;
  for (int64_t fi = 0; fi < f; ++fi) {
    int64_t v = values[fi] + term(fi);
    if (v < INT32_MIN || v > INT32_MAX)
      return nullptr;
    init.push_back(static_cast<int32_t>(v));
  }
  return b.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(RankedTensorType::get({f}, b.getI32Type()), ArrayRef(init)));
}

Value packedProduct(OpBuilder &b, Location loc, Value a, Value w, int64_t perWord,
                    bool unsignedA) {
  int64_t bits = 32 / perWord;
  Value right = i32Const(b, loc, 32 - bits);
  auto lane = [&](Value v, int64_t k, bool isUnsigned) -> Value {
    int64_t left = 32 - bits * (k + 1);
    Value up = left ? b.create<arith::ShLIOp>(loc, v, i32Const(b, loc, left)).getResult() : v;
    if (isUnsigned)
      return b.create<arith::ShRUIOp>(loc, up, right);
    return b.create<arith::ShRSIOp>(loc, up, right);
  };
  Value sum;
  for (int64_t k = 0; k < perWord; ++k) {
    Value p = b.create<arith::MulIOp>(loc, lane(a, k, unsignedA), lane(w, k, false));
    sum = k ? b.create<arith::AddIOp>(loc, sum, p).getResult() : p;
  }
  return sum;
}

Value packInputWords(OpBuilder &b, Location loc, Value x, const QuantParams &qx,
                     int64_t perWord, int64_t offset) {
  MLIRContext *ctx = b.getContext();
  auto shape = cast<RankedTensorType>(x.getType()).getShape();
  auto type = RankedTensorType::get({shape[0], shape[1], shape[2] / perWord, shape[3], shape[4]},
                                    b.getI32Type());
  auto e = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<Value> inputs(perWord, x);
  SmallVector<AffineMap> maps;
  for (int64_t k = 0; k < perWord; ++k)
    maps.push_back(AffineMap::get(5, 0, {e(0), e(1), e(2) * perWord + k, e(3), e(4)}, ctx));
  int64_t bits = 32 / perWord;
  return buildElementwise(
      b, loc, inputs, type,
      [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
        Value word;
        for (int64_t k = 0; k < perWord; ++k) {
          Value lane = nb.create<arith::SubIOp>(nl, widenToI32(nb, nl, v[k], qx),
                                                i32Const(nb, nl, offset));
          lane = nb.create<arith::AndIOp>(nl, lane, i32Const(nb, nl, (int64_t(1) << bits) - 1));
          if (k)
            lane = nb.create<arith::ShLIOp>(nl, lane, i32Const(nb, nl, bits * k));
          word = k ? nb.create<arith::OrIOp>(nl, word, lane).getResult() : lane;
        }
        return word;
      },
      maps);
}

int64_t largestDivisor(int64_t n, ArrayRef<int64_t> candidates,
                       int64_t limit) {
  for (int64_t c : candidates)
    if (n % c == 0 && c <= limit)
      return c;
  return 1;
}

} // namespace mlir::qcc::lowering
