//===- Calibrate.cpp - ranges, sensitivities and the quantized model ------===//
//
// 1. The float model, with every tensor qcc-quantize may quantize made an extra output, is
//    compiled for the host (qcc's own pipeline) and loaded into an in-process JIT
//    (HostModel). It runs on each calibration sample: the first pass records each
//    tensor's min and max, a second (percentile, entropy, mse) its histogram.
// 2. The ranges go on the float module as qcc.calib_range.
// 3. --precision=mixed: each layer alone at int8 and at int16 (the others float) is
//    quantized, compiled, run and compared with the float outputs: its sensitivity, in dB
//    of output SQNR. qcc-mixed-precision chooses under the budget; the chosen model is
//    measured, and the budget given to the pass tightened until the measurement meets it.
// 4. qcc-quantize rewrites the module into QDQ form.
//
//===----------------------------------------------------------------------===//
#include "qcc/Calibration/Calibration.h"
#include "qcc/Dialect/Qcc/IR/QccDialect.h"
#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Dialect/Qcc/Transforms/Passes.h"
#include "qcc/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <numeric>

using namespace mlir;
using namespace mlir::qcc;

namespace {

constexpr int kBins = 2048;

/// Values of `f` that calibration observes, in a fixed order (the same in a clone): the
/// f32 arguments, then each op's first result when it is an f32 tensor (not constants,
/// not quantization ops).
SmallVector<Value> observedValues(func::FuncOp f) {
  SmallVector<Value> out;
  for (BlockArgument a : f.getArguments())
    if (auto t = dyn_cast<RankedTensorType>(a.getType()); t && t.getElementType().isF32())
      out.push_back(a);
  f.walk([&](Operation *op) {
    if (op->getNumResults() == 0 || isa<arith::ConstantOp, QuantizeOp, DequantizeOp,
                                        quant::StorageCastOp, func::FuncOp>(op))
      return;
    auto t = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (t && t.getElementType().isF32() && t.hasStaticShape())
      out.push_back(op->getResult(0));
  });
  return out;
}

/// Layers in program order.
SmallVector<Operation *> layersOf(func::FuncOp f) {
  SmallVector<Operation *> out;
  f.walk([&](Operation *op) {
    if (layerWeightAxis(op))
      out.push_back(op);
  });
  return out;
}

/// A compiled model loaded into this process.
class HostModel {
public:
  static std::unique_ptr<HostModel> load(const CompiledModel &compiled, StringRef name,
                                         std::string &error) {
    auto jit = llvm::orc::LLJITBuilder().create();
    if (!jit) {
      error = "cannot create the JIT: " + llvm::toString(jit.takeError());
      return nullptr;
    }
    auto self = std::make_unique<HostModel>();
    self->jit = std::move(*jit);
    auto gen = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
        self->jit->getDataLayout().getGlobalPrefix());
    if (!gen) {
      error = llvm::toString(gen.takeError());
      return nullptr;
    }
    self->jit->getMainJITDylib().addGenerator(std::move(*gen));
    if (auto err = self->jit->addObjectFile(
            llvm::MemoryBuffer::getMemBufferCopy(compiled.code, name))) {
      error = "cannot load the calibration object: " + llvm::toString(std::move(err));
      return nullptr;
    }
    auto sym = self->jit->lookup((name + "_run").str());
    if (!sym) {
      error = "cannot find " + name.str() + "_run: " + llvm::toString(sym.takeError());
      return nullptr;
    }
    self->run = sym->toPtr<int (*)(const void *const *, void *const *, void *)>();
    int64_t align = std::max<int64_t>(compiled.interface.arenaAlign, 64);
    self->arena.resize(compiled.interface.arenaSize + align);
    self->arenaPtr = self->arena.data() +
                     (align - reinterpret_cast<uintptr_t>(self->arena.data()) % align) % align;
    for (const TensorInfo &t : compiled.interface.outputs) {
      self->outputs.emplace_back((t.bytes + 3) / 4); // f32 words (any dtype fits)
      self->isFloat.push_back(t.dtype == "float32");
    }
    return self;
  }

