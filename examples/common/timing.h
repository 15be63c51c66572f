/* timing.h: wall-clock milliseconds and the comparison qsort needs for medians (the
 * example apps' timing, header only, POSIX). */
#ifndef QCC_EXAMPLES_TIMING_H
#define QCC_EXAMPLES_TIMING_H

#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

#endif /* QCC_EXAMPLES_TIMING_H */
