"""PyTorch quantization-aware training export (torch.onnx, opset 13): weights quantized in
the graph, Conv followed by Div and BatchNormalization, Identity-shared zero points. qcc
folds the convolutions with their Div/BatchNormalization into integer kernels and must
reproduce the fake-quant PyTorch outputs.

The export runs under Debian's python3 with python3-torch (installed by scripts/setup.sh).
"""
from __future__ import annotations

import subprocess

import numpy as np
import onnx
import pytest

import qcc
from test_e2e import INT8_TARGETS, OUT, integer_only, output_lsb
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "qat" / "export_qat.py"
SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="module")
def qat_export():
    d = OUT / "pytorch_qat"
    if not (d / "qat.onnx").exists():
        subprocess.run([SYSTEM_PYTHON, str(SCRIPT), str(d)], check=True, capture_output=True)
    return d


def test_qat_convolutions_are_integer(qat_export):
    ops = integer_only(qat_export / "qat.onnx")
    # Both convolutions are integer kernels with their requantization fused as an epilogue.
    assert ops["qcc.conv2d"] == 2 and ops["qcc.conv2d+requantize"] == 2, ops
    assert ops["qcc.batch_norm"] == 0 and ops["qcc.div"] == 0, ops


# --requant=fixed too: the multipliers folded from Div / BatchNormalization (s_x s_w a / s_y)
# must reach the fixed-point epilogue, not s_x s_w / s_y.
@pytest.mark.parametrize("mode", ["float", "fixed"])
@pytest.mark.parametrize("target", INT8_TARGETS)
def test_qat_matches_pytorch(qat_export, target, mode):
    d = qat_export
    model = onnx.load(d / "qat.onnx")
    lsb = output_lsb(model)
    out = d / f"{target}_{mode}"
    art = qcc.compile_model(d / "qat.onnx", target, out, name="m", extra_args=[f"--requant={mode}"])
    app = qcc.build_app(art, out)
    for k in range(4):
        x = np.load(d / f"input_{k}.npy")
        ref = np.load(d / f"output_{k}.npy")
        actual, _ = qcc.run_app(app, art, [x])
        ok, maxd, exact, top1 = qcc.compare_quantized(np.rint(actual[0] / lsb), np.rint(ref / lsb))
        print(f"input {k} on {target} ({mode}): max {maxd} LSB, exact {exact:.1%}, same top-1 {top1}")
        assert ok, (maxd, exact, top1)