  /// Runs on one sample; outputs() holds the results.
  bool operator()(ArrayRef<const float *> inputs) {
    SmallVector<void *> outs;
    for (auto &o : outputs)
      outs.push_back(o.data());
    SmallVector<const void *> ins(inputs.begin(), inputs.end());
    return run(ins.data(), outs.data(), arenaPtr) == 0;
  }
  std::vector<std::vector<float>> outputs;
  std::vector<bool> isFloat; // per output: float32 (compared), or not (ignored)

private:
  std::unique_ptr<llvm::orc::LLJIT> jit;
  int (*run)(const void *const *, void *const *, void *) = nullptr;
  std::vector<char> arena;
  char *arenaPtr = nullptr;
};

/// The calibration set, one pointer per input per sample.
struct Samples {
  int64_t count = 0;
  std::vector<NpyArray> inputs; // per model input, in order
  std::vector<int64_t> sampleSize;
  const float *at(size_t input, int64_t sample) const {
    return inputs[input].data.data() + sample * sampleSize[input];
  }
};

bool loadSamples(func::FuncOp entry, const QuantizeOptions &options, Samples &s,
                 std::string &error) {
  std::map<std::string, NpyArray> arrays;
  if (!readNpz(options.calibFile, arrays, error))
    return false;
  QccDialect::NameAttrHelper nameAttr(entry.getContext());
  for (unsigned i = 0; i < entry.getNumArguments(); ++i) {
    auto nameA = entry.getArgAttrOfType<StringAttr>(i, nameAttr.getName());
    std::string name = nameA ? nameA.str() : ("input" + std::to_string(i));
    auto type = cast<RankedTensorType>(entry.getArgument(i).getType());
    auto it = arrays.find(name);
    if (it == arrays.end()) {
      std::string have;
      for (auto &[k, v] : arrays)
        have += (have.empty() ? "" : ", ") + k;
      error = "'" + options.calibFile + "' has no array named '" + name +
              "' for the model's input of that name (it has: " +
              (have.empty() ? "nothing" : have) + ")";
      return false;
    }
    NpyArray &a = it->second;
    ArrayRef<int64_t> shape = type.getShape();
    auto str = [](ArrayRef<int64_t> s) {
      std::string out;
      for (auto [k, d] : llvm::enumerate(s))
        out += (k ? "x" : "") + std::to_string(d);
      return out;
    };
    bool full = a.shape.size() == shape.size() + 1 &&
                ArrayRef<int64_t>(a.shape).drop_front() == shape;
    bool squeezed = !shape.empty() && shape[0] == 1 && a.shape.size() == shape.size() &&
                    ArrayRef<int64_t>(a.shape).drop_front() == shape.drop_front();
    if (!full && !squeezed) {
      error = "array '" + name + "' of '" + options.calibFile + "' has shape " + str(a.shape) +
              "; the model's input '" + name + "' is " + str(shape) +
              ", so the array must be Nx" + str(shape) +
              (!shape.empty() && shape[0] == 1 ? " or Nx" + str(shape.drop_front()) : "") +
              " (N samples)";
      return false;
    }
    int64_t n = a.shape.empty() ? 0 : a.shape[0];
    if (i > 0 && n != s.count) {
      error = "the arrays of '" + options.calibFile + "' hold different numbers of samples (" +
              std::to_string(s.count) + " and " + std::to_string(n) + " for '" + name + "')";
      return false;
    }
    s.count = n;
    s.sampleSize.push_back(type.getNumElements());
    s.inputs.push_back(std::move(a));
  }
  if (s.count == 0) {
    error = "'" + options.calibFile + "' holds no samples";
    return false;
  }
  if (options.samples > 0)
    s.count = std::min(s.count, options.samples);
  return true;
}

/// Progress on long runs: a line every tenth, only past a second.
struct Progress {
  Progress(llvm::raw_ostream &log, StringRef what, int64_t total)
      : log(log), what(what.str()), total(total), start(std::chrono::steady_clock::now()) {}
  void step(int64_t done) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int64_t tenth = total >= 10 ? done * 10 / total : done;
    if (s > 1.0 && tenth != lastTenth) {
      log << "qcc: " << what << ": " << done << "/" << total << " ("
          << llvm::format("%.1f", s) << " s)\n";
      log.flush();
    }
    lastTenth = tenth;
  }
  llvm::raw_ostream &log;
  std::string what;
  int64_t total, lastTenth = -1;
  std::chrono::steady_clock::time_point start;
};

