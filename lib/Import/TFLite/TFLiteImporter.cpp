//===- TFLiteImporter.cpp - TensorFlow Lite flatbuffer to qcc dialect -----===//
//
// The flatbuffer is verified (flatc's generated verifier for lib/Import/TFLite/tflite.fbs)
// before anything in it is read; then every tensor and operator is checked against what the
// file itself declares (indices in range, buffer sizes equal to the shapes, quantization
// parameters usable), every unsupported operator is reported in one run, and each operator
// of the main subgraph becomes qcc ops.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccDialect.h"
#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Import/Common/ImportUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/QuantOps.h"
#include "mlir/Dialect/Quant/QuantTypes.h"
#include "mlir/IR/Verifier.h"

#include <cstring>
#include <numeric>

using namespace mlir;

namespace mlir::qcc {

bool isTFLiteModel(llvm::StringRef contents) {
  return contents.size() >= 8 && contents.substr(4, 4) == "TFL3";
}

namespace tflite_import {

tfl::BuiltinOperator builtinCode(const tfl::OperatorCode &code) {
  return static_cast<tfl::BuiltinOperator>(
      std::max<int32_t>(code.builtin_code(), code.deprecated_builtin_code()));
}

std::string builtinName(tfl::BuiltinOperator code) {
  if (code >= tfl::BuiltinOperator_MIN && code <= tfl::BuiltinOperator_MAX) {
    const char *name = tfl::EnumNameBuiltinOperator(code);
    if (name && *name)
      return name;
  }
  return "builtin code " + std::to_string(static_cast<int32_t>(code));
}

const char *tensorTypeName(tfl::TensorType t) {
  switch (t) {
  case tfl::TensorType_FLOAT32: return "float32";
  case tfl::TensorType_FLOAT16: return "float16";
  case tfl::TensorType_INT32: return "int32";
  case tfl::TensorType_UINT8: return "uint8";
  case tfl::TensorType_INT64: return "int64";
  case tfl::TensorType_STRING: return "string";
  case tfl::TensorType_BOOL: return "bool";
  case tfl::TensorType_INT16: return "int16";
  case tfl::TensorType_INT8: return "int8";
  case tfl::TensorType_FLOAT64: return "float64";
  case tfl::TensorType_INT4: return "int4";
  default: return "an unsupported type";
  }
}

SmallVector<int64_t> physicalShape(ArrayRef<int64_t> shape) {
  if (shape.size() != 4)
    return SmallVector<int64_t>(shape);
  return {shape[0], shape[3], shape[1], shape[2]};
}

static int64_t elementBytes(tfl::TensorType t) {
  switch (t) {
  case tfl::TensorType_FLOAT32:
  case tfl::TensorType_INT32: return 4;
  case tfl::TensorType_INT64: return 8;
  case tfl::TensorType_INT16:
  case tfl::TensorType_FLOAT16: return 2;
  case tfl::TensorType_UINT8:
  case tfl::TensorType_INT8:
  case tfl::TensorType_BOOL: return 1;
  default: return 0;
  }
}

// --- reporting ---------------------------------------------------------------

InFlightDiagnostic Importer::opError(int i) {
  ++numErrors;
  InFlightDiagnostic d = emitError(opLoc(i));
  d << "operator #" << i;
  const tfl::Operator &o = op(i);
  if (model->operator_codes() && o.opcode_index() < model->operator_codes()->size()) {
    const tfl::OperatorCode &code = *model->operator_codes()->Get(o.opcode_index());
    if (builtinCode(code) == tfl::BuiltinOperator_CUSTOM)
      d << " (custom '" << (code.custom_code() ? code.custom_code()->str() : "") << "'";
    else
      d << " (" << builtinName(builtinCode(code));
    d << ", version " << code.version() << ")";
  }
  d << ": ";
  return d;
}

InFlightDiagnostic Importer::tensorError(int i) {
  ++numErrors;
  const tfl::Tensor &t = tensor(i);
  return emitError(fileLoc) << "tensor #" << i << " '" << (t.name() ? t.name()->str() : "")
                            << "': ";
}

Location Importer::opLoc(int i) {
  // Operators go by their first output tensor's name, which TFLite's converter makes unique.
  const tfl::Operator &o = op(i);
  std::string name = "operator#" + std::to_string(i);
  if (o.outputs() && o.outputs()->size() > 0) {
    int t = o.outputs()->Get(0);
    if (t >= 0 && t < numTensors() && tensor(t).name() && tensor(t).name()->size())
      name = tensor(t).name()->str();
  }
  return NameLoc::get(StringAttr::get(ctx, name), fileLoc);
}

// --- model-level checks ---------------------------------------------------------

bool Importer::verify(llvm::StringRef contents) {
  size = contents.size();
  if (size < 8) {
    error() << "not a valid TFLite model: " << size << " bytes is too short for a flatbuffer";
    return false;
  }
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    error() << "not a valid TFLite model: " << size << " bytes is larger than a flatbuffer "
            << "can be (2 GB); models with buffers outside the flatbuffer are not supported";
    return false;
  }
  storage.resize((size + sizeof(Chunk) - 1) / sizeof(Chunk));
  std::memcpy(storage.data(), contents.data(), size);
  const auto *bytes = reinterpret_cast<const uint8_t *>(storage.data());
  // Depth and table limits well above any real model; they bound the verifier's work.
  flatbuffers::Verifier verifier(bytes, size, /*max_depth=*/64, /*max_tables=*/10000000);
  if (!tfl::VerifyModelBuffer(verifier)) {
    error() << "not a valid TFLite model: the flatbuffer does not verify against the TFLite "
            << "schema (the file is truncated or corrupt)";
    return false;
  }
  model = tfl::GetModel(bytes);
  if (model->version() != 3) {
    error() << "TFLite schema version " << model->version() << " is not supported; qcc "
            << "reads version 3";
    return false;
  }
  if (!model->subgraphs() || model->subgraphs()->size() == 0) {
    error() << "the model has no subgraph: there is nothing to compute";
    return false;
  }
  graph = model->subgraphs()->Get(0);
  if (!graph->outputs() || graph->outputs()->size() == 0) {
    error() << "the main subgraph declares no outputs: there is nothing to compute";
    return false;
  }
  return true;
}

bool Importer::checkTensors() {
  bool ok = true;
  unsigned numBuffers = model->buffers() ? model->buffers()->size() : 0;
  for (int i = 0; i < numTensors(); ++i) {
    const tfl::Tensor &t = tensor(i);
    if (t.sparsity_placeholder() != 0) {
      tensorError(i) << "sparse tensors are not supported";
      ok = false;
      continue;
    }
    if (t.type() == tfl::TensorType_INT16 && t.quantization() && t.quantization()->scale() &&
        t.quantization()->scale()->size() > 0) {
      tensorError(i) << "quantized int16 tensors (TFLite's 16x8 quantization) are not "
                        "supported; qcc's integer kernels take 8-bit activations";
      ok = false;
      continue;
    }
    int64_t elements = 1;
    bool shapeOk = true;
    if (t.shape())
      for (int32_t d : *t.shape()) {
        if (d <= 0) {
          tensorError(i) << "dimension " << d << " in its shape; qcc needs static positive "
                         << "dimensions";
          shapeOk = ok = false;
          break;
        }
        if (elements > (int64_t(1) << 40) / d) {
          tensorError(i) << "its shape has more than 2^40 elements";
          shapeOk = ok = false;
          break;
        }
        elements *= d;
      }
    if (!shapeOk)
      continue;
    if (t.shape() && t.shape()->size() > 6) {
      tensorError(i) << "rank " << t.shape()->size() << " is not supported (at most 6)";
      ok = false;
      continue;
    }
    if (t.buffer() >= numBuffers && t.buffer() != 0) {
      tensorError(i) << "buffer index " << t.buffer() << " is out of range (the model has "
                     << numBuffers << " buffers)";
      ok = false;
      continue;
    }
    if (t.buffer() < numBuffers) {
      const tfl::Buffer &buf = *model->buffers()->Get(t.buffer());
      if (buf.offset() > 1) {
        tensorError(i) << "its data lies outside the flatbuffer (offset " << buf.offset()
                       << "), which qcc does not read; convert the model without "
                       << "_experimental_use_buffer_offset";
        ok = false;
        continue;
      }
      if (const auto *data = buf.data(); data && data->size()) {
        int64_t eb = elementBytes(t.type());
        if (eb == 0) {
          tensorError(i) << "constant of type " << tensorTypeName(t.type())
                         << " is not supported";
          ok = false;
        } else if (static_cast<int64_t>(data->size()) != elements * eb) {
          tensorError(i) << "its buffer holds " << data->size() << " bytes but its shape and "
                         << "type need " << elements * eb;
          ok = false;
        }
      }
    }
    if (const tfl::QuantizationParameters *q = t.quantization()) {
      if (q->details_type() != 0) {
        tensorError(i) << "custom or blockwise quantization details are not supported";
        ok = false;
        continue;
      }
      size_t n = q->scale() ? q->scale()->size() : 0;
      size_t nz = q->zero_point() ? q->zero_point()->size() : 0;
      if (n == 0)
        continue; // min/max only, or empty: not quantized
      int64_t rank = t.shape() ? t.shape()->size() : 0;
      if (nz != n && nz != 0) {
        tensorError(i) << n << " scales but " << nz << " zero points";
        ok = false;
      } else if (n > 1 && (q->quantized_dimension() < 0 || q->quantized_dimension() >= rank ||
                           t.shape()->Get(q->quantized_dimension()) != static_cast<int>(n))) {
        tensorError(i) << n << " scales do not match dimension " << q->quantized_dimension()
                       << " of its shape";
        ok = false;
      }
    }
  }
  return ok;
}

bool Importer::checkOperators() {
  bool ok = true;
  unsigned numCodes = model->operator_codes() ? model->operator_codes()->size() : 0;
  int numOps = graph->operators() ? graph->operators()->size() : 0;
  auto checkIndices = [&](int i, const flatbuffers::Vector<int32_t> *v, bool allowAbsent,
                          const char *what) {
    if (!v)
      return;
    for (int32_t t : *v)
      if (t >= numTensors() || t < (allowAbsent ? -1 : 0)) {
        opError(i) << what << " tensor index " << t << " is out of range (the subgraph has "
                   << numTensors() << " tensors)";
        ok = false;
      }
  };
  for (int i = 0; i < numOps; ++i) {
    if (op(i).opcode_index() >= numCodes) {
      opError(i) << "operator code index " << op(i).opcode_index() << " is out of range (the "
                 << "model has " << numCodes << " operator codes)";
      ok = false;
      continue;
    }
    checkIndices(i, op(i).inputs(), /*allowAbsent=*/true, "input");
    checkIndices(i, op(i).outputs(), /*allowAbsent=*/false, "output");
  }
  for (const auto *list : {graph->inputs(), graph->outputs()})
    if (list)
      for (int32_t t : *list)
        if (t < 0 || t >= numTensors()) {
          error() << "graph input or output tensor index " << t << " is out of range (the "
                  << "subgraph has " << numTensors() << " tensors)";
          ok = false;
        }
  if (!ok)
    return false;
  // Each tensor is written once: by a graph input, a constant buffer or one operator, and
  // only after that read (TFLite stores operators in execution order).
  std::vector<int> writer(numTensors(), -2); // -2 none, -1 graph input or constant
  for (int t = 0; t < numTensors(); ++t)
    if (isConstant(t))
      writer[t] = -1;
  if (graph->inputs())
    for (int32_t t : *graph->inputs())
      writer[t] = -1;
  for (int i = 0; i < numOps; ++i) {
    if (op(i).inputs())
      for (int32_t t : *op(i).inputs())
        if (t >= 0 && writer[t] == -2) {
          opError(i) << "input tensor #" << t << " is read before any operator writes it";
          ok = false;
        }
    if (op(i).outputs())
      for (int32_t t : *op(i).outputs()) {
        if (writer[t] != -2) {
          opError(i) << "output tensor #" << t << " is already "
                     << (writer[t] == -1 ? "a graph input or constant" : "written by operator #" +
                                                                           std::to_string(writer[t]));
          ok = false;
        }
        writer[t] = i;
      }
  }
  if (graph->outputs())
    for (int32_t t : *graph->outputs())
      if (writer[t] == -2) {
        error() << "graph output tensor #" << t << " is not produced by any operator";
        ok = false;
      }
  return ok;
}

// --- tensors -------------------------------------------------------------------

SmallVector<int64_t> Importer::shapeOf(int i) const {
  SmallVector<int64_t> s;
  if (const auto *shape = tensor(i).shape())
    for (int32_t d : *shape)
      s.push_back(d);
  return s;
}

const flatbuffers::Vector<uint8_t> *Importer::constantData(int i) const {
  uint32_t buf = tensor(i).buffer();
  if (!model->buffers() || buf >= model->buffers()->size())
    return nullptr;
  const auto *data = model->buffers()->Get(buf)->data();
  return data && data->size() ? data : nullptr;
}

Type Importer::storageElementType(tfl::TensorType t) {
  switch (t) {
  case tfl::TensorType_FLOAT32: return b.getF32Type();
  case tfl::TensorType_FLOAT16: return b.getF16Type();
  case tfl::TensorType_INT8:
  case tfl::TensorType_UINT8:
  case tfl::TensorType_BOOL: return b.getIntegerType(8);
  case tfl::TensorType_INT16: return b.getIntegerType(16);
  case tfl::TensorType_INT32: return b.getIntegerType(32);
  case tfl::TensorType_INT64: return b.getIntegerType(64);
  default: return {};
  }
}

Type Importer::quantType(int i, int64_t physicalAxisOfChannels) {
  const tfl::Tensor &t = tensor(i);
  const tfl::QuantizationParameters *q = t.quantization();
  if (!q || !q->scale() || q->scale()->size() == 0)
    return {};
  QuantStorage storage;
  switch (t.type()) {
  case tfl::TensorType_INT8: storage = {8, true}; break;
  case tfl::TensorType_UINT8: storage = {8, false}; break;
  case tfl::TensorType_INT16: storage = {16, true}; break;
  case tfl::TensorType_INT32: storage = {32, true}; break;
  default: return {}; // float tensors may carry their calibration range: not quantized
  }
  SmallVector<double> scales;
  SmallVector<int64_t> zps;
  for (float s : *q->scale())
    scales.push_back(s);
  // flatc's verifier checks a vector's length field for 4-byte alignment only: the int64
  // zero points may sit at any 4-byte boundary (found by fuzzing: UBSan, misaligned load).
  const auto *zp = q->zero_point();
  for (size_t k = 0; k < scales.size(); ++k) {
    int64_t z = 0;
    if (zp && zp->size())
      std::memcpy(&z, reinterpret_cast<const uint8_t *>(zp->Data()) + 8 * k, sizeof(z));
    zps.push_back(z);
  }
  int64_t rank = t.shape() ? t.shape()->size() : 0;
  int32_t axis = physicalAxisOfChannels >= 0
                     ? physicalAxisOfChannels
                     : physicalAxis(q->quantized_dimension(), rank);
  return quantizedElementType(fileLoc, storage, scales, zps, axis,
                              [&]() { return tensorError(i); });
}

Value Importer::permutedConstant(int i, ArrayRef<int64_t> perm, Type quant) {
  const tfl::Tensor &t = tensor(i);
  const auto *data = constantData(i);
  Type et = storageElementType(t.type());
  if (!data || !et) {
    tensorError(i) << "a constant of type " << tensorTypeName(t.type()) << " is needed here";
    return {};
  }
  SmallVector<int64_t> shape = shapeOf(i), outShape;
  for (int64_t p : perm)
    outShape.push_back(shape[p]);
  int64_t eb = elementBytes(t.type()), n = data->size() / eb;
  std::vector<char> bytes(data->size());
  // Row-major strides of the source; each result element reads its source index.
  SmallVector<int64_t> stride(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    stride[d] = stride[d + 1] * shape[d + 1];
  SmallVector<int64_t> idx(outShape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t src = 0;
    for (size_t d = 0; d < idx.size(); ++d)
      src += idx[d] * stride[perm[d]];
    std::memcpy(&bytes[k * eb], data->data() + src * eb, eb);
    for (int64_t d = static_cast<int64_t>(idx.size()) - 1; d >= 0; --d) {
      if (++idx[d] < outShape[d])
        break;
      idx[d] = 0;
    }
  }
  auto type = RankedTensorType::get(outShape, et);
  auto attr = DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(bytes));
  if (t.type() == tfl::TensorType_FLOAT16) {
    // float16 weights (the converter's float16 quantization): widened to f32 here, exactly,
    // as the DEQUANTIZE after them does at run time in TFLite.
    SmallVector<APFloat> wide;
    for (APFloat v : attr.getValues<APFloat>()) {
      bool lost = false;
      v.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
      wide.push_back(v);
    }
    attr = DenseElementsAttr::get(type.clone(b.getF32Type()), wide);
  }
  Value c = b.create<arith::ConstantOp>(fileLoc, attr);
  return quant ? quantizedView(b, fileLoc, c, quant) : c;
}

std::optional<SmallVector<int64_t>> Importer::intValues(int i) {
  const tfl::Tensor &t = tensor(i);
  const auto *data = constantData(i);
  if (!data || (t.type() != tfl::TensorType_INT32 && t.type() != tfl::TensorType_INT64))
    return std::nullopt;
  SmallVector<int64_t> out;
  if (t.type() == tfl::TensorType_INT32)
    for (size_t k = 0; k < data->size() / 4; ++k) {
      int32_t v;
      std::memcpy(&v, data->data() + 4 * k, 4);
      out.push_back(v);
    }
  else
    for (size_t k = 0; k < data->size() / 8; ++k) {
      int64_t v;
      std::memcpy(&v, data->data() + 8 * k, 8);
      out.push_back(v);
    }
  return out;
}

Value Importer::value(int i) {
  if (values[i])
    return values[i];
  if (!isConstant(i))
    return {};
  // A constant operand of an elementwise op: physical layout, as every value.
  SmallVector<int64_t> perm(shapeOf(i).size());
  std::iota(perm.begin(), perm.end(), 0);
  if (perm.size() == 4)
    perm = {0, 3, 1, 2};
  Type q = quantType(i);
  values[i] = permutedConstant(i, perm, q);
  return values[i];
}

Value Importer::floatValue(int i) {
  Value v = value(i);
  if (!v)
    return {};
  auto t = cast<RankedTensorType>(v.getType());
  if (isa<quant::QuantizedType>(t.getElementType()))
    return b.create<mlir::qcc::DequantizeOp>(v.getLoc(),
                                             RankedTensorType::get(t.getShape(), b.getF32Type()), v);
  if (!t.getElementType().isF32()) {
    tensorError(i) << "a float or quantized tensor is needed here, not "
                   << tensorTypeName(tensor(i).type());
    return {};
  }
  return v;
}

bool Importer::define(int opIndex, int t, Value floatResult) {
  SmallVector<int64_t> want = physicalShape(shapeOf(t));
  auto rt = cast<RankedTensorType>(floatResult.getType());
  if (rt.getShape() != ArrayRef<int64_t>(want)) {
    auto str = [](ArrayRef<int64_t> s) {
      std::string r;
      for (auto [k, d] : llvm::enumerate(s))
        r += (k ? "x" : "") + std::to_string(d);
      return r.empty() ? std::string("scalar") : r;
    };
    opError(opIndex) << "its output '" << (tensor(t).name() ? tensor(t).name()->str() : "")
                     << "' has shape " << str(shapeOf(t)) << " in the model, but the "
                     << "operator computes " << str(rt.getShape()) << " (in NCHW order)";
    return false;
  }
  Type q = quantType(t);
  if (q) {
    if (!isa<quant::UniformQuantizedType>(q)) {
      opError(opIndex) << "its output is quantized per axis; only per-tensor activations are "
                       << "supported";
      return false;
    }
    if (cast<quant::QuantizedType>(q).getStorageTypeIntegralWidth() != 8) {
      opError(opIndex) << "its output is " << tensorTypeName(tensor(t).type())
                       << "; quantized activations must be int8 or uint8";
      return false;
    }
    values[t] = b.create<mlir::qcc::QuantizeOp>(floatResult.getLoc(),
                                                RankedTensorType::get(want, q), floatResult);
    return true;
  }
  if (tensor(t).type() != tfl::TensorType_FLOAT32) {
    opError(opIndex) << "its output is " << tensorTypeName(tensor(t).type())
                     << " without quantization parameters; supported: float32, or int8 and "
                     << "uint8 with a scale and zero point";
    return false;
  }
  values[t] = floatResult;
  return true;
}

// --- layouts -------------------------------------------------------------------

Value Importer::reshape(Value v, ArrayRef<int64_t> shape, Location loc) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getShape() == shape)
    return v;
  return b.create<mlir::qcc::ReshapeOp>(loc, RankedTensorType::get(shape, t.getElementType()), v);
}

