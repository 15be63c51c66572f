//===- DataMovement.cpp - TFLite operators that move data ------------------===//
//
// RESHAPE / SQUEEZE, CONCATENATION, TRANSPOSE, PAD / PADV2, SLICE / STRIDED_SLICE,
// SPLIT / SPLIT_V and ARG_MAX. Their parameters (shapes, paddings, begins, sizes, axes) must
// be constant tensors; they are given in TFLite's NHWC order and mapped onto qcc's NCHW
// values here.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Import/Common/ImportUtils.h"

#include "mlir/Dialect/Quant/QuantTypes.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

using namespace mlir;

namespace mlir::qcc::tflite_import {

bool Importer::importReshape(int i) {
  Location loc = opLoc(i);
  Value x = floatValue(input(i, 0));
  if (!x)
    return false;
  SmallVector<int64_t> in = shapeOf(input(i, 0)), out = shapeOf(output(i, 0));
  auto count = [](ArrayRef<int64_t> s) {
    return std::accumulate(s.begin(), s.end(), int64_t(1), std::multiplies<>());
  };
  if (count(in) != count(out)) {
    opError(i) << "reshapes " << count(in) << " elements into a shape of " << count(out);
    return false;
  }
  // The output tensor's static shape is the new shape (the shape input or new_shape option
  // must agree with it, which TFLite's converter guarantees for static models).
  Value y = toPhysical(reshape(toLogical(x, loc), out, loc), loc);
  return define(i, output(i, 0), y);
}

bool Importer::importConcatenation(int i) {
  Location loc = opLoc(i);
  const auto *o = options<tfl::ConcatenationOptions>(op(i));
  SmallVector<Value> in;
  for (int k = 0; k < numInputs(i); ++k) {
    Value v = floatValue(input(i, k));
    if (!v)
      return false;
    in.push_back(v);
  }
  int64_t rank = shapeOf(output(i, 0)).size();
  std::optional<int64_t> normalized = normalizeAxis(o ? o->axis() : 0, rank);
  if (!normalized) {
    opError(i) << "axis " << (o ? o->axis() : 0) << " is out of range for rank " << rank;
    return false;
  }
  int64_t axis = *normalized;
  for (Value v : in)
    if (cast<RankedTensorType>(v.getType()).getRank() != rank) {
      opError(i) << "all inputs must have the output's rank " << rank;
      return false;
    }
  auto t = RankedTensorType::get(physicalShape(shapeOf(output(i, 0))), b.getF32Type());
  Value y = b.create<mlir::qcc::ConcatOp>(loc, t, in,
                                          b.getI64IntegerAttr(physicalAxis(axis, rank)));
  y = fusedActivation(i, o ? o->fused_activation_function() : tfl::ActivationFunctionType_NONE, y);
  return y && define(i, output(i, 0), y);
}

bool Importer::importTranspose(int i) {
  Location loc = opLoc(i);
  auto perm = intValues(input(i, 1));
  SmallVector<int64_t> in = shapeOf(input(i, 0));
  if (!perm) {
    opError(i) << "the permutation must be a constant int32 tensor";
    return false;
  }
  SmallVector<int64_t> sorted(*perm);
  llvm::sort(sorted);
  for (size_t k = 0; k < sorted.size(); ++k)
    if (sorted[k] != static_cast<int64_t>(k) || sorted.size() != in.size()) {
      opError(i) << "the permutation is not a permutation of the input's " << in.size()
                 << " dimensions";
      return false;
    }
  Value x = floatValue(input(i, 0));
  if (!x)
    return false;
  Value y = toPhysical(permute(toLogical(x, loc), *perm, loc), loc);
  return define(i, output(i, 0), y);
}

bool Importer::defineInteger(int i, int t, Value result) {
  SmallVector<int64_t> want = physicalShape(shapeOf(t));
  if (cast<RankedTensorType>(result.getType()).getShape() != ArrayRef<int64_t>(want)) {
    opError(i) << "its output's shape in the model differs from the one it computes";
    return false;
  }
  values[t] = result;
  return true;
}

Value Importer::sliceLogical(Value physical, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                             ArrayRef<int64_t> strides, Location loc) {
  int64_t rank = offsets.size();
  SmallVector<int64_t> o(rank), n(rank), st(rank);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t p = physicalAxis(d, rank);
    o[p] = offsets[d], n[p] = sizes[d], st[p] = strides[d];
  }
  auto t = cast<RankedTensorType>(physical.getType());
  return b.create<mlir::qcc::SliceOp>(loc, RankedTensorType::get(n, t.getElementType()), physical,
                                      b.getDenseI64ArrayAttr(o), b.getDenseI64ArrayAttr(st));
}

