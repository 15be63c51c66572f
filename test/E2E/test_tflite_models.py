"""Real trained TFLite models (examples/models: MobileNetV1 0.25/128 and MobileNetV2 1.0/224
uint8, and the four MLPerf Tiny int8 reference models) compiled directly from the .tflite
file with --requant=fixed for x86_64 and aarch64-rpi4, and compared with TFLite's own
integer kernels on the sample inputs the models come with and on seeded random inputs:

- int8 models: TFLite Micro (its reference kernels are integer-only) must be equal on every
  output element;
- uint8 models (TFLite Micro has no uint8 kernels): LiteRT's reference kernels
  (OpResolverType.BUILTIN_REF) must be equal on every element.

The default mode (--requant=float) is checked against the same reference for top-1 on the
models' own sample inputs.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import qcc
from qcc.tflite_builder import tflite_reference
from test_e2e import OUT, TARGETS

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "examples" / "models"
TINY = MODELS / "mlperf_tiny"
CASES = {
    "kws_ref_model": TINY / "kws_ref_model.tflite",
    "vww_96_int8": TINY / "vww_96_int8.tflite",
    "pretrainedResnet_quant": TINY / "pretrainedResnet_quant.tflite",
    "ad01_int8": TINY / "ad01_int8.tflite",
    "mobilenet_v1_0.25_128_quant": MODELS / "mobilenet_v1_0.25_128_quant.tflite",
    "mobilenet_v2_1.0_224_quant": MODELS / "mobilenet_v2_1.0_224_quant.tflite",
}


def input_detail(path):
    from ai_edge_litert import interpreter as tfl
    return tfl.Interpreter(model_path=str(path)).get_input_details()[0]


def sample_inputs(case, path):
    """The model's own sample input where its README gives one, then two seeded random ones."""
    d = input_detail(path)
    dtype, shape = d["dtype"], tuple(d["shape"])
    scale, zp = d["quantization"]
    xs = []
    if case == "kws_ref_model":
        xs.append(np.fromfile(TINY / "kws_ref_input_int8_1x49x10x1.bin", np.int8).reshape(shape))
    if case == "ad01_int8":
        # 5 consecutive log-mel frames of a normal ToyCar clip, quantized like the input.
        mel = np.fromfile(TINY / "ad01_normal_id_01_00000000_hist_librosa.bin",
                          np.float32).reshape(200, 128)
        q = np.round(mel[:5].reshape(1, 640) / scale) + zp
        xs.append(np.clip(q, -128, 127).astype(np.int8))
    info = np.iinfo(dtype)
    r = np.random.default_rng(7)
    xs += [r.integers(info.min, info.max + 1, shape).astype(dtype) for _ in range(2)]
    return xs


def reference(path, x):
    micro = input_detail(path)["dtype"] == np.int8
    return tflite_reference(path, [x], "micro" if micro else "reference")[0]


@pytest.fixture(scope="module")
def compiled():
    cache = {}

    def get(case, target, mode):
        key = (case, target, mode)
        if key not in cache:
            d = OUT / "tflite_models" / case / f"{target}_{mode}"
            art = qcc.compile_model(CASES[case], target, d, name="m",
                                    extra_args=[f"--requant={mode}"])
            cache[key] = (art, qcc.build_app(art, d))
        return cache[key]
    return get


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("case", list(CASES))
def test_tflite_model_fixed_equals_tflite(compiled, case, target):
    art, app = compiled(case, target, "fixed")
    for k, x in enumerate(sample_inputs(case, CASES[case])):
        expected = reference(CASES[case], x)
        actual = qcc.run_app(app, art, [x])[0][0]
        assert actual.shape == expected.shape
        diff = np.abs(actual.astype(np.int64) - expected.astype(np.int64))
        assert diff.max() == 0, (f"input {k}: {(diff > 0).sum()} of {diff.size} outputs differ "
                                 f"(max {diff.max()} LSB)")


@pytest.mark.parametrize("case", [c for c in CASES if c in ("kws_ref_model", "ad01_int8")])
def test_tflite_model_default_mode(compiled, case):
    """Default mode (f32 requantization): on the models' own inputs, the same top-1 (KWS)
    or within 2 LSB on every element (the AD autoencoder's reconstruction)."""
    art, app = compiled(case, "x86_64", "float")
    x = sample_inputs(case, CASES[case])[0]
    expected = reference(CASES[case], x).astype(np.int64)
    actual = qcc.run_app(app, art, [x])[0][0].astype(np.int64)
    if case == "kws_ref_model":
        assert int(np.argmax(actual)) == int(np.argmax(expected))
    else:
        assert np.abs(actual - expected).max() <= 2
