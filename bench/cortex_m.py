"""The MLPerf Tiny models on the Cortex-M targets: instructions, estimated cycles, flash and
RAM, next to TFLite Micro's arena for the same model.

For each model and target it runs examples/cortex-m/run.sh (firmware under qemu-system-arm:
instructions executed by model_run, exact to a SysTick period; flash; arena + painted
stack), then runs the same firmware once more with QEMU's `-d exec,nochain` log (every
execution of a translated block), feeds each block of the model's code that ran to llvm-mca
for the target CPU (-mcpu=cortex-m4 / cortex-m7 / cortex-m55) and sums executions x cycles
per iteration: an estimate of the model's cycles (steady state: no flash wait states, no
cache misses, no branch penalties beyond llvm-mca's model). It prints a markdown table and
writes bench/results_cortex_m.csv.

    .venv/bin/python bench/cortex_m.py [--targets cortex-m4,cortex-m7,cortex-m55] [--models kws,...]
"""
from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "python"))

from qcc.cortex_m import run_firmware  # noqa: E402
from mca import count_blocks, parse_disassembly  # noqa: E402  (shared with the A72 estimate)
TINY = ROOT / "examples" / "models" / "mlperf_tiny"
OUT = ROOT / "bench" / "out" / "cortex_m"
MODELS = {
    "kws": ("kws_ref_model", (1, 49, 10, 1)),
    "vww": ("vww_96_int8", (1, 96, 96, 3)),
    "ic": ("pretrainedResnet_quant", (1, 32, 32, 3)),
    "ad": ("ad01_int8", (1, 640)),
}
BOARDS = {"cortex-m4": "mps2-an386", "cortex-m7": "mps2-an500", "cortex-m55": "mps3-an547"}
TRIPLES = {"cortex-m4": "thumbv7em", "cortex-m7": "thumbv7em", "cortex-m55": "thumbv8.1m.main"}
# Ends a translated block: branches (with ARMv8.1-M's low-overhead loops: LE, WLS, DLS and
# their tail-predicated forms), and writes to the PC.
BRANCH = re.compile(r"^(b|bl|blx|bx|cbn?z|tb[bh]|b[a-z]{2}|le|letp|wls|wlstp|dls|dlstp)(\.[nw])?$")


