"""Small TFLite models for qcc's tests, written with the flatbuffers object API that the
ai-edge-litert wheel ships (ai_edge_litert.schema_py_generated): TFLite's own schema, so a
model built here is one that TFLite and TFLite Micro read, and their kernels are the
reference for qcc's output.

    b = TFLiteBuilder()
    x = b.tensor("x", (1, 8, 8, 3), "int8", scale=0.05, zero_point=-3)
    w = b.const("w", weights_ohwi, scale=per_channel_scales, axis=0)
    y = b.tensor("y", (1, 8, 8, 4), "int8", scale=0.1, zero_point=2)
    b.op("CONV_2D", [x, w, bias], [y], "Conv2DOptions", padding="SAME", stride_h=1, ...)
    b.save(path, inputs=[x], outputs=[y])
"""
from __future__ import annotations

from pathlib import Path

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as s

TYPES = {"float32": s.TensorType.FLOAT32, "float16": s.TensorType.FLOAT16,
         "int32": s.TensorType.INT32,
         "uint8": s.TensorType.UINT8, "int64": s.TensorType.INT64,
         "int16": s.TensorType.INT16, "int8": s.TensorType.INT8}
ACTIVATIONS = {"NONE": 0, "RELU": 1, "RELU_N1_TO_1": 2, "RELU6": 3, "TANH": 4}


class TFLiteBuilder:
    def __init__(self):
        self.tensors, self.buffers, self.ops, self.codes = [], [s.BufferT()], [], []

    @classmethod
    def from_file(cls, path, keep_ops=None) -> "TFLiteBuilder":
        """A builder holding an existing model's first subgraph (its first `keep_ops`
        operators, all when None), to extend with more operators."""
        m = s.ModelT.InitFromPackedBuf(Path(path).read_bytes(), 0)
        b = cls()
        g = m.subgraphs[0]
        b.tensors, b.buffers = list(g.tensors), list(m.buffers)
        for oc in m.operatorCodes:
            code = max(oc.builtinCode, oc.deprecatedBuiltinCode)
            b.codes.append(f"CUSTOM:{oc.customCode.decode()}"
                           if code == s.BuiltinOperator.CUSTOM else code)
        b.ops = list(g.operators[:keep_ops] if keep_ops is not None else g.operators)
        b.inputs = list(g.inputs)
        return b

    def index_of(self, name) -> int:
        """The index of the tensor called `name`."""
        for i, t in enumerate(self.tensors):
            if (t.name.decode() if isinstance(t.name, bytes) else t.name) == name:
                return i
        raise KeyError(name)

    def data(self, t) -> np.ndarray:
        """The constant data of tensor `t`, shaped."""
        tensor = self.tensors[t]
        dtype = {v: k for k, v in TYPES.items()}[tensor.type]
        return np.frombuffer(bytes(self.buffers[tensor.buffer].data), dtype).reshape(tensor.shape)

    def tensor(self, name, shape, dtype="int8", scale=None, zero_point=None, axis=0,
               data=None) -> int:
        t = s.TensorT()
        t.name, t.shape, t.type = name, list(shape), TYPES[dtype]
        t.buffer = 0
        if scale is not None:
            q = s.QuantizationParametersT()
            q.scale = [float(v) for v in np.atleast_1d(scale)]
            zp = np.zeros(len(q.scale), np.int64) if zero_point is None else zero_point
            q.zeroPoint = [int(v) for v in np.atleast_1d(zp)]
            q.quantizedDimension = axis
            t.quantization = q
        if data is not None:
            buf = s.BufferT()
            buf.data = np.ascontiguousarray(data).astype(np.dtype(dtype)).tobytes()
            self.buffers.append(buf)
            t.buffer = len(self.buffers) - 1
        self.tensors.append(t)
        return len(self.tensors) - 1

    def const(self, name, array, scale=None, zero_point=None, axis=0) -> int:
        array = np.asarray(array)
        return self.tensor(name, array.shape, array.dtype.name, scale, zero_point, axis, array)

    def op(self, name, inputs, outputs, options=None, custom_options=None, **fields):
        """A builtin operator by its name (CONV_2D), or a custom one as "CUSTOM:name" (its
        parameters `custom_options`, a dict written as a FlexBuffers map, as TFLite's
        converter writes them)."""
        code = name if name.startswith("CUSTOM:") else getattr(s.BuiltinOperator, name)
        if code not in self.codes:
            self.codes.append(code)
        o = s.OperatorT()
        o.opcodeIndex = self.codes.index(code)
        o.inputs, o.outputs = list(inputs), list(outputs)
        if custom_options is not None:
            from flatbuffers import flexbuffers
            o.customOptions = list(flexbuffers.Dumps(custom_options))
            o.customOptionsFormat = s.CustomOptionsFormat.FLEXBUFFERS
        if options:
            opt = getattr(s, options + "T")()
            for k, v in fields.items():
                attr = "".join(p.capitalize() if i else p for i, p in enumerate(k.split("_")))
                if k == "padding":
                    v = {"SAME": s.Padding.SAME, "VALID": s.Padding.VALID}[v]
                if k == "fused_activation_function":
                    v = ACTIVATIONS[v]
                assert hasattr(opt, attr), (options, attr)
                setattr(opt, attr, v)
            o.builtinOptionsType = getattr(s.BuiltinOptions, options)
            o.builtinOptions = opt
        self.ops.append(o)

    def model(self, inputs, outputs) -> bytes:
        g = s.SubGraphT()
        g.tensors, g.operators = self.tensors, self.ops
        g.inputs, g.outputs = list(inputs), list(outputs)
        m = s.ModelT()
        m.version, m.subgraphs, m.buffers = 3, [g], self.buffers
        m.operatorCodes = []
        for c in self.codes:
            oc = s.OperatorCodeT()
            if isinstance(c, str):
                oc.customCode, c = c.split(":", 1)[1], s.BuiltinOperator.CUSTOM
            oc.builtinCode, oc.deprecatedBuiltinCode, oc.version = c, min(c, 127), 1
            m.operatorCodes.append(oc)
        fb = flatbuffers.Builder(1024)
        fb.Finish(m.Pack(fb), file_identifier=b"TFL3")
        return bytes(fb.Output())

    def save(self, path, inputs, outputs) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.model(inputs, outputs))
        return path


