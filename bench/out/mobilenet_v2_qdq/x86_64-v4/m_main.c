/* Generated test harness: reads inputs from files, runs the model, writes outputs.
 * usage: app ITERATIONS in0.bin ... out0.bin ...; prints the median time per run. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "m.h"

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  const size_t in_sizes[] = {M_INPUT0_SIZE};
  const size_t out_sizes[] = {M_OUTPUT0_SIZE};
  const void *inputs[M_NUM_INPUTS + 1];
  void *outputs[M_NUM_OUTPUTS + 1];
  if (argc != 2 + M_NUM_INPUTS + M_NUM_OUTPUTS) {
    fprintf(stderr, "usage: %s ITERATIONS inputs... outputs...\n", argv[0]);
    return 2;
  }
  int iters = atoi(argv[1]);
  for (int i = 0; i < M_NUM_INPUTS; ++i) {
    FILE *f = fopen(argv[2 + i], "rb");
    void *buf = malloc(in_sizes[i] + 1);
    if (!f || fread(buf, 1, in_sizes[i], f) != in_sizes[i]) {
      fprintf(stderr, "cannot read %zu bytes from %s\n", in_sizes[i], argv[2 + i]);
      return 3;
    }
    fclose(f);
    inputs[i] = buf;
  }
  for (int i = 0; i < M_NUM_OUTPUTS; ++i) outputs[i] = malloc(out_sizes[i] + 1);
  size_t arena_bytes = ((size_t)M_ARENA_SIZE + M_ARENA_ALIGN) / M_ARENA_ALIGN * M_ARENA_ALIGN;
  void *arena = aligned_alloc(M_ARENA_ALIGN, arena_bytes);
  int status = m_run(inputs, outputs, arena); /* warm-up */
  if (status != 0) { fprintf(stderr, "run returned %d\n", status); return 4; }
  double *times = malloc(sizeof(double) * (iters > 0 ? iters : 1));
  for (int it = 0; it < iters; ++it) {
    double t0 = now_us();
    m_run(inputs, outputs, arena);
    times[it] = now_us() - t0;
  }
  if (iters > 0) {
    qsort(times, iters, sizeof(double), cmp_double);
    printf("median_us %.1f\n", times[iters / 2]);
  }
  for (int i = 0; i < M_NUM_OUTPUTS; ++i) {
    FILE *f = fopen(argv[2 + M_NUM_INPUTS + i], "wb");
    if (!f || fwrite(outputs[i], 1, out_sizes[i], f) != out_sizes[i]) return 5;
    fclose(f);
  }
  return 0;
}
