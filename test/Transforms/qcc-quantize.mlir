// RUN: qcc-opt %s -split-input-file -qcc-quantize | FileCheck %s
// RUN: qcc-opt %s -split-input-file -qcc-quantize=per-channel=false | FileCheck %s --check-prefix=TENSOR

// A convolution with a calibrated input and a ReLU: the input and the ReLU's output are
// quantized (int8 over the range widened to contain 0: [0, 2.55] -> scale 0.01, zp -128),
// the convolution's own output is not (the ReLU folds into it); the weights are int8 per
// output channel (max |w| / 127: 1/127 and 2/127), the bias stays float.
// CHECK-LABEL: func @conv_relu
// CHECK-SAME: (%[[X:.*]]: tensor<1x1x4x4xf32>
// CHECK: %[[XQ:.*]] = qcc.quantize %[[X]] : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.0039215688593685627:-128>>
// CHECK: %[[XD:.*]] = qcc.dequantize %[[XQ]]
// CHECK: arith.constant dense<{{.*}}127{{.*}}-127{{.*}}> : tensor<2x1x1x1xi8>
// CHECK: "quant.scast"{{.*}} -> tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32:0, {0.0078740157{{[0-9]*}},0.015748031{{[0-9]*}}}>>
// CHECK: %[[W:.*]] = qcc.dequantize
// CHECK: %[[C:.*]] = qcc.conv2d %[[XD]], %[[W]], %{{.*}}
// CHECK-NOT: qcc.quantize %[[C]]
// CHECK: %[[R:.*]] = qcc.relu %[[C]]
// CHECK: %[[RQ:.*]] = qcc.quantize %[[R]] : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<i8:f32, 0.0099999997764825821:-128>>
// CHECK: %[[RD:.*]] = qcc.dequantize %[[RQ]]
// CHECK: return %[[RD]]
// CHECK-NOT: qcc.calib_range
// TENSOR-LABEL: func @conv_relu
// TENSOR: tensor<2x1x1x1x!quant.uniform<i8<-127:127>:f32, 0.015748031{{[0-9]*}}>>
func.func @conv_relu(%x: tensor<1x1x4x4xf32> {qcc.calib_range = array<f32: 0.0, 1.0>}) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[-2.0]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %c = qcc.conv2d %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, group = 1 : i64, qcc.calib_range = array<f32: -3.0, 3.0>}
       : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  %r = qcc.relu %c {qcc.calib_range = array<f32: 0.0, 2.55>} : tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// A layer of precision int16: the tensors it reads and writes are int16, symmetric (scale
// max|range| / 32767, zero point 0), also through the reshape before it, which keeps its
// input's parameters. The float layer after it keeps float weights, and its output (read
// by no quantized layer) is not quantized.
// CHECK-LABEL: func @int16_then_float
// CHECK: qcc.quantize %arg0 : (tensor<1x2x2xf32>) -> tensor<1x2x2x!quant.uniform<i16:f32, 1.22074037{{[0-9]*}}E-4>>
// CHECK: %[[F:.*]] = qcc.reshape
// CHECK: qcc.quantize %[[F]] : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<i16:f32, 1.22074037{{[0-9]*}}E-4>>
// CHECK: qcc.gemm
// CHECK-SAME: -> tensor<1x3xf32>
// CHECK: qcc.quantize %{{.*}} : (tensor<1x3xf32>) -> tensor<1x3x!quant.uniform<i16:f32, 3.05185094{{[0-9]*}}E-4>>
// CHECK: %[[G:.*]] = qcc.gemm %{{.*}}, %cst
// CHECK-NOT: qcc.quantize
// CHECK: return %[[G]]
func.func @int16_then_float(%x: tensor<1x2x2xf32> {qcc.calib_range = array<f32: -4.0, 1.0>}) -> tensor<1x2xf32> {
  %f = qcc.reshape %x {qcc.calib_range = array<f32: -4.0, 1.0>} : (tensor<1x2x2xf32>) -> tensor<1x4xf32>
  %w1 = arith.constant dense<0.5> : tensor<3x4xf32>
  %g1 = qcc.gemm %f, %w1 {trans_b = true, qcc.precision = "int16", qcc.calib_range = array<f32: -10.0, 2.0>} : (tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<1x3xf32>
  %w2 = arith.constant dense<0.25> : tensor<2x3xf32>
  %g2 = qcc.gemm %g1, %w2 {trans_b = true, qcc.precision = "float", qcc.calib_range = array<f32: -1.0, 1.0>} : (tensor<1x3xf32>, tensor<2x3xf32>) -> tensor<1x2xf32>
  return %g2 : tensor<1x2xf32>
}

// -----

// Softmax's output takes TFLite's parameters (1/256, -128), so that qcc-fold-fake-quant
// makes the integer softmax; a tensor without a calibrated range is left alone.
// CHECK-LABEL: func @softmax_output
// CHECK: qcc.softmax
// CHECK: qcc.quantize %{{.*}} -> tensor<1x4x!quant.uniform<i8:f32, 3.906250e-03:-128>>
func.func @softmax_output(%x: tensor<1x8xf32> {qcc.calib_range = array<f32: -1.0, 1.0>}) -> tensor<1x4xf32> {
  %w = arith.constant dense<0.5> : tensor<8x4xf32>
  %g = qcc.gemm %x, %w {qcc.calib_range = array<f32: -4.0, 4.0>} : (tensor<1x8xf32>, tensor<8x4xf32>) -> tensor<1x4xf32>
  %s = qcc.softmax %g {axis = 1 : i64, qcc.calib_range = array<f32: 0.0, 1.0>} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %s : tensor<1x4xf32>
}

// -----

// A ReLU after an op whose fold cannot absorb it (concat): the concat's result is quantized
// too, so that the ReLU folds as quantize(relu(dequantize(q))).
// CHECK-LABEL: func @concat_relu
// CHECK: %[[C:.*]] = qcc.concat
// CHECK: qcc.quantize %[[C]]
// CHECK: qcc.relu
// CHECK: qcc.quantize
func.func @concat_relu(%x: tensor<1x2xf32> {qcc.calib_range = array<f32: -1.0, 1.0>}) -> tensor<1x4xf32> {
  %w = arith.constant dense<0.5> : tensor<2x2xf32>
  %g = qcc.gemm %x, %w {qcc.calib_range = array<f32: -1.0, 1.0>} : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %c = qcc.concat %g, %g {axis = 1 : i64, qcc.calib_range = array<f32: -1.0, 1.0>} : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x4xf32>
  %r = qcc.relu %c {qcc.calib_range = array<f32: 0.0, 1.0>} : tensor<1x4xf32>
  return %r : tensor<1x4xf32>
}