/// PAD pads with real 0 (the zero point of a quantized tensor); PADV2 with its constant.
bool Importer::importPad(int i, bool withValue) {
  Location loc = opLoc(i);
  int xi = input(i, 0);
  SmallVector<int64_t> xs = shapeOf(xi);
  int64_t rank = xs.size();
  auto pads = intValues(input(i, 1));
  if (!pads || static_cast<int64_t>(pads->size()) != 2 * rank) {
    opError(i) << "the paddings must be a constant int32 tensor of shape " << rank << "x2";
    return false;
  }
  float value = 0.f;
  if (withValue) {
    int vi = input(i, 2);
    const auto *data = constantData(vi);
    if (!data || shapeOf(vi).size() > 1 ||
        (shapeOf(vi).size() == 1 && shapeOf(vi)[0] != 1)) {
      opError(i) << "the constant value must be a constant scalar";
      return false;
    }
    Type q = quantType(vi);
    if (tensor(vi).type() == tfl::TensorType_FLOAT32) {
      std::memcpy(&value, data->data(), 4);
    } else if (auto u = dyn_cast_or_null<quant::UniformQuantizedType>(q)) {
      int64_t stored = tensor(vi).type() == tfl::TensorType_UINT8
                           ? static_cast<int64_t>(data->data()[0])
                           : static_cast<int64_t>(static_cast<int8_t>(data->data()[0]));
      value = static_cast<float>(stored - u.getZeroPoint()) * static_cast<float>(u.getScale());
    } else {
      opError(i) << "the constant value must be float32 or a quantized int8 / uint8 scalar";
      return false;
    }
  }
  SmallVector<int64_t> phys(2 * rank);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t before = (*pads)[2 * d], after = (*pads)[2 * d + 1];
    if (before < 0 || after < 0) {
      opError(i) << "negative paddings are not supported";
      return false;
    }
    phys[physicalAxis(d, rank)] = before;
    phys[rank + physicalAxis(d, rank)] = after;
  }
  Value x = floatValue(xi);
  if (!x)
    return false;
  SmallVector<int64_t> outShape;
  auto xt = cast<RankedTensorType>(x.getType());
  for (int64_t d = 0; d < rank; ++d)
    outShape.push_back(xt.getDimSize(d) + phys[d] + phys[rank + d]);
  Value y = b.create<mlir::qcc::PadOp>(loc, RankedTensorType::get(outShape, b.getF32Type()), x,
                                       b.getDenseI64ArrayAttr(phys), b.getF32FloatAttr(value));
  return define(i, output(i, 0), y);
}

