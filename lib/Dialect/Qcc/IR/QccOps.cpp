//===- QccOps.cpp - qcc dialect operations: verifiers and folders ---------===//
#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Utils/QuantParams.h"

#include "VerifyUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/STLExtras.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::qcc;

//===----------------------------------------------------------------------===//
// Shared shape helpers
//===----------------------------------------------------------------------===//

int64_t mlir::qcc::windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                    int64_t padBegin, int64_t padEnd, int64_t dilation,
                                    bool ceilMode) {
  if (kernel <= 0 || stride <= 0 || dilation <= 0)
    return -1; // no window: never a valid extent
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t numer = in + padBegin + padEnd - span;
  if (numer < 0)
    return 0;
  int64_t out = (ceilMode ? (numer + stride - 1) / stride : numer / stride) + 1;
  // A window that starts in the end padding is dropped.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

std::optional<SmallVector<int64_t>> mlir::qcc::broadcastShapes(ArrayRef<int64_t> a,
                                                               ArrayRef<int64_t> b) {
  size_t rank = std::max(a.size(), b.size());
  SmallVector<int64_t> out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

Type mlir::qcc::getAccumulatorType(quant::UniformQuantizedType x, quant::QuantizedType w,
                                   int64_t axis, bool exactProduct) {
  MLIRContext *ctx = x.getContext();
  Type i32 = IntegerType::get(ctx, 32), f32 = Float32Type::get(ctx);
  auto sx = static_cast<float>(x.getScale());
  auto product = [&](double sw) -> double {
    return exactProduct ? static_cast<double>(sx) * static_cast<double>(static_cast<float>(sw))
                        : static_cast<double>(sx * static_cast<float>(sw));
  };
  int64_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
  if (auto u = dyn_cast<quant::UniformQuantizedType>(w))
    return quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed, i32, f32,
                                            product(u.getScale()), 0, lo, hi);
  auto pa = cast<quant::UniformQuantizedPerAxisType>(w);
  SmallVector<double> scales;
  for (double s : pa.getScales())
    scales.push_back(product(s));
  SmallVector<int64_t> zps(scales.size(), 0);
  return quant::UniformQuantizedPerAxisType::get(quant::QuantizationFlags::Signed, i32, f32,
                                                 scales, zps, static_cast<int32_t>(axis), lo, hi);
}

static LogicalResult verifySameShape(Operation *op);



//===----------------------------------------------------------------------===//
// Float and integer forms
//===----------------------------------------------------------------------===//

static bool isQuantized(Value v) { return isa<quant::QuantizedType>(getElementTypeOrSelf(v)); }

/// Every operand and result float: the op's float form.
static LogicalResult verifyAllFloat(Operation *op) {
  SmallVector<Value> all(op->getOperands());
  llvm::append_range(all, op->getResults());
  for (Value v : all)
    if (!getElementTypeOrSelf(v).isF32())
      return op->emitOpError("mixes float and quantized tensors: all operands and results "
                             "must be f32, or the op must be in its integer form");
  return success();
}

/// An 8-bit per-tensor !quant.uniform value.
static LogicalResult verifyActivation8(Operation *op, Value v, StringRef what) {
  auto qt = dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(v));
  if (!qt || qt.getStorageTypeIntegralWidth() != 8)
    return op->emitOpError(what) << " must be 8-bit quantized per tensor";
  return success();
}

/// The input of an integer product: 8-bit per tensor, or 16-bit symmetric (zero point 0)
/// per tensor (int16 activations with int8 weights).
static LogicalResult verifyProductInput(Operation *op, Value v, StringRef what) {
  if (!productActivationType(getElementTypeOrSelf(v)))
    return op->emitOpError(what)
           << " must be 8-bit quantized per tensor, or 16-bit signed with zero point 0";
  return success();
}