def tflm_arena(path: Path) -> int:
    code = ("from tflite_micro.python.tflite_micro import runtime\n"
            f"runtime.Interpreter.from_file({str(path)!r}, arena_size=1 << 21).print_allocations()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    return int(re.search(r"Arena allocation total (\d+) bytes", out).group(1))


def run_sh(target, model, x, work):
    _, fig, stderr = run_firmware(target, x, work, model=model, flags=["-v"])
    fig["macs"] = int(re.search(r"total MACs: (\d+)", stderr).group(1))
    return fig


def exec_counts(board, work):
    """Executions per translated-block start address, one run of the firmware."""
    return count_blocks(
        ["qemu-system-arm", "-M", board, "-nographic", "-monitor", "none", "-serial", "none",
         "-icount", "shift=0,align=off,sleep=off", "-semihosting-config",
         "enable=on,target=native", "-kernel", "firmware.elf"], cwd=work)


def disassemble(elf: Path, target: str):
    # LLVM's disassembler for the target CPU (binutils' objdump shows the M55's MVE
    # instructions as coprocessor operations, which llvm-mca cannot time).
    dump = subprocess.run(["/usr/lib/llvm-19/bin/llvm-objdump", "-d", "--no-show-raw-insn",
                           f"--triple={TRIPLES[target]}-none-eabi", f"--mcpu={target}", str(elf)],
                          capture_output=True, text=True, check=True).stdout
    return parse_disassembly(dump, "@")


def block_at(insns, index, addr, limit=256):
    i = index.get(addr)
    if i is None:
        return None, []
    func, body = insns[i][1], []
    while i < len(insns) and len(body) < limit and insns[i][1] == func:
        _, _, op, operands = insns[i]
        ends = BRANCH.match(op) or "pc" in operands.split("{")[-1] and op.startswith(("pop", "ldm"))
        if BRANCH.match(op) or "<" in operands or "[pc" in operands or op.startswith("it"):
            # Branch targets and PC-relative loads do not assemble out of context; IT blocks
            # would need their conditional instructions: a NOP stands in (one slot).
            body.append("nop")
        else:
            body.append(f"{op} {operands}".strip())
        if ends:
            break
        i += 1
    return func, body


def mca_cycles(body, target):
    out = subprocess.run(["/usr/lib/llvm-19/bin/llvm-mca", f"-mtriple={TRIPLES[target]}",
                          f"-mcpu={target}", "-iterations=100"], input="\n".join(body) + "\n",
                         capture_output=True, text=True)
    m = re.search(r"Total Cycles:\s+(\d+)", out.stdout)
    return int(m.group(1)) / 100 if m else float(len(body))


def estimate(target, work):
    counts = exec_counts(BOARDS[target], work)
    model_syms = set(subprocess.run(["arm-none-eabi-nm", "--defined-only", str(work / "model.o")],
                                    capture_output=True, text=True).stdout.split())
    insns, index = disassemble(work / "firmware.elf", target)
    total, hottest, cache = 0.0, (0.0, None), {}
    for addr, n in counts.items():
        func, body = block_at(insns, index, addr)
        if func not in model_syms:
            continue
        key = tuple(body)
        if key not in cache:
            cache[key] = mca_cycles(body, target) if n >= 1000 else float(len(body))
        total += n * cache[key]
        if n * cache[key] > hottest[0]:
            hottest = (n * cache[key], (func, cache[key], len(body), n))
    return total, hottest


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", default=",".join(BOARDS))
    ap.add_argument("--models", default=",".join(MODELS))
    args = ap.parse_args()
    rows = []
    for key in args.models.split(","):
        name, shape = MODELS[key]
        path = TINY / f"{name}.tflite"
        x = np.random.default_rng(7).integers(-128, 128, shape).astype(np.int8)
        arena_tflm = tflm_arena(path)
        for target in args.targets.split(","):
            work = OUT / key / target
            fig = run_sh(target, path, x, work)
            cycles, (hot_cycles, hot) = estimate(target, work / "build")
            row = {"model": key, "target": target, **fig, "insn_per_mac": fig["instructions"] / fig["macs"],
                   "mca_cycles": round(cycles), "mca_cycles_per_mac": cycles / fig["macs"],
                   "hot_block": hot[0], "hot_block_cycles_per_iter": hot[1],
                   "hot_block_insns": hot[2], "hot_block_share": hot_cycles / cycles,
                   "tflm_arena": arena_tflm, "ram_vs_tflm": fig["ram"] / arena_tflm,
                   "weights": fig["model_rodata"]}
            rows.append(row)
            print(f"{key} {target}: {row['instructions']} insns ({row['insn_per_mac']:.2f}/MAC), "
                  f"mca {row['mca_cycles_per_mac']:.2f} cycles/MAC, ram {row['ram']} "
                  f"(TFLM arena {arena_tflm}), flash {row['flash']}", flush=True)
    with open(ROOT / "bench" / "results_cortex_m.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print("\n| model | target | MACs | instructions | insns/MAC | llvm-mca cycles/MAC | hottest "
          "block: cycles/iter (insns, share) | flash (model text + rodata) | RAM (arena + stack)"
          " | TFLM arena | RAM / TFLM |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['target']} | {r['macs']:,} | {r['instructions']:,} | "
              f"{r['insn_per_mac']:.2f} | {r['mca_cycles_per_mac']:.2f} | "
              f"{r['hot_block_cycles_per_iter']:.1f} ({r['hot_block_insns']}, "
              f"{100 * r['hot_block_share']:.0f} %) | {r['flash']:,} ({r['model_text']:,} + "
              f"{r['model_rodata']:,}) | {r['ram']:,} ({r['arena']:,} + {r['stack']}) | "
              f"{r['tflm_arena']:,} | {r['ram_vs_tflm']:.2f} |")


if __name__ == "__main__":
    main()
