/* m.h: C interface of a neural network compiled by qcc.
 * Source model: /work/main/bench/out/mlp.onnx
 * Target: x86_64-v4 (x86_64-unknown-linux-gnu, cpu x86-64-v4, +avx512vnni)
 * Generated file: do not edit.
 *
 * Usage: fill the input buffers, then
 *   static uint8_t arena[M_ARENA_SIZE] __attribute__((aligned(M_ARENA_ALIGN)));
 *   const void *in[M_NUM_INPUTS] = {...};
 *   void *out[M_NUM_OUTPUTS] = {...};
 *   int status = m_run(in, out, arena);   (0 on success)
 * Tensors are dense and row-major; the function allocates nothing, reads only its
 * inputs and the weights it carries, and writes only its outputs and the arena. It is
 * reentrant: concurrent calls need distinct arenas. The arena holds no state between
 * calls. With an arena size of 0 the arena pointer may be NULL.
 */
#ifndef M_H_
#define M_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of scratch memory m_run needs (lower bound of any plan: 4096). */
#define M_ARENA_SIZE 4096
/* Required alignment of the arena, in bytes. */
#define M_ARENA_ALIGN 64
#define M_NUM_INPUTS 1
#define M_NUM_OUTPUTS 1

/* input 0: "input", float32[1,256] */
#define M_INPUT0_SIZE 1024
/* output 0: "fc2", float32[1,10] */
#define M_OUTPUT0_SIZE 40

/* Runs the network. inputs[i] points at input i, outputs[i] at a buffer of
 * M_OUTPUT<i>_SIZE bytes, arena at M_ARENA_SIZE bytes aligned to M_ARENA_ALIGN.
 * Returns 0 on success. */
int m_run(const void *const inputs[], void *const outputs[], void *arena);

#ifdef __cplusplus
}
#endif

#endif /* M_H_ */
