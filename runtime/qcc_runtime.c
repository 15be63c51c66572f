/* qcc runtime: see include/qcc/runtime.h. Freestanding: builds with -ffreestanding -nostdlib. */
#include "qcc/runtime.h"

const char *qcc_status_string(int status) {
  switch (status) {
  case QCC_OK: return "ok";
  case QCC_ERR_NULL_ARGUMENT: return "a tensor or arena pointer is NULL";
  case QCC_ERR_ARENA_ALIGNMENT: return "the arena is not aligned to NAME_ARENA_ALIGN";
  default: return "unknown status";
  }
}

void *qcc_align_arena(void *p, size_t align) {
  uintptr_t v = (uintptr_t)p;
  return (void *)((v + (align - 1)) & ~(uintptr_t)(align - 1));
}

size_t qcc_argmax_f32(const float *v, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

size_t qcc_argmax_u8(const uint8_t *v, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

size_t qcc_argmax_s8(const int8_t *v, size_t n) {
  size_t best = 0;
  for (size_t i = 1; i < n; ++i)
    if (v[i] > v[best]) best = i;
  return best;
}

void qcc_dequantize_u8(const uint8_t *q, size_t n, float scale, int32_t zero_point, float *out) {
  for (size_t i = 0; i < n; ++i) out[i] = (float)((int32_t)q[i] - zero_point) * scale;
}

void qcc_dequantize_s8(const int8_t *q, size_t n, float scale, int32_t zero_point, float *out) {
  for (size_t i = 0; i < n; ++i) out[i] = (float)((int32_t)q[i] - zero_point) * scale;
}
