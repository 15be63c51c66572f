#!/usr/bin/env python3
"""Post-training quantization by qcc, evaluated on real trained models: float, int8
per-tensor, int8 per-channel and mixed precision under two budgets, for accuracy, size
and latency.

    .venv/bin/python bench/quantization.py [--models digits,mobilenet_v2] [--a72]

Models:
- digits: the CNN examples/digits/train_digits.py trains on scikit-learn's digits (its
  float ONNX, committed); accuracy on the 360-image test split; calibration: its 200
  training images (digits_calib.npz).
- mobilenet_v2: MobileNetV2 1.0/224 with the weights Google trained (the uint8 .tflite in
  examples/models, dequantized to float by scripts/dequantize_tflite.py); no labelled
  set is in the repository, so the measure is top-1 agreement with the float model on
  the repository's 5 images and 59 augmented crops of them (qcc.images.augmented_crops,
  seed 2), calibration on 32 other crops (seed 7).

For each: accuracy (digits) or top-1 agreement with float, output SQNR against float,
weight bytes and object size (.text + .rodata), latency on this x86 CPU (qcc's harness, target
`host`, median of 200 runs, one thread; ONNX Runtime or LiteRT on the same model in the
same run) and, with --a72, the Cortex-A72 estimate of bench/mca.py (llvm-mca per executed
block under qemu-user, 1.5 GHz; not for MobileNetV2's mixed variants, whose compile for
the A72 would repeat their sensitivity search). Writes bench/results_quantization.csv and the plot
docs/quantization_accuracy_size.png.
"""
from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "scripts"))

import qcc  # noqa: E402
from bench import ort_latency_ms, section_sizes  # noqa: E402
from peers import cpu_features, cpu_name, litert_runner  # noqa: E402

OUT = ROOT / "bench" / "out" / "quantization"
DIGITS = ROOT / "examples" / "digits"
MNV2_Q = ROOT / "examples" / "models" / "mobilenet_v2_1.0_224_quant.tflite"

VARIANTS = [
    ("float", []),
    ("int8 per-tensor", ["--quantize=int8", "--per-tensor"]),
    ("int8 per-channel", ["--quantize=int8"]),
    ("mixed sqnr", ["--quantize=int8", "--precision=mixed", "--accuracy-budget=sqnr>={sqnr}dB"]),
    ("mixed top1", ["--quantize=int8", "--precision=mixed", "--accuracy-budget=top1>={top1}%"]),
]


def weight_bytes(stderr: str, float_bytes: int):
    for line in stderr.splitlines():
        if line.startswith("qcc: weights "):
            return int(line.split()[2])
    return float_bytes


def digits_setup():
    d = np.load(DIGITS / "digits_test.npz")
    return {"model": DIGITS / "digits_cnn.onnx", "calib": DIGITS / "digits_calib.npz",
            "x": d["image"], "labels": d["label"], "sqnr": 45, "top1": 99}