/// Compiles `module` (consumed) for the host with `extra` values of its entry made outputs.
std::unique_ptr<HostModel> compileForHost(ModuleOp module, ArrayRef<Value> extra,
                                          std::string &error) {
  func::FuncOp entry = getEntryFunction(module);
  MLIRContext *ctx = module.getContext();
  if (!extra.empty()) {
    auto ret = cast<func::ReturnOp>(entry.getBody().front().getTerminator());
    SmallVector<Value> results(ret.getOperands());
    unsigned first = results.size();
    results.append(extra.begin(), extra.end());
    OpBuilder b(ret);
    b.create<func::ReturnOp>(ret.getLoc(), results);
    ret.erase();
    SmallVector<Type> types;
    for (Value v : results)
      types.push_back(v.getType());
    SmallVector<DictionaryAttr> resultAttrs;
    for (unsigned i = 0; i < first; ++i)
      resultAttrs.push_back(entry.getResultAttrDict(i));
    entry.setFunctionType(FunctionType::get(ctx, entry.getArgumentTypes(), types));
    QccDialect::NameAttrHelper nameAttr(ctx);
    QccDialect::DtypeAttrHelper dtypeAttr(ctx);
    for (unsigned i = first; i < results.size(); ++i)
      resultAttrs.push_back(DictionaryAttr::get(
          ctx, {NamedAttribute(nameAttr.getName(),
                               StringAttr::get(ctx, "qcc_observed_" + std::to_string(i))),
                NamedAttribute(dtypeAttr.getName(), StringAttr::get(ctx, "float32"))}));
    for (auto &d : resultAttrs)
      if (!d)
        d = DictionaryAttr::get(ctx);
    entry.setAllResultAttrs(resultAttrs);
    QccDialect::NumOutputsAttrHelper(ctx).setAttr(
        entry, IntegerAttr::get(IntegerType::get(ctx, 64), results.size()));
  }
  CompileOptions options;
  options.name = "qcc_calibration";
  options.target = *lookupTarget("host");
  options.optLevel = 2;
  options.requantMode = RequantMode::Float;
  std::string err;
  FailureOr<CompiledModel> compiled = compile(module, options, EmitKind::Object, "", err);
  if (failed(compiled)) {
    error = "compiling the model for calibration on the host failed: " + err;
    return nullptr;
  }
  return HostModel::load(*compiled, options.name, error);
}

/// One tensor's statistics.
struct Stats {
  float lo = std::numeric_limits<float>::infinity();
  float hi = -std::numeric_limits<float>::infinity();
  std::vector<double> hist; // kBins over [lo, hi]
  void add(const float *p, size_t n) {
    for (size_t i = 0; i < n; ++i)
      if (std::isfinite(p[i])) {
        lo = std::min(lo, p[i]);
        hi = std::max(hi, p[i]);
      }
  }
  void addHistogram(const float *p, size_t n) {
    if (hist.empty())
      hist.assign(kBins, 0.0);
    double w = hi - lo;
    if (w <= 0)
      return;
    for (size_t i = 0; i < n; ++i)
      if (std::isfinite(p[i])) {
        int b = static_cast<int>((p[i] - lo) / w * kBins);
        hist[std::clamp(b, 0, kBins - 1)] += 1;
      }
  }
  double binCenter(int b) const { return lo + (b + 0.5) * (hi - lo) / kBins; }
};