/// SLICE (begin, size; size -1 runs to the end) and STRIDED_SLICE (begin, end, strides and
/// the begin / end / shrink-axis masks; positive strides).
bool Importer::importSlice(int i, bool strided) {
  Location loc = opLoc(i);
  int xi = input(i, 0);
  SmallVector<int64_t> xs = shapeOf(xi);
  int64_t rank = xs.size();
  auto begin = intValues(input(i, 1)), second = intValues(input(i, 2));
  std::optional<SmallVector<int64_t>> steps =
      strided ? intValues(input(i, 3)) : SmallVector<int64_t>(rank, 1);
  if (!begin || !second || !steps || static_cast<int64_t>(begin->size()) != rank ||
      static_cast<int64_t>(second->size()) != rank || static_cast<int64_t>(steps->size()) != rank) {
    opError(i) << "begin, " << (strided ? "end and strides" : "size") << " must be constant "
               << "int32 tensors of " << rank << " elements";
    return false;
  }
  int beginMask = 0, endMask = 0, shrinkMask = 0;
  if (strided) {
    if (const auto *o = options<tfl::StridedSliceOptions>(op(i))) {
      if (o->ellipsis_mask() || o->new_axis_mask()) {
        opError(i) << "ellipsis_mask and new_axis_mask are not supported";
        return false;
      }
      beginMask = o->begin_mask(), endMask = o->end_mask(), shrinkMask = o->shrink_axis_mask();
      if (o->offset())
        for (int64_t d = 0; d < rank; ++d)
          (*second)[d] += (*begin)[d];
    }
  }
  SmallVector<int64_t> offsets, sizes;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t n = xs[d], st = (*steps)[d];
    if (st <= 0) {
      opError(i) << "stride " << st << " in dimension " << d << " is not supported (positive "
                 << "strides only)";
      return false;
    }
    int64_t lo = (*begin)[d];
    if (lo < 0)
      lo += n;
    if (strided && (beginMask >> d & 1))
      lo = 0;
    lo = std::clamp<int64_t>(lo, 0, n);
    int64_t hi;
    if (!strided)
      hi = (*second)[d] == -1 ? n : lo + (*second)[d];
    else if (shrinkMask >> d & 1)
      hi = lo + 1;
    else if (endMask >> d & 1)
      hi = n;
    else
      hi = (*second)[d] < 0 ? (*second)[d] + n : (*second)[d];
    hi = std::clamp<int64_t>(hi, 0, n);
    int64_t count = hi > lo ? (hi - lo + st - 1) / st : 0;
    if (count <= 0 || lo >= n) {
      opError(i) << "dimension " << d << " selects no element; empty tensors are not supported";
      return false;
    }
    offsets.push_back(lo);
    sizes.push_back(count);
  }
  Value x = floatValue(xi);
  if (!x)
    return false;
  Value y = sliceLogical(x, offsets, sizes, *steps, loc);
  // shrink_axis_mask drops dimensions: the output tensor's shape says which remain.
  y = toPhysical(reshape(toLogical(y, loc), shapeOf(output(i, 0)), loc), loc);
  return define(i, output(i, 0), y);
}

/// SPLIT (axis tensor first, then the input; equal parts) and SPLIT_V (input, sizes, axis;
/// one size may be -1).
bool Importer::importSplit(int i, bool withSizes) {
  Location loc = opLoc(i);
  int xi = withSizes ? input(i, 0) : input(i, 1);
  auto axisValues = intValues(withSizes ? input(i, 2) : input(i, 0));
  SmallVector<int64_t> xs = shapeOf(xi);
  int64_t rank = xs.size();
  if (!axisValues || axisValues->size() != 1) {
    opError(i) << "the axis must be a constant int32 scalar";
    return false;
  }
  std::optional<int64_t> normalized = normalizeAxis((*axisValues)[0], rank);
  if (!normalized) {
    opError(i) << "axis " << (*axisValues)[0] << " is out of range for rank " << rank;
    return false;
  }
  int64_t axis = *normalized;
  int outs = op(i).outputs()->size();
  SmallVector<int64_t> parts;
  if (withSizes) {
    auto sizes = intValues(input(i, 1));
    if (!sizes || static_cast<int>(sizes->size()) != outs) {
      opError(i) << "size_splits must be a constant int32 tensor of " << outs << " elements";
      return false;
    }
    parts = *sizes;
    int64_t known = 0, unknown = 0;
    for (int64_t p : parts)
      p < 0 ? ++unknown : known += p;
    for (int64_t &p : parts)
      if (p < 0)
        p = xs[axis] - known;
    if (unknown > 1 || llvm::any_of(parts, [](int64_t p) { return p <= 0; }) ||
        std::accumulate(parts.begin(), parts.end(), int64_t(0)) != xs[axis]) {
      opError(i) << "size_splits do not add up to dimension " << axis << " (" << xs[axis] << ")";
      return false;
    }
  } else {
    if (xs[axis] % outs != 0) {
      opError(i) << "dimension " << axis << " (" << xs[axis] << ") does not split into " << outs
                 << " equal parts";
      return false;
    }
    parts.assign(outs, xs[axis] / outs);
  }
  Value x = floatValue(xi);
  if (!x)
    return false;
  int64_t offset = 0;
  for (int k = 0; k < outs; ++k) {
    SmallVector<int64_t> offsets(rank, 0), sizes(xs), ones(rank, 1);
    offsets[axis] = offset;
    sizes[axis] = parts[k];
    offset += parts[k];
    if (!define(i, output(i, k), sliceLogical(x, offsets, sizes, ones, loc)))
      return false;
  }
  return true;
}

