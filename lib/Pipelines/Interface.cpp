//===- Interface.cpp - the C interface of a compiled model ----------------===//
#include "qcc/Pipelines/Pipelines.h"
#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Codegen/Passes.h"
#include "qcc/Dialect/Qcc/Transforms/Passes.h"
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;

namespace {

int64_t dtypeBytes(llvm::StringRef dtype) {
  return llvm::StringSwitch<int64_t>(dtype)
      .Cases("uint8", "int8", "bool", 1)
      .Cases("uint16", "int16", "float16", "bfloat16", 2)
      .Cases("float32", "int32", 4)
      .Cases("int64", "float64", 8)
      .Default(4);
}

std::string describeQuant(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  if (!rt)
    return "";
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto u = dyn_cast<quant::UniformQuantizedType>(rt.getElementType())) {
    os << "scale=" << llvm::format("%.9g", u.getScale()) << " zero_point=" << u.getZeroPoint();
  } else if (auto pa = dyn_cast<quant::UniformQuantizedPerAxisType>(rt.getElementType())) {
    os << "per-axis (axis " << pa.getQuantizedDimension() << "), " << pa.getScales().size()
       << " scales";
  }
  return s;
}

std::string shapeString(ArrayRef<int64_t> shape, char sep = ',') {
  std::string s;
  for (auto [i, d] : llvm::enumerate(shape))
    s += (i ? std::string(1, sep) : "") + std::to_string(d);
  return s;
}

std::string cIdentifierUpper(llvm::StringRef name) { return llvm::StringRef(name).upper(); }

/// A string from the model (a tensor name, the model's path) as text that is safe inside a
/// C comment whatever it contains: backslash and double quote escaped, bytes outside
/// printable ASCII as \xHH (no newline can end the comment's line), and the pairs that
/// would end or nest a comment or form a trigraph ("*" "/", "/" "*", "?" "?") split by a
/// backslash. The result reads like a C string literal's contents.
std::string commentSafe(llvm::StringRef text) {
  std::string out;
  char prev = 0;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\\' || c == '"')
      out += '\\';
    else if ((c == '/' && prev == '*') || (c == '*' && prev == '/') || (c == '?' && prev == '?'))
      out += '\\';
    if (c < 0x20 || c >= 0x7f) {
      out += llvm::formatv("\\x{0:x-2}", static_cast<unsigned>(c)).str();
      prev = 0;
      continue;
    }
    out += ch;
    prev = ch;
  }
  return out;
}

} // namespace

