"""Static throughput of qcc's AArch64 kernels with llvm-mca, where no Raspberry Pi is at hand.

Compiles two QDQ layers typical of MobileNetV2 (a 1x1 convolution 32 -> 64 channels and a
3x3 depthwise convolution, 56x56, u8 activations, s8 per-channel weights) for the target,
finds the innermost loop of each convolution in the assembly (the basic block that
branches back to itself and multiplies), and reports llvm-mca's cycles per iteration on the
target CPU and the multiply-accumulates per iteration (lanes of the multiply instructions),
hence MACs per cycle.

    .venv/bin/python bench/mca.py [--target aarch64-rpi4 | aarch64-rpi5]

With --model M.onnx|M.tflite [--ghz 1.5] [--flags=...] it also gives a whole-model estimate:
the model is compiled for the target and run once under qemu-user with `-d exec,nochain`,
which logs every execution of a translated block (a basic block of the program, ending at
a branch); each block of qcc's code that ran is fed to llvm-mca for the target CPU, and
the estimate is the sum over blocks of executions x llvm-mca's cycles per iteration (its
steady state, so caches, branch mispredictions and the first iterations of a loop are
not in it), at --ghz. It prints the layers (outlined functions) that take the most
cycles and the total.
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import threading
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


BRANCH = re.compile(r"^(b|bl|br|blr|ret|b\.\w+|cbn?z|tbn?z)$")


def parse_disassembly(dump: str, comment: str):
    """objdump -d --no-show-raw-insn text -> ([(address, function, mnemonic, operands)],
    {address: position}); `comment` starts the disassembler's end-of-line comments."""
    insns, func = [], None
    for line in dump.splitlines():
        m = re.match(r"^([0-9a-f]+) <(.+)>:$", line)
        if m:
            func = m.group(2)
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
        if m and func:
            insns.append((int(m.group(1), 16), func, m.group(2), m.group(3).split(comment)[0].strip()))
    return insns, {a: i for i, (a, *_) in enumerate(insns)}


def program_blocks(app: Path):
    """Start address -> (function, instructions up to and including the first branch)."""
    dump = subprocess.run(["aarch64-linux-gnu-objdump", "-d", "--no-show-raw-insn", str(app)],
                          capture_output=True, text=True, check=True).stdout
    return parse_disassembly(dump, "//")


def block_at(insns, index, addr, limit=512):
    body, func = [], None
    i = index.get(addr)
    if i is None:
        return None, []
    func = insns[i][1]
    while i < len(insns) and len(body) < limit and insns[i][1] == func:
        _, _, op, operands = insns[i]
        if BRANCH.match(op) or op in ("adrp", "adr") or "<" in operands:
            # Branch targets and PC-relative addresses do not assemble out of context: a
            # NOP stands in for them (one slot; the loop-closing branch is predicted).
            body.append("nop")
        else:
            body.append(f"{op} {operands}".strip())
        if BRANCH.match(op):
            break
        i += 1
    return func, body


def count_blocks(cmd, cwd=None):
    """Runs `cmd` (a qemu-user or qemu-system command line) with `-d exec,nochain`, in `cwd`:
    executions per translated block, by start address."""
    counts = collections.Counter()
    with tempfile.TemporaryDirectory() as tmp:
        fifo = os.path.join(tmp, "exec.log")
        os.mkfifo(fifo)
        proc = subprocess.Popen([cmd[0], "-d", "exec,nochain", "-D", fifo, *cmd[1:]],
                                cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        pat = re.compile(rb"\[[0-9a-f]+/([0-9a-f]+)/")

        def read():
            with open(fifo, "rb") as f:
                for line in f:
                    m = pat.search(line)
                    if m:
                        counts[int(m.group(1), 16)] += 1
        reader = threading.Thread(target=read)
        reader.start()
        proc.wait()
        reader.join()
        if proc.returncode != 0:
            raise RuntimeError(f"run failed: {proc.stderr.read().decode()[-500:]}")
    return counts


def whole_model(model: Path, target: str, cpu: str, ghz: float, flags):
    d = OUT / f"{model.stem}_{target}"
    art = qcc.compile_model(model, target, d, name="m", extra_args=flags)
    app = qcc.build_app(art, d, checked=False)
    inputs = []
    for spec in art.inputs:
        r = np.random.default_rng(3)
        dt = np.dtype(spec.numpy_dtype)
        x = (r.integers(np.iinfo(dt).min, np.iinfo(dt).max + 1, spec.shape) if dt.kind in "iu"
             else r.uniform(-1, 1, spec.shape))
        p = d / f"in{len(inputs)}.bin"
        np.ascontiguousarray(x, dtype=dt).tofile(p)
        inputs.append(str(p))
    outs = [str(d / f"out{i}.bin") for i in range(len(art.outputs))]
    # 0 timed iterations: the harness runs the model once (its warm-up run).
    counts = count_blocks([*qcc.toolchain.runner_prefix(target), str(app), "0", *inputs, *outs])
    insns, index = program_blocks(app)
    per_func = collections.Counter()
    cache = {}
    for addr, n in counts.items():
        func, body = block_at(insns, index, addr)
        if not func or not (func.startswith("m_") or func.startswith("main_graph")):
            continue
        key = tuple(body)
        if key not in cache:
            # Blocks run fewer than 1000 times (setup, loop exits) count one cycle per
            # instruction instead of an llvm-mca run each.
            try:
                cache[key] = mca_cycles(body, cpu) if n >= 1000 else float(len(body))
            except subprocess.CalledProcessError:
                cache[key] = float(len(body))
        per_func[func] += n * cache[key]
    total = sum(per_func.values())
    print(f"\n{model.name} on {target} ({cpu}), llvm-mca per executed block x executions "
          f"(one inference under qemu-user):")
    for func, cyc in per_func.most_common(10):
        print(f"  {func:28s} {cyc / 1e6:9.2f} Mcycles  {100 * cyc / total:5.1f} %")
    print(f"  {'total':28s} {total / 1e6:9.2f} Mcycles = {total / (ghz * 1e6):.1f} ms at "
          f"{ghz} GHz on one core")
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="aarch64-rpi4")
    ap.add_argument("--model", type=Path, action="append", default=[],
                    help="also estimate this whole model (repeatable)")
    ap.add_argument("--ghz", type=float, default=1.5)
    ap.add_argument("--flags", default="", help="qcc flags for --model, comma-separated")
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
    for model in args.model:
        whole_model(model, args.target, cpu, args.ghz, [f for f in args.flags.split(",") if f])


if __name__ == "__main__":
    main()
