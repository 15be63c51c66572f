/* Links two qcc models compiled with different --name values into one program and runs
 * them from two threads at once with distinct arenas: the outputs must equal a
 * single-threaded run (the generated code keeps no state outside its arena). */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "net_a.h"
#include "net_b.h"

static float input[NET_A_INPUT0_SIZE / sizeof(float)];
static float ref_a[NET_A_OUTPUT0_SIZE / sizeof(float)], ref_b[NET_B_OUTPUT0_SIZE / sizeof(float)];
static float out_a[8][NET_A_OUTPUT0_SIZE / sizeof(float)];
static uint8_t arenas[8][NET_A_ARENA_SIZE + NET_B_ARENA_SIZE + 64] __attribute__((aligned(64)));

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  const void *in[] = {input};
  void *out[] = {out_a[id]};
  for (int rep = 0; rep < 20; ++rep)
    if (net_a_run(in, out, arenas[id]) != 0) return (void *)1;
  return NULL;
}

int main(void) {
  for (size_t i = 0; i < sizeof(input) / sizeof(float); ++i) input[i] = (float)((i * 37) % 17) / 8.0f - 1.0f;
  const void *in[] = {input};
  void *oa[] = {ref_a}, *ob[] = {ref_b};
  if (net_a_run(in, oa, arenas[0]) || net_b_run(in, ob, arenas[1])) return 1;
  /* Same model under two names: same results. */
  if (memcmp(ref_a, ref_b, sizeof(ref_a)) != 0) { puts("net_a and net_b differ"); return 2; }
  pthread_t t[8];
  for (int i = 0; i < 8; ++i) pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
  for (int i = 0; i < 8; ++i) {
    void *r;
    pthread_join(t[i], &r);
    if (r || memcmp(out_a[i], ref_a, sizeof(ref_a)) != 0) { printf("thread %d differs\n", i); return 3; }
  }
  printf("two models, 8 threads: identical outputs (checksum %.4f)\n", (double)ref_a[0] + ref_a[5]);
  return 0;
}
