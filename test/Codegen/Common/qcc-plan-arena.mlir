// RUN: qcc-opt %s -split-input-file -qcc-plan-arena -verify-diagnostics | FileCheck %s

// A chain a -> b -> c: a and c never live together, so c reuses a's offset; b sits beside.
// Sizes: a 4096 B, b 1024 B, c 4096 B. Lower bound = max(a+b, b+c) = 5120.
// CHECK: module attributes {qcc.arena_alignment = 64 : i64, qcc.arena_lower_bound = 5120 : i64, qcc.arena_size = 5120 : i64}
// CHECK-LABEL: func @chain
// CHECK-SAME: %{{.*}}: memref<5120xi8> {qcc.arena}
// CHECK: %[[OFF_A:.*]] = arith.constant 0 : index
// CHECK: memref.view %{{.*}}[%[[OFF_A]]][] : memref<5120xi8> to memref<1024xf32>
// CHECK: %[[OFF_B:.*]] = arith.constant 4096 : index
// CHECK: memref.view %{{.*}}[%[[OFF_B]]][] : memref<5120xi8> to memref<256xf32>
// CHECK: %[[OFF_C:.*]] = arith.constant 0 : index
// CHECK: memref.view %{{.*}}[%[[OFF_C]]][] : memref<5120xi8> to memref<1024xf32>
// CHECK-NOT: memref.alloc
func.func @chain(%in: memref<1024xf32>, %out: memref<1024xf32>) attributes {qcc.entry} {
  %a = memref.alloc() : memref<1024xf32>
  memref.copy %in, %a : memref<1024xf32> to memref<1024xf32>
  %b = memref.alloc() : memref<256xf32>
  %sa = memref.subview %a[0] [256] [1] : memref<1024xf32> to memref<256xf32, strided<[1]>>
  memref.copy %sa, %b : memref<256xf32, strided<[1]>> to memref<256xf32>
  %c = memref.alloc() : memref<1024xf32>
  %sc = memref.subview %c[0] [256] [1] : memref<1024xf32> to memref<256xf32, strided<[1]>>
  memref.copy %b, %sc : memref<256xf32> to memref<256xf32, strided<[1]>>
  memref.copy %c, %out : memref<1024xf32> to memref<1024xf32>
  return
}

// -----

// Buffers used by the same op overlap in time and get distinct offsets, aligned to 64 bytes
// (a 10-byte buffer still starts the next one at 64).
// CHECK: qcc.arena_lower_bound = 20 : i64, qcc.arena_size = 128 : i64
// CHECK-LABEL: func @same_step
// CHECK: arith.constant 0 : index
// CHECK: arith.constant 64 : index
func.func @same_step(%out: memref<10xi8>) attributes {qcc.entry} {
  %a = memref.alloc() : memref<10xi8>
  %b = memref.alloc() : memref<10xi8>
  memref.copy %a, %b : memref<10xi8> to memref<10xi8>
  memref.copy %b, %out : memref<10xi8> to memref<10xi8>
  return
}

// -----

// No buffers: an empty arena.
// CHECK: qcc.arena_lower_bound = 0 : i64, qcc.arena_size = 0 : i64
// CHECK-LABEL: func @nothing
// CHECK-SAME: memref<0xi8> {qcc.arena}
func.func @nothing(%in: memref<4xf32>, %out: memref<4xf32>) attributes {qcc.entry} {
  memref.copy %in, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

// expected-error @+1 {{qcc-plan-arena: no function carries the 'qcc.entry' attribute}}
module {
  func.func @not_marked() {
    return
  }
}

// -----

func.func @dynamic(%n: index) attributes {qcc.entry} {
  // expected-error @+1 {{qcc-plan-arena: only static, identity-layout buffers can be planned}}
  %a = memref.alloc(%n) : memref<?xf32>
  return
}
