# lit configuration for qcc's compiler tests.
import os
import shutil

import lit.formats

config.name = "qcc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["E2E", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.qcc_obj_root, "test")

# qcc's tools first, then LLVM's (FileCheck, not, count, split-file, llvm-nm, llvm-objdump).
path = os.pathsep.join([config.qcc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
config.environment["PATH"] = path
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("%runtime", os.path.join(config.qcc_src_root, "runtime")))

# Cross toolchain and qemu for the tests that link and run AArch64 code.
if shutil.which("aarch64-linux-gnu-gcc") and shutil.which("qemu-aarch64"):
    config.available_features.add("aarch64-cross")

# ThreadSanitizer, if the host C compiler has it and it runs on this kernel (it refuses
# some address-space layouts): the thread pool's race check needs it.
def _tsan_works():
    import subprocess
    import tempfile
    cc = shutil.which("cc")
    if not cc:
        return False
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "t.c"), os.path.join(d, "t")
        with open(src, "w") as f:
            f.write("int main(void) { return 0; }\n")
        try:
            if subprocess.run([cc, "-fsanitize=thread", src, "-o", exe], capture_output=True,
                              timeout=60).returncode != 0:
                return False
            return subprocess.run([exe], capture_output=True, timeout=60).returncode == 0
        except (OSError, subprocess.SubprocessError):
            return False


if _tsan_works():
    config.available_features.add("tsan")
