"""Running a model on a Cortex-M board under QEMU through examples/cortex-m/run.sh, and
reading the figures it prints (the tests and bench/cortex_m.py share this).

    out, fig = qcc.cortex_m.run_firmware("cortex-m4", x, work_dir, model="kws.tflite")
    fig["instructions"], fig["flash"], fig["ram"], fig["arena"], fig["stack"], ...
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import numpy as np

from .toolchain import REPO, find_qcc

_FIGURES = {
    "instructions": (r"^instructions: (\d+)$", ("instructions",)),
    "flash": (r"^flash: (\d+) bytes \(text (\d+), rodata (\d+)\)$", ("flash", "text", "rodata")),
    "ram": (r"^ram: (\d+) bytes \(arena (\d+), stack (\d+)\)$", ("ram", "arena", "stack")),
    "model": (r"^model: text (\d+), rodata (\d+)$", ("model_text", "model_rodata")),
}


def run_sh() -> Path:
    """examples/cortex-m/run.sh: $QCC_CM_RUN, else this checkout's, else that of the qcc
    binary in use."""
    env = os.environ.get("QCC_CM_RUN")
    candidates = [Path(env)] if env else [REPO / "examples" / "cortex-m" / "run.sh"]
    try:
        candidates.append(find_qcc().resolve().parents[2] / "examples" / "cortex-m" / "run.sh")
    except (FileNotFoundError, IndexError):
        pass
    for c in candidates:
        if c.exists():
            return c
    raise FileNotFoundError("examples/cortex-m/run.sh not found; set QCC_CM_RUN")


def parse_figures(stdout: str) -> dict:
    """The figures run.sh prints, by name (instructions, flash, text, rodata, ram, arena,
    stack, model_text, model_rodata)."""
    fig = {}
    for pattern, names in _FIGURES.values():
        m = re.search(pattern, stdout, re.M)
        if not m:
            raise ValueError(f"run.sh printed no line matching {pattern!r}:\n{stdout}")
        fig.update(zip(names, map(int, m.groups())))
    return fig


def run_firmware(target: str, inputs, work_dir, model=None, obj=None, flags=(),
                 timeout: float = 900):
    """Builds the firmware for `target` around `model` (compiled by qcc with `flags`) or a
    prebuilt `obj` (with --name=model, its header beside it), runs it once on `inputs` (an
    array or a list of arrays, in the model's order) and returns (output bytes, figures,
    run.sh's stderr). The firmware's build stays in work_dir/build."""
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    inp, out = work / "in.bin", work / "out.bin"
    xs = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    inp.write_bytes(b"".join(np.ascontiguousarray(x).tobytes() for x in xs))
    src = [f"--model={model}"] if model is not None else [f"--object={obj}"]
    proc = subprocess.run(["bash", str(run_sh()), f"--target={target}", *src, f"--input={inp}",
                           f"--output={out}", *flags], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "QCC_CM_WORK": str(work / "build")})
    if proc.returncode != 0:
        raise RuntimeError(f"run.sh failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return out.read_bytes(), parse_figures(proc.stdout), proc.stderr
