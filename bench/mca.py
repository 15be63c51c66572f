"""Static throughput of qcc's AArch64 kernels with llvm-mca, where no Raspberry Pi is at hand.

Compiles two QDQ layers typical of MobileNetV2 (a 1x1 convolution 32 -> 64 channels and a
3x3 depthwise convolution, 56x56, u8 activations, s8 per-channel weights) for the target,
finds the innermost loop of each convolution in the assembly (the basic block that
branches back to itself and multiplies), and reports llvm-mca's cycles per iteration on the
target CPU and the multiply-accumulates per iteration (lanes of the multiply instructions),
hence MACs per cycle.

    .venv/bin/python bench/mca.py [--target aarch64-rpi4 | aarch64-rpi5]
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import helper

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "python"))

import qcc  # noqa: E402
from qcc import models  # noqa: E402

OUT = ROOT / "bench" / "out" / "mca"
CPUS = {"aarch64-rpi4": "cortex-a72", "aarch64-rpi5": "cortex-a76", "aarch64": "generic"}
LANES = {"16b": 16, "8b": 8, "8h": 8, "4h": 4, "4s": 4, "2s": 2, "2d": 2}


def layer(name, cin, cout, k, group):
    g = models.GraphBuilder(3)
    y = g.conv("input", cin, cout, k, group=group, act=None)
    m = models.make_model(g.nodes, [models.vi("input", (1, cin, 56, 56))],
                          [models.vi(y, (1, cout, 56, 56))], g.inits, name=name)
    fp, qdq = OUT / f"{name}.onnx", OUT / f"{name}_qdq.onnx"
    onnx.save(m, fp)
    models.quantize_qdq(fp, qdq, models.image_like_inputs((1, cin, 56, 56), 4, seed=1))
    return qdq, cin // group * k * k * cout * 56 * 56


def innermost_loops(asm: str):
    """Basic blocks that end in a conditional branch to their own label."""
    blocks, label, body = [], None, []
    for line in asm.splitlines():
        m = re.match(r"^(\.LBB\w+):", line)
        if m:
            label, body = m.group(1), []
            continue
        if label is None or not line.startswith("\t") or line.strip().startswith((".", "//")):
            continue
        body.append(line.strip())
        br = re.match(r"b\.\w+\s+(\.LBB\w+)|cbn?z\s+\w+,\s*(\.LBB\w+)|b\s+(\.LBB\w+)", line.strip())
        if br and label in br.groups():
            blocks.append((label, list(body)))
    return blocks


def macs_per_iteration(body):
    macs = 0
    for ins in body:
        m = re.match(r"(s|u)?(mla|mul|mull2?|mlal2?|dot)\s+v\d+\.(\w+)", ins)
        if m:
            # SDOT/UDOT: each 32-bit lane sums four byte products.
            macs += LANES.get(m.group(3), 1) * (4 if m.group(2) == "dot" else 1)
        elif re.match(r"(madd|mul)\s+w", ins):
            macs += 1
    return macs


def mca_cycles(body, cpu):
    text = "\n".join(body) + "\n"
    out = subprocess.run(["/usr/lib/llvm-19/bin/llvm-mca", "-mtriple=aarch64", f"-mcpu={cpu}",
                          "-iterations=200"], input=text, capture_output=True, text=True,
                         check=True).stdout
    cycles = int(re.search(r"Total Cycles:\s+(\d+)", out).group(1))
    return cycles / 200


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="aarch64-rpi4")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    cpu = CPUS[args.target]
    print(f"{args.target} ({cpu}), llvm-mca, innermost loop of each convolution")
    print(f"{'layer':28s} {'instrs':>7s} {'cycles/iter':>12s} {'MACs/iter':>10s} {'MACs/cycle':>11s}")
    for name, cin, cout, k, group in [("conv1x1_32x64", 32, 64, 1, 1),
                                      ("depthwise3x3_64", 64, 64, 3, 64)]:
        path, macs = layer(name, cin, cout, k, group)
        asm = subprocess.run([str(qcc.find_qcc()), str(path), f"--target={args.target}",
                              "--emit=asm", "-o", "-"], capture_output=True, text=True,
                             check=True).stdout
        loops = [(l, b) for l, b in innermost_loops(asm) if macs_per_iteration(b) > 0]
        if not loops:
            print(f"{name:28s} no multiplying inner loop found")
            continue
        label, body = max(loops, key=lambda lb: macs_per_iteration(lb[1]))
        cyc = mca_cycles(body, cpu)
        per = macs_per_iteration(body)
        print(f"{name:28s} {len(body):7d} {cyc:12.2f} {per:10d} {per / cyc:11.2f}")


if __name__ == "__main__":
    main()
