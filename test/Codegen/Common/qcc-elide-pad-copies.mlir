// RUN: qcc-opt %s -split-input-file -qcc-elide-pad-copies | FileCheck %s

// A producer writes A (1x2x4x4) row by row; A, collapsed, is copied into the interior of
// B (2x6x6, filled with the pad value) that the consumer reads. B moves up, filled on its
// border only (rows 0 and 5, then columns 0 and 5 of rows 1-4), the producer writes B's
// interior through an expand_shape, A and the copy are gone.
// CHECK-LABEL: func @pad_copy
// CHECK: %[[B:.*]] = memref.alloc() : memref<2x6x6xi8>
// CHECK: %[[S0:.*]] = memref.subview %[[B]][0, 0, 0] [2, 1, 6] [1, 1, 1]
// CHECK: linalg.map outs(%[[S0]] : memref<2x1x6xi8, strided<[36, 6, 1]>>)
// CHECK: %[[S1:.*]] = memref.subview %[[B]][0, 5, 0] [2, 1, 6] [1, 1, 1]
// CHECK: linalg.map outs(%[[S1]]
// CHECK: %[[S2:.*]] = memref.subview %[[B]][0, 1, 0] [2, 4, 1] [1, 1, 1]
// CHECK: linalg.map outs(%[[S2]]
// CHECK: %[[S3:.*]] = memref.subview %[[B]][0, 1, 5] [2, 4, 1] [1, 1, 1]
// CHECK: linalg.map outs(%[[S3]]
// CHECK-NOT: linalg.map
// CHECK: %[[IN:.*]] = memref.subview %[[B]][0, 1, 1] [2, 4, 4] [1, 1, 1] : memref<2x6x6xi8> to memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>
// CHECK: %[[A:.*]] = memref.expand_shape %[[IN]] {{\[}}[0, 1], [2], [3]] output_shape [1, 2, 4, 4] : memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>> into memref<1x2x4x4xi8, strided<[72, 36, 6, 1], offset: 7>>
// CHECK: scf.for
// CHECK: %[[ROW:.*]] = memref.subview %[[A]][0, %{{.*}}, %{{.*}}, 0] [1, 1, 1, 4] [1, 1, 1, 1] : memref<1x2x4x4xi8, strided<[72, 36, 6, 1], offset: 7>> to memref<4xi8, strided<[1], offset: ?>>
// CHECK: vector.transfer_write %{{.*}}, %[[ROW]]
// CHECK-NOT: memref.alloc
// CHECK: linalg.copy ins(%[[B]] : memref<2x6x6xi8>) outs(%{{.*}} : memref<2x6x6xi8>)
// CHECK-NOT: linalg.copy
func.func @pad_copy(%out: memref<2x6x6xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %pad = arith.constant 3 : i8
  %v = arith.constant dense<7> : vector<4xi8>
  %a = memref.alloc() : memref<1x2x4x4xi8>
  scf.for %c = %c0 to %c2 step %c1 {
    scf.for %h = %c0 to %c4 step %c1 {
      %row = memref.subview %a[0, %c, %h, 0] [1, 1, 1, 4] [1, 1, 1, 1] : memref<1x2x4x4xi8> to memref<4xi8, strided<[1], offset: ?>>
      vector.transfer_write %v, %row[%c0] {in_bounds = [true]} : vector<4xi8>, memref<4xi8, strided<[1], offset: ?>>
    }
  }
  %ca = memref.collapse_shape %a [[0, 1], [2], [3]] : memref<1x2x4x4xi8> into memref<2x4x4xi8>
  %b = memref.alloc() : memref<2x6x6xi8>
  linalg.map outs(%b : memref<2x6x6xi8>) () { linalg.yield %pad : i8 }
  %in = memref.subview %b[0, 1, 1] [2, 4, 4] [1, 1, 1] : memref<2x6x6xi8> to memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>
  linalg.copy ins(%ca : memref<2x4x4xi8>) outs(%in : memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>)
  linalg.copy ins(%b : memref<2x6x6xi8>) outs(%out : memref<2x6x6xi8>)
  return
}