/// ARG_MAX over one axis (removed), int32 or int64 indices, first index on ties.
bool Importer::importArgMax(int i) {
  Location loc = opLoc(i);
  int xi = input(i, 0);
  auto axisValues = intValues(input(i, 1));
  int64_t rank = shapeOf(xi).size();
  if (!axisValues || axisValues->size() != 1) {
    opError(i) << "the axis must be a constant int32 or int64 scalar";
    return false;
  }
  std::optional<int64_t> normalized = normalizeAxis((*axisValues)[0], rank);
  if (!normalized) {
    opError(i) << "axis " << (*axisValues)[0] << " is out of range for rank " << rank;
    return false;
  }
  int64_t axis = *normalized;
  tfl::TensorType ot = tensor(output(i, 0)).type();
  if (ot != tfl::TensorType_INT32 && ot != tfl::TensorType_INT64) {
    opError(i) << "the output must be int32 or int64, not " << tensorTypeName(ot);
    return false;
  }
  Value x = floatValue(xi);
  if (!x)
    return false;
  // In TFLite's dimension order, so that the remaining dimensions keep theirs.
  x = toLogical(x, loc);
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      shape.push_back(cast<RankedTensorType>(x.getType()).getDimSize(d));
  Type it = b.getIntegerType(ot == tfl::TensorType_INT32 ? 32 : 64);
  Value y = b.create<mlir::qcc::ArgMaxOp>(loc, RankedTensorType::get(shape, it), x,
                                          b.getI64IntegerAttr(axis), b.getBoolAttr(false),
                                          b.getBoolAttr(false));
  return defineInteger(i, output(i, 0), toPhysical(y, loc));
}

/// RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR with TFLite's coordinate rules
/// (reference_ops: GetNearestNeighbor, ComputeInterpolationValues): scale in/out, or
/// (in - 1)/(out - 1) with align_corners; half_pixel_centers offsets by 0.5; all in f32.
bool Importer::importResize(int i, bool bilinear) {
  Location loc = opLoc(i);
  int xi = input(i, 0);
  SmallVector<int64_t> xs = shapeOf(xi), ys = shapeOf(output(i, 0));
  auto size = intValues(input(i, 1));
  if (xs.size() != 4 || ys.size() != 4 || !size || size->size() != 2 ||
      (*size)[0] != ys[1] || (*size)[1] != ys[2]) {
    opError(i) << "needs an NHWC input and a constant size equal to the output's H and W";
    return false;
  }
  bool align = false, halfPixel = false;
  if (bilinear) {
    if (const auto *o = options<tfl::ResizeBilinearOptions>(op(i)))
      align = o->align_corners(), halfPixel = o->half_pixel_centers();
  } else if (const auto *o = options<tfl::ResizeNearestNeighborOptions>(op(i))) {
    align = o->align_corners(), halfPixel = o->half_pixel_centers();
  }
  SmallVector<int64_t> lo[2], hi[2];
  SmallVector<float> w[2];
  for (int a = 0; a < 2; ++a) {
    int64_t in = xs[1 + a], out = ys[1 + a];
    float scale = (align && out > 1) ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                     : static_cast<float>(in) / static_cast<float>(out);
    for (int64_t k = 0; k < out; ++k) {
      auto v = static_cast<float>(k);
      if (!bilinear) {
        float src = (v + (halfPixel ? 0.5f : 0.f)) * scale;
        // TfLiteRound rounds half away from zero, as std::round.
        int64_t idx = std::min<int64_t>(align ? static_cast<int64_t>(std::round(src))
                                              : static_cast<int64_t>(std::floor(src)),
                                        in - 1);
        lo[a].push_back(std::max<int64_t>(idx, 0));
        continue;
      }
      float src = halfPixel ? (v + 0.5f) * scale - 0.5f : v * scale;
      float f = std::floor(src);
      lo[a].push_back(std::max<int64_t>(static_cast<int64_t>(f), 0));
      hi[a].push_back(std::min<int64_t>(static_cast<int64_t>(std::ceil(src)), in - 1));
      w[a].push_back(src - f);
    }
  }
  // 8-bit RESIZE_BILINEAR with one quantization for input and output: TFLite's integer
  // (int8) or float-on-stored-values (uint8) kernel, with its own maps.
  Type qt = quantType(xi);
  tfl::TensorType tt = tensor(xi).type();
  if (bilinear && qt && qt == quantType(output(i, 0)) &&
      (tt == tfl::TensorType_INT8 || tt == tfl::TensorType_UINT8)) {
    bool int8 = tt == tfl::TensorType_INT8;
    for (int a = 0; a < 2; ++a) {
      int64_t in = xs[1 + a], out = ys[1 + a];
      lo[a].clear(), hi[a].clear(), w[a].clear();
      if (int8) {
        // ComputeInterpolationValuesInteger: 10-bit scale and positions, C division.
        int64_t s10 = (align && out > 1) ? ((1 << 10) * (in - 1) + (out - 1) / 2) / (out - 1)
                                         : ((1 << 10) * in + out / 2) / out;
        for (int64_t k = 0; k < out; ++k) {
          int64_t sv = halfPixel ? k * s10 + s10 / 2 - (1 << 9) : k * s10;
          int64_t l = std::max<int64_t>(sv / (1 << 10), 0);
          lo[a].push_back(l);
          hi[a].push_back(std::min<int64_t>((sv + (1 << 10) - 1) / (1 << 10), in - 1));
          w[a].push_back(static_cast<float>(sv - (1 << 10) * l));
        }
        continue;
      }
      // ComputeInterpolationValues, the weight against the clamped lower bound.
      float scale = (align && out > 1) ? static_cast<float>(in - 1) / static_cast<float>(out - 1)
                                       : static_cast<float>(in) / static_cast<float>(out);
      for (int64_t k = 0; k < out; ++k) {
        auto v = static_cast<float>(k);
        float src = halfPixel ? (v + 0.5f) * scale - 0.5f : v * scale;
        int64_t l = std::max<int64_t>(static_cast<int64_t>(std::floor(src)), 0);
        lo[a].push_back(l);
        hi[a].push_back(std::min<int64_t>(static_cast<int64_t>(std::ceil(src)), in - 1));
        w[a].push_back(src - static_cast<float>(l));
      }
    }
    Value xq = value(xi);
    if (!xq)
      return false;
    auto type = RankedTensorType::get(physicalShape(ys), qt);
    Value y = b.create<mlir::qcc::ResizeOp>(
        loc, type, xq, b.getStringAttr(int8 ? "linear_q10" : "linear_tflite"),
        b.getDenseI64ArrayAttr(lo[0]), b.getDenseI64ArrayAttr(lo[1]),
        b.getDenseI64ArrayAttr(hi[0]), b.getDenseI64ArrayAttr(hi[1]),
        b.getDenseF32ArrayAttr(w[0]), b.getDenseF32ArrayAttr(w[1]));
    return defineInteger(i, output(i, 0), y);
  }
  Value x = floatValue(xi);
  if (!x)
    return false;
  auto type = RankedTensorType::get(physicalShape(ys), b.getF32Type());
  Value y = b.create<mlir::qcc::ResizeOp>(
      loc, type, x, b.getStringAttr(bilinear ? "linear" : "nearest"),
      b.getDenseI64ArrayAttr(lo[0]), b.getDenseI64ArrayAttr(lo[1]),
      bilinear ? b.getDenseI64ArrayAttr(hi[0]) : nullptr,
      bilinear ? b.getDenseI64ArrayAttr(hi[1]) : nullptr,
      bilinear ? b.getDenseF32ArrayAttr(w[0]) : nullptr,
      bilinear ? b.getDenseF32ArrayAttr(w[1]) : nullptr);
  return define(i, output(i, 0), y);
}

} // namespace mlir::qcc::tflite_import

