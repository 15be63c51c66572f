"""The trained, quantization-aware MobileNetV2 (TFLite, converted to QDQ ONNX by
scripts/convert_tflite.py) compiled for both targets and run by the classify example on
every bundled photo.

References:
  - TFLite (ai-edge-litert) on the original .tflite. With its default XNNPACK kernels
    (f32 requantization) it is the reference of `--requant=float`; with its reference
    kernels (gemmlowp fixed point) that of `--requant=fixed`. In both, qcc must equal it on
    at least 99.9 % of the scores and never differ by more than 1 LSB.
  - qcc.reference's exact evaluation of the converted QDQ model (ONNX semantics with ONNX
    Runtime's integer-kernel arithmetic, the same on every host): qcc equals it on every
    score.
  - ONNX Runtime on the converted QDQ model, printed only. On some CPUs with AVX-512 VNNI
    (a Xeon Sapphire Rapids) ONNX Runtime 1.22.1's QLinearConv returns wrong accumulators
    for some output positions of this model (up to 233 LSB on the 1x1 convolution
    expanded_conv_1/project, differing again with 2 threads), which an exact numpy
    evaluation of that layer confirms; qcc equals the numpy evaluation
    (`test_onnxruntime_deviation_is_its_own`). Run on an emulated CPU without VNNI
    (qemu-x86_64 -cpu Haswell: its AVX2 kernels), ONNX Runtime equals qcc on every score
    and the top-5 labels agree (`test_top5_equals_onnxruntime_without_vnni`).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper, numpy_helper, shape_inference

import qcc
from qcc import tflm
from qcc.toolchain import runner_prefix
from test_e2e import INT8_TARGETS, OUT

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "examples" / "models" / "mobilenet_v2_1.0_224_quant.onnx"
TFLITE = ROOT / "examples" / "models" / "mobilenet_v2_1.0_224_quant.tflite"
IMAGES = sorted((ROOT / "examples" / "images").glob("*.bmp"))
LABELS = (ROOT / "examples" / "images" / "imagenet_labels.txt").read_text().splitlines()
APP_SOURCE = ROOT / "examples" / "classify" / "classify.c"


def top5(scores):
    order = np.argsort(-scores.astype(np.int64), kind="stable")
    return [int(i) for i in order[:5]]


def tflite_run(x, kernels="xnnpack", tensor=None):
    """TFLite's scores for one uint8 NHWC input: 'xnnpack' (its default CPU delegate, f32
    requantization), 'reference' (its reference kernels: gemmlowp fixed point) or
    'optimized' (its builtin optimized kernels without delegates). With `tensor`, that
    tensor's value and quantization parameters (scale, zero point) instead."""
    from ai_edge_litert import interpreter as tfl
    resolver = {"xnnpack": tfl.OpResolverType.AUTO,
                "reference": tfl.OpResolverType.BUILTIN_REF,
                "optimized": tfl.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES}[kernels]
    it = tfl.Interpreter(model_path=str(TFLITE), experimental_op_resolver_type=resolver,
                         experimental_preserve_all_tensors=tensor is not None)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    if tensor is None:
        return it.get_tensor(it.get_output_details()[0]["index"])
    detail = next(t for t in it.get_tensor_details() if t["name"] == tensor)
    return it.get_tensor(detail["index"]), detail["quantization"]


# The input of the model's final SOFTMAX: the 1001 logits.
LOGITS = "MobilenetV2/Logits/Squeeze1"


DEFINES = ["-DQCC_IN_H=224", "-DQCC_IN_W=224", "-DQCC_IN_NCHW=0", "-DQCC_IN_FLOAT=0",
           "-DQCC_OUT_FLOAT=0"]


def build_classifier(target, mode):
    d = OUT / ("trained_mobilenet" if mode == "float" else "trained_mobilenet_fixed") / target
    art = qcc.compile_model(MODEL, target, d, name="model", extra_args=[f"--requant={mode}"])
    # A real model compiles silently: no pass warns (e.g. a convolution left scalar).
    assert "warning" not in art.stderr, art.stderr
    return art, qcc.build_app(art, d, sources=[APP_SOURCE], cflags=DEFINES)


def classify(target, app, image):
    """Runs the classify example; returns its input tensor and scores."""
    d = app.parent
    dump_in, dump_out = d / f"{image.stem}.in.bin", d / f"{image.stem}.out.bin"
    subprocess.run([*runner_prefix(target), str(app), str(image), "--iterations", "1",
                    "--dump-input", str(dump_in), "--dump-output", str(dump_out)],
                   capture_output=True, text=True, check=True)
    x = np.fromfile(dump_in, dtype=np.uint8).reshape(1, 224, 224, 3)
    return x, np.fromfile(dump_out, dtype=np.uint8).reshape(1, 1001)


@pytest.fixture(scope="module", params=INT8_TARGETS)
def classifier(request):
    target = request.param
    art, app = build_classifier(target, "float")
    return target, art, app