/// An 8-bit weight, per tensor or per axis `axis`, with a single zero point.
static LogicalResult verifyWeight8(Operation *op, Value v, int64_t axis) {
  auto qt = dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(v));
  if (!qt || qt.getStorageTypeIntegralWidth() != 8)
    return op->emitOpError("weight must be 8-bit quantized");
  if (auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(qt)) {
    if (pa.getQuantizedDimension() != axis)
      return op->emitOpError("per-axis weight must be quantized along dimension ") << axis;
    if (llvm::any_of(pa.getZeroPoints(), [&](int64_t z) { return z != pa.getZeroPoints()[0]; }))
      return op->emitOpError("per-axis weight zero points must all be equal");
  }
  return success();
}

/// An int32 quantized value with zero point 0 (accumulator or bias).
static LogicalResult verifyInt32(Operation *op, Value v, StringRef what) {
  auto qt = dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(v));
  if (!qt || qt.getStorageTypeIntegralWidth() != 32)
    return op->emitOpError(what) << " must be an int32 quantized tensor";
  auto zeroZp = [](quant::QuantizedType t) {
    if (auto u = dyn_cast<quant::UniformQuantizedType>(t))
      return u.getZeroPoint() == 0;
    return llvm::all_of(cast<quant::UniformQuantizedPerAxisType>(t).getZeroPoints(),
                        [](int64_t z) { return z == 0; });
  };
  if (!zeroZp(qt))
    return op->emitOpError(what) << " must have zero point 0";
  return success();
}

/// The result of an integer contraction: the int32 accumulator, or (fused form, with the
/// `accumulator` attribute) its 8-bit requantization.
static LogicalResult verifyProductResult(Operation *op, Value result,
                                         std::optional<Type> accumulator,
                                         std::optional<ArrayRef<float>> multiplier) {
  if (!accumulator) {
    if (multiplier || op->hasAttr("clamp_min") || op->hasAttr("clamp_max"))
      return op->emitOpError("multiplier and clamps need the `accumulator` attribute");
    return verifyInt32(op, result, "result");
  }
  auto acc = dyn_cast<quant::QuantizedType>(*accumulator);
  if (!acc || acc.getStorageTypeIntegralWidth() != 32)
    return op->emitOpError("accumulator must be an int32 quantized type");
  if (!productActivationType(getElementTypeOrSelf(result)))
    return op->emitOpError("a fused requantization needs an 8-bit per-tensor result (or "
                           "16-bit with zero point 0)");
  if (multiplier && multiplier->size() != 1) {
    auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(acc);
    if (!perAxis || perAxis.getScales().size() != multiplier->size())
      return op->emitOpError("expects one multiplier, or one per accumulator channel");
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Conv2DOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  if (!isQuantized(getInput())) {
    if (failed(verifyAllFloat(*this)))
      return failure();
  } else if (failed(verifyProductInput(*this, getInput(), "input")) ||
             failed(verifyWeight8(*this, getWeight(), 0)) ||
             (getBias() && failed(verifyInt32(*this, getBias(), "bias"))) ||
             failed(verifyProductResult(*this, getOutput(), getAccumulator(), getMultiplier()))) {
    return failure();
  }
  auto in = getInput().getType().getShape();
  auto w = getWeight().getType().getShape();
  if (in.size() != 4 || w.size() != 4)
    return emitOpError("expects a rank-4 NCHW input and a rank-4 OIHW weight");
  if (failed(verifyWindowAttrs(*this, getStrides(), getPads(), getDilations())))
    return failure();
  int64_t group = getGroup();
  if (in[1] % group != 0 || w[0] % group != 0)
    return emitOpError("input channels (") << in[1] << ") and filters (" << w[0]
                                           << ") must be multiples of group " << group;
  if (w[1] != in[1] / group)
    return emitOpError("weight expects ") << w[1] << " input channels per group, input gives "
                                          << in[1] / group;
  if (getBias()) {
    auto b = getBias().getType().getShape();
    if (b.size() != 1 || b[0] != w[0])
      return emitOpError("bias must have ") << w[0] << " elements";
  }
  SmallVector<int64_t> expected = {in[0], w[0], 0, 0};
  for (int i = 0; i < 2; ++i)
    expected[2 + i] = windowOutputSize(in[2 + i], w[2 + i], getStrides()[i], getPads()[i],
                                       getPads()[2 + i], getDilations()[i], false);
  return verifyExpectedShape(*this, expected);
}

LogicalResult ConvTransposeOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  auto in = getInput().getType().getShape();
  auto w = getWeight().getType().getShape();
  auto out = getOutput().getType().getShape();
  if (in.size() != 4 || w.size() != 4)
    return emitOpError("expects a rank-4 NCHW input and a rank-4 IOHW weight");
  if (failed(verifyWindowAttrs(*this, getStrides(), getPads(), getDilations())))
    return failure();
  int64_t group = getGroup();
  if (in[1] % group != 0)
    return emitOpError("input channels (") << in[1] << ") must be a multiple of group " << group;
  if (w[0] != in[1])
    return emitOpError("weight has ") << w[0] << " input channels, input gives " << in[1];
  int64_t filters = w[1] * group;
  if (getBias()) {
    auto b = getBias().getType().getShape();
    if (b.size() != 1 || b[0] != filters)
      return emitOpError("bias must have ") << filters << " elements";
  }
  if (out.size() != 4 || out[0] != in[0] || out[1] != filters || out[2] < 1 || out[3] < 1)
    return emitOpError("expects a result of ") << in[0] << " x " << filters
                                               << " x H x W with H, W positive";
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulOp and GemmOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  auto a = getLhs().getType().getShape();
  auto b = getRhs().getType().getShape();
  if (!isQuantized(getLhs())) {
    if (failed(verifyAllFloat(*this)))
      return failure();
  } else if (failed(verifyProductInput(*this, getLhs(), "lhs")) ||
             failed(verifyWeight8(*this, getRhs(), b.size() - 1)) ||
             failed(verifyProductResult(*this, getOutput(), getAccumulator(), getMultiplier()))) {
    return failure();
  }
  if (a.size() < 2 || b.size() < 2)
    return emitOpError("expects operands of rank 2 or more");
  if (a.back() != b[b.size() - 2])
    return emitOpError("contracting dimensions differ: ") << a.back() << " vs "
                                                          << b[b.size() - 2];
  auto batch = broadcastShapes(a.drop_back(2), b.drop_back(2));
  if (!batch)
    return emitOpError("batch dimensions do not broadcast");
  SmallVector<int64_t> expected = *batch;
  expected.push_back(a[a.size() - 2]);
  expected.push_back(b.back());
  return verifyExpectedShape(*this, expected);
}

