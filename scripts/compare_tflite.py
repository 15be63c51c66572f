"""Compares qcc's compiled trained MobileNetV2 with TFLite's own interpreter on the original
.tflite, on the input tensors the classify example produced (run the trained-model E2E test
first). Uses ai-edge-litert (in the project venv), else TensorFlow's tf.lite:

    .venv/bin/python scripts/compare_tflite.py examples/models/mobilenet_v2_1.0_224_quant.tflite
    .venv/bin/python scripts/compare_tflite.py ...tflite trained_mobilenet_fixed reference
        # --requant=fixed against TFLite's reference (gemmlowp fixed-point) kernels
    .venv/bin/python scripts/compare_tflite.py ...tflite trained_mobilenet_fixed optimized
        # ... and against its optimized builtin kernels, which round differently
(test/E2E/test_trained_mobilenet.py makes the same comparisons and asserts them.)
"""
import sys
from pathlib import Path

import numpy as np

try:  # TFLite's standalone runtime (pip install ai-edge-litert), else TensorFlow's copy.
    from ai_edge_litert import interpreter as tfl
except ImportError:
    import tensorflow as tf
    tfl = tf.lite
    tfl.OpResolverType = tf.lite.experimental.OpResolverType

ROOT = Path(__file__).resolve().parents[1]


def main(tflite, variant="trained_mobilenet", kernels="xnnpack"):
    """kernels: 'xnnpack' (TFLite's default CPU delegate, fp32 requantization), 'reference'
    (its reference kernels: gemmlowp fixed point) or 'optimized' (its builtin optimized
    kernels without delegates)."""
    resolver = {"xnnpack": tfl.OpResolverType.AUTO,
                "reference": tfl.OpResolverType.BUILTIN_REF,
                "optimized": tfl.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES}[kernels]
    it = tfl.Interpreter(model_path=str(tflite), experimental_op_resolver_type=resolver)
    it.allocate_tensors()
    inp, out = it.get_input_details()[0], it.get_output_details()[0]
    worst = 0
    for target in ("x86_64", "aarch64-rpi4"):
        d = ROOT / "test" / "E2E" / "out" / variant / target
        if not d.exists():
            continue
        for dump in sorted(d.glob("*.in.bin")):
            name = dump.name[: -len(".in.bin")]
            x = np.fromfile(dump, dtype=np.uint8).reshape(inp["shape"])
            it.set_tensor(inp["index"], x)
            it.invoke()
            ref = it.get_tensor(out["index"]).astype(np.int64)
            got = np.fromfile(d / f"{name}.out.bin", dtype=np.uint8).astype(np.int64).reshape(ref.shape)
            diff = np.abs(got - ref)
            worst = max(worst, int(diff.max()))
            print(f"{target:13s} {name:13s} max {diff.max()} LSB, exact {np.mean(diff == 0):.2%}, "
                  f"top-1 qcc {int(got.argmax())} tflite {int(ref.argmax())}")
    print(f"largest difference from TFLite ({kernels} kernels): {worst} LSB")


if __name__ == "__main__":
    main(*sys.argv[1:])
