/* Firmware harness: runs a model compiled by qcc once under QEMU.
 *
 * Reads input.bin (the model's inputs, one after the other) through semihosting, runs
 * model_run with a static arena, writes output.bin and prints
 *   ticks: N    SysTick periods (CPU clock) spent in model_run
 *   stack: S    bytes of stack used, found by painting the stack before the call
 * run.sh turns the ticks into instructions (QEMU runs with -icount: one instruction per
 * 2^shift ns of virtual time). Up to 4 inputs and 4 outputs.
 */
#include <stdint.h>
#include <string.h>

#include "model.h"
#include "semihost.h"

#define ALIGN16 __attribute__((aligned(16)))
static uint8_t arena[MODEL_ARENA_SIZE > 0 ? MODEL_ARENA_SIZE : 1]
    __attribute__((aligned(MODEL_ARENA_ALIGN)));
#if MODEL_NUM_INPUTS > 4 || MODEL_NUM_OUTPUTS > 4
#error "the harness handles up to 4 inputs and 4 outputs"
#endif
#define PAD16(n) (((n) + 15u) & ~15u)
#ifndef MODEL_INPUT1_SIZE
#define MODEL_INPUT1_SIZE 0
#endif
#ifndef MODEL_INPUT2_SIZE
#define MODEL_INPUT2_SIZE 0
#endif
#ifndef MODEL_INPUT3_SIZE
#define MODEL_INPUT3_SIZE 0
#endif
#ifndef MODEL_OUTPUT1_SIZE
#define MODEL_OUTPUT1_SIZE 0
#endif
#ifndef MODEL_OUTPUT2_SIZE
#define MODEL_OUTPUT2_SIZE 0
#endif
#ifndef MODEL_OUTPUT3_SIZE
#define MODEL_OUTPUT3_SIZE 0
#endif
static const uint32_t in_sizes[4] = {MODEL_INPUT0_SIZE, MODEL_INPUT1_SIZE, MODEL_INPUT2_SIZE,
                                     MODEL_INPUT3_SIZE};
static const uint32_t out_sizes[4] = {MODEL_OUTPUT0_SIZE, MODEL_OUTPUT1_SIZE,
                                      MODEL_OUTPUT2_SIZE, MODEL_OUTPUT3_SIZE};
static uint8_t in_buf[PAD16(MODEL_INPUT0_SIZE) + PAD16(MODEL_INPUT1_SIZE) +
                      PAD16(MODEL_INPUT2_SIZE) + PAD16(MODEL_INPUT3_SIZE)] ALIGN16;
static uint8_t out_buf[PAD16(MODEL_OUTPUT0_SIZE) + PAD16(MODEL_OUTPUT1_SIZE) +
                       PAD16(MODEL_OUTPUT2_SIZE) + PAD16(MODEL_OUTPUT3_SIZE)] ALIGN16;

/* SysTick: 24 bits down-counting at the CPU clock; the handler counts its wrap-arounds. */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
static volatile uint32_t systick_wraps;
void qcc_cm_systick_handler(void) { ++systick_wraps; }

static uint64_t now_ticks(void) {
  uint32_t w, v;
  do {
    w = systick_wraps;
    v = SYST_CVR;
  } while (w != systick_wraps);
  return (uint64_t)w * 0x1000000u + (0xFFFFFFu - v);
}

extern uint32_t __stack_limit[], __stack_top[];
#define PAINT 0xC5C5C5C5u

static void fail(const char *msg) {
  sh_puts(msg);
  sh_exit(0);
}

int main(void) {
  /* Paint the stack below this frame (less a margin for this frame's own calls). */
  uint32_t *sp = (uint32_t *)__builtin_frame_address(0) - 64;
  for (uint32_t *p = __stack_limit; p < sp; ++p)
    *p = PAINT;

  /* Each tensor at a 16-byte aligned offset of its buffer; the files are contiguous. */
  const void *inputs[MODEL_NUM_INPUTS];
  void *outputs[MODEL_NUM_OUTPUTS];
  int f = sh_open("input.bin", 0);
  if (f < 0)
    fail("error: cannot open input.bin\n");
  uint32_t off = 0;
  for (unsigned i = 0; i < MODEL_NUM_INPUTS; ++i) {
    inputs[i] = in_buf + off;
    if (sh_read(f, in_buf + off, in_sizes[i]) != 0)
      fail("error: input.bin is shorter than the model's inputs\n");
    off += PAD16(in_sizes[i]);
  }
  sh_close(f);
  off = 0;
  for (unsigned i = 0; i < MODEL_NUM_OUTPUTS; ++i) {
    outputs[i] = out_buf + off;
    off += PAD16(out_sizes[i]);
  }

  SYST_RVR = 0xFFFFFF;
  SYST_CVR = 0;
  SYST_CSR = 7; /* enable, interrupt on wrap, CPU clock */
  while (SYST_CVR == 0) /* the written 0 until the first reload */
    ;
  uint64_t t0 = now_ticks();
  int status = model_run(inputs, outputs, arena);
  uint64_t t1 = now_ticks();
  SYST_CSR = 0;

  uint32_t *p = __stack_limit;
  while (p < sp && *p == PAINT)
    ++p;
  if (p == __stack_limit)
    fail("error: the stack overflowed its region (raise QCC_CM_STACK)\n");
  if (status != 0) {
    sh_put_u32("error: model_run returned ", (unsigned long)status);
    sh_exit(0);
  }
  f = sh_open("output.bin", 1);
  if (f < 0)
    fail("error: cannot create output.bin\n");
  for (unsigned i = 0; i < MODEL_NUM_OUTPUTS; ++i)
    if (sh_write(f, outputs[i], out_sizes[i]) != 0)
      fail("error: cannot write output.bin\n");
  sh_close(f);
  sh_put_u32("ticks: ", (unsigned long)(t1 - t0));
  sh_put_u32("stack: ", (unsigned long)((char *)__stack_top - (char *)p));
  sh_exit(1);
}