LogicalResult GemmOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  auto a = getA().getType().getShape();
  auto b = getB().getType().getShape();
  if (a.size() != 2 || b.size() != 2)
    return emitOpError("expects rank-2 A and B");
  if (!isQuantized(getA())) {
    if (failed(verifyAllFloat(*this)))
      return failure();
  } else {
    if (failed(verifyProductInput(*this, getA(), "A")) ||
        failed(verifyWeight8(*this, getB(), getTransB() ? 0 : 1)) ||
        (getC() && failed(verifyInt32(*this, getC(), "C"))) ||
        failed(verifyProductResult(*this, getOutput(), getAccumulator(), getMultiplier())))
      return failure();
    if (getAlpha().convertToFloat() != 1.f || getBeta().convertToFloat() != 1.f)
      return emitOpError("integer form requires alpha = beta = 1");
  }
  int64_t m = getTransA() ? a[1] : a[0], ka = getTransA() ? a[0] : a[1];
  int64_t kb = getTransB() ? b[1] : b[0], n = getTransB() ? b[0] : b[1];
  if (ka != kb)
    return emitOpError("contracting dimensions differ: ") << ka << " vs " << kb;
  if (getC()) {
    auto c = getC().getType().getShape();
    auto bc = broadcastShapes(c, {m, n});
    if (c.size() > 2 || !bc || (*bc)[0] != m || (*bc)[1] != n)
      return emitOpError("C of shape ") << shapeStr(c) << " does not broadcast to " << m << "x"
                                        << n;
  }
  return verifyExpectedShape(*this, {m, n});
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