namespace mlir::qcc {

ModelInterface describeInterface(ModuleOp imported) {
  ModelInterface iface;
  func::FuncOp f = mlir::qcc::getEntryFunction(imported);
  if (!f)
    return iface;
  auto fill = [](TensorInfo &info, DictionaryAttr attrs, Type type) {
    if (attrs) {
      if (auto n = attrs.getAs<StringAttr>(mlir::qcc::kNameAttrName))
        info.name = n.str();
      if (auto d = attrs.getAs<StringAttr>(mlir::qcc::kDtypeAttrName))
        info.dtype = d.str();
    }
    auto rt = cast<RankedTensorType>(type);
    info.shape.assign(rt.getShape().begin(), rt.getShape().end());
    info.bytes = rt.getNumElements() * dtypeBytes(info.dtype);
  };
  for (unsigned i = 0; i < f.getNumArguments(); ++i) {
    TensorInfo info;
    fill(info, f.getArgAttrDict(i), f.getArgument(i).getType());
    // An integer input read through DequantizeLinear carries that node's parameters.
    for (Operation *user : f.getArgument(i).getUsers())
      if (auto cast = dyn_cast<quant::StorageCastOp>(user))
        info.quant = describeQuant(cast.getType());
    iface.inputs.push_back(info);
  }
  auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
  for (unsigned i = 0; i < f.getNumResults(); ++i) {
    TensorInfo info;
    fill(info, f.getResultAttrDict(i), f.getResultTypes()[i]);
    if (auto cast = ret.getOperand(i).getDefiningOp<quant::StorageCastOp>())
      info.quant = describeQuant(cast.getArg().getType());
    iface.outputs.push_back(info);
  }
  return iface;
}

void writeCHeader(const ModelInterface &iface, const CompileOptions &options,
                       llvm::StringRef sourceName, llvm::raw_ostream &os) {
  std::string id = options.name, ID = cIdentifierUpper(id);
  const TargetDesc &t = options.target;
  os << "/* " << id << ".h: C interface of a neural network compiled by qcc.\n"
     << " * Source model: " << commentSafe(sourceName) << "\n"
     << " * Target: " << t.name << " (" << t.triple << ", cpu " << t.cpu
     << (t.features.empty() || t.name == "host" ? "" : ", " + t.features) << ")\n"
     << " * Generated file: do not edit.\n"
     << " *\n"
     << " * Usage: fill the input buffers, then\n"
     << " *   static uint8_t arena[" << ID << "_ARENA_SIZE] __attribute__((aligned(" << ID
     << "_ARENA_ALIGN)));\n"
     << " *   const void *in[" << ID << "_NUM_INPUTS] = {...};\n"
     << " *   void *out[" << ID << "_NUM_OUTPUTS] = {...};\n"
     << " *   int status = " << id << "_run(in, out, arena);   (0 on success)\n"
     << " * Tensors are dense and row-major; the function allocates nothing, reads only its\n"
     << " * inputs and the weights it carries, and writes only its outputs and the arena. It is\n"
     << " * reentrant: concurrent calls need distinct arenas. The arena holds no state between\n"
     << " * calls. With an arena size of 0 the arena pointer may be NULL.\n";
  if (options.threads > 1 && iface.parallelLayers > 0)
    os << " *\n"
       << " * Multi-threaded (qcc --threads=" << options.threads << "): " << iface.parallelLayers
       << " of " << iface.layers << " layers are split over " << options.threads
       << " threads, the\n"
       << " * calling one and a pool of " << options.threads - 1
       << " workers started on the first call. Link qcc's\n"
       << " * runtime/qcc_parallel.c and -pthread: it defines qcc_parallel_for, which the object\n"
       << " * calls. Concurrent calls are safe: a call finding the pool busy runs on its own.\n";
  else if (options.threads > 1)
    os << " *\n"
       << " * qcc --threads=" << options.threads
       << ": no layer of this model has enough work to split, so it runs on the\n"
       << " * calling thread and needs no thread runtime.\n";
  os << " */\n";
  os << "#ifndef " << ID << "_H_\n#define " << ID << "_H_\n\n";
  os << "#include <stddef.h>\n#include <stdint.h>\n\n";
  os << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  os << "/* Bytes of scratch memory " << id << "_run needs (lower bound of any plan: "
     << iface.arenaLowerBound << "). */\n";
  os << "#define " << ID << "_ARENA_SIZE " << iface.arenaSize << "\n";
  os << "/* Required alignment of the arena, in bytes. */\n";
  os << "#define " << ID << "_ARENA_ALIGN " << iface.arenaAlign << "\n";
  os << "/* Threads a call runs on (qcc --threads; 1 if no layer was split). */\n";
  os << "#define " << ID << "_THREADS " << (iface.parallelLayers > 0 ? options.threads : 1)
     << "\n";
  os << "#define " << ID << "_NUM_INPUTS " << iface.inputs.size() << "\n";
  os << "#define " << ID << "_NUM_OUTPUTS " << iface.outputs.size() << "\n\n";
  auto emit = [&](const char *kind, const char *macro, size_t i, const TensorInfo &info) {
    os << "/* " << kind << " " << i << ": \"" << commentSafe(info.name) << "\", " << info.dtype << "["
       << shapeString(info.shape) << "]";
    if (!info.quant.empty())
      os << ", quantized: " << info.quant;
    os << " */\n#define " << ID << "_" << macro << i << "_SIZE " << info.bytes << "\n";
  };
  for (auto [i, info] : llvm::enumerate(iface.inputs))
    emit("input", "INPUT", i, info);
  for (auto [i, info] : llvm::enumerate(iface.outputs))
    emit("output", "OUTPUT", i, info);
  os << "\n/* Runs the network. inputs[i] points at input i, outputs[i] at a buffer of\n"
     << " * " << ID << "_OUTPUT<i>_SIZE bytes, arena at " << ID
     << "_ARENA_SIZE bytes aligned to " << ID << "_ARENA_ALIGN.\n"
     << " * Returns 0 on success. */\n";
  os << "int " << id << "_run(const void *const inputs[], void *const outputs[], void *arena);\n\n";
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << ID << "_H_ */\n";
}

static std::string g6(double v) { return llvm::formatv("{0}", llvm::format("%.6g", v)).str(); }

/// "f32", "u8", "s8", "i32", with the parameters of a per-tensor quantized type.
static std::string precisionOf(Type t, bool withParams) {
  Type e = cast<RankedTensorType>(t).getElementType();
  auto q = dyn_cast<quant::QuantizedType>(e);
  if (!q)
    return e.isF32() ? "f32" : "int";
  std::string s = (q.isSigned() ? "s" : "u") + std::to_string(q.getStorageTypeIntegralWidth());
  if (!withParams)
    return s;
  if (auto u = dyn_cast<quant::UniformQuantizedType>(q))
    return s + "(s=" + g6(u.getScale()) + ",zp=" + std::to_string(u.getZeroPoint()) + ")";
  return s + "(per-channel)";
}

void printLayerReport(ModuleOp module, llvm::raw_ostream &os) {
  func::FuncOp f = mlir::qcc::getEntryFunction(module);
  if (!f)
    return;
  os << llvm::left_justify("#", 5) << llvm::left_justify("op (node)", 30)
     << llvm::left_justify("precision", 18) << llvm::left_justify("output", 18)
     << llvm::right_justify("MACs", 12) << "  details\n";
  int64_t total = 0, index = 0;
  SmallVector<std::string> notFolded;
  f.walk([&](Operation *op) {
    if (!isa<mlir::qcc::QccDialect>(op->getDialect()))
      return;
    int64_t macs = 0;
    if (auto c = dyn_cast<mlir::qcc::Conv2DOp>(op)) {
      auto w = c.getWeight().getType().getShape();
      macs = c.getType().getNumElements() * w[1] * w[2] * w[3];
    } else if (auto c = dyn_cast<mlir::qcc::ConvIntegerOp>(op)) {
      auto w = c.getWeight().getType().getShape();
      macs = c.getType().getNumElements() * w[1] * w[2] * w[3];
    } else if (auto m = dyn_cast<mlir::qcc::MatMulOp>(op)) {
      macs = m.getType().getNumElements() * m.getLhs().getType().getShape().back();
    } else if (auto m = dyn_cast<mlir::qcc::MatMulIntegerOp>(op)) {
      macs = m.getType().getNumElements() * m.getLhs().getType().getShape().back();
    } else if (auto g = dyn_cast<mlir::qcc::GemmOp>(op)) {
      auto a = g.getA().getType().getShape();
      macs = g.getType().getNumElements() * (g.getTransA() ? a[0] : a[1]);
    }
    total += macs;
    std::string name = op->getName().stripDialect().str();
    if (auto loc = dyn_cast<NameLoc>(op->getLoc()))
      name += " (" + loc.getName().str() + ")";
    // Precision: operand kinds -> result kind.
    std::string precision;
    for (Value v : op->getOperands()) {
      std::string p = precisionOf(v.getType(), false);
      if (precision.find(p) == std::string::npos)
        precision += (precision.empty() ? "" : "x") + p;
    }
    precision += "->" + precisionOf(op->getResult(0).getType(), false);
    std::string details;
    // A requantization (qcc.requantize, or the epilogue fused into a contraction): the
    // result's parameters, the multipliers and the clamp.
    // With --requant=fixed the multiplier is scale_in / scale_out in double as a Q31 value
    // and a power-of-two shift (TFLite QuantizeMultiplier), both shown.
    auto requantDetails = [&](Type in, Type result, std::optional<ArrayRef<float>> m,
                              std::optional<int64_t> lo, std::optional<int64_t> hi) {
      auto out = cast<quant::UniformQuantizedType>(getElementTypeOrSelf(result));
      std::string d = "scale " + g6(out.getScale()) + " zp " + std::to_string(out.getZeroPoint());
      if (m) {
        d += ", multiplier ";
        d += m->size() == 1 ? g6((*m)[0])
                            : std::to_string(m->size()) + " per channel in [" +
                                  g6(*llvm::min_element(*m)) + ", " + g6(*llvm::max_element(*m)) +
                                  "]";
      }
      SmallVector<double> scales;
      if (auto u = dyn_cast<quant::UniformQuantizedType>(getElementTypeOrSelf(in)))
        scales.push_back(u.getScale());
      else if (auto a = dyn_cast<quant::UniformQuantizedPerAxisType>(getElementTypeOrSelf(in)))
        scales.assign(a.getScales().begin(), a.getScales().end());
      if (!scales.empty()) {
        int32_t q31 = 0;
        int shift = 0, minShift = INT32_MAX, maxShift = INT32_MIN;
        for (double sc : scales) {
          ::mlir::qcc::quantizeMultiplier(sc / out.getScale(), q31, shift);
          minShift = std::min(minShift, shift);
          maxShift = std::max(maxShift, shift);
        }
        d += scales.size() == 1
                 ? llvm::formatv(" (fixed: Q31 {0}, shift {1})", q31, shift).str()
                 : llvm::formatv(" (fixed: shift in [{0}, {1}])", minShift, maxShift).str();
      }
      if (lo || hi)
        d += llvm::formatv(", clamp [{0}, {1}]", lo.value_or(out.getStorageTypeMin()),
                           hi.value_or(out.getStorageTypeMax()))
                 .str();
      return d;
    };
    auto fusedDetails = [&](auto c) {
      if (c.getAccumulator())
        details = "requantize fused: " + requantDetails(*c.getAccumulator(), c.getType(),
                                                        c.getMultiplier(), c.getClampMin(),
                                                        c.getClampMax());
    };
    if (auto rq = dyn_cast<mlir::qcc::RequantizeOp>(op)) {
      details = requantDetails(rq.getInput().getType(), rq.getType(), rq.getMultiplier(),
                               rq.getClampMin(), rq.getClampMax());
    } else if (auto c = dyn_cast<mlir::qcc::Conv2DOp>(op)) {
      fusedDetails(c);
    } else if (auto m = dyn_cast<mlir::qcc::MatMulOp>(op)) {
      fusedDetails(m);
    } else if (auto g = dyn_cast<mlir::qcc::GemmOp>(op)) {
      fusedDetails(g);
    } else if (isa<mlir::qcc::AddOp, mlir::qcc::MulOp, mlir::qcc::AvgPoolOp>(op) &&
               isa<quant::QuantizedType>(getElementTypeOrSelf(op->getResult(0)))) {
      // Integer kernels that requantize internally: operand and result parameters.
      for (Value v : op->getOperands())
        details += (details.empty() ? "in " : " x ") + precisionOf(v.getType(), true);
      details += ", out " + precisionOf(op->getResult(0).getType(), true);
    } else if (auto sm = dyn_cast<mlir::qcc::SoftmaxOp>(op);
               sm && isa<quant::QuantizedType>(getElementTypeOrSelf(sm.getType()))) {
      // Integer softmax: the input's Q5.26 scaling as TFLite Micro computes it.
      auto in = cast<quant::UniformQuantizedType>(getElementTypeOrSelf(sm.getInput()));
      ::mlir::qcc::SoftmaxInputScaling scaling(in.getScale());
      details = "in " + precisionOf(sm.getInput().getType(), true) + ", out " +
                precisionOf(sm.getType(), true) +
                llvm::formatv(" (fixed: input Q31 {0}, shift {1}, diff_min {2})",
                              scaling.multiplier, scaling.leftShift, scaling.diffMin)
                    .str();
    } else if (isa<mlir::qcc::QuantizeOp, mlir::qcc::DequantizeOp>(op)) {
      Type q = isa<mlir::qcc::QuantizeOp>(op) ? op->getResult(0).getType() : op->getOperand(0).getType();
      details = precisionOf(q, true);
    } else if (isa<mlir::qcc::DetectionPostProcessOp>(op)) {
      // Float by definition (TFLite dequantizes its inputs too): not a missed fold.
      details = "f32 box decoding and NMS, as TFLite";
    } else if (op->getNumOperands() > 0 && precisionOf(op->getResult(0).getType(), false) == "f32" &&
               llvm::any_of(op->getOperands(), [](Value v) {
                 return v.getDefiningOp<mlir::qcc::DequantizeOp>() != nullptr;
               })) {
      details = "fake-quant (not folded)";
      notFolded.push_back(name);
    }
    os << llvm::format("%-4lld %-29s %-17s %-17s %12lld  ", (long long)index++,
                       name.substr(0, 29).c_str(), precision.substr(0, 17).c_str(),
                       shapeString(cast<RankedTensorType>(op->getResult(0).getType()).getShape(), 'x')
                           .substr(0, 17)
                           .c_str(),
                       (long long)macs)
       << details << "\n";
  });
  os << "total MACs: " << total << "\n";
  if (!notFolded.empty()) {
    os << notFolded.size() << " op(s) still compute in float between dequantize and quantize:";
    for (const std::string &n : notFolded)
      os << " " << n;
    os << "\n";
  }
}

} // namespace mlir::qcc
