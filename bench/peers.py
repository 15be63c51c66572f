"""qcc against its peers in one run: ONNX Runtime, OpenVINO and LiteRT, pinned, interleaved.

For each model: qcc compiles it for each --targets entry (the harness linked without checks);
ONNX Runtime (all graph optimizations) and OpenVINO (CPU plugin, LATENCY hint) load the
same ONNX file; LiteRT (XNNPACK, the default resolver) runs the model's .tflite where one
exists (the trained MobileNetV2's original). Every runtime gets --threads threads (qcc:
`--threads=N` and the runtime/qcc_parallel.c pool), and the whole process, with the qcc
programs it starts, is pinned to the first N CPUs it may use. Then --rounds rounds, each
running every contestant in turn (median of --runs inferences after a warm-up); a
contestant's figure is the median of its round medians, so that the machine's drift from
one minute to the next falls on all of them alike.

--openvino-isa avx2 caps OpenVINO's kernels at AVX2 (oneDNN's ONEDNN_MAX_CPU_ISA): the
AVX2 peer on a host with AVX-512 (ONNX Runtime and LiteRT have no such switch and use
what the CPU has; their columns then are not AVX2 figures).

Reported per model: each latency, qcc's ratio to the fastest peer, and for the quantized
nets qcc's ratio to its own float code on the float net they were quantized from. Writes
a CSV (bench/results_peers.csv, or _threadsN) and prints a Markdown table for docs/.

    .venv/bin/python bench/peers.py [--targets x86_64-v3,host] [--rounds 3] [--runs 30]
                                    [--threads 1] [--models a,b]
"""
from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "bench"))

import qcc  # noqa: E402
from bench import OUT, build_models, ort_session  # noqa: E402

# The float net each quantized one was quantized from (qcc's own int8 / float ratio).
FLOAT_OF = {"mobilenet_v2_qdq": "mobilenet_v2_float"}
TFLITE = {"mobilenet_v2_trained_qdq": ROOT / "examples" / "models" /
          "mobilenet_v2_1.0_224_quant.tflite"}
DEFAULT_MODELS = "mobilenet_v2_float,mobilenet_v2_qdq,mobilenet_v2_trained_qdq"


def timed(fn, runs):
    for _ in range(3):
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(times))


def ort_runner(path, x, threads):
    sess = ort_session(path, threads)
    feed = {sess.get_inputs()[0].name: x}
    return lambda runs: timed(lambda: sess.run(None, feed), runs)


def openvino_runner(path, x, threads):
    import openvino as ov
    core = ov.Core()
    compiled = core.compile_model(core.read_model(str(path)), "CPU", {
        "INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY"})
    req = compiled.create_infer_request()
    return lambda runs: timed(lambda: req.infer({0: x}), runs)


def litert_runner(path, x, threads):
    from ai_edge_litert import interpreter as tfl
    it = tfl.Interpreter(model_path=str(path), num_threads=threads)
    it.allocate_tensors()
    d = it.get_input_details()[0]
    # The ONNX form of the trained net takes NHWC uint8 too (the TFLite input as it is).
    it.set_tensor(d["index"], np.ascontiguousarray(x).reshape(d["shape"]).astype(d["dtype"]))
    return lambda runs: timed(it.invoke, runs)


def qcc_runner(path, x, target, threads, name):
    d = OUT / "peers" / name / (target if threads == 1 else f"{target}_t{threads}")
    t0 = time.perf_counter()
    art = qcc.compile_model(path, target, d, name="m", extra_args=[f"--threads={threads}"])
    compile_s = time.perf_counter() - t0
    app = qcc.build_app(art, d, threads=threads > 1, checked=False)

    def run(runs):
        _, us = qcc.run_app(app, art, [x], iterations=runs)
        return us / 1e3
    return run, compile_s


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_features():
    try:
        flags = next(line for line in open("/proc/cpuinfo") if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return ""
    return ",".join(f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8")
                    if f in flags)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", default="x86_64-v3,host")
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--peers", default="ort,openvino,litert")
    ap.add_argument("--openvino-isa", default="",
                    help="cap OpenVINO's instruction set (ONEDNN_MAX_CPU_ISA, e.g. avx2)")
    ap.add_argument("--csv", type=Path, default=None)
    args = ap.parse_args()
    if args.openvino_isa:
        os.environ["ONEDNN_MAX_CPU_ISA"] = args.openvino_isa  # read when OpenVINO loads
    if args.csv is None:
        args.csv = ROOT / "bench" / ("results_peers.csv" if args.threads == 1
                                     else f"results_peers_threads{args.threads}.csv")
    targets = [t for t in args.targets.split(",") if t]
    if any(t.startswith("aarch64") for t in targets):
        sys.exit("latency is measured natively; for aarch64 targets use bench/mca.py")
    cpus = sorted(os.sched_getaffinity(0))[:args.threads]
    os.sched_setaffinity(0, cpus)  # the qcc programs started from here inherit it
    peers = [p for p in args.peers.split(",") if p]
    models = build_models()
    rows, results = [], {}
    for name in args.models.split(","):
        path, x = models[name]
        contestants = {}
        compile_s = {}
        for t in targets:
            contestants[f"qcc_{t}"], compile_s[t] = qcc_runner(path, x, t, args.threads, name)
        if "ort" in peers:
            contestants["ort"] = ort_runner(path, x, args.threads)
        if "openvino" in peers:
            try:
                contestants["openvino"] = openvino_runner(path, x, args.threads)
            except RuntimeError as e:  # OpenVINO 2026.4 capped at avx2 fails on some nets
                print(f"{name}: OpenVINO failed to compile it: {str(e).splitlines()[-1]}")
        if "litert" in peers and name in TFLITE:
            contestants["litert"] = litert_runner(TFLITE[name], x, args.threads)
        samples = {k: [] for k in contestants}
        for _ in range(args.rounds):
            for k, run in contestants.items():
                samples[k].append(run(args.runs))
        ms = {k: float(np.median(v)) for k, v in samples.items()}
        results[name] = ms
        peer_ms = {k: v for k, v in ms.items() if not k.startswith("qcc_")}
        best_peer = min(peer_ms, key=peer_ms.get) if peer_ms else None
        row = {"model": name}
        for k in ["qcc_" + t for t in targets] + ["ort", "openvino", "litert"]:
            row[f"{k}_ms"] = round(ms[k], 3) if k in ms else ""
        row["fastest_peer"] = best_peer or ""
        for t in targets:
            q = ms[f"qcc_{t}"]
            row[f"qcc_{t}/peer"] = round(q / peer_ms[best_peer], 3) if best_peer else ""
            fl = results.get(FLOAT_OF.get(name, ""), {}).get(f"qcc_{t}")
            row[f"qcc_{t}/own_float"] = round(q / fl, 3) if fl else ""
            row[f"compile_s_{t}"] = round(compile_s[t], 2)
        rows.append(row)
        print("  ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    cols = list(rows[0].keys())
    with open(args.csv, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    print(f"\n{cpu_name()} ({cpu_features()}), {args.threads} thread(s) pinned to CPU(s) "
          f"{','.join(map(str, cpus))}; {args.rounds} interleaved rounds x median of {args.runs} "
          f"runs; milliseconds"
          + (f"; OpenVINO capped at {args.openvino_isa}" if args.openvino_isa else "") + "\n")
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(str(r[c]) for c in cols) + " |")
    print(f"\nCSV: {args.csv}")


if __name__ == "__main__":
    main()
