"""The user-facing API: compile a model with the qcc binary, run it from Python, compare it
with its framework.

    import qcc
    m = qcc.compile("model.tflite", target="host", requant="fixed")
    scores, = m.run({"input": x})          # or m.run([x])
    print(qcc.compare("model.tflite", [x]))  # per output: max LSB apart, exact-match rate

`run` calls the compiled function in-process (the object linked into a shared library,
loaded with ctypes) when the target's ISA is the host's; an aarch64 target runs under
qemu-aarch64 through a small C harness instead.
"""
from __future__ import annotations

import ctypes
import dataclasses
import platform
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .toolchain import (Artifacts, TargetKind, build_app, compile_model, run_app,
                        runtime_dir, target_kind)


def _flag_args(flags: dict) -> list:
    """requant="fixed" -> --requant=fixed, threads=2 -> --threads=2, verbose=True -> -v,
    input_shape={"x": (1, 3, 8, 8)} -> --input-shape=x:1x3x8x8."""
    args = []
    for key, value in flags.items():
        if key == "verbose":
            args += ["-v"] if value else []
        elif key == "input_shape":
            args += [f"--input-shape={n}:{'x'.join(str(d) for d in s)}" for n, s in value.items()]
        elif key == "opt_level":
            args.append(f"-O{int(value)}")
        elif value is True:
            args.append("--" + key.replace("_", "-"))
        elif value is not False and value is not None:
            args.append(f"--{key.replace('_', '-')}={value}")
    return args


def _host_kind():
    return TargetKind.AARCH64 if platform.machine() in ("aarch64", "arm64") else TargetKind.X86_64


@dataclasses.dataclass
class CompiledModel:
    """A model qcc compiled: its object, header, tensor specs and arena size."""
    artifacts: Artifacts
    work_dir: Path
    _library: ctypes.CDLL | None = None
    _app: Path | None = None

    @property
    def inputs(self):
        return self.artifacts.inputs

    @property
    def outputs(self):
        return self.artifacts.outputs

    @property
    def arena_size(self) -> int:
        return self.artifacts.arena_size

    @property
    def stderr(self) -> str:
        """What qcc printed (notes, and the layer table with verbose=True)."""
        return self.artifacts.stderr

    def _ordered(self, inputs):
        if isinstance(inputs, dict):
            missing = [s.name for s in self.inputs if s.name not in inputs]
            extra = sorted(set(inputs) - {s.name for s in self.inputs})
            if missing or extra:
                raise ValueError(f"inputs: missing {missing}, unknown {extra}; the model takes "
                                 f"{[s.name for s in self.inputs]}")
            inputs = [inputs[s.name] for s in self.inputs]
        inputs = list(inputs)
        if len(inputs) != len(self.inputs):
            raise ValueError(f"the model takes {len(self.inputs)} inputs, got {len(inputs)}")
        out = []
        for spec, x in zip(self.inputs, inputs):
            x = np.asarray(x)
            if tuple(x.shape) != tuple(spec.shape):
                raise ValueError(f"input '{spec.name}' has shape {tuple(x.shape)}; the model "
                                 f"takes {tuple(spec.shape)}")
            want = np.dtype(spec.numpy_dtype)
            if x.dtype != want and not np.can_cast(x.dtype, want, "same_kind"):
                raise TypeError(f"input '{spec.name}' is {x.dtype}; the model takes {want}")
            if np.issubdtype(want, np.integer) and x.dtype != want:
                info = np.iinfo(want)
                if x.size and (x.min() < info.min or x.max() > info.max):
                    raise ValueError(f"input '{spec.name}' has values outside {want}")
            out.append(np.ascontiguousarray(x, dtype=want))
        return out

    def _load(self):
        if self._library is None:
            so = self.work_dir / f"lib{self.artifacts.name}.so"
            cmd = ["cc", "-shared", str(self.artifacts.obj), "-o", str(so)]
            if self.artifacts.threads > 1:  # the object calls qcc_parallel_for
                rt = runtime_dir()
                cmd += ["-fPIC", "-O2", f"-I{rt / 'include'}", str(rt / "qcc_parallel.c"),
                        "-pthread"]
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"could not link {so}: {proc.stderr}")
            self._library = ctypes.CDLL(str(so))
            fn = getattr(self._library, f"{self.artifacts.name}_run")
            fn.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_void_p),
                           ctypes.c_void_p]
            fn.restype = ctypes.c_int
            self._run = fn
        return self._run

    def run(self, inputs):
        """Runs the model on `inputs` (a dict by input name, or a list in the graph's order);
        returns the outputs, a list of arrays."""
        xs = self._ordered(inputs)
        if target_kind(self.artifacts.target) != _host_kind():
            if self._app is None:
                self._app = build_app(self.artifacts, self.work_dir, checked=False,
                                      threads=self.artifacts.threads > 1)
            return run_app(self._app, self.artifacts, xs)[0]
        fn = self._load()
        outs = [np.empty(s.shape, s.numpy_dtype) for s in self.outputs]
        # The arena, aligned as the header asks (64 bytes covers every target).
        raw = np.empty(self.arena_size + 64, np.uint8)
        base = raw.ctypes.data
        arena = ctypes.c_void_p((base + 63) // 64 * 64 if self.arena_size else 0)
        in_ptrs = (ctypes.c_void_p * max(1, len(xs)))(*[x.ctypes.data for x in xs])
        out_ptrs = (ctypes.c_void_p * max(1, len(outs)))(*[o.ctypes.data for o in outs])
        status = fn(in_ptrs, out_ptrs, arena)
        if status != 0:
            raise RuntimeError(f"{self.artifacts.name}_run returned {status}")
        return outs


def compile(path, target: str = "host", out_dir=None, name: str = "model", **flags):
    """Compiles an .onnx or .tflite model with the qcc binary ($QCC, or qcc on PATH) for
    `target`; keyword flags are qcc's options (requant="fixed", threads=2, verbose=True,
    input_shape={"x": (1, 3, 224, 224)}, opt_level=3). Returns a CompiledModel; its files
    are in `out_dir` (a new temporary folder by default)."""
    work = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="qcc-"))
    art = compile_model(path, target, work, name=name, extra_args=_flag_args(flags))
    return CompiledModel(art, work)


