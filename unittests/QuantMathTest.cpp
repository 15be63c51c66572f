// Scalar quantization arithmetic against values derived by hand from the definitions in
// the ONNX spec (QuantizeLinear), ONNX Runtime's MLAS and TFLite/gemmlowp (fixedpoint.h).
#include "qcc/Dialect/Qcc/Utils/QuantMath.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace mlir::qcc;

TEST(QuantizeValue, RoundsHalfToEven) {
  EXPECT_EQ(quantizeValue(2.5f, 1.f, 0, -128, 127), 2);
  EXPECT_EQ(quantizeValue(3.5f, 1.f, 0, -128, 127), 4);
  EXPECT_EQ(quantizeValue(-2.5f, 1.f, 0, -128, 127), -2);
  EXPECT_EQ(quantizeValue(-3.5f, 1.f, 0, -128, 127), -4);
  // 0.025 / 0.05 = 0.5 -> 0, plus zero point 128.
  EXPECT_EQ(quantizeValue(0.025f, 0.05f, 128, 0, 255), 128);
}

TEST(QuantizeValue, Saturates) {
  EXPECT_EQ(quantizeValue(1000.f, 1.f, 0, 0, 255), 255);
  EXPECT_EQ(quantizeValue(-1000.f, 1.f, 0, 0, 255), 0);
  EXPECT_EQ(quantizeValue(6.f, 0.5f, -100, -128, 127), -88);
}

TEST(QuantizeValue, DividesRatherThanMultipliesByReciprocal) {
  // x = 0x1.8cccccp+0 (1.54999995f), scale 0.1f: x / scale = 15.499999f -> 15, while
  // x * (1 / scale) = 15.5f -> 16 (half to even). ONNX specifies the division.
  EXPECT_EQ(quantizeValue(0x1.8cccccp+0f, 0.1f, 0, -128, 127), 15);
  EXPECT_NE(static_cast<int64_t>(std::nearbyint(0x1.8cccccp+0f * (1.0f / 0.1f))), 15);
}

TEST(RequantScale, OrderOfOperations) {
  // (sx * sw) / sy in f32, as ONNX Runtime: 0.1f * 0.2f = 0.020000001f; / 0.3f.
  float expected = (0.1f * 0.2f) / 0.3f;
  EXPECT_EQ(convRequantScale(0.1f, 0.2f, 0.3f), expected);
  EXPECT_EQ(averageRequantScale(0.5f, 0.25f, 49), 0.5f / (0.25f * 49.f));
}

TEST(RequantizeFloat, MlasSemantics) {
  // 100 * 0.025 = 2.5 -> 2 (half to even), + zp 10.
  EXPECT_EQ(requantizeFloat(100, 0.025f, 10, 0, 255), 12);
  EXPECT_EQ(requantizeFloat(140, 0.025f, 10, 0, 255), 14); // 3.5 -> 4
  EXPECT_EQ(requantizeFloat(-100000, 0.5f, 10, 0, 255), 0);
  EXPECT_EQ(requantizeFloat(100000, 0.5f, -128, -128, 127), 127);
  // Above 2^24 the int32 -> f32 conversion rounds: 16777217 becomes 16777216.
  EXPECT_EQ(requantizeFloat(16777217, 1.0f / 16777216.f, 0, -128, 127), 1);
}

TEST(QuantizeMultiplier, Basics) {
  int32_t m;
  int shift;
  quantizeMultiplier(0.5, m, shift);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(shift, 0);
  quantizeMultiplier(1.0, m, shift);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(shift, 1);
  quantizeMultiplier(0.75, m, shift);
  EXPECT_EQ(m, 1610612736); // 0.75 * 2^31
  EXPECT_EQ(shift, 0);
  quantizeMultiplier(0.0, m, shift);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(shift, 0);
}

TEST(QuantizeMultiplier, RoundsTo2Pow31AndRenormalizes) {
  int32_t m;
  int shift;
  // 1 - 2^-40 = 0.99999... * 2^0: q * 2^31 rounds to 2^31 -> m = 2^30, shift = 1.
  quantizeMultiplier(1.0 - std::ldexp(1.0, -40), m, shift);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(shift, 1);
}