Value Importer::permute(Value v, ArrayRef<int64_t> perm, Location loc) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(t.getDimSize(p));
  // Only unit dimensions move: the elements keep their order.
  SmallVector<int64_t> moved;
  for (int64_t p : perm)
    if (t.getDimSize(p) != 1)
      moved.push_back(p);
  if (llvm::is_sorted(moved))
    return reshape(v, shape, loc);
  return b.create<mlir::qcc::TransposeOp>(loc, RankedTensorType::get(shape, t.getElementType()),
                                          v, b.getDenseI64ArrayAttr(perm));
}

Value Importer::toLogical(Value v, Location loc) {
  if (cast<RankedTensorType>(v.getType()).getRank() != 4)
    return v;
  return permute(v, {0, 2, 3, 1}, loc);
}

Value Importer::toPhysical(Value v, Location loc) {
  if (cast<RankedTensorType>(v.getType()).getRank() != 4)
    return v;
  return permute(v, {0, 3, 1, 2}, loc);
}

Value Importer::alignForBroadcast(Value v, int64_t rank, Location loc) {
  auto t = cast<RankedTensorType>(v.getType());
  if (t.getRank() >= rank)
    return v;
  Value logical = toLogical(v, loc);
  SmallVector<int64_t> shape(rank - t.getRank(), 1);
  llvm::append_range(shape, cast<RankedTensorType>(logical.getType()).getShape());
  return toPhysical(reshape(logical, shape, loc), loc);
}

