// RUN: qcc-opt %s -split-input-file -qcc-outline-layers | FileCheck %s

// Each top-level loop nest of the entry becomes a private, internal, never-inlined
// function. Constants, views of the arena and reads of constant globals are rebuilt
// inside; the arena and the input (static, identity layout) are passed.
// CHECK: memref.global "private" constant @bias
// CHECK-LABEL: func.func private @main_graph_l0(%{{.*}}: memref<8xf32>, %{{.*}}: memref<64xi8>)
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]
// CHECK-DAG: memref.get_global @bias
// CHECK-DAG: memref.view
// CHECK-DAG: vector.transfer_read
// CHECK: scf.for
// CHECK: return
// CHECK-LABEL: func.func private @main_graph_l1(%{{.*}}: memref<64xi8>, %{{.*}}: memref<8xf32>)
// CHECK: scf.for
// CHECK: func.func @main_graph(%[[X:.*]]: memref<8xf32>, %[[Y:.*]]: memref<8xf32>, %[[A:.*]]: memref<64xi8>)
// CHECK-NEXT: call @main_graph_l0(%[[X]], %[[A]])
// CHECK-NEXT: call @main_graph_l1(%[[A]], %[[Y]])
// CHECK-NEXT: return
memref.global "private" constant @bias : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @main_graph(%x: memref<8xf32>, %y: memref<8xf32>, %arena: memref<64xi8>)
    attributes {qcc.entry, qcc.num_inputs = 1 : i64, qcc.num_outputs = 1 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %f0 = arith.constant 0.0 : f32
  %t = memref.view %arena[%c0][] : memref<64xi8> to memref<8xf32>
  %g = memref.get_global @bias : memref<4xf32>
  %b = vector.transfer_read %g[%c0], %f0 {in_bounds = [true]} : memref<4xf32>, vector<4xf32>
  scf.for %i = %c0 to %c2 step %c1 {
    %o = arith.muli %i, %c2 : index
    %v = vector.transfer_read %x[%o], %f0 {in_bounds = [true]} : memref<8xf32>, vector<4xf32>
    %s = arith.addf %v, %b : vector<4xf32>
    vector.transfer_write %s, %t[%o] {in_bounds = [true]} : vector<4xf32>, memref<8xf32>
  }
  scf.for %i = %c0 to %c2 step %c1 {
    %o = arith.muli %i, %c2 : index
    %v = vector.transfer_read %t[%o], %f0 {in_bounds = [true]} : memref<8xf32>, vector<4xf32>
    vector.transfer_write %v, %y[%o] {in_bounds = [true]} : vector<4xf32>, memref<8xf32>
  }
  return
}

// -----

// Negative: a loop that uses a value the bare-pointer convention cannot pass (a buffer
// with a dynamic size) and that cannot be rebuilt stays in the entry; functions other
// than the entry are left alone.
// CHECK-LABEL: func.func @dynamic
// CHECK: scf.for
// CHECK-LABEL: func.func @not_entry
// CHECK: scf.for
// CHECK-NOT: call
func.func @dynamic(%x: memref<?xf32>, %n: index)
    attributes {qcc.entry, qcc.num_inputs = 1 : i64, qcc.num_outputs = 0 : i64} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f1 = arith.constant 1.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    memref.store %f1, %x[%i] : memref<?xf32>
  }
  return
}
func.func @not_entry(%x: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %f1 = arith.constant 1.0 : f32
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %f1, %x[%i] : memref<4xf32>
  }
  return
}
