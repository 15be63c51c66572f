"""Driving qcc, the C toolchains and qemu from Python."""
from __future__ import annotations

import dataclasses
import enum
import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]

# ONNX dtype names in qcc's headers -> numpy dtypes.
_DTYPES = {"float32": np.float32, "uint8": np.uint8, "int8": np.int8, "int32": np.int32,
           "int64": np.int64}


class TargetKind(enum.Enum):
    X86_64 = "x86_64"
    AARCH64 = "aarch64"
    CORTEX_M = "cortex-m"


def target_kind(target: str) -> TargetKind:
    if target.startswith("aarch64"):
        return TargetKind.AARCH64
    if target.startswith("cortex-m"):
        return TargetKind.CORTEX_M
    return TargetKind.X86_64


def qemu_cpu(target: str) -> str:
    return {"aarch64-rpi4": "cortex-a72", "aarch64-rpi5": "cortex-a76"}.get(target, "max")


def find_qcc() -> Path:
    """The qcc binary: $QCC; else build/bin/qcc of the checkout this package sits in (the
    tests use that one); else `qcc` on PATH (an installed package)."""
    env = os.environ.get("QCC")
    if env:
        path = Path(env)
    elif (REPO / "build" / "bin" / "qcc").exists():
        path = REPO / "build" / "bin" / "qcc"
    else:
        path = Path(shutil.which("qcc") or "qcc")
    if not path.exists():
        raise FileNotFoundError(f"qcc not found (tried $QCC, {REPO / 'build' / 'bin' / 'qcc'} and "
                                "PATH); build it (bash scripts/setup.sh), put it on PATH, or set QCC")
    return path


def runtime_dir() -> Path:
    """qcc's C runtime sources (runtime/: the thread pool an object of --threads=N calls):
    $QCC_RUNTIME, else this checkout's, else the checkout of the qcc binary in use."""
    env = os.environ.get("QCC_RUNTIME")
    candidates = [Path(env)] if env else [REPO / "runtime"]
    try:
        candidates.append(find_qcc().resolve().parents[2] / "runtime")
    except (FileNotFoundError, IndexError):
        pass
    for c in candidates:
        if (c / "qcc_parallel.c").exists():
            return c
    raise FileNotFoundError("qcc's runtime sources (qcc_parallel.c) not found; set QCC_RUNTIME "
                            "to the runtime/ folder of qcc's source tree")


@dataclasses.dataclass
class TensorSpec:
    name: str
    dtype: str
    shape: tuple
    size: int

    @property
    def numpy_dtype(self):
        return _DTYPES[self.dtype]


@dataclasses.dataclass
class Artifacts:
    obj: Path
    header: Path
    name: str
    target: str
    inputs: list
    outputs: list
    arena_size: int
    stderr: str
    threads: int = 1


_TENSOR_RE = re.compile(r'/\* (input|output) (\d+): "(.*)", (\w+)\[([\d,]*)\].*\*/\n'
                        r'#define \w+_(?:INPUT|OUTPUT)\d+_SIZE (\d+)')


def parse_header(text: str):
    inputs, outputs = [], []
    for kind, _idx, name, dtype, shape, size in _TENSOR_RE.findall(text):
        dims = tuple(int(d) for d in shape.split(",") if d)
        (inputs if kind == "input" else outputs).append(TensorSpec(name, dtype, dims, int(size)))
    arena = int(re.search(r"#define \w+_ARENA_SIZE (\d+)", text).group(1))
    return inputs, outputs, arena


def compile_model(model: str | Path, target: str, out_dir: str | Path, name: str = "model",
                  extra_args=(), timeout: float = 600) -> Artifacts:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    obj = out_dir / f"{name}.o"
    cmd = [str(find_qcc()), str(model), f"--target={target}", "-o", str(obj), *extra_args]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"qcc failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    header = out_dir / f"{name}.h"
    text = header.read_text()
    inputs, outputs, arena = parse_header(text)
    m = re.search(r"#define \w+_THREADS (\d+)", text)
    return Artifacts(obj, header, name, target, inputs, outputs, arena, proc.stderr,
                     int(m.group(1)) if m else 1)


