//===- Tensors.cpp - types, constants and quantized operands --------------===//
//
// ONNX element types to MLIR types, initializers and Constant nodes to constants, and the
// !quant.uniform types of quantized operands (from constant scales and zero points).
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Import/Common/ImportUtils.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;

namespace mlir::qcc::onnx_import {

//===----------------------------------------------------------------------===//
// Types and constants
//===----------------------------------------------------------------------===//

const char *onnxTypeName(int32_t t) {
  switch (t) {
  case onnx::TensorProto::FLOAT: return "float32";
  case onnx::TensorProto::UINT8: return "uint8";
  case onnx::TensorProto::INT8: return "int8";
  case onnx::TensorProto::UINT16: return "uint16";
  case onnx::TensorProto::INT16: return "int16";
  case onnx::TensorProto::INT32: return "int32";
  case onnx::TensorProto::INT64: return "int64";
  case onnx::TensorProto::BOOL: return "bool";
  case onnx::TensorProto::FLOAT16: return "float16";
  case onnx::TensorProto::DOUBLE: return "float64";
  case onnx::TensorProto::BFLOAT16: return "bfloat16";
  case onnx::TensorProto::STRING: return "string";
  case onnx::TensorProto::COMPLEX64: return "complex64";
  case onnx::TensorProto::COMPLEX128: return "complex128";
  case onnx::TensorProto::UINT32: return "uint32";
  case onnx::TensorProto::UINT64: return "uint64";
  // Types newer than ONNX 1.12's protobuf, by number.
  case 17: return "float8e4m3fn";
  case 18: return "float8e4m3fnuz";
  case 19: return "float8e5m2";
  case 20: return "float8e5m2fnuz";
  case 21: return "uint4";
  case 22: return "int4";
  case 23: return "float4e2m1";
  default: return "an unknown type";
  }
}

std::optional<Type> Importer::elementTypeFor(int32_t t) {
  switch (t) {
  case onnx::TensorProto::FLOAT: return b.getF32Type();
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::INT8: return b.getIntegerType(8);
  case onnx::TensorProto::INT32: return b.getIntegerType(32);
  case onnx::TensorProto::INT64: return b.getIntegerType(64);
  default: return std::nullopt;
  }
}

std::optional<RankedTensorType> Importer::typeOf(const std::string &name,
                                                 const onnx::NodeProto *n) {
  auto it = valueTypes.find(name);
  if (it == valueTypes.end() || !it->second.has_tensor_type() ||
      !it->second.tensor_type().has_shape()) {
    if (n)
      nodeError(*n) << "the shape of '" << name
                    << "' could not be inferred; qcc needs static shapes (pin inputs with "
                       "--input-shape)";
    else
      error() << "the shape of '" << name << "' could not be inferred";
    return std::nullopt;
  }
  const auto &tt = it->second.tensor_type();
  SmallVector<int64_t> shape;
  for (const auto &d : tt.shape().dim()) {
    if (!d.has_dim_value()) {
      if (n)
        nodeError(*n) << "'" << name << "' has a dynamic dimension"
                      << (d.has_dim_param() ? " '" + d.dim_param() + "'" : std::string())
                      << "; qcc needs static shapes (pin inputs with --input-shape)";
      else
        error() << "'" << name << "' has a dynamic dimension";
      return std::nullopt;
    }
    shape.push_back(d.dim_value());
  }
  auto et = elementTypeFor(tt.elem_type());
  if (!et) {
    if (n)
      nodeError(*n) << "'" << name << "' has element type " << onnxTypeName(tt.elem_type())
                    << "; supported: float32, uint8, int8, int32, int64";
    else
      error() << "'" << name << "' has element type " << onnxTypeName(tt.elem_type())
              << "; supported: float32, uint8, int8, int32, int64";
    return std::nullopt;
  }
  return RankedTensorType::get(shape, *et);
}

template <typename T>
void appendRaw(const std::string &raw, std::vector<double> &out) {
  size_t n = raw.size() / sizeof(T);
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
    out.push_back(static_cast<double>(v));
  }
}

