//===- DataMovement.cpp - Pad, Slice, Split, Resize, ArgMax, ReduceMean ----===//
//
// Ops whose parameters (pads, starts, ends, axes, steps, split sizes) are graph inputs in
// recent opsets: qcc compiles them when those inputs are constants (initializers or
// Constant nodes) and says which input is not otherwise.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"
#include "qcc/Import/Common/ImportUtils.h"

#include "mlir/IR/TypeUtilities.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace mlir::qcc::onnx_import {

/// The integer values of constant input `i` (int64 or int32), each clamped to +-2^62 (ONNX
/// writes INT64_MAX for "to the end"); false after reporting when it is not a constant.
bool Importer::constantInts(const onnx::NodeProto &n, int i, const char *what,
                            SmallVector<int64_t> &out) {
  out.clear();
  const onnx::TensorProto *t = hasInput(n, i) ? constantTensor(n.input(i)) : nullptr;
  std::vector<double> values;
  if (!t || (t->data_type() != onnx::TensorProto::INT64 &&
             t->data_type() != onnx::TensorProto::INT32) ||
      !readTensor(*t, values)) {
    nodeError(n) << "input " << i << " (" << what << ") must be a constant int64 tensor";
    return false;
  }
  constexpr double kLimit = 4611686018427387904.0; // 2^62
  for (double v : values)
    out.push_back(static_cast<int64_t>(std::clamp(v, -kLimit, kLimit)));
  return true;
}

/// Axes normalized to [0, rank), each once; false after reporting.
static bool normalizeAxes(Importer &im, const onnx::NodeProto &n, SmallVector<int64_t> &axes,
                          int64_t rank) {
  SmallVector<bool> seen(rank, false);
  for (int64_t &a : axes) {
    std::optional<int64_t> normalized = normalizeAxis(a, rank);
    if (!normalized) {
      im.nodeError(n) << "axis " << a << " is out of range for rank " << rank;
      return false;
    }
    a = *normalized;
    if (seen[a]) {
      im.nodeError(n) << "axis " << a << " is given twice";
      return false;
    }
    seen[a] = true;
  }
  return true;
}

