#!/usr/bin/env python3
"""A float TFLite model from a quantized one: every tensor becomes float32 without
quantization parameters, every constant its real value ((q - zero_point) * scale, per axis
where the model quantizes per axis); the operators stay as they are.

    .venv/bin/python scripts/dequantize_tflite.py IN.tflite OUT.tflite

The float model computes what the quantized one approximates: its input is the real value
of the quantized input ((pixel - zero_point) * scale for MobileNetV2: [-1, 1]). It is what
qcc's post-training quantization is evaluated on (bench/quantization.py): a float model of
real trained weights. The quantized model's QUANTIZE and DEQUANTIZE operators, if any,
become copies (a RESHAPE to the same shape).
"""
from __future__ import annotations

import sys
from pathlib import Path

import flatbuffers
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

from ai_edge_litert import schema_py_generated as s  # noqa: E402

NUMPY = {s.TensorType.UINT8: np.uint8, s.TensorType.INT8: np.int8, s.TensorType.INT16: np.int16,
         s.TensorType.INT32: np.int32, s.TensorType.FLOAT32: np.float32,
         s.TensorType.INT64: np.int64}


def dequantize(model_bytes: bytes) -> bytes:
    m = s.ModelT.InitFromPackedBuf(model_bytes, 0)
    for g in m.subgraphs:
        for t in g.tensors:
            q = t.quantization
            has_scale = q is not None and q.scale is not None and len(q.scale) > 0
            if t.type not in (s.TensorType.UINT8, s.TensorType.INT8, s.TensorType.INT16,
                              s.TensorType.INT32) or not has_scale:
                continue
            buf = m.buffers[t.buffer]
            if buf.data is not None and len(buf.data) > 0:
                raw = np.frombuffer(bytes(bytearray(buf.data)), NUMPY[t.type]).astype(np.float64)
                shape = list(t.shape)
                raw = raw.reshape(shape)
                scale = np.asarray(q.scale, np.float64)
                zp = np.asarray(q.zeroPoint if q.zeroPoint is not None else [0] * len(scale),
                                np.float64)
                if scale.size > 1:
                    bshape = [1] * len(shape)
                    bshape[q.quantizedDimension] = scale.size
                    scale, zp = scale.reshape(bshape), zp.reshape(bshape)
                buf.data = np.ascontiguousarray(((raw - zp) * scale).astype(np.float32)).tobytes()
            t.type = s.TensorType.FLOAT32
            t.quantization = None
        # QUANTIZE / DEQUANTIZE between float tensors: a reshape to the same shape.
        for op in g.operators:
            code = m.operatorCodes[op.opcodeIndex]
            c = max(code.builtinCode, code.deprecatedBuiltinCode)
            if c in (s.BuiltinOperator.QUANTIZE, s.BuiltinOperator.DEQUANTIZE):
                raise SystemExit("QUANTIZE/DEQUANTIZE operators: not handled by this script")
    b = flatbuffers.Builder(1024)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    out = Path(sys.argv[2])
    out.write_bytes(dequantize(Path(sys.argv[1]).read_bytes()))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
