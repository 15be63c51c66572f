// Round trip: every op prints in its custom form and parses back to the same IR.
// RUN: qcc-opt %s -split-input-file | qcc-opt -split-input-file | FileCheck %s

// CHECK-LABEL: func @conv2d
func.func @conv2d(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x4x4xf32> {
  // CHECK: qcc.conv2d %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %y = qcc.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, group = 2 : i64}
       : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  return %y : tensor<1x6x4x4xf32>
}

// -----

// CHECK-LABEL: func @depthwise_no_bias
func.func @depthwise_no_bias(%x: tensor<1x8x5x5xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x3x3xf32> {
  // CHECK: qcc.conv2d %{{.*}}, %{{.*}} {{{.*}}group = 8 : i64{{.*}}} : (tensor<1x8x5x5xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x3x3xf32>
  %y = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 8 : i64}
       : (tensor<1x8x5x5xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x3x3xf32>
  return %y : tensor<1x8x3x3xf32>
}

// -----

// CHECK-LABEL: func @matmul_gemm
func.func @matmul_gemm(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>, %x: tensor<1x64xf32>, %w: tensor<10x64xf32>, %c: tensor<10xf32>) -> (tensor<2x3x5xf32>, tensor<1x10xf32>) {
  // CHECK: qcc.matmul %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  %m = qcc.matmul %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x3x5xf32>
  // CHECK: qcc.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, trans_b = true}
  %g = qcc.gemm %x, %w, %c {trans_b = true, alpha = 0.5 : f32} : (tensor<1x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  return %m, %g : tensor<2x3x5xf32>, tensor<1x10xf32>
}

// -----

// CHECK-LABEL: func @elementwise
func.func @elementwise(%x: tensor<1x8x4x4xf32>, %y: tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32> {
  // CHECK: qcc.add %{{.*}}, %{{.*}} : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  %0 = qcc.add %x, %y : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qcc.sub
  %1 = qcc.sub %0, %y : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qcc.mul
  %2 = qcc.mul %1, %y : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qcc.div
  %3 = qcc.div %2, %y : (tensor<1x8x4x4xf32>, tensor<8x1x1xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qcc.relu %{{.*}} : tensor<1x8x4x4xf32>
  %4 = qcc.relu %3 : tensor<1x8x4x4xf32>
  // CHECK: qcc.clamp %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<1x8x4x4xf32>
  %5 = qcc.clamp %4 {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x8x4x4xf32>
  // CHECK: qcc.sigmoid %{{.*}} : tensor<1x8x4x4xf32>
  %6 = qcc.sigmoid %5 : tensor<1x8x4x4xf32>
  // CHECK: qcc.tanh
  %7 = qcc.tanh %6 : tensor<1x8x4x4xf32>
  // CHECK: qcc.hard_swish
  %8 = qcc.hard_swish %7 : tensor<1x8x4x4xf32>
  return %8 : tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func @softmax_batchnorm
func.func @softmax_batchnorm(%x: tensor<1x10xf32>, %t: tensor<1x8x4x4xf32>, %p: tensor<8xf32>) -> (tensor<1x10xf32>, tensor<1x8x4x4xf32>) {
  // CHECK: qcc.softmax %{{.*}} {axis = -1 : i64} : (tensor<1x10xf32>) -> tensor<1x10xf32>
  %s = qcc.softmax %x {axis = -1 : i64} : (tensor<1x10xf32>) -> tensor<1x10xf32>
  // CHECK: qcc.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 9.99999974E-6 : f32}
  %b = qcc.batch_norm %t, %p, %p, %p, %p {epsilon = 1.0e-05 : f32}
       : (tensor<1x8x4x4xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32>
  return %s, %b : tensor<1x10xf32>, tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func @pools
func.func @pools(%x: tensor<1x8x8x8xf32>) -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>) {
  // CHECK: qcc.max_pool %{{.*}} {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
  %m = qcc.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, ceil_mode = false}
       : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qcc.avg_pool %{{.*}} {{{.*}}count_include_pad = true{{.*}}}
  %a = qcc.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, count_include_pad = true}
       : (tensor<1x8x8x8xf32>) -> tensor<1x8x4x4xf32>
  // CHECK: qcc.global_avg_pool %{{.*}} : (tensor<1x8x8x8xf32>) -> tensor<1x8x1x1xf32>
  %g = qcc.global_avg_pool %x : (tensor<1x8x8x8xf32>) -> tensor<1x8x1x1xf32>
  return %m, %a, %g : tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>, tensor<1x8x1x1xf32>
}

// -----

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<1x8x1x1xf32>, %a: tensor<1x2x4x4xf32>, %b: tensor<1x3x4x4xf32>) -> (tensor<1x8xf32>, tensor<1x4x4x2xf32>, tensor<1x5x4x4xf32>) {
  // CHECK: qcc.reshape %{{.*}} : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  %r = qcc.reshape %x : (tensor<1x8x1x1xf32>) -> tensor<1x8xf32>
  // CHECK: qcc.transpose %{{.*}} {perm = array<i64: 0, 2, 3, 1>}
  %t = qcc.transpose %a {perm = array<i64: 0, 2, 3, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x4x4x2xf32>
  // CHECK: qcc.concat %{{.*}}, %{{.*}} {axis = 1 : i64}
  %c = qcc.concat %a, %b {axis = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x5x4x4xf32>
  return %r, %t, %c : tensor<1x8xf32>, tensor<1x4x4x2xf32>, tensor<1x5x4x4xf32>
}

// -----

// Quantized element types travel with the value: per tensor and per axis.
// CHECK-LABEL: func @quantization
func.func @quantization(%x: tensor<1x4xf32>, %w: tensor<4x3x!quant.uniform<i8:f32:0, {0.5,0.25,0.125,1.0}>>)
    -> (tensor<1x4xf32>, tensor<1x4x!quant.uniform<i8:f32, 2.000000e-01:-3>>, tensor<4x3xf32>) {
  // CHECK: %[[Q:.*]] = qcc.quantize %{{.*}} : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 1.000000e-01:128>>
  %q = qcc.quantize %x : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1:128>>
  // CHECK: qcc.dequantize %[[Q]] : (tensor<1x4x!quant.uniform<u8:f32, 1.000000e-01:128>>) -> tensor<1x4xf32>
  %d = qcc.dequantize %q : (tensor<1x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x4xf32>
  // CHECK: qcc.requantize %[[Q]] : (tensor<1x4x!quant.uniform<u8:f32, 1.000000e-01:128>>) -> tensor<1x4x!quant.uniform<i8:f32, 2.000000e-01:-3>>
  %r = qcc.requantize %q : (tensor<1x4x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x4x!quant.uniform<i8:f32, 0.2:-3>>
  // CHECK: qcc.dequantize %{{.*}} : (tensor<4x3x!quant.uniform<i8:f32:0, {5.000000e-01,2.500000e-01,1.250000e-01,1.000000e+00}>>) -> tensor<4x3xf32>
  %dw = qcc.dequantize %w : (tensor<4x3x!quant.uniform<i8:f32:0, {0.5,0.25,0.125,1.0}>>) -> tensor<4x3xf32>
  return %d, %r, %dw : tensor<1x4xf32>, tensor<1x4x!quant.uniform<i8:f32, 0.2:-3>>, tensor<4x3xf32>
}

// -----

// Gather, gather_nd (run-time indices) and cast.
// CHECK-LABEL: func @gather_and_cast
// CHECK: qcc.gather %arg0, %arg1 {axis = 1 : i64} : (tensor<2x5x3xf32>, tensor<4xi32>) -> tensor<2x4x3xf32>
// CHECK: qcc.gather_nd %arg0, %arg2 : (tensor<2x5x3xf32>, tensor<6x2xi64>) -> tensor<6x3xf32>
// CHECK: qcc.cast %arg1 : (tensor<4xi32>) -> tensor<4xf32>
// CHECK: qcc.cast %{{.*}} {result_unsigned = true} : (tensor<6x3xf32>) -> tensor<6x3xi8>
func.func @gather_and_cast(%x: tensor<2x5x3xf32>, %i: tensor<4xi32>, %t: tensor<6x2xi64>)
    -> (tensor<2x4x3xf32>, tensor<4xf32>, tensor<6x3xi8>) {
  %g = qcc.gather %x, %i {axis = 1 : i64} : (tensor<2x5x3xf32>, tensor<4xi32>) -> tensor<2x4x3xf32>
  %n = qcc.gather_nd %x, %t : (tensor<2x5x3xf32>, tensor<6x2xi64>) -> tensor<6x3xf32>
  %f = qcc.cast %i : (tensor<4xi32>) -> tensor<4xf32>
  %u = qcc.cast %n {result_unsigned = true} : (tensor<6x3xf32>) -> tensor<6x3xi8>
  return %g, %f, %u : tensor<2x4x3xf32>, tensor<4xf32>, tensor<6x3xi8>
}
