//===- qcc-opt.cpp - mlir-opt with qcc's dialects and passes ---------------===//
#include "qcc/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::qcc::registerQccDialects(registry);
  mlir::qcc::registerQccPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "qcc optimizer driver\n", registry));
}
