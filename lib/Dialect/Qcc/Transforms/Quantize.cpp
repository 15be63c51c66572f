//===- Quantize.cpp - post-training quantization of a float model ---------===//
//
// qcc-quantize: a float model whose tensors carry calibrated ranges becomes a QDQ
// (fake-quant) model: weights quantized per channel or per tensor, every calibrated
// activation quantized and dequantized. qcc-fold-fake-quant then makes the integer kernels,
// exactly as for a QDQ model from another quantizer.
//
//===----------------------------------------------------------------------===//
#include "qcc/Dialect/Qcc/IR/QccDialect.h"
#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Transforms/Passes.h"
#include "qcc/Dialect/Qcc/Transforms/Quantize.h"
#include "qcc/Dialect/Qcc/Utils/QuantParams.h"

#include "mlir/IR/Matchers.h"

#include <cmath>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCQUANTIZE
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace mlir::qcc {

std::optional<int64_t> layerWeightAxis(Operation *op) {
  auto isF32Const = [](Value v) {
    DenseElementsAttr attr;
    return matchPattern(v, m_Constant(&attr)) && attr.getElementType().isF32();
  };
  if (auto conv = dyn_cast<Conv2DOp>(op))
    return isF32Const(conv.getWeight()) ? std::optional<int64_t>(0) : std::nullopt;
  if (auto gemm = dyn_cast<GemmOp>(op))
    return isF32Const(gemm.getB()) && !gemm.getTransA()
               ? std::optional<int64_t>(gemm.getTransB() ? 0 : 1)
               : std::nullopt;
  if (auto mm = dyn_cast<MatMulOp>(op)) {
    auto rank = cast<RankedTensorType>(mm.getRhs().getType()).getRank();
    return rank >= 2 && isF32Const(mm.getRhs()) ? std::optional<int64_t>(rank - 1) : std::nullopt;
  }
  return std::nullopt;
}

Precision precisionOf(Operation *layer) {
  auto attr = QccDialect::PrecisionAttrHelper(layer->getContext()).getAttr(layer);
  return attr ? parsePrecision(attr.getValue()).value_or(Precision::Int8) : Precision::Int8;
}

std::optional<Precision> parsePrecision(StringRef name) {
  for (Precision p : {Precision::Int8, Precision::Int16, Precision::Float})
    if (name == precisionName(p))
      return p;
  return std::nullopt;
}

StringRef precisionName(Precision p) {
  switch (p) {
  case Precision::Int8:
    return "int8";
  case Precision::Int16:
    return "int16";
  case Precision::Float:
    return "float";
  }
  return "int8";
}

std::string layerName(Operation *op) {
  Location loc = op->getLoc();
  if (auto fused = dyn_cast<FusedLoc>(loc); fused && !fused.getLocations().empty())
    loc = fused.getLocations().front();
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  std::string s;
  llvm::raw_string_ostream os(s);
  loc.print(os);
  return s;
}

quant::UniformQuantizedType activationType(MLIRContext *ctx, float lo, float hi, bool int16) {
  Type f32 = Float32Type::get(ctx);
  if (int16) {
    // Symmetric, zero point 0 (TFLite's int16x8 scheme): [-32767, 32767].
    double m = std::max(std::fabs(lo), std::fabs(hi));
    double scale = m > 0 ? m / 32767.0 : 1.0;
    return quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                            IntegerType::get(ctx, 16), f32,
                                            static_cast<float>(scale), 0, -32768, 32767);
  }
  // Asymmetric int8 over a range that contains 0 (so that 0, padding, is exact).
  double l = std::min<double>(lo, 0.0), h = std::max<double>(hi, 0.0);
  double scale = h - l > 0 ? (h - l) / 255.0 : 1.0;
  scale = static_cast<float>(scale);
  int64_t zp = static_cast<int64_t>(std::nearbyint(-128.0 - l / scale));
  zp = std::clamp<int64_t>(zp, -128, 127);
  return quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                          IntegerType::get(ctx, 8), f32, scale, zp, -128, 127);
}

} // namespace mlir::qcc