def tflite_reference(path, inputs, kernels="reference"):
    """TFLite's outputs: 'reference' (LiteRT's reference kernels, BUILTIN_REF), 'micro'
    (TFLite Micro's kernels, integer-only), or 'xnnpack' (LiteRT's default CPU path)."""
    if kernels == "micro":
        from tflite_micro.python.tflite_micro import runtime
        it = runtime.Interpreter.from_file(str(path))
        it.path = path
        for i, x in enumerate(inputs):
            it.set_input(x, i)
        it.invoke()
        return _micro_outputs(it)
    from ai_edge_litert import interpreter as tfl
    resolver = {"reference": tfl.OpResolverType.BUILTIN_REF,
                "xnnpack": tfl.OpResolverType.AUTO}[kernels]
    it = tfl.Interpreter(model_path=str(path), experimental_op_resolver_type=resolver)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), inputs):
        it.set_tensor(d["index"], x)
    it.invoke()
    return [it.get_tensor(d["index"]) for d in it.get_output_details()]


def _micro_outputs(it):
    n = len(_litert_interpreter_outputs(it.path))
    return [it.get_output(i) for i in range(n)]


def _litert_interpreter_outputs(path):
    from ai_edge_litert import interpreter as tfl
    return tfl.Interpreter(model_path=str(path)).get_output_details()


def hybrid_from_quantized(path):
    """The dynamic-range (hybrid) form of an integer TFLite model, as TFLite's converter
    writes one for `optimizations = [DEFAULT]` without representative data: activations
    float32 without quantization, the filters of CONV_2D and DEPTHWISE_CONV_2D int8
    symmetric per output channel and those of FULLY_CONNECTED per tensor (re-quantized from
    the model's dequantized weights), biases float32. Returns (builder, inputs, outputs)."""
    model = s.ModelT.InitFromPackedBuf(Path(path).read_bytes(), 0)
    g = model.subgraphs[0]
    b = TFLiteBuilder.from_file(path)
    kinds = {s.BuiltinOperator.CONV_2D: 0, s.BuiltinOperator.DEPTHWISE_CONV_2D: 3,
             s.BuiltinOperator.FULLY_CONNECTED: None}
    filters, biases = {}, set()
    for o in b.ops:
        code = b.codes[o.opcodeIndex]
        if code in kinds:
            filters[o.inputs[1]] = kinds[code]
            if len(o.inputs) > 2 and o.inputs[2] >= 0:
                biases.add(o.inputs[2])

    def dequantized(t):
        q = b.tensors[t].quantization
        data = b.data(t).astype(np.float64)
        scale, zp = np.asarray(q.scale, np.float64), np.asarray(q.zeroPoint, np.float64)
        shape = [1] * data.ndim
        if scale.size > 1:
            shape[q.quantizedDimension] = -1
        return (data - zp.reshape(shape)) * scale.reshape(shape)

    for i, t in enumerate(b.tensors):
        if t.type not in (s.TensorType.UINT8, s.TensorType.INT8, s.TensorType.INT32):
            continue
        if i in filters:
            w = dequantized(i)
            axis = filters[i]
            if axis is None:
                scale = np.array([np.abs(w).max() / 127.0])
                qw = np.clip(np.rint(w / scale[0]), -127, 127)
            else:
                other = tuple(d for d in range(w.ndim) if d != axis)
                scale = np.maximum(np.abs(w).max(axis=other), 1e-12) / 127.0
                shape = [1] * w.ndim
                shape[axis] = -1
                qw = np.clip(np.rint(w / scale.reshape(shape)), -127, 127)
            b.buffers[t.buffer].data = qw.astype(np.int8).tobytes()
            t.type = s.TensorType.INT8
            q = s.QuantizationParametersT()
            q.scale = [float(v) for v in scale.astype(np.float32)]
            q.zeroPoint = [0] * len(q.scale)
            q.quantizedDimension = 0 if axis is None else axis
            t.quantization = q
        elif i in biases:
            b.buffers[t.buffer].data = dequantized(i).astype(np.float32).tobytes()
            t.type, t.quantization = s.TensorType.FLOAT32, None
        elif t.buffer == 0 or b.buffers[t.buffer].data is None or len(b.buffers[t.buffer].data) == 0:
            t.type, t.quantization = s.TensorType.FLOAT32, None
    return b, list(g.inputs), list(g.outputs)