namespace mlir::qcc::tflite_import {

Value Importer::movedValue(int t, Location loc) {
  Value v = value(t);
  if (!v)
    return {};
  Type et = cast<RankedTensorType>(v.getType()).getElementType();
  if (isa<quant::QuantizedType>(et))
    v = floatValue(t);
  return v ? toLogical(v, loc) : v;
}

/// GATHER (axis, batch_dims 0) and GATHER_ND on TFLite's dimension order. TFLite's
/// reference kernels reject an index outside the axis at run time; qcc.gather clamps it.
bool Importer::importGather(int i, bool nd) {
  Location loc = opLoc(i);
  int xi = input(i, 0), ii = input(i, 1), yi = output(i, 0);
  tfl::TensorType it = tensor(ii).type();
  if (it != tfl::TensorType_INT32 && it != tfl::TensorType_INT64) {
    opError(i) << "the indices must be int32 or int64, not " << tensorTypeName(it);
    return false;
  }
  bool quantized = static_cast<bool>(quantType(xi));
  Value x = movedValue(xi, loc), idx = value(ii);
  if (!x || !idx)
    return false;
  idx = toLogical(idx, loc);
  auto xt = cast<RankedTensorType>(x.getType());
  auto idxt = cast<RankedTensorType>(idx.getType());
  SmallVector<int64_t> shape;
  Value y;
  if (!nd) {
    const auto *o = options<tfl::GatherOptions>(op(i));
    int64_t batchDims = o ? o->batch_dims() : 0;
    if (batchDims != 0) {
      opError(i) << "batch_dims " << batchDims << " is not supported (0 only)";
      return false;
    }
    std::optional<int64_t> axis = normalizeAxis(o ? o->axis() : 0, xt.getRank());
    if (!axis) {
      opError(i) << "axis " << (o ? o->axis() : 0) << " is out of range for rank "
                 << xt.getRank();
      return false;
    }
    shape.assign(xt.getShape().take_front(*axis).begin(), xt.getShape().take_front(*axis).end());
    llvm::append_range(shape, idxt.getShape());
    llvm::append_range(shape, xt.getShape().drop_front(*axis + 1));
    y = b.create<mlir::qcc::GatherOp>(loc, RankedTensorType::get(shape, xt.getElementType()), x,
                                      idx, b.getI64IntegerAttr(*axis));
  } else {
    int64_t q = idxt.getRank(), k = q > 0 ? idxt.getDimSize(q - 1) : 0;
    if (q < 1 || k < 1 || k > xt.getRank()) {
      opError(i) << "indices of rank " << q << " with tuples of " << k
                 << " do not fit an input of rank " << xt.getRank();
      return false;
    }
    shape.assign(idxt.getShape().begin(), idxt.getShape().end() - 1);
    llvm::append_range(shape, xt.getShape().drop_front(k));
    y = b.create<mlir::qcc::GatherNDOp>(loc, RankedTensorType::get(shape, xt.getElementType()), x,
                                        idx, b.getI64IntegerAttr(0));
  }
  if (cast<RankedTensorType>(y.getType()).getRank() != static_cast<int64_t>(shapeOf(yi).size())) {
    opError(i) << "its output's rank in the model differs from the one it computes";
    return false;
  }
  y = toPhysical(y, loc);
  return quantized || xt.getElementType().isF32() ? define(i, yi, y) : defineInteger(i, yi, y);
}

/// CAST between float32 and int8/uint8/int16/int32/int64 (C conversions, as TFLite's
/// kernel does); quantized tensors' parameters are not part of CAST's arithmetic, so they
/// are refused rather than guessed.
bool Importer::importCast(int i) {
  Location loc = opLoc(i);
  int xi = input(i, 0), yi = output(i, 0);
  auto supported = [](tfl::TensorType t) {
    return t == tfl::TensorType_FLOAT32 || t == tfl::TensorType_INT8 ||
           t == tfl::TensorType_UINT8 || t == tfl::TensorType_INT16 ||
           t == tfl::TensorType_INT32 || t == tfl::TensorType_INT64;
  };
  tfl::TensorType from = tensor(xi).type(), to = tensor(yi).type();
  if (!supported(from) || !supported(to)) {
    opError(i) << "cast from " << tensorTypeName(from) << " to " << tensorTypeName(to)
               << " is not supported; supported: float32, int8, uint8, int16, int32, int64";
    return false;
  }
  if (quantType(xi) || quantType(yi)) {
    opError(i) << "CAST of a quantized tensor is not supported";
    return false;
  }
  Value x = value(xi);
  Type et = storageElementType(to);
  if (!x || !et)
    return false;
  auto xt = cast<RankedTensorType>(x.getType());
  Value y = b.create<mlir::qcc::CastOp>(loc, RankedTensorType::get(xt.getShape(), et), x,
                                        b.getBoolAttr(from == tfl::TensorType_UINT8),
                                        b.getBoolAttr(to == tfl::TensorType_UINT8));
  return et.isF32() ? define(i, yi, y) : defineInteger(i, yi, y);
}

} // namespace mlir::qcc::tflite_import

