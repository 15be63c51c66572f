// RUN: qcc-opt %s -split-input-file -qcc-export-c-abi=name=net -verify-diagnostics | FileCheck %s

// The entry (bare pointers: 2 inputs, 1 output, arena) becomes internal NAME_impl, wrapped
// by NAME_run(inputs[], outputs[], arena) that loads each pointer and returns 0.
// CHECK-LABEL: llvm.func internal @net_impl(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-NOT: qcc.
// CHECK: llvm.func @net_run(%[[IN:.*]]: !llvm.ptr, %[[OUT:.*]]: !llvm.ptr, %[[ARENA:.*]]: !llvm.ptr) -> i32
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[IN]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[I0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[IN]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[I1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[Q0:.*]] = llvm.getelementptr %[[OUT]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[O0:.*]] = llvm.load %[[Q0]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @net_impl(%[[I0]], %[[I1]], %[[O0]], %[[ARENA]])
// CHECK: %[[ZERO:.*]] = llvm.mlir.constant(0 : i32) : i32
// CHECK: llvm.return %[[ZERO]] : i32
module {
  llvm.func @main_graph(%a: !llvm.ptr {qcc.name = "a"}, %b: !llvm.ptr, %y: !llvm.ptr, %arena: !llvm.ptr)
      attributes {qcc.entry, qcc.num_inputs = 2 : i64, qcc.num_outputs = 1 : i64} {
    llvm.return
  }
}

// -----

// expected-error @+1 {{qcc-export-c-abi: no LLVM function carries the 'qcc.entry' attribute}}
module {
  llvm.func @f() {
    llvm.return
  }
}

// -----

module {
  // expected-error @+1 {{qcc-export-c-abi: expected 4 pointer arguments (inputs, outputs, arena), found 2}}
  llvm.func @g(%a: !llvm.ptr, %b: !llvm.ptr) attributes {qcc.entry, qcc.num_inputs = 2 : i64, qcc.num_outputs = 1 : i64} {
    llvm.return
  }
}
