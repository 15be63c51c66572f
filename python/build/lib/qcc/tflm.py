"""TFLite Micro (the tflite-micro wheel) as a reference for single quantized ops.

TFLite Micro runs TFLite's integer-only reference kernels (no float LUTs), which is what
qcc's `--requant=fixed` reproduces where TFLite's own runtime uses floats (its uint8/int8
softmax evaluates exp through a float table). The models are built in memory with the
wheel's model_editor.
"""
from __future__ import annotations

import numpy as np


def softmax_int8(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """TFLite Micro's SOFTMAX (beta 1) over the last axis of int8 `x` with input
    parameters (scale, zero_point); the output has TFLite's softmax parameters (1/256,
    -128)."""
    from tflite_micro.python.tflite_micro import runtime
    from tflite_micro.tensorflow.lite.micro.compression import model_editor as me
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as tfl

    shape = tuple(int(d) for d in x.shape)
    xt = me.Tensor(shape=shape, dtype=tfl.TensorType.INT8, name="x",
                   quantization=me.Quantization(scales=float(scale), zero_points=int(zero_point)))
    yt = me.Tensor(shape=shape, dtype=tfl.TensorType.INT8, name="y",
                   quantization=me.Quantization(scales=1.0 / 256, zero_points=-128))
    op = me.Operator(opcode=tfl.BuiltinOperator.SOFTMAX, inputs=[xt], outputs=[yt])
    options = tfl.SoftmaxOptionsT()
    options.beta = 1.0
    op._fb.builtinOptionsType = tfl.BuiltinOptions.SoftmaxOptions
    op._fb.builtinOptions = options
    model = me.Model(subgraphs=[me.Subgraph(tensors=[xt, yt], operators=[op], inputs=[xt],
                                            outputs=[yt])])
    interpreter = runtime.Interpreter.from_bytes(bytes(model.build()),
                                                 arena_size=4 * x.size + (64 << 10))
    interpreter.set_input(np.ascontiguousarray(x, dtype=np.int8), 0)
    interpreter.invoke()
    return interpreter.get_output(0).copy()


def softmax(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """The same for int8 or uint8 `x`; uint8 output has zero point 0. TFLite's quantized
    softmax depends on the stored values only through x - max(x) and adds the output
    type's minimum, so uint8 is int8 shifted by 128 on both sides."""
    if x.dtype == np.uint8:
        shifted = (x.astype(np.int16) - 128).astype(np.int8)
        return (softmax_int8(shifted, scale, zero_point - 128).astype(np.int16) + 128).astype(np.uint8)
    return softmax_int8(x, scale, zero_point)
