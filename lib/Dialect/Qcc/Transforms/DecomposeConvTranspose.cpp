//===- DecomposeConvTranspose.cpp - qcc.conv_transpose as a qcc.conv2d ----===//
//
// A transposed convolution is a convolution of the input with `stride - 1` zeros inserted
// between its elements, padded by `dilation * (kernel - 1) - pad` on each side, with the
// weight's first two dimensions swapped (per group) and its window flipped. The zeros are
// inserted with data movement only (reshape to N x C x H x 1 x W x 1, pad the unit
// dimensions to the stride, reshape back), which qcc-fold-fake-quant moves onto the stored
// integers, so a QDQ transposed convolution becomes an integer qcc.conv2d with its
// requantization fused like any other. The weight is rewritten at compile time; it must
// be a constant (float, or dequantized from an integer constant).
//
//===----------------------------------------------------------------------===//

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCDECOMPOSECONVTRANSPOSE
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace {

/// The elements of a ConvTranspose weight `C x F/g x KH x KW` rearranged into the
/// convolution weight `F x C/g x KH x KW` with the window flipped:
///   conv[g * Fg + f][c][kh][kw] = transposed[g * Cg + c][f][KH - 1 - kh][KW - 1 - kw].
template <typename T>
SmallVector<T> rearrange(ArrayRef<T> values, ArrayRef<int64_t> shape, int64_t group) {
  int64_t channels = shape[0], fg = shape[1], kh = shape[2], kw = shape[3];
  int64_t cg = channels / group, window = kh * kw;
  SmallVector<T> out;
  out.reserve(values.size());
  for (int64_t g = 0; g < group; ++g)
    for (int64_t f = 0; f < fg; ++f)
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t y = 0; y < kh; ++y)
          for (int64_t x = 0; x < kw; ++x)
            out.push_back(values[((g * cg + c) * fg + f) * window + (kh - 1 - y) * kw +
                                 (kw - 1 - x)]);
  return out;
}

/// The quantized type of the rearranged weight: per tensor unchanged; per output channel
/// (ONNX's axis 1 of the transposed weight, F/g values) becomes axis 0 with F values.
/// Null for other axes, which the convolution weight cannot keep.
quant::QuantizedType rearrangedType(quant::QuantizedType qt, int64_t group) {
  auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(qt);
  if (!pa)
    return qt;
  if (pa.getQuantizedDimension() != 1)
    return {};
  SmallVector<double> scales;
  SmallVector<int64_t> zps;
  for (int64_t g = 0; g < group; ++g) {
    scales.append(pa.getScales().begin(), pa.getScales().end());
    zps.append(pa.getZeroPoints().begin(), pa.getZeroPoints().end());
  }
  return quant::UniformQuantizedPerAxisType::get(pa.getFlags(), pa.getStorageType(),
                                                 pa.getExpressedType(), scales, zps, 0,
                                                 pa.getStorageTypeMin(), pa.getStorageTypeMax());
}

DenseElementsAttr rearrangeAttr(DenseElementsAttr attr, RankedTensorType newType,
                                int64_t group) {
  auto shape = attr.getType().getShape();
  if (isa<FloatType>(attr.getElementType())) {
    SmallVector<APFloat> values(attr.getValues<APFloat>());
    return DenseElementsAttr::get(newType, rearrange<APFloat>(values, shape, group));
  }
  SmallVector<APInt> values(attr.getValues<APInt>());
  return DenseElementsAttr::get(newType, rearrange<APInt>(values, shape, group));
}

/// The convolution weight for `weight` (float constant, or dequantize of a constant):
/// null after reporting when it is neither.
Value convWeight(RewriterBase &rewriter, ConvTransposeOp op, Value weight) {
  auto wt = cast<RankedTensorType>(weight.getType());
  auto shape = wt.getShape();
  int64_t group = op.getGroup();
  SmallVector<int64_t> newShape = {shape[1] * group, shape[0] / group, shape[2], shape[3]};
  Location loc = op.getLoc();
  DenseElementsAttr attr;
  if (matchPattern(weight, m_Constant(&attr)))
    return rewriter.create<arith::ConstantOp>(
        loc, rearrangeAttr(attr, RankedTensorType::get(newShape, wt.getElementType()), group));
  auto dq = weight.getDefiningOp<DequantizeOp>();
  auto scast = dq ? dq.getInput().getDefiningOp<quant::StorageCastOp>() : nullptr;
  if (!scast || !matchPattern(scast.getArg(), m_Constant(&attr)))
    return {};
  auto qt = cast<quant::QuantizedType>(getElementTypeOrSelf(scast.getType()));
  quant::QuantizedType newQt = rearrangedType(qt, group);
  if (!newQt)
    return {};
  Value raw = rewriter.create<arith::ConstantOp>(
      loc, rearrangeAttr(attr, RankedTensorType::get(newShape, attr.getElementType()), group));
  Value q = rewriter.create<quant::StorageCastOp>(loc, RankedTensorType::get(newShape, newQt),
                                                  raw);
  return rewriter.create<DequantizeOp>(loc, RankedTensorType::get(newShape, wt.getElementType()),
                                       q);
}

