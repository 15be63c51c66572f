"""The detection example: an SSD-style int8 (uint8) detector compiled by qcc for the
Raspberry Pi 4 (aarch64-rpi4), linked into detect.c and run under qemu-aarch64 on the
bundled photos; each result is compared, on the same input tensor, with LiteRT running the
same .tflite file with its reference kernels, and a copy of each photo with the boxes drawn
is written.

The detector is built by qcc.detector from the trained MobileNetV2 classifier (no new
weights, no box regression: a box is the window where the classifier sees its class; see
python/qcc/detector.py). Then the stream mode: the photos as a folder of frames, with the
frames per second.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "python"))

import qcc  # noqa: E402
from qcc.detector import build_window_detector  # noqa: E402
from qcc.images import read_bmp, write_png  # noqa: E402
from qcc.tflite_builder import tflite_reference  # noqa: E402
from qcc.toolchain import runner_prefix  # noqa: E402

CLASSIFIER = ROOT / "examples" / "models" / "mobilenet_v2_1.0_224_quant.tflite"
LABELS = ROOT / "examples" / "images" / "imagenet_labels.txt"


def build(target: str, out: Path, extra_args=(), checked=False):
    """The detector (.tflite), its object and header, and the linked detect program
    (`checked`: with AddressSanitizer and UBSan on x86, as the tests build it)."""
    model = out / "mobilenet_v2_window_detector.tflite"
    if not model.exists():
        build_window_detector(CLASSIFIER, model)
    art = qcc.compile_model(model, target, out / target, name="model",
                            extra_args=["--requant=fixed", "-v", *extra_args])
    app = qcc.build_app(art, out / target, sources=[HERE / "detect.c"],
                        cflags=["-DQCC_IN_H=224", "-DQCC_IN_W=224"], checked=checked)
    return model, art, app


def run_image(target, art, app, image: Path, out: Path, iterations=3):
    """Runs detect on one photo: its printout, the dumped input and the four outputs."""
    dump_in, dump_out = out / f"{image.stem}.in.bin", out / f"{image.stem}.out.bin"
    boxed = out / f"{image.stem}_boxes.bmp"
    cmd = [*runner_prefix(target), str(app), str(image), "--labels", str(LABELS), "--out",
           str(boxed), "--dump-input", str(dump_in), "--dump-output", str(dump_out),
           "--iterations", str(iterations)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"detect failed on {image}:\n{proc.stdout}{proc.stderr}")
    x = np.fromfile(dump_in, np.uint8).reshape(1, 224, 224, 3)
    raw = np.fromfile(dump_out, np.float32)
    m = art.outputs[1].shape[1]
    outputs = [raw[:4 * m].reshape(1, m, 4), raw[4 * m:5 * m].reshape(1, m),
               raw[5 * m:6 * m].reshape(1, m), raw[6 * m:].reshape(1)]
    return proc.stdout, x, outputs, boxed


def compare(model: Path, x, got):
    """LiteRT (reference kernels) on the same input: (count equal, classes and scores equal,
    largest box difference) over the detections."""
    ref = tflite_reference(model, [x], "reference")
    n = int(ref[3][0])
    same = int(got[3][0]) == n and np.array_equal(got[1][0, :n], ref[1][0, :n]) and \
        np.array_equal(got[2][0, :n], ref[2][0, :n])
    box = float(np.abs(got[0][0, :n] - ref[0][0, :n]).max()) if n else 0.0
    return same, box, n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="aarch64-rpi4")
    ap.add_argument("--png", type=Path, help="also write the pictures with boxes as PNG here")
    ap.add_argument("images", nargs="*", type=Path)
    args = ap.parse_args()
    out = HERE / "out"
    out.mkdir(parents=True, exist_ok=True)
    images = args.images or sorted((ROOT / "examples" / "images").glob("*.bmp"))
    model, art, app = build(args.target, out)
    arena = [l for l in art.stderr.splitlines() if l.startswith(("arena:", "compile time"))]
    print(f"qcc {model.name} --target={args.target} --requant=fixed: {'; '.join(arena)}")
    print(f"linked {app.relative_to(ROOT)}; running under "
          f"{' '.join(runner_prefix(args.target)) or 'the host'}\n")
    ok = True
    for image in images:
        text, x, got, boxed = run_image(args.target, art, app, image, out / args.target)
        same, box, n = compare(model, x, got)
        ok &= same and box <= 1e-5
        print(text.rstrip())
        print(f"  vs LiteRT (reference kernels) on the same input: {n} detection(s), classes "
              f"and scores {'identical' if same else 'DIFFERENT'}, boxes within {box:.2g}")
        print(f"  boxes drawn: {boxed.relative_to(ROOT)}")
        if args.png:
            args.png.mkdir(parents=True, exist_ok=True)
            print(f"  as PNG: {write_png(args.png / f'detect_{image.stem}.png', read_bmp(boxed))}")
        print()
    frames = out / args.target / "frames"
    shutil.rmtree(frames, ignore_errors=True)
    frames.mkdir()
    for image in images:
        shutil.copy(image, frames / image.name)
    proc = subprocess.run([*runner_prefix(args.target), str(app), "--frames", str(frames),
                           "--labels", str(LABELS)], capture_output=True, text=True, timeout=600)
    print("stream mode (the photos as frames):", proc.stdout.strip().splitlines()[-1])
    if proc.returncode != 0 or not ok:
        sys.exit("detection example failed")


if __name__ == "__main__":
    main()
