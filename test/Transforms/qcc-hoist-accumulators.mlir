// RUN: qcc-opt %s -qcc-hoist-accumulators | FileCheck %s

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