HARNESS = r"""/* Generated test harness: reads inputs from files, runs the model, writes outputs.
 * usage: app ITERATIONS in0.bin ... out0.bin ...; prints the median time per run.
 * With QCC_GUARD (the tests' default), every input, output and the arena lies between
 * inaccessible pages, ending at the upper one (or, with QCC_GUARD_LOW=1, starting at the
 * lower one), and the inputs are read-only: a read or write past a buffer's end (or before
 * its start), or a write into an input, faults instead of passing unnoticed; the arena
 * starts filled with 0xA5 (it must hold no state) and is NULL when its size is 0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "@NAME@.h"
#if QCC_GUARD
#include <sys/mman.h>
#include <unistd.h>

/* `size` bytes between two PROT_NONE pages: ending at the upper one (the start aligned to
 * `align`, so at most align - 1 bytes of slack), or with QCC_GUARD_LOW=1 in the
 * environment starting right after the lower one. */
static void *guarded(size_t size, size_t align) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t span = (size + align - 1) / align * align;
  size_t pages = (span + page - 1) / page;
  unsigned char *base = mmap(0, (pages + 2) * page, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED || mprotect(base, page, PROT_NONE) != 0 ||
      mprotect(base + (pages + 1) * page, page, PROT_NONE) != 0)
    return 0;
  const char *low = getenv("QCC_GUARD_LOW");
  if (low && low[0] == '1') return base + page;
  return base + (pages + 1) * page - span;
}

static void read_only(const void *p, size_t size) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  uintptr_t start = (uintptr_t)p / page * page;
  mprotect((void *)start, ((uintptr_t)p + size - start + page - 1) / page * page, PROT_READ);
}

static size_t element_align(size_t size) { return size % 4 == 0 ? 4 : 1; }
#endif

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  const size_t in_sizes[] = {@IN_SIZES@};
  const size_t out_sizes[] = {@OUT_SIZES@};
  const void *inputs[@UP@_NUM_INPUTS + 1];
  void *outputs[@UP@_NUM_OUTPUTS + 1];
  if (argc != 2 + @UP@_NUM_INPUTS + @UP@_NUM_OUTPUTS) {
    fprintf(stderr, "usage: %s ITERATIONS inputs... outputs...\n", argv[0]);
    return 2;
  }
  int iters = atoi(argv[1]);
  for (int i = 0; i < @UP@_NUM_INPUTS; ++i) {
    FILE *f = fopen(argv[2 + i], "rb");
#if QCC_GUARD
    void *buf = guarded(in_sizes[i], element_align(in_sizes[i]));
#else
    void *buf = malloc(in_sizes[i] + 1);
#endif
    if (!f || fread(buf, 1, in_sizes[i], f) != in_sizes[i]) {
      fprintf(stderr, "cannot read %zu bytes from %s\n", in_sizes[i], argv[2 + i]);
      return 3;
    }
    fclose(f);
    inputs[i] = buf;
#if QCC_GUARD
    read_only(buf, in_sizes[i]);
#endif
  }
#if QCC_GUARD
  for (int i = 0; i < @UP@_NUM_OUTPUTS; ++i) outputs[i] = guarded(out_sizes[i], element_align(out_sizes[i]));
  void *arena = @UP@_ARENA_SIZE ? guarded(@UP@_ARENA_SIZE, @UP@_ARENA_ALIGN) : NULL;
  if (arena) memset(arena, 0xA5, @UP@_ARENA_SIZE);
#else
  for (int i = 0; i < @UP@_NUM_OUTPUTS; ++i) outputs[i] = malloc(out_sizes[i] + 1);
  size_t arena_bytes = ((size_t)@UP@_ARENA_SIZE + @UP@_ARENA_ALIGN) / @UP@_ARENA_ALIGN * @UP@_ARENA_ALIGN;
  void *arena = aligned_alloc(@UP@_ARENA_ALIGN, arena_bytes);
#endif
  int status = @NAME@_run(inputs, outputs, arena); /* warm-up */
  if (status != 0) { fprintf(stderr, "run returned %d\n", status); return 4; }
  double *times = malloc(sizeof(double) * (iters > 0 ? iters : 1));
  for (int it = 0; it < iters; ++it) {
    double t0 = now_us();
    @NAME@_run(inputs, outputs, arena);
    times[it] = now_us() - t0;
  }
  if (iters > 0) {
    qsort(times, iters, sizeof(double), cmp_double);
    printf("median_us %.1f\n", times[iters / 2]);
  }
  for (int i = 0; i < @UP@_NUM_OUTPUTS; ++i) {
    FILE *f = fopen(argv[2 + @UP@_NUM_INPUTS + i], "wb");
    if (!f || fwrite(outputs[i], 1, out_sizes[i], f) != out_sizes[i]) return 5;
    fclose(f);
  }
  return 0;
}
"""


def write_harness(art: Artifacts, out_dir: Path) -> Path:
    src = (HARNESS.replace("@NAME@", art.name).replace("@UP@", art.name.upper())
           .replace("@IN_SIZES@", ", ".join(f"{art.name.upper()}_INPUT{i}_SIZE"
                                            for i in range(len(art.inputs))) or "0")
           .replace("@OUT_SIZES@", ", ".join(f"{art.name.upper()}_OUTPUT{i}_SIZE"
                                             for i in range(len(art.outputs)))))
    path = Path(out_dir) / f"{art.name}_main.c"
    path.write_text(src)
    return path