// -----

// A is read again after the copy (a residual connection): the copy stays.
// CHECK-LABEL: func @read_after_copy
// CHECK: memref.alloc() : memref<2x4x4xi8>
// CHECK: memref.alloc() : memref<2x6x6xi8>
// CHECK: linalg.copy ins(%{{.*}} : memref<2x4x4xi8>) outs(%{{.*}} : memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>)
func.func @read_after_copy(%x: memref<2x4x4xi8>, %out: memref<2x4x4xi8>) {
  %pad = arith.constant 0 : i8
  %a = memref.alloc() : memref<2x4x4xi8>
  linalg.copy ins(%x : memref<2x4x4xi8>) outs(%a : memref<2x4x4xi8>)
  %b = memref.alloc() : memref<2x6x6xi8>
  linalg.map outs(%b : memref<2x6x6xi8>) () { linalg.yield %pad : i8 }
  %in = memref.subview %b[0, 1, 1] [2, 4, 4] [1, 1, 1] : memref<2x6x6xi8> to memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>
  linalg.copy ins(%a : memref<2x4x4xi8>) outs(%in : memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>)
  linalg.copy ins(%a : memref<2x4x4xi8>) outs(%out : memref<2x4x4xi8>)
  return
}

// -----

// B is written twice before the copy (two fills): the copy stays. So does a copy whose
// source is not an allocation (a function argument).
// CHECK-LABEL: func @two_fills
// CHECK: linalg.copy ins(%{{.*}} : memref<2x4x4xi8>) outs(%{{.*}} : memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>)
// CHECK-LABEL: func @argument
// CHECK: linalg.copy ins(%{{.*}} : memref<2x4x4xi8>) outs(%{{.*}} : memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>)
func.func @two_fills(%x: memref<2x4x4xi8>, %out: memref<2x6x6xi8>) {
  %pad = arith.constant 0 : i8
  %one = arith.constant 1 : i8
  %a = memref.alloc() : memref<2x4x4xi8>
  linalg.copy ins(%x : memref<2x4x4xi8>) outs(%a : memref<2x4x4xi8>)
  %b = memref.alloc() : memref<2x6x6xi8>
  linalg.map outs(%b : memref<2x6x6xi8>) () { linalg.yield %pad : i8 }
  linalg.fill ins(%one : i8) outs(%b : memref<2x6x6xi8>)
  %in = memref.subview %b[0, 1, 1] [2, 4, 4] [1, 1, 1] : memref<2x6x6xi8> to memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>
  linalg.copy ins(%a : memref<2x4x4xi8>) outs(%in : memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>)
  linalg.copy ins(%b : memref<2x6x6xi8>) outs(%out : memref<2x6x6xi8>)
  return
}
func.func @argument(%x: memref<2x4x4xi8>, %out: memref<2x6x6xi8>) {
  %pad = arith.constant 0 : i8
  %b = memref.alloc() : memref<2x6x6xi8>
  linalg.map outs(%b : memref<2x6x6xi8>) () { linalg.yield %pad : i8 }
  %in = memref.subview %b[0, 1, 1] [2, 4, 4] [1, 1, 1] : memref<2x6x6xi8> to memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>
  linalg.copy ins(%x : memref<2x4x4xi8>) outs(%in : memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>)
  linalg.copy ins(%b : memref<2x6x6xi8>) outs(%out : memref<2x6x6xi8>)
  return
}

// -----