// --- the driver ------------------------------------------------------------------

OwningOpRef<ModuleOp> Importer::run(llvm::StringRef contents) {
  ctx->loadDialect<mlir::qcc::QccDialect, quant::QuantizationDialect, arith::ArithDialect,
                   func::FuncDialect>();
  if (!verify(contents) || !checkTensors() || !checkOperators() || !checkSupportedOps())
    return nullptr;
  values.assign(numTensors(), Value());
  failedTensors.assign(numTensors(), false);

  SmallVector<Type> argTypes;
  SmallVector<int> argTensors;
  if (graph->inputs())
    for (int32_t t : *graph->inputs()) {
      if (isConstant(t))
        continue;
      Type et = storageElementType(tensor(t).type());
      if (!et || tensor(t).type() == tfl::TensorType_BOOL) {
        tensorError(t) << "graph input of type " << tensorTypeName(tensor(t).type())
                       << " is not supported; supported: float32, int8, uint8";
        continue;
      }
      const std::string name = tensor(t).name() ? tensor(t).name()->str() : "";
      if (auto it = opts.inputShapes.find(name);
          it != opts.inputShapes.end() &&
          ArrayRef<int64_t>(it->second) != ArrayRef<int64_t>(shapeOf(t))) {
        tensorError(t) << "--input-shape cannot change the shape of a TFLite model's input "
                       << "(its intermediate shapes are fixed in the file)";
        continue;
      }
      if (const auto *sig = tensor(t).shape_signature())
        for (int32_t d : *sig)
          if (d < 0) {
            emitRemark(fileLoc) << "input '" << name << "' has a dynamic dimension; qcc "
                                << "compiles the shape stored in the file";
            break;
          }
      argTypes.push_back(RankedTensorType::get(shapeOf(t), et));
      argTensors.push_back(t);
    }
  if (opts.inputShapes.size())
    for (const auto &kv : opts.inputShapes) {
      bool found = false;
      for (int t : argTensors)
        found |= tensor(t).name() && tensor(t).name()->str() == kv.first;
      if (!found)
        error() << "--input-shape names '" << kv.first << "', which is not a graph input";
    }
  if (numErrors)
    return nullptr;

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());
  auto func = b.create<func::FuncOp>(fileLoc, "main_graph", b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  auto label = [&](int t) {
    return TensorLabel{tensor(t).name() ? tensor(t).name()->str() : "",
                       tensorTypeName(tensor(t).type())};
  };
  SmallVector<TensorLabel> inputLabels, outputLabels;
  for (auto [k, t] : llvm::enumerate(argTensors)) {
    inputLabels.push_back(label(t));
    Value v = toPhysical(entry->getArgument(k), fileLoc);
    if (Type q = quantType(t))
      v = quantizedView(b, fileLoc, v, q);
    values[t] = v;
  }

  int numOps = graph->operators() ? graph->operators()->size() : 0;
  for (int i = 0; i < numOps; ++i) {
    bool inputFailed = false;
    if (op(i).inputs())
      for (int32_t t : *op(i).inputs())
        inputFailed |= t >= 0 && failedTensors[t];
    if (inputFailed || !importOperator(i))
      for (int32_t t : *op(i).outputs())
        failedTensors[t] = true;
  }
  if (numErrors)
    return nullptr;

  SmallVector<Value> results;
  for (int32_t t : *graph->outputs()) {
    Value v = value(t);
    if (!v) {
      error() << "graph output tensor #" << t << " has no value";
      return nullptr;
    }
    results.push_back(toLogical(storageView(b, fileLoc, v), fileLoc));
    outputLabels.push_back(label(t));
  }
  finishEntryFunction(b, fileLoc, func, results, inputLabels, outputLabels);
  if (failed(mlir::verify(*module)))
    return nullptr;
  return module;
}

} // namespace tflite_import

OwningOpRef<ModuleOp> importTFLite(llvm::StringRef contents, const ImportOptions &options,
                                   MLIRContext *context) {
  tflite_import::Importer importer(context, options);
  return importer.run(contents);
}

} // namespace mlir::qcc
