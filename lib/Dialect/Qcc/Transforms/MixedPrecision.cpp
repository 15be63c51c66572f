//===- MixedPrecision.cpp - per-layer precision under an accuracy budget --===//
//
// qcc-mixed-precision: chooses each layer's precision (int8, int16 activations, float)
// from its measured sensitivity so that the model's predicted output SQNR meets a budget
// at the least estimated cost (latency or size).
//
//===----------------------------------------------------------------------===//
#include "qcc/Dialect/Qcc/IR/QccDialect.h"
#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Transforms/Passes.h"
#include "qcc/Dialect/Qcc/Transforms/Quantize.h"

#include "llvm/Support/FormatVariadic.h"

#include <cmath>

namespace mlir::qcc {
#define GEN_PASS_DEF_QCCMIXEDPRECISION
#include "qcc/Dialect/Qcc/Transforms/Passes.h.inc"
} // namespace mlir::qcc

using namespace mlir;
using namespace mlir::qcc;

namespace mlir::qcc {

int64_t layerMACs(Operation *op) {
  auto shape = [](Value v) { return cast<RankedTensorType>(v.getType()).getShape(); };
  auto product = [](ArrayRef<int64_t> s) {
    int64_t n = 1;
    for (int64_t d : s)
      n *= d;
    return n;
  };
  if (auto conv = dyn_cast<Conv2DOp>(op)) {
    // Each output element: C/g x KH x KW products (the weight's dimensions 1..3).
    auto w = shape(conv.getWeight());
    return product(shape(conv.getResult())) * w[1] * w[2] * w[3];
  }
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    auto a = shape(gemm.getA());
    return product(shape(gemm.getResult())) * (gemm.getTransA() ? a[0] : a[1]);
  }
  if (auto mm = dyn_cast<MatMulOp>(op))
    return product(shape(mm.getResult())) * shape(mm.getLhs()).back();
  return 0;
}

LayerCost layerCost(Operation *op, Precision p) {
  int64_t macs = layerMACs(op);
  int64_t weights = cast<RankedTensorType>(op->getOperand(1).getType()).getNumElements();
  LayerCost c;
  switch (p) {
  case Precision::Int8:
    c.latency = static_cast<double>(macs);
    c.bytes = weights;
    break;
  case Precision::Int16:
    c.latency = 1.5 * static_cast<double>(macs);
    c.bytes = weights;
    break;
  case Precision::Float:
    c.latency = 2.5 * static_cast<double>(macs);
    c.bytes = 4 * weights;
    break;
  }
  return c;
}

} // namespace mlir::qcc

namespace {

struct Layer {
  Operation *op;
  bool forced;
  Precision p;
  // Noise-to-signal ratio of the output per precision (float: 0), from qcc.sensitivity.
  std::optional<double> noise[3];
};

double noiseOf(double sqnrDb) { return std::pow(10.0, -sqnrDb / 10.0); }

struct MixedPrecision : mlir::qcc::impl::QccMixedPrecisionBase<MixedPrecision> {
  using QccMixedPrecisionBase::QccMixedPrecisionBase;

  void runOnOperation() override {
    func::FuncOp f = getOperation();
    MLIRContext *ctx = &getContext();
    QccDialect::PrecisionAttrHelper precisionAttr(ctx);
    QccDialect::SensitivityAttrHelper sensitivityAttr(ctx);

    SmallVector<Layer> layers;
    f.walk([&](Operation *op) {
      if (!layerWeightAxis(op))
        return;
      Layer l{op, precisionAttr.isAttrPresent(op), precisionOf(op), {}};
      l.noise[static_cast<int>(Precision::Float)] = 0.0;
      if (DictionaryAttr s = sensitivityAttr.getAttr(op)) {
        for (Precision p : {Precision::Int8, Precision::Int16})
          if (auto v = s.getAs<FloatAttr>(precisionName(p)))
            l.noise[static_cast<int>(p)] = noiseOf(v.getValueAsDouble());
      }
      if (!l.forced) {
        // The cheapest precision with a measured sensitivity.
        l.p = Precision::Float;
        for (Precision p : {Precision::Int8, Precision::Int16})
          if (l.noise[static_cast<int>(p)]) {
            l.p = p;
            break;
          }
      }
      layers.push_back(l);
    });

    auto cost = [&](const Layer &l, Precision p) {
      LayerCost c = layerCost(l.op, p);
      return optimize == Objective::Size ? static_cast<double>(c.bytes) : c.latency;
    };
    // The model's noise, predicted as the sum of the layers' (independent noise sources).
    auto noise = [&](const Layer &l, Precision p) {
      return l.noise[static_cast<int>(p)].value_or(0.0);
    };
    double total = 0;
    for (const Layer &l : layers)
      total += noise(l, l.p);
    const double target = noiseOf(sqnr);

    // Greedy: the upgrade with the most noise removed per unit of cost added, until the
    // prediction meets the budget.
    while (total > target) {
      Layer *best = nullptr;
      Precision bestP = Precision::Float;
      double bestRatio = -1;
      for (Layer &l : layers) {
        if (l.forced)
          continue;
        for (Precision p : {Precision::Int16, Precision::Float}) {
          if (static_cast<int>(p) <= static_cast<int>(l.p) || !l.noise[static_cast<int>(p)])
            continue;
          double gain = noise(l, l.p) - noise(l, p);
          if (gain <= 0)
            continue;
          double added = std::max(cost(l, p) - cost(l, l.p), 1e-9);
          double ratio = gain / added;
          if (ratio > bestRatio) {
            bestRatio = ratio;
            best = &l;
            bestP = p;
          }
        }
      }
      if (!best) {
        f.emitRemark() << "the accuracy budget sqnr>="
                       << llvm::formatv("{0}", static_cast<double>(sqnr)).str()
                       << "dB cannot be met by the layers' measured sensitivities "
                          "(predicted "
                       << llvm::formatv("{0:F1}", -10.0 * std::log10(std::max(total, 1e-30)))
                              .str()
                       << " dB)";
        break;
      }
      total += noise(*best, bestP) - noise(*best, best->p);
      best->p = bestP;
    }
    for (Layer &l : layers)
      precisionAttr.setAttr(l.op, StringAttr::get(ctx, precisionName(l.p)));
  }
};

} // namespace
