// RUN: qcc-opt %s -split-input-file -qcc-fuse-requantize | FileCheck %s

// Per-channel conv with bias: the requantize becomes the convolution's epilogue, its
// multipliers kept as given.
// CHECK-LABEL: func @conv_per_channel
// CHECK: %[[Y:.*]] = qcc.conv2d
// CHECK-SAME: accumulator = !quant.uniform<i32:f32:1, {2.500000e-01,1.250000e-01}>
// CHECK-SAME: multiplier = array<f32: 1.000000e+00, 5.000000e-01>
// CHECK-SAME: -> tensor<1x2x4x4x!quant.uniform<u8:f32, 2.500000e-01:10>>
// CHECK-NOT: qcc.requantize
// CHECK: return %[[Y]]
func.func @conv_per_channel(%x: tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.25:10>> {
  %wi = arith.constant dense<1> : tensor<2x2x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<2x2x1x1xi8>) -> tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.5, 0.25}>>
  %bi = arith.constant dense<[4, -4]> : tensor<2xi32>
  %b = "quant.scast"(%bi) : (tensor<2xi32>) -> tensor<2x!quant.uniform<i32:f32:0, {0.25, 0.125}>>
  %acc = qcc.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.5:128>>, tensor<2x2x1x1x!quant.uniform<i8:f32:0, {0.5, 0.25}>>, tensor<2x!quant.uniform<i32:f32:0, {0.25, 0.125}>>) -> tensor<1x2x4x4x!quant.uniform<i32:f32:1, {0.25, 0.125}>>
  %y = qcc.requantize %acc {multiplier = array<f32: 1.0, 0.5>} : (tensor<1x2x4x4x!quant.uniform<i32:f32:1, {0.25, 0.125}>>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.25:10>>
  return %y : tensor<1x2x4x4x!quant.uniform<u8:f32, 0.25:10>>
}

// -----

// Per-tensor s8 conv without bias, a requantize without multiplier and with a ReLU6
// clamp: the multiplier is precomputed, scale_in / scale_out = 0.02 / 0.08 = 0.25.
// CHECK-LABEL: func @conv_per_tensor_relu6
// CHECK: qcc.conv2d
// CHECK-SAME: accumulator = !quant.uniform<i32:f32, 2.000000e-02>
// CHECK-SAME: clamp_max = 75 : i64
// CHECK-SAME: clamp_min = 0 : i64
// CHECK-SAME: multiplier = array<f32: 2.500000e-01>
// CHECK-SAME: -> tensor<1x4x2x2x!quant.uniform<i8:f32, 8.000000e-02>>
// CHECK-NOT: qcc.requantize
func.func @conv_per_tensor_relu6(%x: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x4x2x2x!quant.uniform<i8:f32, 0.08>> {
  %wi = arith.constant dense<3> : tensor<4x1x1x1xi8>
  %w = "quant.scast"(%wi) : (tensor<4x1x1x1xi8>) -> tensor<4x1x1x1x!quant.uniform<i8:f32, 0.2>>
  %acc = qcc.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64}
       : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1>>, tensor<4x1x1x1x!quant.uniform<i8:f32, 0.2>>) -> tensor<1x4x2x2x!quant.uniform<i32:f32, 0.02>>
  %y = qcc.requantize %acc {clamp_min = 0 : i64, clamp_max = 75 : i64} : (tensor<1x4x2x2x!quant.uniform<i32:f32, 0.02>>) -> tensor<1x4x2x2x!quant.uniform<i8:f32, 0.08>>
  return %y : tensor<1x4x2x2x!quant.uniform<i8:f32, 0.08>>
}

// -----