bool Importer::readTensor(const onnx::TensorProto &t, std::vector<double> &out) {
  out.clear();
  bool raw = t.has_raw_data();
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (raw) appendRaw<float>(t.raw_data(), out);
    else for (float v : t.float_data()) out.push_back(v);
    break;
  case onnx::TensorProto::UINT8:
    if (raw) appendRaw<uint8_t>(t.raw_data(), out);
    else for (int32_t v : t.int32_data()) out.push_back(static_cast<uint8_t>(v));
    break;
  case onnx::TensorProto::INT8:
    if (raw) appendRaw<int8_t>(t.raw_data(), out);
    else for (int32_t v : t.int32_data()) out.push_back(static_cast<int8_t>(v));
    break;
  case onnx::TensorProto::INT32:
    if (raw) appendRaw<int32_t>(t.raw_data(), out);
    else for (int32_t v : t.int32_data()) out.push_back(v);
    break;
  case onnx::TensorProto::INT64:
    if (raw) appendRaw<int64_t>(t.raw_data(), out);
    else for (int64_t v : t.int64_data()) out.push_back(static_cast<double>(v));
    break;
  default:
    return false;
  }
  int64_t expected = 1;
  for (int64_t d : t.dims())
    expected *= d;
  return static_cast<int64_t>(out.size()) == expected;
}

const onnx::TensorProto *Importer::constantTensor(const std::string &name) {
  if (auto it = initializers.find(name); it != initializers.end())
    return it->second;
  if (auto it = constantNodes.find(name); it != constantNodes.end())
    return &it->second;
  return nullptr;
}

Value Importer::materializeInitializer(const onnx::TensorProto &t, Location loc) {
  std::vector<double> data;
  auto et = elementTypeFor(t.data_type());
  if (!et || !readTensor(t, data)) {
    error() << "initializer '" << t.name() << "' of type " << onnxTypeName(t.data_type())
            << " cannot be read (supported: float32, uint8, int8, int32, int64; the data "
               "size must match its dimensions)";
    return {};
  }
  SmallVector<int64_t> shape(t.dims().begin(), t.dims().end());
  auto type = RankedTensorType::get(shape, *et);
  DenseElementsAttr attr = denseElements(type, data);
  return b.create<arith::ConstantOp>(loc, attr);
}

Value Importer::lookup(const std::string &name, const onnx::NodeProto &n) {
  if (auto it = values.find(name); it != values.end())
    return it->second;
  if (failedValues.contains(name))
    return {};
  if (const onnx::TensorProto *t = constantTensor(name)) {
    Value v = materializeInitializer(*t, NameLoc::get(StringAttr::get(ctx, name), fileLoc));
    if (v)
      values[name] = v;
    return v;
  }
  nodeError(n) << "input '" << name << "' is not produced by any node, input or initializer";
  return {};
}

Value Importer::asStorage(Value v, Location loc) { return storageView(b, loc, v); }

Value Importer::asQuant(Value v, Type quantElementType, Location loc) {
  return quantizedView(b, loc, v, quantElementType);
}

Value Importer::requireFloat(Value v, const onnx::NodeProto &n, int idx) {
  if (!v)
    return {};
  if (!cast<RankedTensorType>(v.getType()).getElementType().isF32()) {
    nodeError(n) << "input " << idx << " ('" << n.input(idx)
                 << "') must be float32 here; integer arithmetic outside "
                    "QuantizeLinear/DequantizeLinear is not supported";
    return {};
  }
  return v;
}

std::optional<Type> Importer::quantTypeFromParams(const onnx::NodeProto &n, int scaleIdx,
                                                  int zpIdx, int64_t axis, int64_t rank,
                                                  int64_t axisDim, int32_t storageOnnxType) {
  const onnx::TensorProto *scaleT = constantTensor(n.input(scaleIdx));
  if (!scaleT) {
    nodeError(n) << "the scale '" << n.input(scaleIdx)
                 << "' must be a constant (initializer or Constant node)";
    return std::nullopt;
  }
  std::vector<double> scales, zps;
  if (scaleT->data_type() != onnx::TensorProto::FLOAT || !readTensor(*scaleT, scales)) {
    nodeError(n) << "the scale has type " << onnxTypeName(scaleT->data_type())
                 << ", which is not supported; supported: float32";
    return std::nullopt;
  }
  if (hasInput(n, zpIdx)) {
    const onnx::TensorProto *zpT = constantTensor(n.input(zpIdx));
    if (!zpT) {
      nodeError(n) << "the zero point '" << n.input(zpIdx)
                   << "' must be a constant (initializer or Constant node)";
      return std::nullopt;
    }
    if (!readTensor(*zpT, zps)) {
      nodeError(n) << "the zero point has type " << onnxTypeName(zpT->data_type())
                   << ", which is not supported; supported: uint8, int8 (and int32 for "
                      "DequantizeLinear)";
      return std::nullopt;
    }
    storageOnnxType = zpT->data_type();
  } else {
    zps.assign(scales.size(), 0.0);
  }
  QuantStorage storage;
  switch (storageOnnxType) {
  case onnx::TensorProto::UINT8: storage = {8, false}; break;
  case onnx::TensorProto::INT8: storage = {8, true}; break;
  case onnx::TensorProto::INT32: storage = {32, true}; break;
  default:
    nodeError(n) << "quantized type " << onnxTypeName(storageOnnxType)
                 << " is not supported; supported: uint8, int8 (and int32 for DequantizeLinear)";
    return std::nullopt;
  }
  // One scale is per tensor, whatever its rank (PyTorch exports 1-element tensors).
  if (scales.size() > 1 && (scaleT->dims_size() != 1 || (int64_t)scales.size() != axisDim)) {
    nodeError(n) << "per-axis scale has " << scales.size() << " elements, but axis " << axis
                 << " has size " << axisDim << " (blocked quantization is not supported)";
    return std::nullopt;
  }
  SmallVector<int64_t> zpInts;
  for (double z : zps)
    zpInts.push_back(static_cast<int64_t>(z));
  Type t = quantizedElementType(nodeLoc(n), storage, scales, zpInts, static_cast<int32_t>(axis),
                                [&] { return nodeError(n); });
  if (!t)
    return std::nullopt;
  return t;
}

