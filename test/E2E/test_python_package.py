"""The installable Python package (python/): `pip install ./python` into a fresh folder, then,
from outside the checkout with only that folder on the path, qcc.compile / run / compare on
an ONNX and a TFLite model, for the host and for aarch64-rpi4 (run under qemu)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_e2e import OUT

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import sys, numpy as np, qcc
assert qcc.__file__.startswith(sys.argv[1]), qcc.__file__
root = sys.argv[2]
kws = root + "/examples/models/mlperf_tiny/kws_ref_model.tflite"
x = np.fromfile(root + "/examples/models/mlperf_tiny/kws_ref_input_int8_1x49x10x1.bin",
                np.int8).reshape(1, 49, 10, 1)
m = qcc.compile(kws, requant="fixed")
by_name, = m.run({"input_1": x})
by_list, = m.run([x])
assert by_name.shape == (1, 12) and (by_name == by_list).all()
print("kws top-1", int(by_name.argmax()))
for target in ("host", "aarch64-rpi4"):
    r = qcc.compare(kws, [x], target=target, requant="fixed")
    print(target, r)
    assert r["reference"] == "TFLite (micro kernels)" and r["outputs"][0]["max_diff"] == 0
onnx_model = root + "/examples/models/mobilenet_v2_1.0_224_quant.onnx"
img = np.random.default_rng(0).integers(0, 256, (1, 224, 224, 3)).astype(np.uint8)
r = qcc.compare(onnx_model, [img], threads=2)
print("onnx", r)
assert r["reference"] == "ONNX Runtime" and r["outputs"][0]["max_diff"] <= 1
# Bad input is refused with the input's name.
try:
    m.run([x.astype(np.float32)])
    raise SystemExit("a float input was accepted")
except TypeError as e:
    assert "input_1" in str(e)
try:
    m.run({"nope": x})
    raise SystemExit("an unknown input name was accepted")
except ValueError as e:
    assert "nope" in str(e)
print("ok")
"""


def test_pip_install_and_use(tmp_path):
    target = OUT / "python_package"
    # setuptools' build folder would carry files of an older tree into the wheel.
    subprocess.run(["rm", "-rf", str(target), str(ROOT / "python" / "build")], check=True)
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                           "--no-build-isolation", "--target", str(target), str(ROOT / "python")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (target / "qcc" / "api.py").exists()
    env = dict(os.environ, PYTHONPATH=str(target), QCC=str(ROOT / "build" / "bin" / "qcc"))
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(target), str(ROOT)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=900)
    print(proc.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("ok")
