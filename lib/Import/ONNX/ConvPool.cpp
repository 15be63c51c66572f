//===- ConvPool.cpp - Conv, MaxPool and AveragePool -----------------------===//
//
// Convolutions and poolings: pads (auto_pad), strides, dilations and groups.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace mlir::qcc::onnx_import {

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

/// 1-D window ops (N x C x W) run as 2-D ones over N x C x 1 x W: each window attribute
/// gets a leading 1 (pads [b, e] become [0, b, 0, e]).
static SmallVector<int64_t> lifted1D(ArrayRef<int64_t> values, bool isPads) {
  if (isPads)
    return values.size() == 2 ? SmallVector<int64_t>{0, values[0], 0, values[1]}
                              : SmallVector<int64_t>(values);
  return values.size() == 1 ? SmallVector<int64_t>{1, values[0]} : SmallVector<int64_t>(values);
}

/// `v` (N x C x W, or a weight F x C x K) with a unit dimension inserted before the last:
/// constants and dequantized constants are reshaped at compile time (so weights stay
/// constants for the folds and kernels), other values by a qcc.reshape.
/// Explicit pads [top, left, bottom, right] for a 2-D window, honouring auto_pad.
std::optional<SmallVector<int64_t>> resolvePads(const onnx::NodeProto &n, ArrayRef<int64_t> in,
                                                ArrayRef<int64_t> kernel,
                                                ArrayRef<int64_t> strides,
                                                ArrayRef<int64_t> dilations) {
  std::string autoPad = attrString(n, "auto_pad", "NOTSET");
  if (autoPad == "NOTSET")
    return lifted1D(attrInts(n, "pads", {0, 0, 0, 0}), /*isPads=*/true);
  if (autoPad == "VALID")
    return SmallVector<int64_t>{0, 0, 0, 0};
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return std::nullopt;
  SmallVector<int64_t> pads(4);
  for (int i = 0; i < 2; ++i) {
    int64_t out = (in[i] + strides[i] - 1) / strides[i];
    int64_t total =
        std::max<int64_t>(0, (out - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - in[i]);
    int64_t small = total / 2, large = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : large;
    pads[2 + i] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

static RankedTensorType withUnitDim(RankedTensorType t) {
  SmallVector<int64_t> shape(t.getShape());
  shape.insert(shape.end() - 1, 1);
  return RankedTensorType::get(shape, t.getElementType());
}

Value Importer::insertUnitDim(Value v, Location loc) {
  auto t = cast<RankedTensorType>(v.getType());
  auto reshaped = [&](Type element) { return withUnitDim(t).clone(element); };
  DenseElementsAttr attr;
  if (matchPattern(v, m_Constant(&attr)))
    return b.create<arith::ConstantOp>(loc, attr.reshape(reshaped(attr.getElementType())));
  if (auto dq = v.getDefiningOp<mlir::qcc::DequantizeOp>())
    if (auto scast = dq.getInput().getDefiningOp<quant::StorageCastOp>())
      if (matchPattern(scast.getArg(), m_Constant(&attr))) {
        auto qt = llvm::cast<RankedTensorType>(scast.getType()).getElementType();
        auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(qt);
        if (!pa || pa.getQuantizedDimension() < t.getRank() - 1) {
          Value c = b.create<arith::ConstantOp>(loc, attr.reshape(reshaped(attr.getElementType())));
          Value q = b.create<quant::StorageCastOp>(loc, reshaped(qt), c);
          return b.create<mlir::qcc::DequantizeOp>(loc, reshaped(t.getElementType()), q);
        }
      }
  return b.create<mlir::qcc::ReshapeOp>(loc, reshaped(t.getElementType()), v);
}

/// The 2-D result `y` (N x F x 1 x W) of a lifted 1-D op back in the node's N x F x W.
Value Importer::dropUnitDim(Value y, Location loc) {
  auto t = cast<RankedTensorType>(y.getType());
  SmallVector<int64_t> shape(t.getShape());
  shape.erase(shape.end() - 2);
  return b.create<mlir::qcc::ReshapeOp>(loc, RankedTensorType::get(shape, t.getElementType()), y);
}

/// A qcc.conv2d for Conv, QLinearConv or ConvInteger node `n`: 2-D only, with its strides,
/// dilations, group and (auto_pad-resolved) pads. Null after reporting a problem.
Value Importer::buildConv(const onnx::NodeProto &n, Type resultType, Value x, Value w,
                          Value bias) {
  Location loc = nodeLoc(n);
  bool oneD = cast<RankedTensorType>(x.getType()).getRank() == 3 &&
              cast<RankedTensorType>(w.getType()).getRank() == 3;
  if (oneD) {
    x = insertUnitDim(x, loc);
    w = insertUnitDim(w, loc);
  }
  auto xShape = cast<RankedTensorType>(x.getType()).getShape();
  auto wShape = cast<RankedTensorType>(w.getType()).getShape();
  if (xShape.size() != 4 || wShape.size() != 4) {
    nodeError(n) << "only 1-D and 2-D convolution (rank-3 or rank-4 input) is supported; input "
                 << "has rank " << xShape.size();
    return {};
  }
  auto strides = lifted1D(attrInts(n, "strides", {1, 1}), false);
  auto dilations = lifted1D(attrInts(n, "dilations", {1, 1}), false);
  auto pads = resolvePads(n, xShape.drop_front(2), wShape.drop_front(2), strides, dilations);
  if (!pads) {
    nodeError(n) << "unsupported auto_pad '" << attrString(n, "auto_pad", "") << "'";
    return {};
  }
  auto rt = cast<RankedTensorType>(resultType);
  if (oneD)
    rt = withUnitDim(rt);
  Value y = b.create<mlir::qcc::Conv2DOp>(loc, rt, x, w, bias, b.getDenseI64ArrayAttr(strides),
                                          b.getDenseI64ArrayAttr(*pads),
                                          b.getDenseI64ArrayAttr(dilations),
                                          b.getI64IntegerAttr(attrInt(n, "group", 1)));
  return oneD ? dropUnitDim(y, loc) : y;
}

/// The type of an int32 bias added to an accumulator of element type `accElement`: the
/// same parameters, per axis 0 of the bias (its only axis) when the accumulator is per
/// channel.
Type Importer::biasTypeFor(Type accElement, int64_t axis) {
  auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(accElement);
  if (!pa)
    return accElement;
  return quant::UniformQuantizedPerAxisType::get(pa.getFlags(), pa.getStorageType(),
                                                 pa.getExpressedType(), pa.getScales(),
                                                 pa.getZeroPoints(), static_cast<int32_t>(axis),
                                                 pa.getStorageTypeMin(), pa.getStorageTypeMax());
}

/// Conv's and ConvTranspose's float input, weight and optional bias, and the output type;
/// nullopt after reporting.
std::optional<RankedTensorType> Importer::floatConvOperands(const onnx::NodeProto &n, Value &x,
                                                            Value &w, Value &bias) {
  x = requireFloat(lookup(n.input(0), n), n, 0);
  w = requireFloat(lookup(n.input(1), n), n, 1);
  bias = hasInput(n, 2) ? requireFloat(lookup(n.input(2), n), n, 2) : Value();
  auto outType = typeOf(n.output(0), &n);
  if (!x || !w || (hasInput(n, 2) && !bias) || !outType)
    return std::nullopt;
  return *outType;
}

bool Importer::importConv(const onnx::NodeProto &n) {
  Value x, w, bias;
  auto outType = floatConvOperands(n, x, w, bias);
  if (!outType)
    return false;
  Value conv = buildConv(n, *outType, x, w, bias);
  if (!conv)
    return false;
  define(n, 0, conv);
  return true;
}

/// ConvTranspose (2-D): qcc.conv_transpose with the begin pads ONNX Runtime uses; the
/// output size is the one ONNX's shape inference gives (which holds output_padding and
/// output_shape), so the end pads follow from it.
bool Importer::importConvTranspose(const onnx::NodeProto &n) {
  Value x, w, bias;
  auto outType = floatConvOperands(n, x, w, bias);
  if (!outType)
    return false;
  Location loc = nodeLoc(n);
  bool oneD = cast<RankedTensorType>(x.getType()).getRank() == 3 &&
              cast<RankedTensorType>(w.getType()).getRank() == 3;
  RankedTensorType resultType = *outType;
  if (oneD) {
    x = insertUnitDim(x, loc);
    w = insertUnitDim(w, loc);
    resultType = withUnitDim(resultType);
  }
  auto xShape = cast<RankedTensorType>(x.getType()).getShape();
  auto wShape = cast<RankedTensorType>(w.getType()).getShape();
  if (xShape.size() != 4 || wShape.size() != 4) {
    nodeError(n) << "only 1-D and 2-D transposed convolution (rank-3 or rank-4 input) is "
                 << "supported; input has rank " << xShape.size();
    return false;
  }
  auto strides = lifted1D(attrInts(n, "strides", {1, 1}), false);
  auto dilations = lifted1D(attrInts(n, "dilations", {1, 1}), false);
  auto outputPadding = oneD ? SmallVector<int64_t>{0, attrInts(n, "output_padding", {0})[0]}
                            : attrInts(n, "output_padding", {0, 0});
  auto outputShape = attrInts(n, "output_shape", {});
  if (oneD && !outputShape.empty())
    outputShape = {1, outputShape.back()};
  SmallVector<int64_t> pads = lifted1D(attrInts(n, "pads", {0, 0, 0, 0}), true);
  std::string autoPad = attrString(n, "auto_pad", "NOTSET");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" &&
      autoPad != "SAME_LOWER") {
    nodeError(n) << "unsupported auto_pad '" << autoPad << "'";
    return false;
  }
  if (outputPadding.size() != 2 || (!outputShape.empty() && outputShape.size() != 2 &&
                                    outputShape.size() != 4)) {
    nodeError(n) << "output_padding needs 2 entries and output_shape 2 (or 4)";
    return false;
  }
  for (int i = 0; i < 2; ++i) {
    if (outputPadding[i] < 0 || outputPadding[i] >= std::max(strides[i], dilations[i])) {
      nodeError(n) << "output_padding " << outputPadding[i] << " must lie in [0, max(stride, "
                   << "dilation)) = [0, " << std::max(strides[i], dilations[i]) << ")";
      return false;
    }
    // The begin padding a target output size implies. An explicit output_shape follows
    // ONNX Runtime (total at least 0, the odd element at the end, for SAME_UPPER at the
    // beginning); SAME_* alone targets in * stride as the ONNX specification says (the
    // odd element at the end for SAME_UPPER, at the beginning for SAME_LOWER).
    int64_t full = strides[i] * (xShape[2 + i] - 1) + outputPadding[i] +
                   (wShape[2 + i] - 1) * dilations[i] + 1;
    bool upper = autoPad == "SAME_UPPER";
    if (!outputShape.empty()) {
      int64_t total = std::max<int64_t>(full - outputShape[outputShape.size() - 2 + i], 0);
      pads[i] = upper ? total - total / 2 : total / 2;
      pads[2 + i] = total - pads[i];
    } else if (upper || autoPad == "SAME_LOWER") {
      int64_t total = full - xShape[2 + i] * strides[i];
      int64_t floorHalf = total >= 0 ? total / 2 : -((1 - total) / 2);
      pads[i] = upper ? floorHalf : total - floorHalf;
      pads[2 + i] = total - pads[i];
    } else if (autoPad == "VALID") {
      pads[i] = pads[2 + i] = 0;
    }
    if (pads[i] < 0 || pads[2 + i] < 0) {
      nodeError(n) << "padding " << pads[i] << ", " << pads[2 + i] << " of spatial dimension "
                   << i << " is negative";
      return false;
    }
  }
  int64_t group = attrInt(n, "group", 1);
  if (wShape[0] != xShape[1] || xShape[1] % group != 0) {
    nodeError(n) << "the weight has " << wShape[0] << " input channels, the input " << xShape[1]
                 << " (group " << group << ")";
    return false;
  }
  Value y = b.create<mlir::qcc::ConvTransposeOp>(
      loc, resultType, x, w, bias, b.getDenseI64ArrayAttr(strides),
      b.getDenseI64ArrayAttr(pads), b.getDenseI64ArrayAttr(dilations),
      b.getI64IntegerAttr(group));
  define(n, 0, oneD ? dropUnitDim(y, loc) : y);
  return true;
}

bool Importer::importPool(const onnx::NodeProto &n, bool isMax) {
  // MaxPool also runs on quantized values (QOperator models pool uint8 tensors directly).
  Value x = lookup(n.input(0), n);
  if (x && !(isMax && isa<quant::QuantizedType>(cast<RankedTensorType>(x.getType()).getElementType())))
    x = requireFloat(x, n, 0);
  auto outType = typeOf(n.output(0), &n);
  if (!x || !outType)
    return false;
  Value r = buildPool(n, isMax, x, outType->getShape());
  if (!r)
    return false;
  define(n, 0, r);
  return true;
}

Value Importer::buildPool(const onnx::NodeProto &n, bool isMax, Value x,
                          ArrayRef<int64_t> outShape) {
  Location loc = nodeLoc(n);
  auto outType = RankedTensorType::get(outShape,
                                       cast<RankedTensorType>(x.getType()).getElementType());
  bool oneD = outType.getRank() == 3 && cast<RankedTensorType>(x.getType()).getRank() == 3;
  if (oneD) {
    x = insertUnitDim(x, loc);
    outType = withUnitDim(outType);
  }
  if (n.output_size() > 1 && !n.output(1).empty()) {
    nodeError(n) << "the Indices output of MaxPool is not supported";
    return {};
  }
  auto xShape = cast<RankedTensorType>(x.getType()).getShape();
  auto kernel = lifted1D(attrInts(n, "kernel_shape", {}), false);
  if (xShape.size() != 4 || kernel.size() != 2) {
    nodeError(n) << "only 1-D and 2-D pooling (rank-3 or rank-4 input) is supported";
    return {};
  }
  auto strides = lifted1D(attrInts(n, "strides", {1, 1}), false);
  auto dilations = lifted1D(attrInts(n, "dilations", {1, 1}), false);
  if (attrInt(n, "storage_order", 0) != 0) {
    nodeError(n) << "storage_order=1 (column-major indices) is not supported";
    return {};
  }
  if (!isMax && llvm::any_of(dilations, [](int64_t d) { return d != 1; })) {
    nodeError(n) << "AveragePool with dilations other than 1 is not supported";
    return {};
  }
  auto pads = resolvePads(n, xShape.drop_front(2), kernel, strides, dilations);
  if (!pads) {
    nodeError(n) << "unsupported auto_pad '" << attrString(n, "auto_pad", "") << "'";
    return {};
  }
  bool ceil = attrInt(n, "ceil_mode", 0) != 0;
  Value r;
  if (isMax)
    r = b.create<mlir::qcc::MaxPoolOp>(loc, outType, x, b.getDenseI64ArrayAttr(kernel),
                                 b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(*pads),
                                 b.getDenseI64ArrayAttr(dilations), b.getBoolAttr(ceil));
  else
    r = b.create<mlir::qcc::AvgPoolOp>(loc, outType, x, b.getDenseI64ArrayAttr(kernel),
                                 b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(*pads),
                                 b.getBoolAttr(ceil),
                                 b.getBoolAttr(attrInt(n, "count_include_pad", 0) != 0));
  return oneD ? dropUnitDim(r, loc) : r;
}

} // namespace mlir::qcc::onnx_import
