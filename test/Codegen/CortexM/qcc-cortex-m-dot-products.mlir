// RUN: qcc-opt %s -split-input-file -qcc-cortex-m-dot-products -canonicalize | FileCheck %s

// acc + lo(a) * lo(w) + hi(a) * hi(w) on packed 16-bit pairs: one SMLAD per lane.
// CHECK-LABEL: func @row
// CHECK-COUNT-4: llvm.call_intrinsic "llvm.arm.smlad"(%{{.*}}, %{{.*}}, %{{.*}}) : (i32, i32, i32) -> i32
// CHECK-NOT: arith.muli
// CHECK: return
func.func @row(%acc: vector<4xi32>, %a: vector<4xi32>, %w: vector<4xi32>) -> vector<4xi32> {
  %c16 = arith.constant dense<16> : vector<4xi32>
  %al = arith.shli %a, %c16 : vector<4xi32>
  %a0 = arith.shrsi %al, %c16 : vector<4xi32>
  %wl = arith.shli %w, %c16 : vector<4xi32>
  %w0 = arith.shrsi %wl, %c16 : vector<4xi32>
  %p0 = arith.muli %a0, %w0 : vector<4xi32>
  %a1 = arith.shrsi %a, %c16 : vector<4xi32>
  %w1 = arith.shrsi %w, %c16 : vector<4xi32>
  %p1 = arith.muli %w1, %a1 : vector<4xi32>
  %s = arith.addi %p0, %p1 : vector<4xi32>
  %r = arith.addi %acc, %s : vector<4xi32>
  return %r : vector<4xi32>
}

// -----

// A register block of 2 rows x 2 lanes: four SMLADs, the operands' lanes in order.
// CHECK-LABEL: func @block
// CHECK: %[[A:.*]] = vector.extract %arg1[0, 0]
// CHECK: %[[W:.*]] = vector.extract %arg2[0, 0]
// CHECK: %[[C:.*]] = vector.extract %arg0[0, 0]
// CHECK: llvm.call_intrinsic "llvm.arm.smlad"(%[[A]], %[[W]], %[[C]])
// CHECK-COUNT-3: llvm.call_intrinsic "llvm.arm.smlad"
// CHECK-NOT: arith.muli
func.func @block(%acc: vector<2x2xi32>, %a: vector<2x2xi32>, %w: vector<2x2xi32>) -> vector<2x2xi32> {
  %c16 = arith.constant dense<16> : vector<2x2xi32>
  %al = arith.shli %a, %c16 : vector<2x2xi32>
  %a0 = arith.shrsi %al, %c16 : vector<2x2xi32>
  %wl = arith.shli %w, %c16 : vector<2x2xi32>
  %w0 = arith.shrsi %wl, %c16 : vector<2x2xi32>
  %p0 = arith.muli %a0, %w0 : vector<2x2xi32>
  %a1 = arith.shrsi %a, %c16 : vector<2x2xi32>
  %w1 = arith.shrsi %w, %c16 : vector<2x2xi32>
  %p1 = arith.muli %a1, %w1 : vector<2x2xi32>
  %s = arith.addi %p1, %p0 : vector<2x2xi32>
  %r = arith.addi %s, %acc : vector<2x2xi32>
  return %r : vector<2x2xi32>
}

// -----

// Unsigned halves (logical shifts) are not SMLAD's signed products: left alone.
// CHECK-LABEL: func @unsigned_halves
// CHECK-NOT: llvm.arm.smlad
// CHECK: arith.muli
func.func @unsigned_halves(%acc: vector<4xi32>, %a: vector<4xi32>, %w: vector<4xi32>) -> vector<4xi32> {
  %c16 = arith.constant dense<16> : vector<4xi32>
  %al = arith.shli %a, %c16 : vector<4xi32>
  %a0 = arith.shrui %al, %c16 : vector<4xi32>
  %wl = arith.shli %w, %c16 : vector<4xi32>
  %w0 = arith.shrui %wl, %c16 : vector<4xi32>
  %p0 = arith.muli %a0, %w0 : vector<4xi32>
  %a1 = arith.shrui %a, %c16 : vector<4xi32>
  %w1 = arith.shrui %w, %c16 : vector<4xi32>
  %p1 = arith.muli %w1, %a1 : vector<4xi32>
  %s = arith.addi %p0, %p1 : vector<4xi32>
  %r = arith.addi %acc, %s : vector<4xi32>
  return %r : vector<4xi32>
}
