//===- ShapeFolding.cpp - shape computations evaluated at compile time ----===//
//
// Exporters (PyTorch, tf2onnx, Keras) write the shapes of Reshape, Resize, Expand and Pad as
// small graphs over Shape: Shape -> Gather -> Unsqueeze -> Concat -> Reshape, with Cast,
// Slice and arithmetic in between, or ConstantOfShape for fill values. qcc's shapes are
// static, so these graphs are constants: they are evaluated here, node by node in graph
// order, and their outputs recorded as constants that the ops consuming them read like
// initializers (and that later folds see). Only nodes whose inputs are all constants (or,
// for Shape and Size, whose input has a static shape) and that are small (shape-sized:
// at most kMaxFoldedInputElements per input) are folded; the arithmetic is ONNX's (integer
// division truncates, float results are rounded to f32 after each op).
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Import/Common/ImportUtils.h"

#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace mlir::qcc::onnx_import {

namespace {

constexpr int64_t kMaxFoldedInputElements = 64;
constexpr int64_t kMaxConstantOfShapeElements = 1 << 24;

/// A constant during folding: ONNX element type, dimensions, values (exact for int32 and
/// for int64 within +-2^53, which covers shapes).
struct Folded {
  int32_t type = onnx::TensorProto::INT64;
  std::vector<int64_t> dims;
  std::vector<double> v;

  /// The element count, INT64_MAX when a dimension is negative or the product overflows
  /// (a fuzzed declared shape: 288230307428040705 x 255), so that every size check fails.
  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : dims) {
      if (d < 0 || (d > 0 && n > std::numeric_limits<int64_t>::max() / d))
        return std::numeric_limits<int64_t>::max();
      n *= d;
    }
    return n;
  }
  std::vector<int64_t> strides() const {
    std::vector<int64_t> s(dims.size(), 1);
    for (int64_t d = static_cast<int64_t>(dims.size()) - 2; d >= 0; --d)
      s[d] = s[d + 1] * dims[d + 1];
    return s;
  }
};

bool isIntegerType(int32_t t) {
  return t == onnx::TensorProto::INT64 || t == onnx::TensorProto::INT32 ||
         t == onnx::TensorProto::INT8 || t == onnx::TensorProto::UINT8;
}

/// The value `x` stored as type `t`: f32 rounding, C truncation and wrap-around for integers.
double representAs(double x, int32_t t) {
  switch (t) {
  case onnx::TensorProto::FLOAT: return static_cast<float>(x);
  case onnx::TensorProto::INT64:
    return std::isfinite(x) ? std::trunc(x) : 0.0;
  case onnx::TensorProto::INT32:
    return std::isfinite(x) ? static_cast<double>(static_cast<int32_t>(
                                  static_cast<int64_t>(std::trunc(x))))
                            : 0.0;
  case onnx::TensorProto::INT8:
    return std::isfinite(x) ? static_cast<int8_t>(static_cast<int64_t>(std::trunc(x))) : 0.0;
  case onnx::TensorProto::UINT8:
    return std::isfinite(x) ? static_cast<uint8_t>(static_cast<int64_t>(std::trunc(x))) : 0.0;
  default: return x;
  }
}

onnx::TensorProto toProto(const Folded &f, const std::string &name) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(f.type);
  for (int64_t d : f.dims)
    t.add_dims(d);
  for (double x : f.v) {
    switch (f.type) {
    case onnx::TensorProto::FLOAT: t.add_float_data(static_cast<float>(x)); break;
    case onnx::TensorProto::INT64: t.add_int64_data(static_cast<int64_t>(x)); break;
    default: t.add_int32_data(static_cast<int32_t>(x)); break;
    }
  }
  return t;
}

/// Numpy broadcasting of two shapes; nullopt when they do not broadcast.
std::optional<std::vector<int64_t>> broadcast(const std::vector<int64_t> &a,
                                              const std::vector<int64_t> &b) {
  size_t r = std::max(a.size(), b.size());
  std::vector<int64_t> out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1)
      return std::nullopt;
    out[i] = da == 1 ? db : da; // a 1 stretches to the other size, 0 included (not max)
  }
  return out;
}

/// Element of `f` read at multi-index `idx` of a broadcast result of rank idx.size().
double at(const Folded &f, const std::vector<int64_t> &idx) {
  size_t off = idx.size() - f.dims.size();
  auto st = f.strides();
  int64_t flat = 0;
  for (size_t d = 0; d < f.dims.size(); ++d)
    flat += (f.dims[d] == 1 ? 0 : idx[d + off]) * st[d];
  return f.v[flat];
}

