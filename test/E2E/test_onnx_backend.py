"""The ONNX backend node tests shipped in the onnx wheel (onnx/backend/test/data/node):
model, inputs and expected outputs written by the ONNX project. Every node test whose ops
are all in qcc's supported list (asked of qcc itself) is compiled for x86_64 and
aarch64-rpi4, and its outputs must equal the expected ones exactly (integers) or within
rtol 1e-4 / atol 1e-6 (floats; quantization tests 1e-6).

A model is compiled as it is first. If qcc refuses it, graph inputs other than the node's
data input (scales, zero points, weights, shapes, bounds: what qcc compiles as constants)
are turned into initializers holding the test's own values and it is compiled again. A
variant qcc still refuses (float16, 4/16-bit and float8 types, blocked quantization,
training mode, 1-D and 3-D windows...) is skipped with qcc's own diagnostic as the reason,
and test_backend_node_summary prints the counts; a crash or a wrong result fails.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import qcc
from test_e2e import OUT, TARGETS

BACKEND = Path(onnx.__file__).parent / "backend" / "test" / "data" / "node"
QUANT_PREFIXES = ("test_quantizelinear", "test_dequantizelinear", "test_qlinearconv",
                  "test_qlinearmatmul", "test_convinteger", "test_matmulinteger")


def supported_ops():
    """qcc's own list of default-domain ops, from its diagnostic for an unknown op."""
    import re
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "probe.onnxtxt"
        p.write_text('<ir_version: 8, opset_import: ["" : 13]>\n'
                     'net (float[1] X) => (float[1] Y) {\n Y = NoSuchOp (X)\n}\n')
        err = subprocess.run([str(qcc.find_qcc()), str(p), "--emit=import"],
                             capture_output=True, text=True).stderr
    m = re.search(r"in the default ONNX domain: ([A-Za-z, ]+);", err)
    assert m, err
    return {op.strip() for op in m.group(1).split(",")}


def node_cases():
    ops = supported_ops()
    cases = []
    for d in sorted(BACKEND.iterdir()):
        m = onnx.load(d / "model.onnx", load_external_data=False)
        kinds = {n.op_type for n in m.graph.node}
        # Tensors only: qcc's C interface has no sequence or optional values.
        tensors = all(v.type.HasField("tensor_type") for v in [*m.graph.input, *m.graph.output])
        if kinds and kinds <= ops and tensors and all(n.domain in ("", "ai.onnx")
                                                      for n in m.graph.node):
            cases.append(d.name)
    return cases


CASES = node_cases()
# Messages of qcc's that mean "this variant's types are outside what qcc supports".
UNSUPPORTED = ("which is not supported; supported:", "blocked quantization (block_size) is not supported",
               "the last version qcc's ONNX schemas have (opset 17); it is not supported")


# The int8 QLinearMatMul files in the wheel expect values that do not saturate where the
# spec's arithmetic saturates (e.g. an exact -236 stored as 20 instead of -128); ONNX
# Runtime saturates, like qcc. For these, the reference is the spec's formula computed
# here in numpy (int64 accumulation, f32 scale, round half to even, saturation), and the
# wheel's file must agree with it everywhere the exact result is inside the int8 range.
SATURATION_DISAGREES = {"test_qlinearmatmul_2D_int8_float32", "test_qlinearmatmul_3D_int8_float32"}


def qlinear_matmul_reference(a, a_s, a_zp, b, b_s, b_zp, y_s, y_zp):
    acc = np.matmul(a.astype(np.int64) - a_zp.astype(np.int64),
                    b.astype(np.int64) - b_zp.astype(np.int64))
    scale = np.float32(np.float32(a_s.item() * b_s.item()) / np.float32(y_s.item()))
    exact = np.rint(acc.astype(np.float32) * scale) + y_zp.astype(np.int64)
    info = np.iinfo(y_zp.dtype)
    return np.clip(exact, info.min, info.max).astype(y_zp.dtype), exact


