// RUN: qcc-opt %s -split-input-file -qcc-expand-math | FileCheck %s
// RUN: qcc-opt %s -split-input-file -qcc-expand-math=magic-rounding=true | FileCheck %s --check-prefix=MAGIC
// RUN: qcc-opt %s -split-input-file -qcc-expand-math=keep-fma=true | FileCheck %s --check-prefix=KEEP
// RUN: qcc-opt %s -split-input-file -qcc-expand-math=expand-roundeven=true | FileCheck %s --check-prefix=ROUND

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
// With keep-fma (targets with the instruction) it stays one fused multiply-add.
// KEEP-LABEL: func @fma
// KEEP: math.fma
// KEEP-NOT: arith.mulf
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

// -----

// The saturating conversion of a requantization (round half to even, + zero point 130,
// clamp to [0, 255]) with magic-rounding: clamp to [-130, 125] first, add 1.5 * 2^23
// (12582912), reinterpret the bits and subtract 0x4B400000 - 130 = 1262485374. Without
// the option it stays as it is.
// CHECK-LABEL: func @requant_rounding
// CHECK: math.roundeven
// CHECK: arith.fptosi
// MAGIC-LABEL: func @requant_rounding
// MAGIC-SAME: (%[[X:.*]]: vector<16xf32>)
// MAGIC-DAG: %[[LO:.*]] = arith.constant dense<-1.300000e+02> : vector<16xf32>
// MAGIC-DAG: %[[HI:.*]] = arith.constant dense<1.250000e+02> : vector<16xf32>
// MAGIC-DAG: %[[K:.*]] = arith.constant dense<0x4B400000> : vector<16xf32>
// MAGIC-DAG: %[[OFF:.*]] = arith.constant dense<1262485374> : vector<16xi32>
// MAGIC: %[[A:.*]] = arith.maximumf %[[X]], %[[LO]] fastmath<nnan> : vector<16xf32>
// MAGIC: %[[B:.*]] = arith.minimumf %[[A]], %[[HI]] fastmath<nnan> : vector<16xf32>
// MAGIC: %[[C:.*]] = arith.addf %[[B]], %[[K]] : vector<16xf32>
// MAGIC: %[[D:.*]] = arith.bitcast %[[C]] : vector<16xf32> to vector<16xi32>
// MAGIC: %[[E:.*]] = arith.subi %[[D]], %[[OFF]] : vector<16xi32>
// MAGIC: return %[[E]]
// MAGIC-NOT: math.roundeven
func.func @requant_rounding(%x: vector<16xf32>) -> vector<16xi32> {
  %zp = arith.constant dense<130.0> : vector<16xf32>
  %lo = arith.constant dense<0.0> : vector<16xf32>
  %hi = arith.constant dense<255.0> : vector<16xf32>
  %r = math.roundeven %x : vector<16xf32>
  %s = arith.addf %r, %zp : vector<16xf32>
  %a = arith.maximumf %s, %lo fastmath<nnan> : vector<16xf32>
  %b = arith.minimumf %a, %hi fastmath<nnan> : vector<16xf32>
  %i = arith.fptosi %b : vector<16xf32> to vector<16xi32>
  return %i : vector<16xi32>
}

// -----

// Scalar, no zero point: bounds [-128, 127] as they are, offset 0x4B400000.
// MAGIC-LABEL: func @scalar_rounding
// MAGIC: arith.maximumf %{{.*}}, %cst{{.*}} fastmath<nnan> : f32
// MAGIC: arith.subi %{{.*}}, %c1262485504_i32 : i32
// MAGIC-NOT: math.roundeven
func.func @scalar_rounding(%x: f32) -> i32 {
  %lo = arith.constant -128.0 : f32
  %hi = arith.constant 127.0 : f32
  %r = math.roundeven %x : f32
  %a = arith.maximumf %r, %lo fastmath<nnan> : f32
  %b = arith.minimumf %a, %hi fastmath<nnan> : f32
  %i = arith.fptosi %b : f32 to i32
  return %i : i32
}

// -----

// Left alone: int32 storage bounds (beyond 2^22) and a bound that is not an integer.
// MAGIC-LABEL: func @not_rounded
// MAGIC: math.roundeven
// MAGIC: arith.fptosi
// MAGIC: math.roundeven
// MAGIC: arith.fptosi
func.func @not_rounded(%x: f32) -> (i32, i32) {
  %lo = arith.constant -2147483648.0 : f32
  %hi = arith.constant 2147483520.0 : f32
  %r = math.roundeven %x : f32
  %a = arith.maximumf %r, %lo fastmath<nnan> : f32
  %b = arith.minimumf %a, %hi fastmath<nnan> : f32
  %i = arith.fptosi %b : f32 to i32
  %half = arith.constant 0.5 : f32
  %r2 = math.roundeven %x : f32
  %c = arith.maximumf %r2, %half fastmath<nnan> : f32
  %d = arith.minimumf %c, %hi fastmath<nnan> : f32
  %j = arith.fptosi %d : f32 to i32
  return %i, %j : i32, i32
}

// -----

// roundeven of f32 stays for LLVM by default; with expand-roundeven (Cortex-M, where LLVM
// would call roundevenf) it is (x + t) - t with t = copysign(2^23, x), sign kept, for
// |x| < 2^23.
// CHECK-LABEL: func @round_even
// CHECK: math.roundeven
// ROUND-LABEL: func @round_even
// ROUND-NOT: math.roundeven
// ROUND: %[[BIG:.*]] = arith.constant dense<0x4B000000> : vector<4xf32>
// ROUND: %[[T:.*]] = math.copysign %[[BIG]], %[[X:.*]] : vector<4xf32>
// ROUND: %[[S:.*]] = arith.addf %[[X]], %[[T]] : vector<4xf32>
// ROUND: %[[R:.*]] = arith.subf %[[S]], %[[T]] : vector<4xf32>
// ROUND: %[[SIGNED:.*]] = math.copysign %[[R]], %[[X]] : vector<4xf32>
// ROUND: %[[ABS:.*]] = math.absf %[[X]] : vector<4xf32>
// ROUND: %[[SMALL:.*]] = arith.cmpf olt, %[[ABS]], %[[BIG]] : vector<4xf32>
// ROUND: arith.select %[[SMALL]], %[[SIGNED]], %[[X]] : vector<4xi1>, vector<4xf32>
func.func @round_even(%x: vector<4xf32>) -> vector<4xf32> {
  %r = math.roundeven %x : vector<4xf32>
  return %r : vector<4xf32>
}