/// Visits every multi-index of `dims` in row-major order.
template <typename Fn>
void forEachIndex(const std::vector<int64_t> &dims, Fn fn) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  std::vector<int64_t> idx(dims.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    fn(idx);
    for (int64_t d = static_cast<int64_t>(dims.size()) - 1; d >= 0; --d) {
      if (++idx[d] < dims[d])
        break;
      idx[d] = 0;
    }
  }
}

} // namespace

/// The ops this file can evaluate; Shape, Size, ConstantOfShape and Range are imported only
/// this way (they are in the op table so that the supported-op check lets them through).
static const llvm::StringSet<> &foldableOps() {
  static const llvm::StringSet<> ops = {
      "Shape", "Size", "ConstantOfShape", "Range", "Gather", "Unsqueeze", "Squeeze",
      "Concat", "Cast", "Slice", "Add", "Sub", "Mul", "Div", "Reshape", "Flatten"};
  return ops;
}

bool Importer::foldShapeComputation(const onnx::NodeProto &n, bool &folded, bool quiet) {
  folded = false;
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    return true;
  const std::string &op = n.op_type();
  if (!foldableOps().contains(op) || n.output_size() != 1)
    return true;

  auto readConst = [&](int i, Folded &f) -> bool {
    const onnx::TensorProto *t = hasInput(n, i) ? constantTensor(n.input(i)) : nullptr;
    if (!t)
      return false;
    f.type = t->data_type();
    f.dims.assign(t->dims().begin(), t->dims().end());
    return readTensor(*t, f.v);
  };
  auto record = [&](Folded f) {
    for (double &x : f.v)
      x = representAs(x, f.type);
    constantNodes[n.output(0)] = toProto(f, n.output(0));
    folded = true;
    return true;
  };

  // Shape and Size need only the input's static shape.
  if (op == "Shape" || op == "Size") {
    if (quiet && !hasStaticShape(n.input(0)))
      return true; // perhaps after the next round of shape inference
    auto t = typeOf(n.input(0), &n);
    if (!t)
      return false;
    Folded f;
    if (op == "Size") {
      f.v = {static_cast<double>(t->getNumElements())};
      return record(f);
    }
    int64_t rank = t->getRank();
    auto clampDim = [&](int64_t d) {
      d = d < 0 ? d + rank : d;
      return std::clamp<int64_t>(d, 0, rank);
    };
    int64_t start = clampDim(attrInt(n, "start", 0));
    int64_t end = clampDim(attrInt(n, "end", rank));
    for (int64_t d = start; d < end; ++d)
      f.v.push_back(static_cast<double>(t->getDimSize(d)));
    f.dims = {static_cast<int64_t>(f.v.size())};
    return record(f);
  }

  // Every other op: all present inputs must be constants, and small.
  std::vector<Folded> in(n.input_size());
  for (int i = 0; i < n.input_size(); ++i) {
    if (n.input(i).empty())
      continue;
    if (!readConst(i, in[i]))
      return true; // a run-time value: imported as an op, or refused by its importer
    if (op != "ConstantOfShape" && in[i].size() > kMaxFoldedInputElements)
      return true;
  }
  if (n.input_size() == 0)
    return true;

  if (op == "ConstantOfShape") {
    Folded f;
    f.type = onnx::TensorProto::FLOAT;
    f.v = {0.0};
    if (const auto *a = findAttr(n, "value"); a && a->has_t()) {
      std::vector<double> value;
      if (!readTensor(a->t(), value) || value.size() != 1) {
        nodeError(n) << "the 'value' attribute must be a one-element tensor of float32, "
                        "uint8, int8, int32 or int64";
        return false;
      }
      f.type = a->t().data_type();
      f.v = value;
    }
    double fill = f.v[0];
    int64_t total = 1;
    for (double d : in[0].v) {
      if (d < 0 || total * std::max<double>(d, 1) > kMaxConstantOfShapeElements) {
        nodeError(n) << "the shape must be non-negative and hold at most "
                     << kMaxConstantOfShapeElements << " elements";
        return false;
      }
      f.dims.push_back(static_cast<int64_t>(d));
      total *= static_cast<int64_t>(d);
    }
    f.v.assign(total, fill);
    return record(f);
  }

  if (op == "Reshape" || op == "Unsqueeze" || op == "Squeeze" || op == "Flatten") {
    if (quiet && !hasStaticShape(n.output(0)))
      return true;
    auto t = typeOf(n.output(0), &n);
    if (!t)
      return false;
    Folded f = in[0];
    f.dims.assign(t->getShape().begin(), t->getShape().end());
    if (f.size() != static_cast<int64_t>(in[0].v.size())) {
      nodeError(n) << "the output has " << f.size() << " elements but the input "
                   << in[0].v.size();
      return false;
    }
    return record(f);
  }

  if (op == "Cast") {
    int64_t to = attrInt(n, "to", 0);
    if (to != onnx::TensorProto::FLOAT && !isIntegerType(static_cast<int32_t>(to)))
      return true; // left to Cast's importer, which names the type
    Folded f = in[0];
    f.type = static_cast<int32_t>(to);
    return record(f);
  }

  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    if (n.input_size() != 2 || in[0].type != in[1].type)
      return true;
    for (const Folded &operand : in) // values that do not fill their shape: not folded
      if (operand.size() != static_cast<int64_t>(operand.v.size()))
        return true;
    auto shape = broadcast(in[0].dims, in[1].dims);
    if (!shape) {
      nodeError(n) << "the inputs' shapes do not broadcast";
      return false;
    }
    Folded f;
    f.type = in[0].type;
    f.dims = *shape;
    bool integer = isIntegerType(f.type);
    bool ok = true;
    forEachIndex(f.dims, [&](const std::vector<int64_t> &idx) {
      double a = at(in[0], idx), b = at(in[1], idx);
      double r = 0;
      if (op == "Add") r = a + b;
      else if (op == "Sub") r = a - b;
      else if (op == "Mul") r = a * b;
      else if (integer && b == 0) ok = false;
      else r = integer ? std::trunc(a / b) : a / b;
      f.v.push_back(r);
    });
    if (!ok) {
      nodeError(n) << "integer division by zero in a shape computation";
      return false;
    }
    return record(f);
  }

  if (op == "Range") {
    if (n.input_size() != 3 || in[0].v.size() != 1 || in[1].v.size() != 1 ||
        in[2].v.size() != 1)
      return true;
    double start = in[0].v[0], limit = in[1].v[0], delta = in[2].v[0];
    if (delta == 0) {
      nodeError(n) << "delta is 0";
      return false;
    }
    double count = std::max(0.0, std::ceil((limit - start) / delta));
    if (count > kMaxConstantOfShapeElements) {
      nodeError(n) << "the range has more than " << kMaxConstantOfShapeElements << " elements";
      return false;
    }
    Folded f;
    f.type = in[0].type;
    for (int64_t k = 0; k < static_cast<int64_t>(count); ++k)
      f.v.push_back(start + k * delta);
    f.dims = {static_cast<int64_t>(f.v.size())};
    return record(f);
  }

  if (op == "Concat") {
    Folded f;
    f.type = in[0].type;
    int64_t rank = in[0].dims.size();
    std::optional<int64_t> axis = normalizeAxis(attrInt(n, "axis", 0), rank);
    if (!axis)
      return true; // Concat's importer reports it
    f.dims = in[0].dims;
    f.dims[*axis] = 0;
    for (const Folded &x : in) {
      if (static_cast<int64_t>(x.dims.size()) != rank || x.type != f.type)
        return true;
      for (int64_t d = 0; d < rank; ++d)
        if (d != *axis && x.dims[d] != in[0].dims[d])
          return true;
      f.dims[*axis] += x.dims[*axis];
    }
    // Row-major: for each index of the dimensions before the axis, the inputs' blocks in turn.
    int64_t outer = 1;
    for (int64_t d = 0; d < *axis; ++d)
      outer *= f.dims[d];
    for (int64_t o = 0; o < outer; ++o)
      for (const Folded &x : in) {
        int64_t block = x.size() / std::max<int64_t>(outer, 1);
        f.v.insert(f.v.end(), x.v.begin() + o * block, x.v.begin() + (o + 1) * block);
      }
    return record(f);
  }

  if (op == "Gather") {
    const Folded &x = in[0], &idx = in[1];
    int64_t rank = x.dims.size();
    std::optional<int64_t> axis = normalizeAxis(attrInt(n, "axis", 0), rank);
    if (!axis || rank == 0)
      return true;
    Folded f;
    f.type = x.type;
    f.dims.assign(x.dims.begin(), x.dims.begin() + *axis);
    f.dims.insert(f.dims.end(), idx.dims.begin(), idx.dims.end());
    f.dims.insert(f.dims.end(), x.dims.begin() + *axis + 1, x.dims.end());
    auto st = x.strides();
    int64_t q = idx.dims.size(), dim = x.dims[*axis];
    bool ok = true;
    forEachIndex(f.dims, [&](const std::vector<int64_t> &o) {
      std::vector<int64_t> ii(o.begin() + *axis, o.begin() + *axis + q);
      int64_t k = static_cast<int64_t>(at(idx, ii));
      k = k < 0 ? k + dim : k;
      if (k < 0 || k >= dim) {
        ok = false;
        f.v.push_back(0);
        return;
      }
      int64_t flat = k * st[*axis];
      for (int64_t d = 0; d < *axis; ++d)
        flat += o[d] * st[d];
      for (int64_t d = *axis + 1; d < rank; ++d)
        flat += o[d + q - 1] * st[d];
      f.v.push_back(x.v[flat]);
    });
    if (!ok) {
      nodeError(n) << "an index is outside axis " << *axis << " of size " << dim;
      return false;
    }
    return record(f);
  }

  if (op == "Slice") {
    const Folded &x = in[0];
    int64_t rank = x.dims.size();
    if (n.input_size() < 3)
      return true; // opset < 10: attributes; left to Slice's importer
    std::vector<double> axesV, stepsV;
    if (n.input_size() > 3 && !n.input(3).empty())
      axesV = in[3].v;
    else
      for (size_t j = 0; j < in[1].v.size(); ++j)
        axesV.push_back(j);
    if (n.input_size() > 4 && !n.input(4).empty())
      stepsV = in[4].v;
    else
      stepsV.assign(in[1].v.size(), 1);
    if (axesV.size() != in[1].v.size() || in[2].v.size() != in[1].v.size() ||
        stepsV.size() != in[1].v.size())
      return true;
    std::vector<std::vector<int64_t>> picks(rank);
    for (int64_t d = 0; d < rank; ++d)
      for (int64_t k = 0; k < x.dims[d]; ++k)
        picks[d].push_back(k);
    for (size_t j = 0; j < axesV.size(); ++j) {
      std::optional<int64_t> a = normalizeAxis(static_cast<int64_t>(axesV[j]), rank);
      int64_t step = static_cast<int64_t>(stepsV[j]);
      if (!a || step == 0)
        return true;
      int64_t dim = x.dims[*a];
      auto norm = [&](double v, int64_t lo, int64_t hi) {
        double c = std::clamp(v, -4e18, 4e18);
        int64_t i = static_cast<int64_t>(c);
        i = i < 0 ? i + dim : i;
        return std::clamp(i, lo, hi);
      };
      int64_t s = step > 0 ? norm(in[1].v[j], 0, dim) : norm(in[1].v[j], -1, dim - 1);
      int64_t e = step > 0 ? norm(in[2].v[j], 0, dim) : norm(in[2].v[j], -1, dim - 1);
      picks[*a].clear();
      for (int64_t k = s; step > 0 ? k < e : k > e; k += step)
        picks[*a].push_back(k);
    }
    Folded f;
    f.type = x.type;
    for (const auto &p : picks)
      f.dims.push_back(p.size());
    auto st = x.strides();
    forEachIndex(f.dims, [&](const std::vector<int64_t> &o) {
      int64_t flat = 0;
      for (int64_t d = 0; d < rank; ++d)
        flat += picks[d][o[d]] * st[d];
      f.v.push_back(x.v[flat]);
    });
    return record(f);
  }
  return true;
}

