"""Converts the trained, quantization-aware MobileNetV2 from TFLite to a QDQ ONNX model with
tf2onnx, the way the committed examples/models/mobilenet_v2_1.0_224_quant.onnx was made.

Not part of the test run (TensorFlow is large); run it in a separate environment:

    python3 -m venv /tmp/tfvenv
    /tmp/tfvenv/bin/pip install tensorflow-cpu==2.15.1 tf2onnx==1.16.1 onnx==1.16.2 "numpy<2"
    /tmp/tfvenv/bin/python scripts/convert_tflite.py ../shared/models/tflite/mobilenet_v2_1.0_224_quant.tflite

Source of the .tflite: the Coral (edgetpu) test data, Apache License 2.0.
"""
import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tflite", type=Path)
    ap.add_argument("-o", "--output", type=Path,
                    default=ROOT / "examples" / "models" / "mobilenet_v2_1.0_224_quant.onnx")
    args = ap.parse_args()
    subprocess.run([sys.executable, "-m", "tf2onnx.convert", "--tflite", str(args.tflite),
                    "--output", str(args.output), "--opset", "13"], check=True)
    import onnx
    model = onnx.load(str(args.output))
    ops = sorted({n.op_type for n in model.graph.node})
    print(f"{args.output}: {len(model.graph.node)} nodes, ops: {', '.join(ops)}")


if __name__ == "__main__":
    main()
