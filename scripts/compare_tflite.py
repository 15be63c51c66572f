"""Compares qcc's compiled trained MobileNetV2 with TFLite's own interpreter on the original
.tflite, on the input tensors the classify example produced (run the trained-model E2E test
or the demo with --model first). Needs TensorFlow, so it runs in its own environment (see
scripts/convert_tflite.py):

    /tmp/tfvenv/bin/python scripts/compare_tflite.py ../shared/models/tflite/mobilenet_v2_1.0_224_quant.tflite
    /tmp/tfvenv/bin/python scripts/compare_tflite.py ...tflite trained_mobilenet_fixed reference
        # --requant=fixed runs against TFLite's builtin (fixed-point) kernels
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
    """kernels: 'xnnpack' (TFLite's default CPU delegate, fp32 requantization) or
    'reference' (TFLite's builtin kernels without delegates: gemmlowp fixed point)."""
    resolver = (tfl.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
                if kernels == "reference" else tfl.OpResolverType.AUTO)
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
