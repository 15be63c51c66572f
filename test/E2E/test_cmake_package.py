"""qcc's CMake package, the way an outside project uses it: `cmake --install` into a prefix,
then find_package(qcc) + qcc_add_model in

- test/Inputs/cmake_consumer (with --requant=fixed, TFLite's arithmetic), built natively (x86_64) and cross-compiled for aarch64 with a
  toolchain file (run under qemu-aarch64): its outputs equal TFLite Micro's;
- examples/cortex-m, cross-compiled with examples/cortex-m/arm-none-eabi.cmake for the
  Cortex-M4 and run under qemu-system-arm: output equal to TFLite Micro's;
- examples/classify (the bundled uint8 MobileNetV2 on the cat photo): scores equal to
  LiteRT's reference kernels.

Also: the model is recompiled when its options change, and only then.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from test_tflite_models import CASES, reference, sample_inputs

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
CASE = "ad01_int8"  # small and quick; int8 in, int8 out


def sh(*cmd, cwd=None, env=None):
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=600)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    p = tmp_path_factory.mktemp("qcc-install")
    sh("cmake", "--install", BUILD, "--prefix", p)
    assert (p / "lib" / "cmake" / "qcc" / "qccConfig.cmake").exists()
    return p


def configure_and_build(src, b, prefix, *defs, toolchain=None):
    args = ["cmake", "-S", src, "-B", b, "-G", "Ninja", f"-Dqcc_DIR={prefix}/lib/cmake/qcc",
            *defs]
    if toolchain:
        args.append(f"--toolchain={toolchain}")
    sh(*args)
    return sh("cmake", "--build", b)


def test_native_consumer(prefix, tmp_path):
    b = tmp_path / "b"
    log = configure_and_build(ROOT / "test/Inputs/cmake_consumer", b, prefix,
                              f"-DMODEL={CASES[CASE]}", "-DQCC_TARGET=x86_64",
                              "-DQCC_OPTIONS=--requant=fixed")
    assert "qcc: " in log  # the model was compiled at build time
    for k, x in enumerate(sample_inputs(CASE, CASES[CASE])[:2]):
        x.tofile(tmp_path / "in.bin")
        sh(b / "consumer", tmp_path / "in.bin", tmp_path / "out.bin")
        assert (tmp_path / "out.bin").read_bytes() == reference(CASES[CASE], x).tobytes(), k
    # Nothing changed: the model is not recompiled; an option changed: it is.
    assert "qcc: " not in sh("cmake", "--build", b)
    sh("cmake", "-S", ROOT / "test/Inputs/cmake_consumer", "-B", b, "-DQCC_OPTIONS=--requant=fixed;-O2")
    assert "qcc: " in sh("cmake", "--build", b)


@pytest.mark.skipif(not shutil.which("aarch64-linux-gnu-gcc") or not shutil.which("qemu-aarch64"),
                    reason="needs gcc-aarch64-linux-gnu and qemu-user")
def test_aarch64_cross_consumer(prefix, tmp_path):
    tc = tmp_path / "aarch64.cmake"
    tc.write_text("set(CMAKE_SYSTEM_NAME Linux)\nset(CMAKE_SYSTEM_PROCESSOR aarch64)\n"
                  "set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)\n"
                  "set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE NEVER)\n")
    b = tmp_path / "b"
    configure_and_build(ROOT / "test/Inputs/cmake_consumer", b, prefix, f"-DMODEL={CASES[CASE]}",
                        "-DQCC_TARGET=aarch64-rpi4", "-DQCC_OPTIONS=--requant=fixed",
                        "-DCMAKE_EXE_LINKER_FLAGS=-static",
                        toolchain=tc)
    x = sample_inputs(CASE, CASES[CASE])[0]
    x.tofile(tmp_path / "in.bin")
    sh("qemu-aarch64", "-cpu", "cortex-a72", b / "consumer", tmp_path / "in.bin",
       tmp_path / "out.bin")
    assert (tmp_path / "out.bin").read_bytes() == reference(CASES[CASE], x).tobytes()


@pytest.mark.skipif(not shutil.which("arm-none-eabi-gcc") or not shutil.which("qemu-system-arm"),
                    reason="needs gcc-arm-none-eabi and qemu-system-arm")
def test_cortex_m_firmware_through_the_package(prefix, tmp_path):
    b = tmp_path / "fw"
    model = CASES["kws_ref_model"]
    configure_and_build(ROOT / "examples/cortex-m", b, prefix, "-DQCC_CM_TARGET=cortex-m4",
                        f"-DQCC_CM_MODEL={model}",
                        toolchain=ROOT / "examples/cortex-m/arm-none-eabi.cmake")
    x = sample_inputs("kws_ref_model", model)[0]
    x.tofile(b / "input.bin")
    log = sh("qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none", "-serial",
             "none", "-semihosting-config", "enable=on,target=native", "-kernel",
             "firmware.elf", cwd=b)
    assert "ticks: " in log
    assert (b / "output.bin").read_bytes() == reference(model, x).tobytes()


def test_classify_example_through_the_package(prefix, tmp_path):
    """examples/classify built by CMake through find_package(qcc) (the bundled uint8
    MobileNetV2, --requant=fixed): its scores on the cat photo equal LiteRT's reference
    kernels on the very input the app fed the model (--dump-input)."""
    from qcc.tflite_builder import tflite_reference
    b = tmp_path / "cls"
    configure_and_build(ROOT / "examples/classify", b, prefix, "-DCLASSIFY_TARGET=x86_64",
                        "-DCLASSIFY_OPTIONS=--requant=fixed")
    out = sh(b / "classify", ROOT / "examples/images/cat.bmp", "--iterations", "1",
             "--dump-input", tmp_path / "in.bin", "--dump-output", tmp_path / "out.bin")
    x = np.fromfile(tmp_path / "in.bin", np.uint8).reshape(1, 224, 224, 3)
    model = ROOT / "examples/models/mobilenet_v2_1.0_224_quant.tflite"
    expected = tflite_reference(model, [x], "reference")[0]
    assert (tmp_path / "out.bin").read_bytes() == expected.tobytes()
    assert f"class {int(np.argmax(expected)):4d}" in out.splitlines()[1]