static LogicalResult verifyBroadcastBinary(Operation *op) {
  if (failed(verifyStatic(op)))
    return failure();
  auto a = cast<RankedTensorType>(op->getOperand(0).getType()).getShape();
  auto b = cast<RankedTensorType>(op->getOperand(1).getType()).getShape();
  auto shape = broadcastShapes(a, b);
  if (!shape)
    return op->emitOpError("operand shapes ")
           << shapeStr(a) << " and " << shapeStr(b) << " do not broadcast";
  return verifyExpectedShape(op, *shape);
}

/// add and mul: all f32, or the integer form on 8-bit per-tensor operands and result.
static LogicalResult verifyFloatOrInteger8Binary(Operation *op) {
  if (isQuantized(op->getOperand(0))) {
    if (failed(verifyActivation8(op, op->getOperand(0), "lhs")) ||
        failed(verifyActivation8(op, op->getOperand(1), "rhs")) ||
        failed(verifyActivation8(op, op->getResult(0), "result")))
      return failure();
  } else if (failed(verifyAllFloat(op))) {
    return failure();
  }
  return verifyBroadcastBinary(op);
}

LogicalResult AddOp::verify() { return verifyFloatOrInteger8Binary(*this); }
LogicalResult SubOp::verify() {
  return failed(verifyAllFloat(*this)) ? failure() : verifyBroadcastBinary(*this);
}
LogicalResult MulOp::verify() { return verifyFloatOrInteger8Binary(*this); }
LogicalResult DivOp::verify() {
  return failed(verifyAllFloat(*this)) ? failure() : verifyBroadcastBinary(*this);
}
LogicalResult MaxOp::verify() {
  return failed(verifyAllFloat(*this)) ? failure() : verifyBroadcastBinary(*this);
}
LogicalResult MinOp::verify() {
  return failed(verifyAllFloat(*this)) ? failure() : verifyBroadcastBinary(*this);
}

LogicalResult ClampOp::verify() {
  if (getMin().convertToFloat() > getMax().convertToFloat())
    return emitOpError("min ") << getMin().convertToFloat() << " exceeds max "
                               << getMax().convertToFloat();
  return success();
}

LogicalResult PReluOp::verify() {
  auto x = getInput().getType(), slope = getSlope().getType();
  if (getOutput().getType().getShape() != x.getShape())
    return emitOpError("the result must have the input's shape");
  auto shape = broadcastShapes(x.getShape(), slope.getShape());
  if (!shape || ArrayRef<int64_t>(*shape) != x.getShape())
    return emitOpError("slope of shape ") << shapeStr(slope.getShape())
                                          << " does not broadcast to the input's "
                                          << shapeStr(x.getShape());
  return success();
}

