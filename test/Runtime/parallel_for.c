/* Tests runtime/qcc_parallel.c: every index of [0, n) is handed out exactly once, for
 * ranges smaller and larger than the thread count, over many dispatches in a row, after
 * the workers went to sleep, and when two application threads dispatch at once. */
#include "qcc/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_N 5000
static atomic_int hits[MAX_N];
static atomic_int calls;

static void mark(void *ctx, int64_t begin, int64_t end) {
  int *bad = ctx;
  if (begin < 0 || end > MAX_N || begin >= end) *bad = 1;
  for (int64_t i = begin; i < end; ++i) atomic_fetch_add(&hits[i], 1);
  atomic_fetch_add(&calls, 1);
}

static int check(int64_t n, int threads) {
  int bad = 0;
  for (int i = 0; i < MAX_N; ++i) atomic_store(&hits[i], 0);
  atomic_store(&calls, 0);
  qcc_parallel_for(mark, &bad, n, threads);
  for (int64_t i = 0; i < MAX_N; ++i)
    if (atomic_load(&hits[i]) != (i < n ? 1 : 0)) bad = 1;
  /* One call for a range that is not split, else at least one per part and at most
   * QCC_CHUNKS per part (parts are handed out in chunks). */
  int parts = n < threads ? (int)n : threads, got = atomic_load(&calls);
  if (n <= 0 ? got != 0 : (threads < 2 || n < 2) ? got != 1 : (got < parts || got > 4 * parts))
    bad = 1;
  if (bad) printf("FAIL n=%lld threads=%d calls=%d\n", (long long)n, threads, atomic_load(&calls));
  return bad;
}

/* Two application threads, each running many dispatches over its own array. */
struct app { int64_t sum[64]; int bad; };
static void add_index(void *ctx, int64_t begin, int64_t end) {
  struct app *a = ctx;
  for (int64_t i = begin; i < end; ++i) a->sum[i] += i + 1;
}
static void *app_main(void *arg) {
  struct app *a = arg;
  for (int r = 0; r < 2000; ++r) qcc_parallel_for(add_index, a, 64, 3);
  for (int i = 0; i < 64; ++i)
    if (a->sum[i] != 2000LL * (i + 1)) a->bad = 1;
  return 0;
}

int main(void) {
  int failures = 0;
  const int64_t sizes[] = {0, 1, 2, 3, 5, 7, 8, 63, 64, 1000, 4999};
  const int threads[] = {1, 2, 3, 4, 8};
  for (unsigned t = 0; t < sizeof threads / sizeof *threads; ++t)
    for (unsigned s = 0; s < sizeof sizes / sizeof *sizes; ++s)
      failures += check(sizes[s], threads[t]);
  for (int r = 0; r < 2000; ++r) failures += check(97, 4) ? 1 : 0;
  /* Let the workers fall asleep, then dispatch again. */
  struct timespec pause = {0, 200 * 1000 * 1000};
  nanosleep(&pause, 0);
  failures += check(1000, 4);
  printf("workers: %d\n", qcc_parallel_workers());

  struct app a = {{0}, 0}, b = {{0}, 0};
  pthread_t ta, tb;
  pthread_create(&ta, 0, app_main, &a);
  pthread_create(&tb, 0, app_main, &b);
  pthread_join(ta, 0);
  pthread_join(tb, 0);
  failures += a.bad + b.bad;
  printf("%s: %d failures\n", failures ? "FAIL" : "PASS", failures);
  return failures != 0;
}
