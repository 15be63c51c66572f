//===- Loader.cpp - reading an ONNX model ---------------------------------===//
//
// Parsing (protobuf or text syntax), opsets and IR versions (ONNX's version converter for
// old opsets), external data, pinned input shapes, element types, and the attribute
// accessors.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "llvm/ADT/StringSet.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/defs/parser.h>
#include <onnx/defs/schema.h>
#include <onnx/version_converter/convert.h>

using namespace mlir;

namespace mlir::qcc::onnx_import {

//===----------------------------------------------------------------------===//
// Attribute access
//===----------------------------------------------------------------------===//

const onnx::AttributeProto *findAttr(const onnx::NodeProto &n, llvm::StringRef name) {
  for (const auto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}
int64_t attrInt(const onnx::NodeProto &n, llvm::StringRef name, int64_t dflt) {
  const auto *a = findAttr(n, name);
  return a ? a->i() : dflt;
}
float attrFloat(const onnx::NodeProto &n, llvm::StringRef name, float dflt) {
  const auto *a = findAttr(n, name);
  return a ? a->f() : dflt;
}
std::string attrString(const onnx::NodeProto &n, llvm::StringRef name, llvm::StringRef dflt) {
  const auto *a = findAttr(n, name);
  return a ? a->s() : dflt.str();
}
SmallVector<int64_t> attrInts(const onnx::NodeProto &n, llvm::StringRef name,
                              ArrayRef<int64_t> dflt) {
  const auto *a = findAttr(n, name);
  if (!a)
    return SmallVector<int64_t>(dflt);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}
bool hasInput(const onnx::NodeProto &n, int i) {
  return n.input_size() > i && !n.input(i).empty();
}

//===----------------------------------------------------------------------===//
// Model-level steps
//===----------------------------------------------------------------------===//

bool Importer::parse(llvm::StringRef contents) {
  // ONNX text syntax starts with '<' after blank and '#' comment lines.
  llvm::StringRef trimmed = contents.ltrim();
  while (trimmed.starts_with("#"))
    trimmed = trimmed.drop_until([](char c) { return c == '\n'; }).ltrim();
  if (trimmed.starts_with("<")) {
    std::string text = contents.str();
    onnx::Common::Status status;
    try {
      status = onnx::OnnxParser::Parse(model, text.c_str());
    } catch (const std::exception &e) {
      // ONNX 1.12's parser converts numbers with std::stoi/stof, which throw.
      error() << "cannot parse the ONNX text-syntax model: a malformed or out-of-range number ("
              << e.what() << ")";
      return false;
    }
    if (!status.IsOK()) {
      error() << "cannot parse the ONNX text-syntax model: " << status.ErrorMessage();
      return false;
    }
    return checkHasNodes();
  }
  if (contents.empty()) {
    error() << "the model file is empty";
    return false;
  }
  if (contents.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !model.ParseFromArray(contents.data(), static_cast<int>(contents.size()))) {
    error() << "not a valid ONNX model: the protobuf could not be decoded (the file is "
               "truncated or corrupt)";
    return false;
  }
  return checkHasNodes();
}

bool Importer::checkHasNodes() {
  if (!model.has_graph() || model.graph().node_size() == 0) {
    error() << "not a valid ONNX model: it has no graph nodes";
    return false;
  }
  return true;
}

bool Importer::readOpset() {
  for (const auto &imp : model.opset_import()) {
    if (imp.domain().empty() || imp.domain() == "ai.onnx")
      opset = imp.version();
  }
  if (opset <= 0) {
    error() << "the model imports no version of the default ONNX domain";
    return false;
  }
  schemaOpsets = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map().at("").second;
  if (opset > kMaxKnownOpset) {
    error() << "the model uses ONNX opset " << opset << "; qcc knows opsets up to "
            << kMaxKnownOpset << " (its ONNX library knows " << schemaOpsets
            << "), so it cannot tell what the model's ops mean";
    return false;
  }
  if (model.ir_version() > kMaxKnownIrVersion) {
    error() << "the model has IR version " << model.ir_version() << "; qcc reads IR versions "
            << "up to " << kMaxKnownIrVersion;
    return false;
  }
  return true;
}

bool Importer::checkOpsets() {
  bool ok = true;
  if (opset < kMinOpset) {
    // The version converter upgrades older models when the ops used did not change
    // meaning in a way it cannot express. It assumes a model ONNX's checker accepts
    // (it crashed on one whose IR version 2 initializer was not a graph input).
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception &e) {
      error() << "the ONNX checker rejected the model: " << e.what();
      return false;
    }
    try {
      model = onnx::version_conversion::ConvertVersion(model, kMinOpset);
      opset = kMinOpset;
    } catch (const std::exception &e) {
      error() << "the model uses opset " << opset << "; qcc supports opset " << kMinOpset
              << " and later, and ONNX's version converter could not upgrade it: " << e.what();
      ok = false;
    }
  }
  return ok;
}

/// Opset 18 moved the axes of ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1,
/// ReduceL2, ReduceLogSum, ReduceLogSumExp and ReduceSumSquare from an attribute to an
/// input and gave Split a num_outputs attribute. qcc reads ONNX 1.12's schemas (opset 17),
/// so such nodes are rewritten to the opset-13 form when that means the same: constant axes
/// (an initializer or a Constant node) become the attribute (noop_with_empty_axes = 0 and
/// non-empty axes, or no axes: all of them), and num_outputs equal to the number of outputs
/// is dropped (an equal split). Anything else is left for validation to report.
bool Importer::rewriteOpset18Forms() {
  if (opset < 18)
    return true;
  static const llvm::StringSet<> reduces = {
      "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
      "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"};
  auto *g = model.mutable_graph();
  auto constantInts = [&](const std::string &name, std::vector<int64_t> &out) {
    const onnx::TensorProto *t = nullptr;
    for (const auto &init : g->initializer())
      if (init.name() == name)
        t = &init;
    for (const auto &n : g->node())
      if (n.op_type() == "Constant" && n.output_size() == 1 && n.output(0) == name)
        for (const auto &a : n.attribute())
          if (a.name() == "value" && a.has_t())
            t = &a.t();
    std::vector<double> values;
    if (!t || t->data_type() != onnx::TensorProto::INT64 || !readTensor(*t, values))
      return false;
    out.assign(values.begin(), values.end());
    return true;
  };
  auto removeAttr = [](onnx::NodeProto &n, llvm::StringRef name) {
    auto *attrs = n.mutable_attribute();
    for (int i = 0; i < attrs->size(); ++i)
      if ((*attrs)[i].name() == name) {
        attrs->DeleteSubrange(i, 1);
        return;
      }
  };
  for (auto &n : *g->mutable_node()) {
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      continue;
    if (reduces.contains(n.op_type())) {
      bool noop = attrInt(n, "noop_with_empty_axes", 0) != 0;
      std::vector<int64_t> axes;
      bool hasAxes = n.input_size() > 1 && !n.input(1).empty();
      if (hasAxes && !constantInts(n.input(1), axes))
        continue; // run-time axes: validation names the extra input
      if (noop && axes.empty())
        continue; // the identity: not an opset-13 form
      removeAttr(n, "noop_with_empty_axes");
      if (n.input_size() > 1)
        n.mutable_input()->DeleteSubrange(1, n.input_size() - 1);
      if (!axes.empty()) {
        auto *a = n.add_attribute();
        a->set_name("axes");
        a->set_type(onnx::AttributeProto::INTS);
        for (int64_t v : axes)
          a->add_ints(v);
      }
    } else if (n.op_type() == "Split" && findAttr(n, "num_outputs") &&
               attrInt(n, "num_outputs", 0) == n.output_size() &&
               (n.input_size() < 2 || n.input(1).empty())) {
      removeAttr(n, "num_outputs");
    }
  }
  return true;
}

bool Importer::loadExternalData(onnx::TensorProto &t) {
  if (t.data_location() != onnx::TensorProto::EXTERNAL)
    return true;
  std::string location;
  int64_t offset = 0, length = -1;
  auto where = [&]() -> InFlightDiagnostic {
    return std::move(error() << "initializer '" << t.name() << "': external data ");
  };
  for (const auto &kv : t.external_data()) {
    int64_t *field = kv.key() == "offset" ? &offset : kv.key() == "length" ? &length : nullptr;
    if (kv.key() == "location") {
      location = kv.value();
    } else if (field) {
      if (llvm::StringRef(kv.value()).getAsInteger(10, *field) || *field < 0) {
        where() << kv.key() << " '" << kv.value() << "' is not a non-negative integer";
        return false;
      }
    }
  }
  // Only files inside the model's folder: no absolute paths, no "..".
  bool escapes = location.empty() || llvm::sys::path::is_absolute(location);
  for (auto it = llvm::sys::path::begin(location); it != llvm::sys::path::end(location); ++it)
    if (*it == "..")
      escapes = true;
  if (escapes) {
    where() << "location '" << location << "' must be a relative path inside the model's folder";
    return false;
  }
  llvm::SmallString<256> full(opts.modelDir);
  llvm::sys::path::append(full, location);
  // The real path (symbolic links resolved) must stay inside the model's real folder, and
  // be a regular file: a link to a file elsewhere, a device or a named pipe is refused.
  llvm::SmallString<256> realDir, realFile;
  if (std::error_code ec = llvm::sys::fs::real_path(opts.modelDir, realDir)) {
    where() << "cannot resolve the model's folder '" << opts.modelDir << "': " << ec.message();
    return false;
  }
  if (std::error_code ec = llvm::sys::fs::real_path(full, realFile)) {
    where() << "cannot read file '" << full << "': " << ec.message();
    return false;
  }
  llvm::StringRef rel(realFile);
  if (!rel.consume_front(realDir) || !llvm::sys::path::is_separator(rel.empty() ? '\0' : rel[0])) {
    where() << "file '" << location << "' resolves to '" << realFile
            << "', outside the model's folder '" << realDir << "' (symbolic links may not "
            << "leave it)";
    return false;
  }
  llvm::sys::fs::file_status st;
  if (std::error_code ec = llvm::sys::fs::status(realFile, st)) {
    where() << "cannot read file '" << full << "': " << ec.message();
    return false;
  }
  if (st.type() != llvm::sys::fs::file_type::regular_file) {
    where() << "'" << location << "' is not a regular file";
    return false;
  }
  auto size = static_cast<int64_t>(st.getSize());
  if (offset > size || (length >= 0 && length > size - offset)) {
    where() << "range [" << offset << ", " << (length >= 0 ? std::to_string(offset + length) : "end")
            << ") lies outside '" << location << "' (" << size << " bytes)";
    return false;
  }
  if (length < 0)
    length = size - offset;
  auto buf = llvm::MemoryBuffer::getFileSlice(realFile, length, offset, /*IsVolatile=*/false);
  if (!buf) {
    where() << "cannot read file '" << full << "': " << buf.getError().message();
    return false;
  }
  t.set_raw_data(std::string((*buf)->getBufferStart(), (*buf)->getBufferSize()));
  t.clear_external_data();
  t.set_data_location(onnx::TensorProto::DEFAULT);
  return true;
}

bool Importer::pinAndCheckInputs() {
  bool ok = true;
  llvm::StringSet<> initNames;
  for (const auto &t : model.graph().initializer())
    initNames.insert(t.name());
  llvm::StringSet<> seen;
  for (auto &in : *model.mutable_graph()->mutable_input()) {
    if (initNames.contains(in.name()))
      continue;
    seen.insert(in.name());
    auto *tt = in.mutable_type()->mutable_tensor_type();
    auto pinned = opts.inputShapes.find(in.name());
    if (pinned != opts.inputShapes.end()) {
      const auto &dims = pinned->second;
      if (tt->has_shape() && tt->shape().dim_size() != (int)dims.size()) {
        error() << "--input-shape for '" << in.name() << "' gives " << dims.size()
                << " dimensions, the model declares " << tt->shape().dim_size();
        ok = false;
        continue;
      }
      for (int i = 0; tt->has_shape() && i < (int)dims.size(); ++i) {
        const auto &d = tt->shape().dim(i);
        if (d.has_dim_value() && d.dim_value() != dims[i]) {
          error() << "--input-shape for '" << in.name() << "' sets dimension " << i << " to "
                  << dims[i] << ", but the model fixes it at " << d.dim_value();
          ok = false;
        }
      }
      tt->mutable_shape()->clear_dim();
      for (int64_t d : dims)
        tt->mutable_shape()->add_dim()->set_dim_value(d);
      continue;
    }
    if (!tt->has_shape()) {
      error() << "input '" << in.name() << "' has no shape; pin it with --input-shape="
              << in.name() << ":1x3x224x224 (your dimensions)";
      ok = false;
      continue;
    }
    for (int i = 0; i < tt->shape().dim_size(); ++i) {
      auto &d = *tt->mutable_shape()->mutable_dim(i);
      // A symbolic leading (batch) dimension, as exporters write it for every model: one
      // sample, said so; --input-shape sets another batch.
      if (i == 0 && tt->shape().dim_size() >= 2 && !d.has_dim_value()) {
        emitRemark(fileLoc) << "input '" << in.name() << "' has a dynamic batch dimension"
                            << (d.has_dim_param() ? " '" + d.dim_param() + "'" : std::string())
                            << "; compiled for batch 1 (--input-shape=" << in.name()
                            << ":NxD1x... sets another)";
        d.set_dim_value(1);
        continue;
      }
      if (!d.has_dim_value() || d.dim_value() <= 0) {
        error() << "input '" << in.name() << "' has a dynamic dimension "
                << (d.has_dim_param() ? "'" + d.dim_param() + "'" : std::string("?"))
                << " (dimension " << i << "); qcc compiles static shapes only: pin it with --input-shape="
                << in.name() << ":D0xD1x...";
        ok = false;
        break;
      }
    }
  }
  for (const auto &kv : opts.inputShapes)
    if (!seen.contains(kv.first)) {
      error() << "--input-shape names '" << kv.first << "', which is not an input of the model";
      ok = false;
    }
  return ok;
}

/// Every tensor the graph declares (inputs, outputs, initializers) has an element type qcc
/// can compile; checked before ONNX's shape inference, whose own complaints are less clear.
bool Importer::checkElementTypes() {
  bool ok = true;
  auto check = [&](const std::string &name, int32_t type, const char *what) {
    if (type == onnx::TensorProto::UNDEFINED || elementTypeFor(type))
      return;
    error() << what << " '" << name << "' has element type " << onnxTypeName(type)
            << ", which is not supported; supported: float32, uint8, int8, int32, int64";
    ok = false;
  };
  const auto &g = model.graph();
  for (const auto &vi : g.input())
    check(vi.name(), vi.type().tensor_type().elem_type(), "input");
  for (const auto &vi : g.output())
    check(vi.name(), vi.type().tensor_type().elem_type(), "output");
  for (const auto &t : g.initializer())
    check(t.name(), t.data_type(), "initializer");
  return ok;
}

} // namespace mlir::qcc::onnx_import
