//===- QuantMath.cpp - scalar quantization arithmetic ---------------------===//
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlir::qcc {

int64_t quantizeValue(float x, float scale, int64_t zeroPoint, int64_t qmin, int64_t qmax) {
  float v = std::nearbyint(x / scale) + static_cast<float>(zeroPoint);
  v = std::min(std::max(v, static_cast<float>(qmin)), static_cast<float>(qmax));
  return static_cast<int64_t>(v);
}

float convRequantScale(float scaleX, float scaleW, float scaleY) {
  float product = scaleX * scaleW;
  return product / scaleY;
}

float averageRequantScale(float scaleX, float scaleY, int64_t count) {
  float denominator = scaleY * static_cast<float>(count);
  return scaleX / denominator;
}

int64_t requantizeFloat(int32_t acc, float scale, int64_t zeroPoint, int64_t qmin,
                        int64_t qmax) {
  float v = static_cast<float>(acc) * scale;
  v = std::min(std::max(v, static_cast<float>(qmin - zeroPoint)),
               static_cast<float>(qmax - zeroPoint));
  return static_cast<int64_t>(std::nearbyint(v)) + zeroPoint;
}

void quantizeMultiplier(double realMultiplier, int32_t &multiplier, int &shift) {
  if (realMultiplier == 0.0) {
    multiplier = 0;
    shift = 0;
    return;
  }
  double q = std::frexp(realMultiplier, &shift); // q in [0.5, 1)
  auto qFixed = static_cast<int64_t>(std::round(q * (1LL << 31)));
  if (qFixed == (1LL << 31)) {
    qFixed /= 2;
    ++shift;
  }
  // Below 2^-31 the multiplier flushes to zero, as in TFLite.
  if (shift < -31) {
    shift = 0;
    qFixed = 0;
  }
  multiplier = static_cast<int32_t>(qFixed);
}

int32_t saturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min())
    return std::numeric_limits<int32_t>::max();
  int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  int64_t nudge = ab >= 0 ? (1LL << 30) : (1 - (1LL << 30));
  return static_cast<int32_t>((ab + nudge) / (1LL << 31));
}

int32_t roundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((1LL << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

int32_t multiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift) {
  int leftShift = shift > 0 ? shift : 0;
  int rightShift = shift > 0 ? 0 : -shift;
  auto shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << leftShift);
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(shifted, multiplier), rightShift);
}

int64_t softmaxInputRadius(int integerBits, int leftShift) {
  double maxRescaled = 1.0 * ((1 << integerBits) - 1) * static_cast<double>(1LL << (31 - integerBits)) /
                       static_cast<double>(1LL << leftShift);
  return static_cast<int64_t>(std::floor(maxRescaled));
}

SoftmaxInputScaling::SoftmaxInputScaling(double inputScale) {
  double real = std::min(inputScale * static_cast<double>(1LL << (31 - kScaledDiffIntegerBits)),
                         (1LL << 31) - 1.0);
  quantizeMultiplier(real, multiplier, leftShift);
  diffMin = -softmaxInputRadius(kScaledDiffIntegerBits, leftShift);
}

} // namespace mlir::qcc