bool Importer::importPad(const onnx::NodeProto &n) {
  std::string mode = attrString(n, "mode", "constant");
  if (mode != "constant") {
    nodeError(n) << "mode '" << mode << "' is not supported; supported: constant";
    return false;
  }
  Value x = lookup(n.input(0), n);
  auto t = typeOf(n.output(0), &n);
  if (!x || !t)
    return false;
  x = requireFloat(x, n, 0);
  if (!x)
    return false;
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  SmallVector<int64_t> pads;
  if (!constantInts(n, 1, "pads", pads))
    return false;
  SmallVector<int64_t> axes;
  if (hasInput(n, 3)) {
    if (!constantInts(n, 3, "axes", axes) || !normalizeAxes(*this, n, axes, rank))
      return false;
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  if (pads.size() != 2 * axes.size()) {
    nodeError(n) << "pads has " << pads.size() << " entries for " << axes.size() << " axes";
    return false;
  }
  SmallVector<int64_t> full(2 * rank, 0);
  int64_t k = axes.size();
  for (int64_t j = 0; j < k; ++j) {
    if (pads[j] < 0 || pads[j + k] < 0) {
      nodeError(n) << "negative pads (cropping) are not supported";
      return false;
    }
    full[axes[j]] = pads[j];
    full[rank + axes[j]] = pads[j + k];
  }
  float value = 0.f;
  if (hasInput(n, 2)) {
    const onnx::TensorProto *c = constantTensor(n.input(2));
    std::vector<double> v;
    if (!c || c->data_type() != onnx::TensorProto::FLOAT || !readTensor(*c, v) || v.size() != 1) {
      nodeError(n) << "input 2 (constant_value) must be a constant float32 scalar";
      return false;
    }
    value = static_cast<float>(v[0]);
  }
  define(n, 0,
         b.create<mlir::qcc::PadOp>(nodeLoc(n), *t, x, b.getDenseI64ArrayAttr(full),
                                    b.getF32FloatAttr(value)));
  return true;
}

bool Importer::importSlice(const onnx::NodeProto &n) {
  Value x = lookup(n.input(0), n);
  auto t = typeOf(n.output(0), &n);
  if (!x || !t)
    return false;
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = xt.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  if (!constantInts(n, 1, "starts", starts) || !constantInts(n, 2, "ends", ends))
    return false;
  if (hasInput(n, 3)) {
    if (!constantInts(n, 3, "axes", axes) || !normalizeAxes(*this, n, axes, rank))
      return false;
  } else {
    for (size_t d = 0; d < starts.size(); ++d)
      axes.push_back(d);
  }
  if (hasInput(n, 4)) {
    if (!constantInts(n, 4, "steps", steps))
      return false;
  } else {
    steps.assign(starts.size(), 1);
  }
  if (starts.size() != ends.size() || starts.size() != axes.size() ||
      starts.size() != steps.size()) {
    nodeError(n) << "starts, ends, axes and steps have different lengths";
    return false;
  }
  if (t->getRank() != rank) {
    nodeError(n) << "the output has rank " << t->getRank() << " but the input " << rank;
    return false;
  }
  SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
  for (size_t j = 0; j < axes.size(); ++j) {
    int64_t d = axes[j], dim = xt.getDimSize(d), step = steps[j];
    if (step <= 0) {
      nodeError(n) << "step " << step << " on axis " << d << " is not supported (positive "
                   << "steps only)";
      return false;
    }
    int64_t s = starts[j] < 0 ? starts[j] + dim : starts[j];
    offsets[d] = std::clamp<int64_t>(s, 0, dim);
    strides[d] = step;
  }
  for (int64_t d = 0; d < rank; ++d)
    if (t->getDimSize(d) <= 0 || offsets[d] >= xt.getDimSize(d)) {
      nodeError(n) << "axis " << d << " selects no element; empty tensors are not supported";
      return false;
    }
  define(n, 0,
         b.create<mlir::qcc::SliceOp>(nodeLoc(n),
                                      RankedTensorType::get(t->getShape(), xt.getElementType()),
                                      x, b.getDenseI64ArrayAttr(offsets),
                                      b.getDenseI64ArrayAttr(strides)));
  return true;
}

/// Split: one slice per output, sizes from the shapes ONNX's shape inference gave them.
bool Importer::importSplit(const onnx::NodeProto &n) {
  Value x = lookup(n.input(0), n);
  if (!x)
    return false;
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = xt.getRank();
  std::optional<int64_t> normalized = normalizeAxis(attrInt(n, "axis", 0), rank);
  if (!normalized) {
    nodeError(n) << "axis " << attrInt(n, "axis", 0) << " is out of range for rank " << rank;
    return false;
  }
  int64_t axis = *normalized;
  int64_t offset = 0;
  for (int k = 0; k < n.output_size(); ++k) {
    auto t = typeOf(n.output(k), &n);
    if (!t)
      return false;
    // Found by fuzzing: an output declared with a lower rank than the input.
    if (t->getRank() != rank) {
      nodeError(n) << "output " << k << " has rank " << t->getRank() << " but the input " << rank;
      return false;
    }
    if (t->getDimSize(axis) <= 0) {
      nodeError(n) << "output " << k << " is empty; empty tensors are not supported";
      return false;
    }
    SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
    offsets[axis] = offset;
    offset += t->getDimSize(axis);
    if (offset > xt.getDimSize(axis)) {
      nodeError(n) << "the outputs are larger than the input along axis " << axis;
      return false;
    }
    define(n, k,
           b.create<mlir::qcc::SliceOp>(nodeLoc(n),
                                        RankedTensorType::get(t->getShape(), xt.getElementType()),
                                        x, b.getDenseI64ArrayAttr(offsets),
                                        b.getDenseI64ArrayAttr(strides)));
  }
  return true;
}

bool Importer::importArgMax(const onnx::NodeProto &n) {
  Value x = requireFloat(lookup(n.input(0), n), n, 0);
  auto t = typeOf(n.output(0), &n);
  if (!x || !t)
    return false;
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  std::optional<int64_t> normalized = normalizeAxis(attrInt(n, "axis", 0), rank);
  if (!normalized) {
    nodeError(n) << "axis " << attrInt(n, "axis", 0) << " is out of range for rank " << rank;
    return false;
  }
  int64_t axis = *normalized;
  define(n, 0,
         b.create<mlir::qcc::ArgMaxOp>(nodeLoc(n), *t, x, b.getI64IntegerAttr(axis),
                                       b.getBoolAttr(attrInt(n, "keepdims", 1) != 0),
                                       b.getBoolAttr(attrInt(n, "select_last_index", 0) != 0)));
  return true;
}

/// ReduceMean over the spatial axes (2, 3) of an NCHW tensor: GlobalAveragePool.
bool Importer::importReduceMean(const onnx::NodeProto &n) {
  Value x = requireFloat(lookup(n.input(0), n), n, 0);
  auto t = typeOf(n.output(0), &n);
  if (!x || !t)
    return false;
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = xt.getRank();
  SmallVector<int64_t> axes;
  if (opset >= 18) {
    if (hasInput(n, 1) && !constantInts(n, 1, "axes", axes))
      return false;
  } else {
    axes = attrInts(n, "axes", {});
  }
  if (!normalizeAxes(*this, n, axes, rank))
    return false;
  if (axes.empty()) // no axes: all of them
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  llvm::sort(axes);
  Location loc = nodeLoc(n);
  Value y;
  if (rank == 4 && axes == SmallVector<int64_t>{2, 3}) {
    // The spatial mean: global_avg_pool, which has an integer form on quantized models.
    y = b.create<mlir::qcc::GlobalAvgPoolOp>(
        loc, RankedTensorType::get({xt.getDimSize(0), xt.getDimSize(1), 1, 1}, b.getF32Type()),
        x);
  } else {
    SmallVector<int64_t> kept;
    for (int64_t d = 0; d < rank; ++d)
      if (!llvm::is_contained(axes, d))
        kept.push_back(xt.getDimSize(d));
    y = b.create<mlir::qcc::ReduceMeanOp>(loc, RankedTensorType::get(kept, b.getF32Type()), x,
                                          b.getDenseI64ArrayAttr(axes));
  }
  if (y.getType() != *t)
    y = b.create<mlir::qcc::ReshapeOp>(loc, *t, y);
  define(n, 0, y);
  return true;
}

namespace {
/// ONNX Resize's source coordinate of output position `i` (f32, as ONNX Runtime computes
/// it), or nullopt for a mode qcc does not implement. The resized length is `in * scale`,
/// not rounded (align_corners and pytorch_half_pixel use it so).
std::optional<float> sourceCoordinate(llvm::StringRef mode, int64_t i, float scale, int64_t in) {
  float x = static_cast<float>(i);
  float resized = static_cast<float>(in) * scale;
  if (mode == "half_pixel")
    return (x + 0.5f) / scale - 0.5f;
  if (mode == "pytorch_half_pixel")
    return resized > 1.f ? (x + 0.5f) / scale - 0.5f : 0.f;
  if (mode == "align_corners")
    return resized == 1.f ? 0.f : x * static_cast<float>(in - 1) / (resized - 1.f);
  if (mode == "asymmetric")
    return x / scale;
  if (mode == "tf_half_pixel_for_nn")
    return (x + 0.5f) / scale;
  return std::nullopt;
}
} // namespace

/// Resize of the spatial axes of an NCHW tensor, nearest or linear, every
/// coordinate_transformation_mode but tf_crop_and_resize; the maps are resolved here.
bool Importer::importResize(const onnx::NodeProto &n) {
  Value x = lookup(n.input(0), n);
  auto t = typeOf(n.output(0), &n);
  if (!x || !t)
    return false;
  auto xt = cast<RankedTensorType>(x.getType());
  if (xt.getRank() != 4 || t->getDimSize(0) != xt.getDimSize(0) ||
      t->getDimSize(1) != xt.getDimSize(1)) {
    nodeError(n) << "only the spatial axes (2, 3) of an NCHW tensor can be resized";
    return false;
  }
  std::string mode = attrString(n, "mode", "nearest");
  std::string ctm = attrString(n, "coordinate_transformation_mode", "half_pixel");
  std::string nearest = attrString(n, "nearest_mode", "round_prefer_floor");
  if (mode != "nearest" && mode != "linear") {
    nodeError(n) << "mode '" << mode << "' is not supported; supported: nearest, linear";
    return false;
  }
  if (mode == "linear")
    x = requireFloat(x, n, 0);
  if (!x)
    return false;
  // The scales the model gives (ONNX uses them, not the size ratio), else the ratio.
  SmallVector<float> scales = {static_cast<float>(t->getDimSize(2)) / xt.getDimSize(2),
                               static_cast<float>(t->getDimSize(3)) / xt.getDimSize(3)};
  if (hasInput(n, 2)) {
    const onnx::TensorProto *c = constantTensor(n.input(2));
    std::vector<double> v;
    if (!c || !readTensor(*c, v)) {
      nodeError(n) << "input 2 (scales) must be a constant";
      return false;
    }
    if (v.size() == 4)
      scales = {static_cast<float>(v[2]), static_cast<float>(v[3])};
    else if (!v.empty()) {
      nodeError(n) << "scales has " << v.size() << " entries for rank 4";
      return false;
    }
  }
  SmallVector<int64_t> lo[2], hi[2];
  SmallVector<float> w[2];
  for (int a = 0; a < 2; ++a) {
    int64_t in = xt.getDimSize(2 + a), out = t->getDimSize(2 + a);
    if (!(scales[a] > 0)) {
      nodeError(n) << "scales must be positive";
      return false;
    }
    for (int64_t i = 0; i < out; ++i) {
      auto s = sourceCoordinate(ctm, i, scales[a], in);
      if (!s) {
        nodeError(n) << "coordinate_transformation_mode '" << ctm << "' is not supported; "
                     << "supported: half_pixel, pytorch_half_pixel, align_corners, asymmetric, "
                     << "tf_half_pixel_for_nn";
        return false;
      }
      float v = *s;
      if (mode == "nearest") {
        float f = std::floor(v);
        bool tie = v == f + 0.5f;
        float r = nearest == "floor"                ? f
                  : nearest == "ceil"               ? std::ceil(v)
                  : nearest == "round_prefer_ceil"  ? (tie ? f + 1 : std::round(v))
                  : nearest == "round_prefer_floor" ? (tie ? f : std::round(v))
                                                    : -1e30f;
        if (r == -1e30f) {
          nodeError(n) << "nearest_mode '" << nearest << "' is not supported";
          return false;
        }
        lo[a].push_back(std::clamp<int64_t>(static_cast<int64_t>(r), 0, in - 1));
      } else {
        v = std::clamp(v, 0.f, static_cast<float>(in - 1));
        auto l = static_cast<int64_t>(std::floor(v));
        lo[a].push_back(l);
        hi[a].push_back(std::min<int64_t>(l + 1, in - 1));
        w[a].push_back(v - static_cast<float>(l));
      }
    }
  }
  auto type = RankedTensorType::get(t->getShape(), cast<RankedTensorType>(x.getType()).getElementType());
  bool linear = mode == "linear";
  define(n, 0,
         b.create<mlir::qcc::ResizeOp>(
             nodeLoc(n), type, x, b.getStringAttr(mode), b.getDenseI64ArrayAttr(lo[0]),
             b.getDenseI64ArrayAttr(lo[1]), linear ? b.getDenseI64ArrayAttr(hi[0]) : nullptr,
             linear ? b.getDenseI64ArrayAttr(hi[1]) : nullptr,
             linear ? b.getDenseF32ArrayAttr(w[0]) : nullptr,
             linear ? b.getDenseF32ArrayAttr(w[1]) : nullptr));
  return true;
}

} // namespace mlir::qcc::onnx_import

