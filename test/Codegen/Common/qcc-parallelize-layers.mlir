// RUN: qcc-opt %s -split-input-file -qcc-parallelize-layers='threads=2 min-work=100' | FileCheck %s

// An elementwise layer: the outer loop writes a row per iteration. The layer function
// gets the range [begin, end) of that loop; the entry passes the whole range, 0 to 8.
// CHECK-LABEL: func.func private @main_graph_l0
// CHECK-SAME: (%{{.*}}: memref<512xi8>, %[[B:.*]]: index, %[[E:.*]]: index)
// CHECK-SAME: qcc.parallel_trips = 8 : i64
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[LB:.*]] = arith.addi %{{.*}}, %{{.*}}
// CHECK: %[[END:.*]] = arith.addi
// CHECK: %[[UB:.*]] = arith.minsi %[[END]], %[[C8]] : index
// CHECK: scf.for %{{.*}} = %[[LB]] to %[[UB]] step %{{.*}} {
// CHECK-LABEL: func.func @main_graph
// CHECK-DAG: %[[Z:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[T:.*]] = arith.constant 8 : index
// CHECK: call @main_graph_l0(%{{.*}}, %[[Z]], %[[T]]) : (memref<512xi8>, index, index) -> ()
func.func private @main_graph_l0(%arena: memref<512xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c256 = arith.constant 256 : index
  %in = memref.view %arena[%c0][] : memref<512xi8> to memref<8x16xi8>
  %out = memref.view %arena[%c256][] : memref<512xi8> to memref<8x16xi8>
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %v = memref.load %in[%i, %j] : memref<8x16xi8>
      %w = arith.addi %v, %v : i8
      memref.store %w, %out[%i, %j] : memref<8x16xi8>
    }
  }
  return
}
func.func @main_graph(%arena: memref<512xi8>) attributes {qcc.entry} {
  call @main_graph_l0(%arena) : (memref<512xi8>) -> ()
  return
}

// -----

// The outer loop is a reduction (every iteration writes the same row): not independent.
// The inner loop over the columns is, and is split instead.
// CHECK-LABEL: func.func private @main_graph_l0
// CHECK-SAME: qcc.parallel_trips = 16 : i64
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1 {
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c1 {
func.func private @main_graph_l0(%arena: memref<512xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %c256 = arith.constant 256 : index
  %in = memref.view %arena[%c0][] : memref<512xi8> to memref<8x16xi8>
  %acc = memref.view %arena[%c256][] : memref<512xi8> to memref<16xi8>
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c16 step %c1 {
      %v = memref.load %in[%i, %j] : memref<8x16xi8>
      %a = memref.load %acc[%j] : memref<16xi8>
      %s = arith.addi %v, %a : i8
      memref.store %s, %acc[%j] : memref<16xi8>
    }
  }
  return
}
func.func @main_graph(%arena: memref<512xi8>) attributes {qcc.entry} {
  call @main_graph_l0(%arena) : (memref<512xi8>) -> ()
  return
}

// -----

// A running sum along the only loop: iteration i reads what iteration i - 1 wrote
// (the read of the written region does not move with i). Stays whole.
// CHECK-LABEL: func.func private @main_graph_l0(%{{.*}}: memref<512xi32>) {
// CHECK-NOT: qcc.parallel_trips
// CHECK: call @main_graph_l0(%{{.*}}) : (memref<512xi32>) -> ()
func.func private @main_graph_l0(%buf: memref<512xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  scf.for %i = %c1 to %c512 step %c1 {
    %p = memref.load %buf[%c0] : memref<512xi32>
    %v = memref.load %buf[%i] : memref<512xi32>
    %s = arith.addi %v, %p : i32
    memref.store %s, %buf[%i] : memref<512xi32>
    memref.store %s, %buf[%c0] : memref<512xi32>
  }
  return
}
func.func @main_graph(%buf: memref<512xi32>) attributes {qcc.entry} {
  call @main_graph_l0(%buf) : (memref<512xi32>) -> ()
  return
}

// -----

// A convolution-like nest: two filter blocks around the output rows. The rows are split
// (each thread then reads mostly the rows it wrote in the layer before); the filter
// block loop stays whole in every part.
// CHECK-LABEL: func.func private @main_graph_l0
// CHECK-SAME: qcc.parallel_trips = 12 : i64
// CHECK: scf.for %[[F:.*]] = %c0 to %c16 step %c8 {
// CHECK: %[[UB:.*]] = arith.minsi %{{.*}}, %c12 : index
// CHECK-NEXT: scf.for %{{.*}} = %{{.*}} to %[[UB]] step %c1 {
func.func private @main_graph_l0(%arena: memref<4096xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c12 = arith.constant 12 : index
  %c16 = arith.constant 16 : index
  %c2048 = arith.constant 2048 : index
  %z = arith.constant 0 : i8
  %in = memref.view %arena[%c0][] : memref<4096xi8> to memref<1x12x16xi8>
  %out = memref.view %arena[%c2048][] : memref<4096xi8> to memref<16x12x8xi8>
  scf.for %f = %c0 to %c16 step %c8 {
    scf.for %r = %c0 to %c12 step %c1 {
      %row = memref.subview %in[0, %r, 0] [1, 1, 16] [1, 1, 1] : memref<1x12x16xi8> to memref<16xi8, strided<[1], offset: ?>>
      %v = vector.transfer_read %row[%c0], %z {in_bounds = [true]} : memref<16xi8, strided<[1], offset: ?>>, vector<8xi8>
      %o = memref.subview %out[%f, %r, 0] [1, 1, 8] [1, 1, 1] : memref<16x12x8xi8> to memref<8xi8, strided<[1], offset: ?>>
      vector.transfer_write %v, %o[%c0] {in_bounds = [true]} : vector<8xi8>, memref<8xi8, strided<[1], offset: ?>>
    }
  }
  return
}
func.func @main_graph(%arena: memref<4096xi8>) attributes {qcc.entry} {
  call @main_graph_l0(%arena) : (memref<4096xi8>) -> ()
  return
}

// -----

// Too little work to be worth waking the pool (4 x 4 stores < min-work = 100).
// CHECK-LABEL: func.func private @main_graph_l0(%{{.*}}: memref<64xi8>) {
// CHECK-NOT: qcc.parallel_trips
func.func private @main_graph_l0(%arena: memref<64xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %z = arith.constant 0 : i8
  %out = memref.view %arena[%c0][] : memref<64xi8> to memref<4x4xi8>
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c4 step %c1 {
      memref.store %z, %out[%i, %j] : memref<4x4xi8>
    }
  }
  return
}
func.func @main_graph(%arena: memref<64xi8>) attributes {qcc.entry} {
  call @main_graph_l0(%arena) : (memref<64xi8>) -> ()
  return
}

// -----

// A call inside the loop: its effects are unknown, so nothing is split.
// CHECK-LABEL: func.func private @main_graph_l0(%{{.*}}: memref<512xi8>) {
// CHECK-NOT: qcc.parallel_trips
func.func private @opaque(memref<512xi8>, index)
func.func private @main_graph_l0(%arena: memref<512xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  scf.for %i = %c0 to %c512 step %c1 {
    func.call @opaque(%arena, %i) : (memref<512xi8>, index) -> ()
  }
  return
}
func.func @main_graph(%arena: memref<512xi8>) attributes {qcc.entry} {
  call @main_graph_l0(%arena) : (memref<512xi8>) -> ()
  return
}
