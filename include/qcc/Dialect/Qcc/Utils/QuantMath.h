//===- QuantMath.h - scalar quantization arithmetic --------------*- C++ -*-===//
//
// The compile-time arithmetic of quantized kernels, in one place so that passes, lowerings
// and unit tests agree: ONNX's QuantizeLinear, ONNX Runtime's (MLAS) float requantization
// parameters, and TFLite/gemmlowp's fixed-point multipliers. See docs/quantization.md.
//
//===----------------------------------------------------------------------===//
#ifndef QCC_DIALECT_QCC_UTILS_QUANTMATH_H
#define QCC_DIALECT_QCC_UTILS_QUANTMATH_H

#include <cstdint>

namespace mlir::qcc {

/// The integer requantization arithmetic (qcc --requant, convert-qcc-to-linalg's
/// requant-mode).
enum class RequantMode {
  Float, ///< f32 multiplier, round half to even: ONNX Runtime's MLAS
  Fixed, ///< Q31 multiplier and shift: TFLite's integer-only (gemmlowp) arithmetic
};


/// ONNX QuantizeLinear of one value: saturate(round_half_even(x / scale) + zp), a true
/// division in f32, as ONNX Runtime computes it.
int64_t quantizeValue(float x, float scale, int64_t zeroPoint, int64_t qmin, int64_t qmax);

/// ONNX Runtime's requantization scale of a conv/matmul/gemm output channel:
/// (scale_x * scale_w) / scale_y, in f32, in that order.
float convRequantScale(float scaleX, float scaleW, float scaleY);

/// ONNX Runtime's QLinearGlobalAveragePool scale: scale_x / (scale_y * count), in f32.
float averageRequantScale(float scaleX, float scaleY, int64_t count);

/// MLAS requantization of one int32 accumulator: clamp(round_half_even(float(acc) * scale)
/// + zp, qmin, qmax) with f32 arithmetic. (float)acc rounds above 2^24, as MLAS does.
int64_t requantizeFloat(int32_t acc, float scale, int64_t zeroPoint, int64_t qmin,
                        int64_t qmax);

/// Fixed-point multiplier of a real scale M > 0 (TFLite QuantizeMultiplier): M = m * 2^shift
/// / 2^31 with m in [2^30, 2^31); m is rounded half away from zero, and a rounding up to
/// 2^31 renormalizes (m = 2^30, shift + 1). M = 0 gives m = 0, shift = 0.
void quantizeMultiplier(double realMultiplier, int32_t &multiplier, int &shift);

/// gemmlowp SaturatingRoundingDoublingHighMul: round_half_away((a * b) / 2^31), saturating
/// the single overflow case a = b = INT32_MIN.
int32_t saturatingRoundingDoublingHighMul(int32_t a, int32_t b);

/// gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero (0 <= exponent
/// <= 31).
int32_t roundingDivideByPOT(int32_t x, int exponent);

/// TFLite MultiplyByQuantizedMultiplier: the fixed-point requantization of an accumulator.
/// Left shifts wrap in int32 the way TFLite's reference kernels do.
int32_t multiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift);

/// TFLite CalculateInputRadius(integerBits, leftShift) with 31 signed bits: the largest
/// |x - max| whose rescaling by a Q31 multiplier and 2^leftShift stays within
/// Q(integerBits).(31 - integerBits), floor((2^integerBits - 1) * 2^(31 - integerBits) /
/// 2^leftShift). Softmax inputs further below the row maximum contribute 0.
int64_t softmaxInputRadius(int integerBits, int leftShift);

/// The input scaling of TFLite (Micro)'s quantized softmax with beta = 1: the difference
/// x - max(x) of stored values is scaled into Q5.26 by the Q31 `multiplier` and 2^leftShift
/// of min(inputScale * 2^26, 2^31 - 1) (PreprocessSoftmaxScaling); differences below
/// `diffMin` = -softmaxInputRadius(5, leftShift) contribute 0.
struct SoftmaxInputScaling {
  static constexpr int kScaledDiffIntegerBits = 5;
  int32_t multiplier = 0;
  int leftShift = 0;
  int64_t diffMin = 0;
  explicit SoftmaxInputScaling(double inputScale);
};

} // namespace mlir::qcc

#endif // QCC_DIALECT_QCC_UTILS_QUANTMATH_H
