"""qcc vs LiteRT (ai-edge-litert), single thread, same machine, same run, on TFLite models.

For each model: compile with qcc, link the harness, run it (warm-up, then the median of
--runs inferences) and LiteRT with one thread under each op resolver (AUTO: the default,
with the XNNPACK delegate; BUILTIN_WITHOUT_DEFAULT_DELEGATES: TFLite's optimized kernels),
median of --runs after a warm-up. Prints a table and writes bench/results_litert.csv.

Models: the bundled integer TFLite models (MobileNetV1 0.25, MobileNetV2 1.0 uint8, the
four MLPerf Tiny int8 models) and the MobileNetV2 in dynamic-range form (float activations,
int8 weights: TFLite's hybrid kernels; python/qcc/tflite_builder.py hybrid_from_quantized).

    .venv/bin/python bench/bench_litert.py [--target x86_64-v4] [--runs 20] [--models a,b]
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

import qcc  # noqa: E402
from qcc.tflite_builder import hybrid_from_quantized  # noqa: E402

OUT = ROOT / "bench" / "out" / "litert"
MODELS = ROOT / "examples" / "models"


def build_models():
    """name -> (path, qcc flags)."""
    OUT.mkdir(parents=True, exist_ok=True)
    found = {
        "mobilenet_v1_0.25_128_quant": (MODELS / "mobilenet_v1_0.25_128_quant.tflite", ["--requant=fixed"]),
        "mobilenet_v2_1.0_224_quant": (MODELS / "mobilenet_v2_1.0_224_quant.tflite", ["--requant=fixed"]),
    }
    for name in ("kws_ref_model", "vww_96_int8", "pretrainedResnet_quant", "ad01_int8"):
        found[name] = (MODELS / "mlperf_tiny" / f"{name}.tflite", ["--requant=fixed"])
    hybrid = OUT / "mobilenet_v2_hybrid.tflite"
    if not hybrid.exists():
        b, ins, outs = hybrid_from_quantized(MODELS / "mobilenet_v2_1.0_224_quant.tflite")
        b.save(hybrid, ins, outs)
    found["mobilenet_v2_hybrid"] = (hybrid, [])
    return found


def random_inputs(interpreter):
    r = np.random.default_rng(7)
    xs = []
    for d in interpreter.get_input_details():
        if d["dtype"] == np.float32:
            xs.append(r.uniform(-1, 1, d["shape"]).astype(np.float32))
        else:
            info = np.iinfo(d["dtype"])
            xs.append(r.integers(info.min, info.max + 1, d["shape"]).astype(d["dtype"]))
    return xs


def litert_latency_ms(path, xs, runs, resolver):
    from ai_edge_litert import interpreter as tfl
    it = tfl.Interpreter(model_path=str(path), num_threads=1,
                         experimental_op_resolver_type=getattr(tfl.OpResolverType, resolver))
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), xs):
        it.set_tensor(d["index"], x)
    for _ in range(3):
        it.invoke()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        it.invoke()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="x86_64-v4")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--models", default="")
    ap.add_argument("--csv", type=Path, default=ROOT / "bench" / "results_litert.csv")
    args = ap.parse_args()
    if args.target.startswith("aarch64"):
        sys.exit("latency is measured natively; for aarch64 targets use bench/mca.py")
    from ai_edge_litert import interpreter as tfl
    chosen = set(filter(None, args.models.split(",")))
    rows = []
    for name, (path, flags) in build_models().items():
        if chosen and name not in chosen:
            continue
        xs = random_inputs(tfl.Interpreter(model_path=str(path)))
        d = OUT / name / args.target
        art = qcc.compile_model(path, args.target, d, name="m", extra_args=flags)
        app = qcc.build_app(art, d, checked=False)
        _, qcc_us = qcc.run_app(app, art, xs, iterations=args.runs)
        qcc_ms = qcc_us / 1e3
        auto = litert_latency_ms(path, xs, args.runs, "AUTO")
        builtin = litert_latency_ms(path, xs, args.runs, "BUILTIN_WITHOUT_DEFAULT_DELEGATES")
        best = min(auto, builtin)
        rows.append({"model": name, "qcc_ms": round(qcc_ms, 3), "litert_auto_ms": round(auto, 3),
                     "litert_builtin_ms": round(builtin, 3), "ratio_vs_best": round(qcc_ms / best, 3),
                     "arena_bytes": art.arena_size})
        print(f"{name}: qcc {qcc_ms:.3f} ms, LiteRT {auto:.3f} (AUTO) / {builtin:.3f} (BUILTIN) ms,"
              f" ratio {qcc_ms / best:.2f}", flush=True)
    cols = list(rows[0].keys()) if rows else []
    print("\n" + " | ".join(f"{c:>18}" for c in cols))
    for r in rows:
        print(" | ".join(f"{str(r[c]):>18}" for c in cols))
    with open(args.csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    print(f"\n{args.target}, single thread, median of {args.runs} runs after warm-up; CSV: {args.csv}")


if __name__ == "__main__":
    main()
