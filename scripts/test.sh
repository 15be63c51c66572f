#!/usr/bin/env bash
# Sets up, builds and runs every test: gtest unit tests (ctest), the lit suites, and the
# end-to-end tests against their references on x86_64 and aarch64-rpi4 (pytest), and a short
# libFuzzer run of the importers and the .npz reader (scripts/fuzz.sh). Ends with one line:
# "qcc: N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
bash scripts/setup.sh || { echo "qcc: 0 passed, 1 failed (setup/build failed)"; exit 1; }
export PATH="$ROOT/.venv/bin:$PATH"
LOG=build/test-logs
mkdir -p "$LOG"
passed=0 failed=0 status=0

echo "== unit tests (ctest)"
ctest --test-dir build --output-on-failure 2>&1 | tee "$LOG/ctest.log" || status=1
p=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2 \1/p' "$LOG/ctest.log" | tail -1)
if [ -n "$p" ]; then set -- $p; passed=$((passed + $1 - $2)); failed=$((failed + $2)); else failed=$((failed + 1)); fi

echo "== lit (compiler tests)"
lit -sv build/test 2>&1 | tee "$LOG/lit.log" || status=1
lp=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$LOG/lit.log" | tail -1)
lf=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$LOG/lit.log" | tail -1)
passed=$((passed + ${lp:-0})); failed=$((failed + ${lf:-0}))
[ -z "$lp" ] && failed=$((failed + 1))

echo "== end-to-end (pytest: ONNX Runtime for float models, qcc.reference for quantized ones)"
python -m pytest test/E2E -q -rfE ${QCC_PYTEST_ARGS:-} 2>&1 | tee "$LOG/pytest.log" || status=1
pp=$(grep -Eo '[0-9]+ passed' "$LOG/pytest.log" | tail -1 | cut -d' ' -f1)
pf=$(grep -Eo '[0-9]+ (failed|error)' "$LOG/pytest.log" | awk '{s+=$1} END {print s+0}')
passed=$((passed + ${pp:-0})); failed=$((failed + ${pf:-0}))
[ -z "$pp" ] && [ "${pf:-0}" -eq 0 ] && failed=$((failed + 1))

echo "== fuzz (libFuzzer on the importers and the .npz reader, ${QCC_FUZZ_SECONDS:-60} s per target; scripts/fuzz.sh)"
if bash scripts/fuzz.sh --time="${QCC_FUZZ_SECONDS:-60}" --seed="${QCC_FUZZ_SEED:-1}" 2>&1 | tee "$LOG/fuzz.log"; then
  passed=$((passed + 3))
else
  fp=$(grep -c " 0 crashes" "$LOG/fuzz.log"); passed=$((passed + fp)); failed=$((failed + 4 - fp))
  status=1
fi

[ "$failed" -gt 0 ] && status=1
echo
echo "qcc: $passed passed, $failed failed"
exit $status