@pytest.mark.parametrize("image", IMAGES, ids=[p.stem for p in IMAGES])
def test_trained_mobilenet(classifier, image):
    target, art, app = classifier
    x, got = classify(target, app, image)
    tfl = tflite_run(x)
    ok, max_lsb, exact, _ = qcc.compare_quantized(got, tfl)
    ref = qcc.reference_run(MODEL, [x])[0][0]
    _, ref_lsb, ref_exact, _ = qcc.compare_quantized(got, ref)
    ort = qcc.ort_run(MODEL, [x])[0]
    _, ort_lsb, ort_exact, _ = qcc.compare_quantized(got, ort)
    ours, theirs, tfl5 = top5(got[0]), top5(ref[0]), top5(tfl[0])
    print(f"{image.stem} on {target}: vs TFLite max {max_lsb} LSB, exact {exact:.2%}; "
          f"vs the exact reference max {ref_lsb} LSB, exact {ref_exact:.2%}; "
          f"(ONNX Runtime's native kernels on this host: max {ort_lsb} LSB, exact "
          f"{ort_exact:.2%}); top-5 qcc {[LABELS[i] for i in ours]}")
    assert max_lsb <= 1 and exact >= 0.999, f"qcc vs TFLite: max {max_lsb} LSB, exact {exact:.2%}"
    assert [LABELS[i] for i in ours] == [LABELS[i] for i in tfl5]
    assert ref_lsb == 0, f"qcc vs the exact reference: max {ref_lsb} LSB, exact {ref_exact:.2%}"
    assert ours == theirs
    if "cat" in image.stem:
        assert "cat" in LABELS[ours[0]], LABELS[ours[0]]


@pytest.mark.parametrize("target", INT8_TARGETS)
def test_trained_mobilenet_fixed_point(target):
    """--requant=fixed is integer-only: no floating-point instruction in the object, and
    the scores equal TFLite's integer-only arithmetic exactly: TFLite's reference kernels
    (gemmlowp fixed point, double rounding) up to the logits, then TFLite Micro's integer
    softmax. TFLite itself evaluates its uint8 softmax through a float exp table; that
    full-TFLite comparison is printed and bounded by 1 LSB (the two softmaxes round
    differently on rare scores; on the bundled photos they agree), as is the one with TFLite's optimized builtin kernels, which round some
    requantizations differently from its reference kernels (up to 14 LSB on one score)."""
    from test_e2e import float_instructions
    art, app = build_classifier(target, "fixed")
    family = "x86_64" if target.startswith("x86_64") else "aarch64-rpi4"
    floats = float_instructions(art.obj, family)
    assert not floats, "floating-point instructions:\n" + "\n".join(floats[:10])
    for image in IMAGES:
        x, got = classify(target, app, image)
        logits, (scale, zero_point) = tflite_run(x, "reference", tensor=LOGITS)
        expected = tflm.softmax(logits, scale, zero_point)
        ok, max_lsb, exact, top1 = qcc.compare_quantized(got, expected)
        _, ref_lsb, ref_exact, _ = qcc.compare_quantized(got, tflite_run(x, "reference"))
        _, opt_lsb, opt_exact, _ = qcc.compare_quantized(got, tflite_run(x, "optimized"))
        print(f"fixed {image.stem} on {target}: vs TFLite reference logits + TFLite Micro "
              f"softmax max {max_lsb} LSB, exact {exact:.2%}; vs TFLite reference kernels "
              f"(float softmax) max {ref_lsb} LSB, exact {ref_exact:.2%}; vs its optimized "
              f"kernels max {opt_lsb} LSB, exact {opt_exact:.2%}")
        assert max_lsb == 0, (image.stem, max_lsb, exact)
        assert ref_lsb <= 1 and ref_exact >= 0.999, (image.stem, ref_lsb, ref_exact)


# ONNX Runtime on an emulated CPU without AVX-512 VNNI (qemu-x86_64 -cpu Haswell: its AVX2
# kernels), where its QLinearConv is right. The venv's Python runs unchanged under qemu-user.
ORT_NO_VNNI = """
import sys, numpy as np, onnxruntime as ort
so = ort.SessionOptions(); so.intra_op_num_threads = 1
s = ort.InferenceSession(sys.argv[1], so, providers=["CPUExecutionProvider"])
xs = np.load(sys.argv[2])
np.save(sys.argv[3], np.stack([s.run(None, {s.get_inputs()[0].name: x[None]})[0][0] for x in xs]))
"""


def onnxruntime_without_vnni(inputs, work: Path):
    """ONNX Runtime's scores of the model for each NHWC uint8 input, computed on an emulated
    Haswell; None if qemu-x86_64 is not installed."""
    qemu = shutil.which("qemu-x86_64")
    if not qemu:
        return None
    work.mkdir(parents=True, exist_ok=True)
    script, xs, ys = work / "ort_no_vnni.py", work / "inputs.npy", work / "scores.npy"
    script.write_text(ORT_NO_VNNI)
    np.save(xs, np.stack([x[0] for x in inputs]))
    subprocess.run([qemu, "-cpu", "Haswell", sys.executable, str(script), str(MODEL), str(xs),
                    str(ys)], capture_output=True, text=True, check=True, timeout=900)
    return np.load(ys)


