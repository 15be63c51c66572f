"""Cortex-M firmware under qemu-system-arm (examples/cortex-m/run.sh, as a user runs it):

- the four MLPerf Tiny int8 reference models compiled for cortex-m4 (mps2-an386), cortex-m7
  (mps2-an500) and cortex-m55 (mps3-an547) give, on their sample inputs and a seeded random
  one, the bytes TFLite Micro's reference kernels give and the bytes qcc's x86_64 build gives;
- the integer models contain no floating-point instruction (disassembly);
- run.sh's instruction count is checked against a loop of known length, and its figures
  against the generated header.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import qcc
import qcc.cortex_m
from test_e2e import OUT
from test_tflite_models import CASES, reference, sample_inputs

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "examples" / "cortex-m" / "run.sh"
BOARDS = ["cortex-m4", "cortex-m7", "cortex-m55"]
TINY = ["kws_ref_model", "vww_96_int8", "pretrainedResnet_quant", "ad01_int8"]

pytestmark = pytest.mark.skipif(
    not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-gcc")),
    reason="needs qemu-system-arm and gcc-arm-none-eabi (bash scripts/setup.sh installs them)")


def run_firmware(work: Path, target: str, x: np.ndarray, model=None, obj=None, flags=()):
    """run.sh on `x`: (output bytes, {figure: value})."""
    out, fig, _ = qcc.cortex_m.run_firmware(target, x, work, model=model, obj=obj, flags=flags)
    return out, fig


@pytest.fixture(scope="module")
def x86_build():
    cache = {}

    def get(case):
        if case not in cache:
            d = OUT / "cortex_m" / case / "x86_64"
            art = qcc.compile_model(CASES[case], "x86_64", d, name="m",
                                    extra_args=["--requant=fixed"])
            cache[case] = (art, qcc.build_app(art, d))
        return cache[case]
    return get


@pytest.mark.parametrize("target", BOARDS)
@pytest.mark.parametrize("case", TINY)
def test_mlperf_tiny_on_board(x86_build, case, target):
    art, app = x86_build(case)
    xs = sample_inputs(case, CASES[case])[:2]  # the model's own input (KWS, AD) + a random one
    for k, x in enumerate(xs):
        work = OUT / "cortex_m" / case / target / str(k)
        got, fig = run_firmware(work, target, x, model=CASES[case])
        expected = reference(CASES[case], x)
        assert got == expected.tobytes(), f"input {k}: differs from TFLite Micro"
        assert got == qcc.run_app(app, art, [x])[0][0].tobytes(), f"input {k}: differs from x86_64"
        header = (work / "build" / "model.h").read_text()
        assert fig["arena"] == int(re.search(r"MODEL_ARENA_SIZE (\d+)", header).group(1))
        assert fig["ram"] == fig["arena"] + fig["stack"] and 0 < fig["stack"] < 32768
        assert fig["instructions"] > 0 and fig["flash"] >= fig["rodata"] > 0


@pytest.mark.parametrize("target", BOARDS)
@pytest.mark.parametrize("case", TINY)
def test_integer_model_has_no_floating_point(tmp_path, case, target):
    """Fixed-point requantization (the Cortex-M default): no FPU instruction on the M4/M7 (no
    VFP instruction at all) and no floating-point arithmetic or conversion on the M55 (MVE
    integer code shares the FP register file, so moves through s and d registers remain)."""
    art = qcc.compile_model(CASES[case], target, tmp_path, name="m")
    dis = subprocess.run(["arm-none-eabi-objdump", "-d", "--no-show-raw-insn", str(art.obj)],
                         capture_output=True, text=True, check=True).stdout
    fields = [line.split("\t") for line in dis.splitlines() if re.match(r"^\s+[0-9a-f]+:\t", line)]
    mnemonics = [f[1].split()[0] for f in fields if len(f) > 1 and f[1].strip()]
    assert len(mnemonics) > 100
    if target == "cortex-m55":
        bad = [m for m in mnemonics if re.match(r"^v(cvt|.*\.f(16|32|64)$)", m)
               and not m.startswith("vmov")]
    else:
        bad = [m for m in mnemonics if m.startswith("v")]
    assert not bad, sorted(set(bad))
    assert "__aeabi_f" not in dis and "__aeabi_d" not in dis
    # Nothing from a C library but memcpy and memset (no libm, no heap, no I/O).
    undefined = subprocess.run(["arm-none-eabi-nm", "-u", str(art.obj)], capture_output=True,
                               text=True, check=True).stdout.split()
    assert set(undefined) - {"U"} <= {"memcpy", "memset"}, undefined


@pytest.mark.parametrize("target", BOARDS)
def test_instruction_count_is_exact_to_a_systick_period(tmp_path, target):
    """A stand-in model_run of known length: 3 + 2 * N instructions (MOVW, MOVT, then N x
    SUBS + BNE, and BX LR; the harness's own call and SysTick reads add a few)."""
    n = 1_000_000
    src = tmp_path / "loop.c"
    src.write_text(
        "int model_run(const void *const in[], void *const out[], void *arena) {\n"
        "  (void)in; (void)out; (void)arena;\n"
        f"  __asm__ volatile(\"movw r3, #{n & 0xFFFF}\\n\\tmovt r3, #{n >> 16}\\n"
        "1:\\n\\tsubs r3, r3, #1\\n\\tbne 1b\" ::: \"r3\", \"cc\");\n"
        "  return 0;\n}\n")
    (tmp_path / "loop.h").write_text(
        "#include <stddef.h>\n#define MODEL_ARENA_SIZE 0\n#define MODEL_ARENA_ALIGN 16\n"
        "#define MODEL_NUM_INPUTS 1\n#define MODEL_NUM_OUTPUTS 1\n"
        "#define MODEL_INPUT0_SIZE 4\n#define MODEL_OUTPUT0_SIZE 4\n"
        "int model_run(const void *const in[], void *const out[], void *arena);\n")
    cpu = {"cortex-m4": ["-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16"],
           "cortex-m7": ["-mcpu=cortex-m7", "-mfpu=fpv5-d16"],
           "cortex-m55": ["-mcpu=cortex-m55"]}[target]
    subprocess.run(["arm-none-eabi-gcc", *cpu, "-mthumb", "-mfloat-abi=hard", "-O2", "-c",
                    str(src), "-o", str(tmp_path / "loop.o")], check=True)
    _, fig = run_firmware(tmp_path / "run", target, np.zeros(4, np.uint8),
                          obj=tmp_path / "loop.o")
    expected = 2 * n + 4
    period = 40 if target != "cortex-m55" else 32  # ns per SysTick at 25 / 32 MHz
    assert abs(fig["instructions"] - expected) <= period + 20, fig["instructions"]


def test_run_sh_errors(tmp_path):
    bad = subprocess.run(["bash", str(RUN), "--target=cortex-a9", "--model=x.tflite",
                          "--input=a", "--output=b"], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown Cortex-M target 'cortex-a9'" in bad.stderr
    x = tmp_path / "short.bin"
    x.write_bytes(b"\0" * 3)
    short = subprocess.run(["bash", str(RUN), "--target=cortex-m4",
                            f"--model={CASES['ad01_int8']}", f"--input={x}",
                            f"--output={tmp_path / 'o.bin'}"], capture_output=True, text=True)
    assert short.returncode == 2 and "has 3 bytes; the model's inputs take 640" in short.stderr


@pytest.mark.parametrize("target", BOARDS)
def test_float_model_on_board(tmp_path, target):
    """A float convolution (the FPU of each board) against ONNX Runtime."""
    import onnxruntime as ort
    model = ROOT / "test" / "Inputs" / "conv.onnx"
    x = np.random.default_rng(5).uniform(-2, 2, (1, 3, 8, 8)).astype(np.float32)
    got, _ = run_firmware(tmp_path, target, x, model=model)
    expected = ort.InferenceSession(str(model)).run(None, {"x": x})[0]
    np.testing.assert_allclose(np.frombuffer(got, np.float32).reshape(expected.shape), expected,
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("target", BOARDS)
def test_float_input_qdq_model_on_board(tmp_path, target):
    """A QDQ convolution with float input and output: the input's QuantizeLinear rounds half
    to even on the board (LLVM would call roundevenf, which bare metal does not have: qcc
    expands it), on inputs at exact ties. Byte for byte what the x86_64 build gives in the
    same (fixed-point) arithmetic."""
    model = ROOT / "test" / "Driver" / "asm_a72_u8_weights.onnxtxt"  # float in/out, xs = 0.05
    r = np.random.default_rng(9)
    x = ((r.integers(-200, 200, (1, 16, 8, 8)) + 0.5) * 0.05).astype(np.float32)
    x.ravel()[::3] = (r.integers(-200, 200, x.size)[::3] * 0.05).astype(np.float32)
    got, _ = run_firmware(tmp_path / "m", target, x, model=model)
    art = qcc.compile_model(model, "x86_64", tmp_path / "x86", name="m",
                            extra_args=["--requant=fixed"])
    expected = qcc.run_app(qcc.build_app(art, tmp_path / "x86"), art, [x])[0][0]
    assert got == expected.tobytes()


def test_python_package_says_where_cortex_m_objects_run(tmp_path):
    """The Python package compiles for a Cortex-M target but cannot run the object on this
    machine: a clear error pointing at run.sh, not a host compiler's link error."""
    m = qcc.compile(CASES["ad01_int8"], target="cortex-m4", out_dir=tmp_path)
    assert m.artifacts.obj.exists()
    with pytest.raises(ValueError, match="bare metal.*examples/cortex-m/run.sh"):
        m.run([np.zeros((1, 640), np.int8)])
