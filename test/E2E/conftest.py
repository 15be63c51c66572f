import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import os

# Programs qcc.build_app links are checked (guard pages; ASan/UBSan on x86) and some tests
# run them directly: LeakSanitizer off (the programs free nothing before they exit), any
# other sanitizer report fails the program.
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=0")
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