namespace {

/// Activation widths, ordered: a tensor takes the widest its producer or a consumer asks.
enum class Act { None = 0, Int8 = 1, Int16 = 2 };

Act actOf(Precision p) {
  return p == Precision::Float ? Act::None : p == Precision::Int16 ? Act::Int16 : Act::Int8;
}

/// Ops whose integer form runs on the stored values when input and output share their
/// parameters (qcc-fold-fake-quant): the output takes the input's type.
bool isSameScale(Operation *op) {
  return isa<ReshapeOp, TransposeOp, MaxPoolOp, SliceOp, PadOp>(op);
}

/// Ops that qcc-fold-fake-quant absorbs into the producing layer (ReLU/Clip as the
/// requantize's clamp; BatchNormalization as a per-channel affine).
bool isFusedIntoProducer(Operation *op) { return isa<ReluOp, ClampOp, BatchNormOp>(op); }

/// A result qcc-fold-fake-quant folds together with its only user, so it is not quantized
/// itself: a ReLU/Clip after the ops whose folds absorb one, a BatchNormalization after a
/// convolution (then possibly a ReLU/Clip).
bool foldsWithUser(Value v) {
  Operation *def = v.getDefiningOp();
  if (!def || !v.hasOneUse())
    return false;
  Operation *user = *v.getUsers().begin();
  if (isa<ReluOp, ClampOp>(user))
    return isa<Conv2DOp, GemmOp, MatMulOp, AddOp, MulOp, GlobalAvgPoolOp, AvgPoolOp,
               BatchNormOp>(def);
  return isa<BatchNormOp>(user) && isa<Conv2DOp>(def);
}

/// Symmetric weight quantization: int8 in [-127, 127] per channel along `axis` (or per
/// tensor), zero point 0. Returns the dequantized weight.
/// `minScale[c]` (or [0]) bounds the scales below: the bias must fit in int32 at the
/// accumulator's scale s_x * s_w (a dead filter of weights ~1e-36 with a live bias).
Value quantizeWeight(OpBuilder &b, Location loc, DenseElementsAttr w, int64_t axis,
                     bool perChannel, ArrayRef<double> minScale) {
  auto type = cast<RankedTensorType>(w.getType());
  ArrayRef<int64_t> shape = type.getShape();
  SmallVector<float> values(w.getValues<float>());
  int64_t channels = perChannel ? shape[axis] : 1;
  int64_t inner = 1;
  for (int64_t d = axis + 1; d < static_cast<int64_t>(shape.size()); ++d)
    inner *= shape[d];
  auto channelOf = [&](int64_t i) { return perChannel ? (i / inner) % channels : 0; };
  SmallVector<double> absMax(channels, 0.0);
  for (auto [i, v] : llvm::enumerate(values))
    absMax[channelOf(i)] = std::max<double>(absMax[channelOf(i)], std::fabs(v));
  SmallVector<double> scales;
  for (auto [c, m] : llvm::enumerate(absMax)) {
    double floor = minScale.empty() ? 0.0 : minScale[minScale.size() == 1 ? 0 : c];
    double scale = m > 1e-30 ? m / 127.0 : 1.0;
    scales.push_back(static_cast<float>(std::max(scale, floor)));
  }
  SmallVector<int8_t> q;
  for (auto [i, v] : llvm::enumerate(values)) {
    double r = std::nearbyint(v / static_cast<float>(scales[channelOf(i)]));
    q.push_back(static_cast<int8_t>(std::clamp(r, -127.0, 127.0)));
  }
  Type i8 = b.getI8Type(), f32 = b.getF32Type();
  Type qt;
  if (perChannel)
    qt = quant::UniformQuantizedPerAxisType::get(quant::QuantizationFlags::Signed, i8, f32,
                                                 scales, SmallVector<int64_t>(channels, 0),
                                                 static_cast<int32_t>(axis), -127, 127);
  else
    qt = quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed, i8, f32, scales[0],
                                          0, -127, 127);
  auto storageType = RankedTensorType::get(shape, i8);
  Value c = b.create<arith::ConstantOp>(
      loc, DenseElementsAttr::get(storageType, ArrayRef<int8_t>(q)));
  Value s = b.create<quant::StorageCastOp>(loc, RankedTensorType::get(shape, qt), c);
  return b.create<DequantizeOp>(loc, type, s);
}

struct Quantize : mlir::qcc::impl::QccQuantizeBase<Quantize> {
  using QccQuantizeBase::QccQuantizeBase;

