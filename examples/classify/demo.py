"""The demo: a MobileNetV2-style network, quantized by ONNX Runtime (QDQ), compiled by qcc
for the Raspberry Pi 4 (aarch64-rpi4), linked into classify.c and run under qemu-aarch64 on
the bundled photos; the outputs are compared on the same input tensor with qcc.reference's
exact evaluation of the quantized model (ONNX semantics with ONNX Runtime's integer-kernel
arithmetic, the same on every host), and ONNX Runtime's own result on this CPU is shown
beside it (its native integer kernels differ between CPUs).

The network has the real MobileNetV2 1.0 architecture but seeded RANDOM weights: its
"classes" mean nothing. Trained weights come with the converted TFLite model.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "python"))

import qcc  # noqa: E402
from qcc import models  # noqa: E402
from qcc.toolchain import qemu_cpu, runner_prefix  # noqa: E402


def build_model(out: Path) -> Path:
    fp, qdq = out / "mobilenet_v2_float.onnx", out / "mobilenet_v2_qdq.onnx"
    if not qdq.exists():
        print("building the MobileNetV2-style network (random weights) and quantizing it "
              "with onnxruntime.quantization.quantize_static (QDQ, per-channel) ...")
        onnx.save(models.mobilenet_v2(), fp)
        models.quantize_qdq(fp, qdq, models.image_like_inputs((1, 3, 224, 224), 8, seed=11))
    return qdq


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="aarch64-rpi4")
    ap.add_argument("--model", type=Path, help="ONNX model (default: the MobileNetV2-style QDQ net)")
    ap.add_argument("--labels", type=Path)
    ap.add_argument("--iterations", type=int, default=3)
    ap.add_argument("images", nargs="*", type=Path)
    args = ap.parse_args()

    out = HERE / "out" / args.target
    out.mkdir(parents=True, exist_ok=True)
    model = args.model or build_model(HERE / "out")
    images = args.images or sorted((ROOT / "examples" / "images").glob("*.bmp"))

    art = qcc.compile_model(model, args.target, out, name="model", extra_args=["-v"])
    arena = [l for l in art.stderr.splitlines() if l.startswith(("arena:", "compile time"))]
    print(f"qcc {model.name} --target={args.target}: {art.obj} + {art.header.name}; "
          + "; ".join(arena))
    spec_in, spec_out = art.inputs[0], art.outputs[0]
    nchw = spec_in.shape[1] == 3
    h, w = (spec_in.shape[2], spec_in.shape[3]) if nchw else (spec_in.shape[1], spec_in.shape[2])
    defines = [f"-DQCC_IN_H={h}", f"-DQCC_IN_W={w}", f"-DQCC_IN_NCHW={int(nchw)}",
               f"-DQCC_IN_FLOAT={int(spec_in.dtype == 'float32')}",
               f"-DQCC_OUT_FLOAT={int(spec_out.dtype == 'float32')}"]
    app = qcc.build_app(art, out, sources=[HERE / "classify.c"], cflags=defines)
    print(f"linked {app.relative_to(ROOT)} ({args.target}); running under "
          f"{' '.join(runner_prefix(args.target)) or 'the host'}\n")

    # A model converted from TFLite (a .tflite of the same name beside it) is also compared
    # with TFLite itself, its exact reference (see docs/quantization.md).
    tflite = model.with_suffix(".tflite")
    try:
        from ai_edge_litert import interpreter as tfl
    except ImportError:
        tfl = None
    worst, worst_tfl = 0.0, None
    for img in images:
        dump_in, dump_out = out / f"{img.stem}.in.bin", out / f"{img.stem}.out.bin"
        cmd = [*runner_prefix(args.target), str(app), str(img), "--iterations",
               str(args.iterations), "--dump-input", str(dump_in), "--dump-output", str(dump_out)]
        if args.labels:
            cmd += ["--labels", str(args.labels)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"classify failed on {img}:\n{proc.stderr}")
        print(proc.stdout.rstrip())
        x = np.fromfile(dump_in, dtype=spec_in.numpy_dtype).reshape(spec_in.shape)
        got = np.fromfile(dump_out, dtype=spec_out.numpy_dtype).reshape(spec_out.shape)
        (ref,), reference = qcc.reference_run(model, [x])
        diff = float(np.max(np.abs(got.astype(np.float64) - ref.astype(np.float64))))
        worst = max(worst, diff)
        same = int(np.argmax(got)) == int(np.argmax(ref))
        print(f"  vs the {reference} on the same input: largest difference {diff:.6g}, "
              f"top-1 {'identical' if same else 'DIFFERENT'} (reference top-1 = "
              f"{int(np.argmax(ref))})")
        if reference != "ONNX Runtime":
            ort = qcc.ort_run(model, [x])[0]
            odiff = float(np.max(np.abs(got.astype(np.float64) - ort.astype(np.float64))))
            cpu = os.environ.get("QCC_EMULATE_CPU")
            where = f"an emulated {cpu} (qemu-x86_64)" if cpu else "this CPU"
            print(f"  ONNX Runtime's native kernels on {where}: largest difference {odiff:.6g}, "
                  f"top-1 {int(np.argmax(ort))}")
        if tfl is not None and tflite.exists():
            it = tfl.Interpreter(model_path=str(tflite))
            it.allocate_tensors()
            it.set_tensor(it.get_input_details()[0]["index"], x)
            it.invoke()
            tref = it.get_tensor(it.get_output_details()[0]["index"])
            tdiff = float(np.max(np.abs(got.astype(np.float64) - tref.astype(np.float64))))
            worst_tfl = max(worst_tfl or 0.0, tdiff)
            print(f"  vs TFLite on the original {tflite.name}: largest difference {tdiff:.6g}")
        print()
    print(f"largest difference from the reference over {len(images)} images: {worst:.6g}")
    if worst_tfl is not None:
        print(f"largest difference from TFLite over {len(images)} images: {worst_tfl:.6g}")
    if args.model is None:
        print("note: the network's weights are random, so its classes are meaningless; "
              "the trained MobileNetV2 is examples/models/mobilenet_v2_1.0_224_quant.onnx.")


if __name__ == "__main__":
    main()