namespace mlir::qcc::tflite_import {

/// TOPK_V2: the k largest along the last axis, sorted, the lower index first on ties.
bool Importer::importTopK(int i) {
  Location loc = opLoc(i);
  int xi = input(i, 0);
  auto k = intValues(input(i, 1));
  SmallVector<int64_t> shape = shapeOf(xi);
  if (!k || k->size() != 1 || shape.empty() || (*k)[0] < 1 || (*k)[0] > shape.back()) {
    opError(i) << "k must be a constant in [1, the last dimension]";
    return false;
  }
  if (op(i).outputs()->size() != 2 || tensor(output(i, 1)).type() != tfl::TensorType_INT32) {
    opError(i) << "needs two outputs, the values and int32 indices";
    return false;
  }
  Value x = floatValue(xi);
  if (!x)
    return false;
  x = toLogical(x, loc);
  int64_t axis = static_cast<int64_t>(shape.size()) - 1;
  shape[axis] = (*k)[0];
  auto t = b.create<mlir::qcc::TopKOp>(
      loc, RankedTensorType::get(shape, b.getF32Type()),
      RankedTensorType::get(shape, b.getI32Type()), x, b.getI64IntegerAttr(axis),
      b.getI64IntegerAttr((*k)[0]), b.getBoolAttr(true));
  return define(i, output(i, 0), toPhysical(t.getValues(), loc)) &&
         defineInteger(i, output(i, 1), toPhysical(t.getIndices(), loc));
}

} // namespace mlir::qcc::tflite_import

