"""Two qcc binaries (or two flag sets) on the same models, interleaved: is a change faster?

Compiles each model with binary A and binary B (and their extra flags), checks that the
two programs give the same outputs bit for bit, then runs them alternately for --rounds
rounds (each the median of --runs inferences after warm-up) and reports the median over
rounds of each and their ratio B/A. Interleaving matters here: on this shared 2-core
machine one program's median moves by 10-30 % from one minute to the next.

    .venv/bin/python bench/ab.py --a /tmp/qcc_base --b build/bin/qcc --target x86_64-v3 \
        [--models mobilenet_v2_qdq,mobilenet_v2_trained_qdq] [--a-args=...] [--b-args=...]

Model names are bench.py's.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(ROOT / "bench"))

import qcc  # noqa: E402
from bench import OUT, build_models  # noqa: E402


def build(binary, target, name, path, args, tag):
    os.environ["QCC"] = str(Path(binary).resolve())
    d = OUT / "ab" / name / f"{target}_{tag}"
    art = qcc.compile_model(path, target, d, name="m", extra_args=args)
    return art, qcc.build_app(art, d, threads=any(a.startswith("--threads=") and a != "--threads=1"
                                                  for a in args), checked=False)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True, help="qcc binary A (the baseline)")
    ap.add_argument("--b", default=str(ROOT / "build" / "bin" / "qcc"), help="qcc binary B")
    ap.add_argument("--a-args", default="", help="extra flags for A, comma-separated")
    ap.add_argument("--b-args", default="", help="extra flags for B, comma-separated")
    ap.add_argument("--target", default="x86_64-v3")
    ap.add_argument("--a-target", default="", help="A's target if not --target (host vs x86_64-v4)")
    ap.add_argument("--b-target", default="", help="B's target if not --target")
    ap.add_argument("--models", default="mobilenet_v2_qdq,mobilenet_v2_trained_qdq")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    models = build_models()
    for name in args.models.split(","):
        path, x = models[name]
        a_art, a_app = build(args.a, args.a_target or args.target, name, path,
                             list(filter(None, args.a_args.split(","))), "a")
        b_art, b_app = build(args.b, args.b_target or args.target, name, path,
                             list(filter(None, args.b_args.split(","))), "b")
        ta, tb = [], []
        same = True
        for _ in range(args.rounds):
            outs_a, us_a = qcc.run_app(a_app, a_art, [x], iterations=args.runs)
            outs_b, us_b = qcc.run_app(b_app, b_art, [x], iterations=args.runs)
            same = same and all(np.array_equal(p, q) for p, q in zip(outs_a, outs_b))
            ta.append(us_a / 1e3)
            tb.append(us_b / 1e3)
        ma, mb = float(np.median(ta)), float(np.median(tb))
        # Per round B/A, paired: the drift between rounds cancels within a pair.
        paired = float(np.median(np.array(tb) / np.array(ta)))
        print(f"{name:28s} A {ma:8.3f} ms  B {mb:8.3f} ms  B/A {mb / ma:5.3f}  paired B/A "
              f"{paired:5.3f}  best A {min(ta):.3f} B {min(tb):.3f}  "
              f"outputs {'identical' if same else 'DIFFER'}", flush=True)


if __name__ == "__main__":
    main()