/// The quantization range [a, b] of one tensor under `method`.
std::pair<float, float> chooseRange(const Stats &s, CalibMethod method) {
  float lo = std::min(s.lo, 0.f), hi = std::max(s.hi, 0.f);
  if (!std::isfinite(s.lo) || method == CalibMethod::MinMax || s.hist.empty() || s.hi <= s.lo)
    return {std::isfinite(s.lo) ? s.lo : 0.f, std::isfinite(s.hi) ? s.hi : 0.f};
  double total = std::accumulate(s.hist.begin(), s.hist.end(), 0.0);
  if (total <= 0)
    return {s.lo, s.hi};
  double w = (s.hi - s.lo) / kBins;
  if (method == CalibMethod::Percentile) {
    // 0.01 % of the values clipped at each end.
    const double q = 1e-4 * total;
    double acc = 0;
    float a = s.lo, b = s.hi;
    for (int i = 0; i < kBins; ++i) {
      acc += s.hist[i];
      if (acc > q) {
        a = s.lo + i * w;
        break;
      }
    }
    acc = 0;
    for (int i = kBins - 1; i >= 0; --i) {
      acc += s.hist[i];
      if (acc > q) {
        b = s.lo + (i + 1) * w;
        break;
      }
    }
    return {std::min(a, 0.f) == 0.f && s.lo >= 0 ? s.lo : a, b};
  }
  // Candidate ranges: both ends shrunk toward 0 by t in [0.2, 1].
  auto expectedError = [&](double a, double b) {
    double step = (b - a) / 255.0;
    if (step <= 0)
      return std::numeric_limits<double>::infinity();
    double err = 0;
    for (int i = 0; i < kBins; ++i) {
      if (s.hist[i] == 0)
        continue;
      double x = s.binCenter(i);
      double c = std::clamp(x, a, b);
      double q = a + std::nearbyint((c - a) / step) * step;
      err += s.hist[i] * (x - q) * (x - q);
    }
    return err;
  };
  if (method == CalibMethod::MSE) {
    double best = std::numeric_limits<double>::infinity(), bt = 1;
    for (int k = 0; k <= 80; ++k) {
      double t = 1.0 - k * 0.01;
      double e = expectedError(lo * t, hi * t);
      if (e < best)
        best = e, bt = t;
    }
    return {static_cast<float>(lo * bt), static_cast<float>(hi * bt)};
  }
  // Entropy (TensorRT's KL-divergence calibration): the threshold whose 256-level
  // quantization of the clipped distribution loses the least information.
  double bestKL = std::numeric_limits<double>::infinity(), bt = 1;
  for (int k = 0; k <= 80; ++k) {
    double t = 1.0 - k * 0.01;
    double a = lo * t, b = hi * t;
    // P: the histogram clipped into [a, b] (outliers onto the edge bins); Q: P merged
    // into 255 levels, each level's mass spread evenly over its nonzero bins.
    int ia = std::clamp(static_cast<int>((a - s.lo) / w), 0, kBins - 1);
    int ib = std::clamp(static_cast<int>(std::ceil((b - s.lo) / w)) - 1, ia, kBins - 1);
    int n = ib - ia + 1;
    if (n < 255)
      break;
    // As TensorRT: Q is built from the slice without the clipped mass, P has it on its
    // edge bins, so that clipping costs what it loses.
    std::vector<double> slice(s.hist.begin() + ia, s.hist.begin() + ib + 1);
    std::vector<double> p = slice;
    for (int i = 0; i < ia; ++i)
      p.front() += s.hist[i];
    for (int i = ib + 1; i < kBins; ++i)
      p.back() += s.hist[i];
    std::vector<double> q(n, 0.0);
    for (int level = 0; level < 255; ++level) {
      int from = level * n / 255, to = (level + 1) * n / 255;
      double mass = 0;
      int nonzero = 0;
      for (int i = from; i < to; ++i) {
        mass += slice[i];
        nonzero += slice[i] > 0;
      }
      for (int i = from; i < to; ++i)
        if (slice[i] > 0)
          q[i] = mass / nonzero;
    }
    double pSum = std::accumulate(p.begin(), p.end(), 0.0);
    double qSum = std::accumulate(q.begin(), q.end(), 0.0);
    if (qSum <= 0)
      continue;
    double kl = 0;
    for (int i = 0; i < n; ++i)
      if (p[i] > 0)
        kl += p[i] / pSum * std::log((p[i] / pSum) / std::max(q[i] / qSum, 1e-12));
    if (kl < bestKL)
      bestKL = kl, bt = t;
  }
  return {static_cast<float>(lo * bt), static_cast<float>(hi * bt)};
}

/// Float outputs of the model on the samples, concatenated per output.
struct Reference {
  std::vector<std::vector<float>> outputs; // [output][sample * size]
  std::vector<int64_t> sizes;    // f32 words per sample; 0 for an output that is not float
  int64_t rowLength = 1; // the last dimension of output 0: top-1 is taken per row
};