bool Importer::hasStaticShape(const std::string &name) {
  auto it = valueTypes.find(name);
  if (it == valueTypes.end() || !it->second.has_tensor_type() ||
      !it->second.tensor_type().has_shape())
    return false;
  for (const auto &d : it->second.tensor_type().shape().dim())
    if (!d.has_dim_value())
      return false;
  return true;
}

/// Folds shape computations until none is left, turning each folded node into a Constant
/// node in the model and re-running shape inference: ONNX's inference then sees the
/// values (a Reshape's target, a Resize's sizes) that its own data propagation missed.
bool Importer::foldShapeGraph() {
  constexpr int kMaxRounds = 16;
  for (int round = 0; round < kMaxRounds; ++round) {
    bool changed = false;
    for (auto &n : *model.mutable_graph()->mutable_node()) {
      if ((n.domain().empty() || n.domain() == "ai.onnx") && n.op_type() == "Constant") {
        if (const auto *a = findAttr(n, "value"); a && a->has_t() && n.output_size() == 1) {
          onnx::TensorProto t = a->t();
          t.set_name(n.output(0));
          constantNodes[n.output(0)] = t;
        }
        continue;
      }
      bool folded = false;
      if (!foldShapeComputation(n, folded, /*quiet=*/true))
        return false;
      if (!folded)
        continue;
      std::string out = n.output(0), name = n.name();
      n.Clear();
      n.set_op_type("Constant");
      n.set_name(name);
      n.add_output(out);
      auto *a = n.add_attribute();
      a->set_name("value");
      a->set_type(onnx::AttributeProto::TENSOR);
      *a->mutable_t() = constantNodes[out];
      changed = true;
    }
    // NonMaxSuppression's output has as many rows as it selects; qcc's has its static
    // maximum (batches x classes x max_output_boxes_per_class), which downstream shapes
    // then follow.
    for (const auto &n : model.graph().node()) {
      if (n.op_type() != "NonMaxSuppression" || n.output_size() != 1 ||
          pinnedShapes.count(n.output(0)) || !hasStaticShape(n.input(0)) ||
          !hasStaticShape(n.input(1)))
        continue;
      int64_t maxOut;
      float iou;
      std::optional<float> score;
      if (!nmsParameters(n, maxOut, iou, score, /*report=*/false))
        continue;
      const auto &bd = valueTypes[n.input(0)].tensor_type().shape();
      const auto &sd = valueTypes[n.input(1)].tensor_type().shape();
      if (bd.dim_size() != 3 || sd.dim_size() != 3)
        continue;
      int64_t rows = bd.dim(0).dim_value() * sd.dim(1).dim_value() *
                     std::min(maxOut, bd.dim(1).dim_value());
      pinnedShapes[n.output(0)] = {rows, 3};
      changed = true;
    }
    if (!changed)
      return true;
    model.mutable_graph()->clear_value_info();
    for (const auto &kv : pinnedShapes) {
      auto *vi = model.mutable_graph()->add_value_info();
      vi->set_name(kv.first);
      auto *tt = vi->mutable_type()->mutable_tensor_type();
      tt->set_elem_type(onnx::TensorProto::INT64);
      for (int64_t d : kv.second)
        tt->mutable_shape()->add_dim()->set_dim_value(d);
    }
    // Split sizes that folding just made constant are checked against the input's
    // dimension before ONNX's inference sees them (ONNX 1.12's Split inference reads past
    // its outputs when the sizes do not add up: SIGSEGV, found by qcc-fuzz-onnx).
    for (const auto &n : model.graph().node()) {
      if (!(n.domain().empty() || n.domain() == "ai.onnx") || n.op_type() != "Split" ||
          !hasInput(n, 1) || !hasStaticShape(n.input(0)))
        continue;
      const onnx::TensorProto *t = constantTensor(n.input(1));
      std::vector<double> sizes;
      if (!t || !readTensor(*t, sizes))
        continue;
      const auto &shape = valueTypes[n.input(0)].tensor_type().shape();
      int64_t rank = shape.dim_size(), axis = attrInt(n, "axis", 0);
      if (axis < -rank || axis >= rank) {
        nodeError(n) << "axis " << axis << " is out of range for a rank-" << rank << " input";
        return false;
      }
      if (axis < 0)
        axis += rank;
      double sum = 0;
      bool negative = false;
      for (double v : sizes) {
        sum += v;
        negative |= v < 0;
      }
      int64_t dim = shape.dim(axis).dim_value();
      if (negative || sum != static_cast<double>(dim) ||
          static_cast<int>(sizes.size()) != n.output_size()) {
        nodeError(n) << "its " << sizes.size() << " split sizes (sum " << static_cast<int64_t>(sum)
                     << ") must be non-negative, one per output (" << n.output_size()
                     << "), and add up to the input's dimension " << axis << " (" << dim << ")";
        return false;
      }
    }
    valueTypes.clear();
    if (!inferShapes())
      return false;
    for (const auto &kv : pinnedShapes) { // over a graph output's declared dynamic shape
      auto *shape = valueTypes[kv.first].mutable_tensor_type()->mutable_shape();
      valueTypes[kv.first].mutable_tensor_type()->set_elem_type(onnx::TensorProto::INT64);
      shape->clear_dim();
      for (int64_t d : kv.second)
        shape->add_dim()->set_dim_value(d);
    }
  }
  return true;
}

bool Importer::importFoldedOnly(const onnx::NodeProto &n) {
  nodeError(n) << n.op_type() << " is evaluated at compile time, which needs "
               << (n.op_type() == "Shape" || n.op_type() == "Size"
                       ? "its input's static shape"
                       : "every input to be a constant (an initializer, a Constant node or "
                         "a shape computation)");
  return false;
}

} // namespace mlir::qcc::onnx_import