def load_case(name):
    d = BACKEND / name
    model = onnx.load(d / "model.onnx")
    data = d / "test_data_set_0"
    read = lambda p: numpy_helper.to_array(onnx.load_tensor(str(p)))
    inputs = [read(p) for p in sorted(data.glob("input_*.pb"))]
    outputs = [read(p) for p in sorted(data.glob("output_*.pb"))]
    return model, inputs, outputs


def freeze_parameters(model: onnx.ModelProto, inputs):
    """Graph inputs other than the node's data input (the first node input that is a graph
    input; expanded function tests begin with Constant nodes) become initializers."""
    names = {vi.name for vi in model.graph.input}
    keep = next((i for n in model.graph.node for i in n.input if i in names),
                model.graph.input[0].name if model.graph.input else "")
    runtime = []
    graph_inputs = list(model.graph.input)
    del model.graph.input[:]
    for vi, value in zip(graph_inputs, inputs):
        if vi.name == keep:
            model.graph.input.append(vi)
            runtime.append(value)
        else:
            model.graph.initializer.append(numpy_helper.from_array(value, vi.name))
    return model, runtime


RESULTS = {}  # (case, target) -> "passed" | "refused: reason"


def qcc_refusal(error: RuntimeError):
    """qcc's own diagnostic for a model it refused (a clean error exit), or None if it
    crashed."""
    text = str(error)
    if "qcc failed (1)" not in text or "Stack dump" in text or "PLEASE submit" in text:
        return None
    errors = [l for l in text.splitlines() if "error:" in l]
    details = [l for l in errors if not l.startswith("qcc: error: could not import")]
    return (details or errors or ["(no message)"])[0].split("error: ", 1)[-1]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", CASES)
def test_backend_node(case, target):
    model, inputs, expected = load_case(case)
    if case in SATURATION_DISAGREES:
        reference, exact = qlinear_matmul_reference(*inputs)
        info = np.iinfo(expected[0].dtype)
        in_range = (exact >= info.min) & (exact <= info.max)
        np.testing.assert_array_equal(reference[in_range], expected[0][in_range])
        expected = [reference]
    d = OUT / "onnx_backend" / case
    d.mkdir(parents=True, exist_ok=True)
    runtime = inputs
    onnx.save(model, d / "model.onnx")
    try:
        art = qcc.compile_model(d / "model.onnx", target, d / target, name="m")
    except RuntimeError as e:
        if qcc_refusal(e) is None:
            raise
        model, runtime = freeze_parameters(model, inputs)
        onnx.save(model, d / "model.onnx")
        try:
            art = qcc.compile_model(d / "model.onnx", target, d / target, name="m")
        except RuntimeError as e2:
            reason = qcc_refusal(e2)
            if reason is None:
                raise
            RESULTS[(case, target)] = "refused: " + reason
            pytest.skip("refused by qcc: " + reason)
    app = qcc.build_app(art, d / target)
    actual, _ = qcc.run_app(app, art, runtime)
    assert len(actual) == len(expected)
    tol = 1e-6 if case.startswith(QUANT_PREFIXES) else 1e-4
    for a, e in zip(actual, expected):
        assert a.shape == e.shape
        if np.issubdtype(e.dtype, np.integer) or e.dtype == bool:
            np.testing.assert_array_equal(a, e)
        else:
            np.testing.assert_allclose(a, e, rtol=tol, atol=1e-6)
    RESULTS[(case, target)] = "passed"


def test_backend_node_summary():
    """Runs last in this file: the counts of node tests tried, passed and refused (with
    qcc's reasons), for the record."""
    if not RESULTS:
        pytest.skip("no node test ran in this session")
    import collections
    passed = sum(v == "passed" for v in RESULTS.values())
    reasons = collections.Counter(v for v in RESULTS.values() if v != "passed")
    print(f"ONNX node tests: {len(RESULTS)} tried (case x target), {passed} passed, "
          f"{len(RESULTS) - passed} refused with qcc's reason")
    for reason, n in reasons.most_common():
        print(f"  {n:4d}  {reason[:160]}")