struct Measurement {
  double sqnr = 0;  // dB, all outputs
  double top1 = 0;  // fraction of rows of output 0 whose argmax agrees
};

/// Runs `model` on the first `count` samples and compares its outputs with `ref`.
std::optional<Measurement> measure(HostModel &model, const Samples &samples, int64_t count,
                                   const Reference &ref) {
  double signal = 0, noise = 0;
  int64_t agree = 0, rows = 0;
  for (int64_t s = 0; s < count; ++s) {
    SmallVector<const float *> in;
    for (size_t i = 0; i < samples.inputs.size(); ++i)
      in.push_back(samples.at(i, s));
    if (!model(in))
      return std::nullopt;
    for (size_t o = 0; o < ref.sizes.size(); ++o) {
      const float *r = ref.outputs[o].data() + s * ref.sizes[o];
      const std::vector<float> &y = model.outputs[o];
      for (int64_t k = 0; k < ref.sizes[o]; ++k) {
        signal += double(r[k]) * r[k];
        noise += (double(r[k]) - y[k]) * (double(r[k]) - y[k]);
      }
    }
    // Top-1 over the last dimension of output 0 (one row per batch element).
    int64_t n = ref.sizes.empty() ? 0 : ref.sizes[0];
    if (n > 0) {
      const float *r = ref.outputs[0].data() + s * n;
      const float *y = model.outputs[0].data();
      int64_t rowLen = std::max<int64_t>(ref.rowLength, 1);
      for (int64_t row = 0; row + rowLen <= n; row += rowLen) {
        agree += std::max_element(r + row, r + row + rowLen) - (r + row) ==
                 std::max_element(y + row, y + row + rowLen) - (y + row);
        ++rows;
      }
    }
  }
  Measurement m;
  m.sqnr = noise > 0 ? 10.0 * std::log10(signal / noise) : 200.0;
  m.top1 = rows ? double(agree) / rows : 1.0;
  return m;
}

/// Quantizes a copy of the calibrated module with the given precisions (by layer index),
/// compiles it for the host and measures it.
FailureOr<Measurement> measureVariant(ModuleOp calibrated, ArrayRef<Precision> precisions,
                                      const QuantizeOptions &options, const Samples &samples,
                                      int64_t count, const Reference &ref, std::string &error) {
  OwningOpRef<ModuleOp> copy = calibrated.clone();
  MLIRContext *ctx = calibrated.getContext();
  func::FuncOp entry = getEntryFunction(*copy);
  QccDialect::PrecisionAttrHelper precisionAttr(ctx);
  for (auto [layer, p] : llvm::zip(layersOf(entry), precisions))
    precisionAttr.setAttr(layer, StringAttr::get(ctx, precisionName(p)));
  PassManager pm(ctx);
  QccQuantizeOptions qo;
  qo.perChannel = options.perChannel;
  pm.addNestedPass<func::FuncOp>(createQccQuantize(qo));
  if (failed(pm.run(*copy))) {
    error = "qcc-quantize failed";
    return failure();
  }
  auto model = compileForHost(*copy, {}, error);
  if (!model)
    return failure();
  std::optional<Measurement> m = measure(*model, samples, count, ref);
  if (!m) {
    error = "a quantized variant of the model failed on the calibration set";
    return failure();
  }
  return *m;
}

std::string formatDb(double db) {
  return db >= 199 ? std::string("inf") : llvm::formatv("{0:F1}", db).str();
}

} // namespace

bool mlir::qcc::parseAccuracyBudget(StringRef spec, QuantizeOptions &options,
                                    std::string &error) {
  StringRef s = spec.trim();
  QuantizeOptions::Budget kind;
  if (s.consume_front("sqnr>=")) {
    kind = QuantizeOptions::Budget::Sqnr;
    s.consume_back("dB") || s.consume_back("db");
  } else if (s.consume_front("top1>=")) {
    kind = QuantizeOptions::Budget::Top1;
    s.consume_back("%");
  } else {
    error = "--accuracy-budget='" + spec.str() +
            "' is not understood; use sqnr>=DB (e.g. sqnr>=30dB) or top1>=PERCENT (e.g. "
            "top1>=99%)";
    return false;
  }
  double v;
  if (s.trim().getAsDouble(v) || !std::isfinite(v) ||
      (kind == QuantizeOptions::Budget::Top1 && (v < 0 || v > 100))) {
    error = "--accuracy-budget='" + spec.str() + "': '" + s.str() + "' is not a " +
            (kind == QuantizeOptions::Budget::Top1 ? "percentage in [0, 100]" : "number of dB");
    return false;
  }
  options.budget = kind;
  options.budgetValue = v;
  return true;
}