LogicalResult TableOp::verify() {
  if (failed(verifySameShape(*this)))
    return failure();
  auto in = dyn_cast<quant::UniformQuantizedType>(getInput().getType().getElementType());
  auto out = dyn_cast<quant::UniformQuantizedType>(getOutput().getType().getElementType());
  if (!in || !out || in.getStorageTypeIntegralWidth() != 8 || out.getStorageTypeIntegralWidth() != 8)
    return emitOpError("expects 8-bit per-tensor quantized operand and result");
  int64_t expected = 256;
  if (std::optional<uint64_t> axis = getAxis()) {
    if (static_cast<int64_t>(*axis) >= getInput().getType().getRank())
      return emitOpError("axis ") << *axis << " out of range for rank "
                                  << getInput().getType().getRank();
    expected *= getInput().getType().getDimSize(*axis);
  }
  if (static_cast<int64_t>(getTable().size()) != expected)
    return emitOpError("table has ") << getTable().size() << " entries; expected " << expected;
  for (int32_t v : getTable())
    if (v < out.getStorageTypeMin() || v > out.getStorageTypeMax())
      return emitOpError("table entry ") << v << " is outside the result's storage range";
  return success();
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = getInput().getType().getRank(), axis = static_cast<int64_t>(getAxis());
  if (axis < -rank || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
  if (!isQuantized(getInput()))
    return verifyAllFloat(*this);
  if (failed(verifyActivation8(*this, getInput(), "input")) ||
      failed(verifyActivation8(*this, getOutput(), "result")))
    return failure();
  auto out = cast<quant::UniformQuantizedType>(getOutput().getType().getElementType());
  if (out.getScale() != 1.0 / 256 || out.getZeroPoint() != out.getStorageTypeMin())
    return emitOpError("integer softmax needs a result with scale 1/256 and zero point ")
           << out.getStorageTypeMin() << " (its storage minimum)";
  return success();
}

LogicalResult BatchNormOp::verify() {
  auto in = getInput().getType().getShape();
  if (in.size() < 2)
    return emitOpError("expects an input of rank 2 or more");
  for (Value v : {getScale(), getBias(), getMean(), getVariance()}) {
    auto s = cast<RankedTensorType>(v.getType()).getShape();
    if (s.size() != 1 || s[0] != in[1])
      return emitOpError("per-channel parameters must have ") << in[1] << " elements";
  }
  return verifyExpectedShape(*this, in);
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

static LogicalResult verifyPool(Operation *op, ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                                ArrayRef<int64_t> dilations, bool ceilMode) {
  if (failed(verifyStatic(op)))
    return failure();
  auto in = cast<RankedTensorType>(op->getOperand(0).getType()).getShape();
  if (in.size() != 4)
    return op->emitOpError("expects a rank-4 NCHW input");
  if (kernel.size() != 2 || llvm::any_of(kernel, [](int64_t k) { return k <= 0; }))
    return op->emitOpError("expects 2 positive kernel sizes");
  if (failed(verifyWindowAttrs(op, strides, pads, dilations)))
    return failure();
  for (int i = 0; i < 2; ++i)
    if (pads[i] >= kernel[i] * dilations[i] || pads[2 + i] >= kernel[i] * dilations[i])
      return op->emitOpError("padding must be smaller than the kernel");
  SmallVector<int64_t> expected = {in[0], in[1], 0, 0};
  for (int i = 0; i < 2; ++i)
    expected[2 + i] = windowOutputSize(in[2 + i], kernel[i], strides[i], pads[i], pads[2 + i],
                                       dilations[i], ceilMode);
  return verifyExpectedShape(op, expected);
}

LogicalResult MaxPoolOp::verify() {
  if (isQuantized(getInput())) {
    if (failed(verifyActivation8(*this, getInput(), "input")))
      return failure();
    if (getElementTypeOrSelf(getInput()) != getElementTypeOrSelf(getOutput()))
      return emitOpError("integer form keeps the operand's quantized type");
  } else if (failed(verifyAllFloat(*this))) {
    return failure();
  }
  return verifyPool(*this, getKernelShape(), getStrides(), getPads(), getDilations(),
                    getCeilMode());
}

LogicalResult AvgPoolOp::verify() {
  if (isQuantized(getInput())) {
    if (failed(verifyActivation8(*this, getInput(), "input")) ||
        failed(verifyActivation8(*this, getOutput(), "result")))
      return failure();
  } else if (failed(verifyAllFloat(*this))) {
    return failure();
  }
  int64_t ones[] = {1, 1};
  return verifyPool(*this, getKernelShape(), getStrides(), getPads(), ones, getCeilMode());
}

LogicalResult GlobalAvgPoolOp::verify() {
  auto in = getInput().getType().getShape();
  if (isQuantized(getInput())) {
    if (failed(verifyActivation8(*this, getInput(), "input")) ||
        failed(verifyInt32(*this, getOutput(), "result")))
      return failure();
  } else if (failed(verifyAllFloat(*this))) {
    return failure();
  }
  if (in.size() != 4)
    return emitOpError("expects a rank-4 NCHW input");
  return verifyExpectedShape(*this, {in[0], in[1], 1, 1});
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  if (failed(verifyStatic(*this)))
    return failure();
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element types differ");
  if (in.getNumElements() != out.getNumElements())
    return emitOpError("element counts differ: ") << in.getNumElements() << " vs "
                                                  << out.getNumElements();
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getOutput().getType())
    return getInput();
  // reshape(reshape(x)) folds to reshape(x).
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  return {};
}

LogicalResult TransposeOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element types differ");
  auto perm = getPerm();
  if ((int64_t)perm.size() != in.getRank())
    return emitOpError("perm has ") << perm.size() << " entries for rank " << in.getRank();
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> expected;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen[p])
      return emitOpError("perm is not a permutation");
    seen[p] = true;
    expected.push_back(in.getDimSize(p));
  }
  return verifyExpectedShape(*this, expected);
}