namespace mlir::qcc::onnx_import {

/// An indices operand: int32 or int64 (ONNX allows both for Gather and int64 for GatherND).
static Value indicesOperand(Importer &im, const onnx::NodeProto &n) {
  Value i = im.lookup(n.input(1), n);
  if (!i)
    return nullptr;
  Type et = cast<RankedTensorType>(i.getType()).getElementType();
  if (!et.isInteger(32) && !et.isInteger(64)) {
    im.nodeError(n) << "input 1 (indices) must be int32 or int64";
    return nullptr;
  }
  return i;
}

bool Importer::importGather(const onnx::NodeProto &n) {
  Value x = lookup(n.input(0), n);
  Value i = x ? indicesOperand(*this, n) : nullptr;
  auto t = typeOf(n.output(0), &n);
  if (!x || !i || !t)
    return false;
  auto xt = cast<RankedTensorType>(x.getType());
  std::optional<int64_t> axis = normalizeAxis(attrInt(n, "axis", 0), xt.getRank());
  if (!axis) {
    nodeError(n) << "axis " << attrInt(n, "axis", 0) << " is out of range for rank "
                 << xt.getRank();
    return false;
  }
  SmallVector<int64_t> expected(xt.getShape().take_front(*axis));
  llvm::append_range(expected, cast<RankedTensorType>(i.getType()).getShape());
  llvm::append_range(expected, xt.getShape().drop_front(*axis + 1));
  if (ArrayRef<int64_t>(expected) != t->getShape()) {
    nodeError(n) << "the output's shape is not the input's with the indices' shape at axis "
                 << *axis;
    return false;
  }
  auto type = RankedTensorType::get(t->getShape(), xt.getElementType());
  define(n, 0,
         b.create<mlir::qcc::GatherOp>(nodeLoc(n), type, x, i, b.getI64IntegerAttr(*axis)));
  return true;
}

bool Importer::importGatherND(const onnx::NodeProto &n) {
  Value x = lookup(n.input(0), n);
  Value i = x ? indicesOperand(*this, n) : nullptr;
  auto t = typeOf(n.output(0), &n);
  if (!x || !i || !t)
    return false;
  auto xt = cast<RankedTensorType>(x.getType());
  auto it = cast<RankedTensorType>(i.getType());
  int64_t bd = attrInt(n, "batch_dims", 0), q = it.getRank();
  int64_t k = q > 0 ? it.getDimSize(q - 1) : 0;
  bool fits = q >= 1 && k >= 1 && bd >= 0 && bd < q && bd + k <= xt.getRank();
  for (int64_t d = 0; fits && d < bd; ++d)
    fits = xt.getDimSize(d) == it.getDimSize(d);
  if (!fits) {
    nodeError(n) << "batch_dims " << bd << " and indices of rank " << q
                 << " with tuples of " << k << " do not fit an input of rank " << xt.getRank()
                 << " (batch dimensions must match)";
    return false;
  }
  SmallVector<int64_t> expected(it.getShape().drop_back());
  llvm::append_range(expected, xt.getShape().drop_front(bd + k));
  if (ArrayRef<int64_t>(expected) != t->getShape()) {
    nodeError(n) << "the output's shape is not GatherND's for these shapes";
    return false;
  }
  auto type = RankedTensorType::get(t->getShape(), xt.getElementType());
  define(n, 0, b.create<mlir::qcc::GatherNDOp>(nodeLoc(n), type, x, i, b.getI64IntegerAttr(bd)));
  return true;
}

bool Importer::importCast(const onnx::NodeProto &n) {
  Value x = lookup(n.input(0), n);
  auto t = typeOf(n.output(0), &n);
  if (!x || !t)
    return false;
  int64_t to = attrInt(n, "to", 0);
  if (to != onnx::TensorProto::FLOAT && to != onnx::TensorProto::INT32 &&
      to != onnx::TensorProto::INT64 && to != onnx::TensorProto::INT8 &&
      to != onnx::TensorProto::UINT8) {
    nodeError(n) << "cast to " << onnxTypeName(static_cast<int32_t>(to))
                 << " is not supported; supported: float32, int32, int64, int8, uint8";
    return false;
  }
  if (isa<quant::QuantizedType>(getElementTypeOrSelf(x.getType()))) {
    nodeError(n) << "input 0 is a quantized tensor; Cast of quantized values is not supported";
    return false;
  }
  bool srcUnsigned = false;
  if (auto it = valueTypes.find(n.input(0)); it != valueTypes.end())
    srcUnsigned = it->second.tensor_type().elem_type() == onnx::TensorProto::UINT8;
  if (x.getType() == *t && srcUnsigned == (to == onnx::TensorProto::UINT8)) {
    define(n, 0, x);
    return true;
  }
  define(n, 0,
         b.create<mlir::qcc::CastOp>(nodeLoc(n), *t, x, b.getBoolAttr(srcUnsigned),
                                     b.getBoolAttr(to == onnx::TensorProto::UINT8)));
  return true;
}

} // namespace mlir::qcc::onnx_import