bool mlir::qcc::quantizeModel(ModuleOp module, const QuantizeOptions &options,
                              std::string &error, llvm::raw_ostream &log) {
  MLIRContext *ctx = module.getContext();
  func::FuncOp entry = getEntryFunction(module);
  if (!entry) {
    error = "the model has no entry function";
    return false;
  }
  // A float model: no quantization yet, float inputs.
  bool quantized = false;
  entry.walk([&](Operation *op) { quantized |= isa<QuantizeOp, DequantizeOp>(op); });
  if (quantized) {
    error = "--quantize takes a float model, and this one is already quantized (it has "
            "QuantizeLinear/DequantizeLinear or quantized tensors); compile it without "
            "--quantize";
    return false;
  }
  for (unsigned i = 0; i < entry.getNumArguments(); ++i)
    if (auto t = dyn_cast<RankedTensorType>(entry.getArgument(i).getType());
        !t || !t.getElementType().isF32() || !t.hasStaticShape()) {
      error = "--quantize needs float32 inputs of static shape; input " + std::to_string(i) +
              " is not (pin its shape with --input-shape)";
      return false;
    }
  SmallVector<Operation *> layers = layersOf(entry);
  QccDialect::PrecisionAttrHelper precisionAttr(ctx);
  for (auto &[name, p] : options.forced) {
    bool found = false;
    for (Operation *l : layers)
      if (layerName(l) == name) {
        precisionAttr.setAttr(l, StringAttr::get(ctx, precisionName(p)));
        found = true;
      }
    if (!found) {
      std::string names;
      for (Operation *l : layers)
        names += (names.empty() ? "" : ", ") + layerName(l);
      error = "--layer-precision: the model has no layer named '" + name +
              "' (its layers: " + (names.empty() ? "none" : names) + ")";
      return false;
    }
  }

  Samples samples;
  if (!loadSamples(entry, options, samples, error))
    return false;

  // 1. Ranges.
  SmallVector<Value> observed = observedValues(entry);
  OwningOpRef<ModuleOp> instrumented = module.clone();
  SmallVector<Value> observedCopy = observedValues(getEntryFunction(*instrumented));
  unsigned numOutputs = entry.getNumResults();
  auto model = compileForHost(*instrumented, observedCopy, error);
  if (!model)
    return false;
  std::vector<Stats> stats(observed.size());
  Reference ref;
  for (unsigned o = 0; o < numOutputs; ++o) {
    ref.sizes.push_back(model->isFloat[o] ? static_cast<int64_t>(model->outputs[o].size()) : 0);
    ref.outputs.emplace_back();
  }
  if (numOutputs > 0)
    if (auto t = dyn_cast<RankedTensorType>(entry.getResultTypes()[0]); t && t.getRank() > 0)
      ref.rowLength = t.getShape().back();
  bool histograms = options.method != CalibMethod::MinMax;
  for (int pass = 0; pass < (histograms ? 2 : 1); ++pass) {
    Progress progress(log, pass == 0 ? "calibration" : "calibration histograms",
                      samples.count);
    for (int64_t s = 0; s < samples.count; ++s) {
      SmallVector<const float *> in;
      for (size_t i = 0; i < samples.inputs.size(); ++i)
        in.push_back(samples.at(i, s));
      if (!(*model)(in)) {
        error = "the float model failed on calibration sample " + std::to_string(s);
        return false;
      }
      for (size_t k = 0; k < observed.size(); ++k) {
        const std::vector<float> &v = model->outputs[numOutputs + k];
        if (pass == 0)
          stats[k].add(v.data(), v.size());
        else
          stats[k].addHistogram(v.data(), v.size());
      }
      if (pass == 0)
        for (unsigned o = 0; o < numOutputs; ++o)
          ref.outputs[o].insert(ref.outputs[o].end(), model->outputs[o].begin(),
                                model->outputs[o].begin() + ref.sizes[o]);
      progress.step(s + 1);
    }
  }
  model.reset();
  QccDialect::CalibRangeAttrHelper rangeAttr(ctx);
  // The model's outputs keep their whole range whatever the method: clipping a
  // classifier's largest logits changes its top-1.
  llvm::SmallPtrSet<Value, 4> outputs;
  for (Value r : entry.getBody().front().getTerminator()->getOperands())
    outputs.insert(r);
  for (auto [v, st] : llvm::zip(observed, stats)) {
    auto [a, b] = chooseRange(st, outputs.contains(v) ? CalibMethod::MinMax : options.method);
    auto attr = DenseF32ArrayAttr::get(ctx, {a, b});
    if (auto arg = dyn_cast<BlockArgument>(v))
      entry.setArgAttr(arg.getArgNumber(), rangeAttr.getName(), attr);
    else
      rangeAttr.setAttr(v.getDefiningOp(), attr);
  }

  // 2. Precisions.
  std::optional<Measurement> final;
  if (options.mixed) {
    int64_t count = std::min<int64_t>(samples.count, 64);
    SmallVector<Precision> base(layers.size(), Precision::Float);
    QccDialect::SensitivityAttrHelper sensitivityAttr(ctx);
    // Each layer alone at int8; then, for the most sensitive ones (all of a small model,
    // a quarter of a large one and at least 8), alone at int16. A layer without an int16
    // measurement can only go from int8 to float.
    std::vector<double> sqnr8(layers.size());
    SmallVector<size_t> order;
    {
      Progress progress(log, "sensitivity at int8 (layers)", static_cast<int64_t>(layers.size()));
      for (size_t l = 0; l < layers.size(); ++l) {
        SmallVector<Precision> ps = base;
        ps[l] = Precision::Int8;
        auto m = measureVariant(module, ps, options, samples, count, ref, error);
        if (failed(m))
          return false;
        sqnr8[l] = std::min(m->sqnr, 200.0);
        order.push_back(l);
        progress.step(static_cast<int64_t>(l + 1));
      }
    }
    llvm::stable_sort(order, [&](size_t a, size_t b) { return sqnr8[a] < sqnr8[b]; });
    size_t wide = std::min(layers.size(), std::max<size_t>(8, layers.size() / 4));
    std::vector<std::optional<double>> sqnr16(layers.size());
    {
      Progress progress(log, "sensitivity at int16 (layers)", static_cast<int64_t>(wide));
      for (size_t k = 0; k < wide; ++k) {
        SmallVector<Precision> ps = base;
        ps[order[k]] = Precision::Int16;
        auto m = measureVariant(module, ps, options, samples, count, ref, error);
        if (failed(m))
          return false;
        sqnr16[order[k]] = std::min(m->sqnr, 200.0);
        progress.step(static_cast<int64_t>(k + 1));
      }
    }
    for (size_t l = 0; l < layers.size(); ++l) {
      SmallVector<NamedAttribute> entries;
      auto f32 = Float32Type::get(ctx);
      entries.emplace_back(StringAttr::get(ctx, "int8"), FloatAttr::get(f32, sqnr8[l]));
      if (sqnr16[l])
        entries.emplace_back(StringAttr::get(ctx, "int16"), FloatAttr::get(f32, *sqnr16[l]));
      sensitivityAttr.setAttr(layers[l], DictionaryAttr::get(ctx, entries));
    }
    // Choose, measure, tighten.
    SmallVector<Precision> finalChoice;
    double passBudget = options.budget == QuantizeOptions::Budget::Sqnr ? options.budgetValue
                                                                        : 20.0;
    for (int attempt = 0; attempt < 12; ++attempt) {
      OwningOpRef<ModuleOp> trial = module.clone();
      func::FuncOp trialEntry = getEntryFunction(*trial);
      PassManager pm(ctx);
      QccMixedPrecisionOptions mo;
      mo.sqnr = passBudget;
      mo.optimize = options.optimize;
      pm.addNestedPass<func::FuncOp>(createQccMixedPrecision(mo));
      if (failed(pm.run(*trial))) {
        error = "qcc-mixed-precision failed";
        return false;
      }
      SmallVector<Precision> chosen;
      for (Operation *l : layersOf(trialEntry))
        chosen.push_back(precisionOf(l));
      auto m = measureVariant(module, chosen, options, samples, samples.count, ref, error);
      if (failed(m))
        return false;
      finalChoice = chosen;
      final = *m;
      bool met = options.budget == QuantizeOptions::Budget::Sqnr
                     ? m->sqnr >= options.budgetValue
                     : m->top1 * 100.0 >= options.budgetValue;
      bool allFloat = llvm::all_of(chosen, [&](Precision p) { return p == Precision::Float; });
      if (met || allFloat)
        break;
      passBudget += options.budget == QuantizeOptions::Budget::Sqnr
                        ? std::max(1.0, options.budgetValue - m->sqnr)
                        : 5.0;
    }
    for (auto [l, p] : llvm::zip(layers, finalChoice))
      precisionAttr.setAttr(l, StringAttr::get(ctx, precisionName(p)));
    bool met = options.budget == QuantizeOptions::Budget::Sqnr
                   ? final->sqnr >= options.budgetValue
                   : final->top1 * 100.0 >= options.budgetValue;
    if (!met)
      log << "qcc: warning: the accuracy budget is not met even with every layer in float "
             "except those --layer-precision forces (measured SQNR "
          << formatDb(final->sqnr) << " dB, top-1 agreement "
          << llvm::format("%.2f", final->top1 * 100) << " %)\n";
  } else if (options.verbose) {
    SmallVector<Precision> chosen;
    for (Operation *l : layers)
      chosen.push_back(precisionOf(l));
    auto m = measureVariant(module, chosen, options, samples, samples.count, ref, error);
    if (failed(m))
      return false;
    final = *m;
  }

  if (options.verbose) {
    QccDialect::SensitivityAttrHelper sensitivityAttr(ctx);
    double latency = 0, latency8 = 0;
    int64_t bytes = 0, bytes8 = 0;
    log << "qcc: precision per layer (SQNR: the model's output against float with only that "
           "layer quantized, dB)\n";
    log << llvm::formatv("  {0,-32} {1,-8} {2,12} {3,10} {4,10}  {5}\n", "layer", "op", "MACs",
                         "int8 dB", "int16 dB", "precision");
    for (Operation *l : layers) {
      Precision p = precisionOf(l);
      std::string s8 = "-", s16 = "-";
      if (DictionaryAttr s = sensitivityAttr.getAttr(l)) {
        if (auto v = s.getAs<FloatAttr>("int8"))
          s8 = formatDb(v.getValueAsDouble());
        if (auto v = s.getAs<FloatAttr>("int16"))
          s16 = formatDb(v.getValueAsDouble());
      }
      log << llvm::formatv("  {0,-32} {1,-8} {2,12} {3,10} {4,10}  {5}\n", layerName(l),
                           l->getName().stripDialect(), layerMACs(l), s8, s16,
                           precisionName(p));
      LayerCost c = layerCost(l, p), c8 = layerCost(l, Precision::Int8);
      latency += c.latency;
      bytes += c.bytes;
      latency8 += c8.latency;
      bytes8 += c8.bytes;
    }
    log << "qcc: weights " << bytes << " bytes (all int8: " << bytes8
        << "), estimated latency " << llvm::format("%.2f", latency8 > 0 ? latency / latency8 : 1.0)
        << "x all-int8\n";
    if (final)
      log << "qcc: measured on " << samples.count << " calibration samples: output SQNR "
          << formatDb(final->sqnr) << " dB against float, top-1 agreement "
          << llvm::format("%.2f", final->top1 * 100) << " %\n";
  }

  // 3. The QDQ model.
  PassManager pm(ctx);
  QccQuantizeOptions qo;
  qo.perChannel = options.perChannel;
  pm.addNestedPass<func::FuncOp>(createQccQuantize(qo));
  if (failed(pm.run(module))) {
    error = "qcc-quantize failed";
    return false;
  }
  QccDialect::SensitivityAttrHelper sensitivityAttr(ctx);
  entry.walk([&](Operation *op) { sensitivityAttr.removeAttr(op); });
  return true;
}