LogicalResult SliceOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element types differ");
  int64_t rank = in.getRank();
  if ((int64_t)getOffsets().size() != rank || (int64_t)getStrides().size() != rank ||
      out.getRank() != rank)
    return emitOpError("offsets, strides and the result need the input's rank ") << rank;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t o = getOffsets()[d], st = getStrides()[d], n = out.getDimSize(d);
    if (st <= 0 || o < 0 || n <= 0 || o + (n - 1) * st >= in.getDimSize(d))
      return emitOpError("dimension ") << d << ": offset " << o << ", stride " << st << " and "
                                       << n << " elements do not fit in " << in.getDimSize(d);
  }
  return success();
}

LogicalResult PadOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getElementType() != out.getElementType())
    return emitOpError("element types differ");
  FailureOr<SmallVector<int64_t>> expected = paddedShape(*this, getPads(), in);
  if (failed(expected))
    return failure();
  if (auto q = dyn_cast<quant::UniformQuantizedType>(in.getElementType()); !q &&
      isa<quant::QuantizedType>(in.getElementType()))
    return emitOpError("expects a per-tensor quantized or f32 operand");
  return verifyExpectedShape(*this, *expected);
}

LogicalResult ResizeOp::verify() {
  auto in = getInput().getType(), out = getOutput().getType();
  if (in.getRank() != 4 || out.getRank() != 4 || in.getElementType() != out.getElementType() ||
      in.getDimSize(0) != out.getDimSize(0) || in.getDimSize(1) != out.getDimSize(1))
    return emitOpError("expects NCHW operand and result of the same batch, channels and type");
  StringRef mode = getMode();
  bool tflite = mode == "linear_q10" || mode == "linear_tflite";
  bool linear = mode == "linear" || tflite;
  if (!linear && mode != "nearest")
    return emitOpError("mode must be nearest, linear, linear_q10 or linear_tflite, not '")
           << mode << "'";
  if (mode == "linear" && !in.getElementType().isF32())
    return emitOpError("linear mode is f32 only");
  if (tflite) {
    auto q = dyn_cast<quant::UniformQuantizedType>(in.getElementType());
    if (!q || q.getStorageTypeIntegralWidth() != 8 || q.isSigned() != (mode == "linear_q10"))
      return emitOpError("mode ") << mode << " takes 8-bit per-tensor "
                                  << (mode == "linear_q10" ? "signed" : "unsigned") << " values";
  }
  auto check = [&](ArrayRef<int64_t> map, int64_t n, int64_t limit,
                   const char *what) -> LogicalResult {
    if ((int64_t)map.size() != n)
      return emitOpError(what) << " has " << map.size() << " entries for " << n << " outputs";
    for (int64_t v : map)
      if (v < 0 || v >= limit)
        return emitOpError(what) << " index " << v << " is outside 0.." << limit - 1;
    return success();
  };
  int64_t oh = out.getDimSize(2), ow = out.getDimSize(3), ih = in.getDimSize(2), iw = in.getDimSize(3);
  if (failed(check(getRows(), oh, ih, "rows")) || failed(check(getCols(), ow, iw, "cols")))
    return failure();
  if (linear) {
    if (!getRowsHi() || !getColsHi() || !getRowWeights() || !getColWeights())
      return emitOpError("linear mode needs rows_hi, cols_hi, row_weights and col_weights");
    if (failed(check(*getRowsHi(), oh, ih, "rows_hi")) ||
        failed(check(*getColsHi(), ow, iw, "cols_hi")))
      return failure();
    if ((int64_t)getRowWeights()->size() != oh || (int64_t)getColWeights()->size() != ow)
      return emitOpError("one weight per output row and column is needed");
  }
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("expects at least one operand");
  auto outTy = getOutput().getType();
  int64_t rank = outTy.getRank(), axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError("axis ") << axis << " out of range for rank " << rank;
  int64_t sum = 0;
  for (Value v : getInputs()) {
    auto t = cast<RankedTensorType>(v.getType());
    if (t.getElementType() != outTy.getElementType())
      return emitOpError("operand element types differ from the result's");
    if (t.getRank() != rank)
      return emitOpError("operand ranks differ");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && t.getDimSize(d) != outTy.getDimSize(d))
        return emitOpError("operand dimension ") << d << " differs from the result's";
    sum += t.getDimSize(axis);
  }
  if (sum != outTy.getDimSize(axis))
    return emitOpError("result dimension ") << axis << " is " << outTy.getDimSize(axis)
                                            << ", operands add up to " << sum;
  return success();
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

