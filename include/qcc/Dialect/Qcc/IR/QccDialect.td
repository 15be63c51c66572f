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

  // Every attribute one of qcc's passes leaves for another (or for the driver), declared
  // once: QccDialect::<Name>AttrHelper gives its name ("qcc.<name>") and typed access, and
  // verifyOperationAttribute checks where it sits and what it holds.
  let discardableAttrs = (ins
    // Set by the importer. The model's body (func.func) and its C interface:
    "::mlir::UnitAttr":$entry,
    "::mlir::IntegerAttr":$num_inputs,
    "::mlir::IntegerAttr":$num_outputs,
    // ... on each argument and result of the entry function: the ONNX tensor's name and
    // element type, for the generated header.
    "::mlir::StringAttr":$name,
    "::mlir::StringAttr":$dtype,
    // ... on the module: the default-domain opset the model was read with.
    "::mlir::IntegerAttr":$opset,
    // Set by convert-qcc-to-linalg. On tensor.empty: a number of its own, so that CSE does
    // not merge identical empties into one buffer.
    "::mlir::IntegerAttr":$distinct,
    // On the linalg.generic of a fused requantization epilogue.
    "::mlir::UnitAttr":$epilogue,
    // On a contraction: its register-block tile sizes (and the loop order of the tiles),
    // consumed by qcc-vectorize-conv.
    "::mlir::DenseI64ArrayAttr":$tile_sizes,
    "::mlir::DenseI64ArrayAttr":$tile_interchange,
    // Set by qcc-plan-arena. On the entry function's arena argument, and on the module:
    // the plan (bytes, the lower bound of any placement, alignment).
    "::mlir::UnitAttr":$arena,
    "::mlir::IntegerAttr":$arena_size,
    "::mlir::IntegerAttr":$arena_lower_bound,
    "::mlir::IntegerAttr":$arena_alignment,
    // Set by qcc-parallelize-layers. On the module: layers, and how many were split; on a
    // split layer's function: the trip count of its outer parallel loop.
    "::mlir::IntegerAttr":$layers,
    "::mlir::IntegerAttr":$parallel_layers,
    "::mlir::IntegerAttr":$parallel_trips,
    // Post-training quantization (qcc --quantize). Set by the calibration on a float op
    // (for its first result) or an entry argument: the range [min, max] its values are
    // quantized to, read by qcc-quantize.
    "::mlir::DenseF32ArrayAttr":$calib_range,
    // On a layer (conv2d, gemm, matmul with a constant weight): the precision it runs in,
    // "int8", "int16" (16-bit activations, 8-bit weights) or "float"; set by
    // qcc-mixed-precision or --layer-precision, read by qcc-quantize.
    "::mlir::StringAttr":$precision,
    // On a layer: the model's output SQNR against float (dB) measured with only this layer
    // quantized, per precision ({int8 = 31.5 : f32, int16 = 70.2 : f32}); read by
    // qcc-mixed-precision.
    "::mlir::DictionaryAttr":$sensitivity,
    // On an op, with --emit=onnx: the model's tensor its first result is (set by the ONNX
    // importer when asked, ImportOptions::recordTensorNames).
    "::mlir::StringAttr":$tensor
  );
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
}

class Qcc_Op<string mnemonic, list<Trait> traits = []> :
    Op<Qcc_Dialect, mnemonic, traits>;

#endif // QCC_DIALECT_QCC_IR_QCCDIALECT_TD
