// RUN: qcc-opt %s -split-input-file -qcc-hoist-accumulators | FileCheck %s

// A vector read/modify/write of a loop-invariant buffer inside a loop is hoisted around it.
// CHECK-LABEL: func @hoist
// CHECK: %[[V:.*]] = vector.transfer_read %arg0
// CHECK: %[[R:.*]] = scf.for {{.*}} iter_args(%[[A:.*]] = %[[V]]) -> (vector<8xf32>)
// CHECK: arith.addf %[[A]]
// CHECK: vector.transfer_write %[[R]], %arg0
func.func @hoist(%acc: memref<8xf32>, %x: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    %a = vector.transfer_read %acc[%c0], %f0 {in_bounds = [true]} : memref<8xf32>, vector<8xf32>
    %b = vector.transfer_read %x[%i, %c0], %f0 {in_bounds = [true]} : memref<4x8xf32>, vector<8xf32>
    %s = arith.addf %a, %b : vector<8xf32>
    vector.transfer_write %s, %acc[%c0] {in_bounds = [true]} : vector<8xf32>, memref<8xf32>
  }
  return
}

// -----

// A fused requantization epilogue after bufferization: the accumulator block buffer is
// written with the bias, read into the reduction, written back and read by the epilogue.
// The reads are forwarded from the writes (same indices and layout), the writes die, and
// the buffer disappears: the block lives in registers from bias to requantization. A bias
// copied from a constant is read from the constant.
// CHECK-LABEL: func @epilogue_block
// CHECK-NOT: memref.alloc
// CHECK: %[[B:.*]] = vector.transfer_read %arg0
// CHECK: %[[R:.*]] = scf.for {{.*}} iter_args(%[[A:.*]] = %[[B]]) -> (vector<4x8xi32>)
// CHECK: %[[F:.*]] = arith.sitofp %[[R]]
// CHECK: vector.transfer_write {{.*}}, %arg2
// CHECK-NOT: memref.alloc
// CHECK-LABEL: func @constant_bias
// CHECK-NOT: memref.alloc
// CHECK: %[[G:.*]] = memref.get_global @bias
// CHECK: %[[B:.*]] = vector.transfer_read %[[G]]
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[B]]) -> (vector<8xi32>)
// CHECK-NOT: linalg.copy
#t = affine_map<(d0, d1) -> (d1, d0)>
func.func @epilogue_block(%bias: memref<8x4xi32>, %x: memref<3x4x8xi32>, %out: memref<8x4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %z = arith.constant 0 : i32
  %f0 = arith.constant 0.0 : f32
  %block = memref.alloc() : memref<8x4xi32>
  %b = vector.transfer_read %bias[%c0, %c0], %z {in_bounds = [true, true], permutation_map = #t} : memref<8x4xi32>, vector<4x8xi32>
  vector.transfer_write %b, %block[%c0, %c0] {in_bounds = [true, true], permutation_map = #t} : vector<4x8xi32>, memref<8x4xi32>
  %init = vector.transfer_read %block[%c0, %c0], %z {in_bounds = [true, true], permutation_map = #t} : memref<8x4xi32>, vector<4x8xi32>
  %sum = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %init) -> (vector<4x8xi32>) {
    %v = vector.transfer_read %x[%i, %c0, %c0], %z {in_bounds = [true, true]} : memref<3x4x8xi32>, vector<4x8xi32>
    %s = arith.addi %acc, %v : vector<4x8xi32>
    scf.yield %s : vector<4x8xi32>
  }
  vector.transfer_write %sum, %block[%c0, %c0] {in_bounds = [true, true], permutation_map = #t} : vector<4x8xi32>, memref<8x4xi32>
  %r = vector.transfer_read %block[%c0, %c0], %z {in_bounds = [true, true], permutation_map = #t} : memref<8x4xi32>, vector<4x8xi32>
  %f = arith.sitofp %r : vector<4x8xi32> to vector<4x8xf32>
  vector.transfer_write %f, %out[%c0, %c0] {in_bounds = [true, true], permutation_map = #t} : vector<4x8xf32>, memref<8x4xf32>
  return
}

memref.global "private" constant @bias : memref<8xi32> = dense<[1, 2, 3, 4, 5, 6, 7, 8]>
func.func @constant_bias(%x: memref<3x8xi32>, %out: memref<8xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %z = arith.constant 0 : i32
  %g = memref.get_global @bias : memref<8xi32>
  %block = memref.alloc() : memref<8xi32>
  linalg.copy ins(%g : memref<8xi32>) outs(%block : memref<8xi32>)
  %init = vector.transfer_read %block[%c0], %z {in_bounds = [true]} : memref<8xi32>, vector<8xi32>
  %sum = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %init) -> (vector<8xi32>) {
    %v = vector.transfer_read %x[%i, %c0], %z {in_bounds = [true]} : memref<3x8xi32>, vector<8xi32>
    %s = arith.addi %acc, %v : vector<8xi32>
    scf.yield %s : vector<8xi32>
  }
  vector.transfer_write %sum, %block[%c0] {in_bounds = [true]} : vector<8xi32>, memref<8xi32>
  vector.transfer_write %sum, %out[%c0] {in_bounds = [true]} : vector<8xi32>, memref<8xi32>
  return
}

// -----

// An accumulator block with unit dimensions (a 1x1 output plane), used through
// collapse_shape views, is allocated collapsed (its initial copy collapsed too), so that
// its read/modify/write is hoisted around the reduction like any other.
// CHECK-LABEL: func @unit_dims
// CHECK: %[[F:.*]] = memref.alloc() : memref<8xi32>
// CHECK: %[[FB:.*]] = memref.collapse_shape %arg0 {{\[}}[0, 1, 2, 3, 4]] : memref<1x1x8x1x1xi32, strided<[8, 8, 1, 1, 1], offset: ?>> into memref<8xi32, strided<[1], offset: ?>>
// CHECK: linalg.copy ins(%[[FB]] : {{.*}}) outs(%[[F]] : memref<8xi32>)
// CHECK: %[[R:.*]] = scf.for {{.*}} -> (vector<8xi32>)
// CHECK-NOT: memref.collapse_shape
// CHECK: vector.transfer_write %{{.*}}, %arg2
func.func @unit_dims(%bias: memref<1x1x8x1x1xi32, strided<[8, 8, 1, 1, 1], offset: ?>>, %x: memref<3x8xi32>, %out: memref<8xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %z = arith.constant 0 : i32
  %block = memref.alloc() : memref<1x1x8x1x1xi32>
  linalg.copy ins(%bias : memref<1x1x8x1x1xi32, strided<[8, 8, 1, 1, 1], offset: ?>>) outs(%block : memref<1x1x8x1x1xi32>)
  scf.for %i = %c0 to %c3 step %c1 {
    %c = memref.collapse_shape %block [[0, 1, 2, 3, 4]] : memref<1x1x8x1x1xi32> into memref<8xi32>
    %a = vector.transfer_read %c[%c0], %z {in_bounds = [true]} : memref<8xi32>, vector<8xi32>
    %b = vector.transfer_read %x[%i, %c0], %z {in_bounds = [true]} : memref<3x8xi32>, vector<8xi32>
    %s = arith.addi %a, %b : vector<8xi32>
    vector.transfer_write %s, %c[%c0] {in_bounds = [true]} : vector<8xi32>, memref<8xi32>
  }
  %c2 = memref.collapse_shape %block [[0, 1, 2, 3, 4]] : memref<1x1x8x1x1xi32> into memref<8xi32>
  %r = vector.transfer_read %c2[%c0], %z {in_bounds = [true]} : memref<8xi32>, vector<8xi32>
  vector.transfer_write %r, %out[%c0] {in_bounds = [true]} : vector<8xi32>, memref<8xi32>
  return
}