// The producer writes A through an expand_shape (a float convolution with its Relu
// epilogue, run on the uncollapsed result): the expand_shape is rebuilt on B's interior.
// CHECK-LABEL: func @through_expand
// CHECK: %[[B:.*]] = memref.alloc() : memref<2x6x6xf32>
// CHECK: %[[IN:.*]] = memref.subview %[[B]][0, 1, 1] [2, 4, 4] [1, 1, 1]
// CHECK: %[[A:.*]] = memref.expand_shape %[[IN]] {{\[}}[0, 1], [2], [3]] output_shape [1, 2, 4, 4]
// CHECK: %[[E:.*]] = memref.expand_shape %[[A]] {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 1, 2, 4, 4] : memref<1x2x4x4xf32, strided<[72, 36, 6, 1], offset: 7>> into memref<1x1x2x4x4xf32, strided<[72, 72, 36, 6, 1], offset: 7>>
// CHECK: memref.subview %[[E]]
// CHECK-NOT: linalg.copy ins(%{{.*}} : memref<2x4x4xf32>)
func.func @through_expand(%out: memref<2x6x6xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %pad = arith.constant 0.0 : f32
  %v = arith.constant dense<1.0> : vector<4xf32>
  %a = memref.alloc() : memref<1x2x4x4xf32>
  %e = memref.expand_shape %a [[0], [1, 2], [3], [4]] output_shape [1, 1, 2, 4, 4] : memref<1x2x4x4xf32> into memref<1x1x2x4x4xf32>
  scf.for %c = %c0 to %c2 step %c1 {
    scf.for %h = %c0 to %c4 step %c1 {
      %row = memref.subview %e[0, 0, %c, %h, 0] [1, 1, 1, 1, 4] [1, 1, 1, 1, 1] : memref<1x1x2x4x4xf32> to memref<4xf32, strided<[1], offset: ?>>
      vector.transfer_write %v, %row[%c0] {in_bounds = [true]} : vector<4xf32>, memref<4xf32, strided<[1], offset: ?>>
    }
  }
  %ca = memref.collapse_shape %a [[0, 1], [2], [3]] : memref<1x2x4x4xf32> into memref<2x4x4xf32>
  %b = memref.alloc() : memref<2x6x6xf32>
  linalg.map outs(%b : memref<2x6x6xf32>) () { linalg.yield %pad : f32 }
  %in = memref.subview %b[0, 1, 1] [2, 4, 4] [1, 1, 1] : memref<2x6x6xf32> to memref<2x4x4xf32, strided<[36, 6, 1], offset: 7>>
  linalg.copy ins(%ca : memref<2x4x4xf32>) outs(%in : memref<2x4x4xf32, strided<[36, 6, 1], offset: 7>>)
  linalg.copy ins(%b : memref<2x6x6xf32>) outs(%out : memref<2x6x6xf32>)
  return
}

// -----

// The consumer reads B inside a loop (a depthwise convolution's row blocks): still elided.
// CHECK-LABEL: func @nested_consumer
// CHECK: %[[B:.*]] = memref.alloc() : memref<2x6x6xi8>
// CHECK-NOT: linalg.copy
// CHECK: scf.for
// CHECK: memref.subview %[[B]]
func.func @nested_consumer(%x: memref<2x4x4xi8>, %out: memref<2x6xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %pad = arith.constant 0 : i8
  %a = memref.alloc() : memref<2x4x4xi8>
  linalg.map ins(%x : memref<2x4x4xi8>) outs(%a : memref<2x4x4xi8>) (%v: i8) { linalg.yield %v : i8 }
  %b = memref.alloc() : memref<2x6x6xi8>
  linalg.map outs(%b : memref<2x6x6xi8>) () { linalg.yield %pad : i8 }
  %in = memref.subview %b[0, 1, 1] [2, 4, 4] [1, 1, 1] : memref<2x6x6xi8> to memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>
  linalg.copy ins(%a : memref<2x4x4xi8>) outs(%in : memref<2x4x4xi8, strided<[36, 6, 1], offset: 7>>)
  scf.for %c = %c0 to %c2 step %c1 {
    %row = memref.subview %b[%c, 0, 0] [1, 1, 6] [1, 1, 1] : memref<2x6x6xi8> to memref<6xi8, strided<[1], offset: ?>>
    %orow = memref.subview %out[%c, 0] [1, 6] [1, 1] : memref<2x6xi8> to memref<6xi8, strided<[1], offset: ?>>
    linalg.copy ins(%row : memref<6xi8, strided<[1], offset: ?>>) outs(%orow : memref<6xi8, strided<[1], offset: ?>>)
  }
  return
}