static LogicalResult verifyQuantType(Operation *op, RankedTensorType t) {
  auto qt = cast<quant::QuantizedType>(t.getElementType());
  if (!isa<quant::UniformQuantizedType, quant::UniformQuantizedPerAxisType>(qt))
    return op->emitOpError("expects a !quant.uniform element type");
  if (!qt.getExpressedType().isF32())
    return op->emitOpError("expects quantized types expressed in f32");
  if (auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(qt)) {
    int32_t axis = pa.getQuantizedDimension();
    if (axis >= t.getRank())
      return op->emitOpError("quantized dimension ") << axis << " out of range";
    if ((int64_t)pa.getScales().size() != t.getDimSize(axis))
      return op->emitOpError("per-axis type has ")
             << pa.getScales().size() << " scales for dimension " << axis << " of size "
             << t.getDimSize(axis);
  }
  return success();
}

static LogicalResult verifySameShape(Operation *op) {
  auto in = cast<RankedTensorType>(op->getOperand(0).getType());
  auto out = cast<RankedTensorType>(op->getResult(0).getType());
  if (in.getShape() != out.getShape())
    return op->emitOpError("operand and result shapes differ");
  return success();
}

LogicalResult QuantizeOp::verify() {
  if (failed(verifySameShape(*this)))
    return failure();
  return verifyQuantType(*this, getOutput().getType());
}

LogicalResult DequantizeOp::verify() {
  if (failed(verifySameShape(*this)))
    return failure();
  return verifyQuantType(*this, getInput().getType());
}

LogicalResult RequantizeOp::verify() {
  if (failed(verifySameShape(*this)) ||
      failed(verifyQuantType(*this, getInput().getType())) ||
      failed(verifyQuantType(*this, getOutput().getType())))
    return failure();
  auto out = dyn_cast<quant::UniformQuantizedType>(getOutput().getType().getElementType());
  if (!out)
    return emitOpError("expects a per-tensor result type");
  if (auto m = getMultiplier()) {
    size_t channels = 1;
    if (auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(getInput().getType().getElementType()))
      channels = pa.getScales().size();
    if (m->size() != 1 && m->size() != channels)
      return emitOpError("multiplier has ") << m->size() << " values; expected 1 or " << channels;
    if (llvm::any_of(*m, [](float v) { return !(v > 0.f) || !std::isfinite(v); }))
      return emitOpError("multipliers must be positive and finite");
  }
  int64_t lo = getClampMin().value_or(out.getStorageTypeMin());
  int64_t hi = getClampMax().value_or(out.getStorageTypeMax());
  if (lo > hi || lo < out.getStorageTypeMin() || hi > out.getStorageTypeMax())
    return emitOpError("clamp range [") << lo << ", " << hi << "] is empty or outside the storage range";
  return success();
}

#define GET_OP_CLASSES
#include "qcc/Dialect/Qcc/IR/QccOps.cpp.inc"