/// Replaces `op` by the convolution; reports and fails when it cannot.
LogicalResult decompose(ConvTransposeOp op, RewriterBase &rewriter) {
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    auto xt = op.getInput().getType();
    auto in = xt.getShape();
    auto kernel = op.getWeight().getType().getShape().drop_front(2);
    auto out = op.getOutput().getType().getShape();
    auto s = op.getStrides(), d = op.getDilations(), p = op.getPads();
    Type f32 = xt.getElementType();

    // Zeros between the elements: N x C x H*sh x W*sw, the last sh-1 rows and sw-1
    // columns zeros too.
    Value x = op.getInput();
    if (s[0] > 1 || s[1] > 1) {
      auto split = RankedTensorType::get({in[0], in[1], in[2], 1, in[3], 1}, f32);
      auto spread = RankedTensorType::get({in[0], in[1], in[2], s[0], in[3], s[1]}, f32);
      x = rewriter.create<ReshapeOp>(loc, split, x);
      x = rewriter.create<PadOp>(
          loc, spread, x,
          rewriter.getDenseI64ArrayAttr({0, 0, 0, 0, 0, 0, 0, 0, 0, s[0] - 1, 0, s[1] - 1}),
          rewriter.getF32FloatAttr(0.0f));
      x = rewriter.create<ReshapeOp>(
          loc, RankedTensorType::get({in[0], in[1], in[2] * s[0], in[3] * s[1]}, f32), x);
    }
    // Padding (or cropping) of that spread input per side: the convolution of the first
    // (I - 1) * s + 1 positions with begin padding P0 = d * (K - 1) - pad_begin and the end
    // padding that gives the declared output size.
    SmallVector<int64_t> padBegin(2), padEnd(2), cropBegin(2), cropEnd(2), size(2);
    for (int i = 0; i < 2; ++i) {
      int64_t span = d[i] * (kernel[i] - 1);
      int64_t valid = (in[2 + i] - 1) * s[i] + 1;
      int64_t p0 = span - p[i];
      int64_t p1 = out[2 + i] - valid - p0 + span - (s[i] - 1);
      padBegin[i] = std::max<int64_t>(p0, 0);
      cropBegin[i] = std::max<int64_t>(-p0, 0);
      padEnd[i] = std::max<int64_t>(p1, 0);
      cropEnd[i] = std::max<int64_t>(-p1, 0);
      size[i] = in[2 + i] * s[i] - cropBegin[i] - cropEnd[i];
      if (size[i] < 1)
        return op.emitOpError("its pads remove every input position of dimension ") << 2 + i;
    }
    Value w = convWeight(rewriter, op, op.getWeight());
    if (!w)
      return op.emitOpError("needs a constant weight: float, or dequantized from an 8-bit "
                            "constant per tensor or per output channel (axis 1)");
    if (llvm::any_of(cropBegin, [](int64_t c) { return c > 0; }) ||
        llvm::any_of(cropEnd, [](int64_t c) { return c > 0; }))
      x = rewriter.create<SliceOp>(
          loc, RankedTensorType::get({in[0], in[1], size[0], size[1]}, f32), x,
          rewriter.getDenseI64ArrayAttr({0, 0, cropBegin[0], cropBegin[1]}),
          rewriter.getDenseI64ArrayAttr({1, 1, 1, 1}));
    rewriter.replaceOpWithNewOp<Conv2DOp>(
        op, op.getType(), x, w, op.getBias(), rewriter.getDenseI64ArrayAttr({1, 1}),
        rewriter.getDenseI64ArrayAttr({padBegin[0], padBegin[1], padEnd[0], padEnd[1]}),
        op.getDilationsAttr(), op.getGroupAttr());
    return success();
}

struct QccDecomposeConvTransposePass
    : mlir::qcc::impl::QccDecomposeConvTransposeBase<QccDecomposeConvTransposePass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<ConvTransposeOp> ops;
    getOperation().walk([&](ConvTransposeOp op) { ops.push_back(op); });
    for (ConvTransposeOp op : ops)
      if (failed(decompose(op, rewriter)))
        signalPassFailure();
  }
};

} // namespace
