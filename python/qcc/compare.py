"""References from ONNX Runtime and the comparisons the tests apply."""
from __future__ import annotations

import numpy as np


def ort_run(model_path, inputs, optimize: bool = True, threads: int = 1):
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
