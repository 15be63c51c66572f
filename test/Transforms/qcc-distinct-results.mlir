// RUN: qcc-opt %s -qcc-distinct-results | FileCheck %s

// A function argument returned as a result (ONNX Identity of a graph input) is copied.
// CHECK-LABEL: func @argument
// CHECK-SAME: bufferization.writable = false
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x4xf32>
// CHECK: %[[C:.*]] = linalg.copy ins(%arg0 : tensor<1x4xf32>) outs(%[[E]] : tensor<1x4xf32>)
// CHECK: return %[[C]]
func.func @argument(%arg0: tensor<1x4xf32>) -> tensor<1x4xf32> {
  return %arg0 : tensor<1x4xf32>
}

// A reshape of an argument bufferizes to a view of it: copied too.
// CHECK-LABEL: func @argument_view
// CHECK: %[[R:.*]] = tensor.collapse_shape %arg0
// CHECK: %[[C:.*]] = linalg.copy ins(%[[R]] : tensor<4xf32>)
// CHECK: return %[[C]]
func.func @argument_view(%arg0: tensor<1x4xf32>) -> tensor<4xf32> {
  %0 = tensor.collapse_shape %arg0 [[0, 1]] : tensor<1x4xf32> into tensor<4xf32>
  return %0 : tensor<4xf32>
}

// The same value returned twice: the first stays, the second is a copy; a constant
// result is copied.
// CHECK-LABEL: func @twice_and_constant
// CHECK: %[[N:.*]] = linalg.generic
// CHECK: %[[C1:.*]] = linalg.copy ins(%[[N]] : tensor<4xf32>)
// CHECK: %[[C2:.*]] = linalg.copy ins(%cst : tensor<4xf32>)
// CHECK: return %[[N]], %[[C1]], %[[C2]]
#map = affine_map<(d0) -> (d0)>
func.func @twice_and_constant(%arg0: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %cst = arith.constant dense<1.0> : tensor<4xf32>
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%arg0 : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  return %0, %0, %cst : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// A result computed by the function, returned once, is left alone.
// CHECK-LABEL: func @untouched
// CHECK-NOT: linalg.copy
func.func @untouched(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%arg0 : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
