#!/usr/bin/env bash
# Builds bare-metal firmware around a model compiled by qcc, runs it once under
# qemu-system-arm, writes the model's output bytes and prints what it cost:
#
#   bash examples/cortex-m/run.sh --target=cortex-m4 --model=M.(onnx|tflite) \
#        --input=IN.bin --output=OUT.bin [qcc flags...]
#
#   instructions: N   executed by model_run: QEMU runs with -icount shift=0 (one
#                     instruction per ns of virtual time) and the firmware reads SysTick at
#                     the board's CPU clock, so N is exact to one SysTick period (40
#                     instructions on the MPS2 boards' 25 MHz, 31.25 on the MPS3's 32 MHz)
#   flash: N bytes (text T, rodata R)     the whole firmware image (.text + .rodata + .data)
#   ram: N bytes (arena A, stack S)       model arena + stack used, found by painting it
#   model: text T, rodata R               the model object alone
#
# Instead of --model, --object=model.o links an object qcc already compiled (for this
# target, with --name=model; its model.h next to it), and qcc flags are then refused.
# IN.bin holds the model's inputs one after the other, in their own type and layout (see
# the generated model.h); OUT.bin gets the outputs the same way.
# Boards: cortex-m4 -> mps2-an386, cortex-m7 -> mps2-an500, cortex-m55 -> mps3-an547.
# Environment: QCC (the qcc binary; default build/bin/qcc of this checkout),
# QCC_CM_WORK (keep the build in this folder; default a temporary one),
# QCC_CM_STACK (stack bytes reserved, default 32768), QCC_CM_TIMEOUT (seconds, default 600).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

usage() {
  echo "usage: bash examples/cortex-m/run.sh --target=cortex-m4|cortex-m7|cortex-m55 --model=M.(onnx|tflite) --input=IN.bin --output=OUT.bin [qcc flags...]" >&2
  exit 2
}
target= model= object= input= output=
qcc_flags=()
for a in "$@"; do
  case "$a" in
    --target=*) target=${a#--target=} ;;
    --model=*) model=${a#--model=} ;;
    --object=*) object=${a#--object=} ;;
    --input=*) input=${a#--input=} ;;
    --output=*) output=${a#--output=} ;;
    -h|--help) usage ;;
    -o|-o*|--name=*|--emit=*) echo "run.sh: $a is set by run.sh itself" >&2; exit 2 ;;
    *) qcc_flags+=("$a") ;;
  esac
done
[ -n "$target" ] && [ -n "$model$object" ] && [ -n "$input" ] && [ -n "$output" ] || usage
if [ -n "$object" ] && { [ -n "$model" ] || [ ${#qcc_flags[@]} -gt 0 ]; }; then
  echo "run.sh: --object takes neither --model nor qcc flags" >&2
  exit 2
fi
case "$target" in
  cortex-m4)  board=mps2-an386; ld=mps2.ld;       clock=25000000
              cflags=(-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard) ;;
  cortex-m7)  board=mps2-an500; ld=mps2.ld;       clock=25000000
              cflags=(-mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard) ;;
  cortex-m55) board=mps3-an547; ld=mps3-an547.ld; clock=32000000
              cflags=(-mcpu=cortex-m55 -mfloat-abi=hard) ;;
  *) echo "run.sh: unknown Cortex-M target '$target' (cortex-m4, cortex-m7, cortex-m55)" >&2; exit 2 ;;
esac
for tool in arm-none-eabi-gcc arm-none-eabi-size qemu-system-arm; do
  command -v "$tool" >/dev/null || {
    echo "run.sh: $tool not found; install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm (bash scripts/setup.sh does)" >&2
    exit 2
  }
done
if [ -n "$model" ]; then
  [ -f "$model" ] || { echo "run.sh: no such model: $model" >&2; exit 2; }
else
  [ -f "$object" ] && [ -f "${object%.o}.h" ] || { echo "run.sh: need $object and ${object%.o}.h" >&2; exit 2; }
fi
[ -f "$input" ] || { echo "run.sh: no such input: $input" >&2; exit 2; }
QCC=${QCC:-$ROOT/build/bin/qcc}

if [ -n "${QCC_CM_WORK:-}" ]; then
  work=$QCC_CM_WORK
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
work=$(cd "$work" && pwd)

if [ -n "$model" ]; then
  "$QCC" "$model" --target="$target" --name=model -o "$work/model.o" "${qcc_flags[@]}"
else
  cp "$object" "$work/model.o"
  cp "${object%.o}.h" "$work/model.h"
fi

hdr="$work/model.h"
sizes() { grep -o "MODEL_$1[0-9]*_SIZE [0-9]*" "$hdr" | awk '{print $2}'; }
want=$(sizes INPUT | awk '{ s += $1 } END { print s + 0 }')
have=$(stat -c %s "$input")
if [ "$want" != "$have" ]; then
  echo "run.sh: $input has $have bytes; the model's inputs take $want" >&2
  exit 2
fi

arm-none-eabi-gcc "${cflags[@]}" -mthumb -O2 -g -std=c11 -Wall -Wextra -Werror \
  -ffunction-sections -fdata-sections -nostartfiles --specs=nano.specs \
  -I "$work" -I "$HERE" -L "$HERE" -T "$ld" -Wl,--gc-sections -Wl,--no-warn-execstack \
  -Wl,--defsym=QCC_CM_STACK_SIZE="${QCC_CM_STACK:-32768}" \
  "$HERE/main.c" "$HERE/startup.c" "$HERE/semihost.c" "$work/model.o" \
  -o "$work/firmware.elf"

cp "$input" "$work/input.bin"
rm -f "$work/output.bin"
set +e
(cd "$work" && timeout "${QCC_CM_TIMEOUT:-600}" qemu-system-arm -M "$board" -nographic \
  -monitor none -serial none -icount shift=0,align=off,sleep=off \
  -semihosting-config enable=on,target=native -kernel firmware.elf) > "$work/qemu.log" 2>&1
rc=$?
set -e
if [ $rc -ne 0 ] || [ ! -f "$work/output.bin" ]; then
  echo "run.sh: the firmware failed under qemu-system-arm -M $board (status $rc):" >&2
  cat "$work/qemu.log" >&2
  exit 1
fi
cp "$work/output.bin" "$output"

ticks=$(awk '/^ticks:/ { print $2 }' "$work/qemu.log")
stack=$(awk '/^stack:/ { print $2 }' "$work/qemu.log")
arena=$(grep -o 'MODEL_ARENA_SIZE [0-9]*' "$hdr" | awk '{print $2}')
section() { arm-none-eabi-size -A "$1" | awk -v s="$2" '$1 == s { print $2 + 0; f = 1 } END { if (!f) print 0 }'; }
text=$(section "$work/firmware.elf" .text)
rodata=$(( $(section "$work/firmware.elf" .rodata) + $(section "$work/firmware.elf" .ARM.exidx) ))
data=$(section "$work/firmware.elf" .data)
echo "instructions: $(( ticks * 1000000000 / clock ))"
echo "flash: $(( text + rodata + data )) bytes (text $text, rodata $rodata)"
echo "ram: $(( arena + stack )) bytes (arena $arena, stack $stack)"
mtext=$(arm-none-eabi-size -A "$work/model.o" | awk '$1 ~ /^\.text/ { s += $2 } END { print s + 0 }')
mrodata=$(arm-none-eabi-size -A "$work/model.o" | awk '$1 ~ /^\.rodata/ { s += $2 } END { print s + 0 }')
echo "model: text $mtext, rodata $mrodata"
