//===- FoldAffine.cpp - per-channel affine ops folded into a product -------===//
//
// Part of qcc-fold-fake-quant (FoldFakeQuantUtils.h): the BatchNormalization and
// Mul/Div/Add/Sub-by-constant chains PyTorch's QAT exports put between a convolution and
// its quantize, and the real value of a product's bias.
//
//===----------------------------------------------------------------------===//
#include "FoldFakeQuantUtils.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Utils/QuantParams.h"

#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using mlir::quant::QuantizedType;

namespace mlir::qcc::fold_fake_quant {

/// Per-channel values of a constant that broadcasts along dimension 1 of an N x C (x ...)
/// tensor: shapes [], [1], [C], [C,1,...], [1,C,...]. Empty when it does not.
SmallVector<double> perChannelConstant(Value v, int64_t channels) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.getElementType().isF32())
    return {};
  auto shape = attr.getType().getShape();
  int64_t count = attr.getNumElements();
  bool perChannel = false;
  if (count == channels && channels > 1) {
    // [C], [C,1,1], [1,C], [1,C,1,1]: the non-unit dimension must be the channel one.
    int64_t nonUnit = -1;
    for (auto [i, d] : llvm::enumerate(shape))
      if (d != 1)
        nonUnit = i;
    int64_t fromRight = static_cast<int64_t>(shape.size()) - nonUnit;
    perChannel = shape.size() == 1 || (shape.size() == 3 && fromRight == 3) ||
                 ((shape.size() == 2 || shape.size() == 4) && nonUnit == 1);
  }
  if (count != 1 && !perChannel)
    return {};
  SmallVector<double> out;
  for (float f : attr.getValues<float>())
    out.push_back(f);
  if (out.size() == 1)
    out.assign(channels, out[0]);
  return out;
}

/// y = a[c] * x + b[c], composed from the per-channel affine ops (BatchNormalization with
/// constant parameters; Mul, Div, Add, Sub by constants) that PyTorch's QAT exports put
/// between a convolution and its quantize.

/// Walks back from `v` through single-use per-channel affine ops; returns the value they
/// start from and their composition.
Value skipAffine(Value v, int64_t channels, Affine &affine) {
  SmallVector<Operation *> chain;
  while (Operation *op = v.getDefiningOp()) {
    if (!v.hasOneUse())
      break;
    if (auto bn = dyn_cast<BatchNormOp>(op)) {
      if (perChannelConstant(bn.getScale(), channels).empty() ||
          perChannelConstant(bn.getBias(), channels).empty() ||
          perChannelConstant(bn.getMean(), channels).empty() ||
          perChannelConstant(bn.getVariance(), channels).empty())
        break;
      chain.push_back(op);
      v = bn.getInput();
      continue;
    }
    if (isa<MulOp, DivOp, AddOp, SubOp>(op) && op->getOperand(0).getType() == v.getType() &&
        !perChannelConstant(op->getOperand(1), channels).empty()) {
      chain.push_back(op);
      v = op->getOperand(0);
      continue;
    }
    break;
  }
  if (chain.empty())
    return v;
  affine.a.assign(channels, 1.0);
  affine.b.assign(channels, 0.0);
  for (Operation *op : llvm::reverse(chain)) { // innermost first
    auto k = [&](Value c) { return perChannelConstant(c, channels); };
    for (int64_t c = 0; c < channels; ++c) {
      double &a = affine.a[c], &b = affine.b[c];
      if (auto bn = dyn_cast<BatchNormOp>(op)) {
        double s = k(bn.getScale())[c] /
                   std::sqrt(k(bn.getVariance())[c] + bn.getEpsilon().convertToFloat());
        a *= s;
        b = (b - k(bn.getMean())[c]) * s + k(bn.getBias())[c];
      } else if (isa<MulOp>(op)) {
        a *= k(op->getOperand(1))[c];
        b *= k(op->getOperand(1))[c];
      } else if (isa<DivOp>(op)) {
        a /= k(op->getOperand(1))[c];
        b /= k(op->getOperand(1))[c];
      } else if (isa<AddOp>(op)) {
        b += k(op->getOperand(1))[c];
      } else {
        b -= k(op->getOperand(1))[c];
      }
    }
  }
  return v;
}

/// The real value of a conv/gemm bias per channel: a dequantized int32 constant or a float
/// constant. Empty when it is neither.
SmallVector<double> realBias(Value floatBias, int64_t channels) {
  if (!floatBias)
    return SmallVector<double>(channels, 0.0);
  if (Value q = dequantizedSource(floatBias)) {
    auto qt = dyn_cast<QuantizedType>(getElementTypeOrSelf(q));
    auto scast = q.getDefiningOp<quant::StorageCastOp>();
    DenseElementsAttr attr;
    if (!qt || qt.getStorageTypeIntegralWidth() != 32 || !scast ||
        !matchPattern(scast.getArg(), m_Constant(&attr)))
      return {};
    SmallVector<float> scales = getQuantParams(qt).scales;
    SmallVector<double> out;
    int64_t i = 0;
    for (APInt v : attr.getValues<APInt>()) {
      out.push_back(static_cast<double>(v.getSExtValue()) * scales[scales.size() == 1 ? 0 : i]);
      ++i;
    }
    if (out.size() == 1)
      out.assign(channels, out[0]);
    return static_cast<int64_t>(out.size()) == channels ? out : SmallVector<double>{};
  }
  return perChannelConstant(floatBias, channels);
}


} // namespace mlir::qcc::fold_fake_quant