TEST(QuantizeMultiplier, FlushesBelowShiftMinus31) {
  int32_t m;
  int shift;
  quantizeMultiplier(std::ldexp(1.0, -40), m, shift);
  EXPECT_EQ(m, 0);
  EXPECT_EQ(shift, 0);
  // 2^-31 = 0.5 * 2^-30 is still representable.
  quantizeMultiplier(std::ldexp(1.0, -31), m, shift);
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(shift, -30);
}

TEST(SaturatingRoundingDoublingHighMul, Values) {
  EXPECT_EQ(saturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29);
  // Ties: +0.5 -> 1, -0.5 -> 0, -1.5 -> -1 (gemmlowp nudges by 2^30 or 1 - 2^30, then
  // truncates toward zero).
  EXPECT_EQ(saturatingRoundingDoublingHighMul(1, 1 << 30), 1);
  EXPECT_EQ(saturatingRoundingDoublingHighMul(-1, 1 << 30), 0);
  EXPECT_EQ(saturatingRoundingDoublingHighMul(-3, 1 << 30), -1);
  const int32_t min = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(saturatingRoundingDoublingHighMul(min, min), std::numeric_limits<int32_t>::max());
}

TEST(RoundingDivideByPOT, TiesAwayFromZero) {
  EXPECT_EQ(roundingDivideByPOT(3, 1), 2);   // 1.5 -> 2
  EXPECT_EQ(roundingDivideByPOT(-3, 1), -2); // -1.5 -> -2
  EXPECT_EQ(roundingDivideByPOT(5, 2), 1);   // 1.25 -> 1
  EXPECT_EQ(roundingDivideByPOT(-5, 2), -1); // -1.25 -> -1
  EXPECT_EQ(roundingDivideByPOT(6, 2), 2);   // 1.5 -> 2
  EXPECT_EQ(roundingDivideByPOT(7, 0), 7);
}

TEST(MultiplyByQuantizedMultiplier, Requantizes) {
  EXPECT_EQ(multiplyByQuantizedMultiplier(100, 1 << 30, 0), 50);  // * 0.5
  EXPECT_EQ(multiplyByQuantizedMultiplier(100, 1 << 30, 1), 100); // * 1.0
  EXPECT_EQ(multiplyByQuantizedMultiplier(100, 1 << 30, -2), 13); // * 0.125 = 12.5 -> 13
  EXPECT_EQ(multiplyByQuantizedMultiplier(3, 1 << 30, 0), 2);     // 1.5 -> 2
}

TEST(MultiplyByQuantizedMultiplier, LeftShiftWrapsInInt32) {
  // 2^30 << 2 wraps to 0 in int32, as in TFLite's reference kernels.
  EXPECT_EQ(multiplyByQuantizedMultiplier(1 << 30, 1 << 30, 2), 0);
}

// CalculateInputRadius(5, shift) = floor(31 * 2^26 / 2^shift), derived by hand.
TEST(SoftmaxInputRadius, HandDerived) {
  EXPECT_EQ(mlir::qcc::softmaxInputRadius(5, 20), 1984);    // 31 * 64
  EXPECT_EQ(mlir::qcc::softmaxInputRadius(5, 21), 992);     // 31 * 32
  EXPECT_EQ(mlir::qcc::softmaxInputRadius(5, 27), 15);      // 15.5 floors
  EXPECT_EQ(mlir::qcc::softmaxInputRadius(5, 31), 0);       // 0.97: only the row maximum counts
  EXPECT_EQ(mlir::qcc::softmaxInputRadius(5, 0), 31LL << 26);
}

// The trained MobileNetV2's logits: the f32 scale 0.0988925 times 2^26 is 0.791144 * 2^23,
// so Q31 round(0.791144 * 2^31) = 1698960256 with left shift 23, and diff_min =
// -floor(31 * 2^26 / 2^23) = -248 (derived by hand; the same figures as the lit test).
TEST(SoftmaxInputScaling, HandDerived) {
  mlir::qcc::SoftmaxInputScaling s(static_cast<double>(0.0988925f));
  EXPECT_EQ(s.multiplier, 1698960256);
  EXPECT_EQ(s.leftShift, 23);
  EXPECT_EQ(s.diffMin, -248);
  // A scale so large that the real multiplier saturates at 2^31 - 1: shift 31, only the
  // row maximum counts.
  mlir::qcc::SoftmaxInputScaling big(100.0);
  EXPECT_EQ(big.leftShift, 31);
  EXPECT_EQ(big.diffMin, 0);
}
