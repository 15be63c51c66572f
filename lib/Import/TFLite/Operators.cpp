//===- Operators.cpp - TFLite builtin operators to qcc ops -----------------===//
//
// One table from builtin code to import function (it also gives the supported-op list), and
// the operators' import. Every operator reads its operands as f32 (qcc.dequantize of the
// quantized tensors), computes with qcc's float ops in NCHW, applies its fused activation
// and quantizes to its output tensor's parameters (Importer::define): the fake-quant form
// that qcc-fold-fake-quant turns into integer kernels, as for ONNX QDQ models.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"

#include "mlir/Dialect/Quant/QuantTypes.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>

using namespace mlir;

namespace mlir::qcc::tflite_import {

namespace {

using ImportFn = bool (*)(Importer &, int op, tfl::BuiltinOperator code);

template <bool (Importer::*F)(int)>
bool call(Importer &im, int op, tfl::BuiltinOperator) {
  return (im.*F)(op);
}

const std::map<tfl::BuiltinOperator, ImportFn> &opTable() {
  using BO = tfl::BuiltinOperator;
  static const std::map<tfl::BuiltinOperator, ImportFn> table = {
      {BO::BuiltinOperator_CONV_2D,
       [](Importer &im, int op, BO) { return im.importConv(op, /*depthwise=*/false); }},
      {BO::BuiltinOperator_DEPTHWISE_CONV_2D,
       [](Importer &im, int op, BO) { return im.importConv(op, /*depthwise=*/true); }},
      {BO::BuiltinOperator_TRANSPOSE_CONV, call<&Importer::importTransposeConv>},
      {BO::BuiltinOperator_FULLY_CONNECTED, call<&Importer::importFullyConnected>},
      {BO::BuiltinOperator_ADD, [](Importer &im, int op, BO c) { return im.importBinary(op, c); }},
      {BO::BuiltinOperator_SUB, [](Importer &im, int op, BO c) { return im.importBinary(op, c); }},
      {BO::BuiltinOperator_MUL, [](Importer &im, int op, BO c) { return im.importBinary(op, c); }},
      {BO::BuiltinOperator_AVERAGE_POOL_2D,
       [](Importer &im, int op, BO) { return im.importPool(op, /*isMax=*/false); }},
      {BO::BuiltinOperator_MAX_POOL_2D,
       [](Importer &im, int op, BO) { return im.importPool(op, /*isMax=*/true); }},
      {BO::BuiltinOperator_MEAN, call<&Importer::importMean>},
      {BO::BuiltinOperator_RESHAPE, call<&Importer::importReshape>},
      {BO::BuiltinOperator_SQUEEZE, call<&Importer::importReshape>},
      {BO::BuiltinOperator_SOFTMAX, call<&Importer::importSoftmax>},
      {BO::BuiltinOperator_CONCATENATION, call<&Importer::importConcatenation>},
      {BO::BuiltinOperator_QUANTIZE, call<&Importer::importQuantize>},
      {BO::BuiltinOperator_DEQUANTIZE, call<&Importer::importQuantize>},
      {BO::BuiltinOperator_TRANSPOSE, call<&Importer::importTranspose>},
      {BO::BuiltinOperator_RELU, [](Importer &im, int op, BO c) { return im.importUnary(op, c); }},
      {BO::BuiltinOperator_RELU6, [](Importer &im, int op, BO c) { return im.importUnary(op, c); }},
      {BO::BuiltinOperator_RELU_N1_TO_1,
       [](Importer &im, int op, BO c) { return im.importUnary(op, c); }},
      {BO::BuiltinOperator_LOGISTIC, [](Importer &im, int op, BO c) { return im.importUnary(op, c); }},
      {BO::BuiltinOperator_TANH, [](Importer &im, int op, BO c) { return im.importUnary(op, c); }},
      {BO::BuiltinOperator_HARD_SWISH,
       [](Importer &im, int op, BO c) { return im.importUnary(op, c); }},
      {BO::BuiltinOperator_EXP, [](Importer &im, int op, BO c) { return im.importUnary(op, c); }},
      {BO::BuiltinOperator_SQRT, [](Importer &im, int op, BO c) { return im.importUnary(op, c); }},
      {BO::BuiltinOperator_RSQRT, [](Importer &im, int op, BO c) { return im.importUnary(op, c); }},
      {BO::BuiltinOperator_LEAKY_RELU,
       [](Importer &im, int op, BO c) { return im.importUnary(op, c); }},
      {BO::BuiltinOperator_PAD, [](Importer &im, int op, BO) { return im.importPad(op, false); }},
      {BO::BuiltinOperator_PADV2, [](Importer &im, int op, BO) { return im.importPad(op, true); }},
      {BO::BuiltinOperator_SLICE,
       [](Importer &im, int op, BO) { return im.importSlice(op, /*strided=*/false); }},
      {BO::BuiltinOperator_STRIDED_SLICE,
       [](Importer &im, int op, BO) { return im.importSlice(op, /*strided=*/true); }},
      {BO::BuiltinOperator_SPLIT,
       [](Importer &im, int op, BO) { return im.importSplit(op, /*sizes=*/false); }},
      {BO::BuiltinOperator_SPLIT_V,
       [](Importer &im, int op, BO) { return im.importSplit(op, /*sizes=*/true); }},
      {BO::BuiltinOperator_ARG_MAX, call<&Importer::importArgMax>},
      {BO::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR,
       [](Importer &im, int op, BO) { return im.importResize(op, /*bilinear=*/false); }},
      {BO::BuiltinOperator_RESIZE_BILINEAR,
       [](Importer &im, int op, BO) { return im.importResize(op, /*bilinear=*/true); }},
      {BO::BuiltinOperator_GATHER,
       [](Importer &im, int op, BO) { return im.importGather(op, /*nd=*/false); }},
      {BO::BuiltinOperator_GATHER_ND,
       [](Importer &im, int op, BO) { return im.importGather(op, /*nd=*/true); }},
      {BO::BuiltinOperator_CAST, call<&Importer::importCast>},
      {BO::BuiltinOperator_TOPK_V2, call<&Importer::importTopK>},
      {BO::BuiltinOperator_MAXIMUM,
       [](Importer &im, int op, BO c) { return im.importBinary(op, c); }},
      {BO::BuiltinOperator_MINIMUM,
       [](Importer &im, int op, BO c) { return im.importBinary(op, c); }},
      {BO::BuiltinOperator_PRELU,
       [](Importer &im, int op, BO c) { return im.importBinary(op, c); }},
  };
  return table;
}

/// How many inputs (present or not) each operator takes: {min, max}.
std::pair<int, int> arity(tfl::BuiltinOperator code) {
  using BO = tfl::BuiltinOperator;
  switch (code) {
  case BO::BuiltinOperator_CONV_2D:
  case BO::BuiltinOperator_DEPTHWISE_CONV_2D:
  case BO::BuiltinOperator_FULLY_CONNECTED: return {2, 3};
  case BO::BuiltinOperator_ADD:
  case BO::BuiltinOperator_SUB:
  case BO::BuiltinOperator_MUL:
  case BO::BuiltinOperator_MAXIMUM:
  case BO::BuiltinOperator_MINIMUM:
  case BO::BuiltinOperator_PRELU:
  case BO::BuiltinOperator_MEAN:
  case BO::BuiltinOperator_TRANSPOSE: return {2, 2};
  case BO::BuiltinOperator_RESHAPE: return {1, 2};
  case BO::BuiltinOperator_PAD:
  case BO::BuiltinOperator_SPLIT:
  case BO::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR:
  case BO::BuiltinOperator_RESIZE_BILINEAR:
  case BO::BuiltinOperator_ARG_MAX:
  case BO::BuiltinOperator_GATHER:
  case BO::BuiltinOperator_GATHER_ND:
  case BO::BuiltinOperator_TOPK_V2: return {2, 2};
  case BO::BuiltinOperator_PADV2:
  case BO::BuiltinOperator_SLICE:
  case BO::BuiltinOperator_SPLIT_V: return {3, 3};
  case BO::BuiltinOperator_STRIDED_SLICE: return {4, 4};
  case BO::BuiltinOperator_TRANSPOSE_CONV: return {3, 4};
  case BO::BuiltinOperator_CONCATENATION: return {1, 1 << 16};
  default: return {1, 1};
  }
}

} // namespace

std::string supportedOpListImpl() {
  std::vector<std::string> names;
  for (const auto &kv : opTable())
    names.push_back(builtinName(kv.first));
  std::sort(names.begin(), names.end());
  std::string s;
  for (const auto &n : names)
    s += (s.empty() ? "" : ", ") + n;
  return s;
}

bool Importer::checkSupportedOps() {
  int numOps = graph->operators() ? graph->operators()->size() : 0;
  bool ok = true;
  for (int i = 0; i < numOps; ++i) {
    const tfl::OperatorCode &code = *model->operator_codes()->Get(op(i).opcode_index());
    tfl::BuiltinOperator bc = builtinCode(code);
    if (bc == tfl::BuiltinOperator_CUSTOM) {
      std::string name = code.custom_code() ? code.custom_code()->str() : "";
      if (name != kDetectionPostProcess) {
        opError(i) << "this operator is not supported";
        ok = false;
        continue;
      }
      int outs = op(i).outputs() ? op(i).outputs()->size() : 0;
      if (numInputs(i) != 3 || outs != 4) {
        opError(i) << "has " << numInputs(i) << " inputs and " << outs << " outputs; "
                   << name << " takes 3 (boxes, scores, anchors) and produces 4";
        ok = false;
      }
      for (int k = 0; k < std::min(numInputs(i), 3); ++k)
        if (input(i, k) < 0) {
          opError(i) << "its input " << k << " is absent";
          ok = false;
        }
      continue;
    }
    if (!opTable().count(bc)) {
      opError(i) << "this operator is not supported";
      ok = false;
      continue;
    }
    auto [lo, hi] = arity(bc);
    int n = numInputs(i);
    if (n < lo || n > hi) {
      opError(i) << "has " << n << " inputs; " << builtinName(bc) << " takes " << lo
                 << (hi == lo ? std::string() : hi > 100 ? " or more" : " to " + std::to_string(hi));
      ok = false;
    }
    int outs = op(i).outputs() ? op(i).outputs()->size() : 0;
    bool split = bc == tfl::BuiltinOperator_SPLIT || bc == tfl::BuiltinOperator_SPLIT_V;
    int want = bc == tfl::BuiltinOperator_TOPK_V2 ? 2 : 1;
    if (split ? outs < 1 : outs != want) {
      opError(i) << "has " << outs << " outputs; " << builtinName(bc) << " produces "
                 << (split ? std::string("1 or more") : std::to_string(want));
      ok = false;
    }
    // Inputs past the minimum are optional (a bias, RESHAPE's shape) and may be -1.
    for (int k = 0; k < std::min(n, bc == tfl::BuiltinOperator_RESHAPE ? 1 : lo); ++k)
      if (input(i, k) < 0) {
        opError(i) << "its input " << k << " is absent";
        ok = false;
      }
  }
  if (!ok)
    emitRemark(fileLoc) << "qcc supports these TFLite builtin operators: "
                        << supportedOpListImpl() << "; and the custom operator "
                        << kDetectionPostProcess;
  return ok;
}

int Importer::numInputs(int i) const { return op(i).inputs() ? op(i).inputs()->size() : 0; }
int Importer::input(int i, int k) const {
  return k < numInputs(i) ? op(i).inputs()->Get(k) : -1;
}
int Importer::output(int i, int k) const { return op(i).outputs()->Get(k); }

bool Importer::importOperator(int i) {
  const tfl::OperatorCode &code = *model->operator_codes()->Get(op(i).opcode_index());
  tfl::BuiltinOperator bc = builtinCode(code);
  if (bc == tfl::BuiltinOperator_CUSTOM)
    return importDetectionPostProcess(i); // the one custom operator checkSupportedOps admits
  return opTable().at(bc)(*this, i, bc);
}

Value Importer::fusedActivation(int i, tfl::ActivationFunctionType act, Value v) {
  Location loc = opLoc(i);
  auto clamp = [&](float lo, float hi) -> Value {
    return b.create<mlir::qcc::ClampOp>(loc, v.getType(), v, b.getF32FloatAttr(lo),
                                        b.getF32FloatAttr(hi));
  };
  switch (act) {
  case tfl::ActivationFunctionType_NONE: return v;
  case tfl::ActivationFunctionType_RELU:
    return b.create<mlir::qcc::ReluOp>(loc, v.getType(), v);
  case tfl::ActivationFunctionType_RELU6: return clamp(0.f, 6.f);
  case tfl::ActivationFunctionType_RELU_N1_TO_1: return clamp(-1.f, 1.f);
  case tfl::ActivationFunctionType_TANH:
    return b.create<mlir::qcc::TanhOp>(loc, v.getType(), v);
  default:
    opError(i) << "fused activation " << static_cast<int>(act) << " is not supported; "
               << "supported: NONE, RELU, RELU_N1_TO_1, RELU6, TANH";
    return {};
  }
}

/// TFLite's SAME padding: the output has ceil(in / stride) positions and the padding that
/// needs is split with the smaller half first; VALID pads nothing.
std::optional<SmallVector<int64_t>> Importer::windowPads(int i, tfl::Padding padding,
                                                         ArrayRef<int64_t> in,
                                                         ArrayRef<int64_t> kernel,
                                                         ArrayRef<int64_t> strides,
                                                         ArrayRef<int64_t> dilations) {
  SmallVector<int64_t> pads(4, 0);
  for (int d = 0; d < 2; ++d) {
    if (strides[d] <= 0 || dilations[d] <= 0 || kernel[d] <= 0) {
      opError(i) << "strides, dilations and window sizes must be positive";
      return std::nullopt;
    }
    int64_t extent = dilations[d] * (kernel[d] - 1) + 1;
    if (padding == tfl::Padding_SAME) {
      int64_t out = (in[d] + strides[d] - 1) / strides[d];
      int64_t total = std::max<int64_t>((out - 1) * strides[d] + extent - in[d], 0);
      pads[d] = total / 2;
      pads[d + 2] = total - total / 2;
    } else if (padding != tfl::Padding_VALID) {
      opError(i) << "padding " << static_cast<int>(padding) << " is not supported; supported: "
                 << "SAME, VALID";
      return std::nullopt;
    } else if (extent > in[d]) {
      opError(i) << "the window (" << extent << ") is larger than the input (" << in[d]
                 << ") with VALID padding";
      return std::nullopt;
    }
  }
  return pads;
}

/// The float bias (tensor `bi`) of a convolution with `outC` output channels; null after
/// reporting when it has another shape.
Value Importer::channelBias(int i, int bi, int64_t outC) {
  if (shapeOf(bi) != SmallVector<int64_t>{outC}) {
    opError(i) << "the bias must have " << outC << " elements";
    return {};
  }
  return floatValue(bi);
}

bool Importer::importConv(int i, bool depthwise) {
  Location loc = opLoc(i);
  int xi = input(i, 0), wi = constantSource(input(i, 1)), bi = input(i, 2);
  Value x = floatValue(xi);
  if (!x)
    return false;
  if (wi < 0) {
    opError(i) << "the filter must be a constant";
    return false;
  }
  SmallVector<int64_t> xs = shapeOf(xi), ws = shapeOf(wi);
  if (xs.size() != 4 || ws.size() != 4) {
    opError(i) << "input and filter must have rank 4 (NHWC and " << (depthwise ? "1HWC" : "OHWI")
               << ")";
    return false;
  }
  int64_t c = xs[3], kh = ws[1], kw = ws[2];
  int64_t strideH, strideW, dilH, dilW, group;
  tfl::Padding padding;
  tfl::ActivationFunctionType act;
  int64_t outC;
  // The filter in qcc's OIHW, per-channel scales on axis 0.
  Value w;
  if (depthwise) {
    const auto *o = options<tfl::DepthwiseConv2DOptions>(op(i));
    strideH = o ? o->stride_h() : 1, strideW = o ? o->stride_w() : 1;
    dilH = o ? o->dilation_h_factor() : 1, dilW = o ? o->dilation_w_factor() : 1;
    padding = o ? o->padding() : tfl::Padding_SAME;
    act = o ? o->fused_activation_function() : tfl::ActivationFunctionType_NONE;
    outC = ws[3];
    if (ws[0] != 1 || outC % c != 0) {
      opError(i) << "the depthwise filter must be 1xKHxKWx(C*M) for an input of C = " << c
                 << " channels";
      return false;
    }
    group = c;
    w = permutedConstant(wi, {3, 0, 1, 2}, quantType(wi, /*physicalAxisOfChannels=*/0));
  } else {
    const auto *o = options<tfl::Conv2DOptions>(op(i));
    strideH = o ? o->stride_h() : 1, strideW = o ? o->stride_w() : 1;
    dilH = o ? o->dilation_h_factor() : 1, dilW = o ? o->dilation_w_factor() : 1;
    padding = o ? o->padding() : tfl::Padding_SAME;
    act = o ? o->fused_activation_function() : tfl::ActivationFunctionType_NONE;
    outC = ws[0];
    if (ws[3] <= 0 || c % ws[3] != 0 || outC % (c / ws[3]) != 0) {
      opError(i) << "the filter's " << ws[3] << " input channels do not divide the input's "
                 << c;
      return false;
    }
    group = c / ws[3];
    w = permutedConstant(wi, {0, 3, 1, 2}, quantType(wi, /*physicalAxisOfChannels=*/0));
  }
  if (!w)
    return false;
  auto qt = dyn_cast<quant::QuantizedType>(cast<RankedTensorType>(w.getType()).getElementType());
  if (auto pa = dyn_cast_or_null<quant::UniformQuantizedPerAxisType>(qt);
      pa && static_cast<int64_t>(pa.getScales().size()) != outC) {
    opError(i) << "the filter is quantized along a dimension other than its output channels";
    return false;
  }
  Value bias;
  if (bi >= 0 && !(bias = channelBias(i, bi, outC)))
    return false;
  SmallVector<int64_t> strides = {strideH, strideW}, dilations = {dilH, dilW};
  auto pads = windowPads(i, padding, {xs[1], xs[2]}, {kh, kw}, strides, dilations);
  if (!pads)
    return false;
  int64_t oh = (xs[1] + (*pads)[0] + (*pads)[2] - dilH * (kh - 1) - 1) / strideH + 1;
  int64_t ow = (xs[2] + (*pads)[1] + (*pads)[3] - dilW * (kw - 1) - 1) / strideW + 1;
  auto outType = RankedTensorType::get({xs[0], outC, oh, ow}, b.getF32Type());
  Value y;
  if (qt && isHybrid(xi, wi)) {
    y = hybridConv(i, x, wi, w, bias, outType, strides, *pads, dilations, group, depthwise);
  } else {
    if (qt)
      w = b.create<mlir::qcc::DequantizeOp>(
          loc, RankedTensorType::get(cast<RankedTensorType>(w.getType()).getShape(), b.getF32Type()),
          w);
    y = b.create<mlir::qcc::Conv2DOp>(loc, outType, x, w, bias, b.getDenseI64ArrayAttr(strides),
                                      b.getDenseI64ArrayAttr(*pads),
                                      b.getDenseI64ArrayAttr(dilations),
                                      b.getI64IntegerAttr(group));
  }
  y = fusedActivation(i, act, y);
  return y && define(i, output(i, 0), y);
}

/// TRANSPOSE_CONV: inputs output_shape (constant NHWC), filter (OHWI), input, bias
/// (optional). The begin padding is TFLite's: the SAME/VALID padding of the forward
/// convolution from the output to the input, total / 2 at the beginning (the reference
/// kernel ignores the odd element's offset); the output size is output_shape's.
bool Importer::importTransposeConv(int i) {
  Location loc = opLoc(i);
  int si = input(i, 0), wi = constantSource(input(i, 1)), xi = input(i, 2), bi = input(i, 3);
  Value x = floatValue(xi);
  if (!x)
    return false;
  if (wi < 0) {
    opError(i) << "the filter must be a constant";
    return false;
  }
  auto outShape = intValues(si);
  SmallVector<int64_t> xs = shapeOf(xi), ws = shapeOf(wi);
  if (!outShape || outShape->size() != 4 || xs.size() != 4 || ws.size() != 4) {
    opError(i) << "needs a constant output_shape of 4 values, an NHWC input and an OHWI filter";
    return false;
  }
  int64_t outC = ws[0], kh = ws[1], kw = ws[2];
  if (ws[3] != xs[3] || (*outShape)[3] != outC || (*outShape)[0] != xs[0] ||
      (*outShape)[1] < 1 || (*outShape)[2] < 1) {
    opError(i) << "the filter (" << ws[0] << "x" << ws[1] << "x" << ws[2] << "x" << ws[3]
               << "), input channels (" << xs[3] << ") and output_shape do not agree";
    return false;
  }
  const auto *o = options<tfl::TransposeConvOptions>(op(i));
  int64_t strideH = o ? o->stride_h() : 1, strideW = o ? o->stride_w() : 1;
  tfl::Padding padding = o ? o->padding() : tfl::Padding_SAME;
  tfl::ActivationFunctionType act = o ? o->fused_activation_function()
                                      : tfl::ActivationFunctionType_NONE;
  if (strideH <= 0 || strideW <= 0) {
    opError(i) << "strides must be positive";
    return false;
  }
  // The filter as qcc.conv_transpose's IOHW (input channels first), per-channel scales
  // on axis 1.
  Value w = permutedConstant(wi, {3, 0, 1, 2}, quantType(wi, /*physicalAxisOfChannels=*/1));
  if (!w)
    return false;
  if (auto qt = dyn_cast<quant::QuantizedType>(cast<RankedTensorType>(w.getType()).getElementType())) {
    if (auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(qt);
        pa && static_cast<int64_t>(pa.getScales().size()) != outC) {
      opError(i) << "the filter is quantized along a dimension other than its output channels";
      return false;
    }
    w = b.create<mlir::qcc::DequantizeOp>(
        loc, RankedTensorType::get(cast<RankedTensorType>(w.getType()).getShape(), b.getF32Type()), w);
  }
  Value bias;
  if (bi >= 0 && !(bias = channelBias(i, bi, outC)))
    return false;
  SmallVector<int64_t> out = {(*outShape)[1], (*outShape)[2]}, kernel = {kh, kw};
  SmallVector<int64_t> strides = {strideH, strideW}, pads(4, 0);
  for (int d = 0; d < 2; ++d) {
    int64_t convOut;
    if (padding == tfl::Padding_SAME)
      convOut = (out[d] + strides[d] - 1) / strides[d];
    else if (padding == tfl::Padding_VALID)
      convOut = (out[d] - kernel[d] + strides[d]) / strides[d];
    else {
      opError(i) << "padding " << static_cast<int>(padding) << " is not supported; supported: "
                 << "SAME, VALID";
      return false;
    }
    int64_t total = std::max<int64_t>((convOut - 1) * strides[d] + kernel[d] - out[d], 0);
    pads[d] = total / 2;
    int64_t full = (xs[1 + d] - 1) * strides[d] + kernel[d];
    pads[2 + d] = std::max<int64_t>(full - pads[d] - out[d], 0);
  }
  auto outType = RankedTensorType::get({xs[0], outC, out[0], out[1]}, b.getF32Type());
  Value y = b.create<mlir::qcc::ConvTransposeOp>(
      loc, outType, x, w, bias, b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(pads),
      b.getDenseI64ArrayAttr({1, 1}), b.getI64IntegerAttr(1));
  y = fusedActivation(i, act, y);
  return y && define(i, output(i, 0), y);
}

bool Importer::importFullyConnected(int i) {
  Location loc = opLoc(i);
  int xi = input(i, 0), wi = input(i, 1), bi = input(i, 2);
  const auto *o = options<tfl::FullyConnectedOptions>(op(i));
  if (o && o->weights_format() != tfl::FullyConnectedOptionsWeightsFormat_DEFAULT) {
    opError(i) << "shuffled weights (SHUFFLED4x16INT8) are not supported";
    return false;
  }
  SmallVector<int64_t> ws = shapeOf(wi);
  if (ws.size() != 2) {
    opError(i) << "the weights must have rank 2 (outputs x inputs)";
    return false;
  }
  bool hybrid = isHybrid(xi, wi);
  Value x = floatValue(xi), w = hybrid ? Value() : floatValue(wi);
  if (!x || (!hybrid && !w))
    return false;
  SmallVector<int64_t> xs = shapeOf(xi);
  int64_t elements = std::accumulate(xs.begin(), xs.end(), int64_t(1), std::multiplies<>());
  if (ws[1] <= 0 || elements % ws[1] != 0) {
    opError(i) << "the input's " << elements << " elements are not a multiple of the weights' "
               << ws[1] << " inputs";
    return false;
  }
  int64_t batch = elements / ws[1];
  // TFLite flattens the input in its own (NHWC) order.
  x = reshape(toLogical(x, loc), {batch, ws[1]}, loc);
  Value bias;
  if (bi >= 0) {
    if (shapeOf(bi) != SmallVector<int64_t>{ws[0]}) {
      opError(i) << "the bias must have " << ws[0] << " elements";
      return false;
    }
    if (!(bias = floatValue(bi)))
      return false;
  }
  Value y = hybrid ? hybridFullyConnected(i, x, wi, bias, o && o->asymmetric_quantize_inputs())
                   : b.create<mlir::qcc::GemmOp>(
                         loc, RankedTensorType::get({batch, ws[0]}, b.getF32Type()), x, w, bias,
                         b.getBoolAttr(false), b.getBoolAttr(true), b.getF32FloatAttr(1.f),
                         b.getF32FloatAttr(1.f));
  if (!y)
    return false;
  y = fusedActivation(i, o ? o->fused_activation_function() : tfl::ActivationFunctionType_NONE, y);
  if (!y)
    return false;
  // keep_num_dims (or a model that says so through its output shape): the result's shape.
  SmallVector<int64_t> outShape = shapeOf(output(i, 0));
  int64_t outElements =
      std::accumulate(outShape.begin(), outShape.end(), int64_t(1), std::multiplies<>());
  if (outElements == batch * ws[0])
    y = toPhysical(reshape(y, outShape, loc), loc);
  return define(i, output(i, 0), y);
}

bool Importer::importBinary(int i, tfl::BuiltinOperator code) {
  Location loc = opLoc(i);
  Value l = floatValue(input(i, 0)), r = floatValue(input(i, 1));
  if (!l || !r)
    return false;
  int64_t rank = std::max(cast<RankedTensorType>(l.getType()).getRank(),
                          cast<RankedTensorType>(r.getType()).getRank());
  l = alignForBroadcast(l, rank, loc);
  r = alignForBroadcast(r, rank, loc);
  SmallVector<int64_t> shape = physicalShape(shapeOf(output(i, 0)));
  auto t = RankedTensorType::get(shape, b.getF32Type());
  tfl::ActivationFunctionType act = tfl::ActivationFunctionType_NONE;
  Value y;
  if (code == tfl::BuiltinOperator_ADD) {
    if (const auto *o = options<tfl::AddOptions>(op(i)))
      act = o->fused_activation_function();
    y = b.create<mlir::qcc::AddOp>(loc, t, l, r);
  } else if (code == tfl::BuiltinOperator_SUB) {
    if (const auto *o = options<tfl::SubOptions>(op(i)))
      act = o->fused_activation_function();
    y = b.create<mlir::qcc::SubOp>(loc, t, l, r);
  } else if (code == tfl::BuiltinOperator_MUL) {
    if (const auto *o = options<tfl::MulOptions>(op(i)))
      act = o->fused_activation_function();
    y = b.create<mlir::qcc::MulOp>(loc, t, l, r);
  } else if (code == tfl::BuiltinOperator_MAXIMUM) {
    y = b.create<mlir::qcc::MaxOp>(loc, t, l, r);
  } else if (code == tfl::BuiltinOperator_PRELU) {
    if (cast<RankedTensorType>(l.getType()).getShape() != t.getShape()) {
      opError(i) << "the alpha must broadcast to the input's shape";
      return false;
    }
    y = b.create<mlir::qcc::PReluOp>(loc, t, l, r);
  } else {
    y = b.create<mlir::qcc::MinOp>(loc, t, l, r);
  }
  y = fusedActivation(i, act, y);
  return y && define(i, output(i, 0), y);
}

bool Importer::importPool(int i, bool isMax) {
  Location loc = opLoc(i);
  int xi = input(i, 0);
  SmallVector<int64_t> xs = shapeOf(xi);
  if (xs.size() != 4) {
    opError(i) << "the input must have rank 4 (NHWC)";
    return false;
  }
  Value x = floatValue(xi);
  const auto *o = options<tfl::Pool2DOptions>(op(i));
  if (!x)
    return false;
  if (!o) {
    opError(i) << "its Pool2DOptions are missing";
    return false;
  }
  SmallVector<int64_t> kernel = {o->filter_height(), o->filter_width()};
  SmallVector<int64_t> strides = {o->stride_h(), o->stride_w()}, dilations = {1, 1};
  auto pads = windowPads(i, o->padding(), {xs[1], xs[2]}, kernel, strides, dilations);
  if (!pads)
    return false;
  int64_t oh = (xs[1] + (*pads)[0] + (*pads)[2] - kernel[0]) / strides[0] + 1;
  int64_t ow = (xs[2] + (*pads)[1] + (*pads)[3] - kernel[1]) / strides[1] + 1;
  auto t = RankedTensorType::get({xs[0], xs[3], oh, ow}, b.getF32Type());
  Value y;
  if (isMax)
    y = b.create<mlir::qcc::MaxPoolOp>(loc, t, x, b.getDenseI64ArrayAttr(kernel),
                                       b.getDenseI64ArrayAttr(strides),
                                       b.getDenseI64ArrayAttr(*pads),
                                       b.getDenseI64ArrayAttr(dilations), b.getBoolAttr(false));
  else // TFLite averages over the positions inside the input only.
    y = b.create<mlir::qcc::AvgPoolOp>(loc, t, x, b.getDenseI64ArrayAttr(kernel),
                                       b.getDenseI64ArrayAttr(strides),
                                       b.getDenseI64ArrayAttr(*pads), b.getBoolAttr(false),
                                       b.getBoolAttr(false));
  y = fusedActivation(i, o->fused_activation_function(), y);
  return y && define(i, output(i, 0), y);
}

bool Importer::importMean(int i) {
  Location loc = opLoc(i);
  int xi = input(i, 0);
  auto axes = intValues(input(i, 1));
  SmallVector<int64_t> xs = shapeOf(xi);
  if (!axes) {
    opError(i) << "the axes must be a constant int32 tensor";
    return false;
  }
  SmallVector<int64_t> sorted;
  for (int64_t a : *axes)
    sorted.push_back(a < 0 ? a + static_cast<int64_t>(xs.size()) : a);
  llvm::sort(sorted);
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  int64_t rank = static_cast<int64_t>(xs.size());
  if (sorted.empty() || sorted.front() < 0 || sorted.back() >= rank) {
    opError(i) << "the axes must lie in [" << -rank << ", " << rank << ")";
    return false;
  }
  Value x = floatValue(xi);
  if (!x)
    return false;
  if (rank != 4 || sorted != SmallVector<int64_t>{1, 2}) {
    // Other axes: the f32 mean over them in TFLite's dimension order (on 8-bit tensors the
    // fake-quant form, not TFLite's integer kernel).
    SmallVector<int64_t> kept;
    for (int64_t d = 0; d < rank; ++d)
      if (!llvm::is_contained(sorted, d))
        kept.push_back(xs[d]);
    Value m = b.create<mlir::qcc::ReduceMeanOp>(
        loc, RankedTensorType::get(kept, b.getF32Type()), toLogical(x, loc),
        b.getDenseI64ArrayAttr(sorted));
    return define(i, output(i, 0), toPhysical(reshape(m, shapeOf(output(i, 0)), loc), loc));
  }
  Value y = b.create<mlir::qcc::GlobalAvgPoolOp>(
      loc, RankedTensorType::get({xs[0], xs[3], 1, 1}, b.getF32Type()), x);
  // Without keep_dims the result is N x C.
  y = toPhysical(reshape(toLogical(y, loc), shapeOf(output(i, 0)), loc), loc);
  return define(i, output(i, 0), y);
}

bool Importer::importSoftmax(int i) {
  Location loc = opLoc(i);
  const auto *o = options<tfl::SoftmaxOptions>(op(i));
  if (o && o->beta() != 1.0f) {
    opError(i) << "beta = " << o->beta() << " is not supported; supported: 1";
    return false;
  }
  Value x = floatValue(input(i, 0));
  if (!x)
    return false;
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  Value y = b.create<mlir::qcc::SoftmaxOp>(loc, x.getType(), x,
                                           b.getI64IntegerAttr(physicalAxis(rank - 1, rank)));
  return define(i, output(i, 0), y);
}

/// QUANTIZE (float -> quantized, or quantized -> other parameters) and DEQUANTIZE.
bool Importer::importQuantize(int i) {
  if (tensor(input(i, 0)).type() == tfl::TensorType_FLOAT16) {
    if (!isConstant(input(i, 0))) {
      opError(i) << "float16 activations are not supported (float16 weights are)";
      return false;
    }
    widenedFrom[output(i, 0)] = input(i, 0);
  }
  Value x = floatValue(input(i, 0));
  return x && define(i, output(i, 0), x);
}

bool Importer::importUnary(int i, tfl::BuiltinOperator code) {
  Location loc = opLoc(i);
  Value x = floatValue(input(i, 0));
  if (!x)
    return false;
  Value y;
  switch (code) {
  case tfl::BuiltinOperator_RELU:
    y = fusedActivation(i, tfl::ActivationFunctionType_RELU, x);
    break;
  case tfl::BuiltinOperator_RELU6:
    y = fusedActivation(i, tfl::ActivationFunctionType_RELU6, x);
    break;
  case tfl::BuiltinOperator_RELU_N1_TO_1:
    y = fusedActivation(i, tfl::ActivationFunctionType_RELU_N1_TO_1, x);
    break;
  case tfl::BuiltinOperator_LOGISTIC:
    y = b.create<mlir::qcc::SigmoidOp>(loc, x.getType(), x);
    break;
  case tfl::BuiltinOperator_TANH:
    y = b.create<mlir::qcc::TanhOp>(loc, x.getType(), x);
    break;
  case tfl::BuiltinOperator_EXP:
    y = b.create<mlir::qcc::ExpOp>(loc, x.getType(), x);
    break;
  case tfl::BuiltinOperator_SQRT:
    y = b.create<mlir::qcc::SqrtOp>(loc, x.getType(), x);
    break;
  case tfl::BuiltinOperator_RSQRT:
    y = b.create<mlir::qcc::RsqrtOp>(loc, x.getType(), x);
    break;
  case tfl::BuiltinOperator_LEAKY_RELU: {
    const auto *o = options<tfl::LeakyReluOptions>(op(i));
    y = b.create<mlir::qcc::LeakyReluOp>(loc, x.getType(), x,
                                         b.getF32FloatAttr(o ? o->alpha() : 0.f));
    break;
  }
  default:
    y = b.create<mlir::qcc::HardSwishOp>(loc, x.getType(), x);
    break;
  }
  return define(i, output(i, 0), y);
}

} // namespace mlir::qcc::tflite_import

namespace mlir::qcc {
std::string supportedTFLiteOpList() { return tflite_import::supportedOpListImpl(); }
} // namespace mlir::qcc
