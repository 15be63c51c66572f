// RUN: qcc-opt %s -split-input-file -qcc-runtime-zero-points | FileCheck %s

// A hybrid fully connected layer (TFLite's asymmetric scheme, one zero point per row): the
// integer qcc.matmul of the stored values, then the correction by z[row] times the column
// sums of the weight: [1 + 3, 2 + 4] = [4, 6].
// CHECK-LABEL: func @matmul_per_row
// CHECK: %[[SUMS:.*]] = arith.constant dense<[4, 6]> : tensor<2xi32>
// CHECK: %[[A:.*]] = "quant.scast"(%{{.*}}) : (tensor<2x2xi8>) -> tensor<2x2x!quant.uniform<i8:f32, 1.000000e+00>>
// CHECK: %[[B:.*]] = "quant.scast"(%{{.*}}) : (tensor<2x2xi8>) -> tensor<2x2x!quant.uniform<i8:f32, 1.000000e+00>>
// CHECK: %[[M:.*]] = qcc.matmul %[[A]], %[[B]] : {{.*}} -> tensor<2x2x!quant.uniform<i32:f32, 1.000000e+00>>
// CHECK: %[[I:.*]] = "quant.scast"(%[[M]]) : (tensor<2x2x!quant.uniform<i32:f32, 1.000000e+00>>) -> tensor<2x2xi32>
// CHECK: qcc.zero_point_correction %[[I]], %{{.*}}, %[[SUMS]] {sums_axis = 1 : i64, zero_point_axis = 0 : i64}
// CHECK-NOT: qcc.matmul_integer
func.func @matmul_per_row(%x: tensor<2x2xf32>) -> tensor<2x2xi32> {
  %q, %s, %z = qcc.dynamic_quantize %x {scheme = "asymmetric"} : (tensor<2x2xf32>) -> (tensor<2x2xi8>, tensor<2xf32>, tensor<2xi8>)
  %w = arith.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %zw = arith.constant dense<0> : tensor<i8>
  %y = qcc.matmul_integer %q, %w, %z, %zw : (tensor<2x2xi8>, tensor<2x2xi8>, tensor<2xi8>, tensor<i8>) -> tensor<2x2xi32>
  return %y : tensor<2x2xi32>
}

// -----

// TFLite's symmetric scheme: the zero point is always 0, so a padded convolution becomes
// the integer qcc.conv2d with its pads and no correction.
// CHECK-LABEL: func @conv_symmetric_padded
// CHECK: %[[C:.*]] = qcc.conv2d %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
// CHECK: "quant.scast"(%[[C]])
// CHECK-NOT: qcc.zero_point_correction
// CHECK-NOT: qcc.conv_integer
func.func @conv_symmetric_padded(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xi32> {
  %q, %s, %z = qcc.dynamic_quantize %x {scheme = "symmetric"} : (tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xi8>, tensor<1xf32>, tensor<1xi8>)
  %w = arith.constant dense<1> : tensor<3x2x3x3xi8>
  %zw = arith.constant dense<0> : tensor<i8>
  %y = qcc.conv_integer %q, %w, %z, %zw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x4x4xi8>, tensor<3x2x3x3xi8>, tensor<1xi8>, tensor<i8>) -> tensor<1x3x4x4xi32>
  return %y : tensor<1x3x4x4xi32>
}

// -----

// ONNX's ConvInteger after DynamicQuantizeLinear (uint8, one run-time zero point) with uint8
// weights of zero point 128, 1x1: the sums of w - 128 per filter ((130 - 128) * 2 = 4 and
// (120 - 128) * 2 = -16), the correction unsigned.
// CHECK-LABEL: func @conv_onnx_unpadded
// CHECK: %[[SUMS:.*]] = arith.constant dense<[4, -16]> : tensor<2xi32>
// CHECK: qcc.conv2d {{.*}} : (tensor<1x2x3x3x!quant.uniform<u8:f32, 1.000000e+00>>, tensor<2x2x1x1x!quant.uniform<u8:f32, 1.000000e+00:128>>) -> tensor<1x2x3x3x!quant.uniform<i32:f32, 1.000000e+00>>
// CHECK: qcc.zero_point_correction %{{.*}}, %{{.*}}, %[[SUMS]] {sums_axis = 1 : i64, zero_point_axis = 0 : i64, zero_point_unsigned = true}
func.func @conv_onnx_unpadded(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xi32> {
  %q, %s, %z = qcc.dynamic_quantize %x : (tensor<1x2x3x3xf32>) -> (tensor<1x2x3x3xi8>, tensor<f32>, tensor<i8>)
  %w = arith.constant dense<[[[[-126]], [[-126]]], [[[120]], [[120]]]]> : tensor<2x2x1x1xi8>
  %zw = arith.constant dense<-128> : tensor<i8>
  %y = qcc.conv_integer %q, %w, %z, %zw {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, input_unsigned = true, weight_unsigned = true}
       : (tensor<1x2x3x3xi8>, tensor<2x2x1x1xi8>, tensor<i8>, tensor<i8>) -> tensor<1x2x3x3xi32>
  return %y : tensor<1x2x3x3xi32>
}

// -----

// A padded convolution with a run-time zero point: the input padded with that zero point
// (per batch index), then the unpadded integer convolution and the correction by the full
// window's sums (2 x 3 x 3 ones = 18 per filter).
// CHECK-LABEL: func @conv_asymmetric_padded
// CHECK: %[[SUMS:.*]] = arith.constant dense<18> : tensor<3xi32>
// CHECK: %[[P:.*]] = qcc.pad_with %{{.*}}, %[[Z:.*]] {pads = array<i64: 0, 0, 1, 1, 0, 0, 1, 1>} : (tensor<1x2x4x4xi8>, tensor<1xi8>) -> tensor<1x2x6x6xi8>
// CHECK: %[[X:.*]] = "quant.scast"(%[[P]])
// CHECK: qcc.conv2d %[[X]], %{{.*}} {dilations = array<i64: 1, 1>, group = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
// CHECK: qcc.zero_point_correction %{{.*}}, %[[Z]], %[[SUMS]]
// CHECK-NOT: qcc.conv_integer
func.func @conv_asymmetric_padded(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xi32> {
  %q, %s, %z = qcc.dynamic_quantize %x {scheme = "asymmetric"} : (tensor<1x2x4x4xf32>) -> (tensor<1x2x4x4xi8>, tensor<1xf32>, tensor<1xi8>)
  %w = arith.constant dense<1> : tensor<3x2x3x3xi8>
  %zw = arith.constant dense<0> : tensor<i8>
  %y = qcc.conv_integer %q, %w, %z, %zw {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x4x4xi8>, tensor<3x2x3x3xi8>, tensor<1xi8>, tensor<i8>) -> tensor<1x3x4x4xi32>
  return %y : tensor<1x3x4x4xi32>
}
