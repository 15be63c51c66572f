// RUN: qcc-opt %s -qcc-launch-parallel='threads=4' | FileCheck %s

// The split layer keeps its body; a task function loads its arguments from the context
// slots and calls it with the range the pool hands out.
// CHECK-LABEL: llvm.func internal @model_l0(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: i64, %{{.*}}: i64)
// CHECK-NOT: qcc.parallel_trips
// CHECK: llvm.func internal @model_l0_task(%[[CTX:.*]]: !llvm.ptr, %[[B:.*]]: i64, %[[E:.*]]: i64)
// CHECK: %[[S0:.*]] = llvm.getelementptr %[[CTX]][0] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK: %[[A0:.*]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S1:.*]] = llvm.getelementptr %[[CTX]][1] : (!llvm.ptr) -> !llvm.ptr, i64
// CHECK: %[[A1:.*]] = llvm.load %[[S1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @model_l0(%[[A0]], %[[A1]], %[[B]], %[[E]])
// CHECK: llvm.return
//
// The call in the entry: the arguments go into a stack array of 8-byte slots, the task
// and the trip count to the runtime.
// CHECK: llvm.func @model_impl(%[[IN:.*]]: !llvm.ptr, %[[ARENA:.*]]: !llvm.ptr)
// CHECK: %[[N:.*]] = llvm.mlir.constant(2 : i64) : i64
// CHECK: %[[SLOTS:.*]] = llvm.alloca %[[N]] x i64 {alignment = 8 : i64}
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[SLOTS]][0]
// CHECK: llvm.store %[[IN]], %[[P0]]
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[SLOTS]][1]
// CHECK: llvm.store %[[ARENA]], %[[P1]]
// CHECK: %[[TASK:.*]] = llvm.mlir.addressof @model_l0_task
// CHECK: %[[T:.*]] = llvm.mlir.constant(56 : i64) : i64
// CHECK: %[[TH:.*]] = llvm.mlir.constant(4 : i32) : i32
// CHECK: llvm.call @qcc_parallel_for(%[[TASK]], %[[SLOTS]], %[[T]], %[[TH]]) : (!llvm.ptr, !llvm.ptr, i64, i32) -> ()
// CHECK-NOT: llvm.call @model_l0(
// CHECK: llvm.return
// CHECK: llvm.func @qcc_parallel_for(!llvm.ptr, !llvm.ptr, i64, i32)
llvm.func internal @model_l0(%in: !llvm.ptr, %arena: !llvm.ptr, %begin: i64, %end: i64) attributes {qcc.parallel_trips = 56 : i64} {
  llvm.return
}
llvm.func @model_impl(%in: !llvm.ptr, %arena: !llvm.ptr) {
  %0 = llvm.mlir.constant(0 : i64) : i64
  %1 = llvm.mlir.constant(56 : i64) : i64
  llvm.call @model_l0(%in, %arena, %0, %1) : (!llvm.ptr, !llvm.ptr, i64, i64) -> ()
  llvm.return
}
