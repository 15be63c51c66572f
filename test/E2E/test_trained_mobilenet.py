"""The trained, quantization-aware MobileNetV2 (TFLite, converted to QDQ ONNX by
scripts/convert_tflite.py) compiled for both targets and run by the classify example on
every bundled photo: qcc's scores equal ONNX Runtime's on the same input tensor, the top-5
labels agree, and the cats come out as cats."""
from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

import qcc
from qcc.toolchain import runner_prefix
from test_e2e import OUT, TARGETS

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples" / "models" / "mobilenet_v2_1.0_224_quant.onnx"
IMAGES = sorted((ROOT / "examples" / "images").glob("*.bmp"))
LABELS = (ROOT / "examples" / "images" / "imagenet_labels.txt").read_text().splitlines()
APP_SOURCE = ROOT / "examples" / "classify" / "classify.c"


def top5(scores):
    order = np.argsort(-scores.astype(np.int64), kind="stable")
    return [int(i) for i in order[:5]]


@pytest.fixture(scope="module", params=TARGETS)
def classifier(request):
    target = request.param
    d = OUT / "trained_mobilenet" / target
    art = qcc.compile_model(MODEL, target, d, name="model")
    # A real model compiles silently: no pass warns (e.g. a convolution left scalar).
    assert "warning" not in art.stderr, art.stderr
    defines = ["-DQCC_IN_H=224", "-DQCC_IN_W=224", "-DQCC_IN_NCHW=0", "-DQCC_IN_FLOAT=0",
               "-DQCC_OUT_FLOAT=0"]
    return target, art, qcc.build_app(art, d, sources=[APP_SOURCE], cflags=defines)


@pytest.mark.parametrize("image", IMAGES, ids=[p.stem for p in IMAGES])
def test_trained_mobilenet(classifier, image):
    target, art, app = classifier
    d = app.parent
    dump_in, dump_out = d / f"{image.stem}.in.bin", d / f"{image.stem}.out.bin"
    proc = subprocess.run([*runner_prefix(target), str(app), str(image), "--iterations", "1",
                           "--dump-input", str(dump_in), "--dump-output", str(dump_out)],
                          capture_output=True, text=True, check=True)
    x = np.fromfile(dump_in, dtype=np.uint8).reshape(1, 224, 224, 3)
    got = np.fromfile(dump_out, dtype=np.uint8).reshape(1, 1001)
    ref = qcc.ort_run(MODEL, [x])[0]
    ok, max_lsb, exact, _ = qcc.compare_quantized(got, ref)
    ours, theirs = top5(got[0]), top5(ref[0])
    print(f"{image.stem} on {target}: max {max_lsb} LSB, exact {exact:.2%}; top-5 qcc "
          f"{[LABELS[i] for i in ours]}; ORT {[LABELS[i] for i in theirs]}")
    assert max_lsb <= 1 and exact >= 0.999, proc.stdout
    assert [LABELS[i] for i in ours] == [LABELS[i] for i in theirs]
    if "cat" in image.stem:
        assert "cat" in LABELS[ours[0]], LABELS[ours[0]]