namespace mlir::qcc::onnx_import {

/// The compile-time parameters of a NonMaxSuppression node: max_output_boxes_per_class
/// (capped at the number of boxes), the IoU threshold and the optional score threshold.
bool Importer::nmsParameters(const onnx::NodeProto &n, int64_t &maxOut, float &iou,
                             std::optional<float> &score, bool report) {
  auto scalar = [&](int i, double dflt, std::optional<double> &out) {
    out = std::nullopt;
    if (!hasInput(n, i)) {
      out = dflt;
      return true;
    }
    const onnx::TensorProto *t = constantTensor(n.input(i));
    std::vector<double> v;
    if (!t || !readTensor(*t, v) || v.size() != 1) {
      if (report)
        nodeError(n) << "input " << i << " must be a constant scalar (qcc fixes the number of "
                        "outputs and the thresholds at compile time)";
      return false;
    }
    out = v[0];
    return true;
  };
  std::optional<double> m, i, s;
  if (!scalar(2, 0, m) || !scalar(3, 0, i) || !scalar(4, 0, s))
    return false;
  maxOut = static_cast<int64_t>(*m);
  iou = static_cast<float>(*i);
  score = hasInput(n, 4) ? std::optional<float>(static_cast<float>(*s)) : std::nullopt;
  if (maxOut < 1) {
    if (report)
      nodeError(n) << "max_output_boxes_per_class is " << maxOut
                   << "; it must be positive (0 selects nothing)";
    return false;
  }
  return true;
}

bool Importer::importNonMaxSuppression(const onnx::NodeProto &n) {
  Value boxes = requireFloat(lookup(n.input(0), n), n, 0);
  Value scores = boxes ? requireFloat(lookup(n.input(1), n), n, 1) : Value();
  if (!boxes || !scores)
    return false;
  auto bt = cast<RankedTensorType>(boxes.getType()), st = cast<RankedTensorType>(scores.getType());
  if (bt.getRank() != 3 || bt.getDimSize(2) != 4 || st.getRank() != 3 ||
      st.getDimSize(0) != bt.getDimSize(0) || st.getDimSize(2) != bt.getDimSize(1)) {
    nodeError(n) << "needs boxes of shape [batches, boxes, 4] and scores of shape [batches, "
                    "classes, boxes]";
    return false;
  }
  int64_t maxOut;
  float iou;
  std::optional<float> score;
  if (!nmsParameters(n, maxOut, iou, score, /*report=*/true))
    return false;
  int64_t cpb = attrInt(n, "center_point_box", 0);
  if (cpb != 0 && cpb != 1) {
    nodeError(n) << "center_point_box must be 0 or 1";
    return false;
  }
  maxOut = std::min(maxOut, bt.getDimSize(1));
  int64_t rows = bt.getDimSize(0) * st.getDimSize(1) * maxOut;
  auto t = typeOf(n.output(0), &n);
  if (!t)
    return false;
  // A model that declares fewer rows (the count it expects) gets the first ones.
  if (t->getRank() != 2 || t->getDimSize(1) != 3 || t->getDimSize(0) < 1 ||
      t->getDimSize(0) > rows) {
    nodeError(n) << "the output must have at most " << rows << " x 3 rows (qcc's static "
                 << "maximum: batches x classes x max_output_boxes_per_class)";
    return false;
  }
  Value sel = b.create<mlir::qcc::NonMaxSuppressionOp>(
      nodeLoc(n), RankedTensorType::get({rows, 3}, b.getI64Type()), boxes, scores,
      b.getI64IntegerAttr(maxOut), b.getF32FloatAttr(iou),
      score ? b.getF32FloatAttr(*score) : FloatAttr(), b.getI64IntegerAttr(cpb));
  if (t->getDimSize(0) < rows)
    sel = b.create<mlir::qcc::SliceOp>(nodeLoc(n), *t, sel, b.getDenseI64ArrayAttr({0, 0}),
                                       b.getDenseI64ArrayAttr({1, 1}));
  define(n, 0, sel);
  return true;
}

} // namespace mlir::qcc::onnx_import

