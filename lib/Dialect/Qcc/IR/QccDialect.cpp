//===- QccDialect.cpp - the qcc dialect -----------------------------------===//
#include "qcc/Dialect/Qcc/IR/QccDialect.h"
#include "qcc/Dialect/Qcc/IR/QccOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

#include <cmath>

using namespace mlir;
using namespace mlir::qcc;

#include "qcc/Dialect/Qcc/IR/QccOpsDialect.cpp.inc"

void QccDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "qcc/Dialect/Qcc/IR/QccOps.cpp.inc"
      >();
}

namespace {

/// A layer precision qcc-quantize knows.
bool isPrecisionName(StringRef s) { return s == "int8" || s == "int16" || s == "float"; }

/// A non-negative integer.
bool isCount(Attribute a) {
  auto i = dyn_cast<IntegerAttr>(a);
  return i && !i.getValue().isNegative();
}

/// What each attribute declared in QccDialect.td (discardableAttrs) must hold: its kind
/// and its value, as a short phrase for the error.
LogicalResult verifyValue(Operation *op, StringRef name, Attribute value,
                          function_ref<InFlightDiagnostic()> error) {
  auto is = [&](bool ok, StringRef what) -> LogicalResult {
    if (ok)
      return success();
    return error() << "'" << name << "' must be " << what;
  };
  if (name == QccDialect::EntryAttrHelper::getNameStr() ||
      name == QccDialect::EpilogueAttrHelper::getNameStr() ||
      name == QccDialect::ArenaAttrHelper::getNameStr())
    return is(isa<UnitAttr>(value), "a unit attribute");
  if (name == QccDialect::NameAttrHelper::getNameStr() ||
      name == QccDialect::DtypeAttrHelper::getNameStr() ||
      name == QccDialect::TensorAttrHelper::getNameStr())
    return is(isa<StringAttr>(value), "a string");
  if (name == QccDialect::TileSizesAttrHelper::getNameStr()) {
    auto sizes = dyn_cast<DenseI64ArrayAttr>(value);
    return is(sizes && llvm::all_of(sizes.asArrayRef(), [](int64_t s) { return s >= 0; }),
              "an array of non-negative tile sizes (0: not tiled)");
  }
  if (name == QccDialect::TileInterchangeAttrHelper::getNameStr()) {
    auto order = dyn_cast<DenseI64ArrayAttr>(value);
    SmallVector<int64_t> sorted(order ? order.asArrayRef() : ArrayRef<int64_t>());
    llvm::sort(sorted);
    bool permutation = order != nullptr;
    for (size_t i = 0; i < sorted.size(); ++i)
      permutation &= sorted[i] == static_cast<int64_t>(i);
    return is(permutation, "a permutation of the tiled loops");
  }
  if (name == QccDialect::ArenaAlignmentAttrHelper::getNameStr()) {
    auto i = dyn_cast<IntegerAttr>(value);
    return is(i && i.getInt() > 0 && llvm::isPowerOf2_64(i.getInt()), "a power of two");
  }
  if (name == QccDialect::NumInputsAttrHelper::getNameStr() ||
      name == QccDialect::NumOutputsAttrHelper::getNameStr() ||
      name == QccDialect::OpsetAttrHelper::getNameStr() ||
      name == QccDialect::DistinctAttrHelper::getNameStr() ||
      name == QccDialect::ArenaSizeAttrHelper::getNameStr() ||
      name == QccDialect::ArenaLowerBoundAttrHelper::getNameStr() ||
      name == QccDialect::LayersAttrHelper::getNameStr() ||
      name == QccDialect::ParallelLayersAttrHelper::getNameStr() ||
      name == QccDialect::ParallelTripsAttrHelper::getNameStr())
    return is(isCount(value), "a non-negative integer");
  if (name == QccDialect::CalibRangeAttrHelper::getNameStr()) {
    auto r = dyn_cast<DenseF32ArrayAttr>(value);
    return is(r && r.size() == 2 && std::isfinite(r[0]) && std::isfinite(r[1]) && r[0] <= r[1],
              "an array of two finite f32 values [min, max], min <= max");
  }
  if (name == QccDialect::PrecisionAttrHelper::getNameStr()) {
    auto s = dyn_cast<StringAttr>(value);
    return is(s && isPrecisionName(s.getValue()), "one of \"int8\", \"int16\", \"float\"");
  }
  if (name == QccDialect::SensitivityAttrHelper::getNameStr()) {
    auto d = dyn_cast<DictionaryAttr>(value);
    bool ok = d != nullptr;
    for (NamedAttribute e : d ? d.getValue() : ArrayRef<NamedAttribute>())
      ok &= isPrecisionName(e.getName().strref()) && isa<FloatAttr>(e.getValue());
    return is(ok, "a dictionary from precision names to SQNR values in dB (f32)");
  }
  return error() << "'" << name << "' is not an attribute of the qcc dialect";
}

} // namespace

LogicalResult QccDialect::verifyOperationAttribute(Operation *op, NamedAttribute attribute) {
  StringRef name = attribute.getName().strref();
  auto error = [&] { return op->emitOpError(); };
  if (name == NameAttrHelper::getNameStr() || name == DtypeAttrHelper::getNameStr() ||
      name == ArenaAttrHelper::getNameStr())
    return error() << "'" << name << "' belongs on the entry function's arguments"
                   << (name == ArenaAttrHelper::getNameStr() ? "" : " and results");
  if ((name == EntryAttrHelper::getNameStr() || name == ParallelTripsAttrHelper::getNameStr() ||
       name == NumInputsAttrHelper::getNameStr() || name == NumOutputsAttrHelper::getNameStr()) &&
      !isa<FunctionOpInterface>(op))
    return error() << "'" << name << "' belongs on a function";
  if ((name == OpsetAttrHelper::getNameStr() || name == ArenaSizeAttrHelper::getNameStr() ||
       name == ArenaLowerBoundAttrHelper::getNameStr() ||
       name == ArenaAlignmentAttrHelper::getNameStr() || name == LayersAttrHelper::getNameStr() ||
       name == ParallelLayersAttrHelper::getNameStr()) &&
      !isa<ModuleOp>(op))
    return error() << "'" << name << "' belongs on the module";
  return verifyValue(op, name, attribute.getValue(), error);
}

LogicalResult QccDialect::verifyRegionArgAttribute(Operation *op, unsigned, unsigned argIndex,
                                                   NamedAttribute attribute) {
  StringRef name = attribute.getName().strref();
  auto error = [&] { return op->emitOpError() << "argument " << argIndex << ": "; };
  if (name != NameAttrHelper::getNameStr() && name != DtypeAttrHelper::getNameStr() &&
      name != ArenaAttrHelper::getNameStr() && name != CalibRangeAttrHelper::getNameStr())
    return error() << "'" << name << "' is not an argument attribute";
  return verifyValue(op, name, attribute.getValue(), error);
}

LogicalResult QccDialect::verifyRegionResultAttribute(Operation *op, unsigned,
                                                      unsigned resultIndex,
                                                      NamedAttribute attribute) {
  StringRef name = attribute.getName().strref();
  auto error = [&] { return op->emitOpError() << "result " << resultIndex << ": "; };
  if (name != NameAttrHelper::getNameStr() && name != DtypeAttrHelper::getNameStr())
    return error() << "'" << name << "' is not a result attribute";
  return verifyValue(op, name, attribute.getValue(), error);
}