def _framework_outputs(path: Path, inputs, kernels: str):
    if path.suffix == ".tflite" or path.read_bytes()[4:8] == b"TFL3":
        from .tflite_builder import tflite_reference
        return tflite_reference(path, inputs, kernels), f"TFLite ({kernels} kernels)"
    from .references import ort_run
    return ort_run(path, inputs), "ONNX Runtime"


def compare(path, inputs, target: str = "host", model: CompiledModel | None = None,
            kernels: str | None = None, **flags):
    """Compiles (or takes `model`) and runs the model on `inputs`, and compares each output
    with the framework's: ONNX Runtime for .onnx; for .tflite, TFLite Micro's integer
    kernels with requant="fixed" on an int8 model, else LiteRT's reference kernels
    (`kernels` overrides: "reference", "micro", "xnnpack"). Returns a dict with the
    reference's name and, per output, its name, the largest difference (in LSB for integer
    outputs) and the fraction of elements that are exactly equal."""
    path = Path(path)
    m = model or compile(path, target, **flags)
    inputs_list = m._ordered(inputs)
    if kernels is None:
        integer = all(np.dtype(s.numpy_dtype) == np.int8 for s in [*m.inputs, *m.outputs])
        kernels = "micro" if flags.get("requant") == "fixed" and integer else "reference"
    expected, reference = _framework_outputs(path, inputs_list, kernels)
    actual = m.run(inputs_list)
    report = {"reference": reference, "outputs": []}
    for spec, a, e in zip(m.outputs, actual, expected):
        e = np.asarray(e).reshape(a.shape)
        if np.issubdtype(a.dtype, np.integer):
            diff = np.abs(a.astype(np.int64) - e.astype(np.int64))
        else:
            diff = np.abs(a.astype(np.float64) - e.astype(np.float64))
        report["outputs"].append({"name": spec.name, "max_diff": diff.max().item() if diff.size
                                  else 0, "exact": float((diff == 0).mean()) if diff.size else 1.0})
    return report
