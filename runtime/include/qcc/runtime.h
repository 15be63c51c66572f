/* qcc runtime: freestanding helpers an application linking a qcc model may use.
 * No malloc, no stdio, no libc beyond what the C compiler itself provides. */
#ifndef QCC_RUNTIME_H_
#define QCC_RUNTIME_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes returned by NAME_run. */
enum qcc_status {
  QCC_OK = 0,
  QCC_ERR_NULL_ARGUMENT = 1,   /* a tensor pointer, or the arena, is NULL */
  QCC_ERR_ARENA_ALIGNMENT = 2  /* the arena is not aligned to NAME_ARENA_ALIGN */
};

/* A short English description of a status code. */
const char *qcc_status_string(int status);

/* Rounds `p` up to `align` (a power of two): carve an aligned arena from a larger buffer. */
void *qcc_align_arena(void *p, size_t align);

/* Index of the largest of n floats (first one on ties); n > 0. */
size_t qcc_argmax_f32(const float *v, size_t n);

/* Index of the largest of n 8-bit values, signed or not; n > 0. */
size_t qcc_argmax_u8(const uint8_t *v, size_t n);
size_t qcc_argmax_s8(const int8_t *v, size_t n);

/* (q - zero_point) * scale for n quantized values. */
void qcc_dequantize_u8(const uint8_t *q, size_t n, float scale, int32_t zero_point, float *out);
void qcc_dequantize_s8(const int8_t *q, size_t n, float scale, int32_t zero_point, float *out);

#ifdef __cplusplus
}
#endif

#endif /* QCC_RUNTIME_H_ */