def c_compiler(target: str) -> list:
    if target_kind(target) == TargetKind.CORTEX_M:
        raise ValueError(f"target {target!r} is bare metal: its objects link into firmware, "
                         "not a program this package runs; run them under QEMU with "
                         "examples/cortex-m/run.sh (see docs/cortex-m.md)")
    if target_kind(target) == TargetKind.AARCH64:
        return ["aarch64-linux-gnu-gcc", "-static"]
    return [os.environ.get("CC", "cc")]


def build_app(art: Artifacts, out_dir: str | Path, sources=(), cflags=(), threads=False,
              checked=True) -> Path:
    """Links the object into an executable with the generated harness (or `sources`);
    `threads`: also the thread pool an object of `qcc --threads=N` calls
    (runtime/qcc_parallel.c, -pthread). `checked` (the tests' default; benchmarks turn it
    off): the harness puts every buffer before a guard page with read-only inputs
    (QCC_GUARD), and on x86 the program is built with AddressSanitizer and
    UndefinedBehaviorSanitizer (which also check the object's memcpy/memset calls)."""
    out_dir = Path(out_dir)
    srcs = list(sources) or [write_harness(art, out_dir)]
    if checked:
        cflags = ["-DQCC_GUARD=1", *cflags]
        if target_kind(art.target) == TargetKind.X86_64 and _sanitizers_work():
            cflags = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined",
                      "-fno-omit-frame-pointer", *cflags]
    if threads:
        srcs.append(runtime_dir() / "qcc_parallel.c")
        cflags = [*cflags, f"-I{runtime_dir() / 'include'}", "-pthread"]
    app = out_dir / f"{art.name}_app"
    cmd = [*c_compiler(art.target), "-O2", "-std=gnu11", f"-I{art.header.parent}",
           *map(str, srcs), str(art.obj), "-o", str(app), *cflags, "-lm"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"link failed: {' '.join(cmd)}\n{proc.stderr}")
    return app


_SANITIZERS = None


def _sanitizers_work() -> bool:
    """True if the host C compiler links and runs -fsanitize=address,undefined programs."""
    global _SANITIZERS
    if _SANITIZERS is None:
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            src, exe = Path(d) / "t.c", Path(d) / "t"
            src.write_text("int main(void) { return 0; }\n")
            cc = os.environ.get("CC", "cc")
            try:
                _SANITIZERS = (subprocess.run([cc, "-fsanitize=address,undefined", str(src), "-o",
                                               str(exe)], capture_output=True).returncode == 0
                               and subprocess.run([str(exe)], capture_output=True).returncode == 0)
            except OSError:
                _SANITIZERS = False
    return _SANITIZERS


def runner_prefix(target: str) -> list:
    if target_kind(target) == TargetKind.AARCH64:
        qemu = shutil.which("qemu-aarch64") or "qemu-aarch64"
        return [qemu, "-cpu", qemu_cpu(target)]
    return []


def sanitizer_env():
    """The environment for programs build_app made: the harness frees nothing before it
    exits, so LeakSanitizer stays off; any other sanitizer report fails the run."""
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    return env


def run_app(app: Path, art: Artifacts, inputs, iterations: int = 0, timeout: float = 900):
    """Runs the harness; returns (outputs as numpy arrays, median microseconds or None)."""
    work = app.parent
    in_files, out_files = [], []
    for i, (spec, x) in enumerate(zip(art.inputs, inputs)):
        arr = np.ascontiguousarray(x, dtype=spec.numpy_dtype)
        if arr.nbytes != spec.size:
            raise ValueError(f"input {i} has {arr.nbytes} bytes, the model takes {spec.size}")
        p = work / f"{art.name}_in{i}.bin"
        arr.tofile(p)
        in_files.append(str(p))
    for i in range(len(art.outputs)):
        out_files.append(str(work / f"{art.name}_out{i}.bin"))
    cmd = [*runner_prefix(art.target), str(app), str(iterations), *in_files, *out_files]
    env = sanitizer_env()
    # Checked programs: half of them (by their path) put the buffers right after a guard
    # page instead of right before one, so that reads and writes before a buffer's start
    # are caught across the suite too.
    # (qemu-user passes the environment on to the program.)
    env.setdefault("QCC_GUARD_LOW", str(zlib.crc32(str(app).encode()) % 2))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"run failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr}")
    outs = [np.fromfile(f, dtype=s.numpy_dtype).reshape(s.shape)
            for f, s in zip(out_files, art.outputs)]
    m = re.search(r"median_us ([\d.]+)", proc.stdout)
    return outs, (float(m.group(1)) if m else None)