  void runOnOperation() override {
    func::FuncOp f = getOperation();
    MLIRContext *ctx = &getContext();
    QccDialect::CalibRangeAttrHelper rangeAttr(ctx);

    // What each tensor's consumers need: a quantized layer reads its input at its width.
    llvm::DenseMap<Value, Act> act;
    auto widen = [&](Value v, Act a) {
      Act &cur = act[v];
      cur = std::max(cur, a);
    };
    f.walk([&](Operation *op) {
      if (layerWeightAxis(op))
        widen(op->getOperand(0), actOf(precisionOf(op)));
    });
    // ... also through the data movement before it (a flatten before an int16 gemm), so
    // that one quantization serves both.
    SmallVector<Operation *> ops;
    f.walk([&](Operation *op) { ops.push_back(op); });
    for (Operation *op : llvm::reverse(ops))
      if (isSameScale(op) || isFusedIntoProducer(op))
        if (auto it = act.find(op->getResult(0)); it != act.end())
          widen(op->getOperand(0), it->second);

    // In program order: the producer's width.
    auto rangeOfValue = [&](Value v) -> DenseF32ArrayAttr {
      if (auto arg = dyn_cast<BlockArgument>(v))
        return f.getArgAttrOfType<DenseF32ArrayAttr>(arg.getArgNumber(), rangeAttr.getName());
      if (v != v.getDefiningOp()->getResult(0))
        return {};
      return rangeAttr.getAttr(v.getDefiningOp());
    };
    f.walk([&](Operation *op) {
      if (op->getNumResults() == 0 || isa<arith::ConstantOp, DequantizeOp, QuantizeOp>(op))
        return;
      Value r = op->getResult(0);
      Act own = Act::None;
      if (layerWeightAxis(op)) {
        own = actOf(precisionOf(op));
      } else {
        for (Value operand : op->getOperands())
          if (auto it = act.find(operand); it != act.end())
            own = std::max(own, it->second);
      }
      widen(r, own);
    });

    // Quantize each calibrated tensor of a quantized width.
    SmallVector<Value> values;
    for (BlockArgument arg : f.getArguments())
      values.push_back(arg);
    f.walk([&](Operation *op) {
      if (op->getNumResults() > 0 && !isa<arith::ConstantOp, DequantizeOp, QuantizeOp>(op))
        values.push_back(op->getResult(0));
    });
    llvm::DenseMap<Value, Type> chosen; // tensor -> its quantized element type
    for (Value v : values) {
      auto type = dyn_cast<RankedTensorType>(v.getType());
      if (!type || !type.getElementType().isF32())
        continue;
      Act a = act.lookup(v);
      DenseF32ArrayAttr range = rangeOfValue(v);
      if (a == Act::None || !range)
        continue;
      // Fused into its single consumer (the ReLU after a convolution): not quantized.
      if (foldsWithUser(v))
        continue;
      Operation *def = v.getDefiningOp();
      Type element;
      if (def && isSameScale(def)) {
        // The input's parameters, when the input was quantized at this width.
        if (auto it = chosen.find(def->getOperand(0)); it != chosen.end())
          element = it->second;
      }
      if (!element && def && isa<SoftmaxOp>(def) && a == Act::Int8)
        // TFLite's softmax output parameters: qcc-fold-fake-quant's integer softmax.
        element = quant::UniformQuantizedType::get(quant::QuantizationFlags::Signed,
                                                   IntegerType::get(ctx, 8),
                                                   Float32Type::get(ctx), 1.0 / 256, -128,
                                                   -128, 127);
      if (!element)
        element = activationType(ctx, range[0], range[1], a == Act::Int16);
      if (element && cast<quant::UniformQuantizedType>(element).getStorageTypeIntegralWidth() !=
                         (a == Act::Int16 ? 16u : 8u))
        element = activationType(ctx, range[0], range[1], a == Act::Int16);

      OpBuilder b(ctx);
      if (def)
        b.setInsertionPointAfter(def);
      else
        b.setInsertionPointToStart(&f.getBody().front());
      Location loc = def ? def->getLoc() : f.getLoc();
      auto qType = RankedTensorType::get(type.getShape(), element);
      auto q = b.create<QuantizeOp>(loc, qType, v);
      auto dq = b.create<DequantizeOp>(loc, type, q);
      v.replaceAllUsesExcept(dq, q);
      chosen[dq] = element;
    }

    // Weights.
    f.walk([&](Operation *op) {
      std::optional<int64_t> axis = layerWeightAxis(op);
      if (!axis || precisionOf(op) == Precision::Float)
        return;
      DenseElementsAttr w;
      matchPattern(op->getOperand(1), m_Constant(&w));
      // Scales large enough that round(bias / (s_x * s_w)) fits in int32 (with room).
      SmallVector<double> minScale;
      DenseElementsAttr bias;
      auto dq = op->getOperand(0).getDefiningOp<DequantizeOp>();
      if (dq && op->getNumOperands() > 2 && matchPattern(op->getOperand(2), m_Constant(&bias)) &&
          bias.getElementType().isF32()) {
        double sx = getQuantParams(getElementTypeOrSelf(dq.getInput().getType())).scales[0];
        for (float v : bias.getValues<float>())
          minScale.push_back(std::fabs(v) / (sx * 1073741824.0));
        if (!perChannel)
          minScale.assign(1, *llvm::max_element(minScale));
      }
      OpBuilder b(op);
      op->setOperand(1, quantizeWeight(b, op->getLoc(), w, *axis, perChannel, minScale));
    });

    // The ranges are consumed.
    f.walk([&](Operation *op) { rangeAttr.removeAttr(op); });
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      f.removeArgAttr(i, rangeAttr.getName());
  }
};

} // namespace