/// The ONNX element type of an integer value: from its quantized type, its initializer, or
/// shape inference.
int32_t Importer::rawOnnxType(Value v, const std::string &name) {
  Type et = cast<RankedTensorType>(v.getType()).getElementType();
  if (auto qt = dyn_cast<quant::QuantizedType>(et))
    return qt.getStorageTypeIntegralWidth() == 32 ? onnx::TensorProto::INT32
           : qt.isSigned()                        ? onnx::TensorProto::INT8
                                                  : onnx::TensorProto::UINT8;
  if (et.isInteger(32))
    return onnx::TensorProto::INT32;
  if (et.isInteger(8)) {
    if (const onnx::TensorProto *t = constantTensor(name))
      return t->data_type();
    if (auto it = valueTypes.find(name); it != valueTypes.end())
      return it->second.tensor_type().elem_type();
    return onnx::TensorProto::UINT8;
  }
  return et.isF32() ? onnx::TensorProto::FLOAT : onnx::TensorProto::UNDEFINED;
}

/// Input `valueIdx` of a QOperator node as a quantized value. With scaleIdx < 0 (the
/// *Integer ops) the scale is 1 and the zero point, if given, comes from input zpIdx.
Value Importer::quantizedOperand(const onnx::NodeProto &n, int valueIdx, int scaleIdx,
                                 int zpIdx, int64_t axis) {
  Value v = lookup(n.input(valueIdx), n);
  if (!v)
    return {};
  auto t = cast<RankedTensorType>(v.getType());
  int32_t onnxType = rawOnnxType(v, n.input(valueIdx));
  if (onnxType != onnx::TensorProto::UINT8 && onnxType != onnx::TensorProto::INT8) {
    nodeError(n) << "input " << valueIdx << " ('" << n.input(valueIdx) << "') must be uint8 or int8, not "
                 << onnxTypeName(onnxType);
    return {};
  }
  int64_t axisDim = axis < t.getRank() ? t.getDimSize(axis) : 1;
  std::optional<Type> qt;
  if (scaleIdx >= 0) {
    qt = quantTypeFromParams(n, scaleIdx, zpIdx, axis, t.getRank(), axisDim, onnxType);
  } else {
    std::vector<double> zps = {0.0};
    if (hasInput(n, zpIdx)) {
      const onnx::TensorProto *zpT = constantTensor(n.input(zpIdx));
      if (!zpT || !readTensor(*zpT, zps) || zps.empty()) {
        nodeError(n) << "the zero point '" << n.input(zpIdx)
                     << "' must be a constant (initializer or Constant node)";
        return {};
      }
    }
    QuantStorage storage{8, onnxType == onnx::TensorProto::INT8};
    if (zps.size() == 1 || (int64_t)zps.size() == axisDim) {
      // Scale 1: the integer ops (ConvInteger, MatMulInteger) only subtract zero points.
      SmallVector<double> scales(zps.size(), 1.0);
      SmallVector<int64_t> zpInts(zps.begin(), zps.end());
      Type type = quantizedElementType(nodeLoc(n), storage, scales, zpInts,
                                       static_cast<int32_t>(axis), [&] { return nodeError(n); });
      if (!type)
        return {};
      qt = type;
    } else {
      nodeError(n) << "zero point has " << zps.size() << " elements; expected 1 or " << axisDim;
      return {};
    }
  }
  if (!qt)
    return {};
  return asQuant(v, *qt, nodeLoc(n));
}

} // namespace mlir::qcc::onnx_import
