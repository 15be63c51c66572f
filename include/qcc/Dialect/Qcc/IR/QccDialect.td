//===- QccDialect.td - the qcc dialect ---------------------*- tablegen -*-===//
#ifndef QCC_DIALECT_QCC_IR_QCCDIALECT_TD
#define QCC_DIALECT_QCC_IR_QCCDIALECT_TD

include "mlir/IR/OpBase.td"

def Qcc_Dialect : Dialect {
  let name = "qcc";
  let cppNamespace = "::mlir::qcc";
  let summary = "Tensor-level operations of quantized neural networks.";
  let description = [{
    The `qcc` dialect holds a neural network as imported from ONNX: value-semantic ops on
    statically shaped tensors in ONNX's layouts (NCHW activations, OIHW weights).

    Element types are `f32` for float tensors and upstream `!quant.uniform` types (per-tensor
    or per-axis) for quantized tensors, so that scales and zero points travel with the value
    and every pass can read them without chasing constants. Quantization-specific ops
    (`qcc.quantize`, `qcc.dequantize`, `qcc.requantize`) convert between the two.

    Ops carry exactly ONNX's semantics; any rewrite (folding BatchNorm, folding fake
    quantization, fusing requantization) is a pass that a lit test can reach.
  }];
  let dependentDialects = ["::mlir::quant::QuantizationDialect"];
}

class Qcc_Op<string mnemonic, list<Trait> traits = []> :
    Op<Qcc_Dialect, mnemonic, traits>;

#endif // QCC_DIALECT_QCC_IR_QCCDIALECT_TD