// Gemm (fully connected layer) and matmul fuse the same way.
// CHECK-LABEL: func @gemm_and_matmul
// CHECK: qcc.gemm
// CHECK-SAME: accumulator = !quant.uniform<i32:f32, 5.000000e-03>
// CHECK-SAME: multiplier = array<f32: 5.000000e-02>
// CHECK-SAME: -> tensor<1x3x!quant.uniform<u8:f32, 1.000000e-01:128>>
// CHECK: qcc.matmul
// CHECK-SAME: accumulator = !quant.uniform<i32:f32, 5.000000e-04>
// CHECK-SAME: -> tensor<1x3x!quant.uniform<u8:f32, 1.000000e-01:128>>
// CHECK-NOT: qcc.requantize
func.func @gemm_and_matmul(%x: tensor<1x4x!quant.uniform<u8:f32, 0.05:128>>) -> (tensor<1x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<1x3x!quant.uniform<u8:f32, 0.1:128>>) {
  %wi = arith.constant dense<2> : tensor<3x4xi8>
  %w = "quant.scast"(%wi) : (tensor<3x4xi8>) -> tensor<3x4x!quant.uniform<i8:f32, 0.1>>
  %acc = qcc.gemm %x, %w {trans_b = true} : (tensor<1x4x!quant.uniform<u8:f32, 0.05:128>>, tensor<3x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x3x!quant.uniform<i32:f32, 0.005>>
  %y = qcc.requantize %acc {multiplier = array<f32: 0.05>} : (tensor<1x3x!quant.uniform<i32:f32, 0.005>>) -> tensor<1x3x!quant.uniform<u8:f32, 0.1:128>>
  %vi = arith.constant dense<1> : tensor<4x3xi8>
  %v = "quant.scast"(%vi) : (tensor<4x3xi8>) -> tensor<4x3x!quant.uniform<i8:f32, 0.01>>
  %acc2 = qcc.matmul %x, %v : (tensor<1x4x!quant.uniform<u8:f32, 0.05:128>>, tensor<4x3x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x3x!quant.uniform<i32:f32, 0.0005>>
  %y2 = qcc.requantize %acc2 : (tensor<1x3x!quant.uniform<i32:f32, 0.0005>>) -> tensor<1x3x!quant.uniform<u8:f32, 0.1:128>>
  return %y, %y2 : tensor<1x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<1x3x!quant.uniform<u8:f32, 0.1:128>>
}

// -----

// A requantize that only moves the zero point (u8 zp 138 -> s8 zp 10, equal scales) and
// clamps merges into the requantization before it: the fused ReLU clamp_min 138 shifts by
// 10 - 138 = -128 to 10; the second clamp_max 100 stays (255 - 128 = 127 > 100).
// CHECK-LABEL: func @merge_shift_and_clamp
// CHECK: %[[Y:.*]] = qcc.requantize %{{.*}} {clamp_max = 100 : i64, clamp_min = 10 : i64, multiplier = array<f32: 2.500000e-01>}
// CHECK-SAME: -> tensor<8x!quant.uniform<i8:f32, 5.000000e-01:10>>
// CHECK-NOT: qcc.requantize
// CHECK: return %[[Y]]
func.func @merge_shift_and_clamp(%a: tensor<8x!quant.uniform<i32:f32, 0.125>>) -> tensor<8x!quant.uniform<i8:f32, 0.5:10>> {
  %r1 = qcc.requantize %a {multiplier = array<f32: 0.25>, clamp_min = 138 : i64} : (tensor<8x!quant.uniform<i32:f32, 0.125>>) -> tensor<8x!quant.uniform<u8:f32, 0.5:138>>
  %r2 = qcc.requantize %r1 {multiplier = array<f32: 1.0>, clamp_max = 100 : i64} : (tensor<8x!quant.uniform<u8:f32, 0.5:138>>) -> tensor<8x!quant.uniform<i8:f32, 0.5:10>>
  return %r2 : tensor<8x!quant.uniform<i8:f32, 0.5:10>>
}

// -----

// Identity requantize and quantize(dequantize) with equal parameters disappear.
// CHECK-LABEL: func @identities
// CHECK-NEXT: return %arg0
func.func @identities(%a: tensor<8x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<8x!quant.uniform<u8:f32, 0.5:128>> {
  %r = qcc.requantize %a : (tensor<8x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<8x!quant.uniform<u8:f32, 0.5:128>>
  %f = qcc.dequantize %r : (tensor<8x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<8xf32>
  %q = qcc.quantize %f : (tensor<8xf32>) -> tensor<8x!quant.uniform<u8:f32, 0.5:128>>
  return %q : tensor<8x!quant.uniform<u8:f32, 0.5:128>>
}

// -----

// Negative cases. A second rescale would round twice where the chain rounds once: kept.
// An accumulator with two users is not fused. global_avg_pool is not a contraction. A
// requantize with a clamp is not an identity.
// CHECK-LABEL: func @left_alone
// CHECK: %[[R1:.*]] = qcc.requantize %arg0 {multiplier = array<f32: 2.500000e-01>}
// CHECK: qcc.requantize %[[R1]]
// CHECK-SAME: -> tensor<8x!quant.uniform<u8:f32, 2.500000e-01:128>>
// CHECK: %[[ACC:.*]] = qcc.matmul
// CHECK-SAME: -> tensor<1x3x!quant.uniform<i32:f32, 5.000000e-04>>
// CHECK: qcc.requantize %[[ACC]]
// CHECK: qcc.requantize %[[ACC]]
// CHECK: %[[SUM:.*]] = qcc.global_avg_pool
// CHECK: qcc.requantize %[[SUM]]
// CHECK: qcc.requantize %{{.*}} {clamp_min = 130 : i64}
func.func @left_alone(%a: tensor<8x!quant.uniform<i32:f32, 0.125>>, %x: tensor<1x4x!quant.uniform<u8:f32, 0.05:128>>,
                      %p: tensor<1x2x3x3x!quant.uniform<u8:f32, 0.1:128>>, %u: tensor<8x!quant.uniform<u8:f32, 0.5:128>>)
    -> (tensor<8x!quant.uniform<u8:f32, 0.25:128>>, tensor<1x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<1x3x!quant.uniform<u8:f32, 0.2:128>>,
        tensor<1x2x1x1x!quant.uniform<u8:f32, 0.1:128>>, tensor<8x!quant.uniform<u8:f32, 0.5:128>>) {
  %r1 = qcc.requantize %a {multiplier = array<f32: 0.25>} : (tensor<8x!quant.uniform<i32:f32, 0.125>>) -> tensor<8x!quant.uniform<u8:f32, 0.5:128>>
  %r2 = qcc.requantize %r1 : (tensor<8x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<8x!quant.uniform<u8:f32, 0.25:128>>
  %vi = arith.constant dense<1> : tensor<4x3xi8>
  %v = "quant.scast"(%vi) : (tensor<4x3xi8>) -> tensor<4x3x!quant.uniform<i8:f32, 0.01>>
  %acc = qcc.matmul %x, %v : (tensor<1x4x!quant.uniform<u8:f32, 0.05:128>>, tensor<4x3x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x3x!quant.uniform<i32:f32, 0.0005>>
  %y1 = qcc.requantize %acc : (tensor<1x3x!quant.uniform<i32:f32, 0.0005>>) -> tensor<1x3x!quant.uniform<u8:f32, 0.1:128>>
  %y2 = qcc.requantize %acc : (tensor<1x3x!quant.uniform<i32:f32, 0.0005>>) -> tensor<1x3x!quant.uniform<u8:f32, 0.2:128>>
  %sum = qcc.global_avg_pool %p : (tensor<1x2x3x3x!quant.uniform<u8:f32, 0.1:128>>) -> tensor<1x2x1x1x!quant.uniform<i32:f32, 0.011111111>>
  %g = qcc.requantize %sum : (tensor<1x2x1x1x!quant.uniform<i32:f32, 0.011111111>>) -> tensor<1x2x1x1x!quant.uniform<u8:f32, 0.1:128>>
  %c = qcc.requantize %u {clamp_min = 130 : i64} : (tensor<8x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<8x!quant.uniform<u8:f32, 0.5:128>>
  return %r2, %y1, %y2, %g, %c : tensor<8x!quant.uniform<u8:f32, 0.25:128>>, tensor<1x3x!quant.uniform<u8:f32, 0.1:128>>, tensor<1x3x!quant.uniform<u8:f32, 0.2:128>>,
                                 tensor<1x2x1x1x!quant.uniform<u8:f32, 0.1:128>>, tensor<8x!quant.uniform<u8:f32, 0.5:128>>
}

// -----

// A 16-bit symmetric result (int16 activations) fuses as an 8-bit one does.
// CHECK-LABEL: func @gemm_int16_result
// CHECK: %[[Y:.*]] = qcc.gemm {{.*}}accumulator = !quant.uniform<i32:f32, 1.000000e-03>{{.*}} -> tensor<1x2x!quant.uniform<i16:f32, 2.000000e-03>>
// CHECK-NOT: qcc.requantize
// CHECK: return %[[Y]]
func.func @gemm_int16_result(%x: tensor<1x4x!quant.uniform<i16:f32, 0.1>>) -> tensor<1x2x!quant.uniform<i16:f32, 0.002>> {
  %wi = arith.constant dense<1> : tensor<4x2xi8>
  %w = "quant.scast"(%wi) : (tensor<4x2xi8>) -> tensor<4x2x!quant.uniform<i8:f32, 0.01>>
  %acc = qcc.gemm %x, %w : (tensor<1x4x!quant.uniform<i16:f32, 0.1>>, tensor<4x2x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x2x!quant.uniform<i32:f32, 0.001>>
  %y = qcc.requantize %acc : (tensor<1x2x!quant.uniform<i32:f32, 0.001>>) -> tensor<1x2x!quant.uniform<i16:f32, 0.002>>
  return %y : tensor<1x2x!quant.uniform<i16:f32, 0.002>>
}