def test_top5_equals_onnxruntime_without_vnni(classifier):
    """ONNX Runtime where its int8 convolutions are right (no AVX-512 VNNI: an emulated
    Haswell) gives exactly qcc's scores: every one of the 1001 scores of every photo, hence
    the same top-5 labels; and the cats are cats."""
    target, art, app = classifier
    runs = [classify(target, app, image) for image in IMAGES]
    expected = onnxruntime_without_vnni([x for x, _ in runs], app.parent / "ort_no_vnni")
    if expected is None:
        pytest.skip("qemu-x86_64 (Debian qemu-user) is not installed: no CPU without "
                    "AVX-512 VNNI to run ONNX Runtime on")
    for image, (x, got), ort_scores in zip(IMAGES, runs, expected):
        ok, max_lsb, exact, _ = qcc.compare_quantized(got, ort_scores[None])
        ours, theirs = top5(got[0]), top5(ort_scores)
        print(f"{image.stem} on {target}: vs ONNX Runtime (Haswell) max {max_lsb} LSB, exact "
              f"{exact:.2%}; top-5 {[LABELS[i] for i in ours]}")
        assert max_lsb == 0, (image.stem, max_lsb, exact)
        assert [LABELS[i] for i in ours] == [LABELS[i] for i in theirs]
        if "cat" in image.stem:
            assert "cat" in LABELS[ours[0]], LABELS[ours[0]]


def test_onnxruntime_deviation_is_its_own():
    """Where ONNX Runtime and qcc disagree on this model, an exact evaluation sides with qcc:
    the 1x1 convolution expanded_conv_1/project computed in numpy with int64 accumulation
    (ONNX QLinearConv semantics, requantized as ONNX Runtime does) equals qcc's layer."""
    m0 = shape_inference.infer_shapes(onnx.load(MODEL))
    shapes = {v.name: v for v in m0.graph.value_info}
    inits = {i.name: numpy_helper.to_array(i) for i in m0.graph.initializer}
    producer = {o: n for n in m0.graph.node for o in n.output}
    quants = [n for n in m0.graph.node if n.op_type == "QuantizeLinear"]
    x, _ = classify("x86_64", build_classifier("x86_64", "float")[1], IMAGES[1])  # cat

    def cut(k):
        """qcc and ONNX Runtime on the model cut after the k-th QuantizeLinear."""
        m = onnx.load(MODEL)
        name = quants[k].output[0]
        idx = next(i for i, n in enumerate(m.graph.node) if n.output[0] == name)
        del m.graph.node[idx + 1:]
        del m.graph.output[:]
        m.graph.output.append(shapes[name])
        d = OUT / "trained_mobilenet_cut" / str(k)
        d.mkdir(parents=True, exist_ok=True)
        onnx.save(m, d / "model.onnx")
        art = qcc.compile_model(d / "model.onnx", "x86_64", d, name="m")
        got, _ = qcc.run_app(qcc.build_app(art, d), art, [x])
        ref = qcc.reference_run(d / "model.onnx", [x])[0][0].astype(np.int64)
        return (got[0].astype(np.int64), ref,
                qcc.ort_run(d / "model.onnx", [x])[0].astype(np.int64))

    layer = 5  # expanded_conv_1/project: 96 -> 24 channels, 1x1, on 56x56
    qcc_in, ref_in, _ = cut(layer - 1)
    assert np.array_equal(qcc_in, ref_in)  # the same input to the layer
    qcc_out, ref_out, ort_out = cut(layer)
    conv = producer[quants[layer].input[0]]
    dx, dw, db = (producer[i] for i in conv.input)
    w = inits[dw.input[0]].astype(np.int64)[:, :, 0, 0] - int(inits[dw.input[2]])
    acc = np.einsum("nchw,fc->nfhw", qcc_in - int(inits[dx.input[2]]), w)
    acc += inits[db.input[0]].astype(np.int64)[None, :, None, None]
    m = np.float32(np.float32(inits[dx.input[1]] * inits[dw.input[1]]) / inits[quants[layer].input[1]])
    exact = np.clip(np.rint(acc.astype(np.float32) * m).astype(np.int64)
                    + int(inits[quants[layer].input[2]]), 0, 255)
    print(f"expanded_conv_1/project: qcc vs exact max {np.abs(qcc_out - exact).max()}, "
          f"ONNX Runtime vs exact max {np.abs(ort_out - exact).max()} LSB on "
          f"{np.mean(ort_out != exact):.2%} of the outputs")
    assert np.array_equal(qcc_out, exact)
    assert np.array_equal(ref_out, exact)  # the whole-graph reference agrees with this one
