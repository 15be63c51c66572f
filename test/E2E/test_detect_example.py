"""examples/detect end to end: the window detector (qcc.detector, built from the trained
MobileNetV2) compiled with --requant=fixed for x86_64 and aarch64-rpi4 (under qemu), linked
into detect.c and run on the bundled photos. Its detections must equal LiteRT's reference
kernels on the same input tensor (count, classes, scores; boxes within 1e-5), the picture it
writes must carry boxes, and the stream mode must read a folder of frames and a raw RGB24
file and report frames per second."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qcc.images import read_bmp
from qcc.toolchain import runner_prefix
from test_e2e import TARGETS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "detect"))
import run as detect_example  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "detect"
IMAGES = [ROOT / "examples" / "images" / n for n in ("cat.bmp", "grace_hopper.bmp")]


@pytest.fixture(scope="module", params=TARGETS)
def built(request):
    OUT.mkdir(parents=True, exist_ok=True)
    return request.param, *detect_example.build(request.param, OUT, checked=True)


def test_detections_equal_litert(built):
    target, model, art, app = built
    assert "detection_postprocess" in art.stderr and "still compute in float" not in art.stderr
    labels = open(detect_example.LABELS).read().splitlines()
    for image in IMAGES:
        text, x, got, boxed = detect_example.run_image(target, art, app, image,
                                                       OUT / target, iterations=1)
        same, box, n = detect_example.compare(model, x, got)
        assert n >= 1 and same, text
        assert box <= 1e-5
        # The printout names the classes of the outputs, and the picture has the boxes.
        for k in range(n):
            assert labels[int(got[1][0, k]) + 1] in text
        drawn, original = read_bmp(boxed), read_bmp(image)
        assert drawn.shape == original.shape and (drawn != original).any(axis=2).mean() > 0.005


def test_stream_modes(built, tmp_path):
    target, model, art, app = built
    frames = tmp_path / "frames"
    frames.mkdir()
    for image in IMAGES:
        (frames / image.name).write_bytes(image.read_bytes())
    proc = subprocess.run([*runner_prefix(target), str(app), "--frames", str(frames)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"^2 frames in [0-9.]+ s: [0-9.]+ frames per second$", proc.stdout, re.M)
    # A raw RGB24 file of three 320x240 frames (the cat, resized by numpy's nearest rule).
    cat = read_bmp(IMAGES[0])
    ys = np.arange(240) * cat.shape[0] // 240
    xs = np.arange(320) * cat.shape[1] // 320
    raw = tmp_path / "video.rgb"
    raw.write_bytes(np.concatenate([cat[ys][:, xs].reshape(-1)] * 3).tobytes())
    proc = subprocess.run([*runner_prefix(target), str(app), "--frames", str(raw), "--size",
                           "320x240"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("frame ") == 3 and "3 frames in" in proc.stdout
    # Every frame is the same picture: the same detections three times.
    per_frame = proc.stdout.split("frame ")[1:]
    assert per_frame[0].splitlines()[1:] == per_frame[1].splitlines()[1:]


def test_bad_arguments(built):
    target, model, art, app = built
    proc = subprocess.run([*runner_prefix(target), str(app), "--size", "nonsense", "x.bmp"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--size takes WxH" in proc.stderr
    proc = subprocess.run([*runner_prefix(target), str(app), "/nonexistent.bmp"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "not a readable 24-bit uncompressed BMP" in proc.stderr
