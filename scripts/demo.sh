#!/usr/bin/env bash
# Sets up and builds qcc, then runs the demo: a MobileNetV2-style QDQ network compiled for the
# Raspberry Pi 4 and run under qemu-aarch64 on the bundled photos (examples/classify).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh
exec .venv/bin/python examples/classify/demo.py "$@"
