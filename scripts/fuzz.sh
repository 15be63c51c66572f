#!/usr/bin/env bash
# Fuzzes qcc's importers and its .npz reader with libFuzzer: builds the four targets
# (tools/qcc-fuzz: qcc-fuzz-onnx for protobuf input, qcc-fuzz-onnxtxt for ONNX text syntax,
# qcc-fuzz-tflite for TFLite flatbuffers, qcc-fuzz-npz for calibration sets) with clang-19,
# AddressSanitizer and UndefinedBehaviorSanitizer in build-fuzz/, seeds each corpus with
# the repository's models (test/, examples/ below 256 KB; .tflite and .npz files below 64 KB) and the
# onnx wheel's backend node tests, and runs each target. Crashes are written to build-fuzz/crashes/RUN/ (one folder per
# run, so that an old, fixed crash does not fail a new run) and fail the run.
#
#   bash scripts/fuzz.sh                 # 60 s per target (the CI run)
#   bash scripts/fuzz.sh --time=3600     # longer
#   bash scripts/fuzz.sh --runs=5000000  # a number of executions per target
#   bash scripts/fuzz.sh --seed=1         # libFuzzer's random seed (the CI run uses 1, so a
#                                         # failure there repeats on the same binary)
#
# A crash prints its input (base64, when below 16 KB) and the command that repeats it.
# Ends with one line per target: "fuzz TARGET: N executions, corpus C inputs, K crashes".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TIME=60 RUNS="" SEED=0 JOBS=${QCC_JOBS:-2}
for a in "$@"; do
  case "$a" in
    --time=*) TIME=${a#--time=} ;;
    --runs=*) RUNS=${a#--runs=} ;;
    --seed=*) SEED=${a#--seed=} ;;
    *) echo "usage: $0 [--time=SECONDS | --runs=N] [--seed=N]" >&2; exit 2 ;;
  esac
done
B=build-fuzz
if [ ! -f $B/build.ninja ]; then
  mkdir -p $B
  cmake -S . -B $B -G Ninja -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DQCC_BUILD_FUZZERS=ON -DQCC_BUILD_UNITTESTS=OFF > $B/configure.log 2>&1 \
    || { cat $B/configure.log; echo "fuzz: 0 passed, 1 failed (configure)"; exit 1; }
fi
ninja -C $B -j"$JOBS" qcc-fuzz-onnx qcc-fuzz-onnxtxt qcc-fuzz-tflite qcc-fuzz-npz || { echo "fuzz: 0 passed, 1 failed (build)"; exit 1; }

PY=${PYTHON:-.venv/bin/python}
C=$B/crashes/$(date +%Y%m%d-%H%M%S)-$$
mkdir -p $B/seeds-onnx $B/seeds-onnxtxt $B/seeds-tflite $B/seeds-npz $B/corpus-onnx $B/corpus-onnxtxt \
  $B/corpus-tflite $B/corpus-npz $C
find test examples -name '*.onnx' -size -256k -exec cp -f {} $B/seeds-onnx/ \; 2>/dev/null
find test -name '*.onnxtxt' -exec cp -f {} $B/seeds-onnxtxt/ \;
find test examples -name '*.tflite' -size -64k -exec cp -f {} $B/seeds-tflite/ \; 2>/dev/null
find test examples -name '*.npz' -size -64k -exec cp -f {} $B/seeds-npz/ \; 2>/dev/null
# Text-syntax cases inside lit files (split-file sections starting with '<').
if [ -x "$PY" ]; then
  "$PY" - "$B" <<'PYEOF'
import os, pathlib, re, shutil, sys
import onnx
b = pathlib.Path(sys.argv[1])
node = pathlib.Path(onnx.__file__).parent / "backend" / "test" / "data" / "node"
for d in sorted(node.iterdir()):
    m = d / "model.onnx"
    if m.exists() and m.stat().st_size < 256 * 1024:
        shutil.copy(m, b / "seeds-onnx" / f"{d.name}.onnx")
for t in pathlib.Path("test").rglob("*.test"):
    for i, part in enumerate(re.split(r"^#--- .*$", t.read_text(), flags=re.M)[1:]):
        if part.lstrip().startswith("<"):
            (b / "seeds-onnxtxt" / f"{t.stem}_{i}.onnxtxt").write_text(part.lstrip())
PYEOF
fi

status=0
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
for kind in onnx onnxtxt tflite npz; do
  limit=(-max_total_time="$TIME")
  [ -n "$RUNS" ] && limit=(-runs="$RUNS")
  log=$B/fuzz-$kind.log
  # -max_len: models up to 64 KB; -rss_limit_mb and -timeout catch runaway memory and hangs.
  $B/bin/qcc-fuzz-$kind "${limit[@]}" -seed="$SEED" -max_len=65536 -rss_limit_mb=4096 -timeout=30 \
    -artifact_prefix=$C/$kind- -print_final_stats=1 \
    $B/corpus-$kind $B/seeds-$kind > "$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  # crash-, leak-, timeout- and oom- files are failures; slow-unit- files are only notes.
  crashes=$(ls $C | grep -cE "^$kind-(crash|leak|timeout|oom)-" || true)
  corpus=$(ls $B/corpus-$kind | wc -l)
  echo "fuzz qcc-fuzz-$kind: ${runs:-0} executions, corpus $corpus inputs, $crashes crashes (log $log)"
  if [ $rc -ne 0 ] || [ "$crashes" -ne 0 ]; then
    status=1
    grep -m5 -E "ERROR|SUMMARY|==[0-9]+==" "$log"
    for f in $(ls $C | grep -E "^$kind-(crash|leak|timeout|oom)-"); do
      echo "repeat with: $B/bin/qcc-fuzz-$kind $C/$f"
      if [ "$(stat -c %s "$C/$f")" -lt 16384 ]; then
        echo "input (base64):"; base64 -w 100 "$C/$f"
      fi
    done
  fi
done
exit $status
