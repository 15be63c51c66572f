//===- Detection.cpp - TFLite_Detection_PostProcess -----------------------===//
//
// The custom operator TFLite's object-detection exports end with (SSD box decoding and
// non-maximum suppression). Its parameters are a FlexBuffers map in the operator's
// custom_options, read with flatbuffers' own FlexBuffers reader after verifying it.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "qcc/Dialect/Qcc/IR/QccOps.h"

#include <flatbuffers/flexbuffers.h>

#include <cmath>

using namespace mlir;

namespace mlir::qcc::tflite_import {

bool Importer::importDetectionPostProcess(int i) {
  Location loc = opLoc(i);
  const auto *raw = op(i).custom_options();
  if (!raw || raw->size() == 0) {
    opError(i) << "its parameters (custom_options) are missing";
    return false;
  }
  std::vector<uint8_t> reuse;
  if (!flexbuffers::VerifyBuffer(raw->data(), raw->size(), &reuse)) {
    opError(i) << "its parameters (custom_options) are not a valid FlexBuffers map";
    return false;
  }
  flexbuffers::Reference root = flexbuffers::GetRoot(raw->data(), raw->size());
  if (!root.IsMap()) {
    opError(i) << "its parameters (custom_options) are not a FlexBuffers map";
    return false;
  }
  flexbuffers::Map m = root.AsMap();
  bool ok = true;
  auto number = [&](const char *key, std::optional<double> dflt) -> double {
    flexbuffers::Reference r = m[key];
    if (r.IsNull()) {
      if (dflt)
        return *dflt;
      opError(i) << "parameter '" << key << "' is missing";
      ok = false;
      return 0;
    }
    if (!r.IsNumeric() && !r.IsBool()) {
      opError(i) << "parameter '" << key << "' is not a number";
      ok = false;
      return 0;
    }
    return r.IsFloat() ? r.AsDouble() : static_cast<double>(r.AsInt64());
  };
  // A parameter as the file wrote it: integers without a fraction.
  auto shown = [](double v) {
    return v == std::floor(v) && std::fabs(v) < 1e15 ? std::to_string(static_cast<long long>(v))
                                                     : std::to_string(v);
  };
  double maxDetections = number("max_detections", std::nullopt);
  double maxClasses = number("max_classes_per_detection", std::nullopt);
  double numClasses = number("num_classes", std::nullopt);
  double scoreThreshold = number("nms_score_threshold", std::nullopt);
  double iouThreshold = number("nms_iou_threshold", std::nullopt);
  double ys = number("y_scale", std::nullopt), xs = number("x_scale", std::nullopt);
  double hs = number("h_scale", std::nullopt), ws = number("w_scale", std::nullopt);
  bool regular = number("use_regular_nms", 0.0) != 0;
  double perClass = number("detections_per_class", 100.0); // TFLite's default
  if (!ok)
    return false;
  if (!regular && maxClasses != 1) {
    opError(i) << "max_classes_per_detection = " << shown(maxClasses) << " is not supported with the "
               << "fast NMS (1 only; the regular NMS, use_regular_nms = true, takes any)";
    return false;
  }
  if (regular && !(perClass >= 1 && perClass <= 10000)) {
    opError(i) << "detections_per_class = " << shown(perClass) << " must be in [1, 10000]";
    return false;
  }
  if (!(maxDetections >= 1 && maxDetections <= 10000)) {
    opError(i) << "max_detections = " << shown(maxDetections) << " must be in [1, 10000]";
    return false;
  }
  if (!(iouThreshold > 0 && iouThreshold <= 1)) {
    opError(i) << "nms_iou_threshold = " << iouThreshold << " must be in (0, 1]";
    return false;
  }
  for (double s : {ys, xs, hs, ws})
    if (!(s != 0 && std::isfinite(s))) {
      opError(i) << "the box scales (y_scale, x_scale, h_scale, w_scale) must be finite and "
                    "non-zero";
      return false;
    }
  auto shape = [&](int k) { return shapeOf(input(i, k)); };
  auto bs = shape(0), ss = shape(1), as = shape(2);
  if (bs.size() != 3 || bs[0] != 1 || bs[2] < 4 || ss.size() != 3 || ss[0] != 1 ||
      ss[1] != bs[1] || as.size() != 2 || as[0] != bs[1] || as[1] != 4) {
    opError(i) << "needs boxes 1 x N x 4 (or more), scores 1 x N x C and anchors N x 4";
    return false;
  }
  int64_t classes = static_cast<int64_t>(numClasses);
  if (classes < 1 || classes > ss[2] || ss[2] - classes > 1) {
    opError(i) << "num_classes = " << classes << " does not fit " << ss[2]
               << " score columns (at most one background column)";
    return false;
  }
  Value boxes = floatValue(input(i, 0)), scores = floatValue(input(i, 1)),
        anchors = floatValue(input(i, 2));
  if (!boxes || !scores || !anchors)
    return false;
  int64_t md = static_cast<int64_t>(maxDetections);
  auto f32 = b.getF32Type();
  auto det = b.create<mlir::qcc::DetectionPostProcessOp>(
      loc,
      TypeRange{RankedTensorType::get({1, md, 4}, f32), RankedTensorType::get({1, md}, f32),
                RankedTensorType::get({1, md}, f32), RankedTensorType::get({1}, f32)},
      boxes, scores, anchors, b.getI64IntegerAttr(md),
      b.getI64IntegerAttr(regular ? static_cast<int64_t>(maxClasses) : 1),
      b.getI64IntegerAttr(classes), b.getF32FloatAttr(scoreThreshold),
      b.getF32FloatAttr(iouThreshold), b.getF32FloatAttr(ys), b.getF32FloatAttr(xs),
      b.getF32FloatAttr(hs), b.getF32FloatAttr(ws), b.getBoolAttr(regular),
      b.getI64IntegerAttr(regular ? static_cast<int64_t>(perClass) : 100));
  for (int k = 0; k < 4; ++k) {
    int t = output(i, k);
    if (tensor(t).type() != tfl::TensorType_FLOAT32) {
      opError(i) << "output " << k << " must be float32";
      return false;
    }
    // Exporters often leave these shapes empty (TFLite sets them when it prepares the
    // operator): the computed ones stand then.
    if (shapeOf(t).empty()) {
      values[t] = det.getResult(k);
      continue;
    }
    if (!define(i, t, det.getResult(k)))
      return false;
  }
  return true;
}

} // namespace mlir::qcc::tflite_import