namespace mlir::qcc::onnx_import {

bool Importer::importTopK(const onnx::NodeProto &n) {
  Value x = requireFloat(lookup(n.input(0), n), n, 0);
  if (!x)
    return false;
  SmallVector<int64_t> k;
  if (!constantInts(n, 1, "K", k))
    return false;
  auto xt = cast<RankedTensorType>(x.getType());
  std::optional<int64_t> axis = normalizeAxis(attrInt(n, "axis", -1), xt.getRank());
  if (!axis) {
    nodeError(n) << "axis " << attrInt(n, "axis", -1) << " is out of range for rank "
                 << xt.getRank();
    return false;
  }
  if (k.size() != 1 || k[0] < 1 || k[0] > xt.getDimSize(*axis)) {
    nodeError(n) << "K must be one value in [1, " << xt.getDimSize(*axis)
                 << "] (K = 0 gives empty tensors, which qcc does not support)";
    return false;
  }
  SmallVector<int64_t> shape(xt.getShape());
  shape[*axis] = k[0];
  auto vt = RankedTensorType::get(shape, b.getF32Type());
  auto itype = RankedTensorType::get(shape, b.getI64Type());
  auto op = b.create<mlir::qcc::TopKOp>(nodeLoc(n), vt, itype, x, b.getI64IntegerAttr(*axis),
                                        b.getI64IntegerAttr(k[0]),
                                        b.getBoolAttr(attrInt(n, "largest", 1) != 0));
  define(n, 0, op.getValues());
  if (n.output_size() > 1)
    define(n, 1, op.getIndices());
  return true;
}

} // namespace mlir::qcc::onnx_import

