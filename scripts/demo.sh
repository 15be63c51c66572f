#!/usr/bin/env bash
# Sets up and builds qcc, then runs the demo on the Raspberry Pi 4 target under qemu-aarch64:
#  1. a MobileNetV2-style network with RANDOM weights, quantized by ONNX Runtime (QDQ);
#  2. the trained, quantization-aware MobileNetV2 from TFLite (converted to QDQ ONNX),
#     with ImageNet labels;
#  3. examples/detect: a window detector built from that classifier, boxes drawn.
# Each run classifies the bundled photos and compares qcc's scores with ONNX Runtime's.
# Extra arguments go to the demo script (see examples/classify/demo.py --help).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
if [ $# -gt 0 ]; then
  exec .venv/bin/python examples/classify/demo.py "$@"
fi
echo "== 1/3: MobileNetV2-style QDQ network, random weights (its classes mean nothing)"
.venv/bin/python examples/classify/demo.py
echo
echo "== 2/3: trained MobileNetV2 (TFLite QAT model converted to QDQ ONNX)"
.venv/bin/python examples/classify/demo.py --model examples/models/mobilenet_v2_1.0_224_quant.onnx \
  --labels examples/images/imagenet_labels.txt
echo
echo "== 3/3: detection (TFLite_Detection_PostProcess) on the Pi 4 under qemu, vs LiteRT"
.venv/bin/python examples/detect/run.py
