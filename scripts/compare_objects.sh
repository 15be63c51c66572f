#!/usr/bin/env bash
# Compiles a fixed set of models for every named target and flag set and records the
# SHA-256 of each object and header, so a refactoring can show that qcc's output did not
# change (byte-identical objects and headers, issue 13).
#
#   bash scripts/compare_objects.sh --save base.txt     # with the old qcc
#   bash scripts/compare_objects.sh --check base.txt    # with the new one: lists differences
#
# Models: the bundled MobileNetV2 (examples/models) and every model the E2E tests generated
# under test/E2E/out (run the E2E tests once first). QCC=path/to/qcc selects the compiler.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
QCC=${QCC:-build/bin/qcc}
mode=${1:-} file=${2:-}
case "$mode" in --save|--check) ;; *) echo "usage: $0 --save|--check FILE" >&2; exit 2 ;; esac
[ -n "$file" ] || { echo "usage: $0 --save|--check FILE" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/list.txt
: > "$out"

compile() { # model target flags...
  local model=$1 target=$2; shift 2
  local key="$model --target=$target $*"
  if "$QCC" "$model" --target="$target" "$@" -o "$tmp/m.o" --name=model > "$tmp/log" 2>&1; then
    echo "$key | $(sha256sum < "$tmp/m.o" | cut -c1-16) $(sha256sum < "$tmp/m.h" | cut -c1-16)" >> "$out"
  else
    echo "$key | error $(grep -m1 error: "$tmp/log" | sha256sum | cut -c1-16)" >> "$out"
  fi
  rm -f "$tmp/m.o" "$tmp/m.h"
}

big=examples/models/mobilenet_v2_1.0_224_quant.onnx
for t in x86_64 x86_64-v3 x86_64-v4 aarch64-rpi4 aarch64-rpi5 aarch64; do
  compile $big $t
done
compile $big x86_64-v3 --requant=fixed
compile $big aarch64-rpi4 --requant=fixed
compile $big x86_64-v3 --threads=2
for m in $(find test/E2E/out -name '*.onnx' | sort); do
  for t in x86_64-v3 x86_64-v4 aarch64-rpi4 aarch64-rpi5; do
    compile "$m" $t
  done
  compile "$m" x86_64 --requant=fixed
done

n=$(wc -l < "$out")
if [ "$mode" = --save ]; then
  cp "$out" "$file"
  echo "compare_objects: saved $n compilations to $file"
  exit 0
fi
if diff <(sort "$file") <(sort "$out") > "$tmp/diff"; then
  echo "compare_objects: $n compilations, all objects and headers byte-identical to $file"
else
  grep '^>' "$tmp/diff" | head -40
  echo "compare_objects: $(grep -c '^>' "$tmp/diff") of $n compilations differ from $file"
  exit 1
fi
