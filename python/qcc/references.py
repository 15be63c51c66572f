"""References (ONNX Runtime, qcc.reference) and the comparisons the tests apply."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx

from . import reference as _reference

EXACT_REFERENCE = "exact integer reference (qcc.reference)"


def ort_run(model_path, inputs, optimize: bool = True, threads: int = 1):
    """ONNX Runtime's outputs (CPU provider). With QCC_EMULATE_CPU=NAME set (e.g. Haswell),
    computed by this Python under qemu-x86_64 -cpu NAME: ONNX Runtime then picks the kernels
    of that CPU (see emulated_run)."""
    if os.environ.get("QCC_EMULATE_CPU"):
        return emulated_run("ort", model_path, inputs, optimize=optimize, threads=threads)
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if optimize
                                   else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    sess = ort.InferenceSession(str(model_path), so, providers=["CPUExecutionProvider"])
    feeds = {i.name: x for i, x in zip(sess.get_inputs(), inputs)}
    return sess.run(None, feeds)


def compare_float(actual, expected, atol=1e-4, rtol=1e-4):
    """Element-wise: |a - e| <= atol, or <= rtol * |e|. Returns (ok, max_abs, max_rel)."""
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        return False, float("inf"), float("inf")
    diff = np.abs(a - e)
    rel = diff / np.maximum(np.abs(e), 1e-30)
    ok = bool(np.all((diff <= atol) | (rel <= rtol)))
    return ok, float(diff.max(initial=0)), float(rel.max(initial=0))


def compare_quantized(actual, expected, max_lsb=1):
    """Integer outputs: at most `max_lsb` apart everywhere, same argmax per row.
    Returns (ok, max_lsb_diff, exact_fraction, same_top1)."""
    a = np.asarray(actual).astype(np.int64)
    e = np.asarray(expected).astype(np.int64)
    if a.shape != e.shape:
        return False, None, 0.0, False
    diff = np.abs(a - e)
    exact = float(np.mean(diff == 0)) if diff.size else 1.0
    rows_a = a.reshape(a.shape[0], -1) if a.ndim > 1 else a.reshape(1, -1)
    rows_e = e.reshape(rows_a.shape)
    same_top1 = bool(np.all(rows_a.argmax(axis=1) == rows_e.argmax(axis=1)))
    maxd = int(diff.max(initial=0))
    return (maxd <= max_lsb and same_top1), maxd, exact, same_top1


def reference_run(model_path, inputs):
    """The host-independent reference of a model: (outputs, which reference).

    Quantized models (QDQ or QOperator): qcc.reference's exact evaluation, because ONNX
    Runtime's native integer kernels are wrong on some CPUs (u8 x s8 saturates in
    VPMADDUBSW without AVX-512 VNNI; u8 x u8 QLinearConv on some VNNI CPUs) and so would
    give different verdicts on different hosts. Float models: ONNX Runtime (f32, the same
    on every host within float tolerance)."""
    model = onnx.load(str(model_path))
    if _reference.is_quantized(model):
        if os.environ.get("QCC_EMULATE_CPU"):
            return emulated_run("reference", model_path, inputs), EXACT_REFERENCE
        return _reference.run(model, inputs), EXACT_REFERENCE
    return ort_run(model_path, inputs), "ONNX Runtime"


def ort_native_deviation(model_path, inputs, expected, lsb=None):
    """How far ONNX Runtime's own (optimized, fused integer) kernels are from `expected` on
    this host, as text for a test's report; they are not the reference. `lsb`: the
    quantization step of a float (dequantized) first output, to report it in steps."""
    try:
        ort = ort_run(model_path, inputs)
    except Exception as e:  # noqa: BLE001 (ORT cannot run every model qcc can)
        return f"ONNX Runtime could not run it: {str(e).splitlines()[0][:120]}"
    parts = []
    for i, (o, e) in enumerate(zip(ort, expected)):
        o, e = np.asarray(o), np.asarray(e)
        if o.shape != e.shape:
            parts.append(f"out{i}: shape {o.shape} vs {e.shape}")
        elif np.issubdtype(e.dtype, np.integer) or (lsb and i == 0):
            if not np.issubdtype(e.dtype, np.integer):
                o, e = np.rint(o / lsb), np.rint(e / lsb)
            d = np.abs(o.astype(np.int64) - e.astype(np.int64))
            parts.append(f"out{i}: max {int(d.max(initial=0))} LSB on {np.mean(d != 0):.3%}")
        else:
            parts.append(f"out{i}: max abs {float(np.abs(o.astype(np.float64) - e).max(initial=0)):.3g}")
    return "ONNX Runtime's native kernels on this host vs the reference: " + "; ".join(parts)


_EMULATED = """
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
from qcc import references, reference
mode, model, data, out = sys.argv[2:6]
kw = dict(np.load(data + ".kw.npz"))
inputs = [v for _, v in sorted(np.load(data).items(), key=lambda kv: int(kv[0][1:]))]
if mode == "ort":
    outs = references.ort_run(model, inputs, optimize=bool(kw["optimize"]), threads=int(kw["threads"]))
else:
    outs = reference.run(model, inputs)
np.savez(out, **{f"o{i}": o for i, o in enumerate(outs)})
"""


def emulated_run(mode, model_path, inputs, cpu=None, optimize=True, threads=1):
    """ONNX Runtime ("ort") or qcc.reference ("reference") computed by this Python under
    qemu-x86_64 -cpu CPU (default $QCC_EMULATE_CPU): shows what they give on a CPU this host
    is not (e.g. Haswell: AVX2 without AVX-512 or VNNI)."""
    cpu = cpu or os.environ.get("QCC_EMULATE_CPU")
    qemu = shutil.which("qemu-x86_64")
    if not qemu:
        raise RuntimeError("qemu-x86_64 (Debian's qemu-user) is needed to emulate a CPU")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data, out, script = tmp / "in.npz", tmp / "out.npz", tmp / "run.py"
        np.savez(data, **{f"i{i}": np.asarray(x) for i, x in enumerate(inputs)})
        np.savez(str(data) + ".kw.npz", optimize=optimize, threads=threads)
        script.write_text(_EMULATED)
        env = {k: v for k, v in os.environ.items() if k != "QCC_EMULATE_CPU"}
        proc = subprocess.run([qemu, "-cpu", cpu, sys.executable, str(script),
                               str(Path(__file__).resolve().parents[1]), mode, str(model_path),
                               str(data), str(out)], capture_output=True, text=True, env=env,
                              timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(f"{mode} under qemu-x86_64 -cpu {cpu} failed:\n{proc.stderr[-2000:]}")
        res = np.load(out)
        return [res[f"o{i}"] for i in range(len(res.files))]
