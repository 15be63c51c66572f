"""qcc vs ONNX Runtime, single thread (or --threads N for both), same machine, same run.

For each model: compile with qcc (timed), link the harness, run it (warm-up, then the
median of --runs inferences), run ONNX Runtime (intra_op_num_threads=1, all graph
optimizations, warm-up, median of --runs), and report both latencies, their ratio, qcc's
compile time, object sizes (.text, .rodata) and arena size. Prints a table and writes a
CSV (bench/results.csv by default; bench/results_threadsN.csv with --threads N).

    .venv/bin/python bench/bench.py [--target x86_64-v4] [--runs 20] [--models a,b] [--threads N]

--threads N compiles with `qcc --threads=N` (linking runtime/qcc_parallel.c) and gives ONNX
Runtime intra_op_num_threads=N.
"""
from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

import qcc  # noqa: E402
from qcc import models  # noqa: E402

OUT = ROOT / "bench" / "out"


def build_models():
    """name -> (path, input array)."""
    OUT.mkdir(parents=True, exist_ok=True)
    found = {}
    mb_fp, mb_qdq = OUT / "mobilenet_v2_float.onnx", OUT / "mobilenet_v2_qdq.onnx"
    if not mb_fp.exists():
        onnx.save(models.mobilenet_v2(), mb_fp)
    if not mb_qdq.exists():
        models.quantize_qdq(mb_fp, mb_qdq, models.image_like_inputs((1, 3, 224, 224), 8, seed=11))
    x224 = models.image_like_inputs((1, 3, 224, 224), 1, seed=99)[0]
    found["mobilenet_v2_float"] = (mb_fp, x224)
    found["mobilenet_v2_qdq"] = (mb_qdq, x224)
    rn_fp, rn_qdq = OUT / "resnet_float.onnx", OUT / "resnet_qdq.onnx"
    if not rn_fp.exists():
        onnx.save(models.resnet_style(resolution=64), rn_fp)
    if not rn_qdq.exists():
        models.quantize_qdq(rn_fp, rn_qdq, models.image_like_inputs((1, 3, 64, 64), 8, seed=31))
    found["resnet_style_qdq"] = (rn_qdq, models.image_like_inputs((1, 3, 64, 64), 1, seed=98)[0])
    # Float nets beyond the list: the ResNet-style net (16-channel layers, a
    # concatenation of two 8-channel branches) and a SqueezeNet-style one (odd widths,
    # ceil-mode pooling, fire modules).
    found["resnet_style_float"] = (rn_fp, models.image_like_inputs((1, 3, 64, 64), 1, seed=98)[0])
    sq = OUT / "squeezenet_float.onnx"
    if not sq.exists():
        onnx.save(models.squeezenet_like(), sq)
    found["squeezenet_float"] = (sq, x224)
    mlp = OUT / "mlp.onnx"
    if not mlp.exists():
        onnx.save(models.mlp(), mlp)
    found["mlp_float"] = (mlp, np.random.default_rng(5).standard_normal((1, 256)).astype(np.float32))
    trained = ROOT / "examples" / "models" / "mobilenet_v2_1.0_224_quant.onnx"
    x = np.random.default_rng(6).integers(0, 256, (1, 224, 224, 3)).astype(np.uint8)
    found["mobilenet_v2_trained_qdq"] = (trained, x)
    return found


def section_sizes(obj: Path):
    out = subprocess.run(["/usr/lib/llvm-19/bin/llvm-size", "-A", str(obj)], capture_output=True,
                         text=True, check=True).stdout
    sizes = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
            key = ".rodata" if parts[0].startswith(".rodata") else parts[0]
            sizes[key] = sizes.get(key, 0) + int(parts[1])
    return sizes.get(".text", 0), sizes.get(".rodata", 0)


def ort_session(path, threads=1):
    """ONNX Runtime as the benchmarks run it: all graph optimizations, `threads` intra-op."""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def ort_latency_ms(path, x, runs, threads=1):
    sess = ort_session(path, threads)
    feed = {sess.get_inputs()[0].name: x}
    for _ in range(3):
        sess.run(None, feed)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        sess.run(None, feed)
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="x86_64-v4")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--models", default="")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--csv", type=Path, default=None)
    args = ap.parse_args()
    if args.csv is None:
        args.csv = ROOT / "bench" / ("results.csv" if args.threads == 1
                                     else f"results_threads{args.threads}.csv")
    if args.target.startswith("aarch64"):
        sys.exit("latency is measured natively; for aarch64 targets use bench/mca.py")
    chosen = set(filter(None, args.models.split(",")))
    rows = []
    for name, (path, x) in build_models().items():
        if chosen and name not in chosen:
            continue
        d = OUT / name / (args.target if args.threads == 1 else f"{args.target}_t{args.threads}")
        t0 = time.perf_counter()
        art = qcc.compile_model(path, args.target, d, name="m",
                                extra_args=[f"--threads={args.threads}"])
        compile_s = time.perf_counter() - t0
        app = qcc.build_app(art, d, threads=args.threads > 1, checked=False)
        _, qcc_us = qcc.run_app(app, art, [x], iterations=args.runs)
        ort_ms = ort_latency_ms(path, x, args.runs, args.threads)
        text, rodata = section_sizes(art.obj)
        qcc_ms = qcc_us / 1e3
        rows.append({"model": name, "qcc_ms": round(qcc_ms, 3), "ort_ms": round(ort_ms, 3),
                     "ratio": round(qcc_ms / ort_ms, 3), "compile_s": round(compile_s, 2),
                     "text_bytes": text, "rodata_bytes": rodata, "arena_bytes": art.arena_size})
        print(f"{name}: qcc {qcc_ms:.3f} ms, ORT {ort_ms:.3f} ms, ratio {qcc_ms / ort_ms:.2f}",
              flush=True)
    cols = list(rows[0].keys()) if rows else []
    print("\n" + " | ".join(f"{c:>14}" for c in cols))
    for r in rows:
        print(" | ".join(f"{str(r[c]):>14}" for c in cols))
    with open(args.csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    threads = "single thread" if args.threads == 1 else f"{args.threads} threads (qcc and ORT)"
    print(f"\n{args.target}, {threads}, median of {args.runs} runs after warm-up; CSV: {args.csv}")


if __name__ == "__main__":
    main()
