// RUN: qcc-opt %s -split-input-file -verify-diagnostics -qcc-decompose-conv-transpose | FileCheck %s

// Stride 2, kernel 2, no pads: zeros spread by reshape / pad / reshape, a unit-stride
// convolution padded by d * (K - 1) - pad = 1 before and (6 - 5 - 1 + 1) - 1 = 0 after the
// spread 6 positions; the weight C x F x KH x KW = 1 x 2 x 2 x 2 becomes F x C x KH x KW
// with each window flipped: [[1, 2], [3, 4]] -> [[4, 3], [2, 1]].
// CHECK-LABEL: func @stride2
// CHECK: %[[A:.*]] = qcc.reshape %arg0 : (tensor<1x1x3x3xf32>) -> tensor<1x1x3x1x3x1xf32>
// CHECK: %[[B:.*]] = qcc.pad %[[A]] {pads = array<i64: 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1>, value = 0.000000e+00 : f32} : (tensor<1x1x3x1x3x1xf32>) -> tensor<1x1x3x2x3x2xf32>
// CHECK: %[[C:.*]] = qcc.reshape %[[B]] : (tensor<1x1x3x2x3x2xf32>) -> tensor<1x1x6x6xf32>
// CHECK: %[[W:.*]] = arith.constant dense<{{\[}}{{\[}}{{\[}}[4.000000e+00, 3.000000e+00], [2.000000e+00, 1.000000e+00]]], {{\[}}{{\[}}[8.000000e+00, 7.000000e+00], [6.000000e+00, 5.000000e+00]]]]> : tensor<2x1x2x2xf32>
// CHECK: qcc.conv2d %[[C]], %[[W]] {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 1, 1>}
// CHECK-SAME: -> tensor<1x2x6x6xf32>
// CHECK-NOT: qcc.conv_transpose
func.func @stride2(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %w = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]]]> : tensor<1x2x2x2xf32>
  %y = qcc.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x1x3x3xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x6x6xf32>
  return %y : tensor<1x2x6x6xf32>
}

// -----

// Pads larger than d * (K - 1) crop the spread input: kernel 3, stride 2, pads [3, 0, 2, 3]
// on a 4 x 4 input (spread to 8 x 8): rows begin at 2 - 3 = -1 (crop 1) and end
// with 4 - 7 + 1 + 2 - 1 = -1 (crop 1); columns pad 2 before and 6 - 7 - 2 + 2 - 1 = -2
// after (crop 2).
// CHECK-LABEL: func @crop
// CHECK: %[[S:.*]] = qcc.slice %{{.*}} {offsets = array<i64: 0, 0, 1, 0>, strides = array<i64: 1, 1, 1, 1>} : (tensor<1x2x8x8xf32>) -> tensor<1x2x6x6xf32>
// CHECK: qcc.conv2d %[[S]], %{{.*}}, %arg1 {{{.*}}pads = array<i64: 0, 2, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x6x6xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x6xf32>
func.func @crop(%x: tensor<1x2x4x4xf32>, %b: tensor<2xf32>) -> tensor<1x2x4x6xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x3x3xf32>
  %y = qcc.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 3, 0, 2, 3>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x4x6xf32>
  return %y : tensor<1x2x4x6xf32>
}

// -----

// A QDQ weight per output channel (axis 1 of C x F/g x KH x KW, F/g = 1 scale here with
// group 2) becomes per axis 0 of the convolution weight, its parameters repeated per
// group; the integers move, the element type stays.
// CHECK-LABEL: func @quantized_grouped
// CHECK: %[[I:.*]] = arith.constant dense<{{\[}}{{\[}}{{\[}}[2, 1]]], {{\[}}{{\[}}[4, 3]]]]> : tensor<2x1x1x2xi8>
// CHECK: %[[Q:.*]] = "quant.scast"(%[[I]]) : (tensor<2x1x1x2xi8>) -> tensor<2x1x1x2x!quant.uniform<i8:f32:0, {5.000000e-01,5.000000e-01}>>
// CHECK: %[[F:.*]] = qcc.dequantize %[[Q]]
// CHECK: qcc.conv2d %arg0, %[[F]] {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 0, 1, 0, 1>, strides = array<i64: 1, 1>}
func.func @quantized_grouped(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x4xf32> {
  %wi = arith.constant dense<[[[[1, 2]]], [[[3, 4]]]]> : tensor<2x1x1x2xi8>
  %wq = "quant.scast"(%wi) : (tensor<2x1x1x2xi8>) -> tensor<2x1x1x2x!quant.uniform<i8:f32:1, {0.5}>>
  %w = qcc.dequantize %wq : (tensor<2x1x1x2x!quant.uniform<i8:f32:1, {0.5}>>) -> tensor<2x1x1x2xf32>
  %y = qcc.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 2 : i64}
       : (tensor<1x2x3x3xf32>, tensor<2x1x1x2xf32>) -> tensor<1x2x3x4xf32>
  return %y : tensor<1x2x3x4xf32>
}

// -----

func.func @runtime_weight(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  // expected-error @+1 {{needs a constant weight}}
  %y = qcc.conv_transpose %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %y : tensor<1x1x4x4xf32>
}