def mobilenet_setup():
    from dequantize_tflite import dequantize
    from qcc.images import augmented_crops
    OUT.mkdir(parents=True, exist_ok=True)
    model = OUT / "mobilenet_v2_f32.tflite"
    model.write_bytes(dequantize(MNV2_Q.read_bytes()))
    imgs = sorted((ROOT / "examples" / "images").glob("*.bmp"))
    # The input's quantization in the original model: scale 1/128, zero point 128.
    real = lambda u8: (u8.astype(np.float32) - 128) * 0.0078125  # noqa: E731
    from qcc.images import read_bmp
    originals = np.stack([read_bmp(p)[(np.arange(224) * read_bmp(p).shape[0] // 224)][
        :, (np.arange(224) * read_bmp(p).shape[1] // 224)] for p in imgs])
    evalset = np.concatenate([originals, augmented_crops(imgs, 59, seed=2)])
    calib = OUT / "mobilenet_v2_calib.npz"
    np.savez(calib, input=real(augmented_crops(imgs, 32, seed=7)))
    return {"model": model, "calib": calib, "x": real(evalset)[:, None], "labels": None,
            "sqnr": 25, "top1": 99}


def run_variant(name, setup, label, flags, a72):
    d = OUT / name / label.replace(" ", "_")
    t0 = time.perf_counter()
    # `host`: this CPU's instructions (AVX-512 VNNI where it has them), as the frameworks
    # timed beside it use them.
    art = qcc.compile_model(setup["model"], "host", d, name="m",
                            extra_args=[*flags, "-v"] if flags else [])
    compile_s = time.perf_counter() - t0
    app = qcc.build_app(art, d, checked=False)
    outs = np.concatenate([qcc.run_app(app, art, [x])[0][0] for x in setup["x"]])
    _, us = qcc.run_app(app, art, [setup["x"][0]], iterations=200)
    text, rodata = section_sizes(art.obj)
    row = {"model": name, "variant": label, "outputs": outs, "latency_ms": us / 1e3,
           "text": text, "rodata": rodata, "compile_s": compile_s, "stderr": art.stderr}
    # The A72 estimate compiles the model again for aarch64-rpi4: for mixed precision that
    # repeats the sensitivity search (minutes on MobileNetV2), so only small models get it.
    if a72 and (not label.startswith("mixed") or name == "digits"):
        from mca import whole_model
        row["a72_ms"] = whole_model(Path(setup["model"]), "aarch64-rpi4", "cortex-a72", 1.5,
                                    flags) / 1.5e6
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="digits,mobilenet_v2")
    ap.add_argument("--a72", action="store_true", help="also the Cortex-A72 estimate (slow)")
    ap.add_argument("--plot-only", action="store_true",
                    help="redraw the plot from bench/results_quantization.csv")
    args = ap.parse_args()
    if args.plot_only:
        return plot_from_csv()
    print(f"CPU: {cpu_name()} ({cpu_features()}), one thread")
    rows = []
    for name in args.models.split(","):
        setup = digits_setup() if name == "digits" else mobilenet_setup()
        ref = None
        float_bytes = 0
        for label, flags in VARIANTS:
            flags = [f.format(sqnr=setup["sqnr"], top1=setup["top1"]) for f in flags]
            if flags:
                flags.append(f"--calib={setup['calib']}")
            print(f"{name}: {label} ...", flush=True)
            row = run_variant(name, setup, label, flags, args.a72)
            out = row.pop("outputs")
            if ref is None:
                ref = out
                float_bytes = row["rodata"]
            row["weights"] = weight_bytes(row.pop("stderr"), float_bytes) if flags else \
                float_bytes
            noise = ((out - ref) ** 2).sum()
            row["sqnr_db"] = (float(10 * np.log10((ref ** 2).sum() / noise)) if noise > 0
                              else float("inf"))
            row["top1_agree"] = float((out.argmax(1) == ref.argmax(1)).mean())
            if setup["labels"] is not None:
                row["accuracy"] = float((out.argmax(1) == setup["labels"]).mean())
            rows.append(row)
        # The frameworks on the same model, in the same run.
        x0 = setup["x"][0]
        if str(setup["model"]).endswith(".onnx"):
            rows.append({"model": name, "variant": "ONNX Runtime float",
                         "latency_ms": ort_latency_ms(setup["model"], x0, 200)})
            qdq = OUT / name / "qcc_int8.onnx"
            subprocess.run([str(qcc.find_qcc()), str(setup["model"]), "--quantize=int8",
                            f"--calib={setup['calib']}", "--emit=onnx", "-o", str(qdq)],
                           check=True, capture_output=True)
            rows.append({"model": name, "variant": "ONNX Runtime on qcc's int8 QDQ",
                         "latency_ms": ort_latency_ms(qdq, x0, 200)})
        else:
            run = litert_runner(setup["model"], x0, 1)
            rows.append({"model": name, "variant": "LiteRT float (XNNPACK)",
                         "latency_ms": run(200)})
            run = litert_runner(MNV2_Q, np.rint(x0 / 0.0078125 + 128).astype(np.uint8), 1)
            rows.append({"model": name, "variant": "LiteRT uint8 QAT original (XNNPACK)",
                         "latency_ms": run(200)})

    keys = ["model", "variant", "accuracy", "top1_agree", "sqnr_db", "weights", "text",
            "rodata", "latency_ms", "a72_ms", "compile_s"]
    # Rows of models not run this time are kept from the last run.
    csv_path = ROOT / "bench" / "results_quantization.csv"
    ran = {r["model"] for r in rows}
    if csv_path.exists():
        with open(csv_path) as f:
            kept = [r for r in csv.DictReader(f) if r["model"] not in ran]
        rows = [{k: _num(v) for k, v in r.items() if v != ""} for r in kept] + rows
    with open(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, keys)
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{r[k]:.4g}" if isinstance(r.get(k), float) else r.get(k, ""))
                        for k in keys})
    print("\n| model | variant | accuracy | top-1 = float | SQNR dB | weights B | object B (text+rodata) | x86 ms | A72 ms (est.) |")
    print("|---|---|---|---|---|---|---|---|---|")
    fmt = lambda r, k, f: (f % r[k]) if k in r else "-"  # noqa: E731
    for r in rows:
        obj = r["text"] + r["rodata"] if "text" in r else None
        print(f"| {r['model']} | {r['variant']} | {fmt(r, 'accuracy', '%.4f')}"
              f" | {fmt(r, 'top1_agree', '%.4f')} | {fmt(r, 'sqnr_db', '%.1f')}"
              f" | {fmt(r, 'weights', '%d')} | {obj if obj else '-'}"
              f" | {fmt(r, 'latency_ms', '%.3f')} | {fmt(r, 'a72_ms', '%.2f')} |")
    plot(rows)


def _num(v):
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v


def plot(rows):
    """Weight bytes against accuracy (or top-1 agreement with float), and against output
    SQNR, one column per model; each variant its own marker."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    models = sorted({r["model"] for r in rows if "weights" in r})
    variants = [v for v, _ in VARIANTS]
    markers = dict(zip(variants, ["o", "v", "s", "D", "^"]))
    colors = dict(zip(variants, ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"]))
    fig, axes = plt.subplots(2, len(models), figsize=(5.5 * len(models), 7.5), squeeze=False)
    for col, m in enumerate(models):
        pts = [r for r in rows if r["model"] == m and "weights" in r]
        key = "accuracy" if any("accuracy" in r for r in pts) else "top1_agree"
        for row, (k, label) in enumerate([
                (key, "test accuracy (%)" if key == "accuracy" else
                 "top-1 agreement with float (%)"),
                ("sqnr_db", "output SQNR vs float (dB; float: not shown)")]):
            ax = axes[row][col]
            for r in pts:
                y = r.get(k)
                if y is None or (k == "sqnr_db" and not np.isfinite(float(y))):
                    continue
                y = 100 * float(y) if k != "sqnr_db" else float(y)
                ax.scatter(int(r["weights"]) / 1024, y, s=60, marker=markers.get(r["variant"], "o"),
                           color=colors.get(r["variant"]), label=r["variant"], alpha=0.8)
            ax.set_xlabel("weight bytes (KiB)")
            ax.set_ylabel(label)
            ax.set_title(m)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=8, loc="lower right")
    fig.suptitle("qcc post-training quantization: accuracy and SQNR vs size "
                 "(bench/quantization.py)")
    fig.tight_layout()
    out = ROOT / "docs" / "quantization_accuracy_size.png"
    fig.savefig(out, dpi=100)
    print(f"plot: {out}")


def plot_from_csv():
    with open(ROOT / "bench" / "results_quantization.csv") as f:
        plot([{k: _num(v) for k, v in r.items() if v != ""} for r in csv.DictReader(f)])


if __name__ == "__main__":
    main()
