// RUN: qcc-opt %s -split-input-file -qcc-expand-math | FileCheck %s

// exp becomes a polynomial in arith ops: no libm call survives.
// CHECK-LABEL: func @exp
// CHECK-NOT: math.exp
// CHECK: arith.mulf
// CHECK-NOT: math.exp
// CHECK: return
func.func @exp(%x: f32) -> f32 {
  %y = math.exp %x : f32
  return %y : f32
}

// -----

// fma splits into a multiply and an add (no fmaf call on targets without FMA).
// CHECK-LABEL: func @fma
// CHECK-SAME: (%[[A:.*]]: f32, %[[B:.*]]: f32, %[[C:.*]]: f32)
// CHECK: %[[M:.*]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK: %[[S:.*]] = arith.addf %[[M]], %[[C]] : f32
// CHECK: return %[[S]]
func.func @fma(%a: f32, %b: f32, %c: f32) -> f32 {
  %y = math.fma %a, %b, %c : f32
  return %y : f32
}

// -----

// Ops with a hardware instruction are left alone.
// CHECK-LABEL: func @sqrt_roundeven
// CHECK: math.sqrt
// CHECK: math.roundeven
func.func @sqrt_roundeven(%x: f32) -> f32 {
  %s = math.sqrt %x : f32
  %r = math.roundeven %s : f32
  return %r : f32
}
