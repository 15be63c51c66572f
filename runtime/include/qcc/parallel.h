/* qcc runtime, threads: the pool behind objects compiled with `qcc --threads=N` (N > 1).
 * Linux / POSIX only; link runtime/qcc_parallel.c and -pthread. Single-threaded objects
 * (the default) never reference it. */
#ifndef QCC_PARALLEL_H_
#define QCC_PARALLEL_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Most threads (the caller plus pool workers) one qcc_parallel_for uses. */
#define QCC_MAX_THREADS 64

typedef void (*qcc_task_fn)(void *ctx, int64_t begin, int64_t end);

/* Runs task(ctx, begin, end) over [0, n) in min(threads, n) contiguous parts, part 0 on
 * the calling thread and the others on pool workers, and returns when all are done.
 * Workers are created on first use (threads - 1 of them, at most QCC_MAX_THREADS - 1) and
 * kept: they spin briefly after a part, then sleep on a condition variable. If another
 * thread is inside qcc_parallel_for at the time (two models or two inferences at once),
 * or a worker cannot be created, the parts run on the calling thread: the results are the
 * same, only slower. */
void qcc_parallel_for(qcc_task_fn task, void *ctx, int64_t n, int32_t threads);

/* Workers the pool has started so far (for tests and diagnostics). */
int qcc_parallel_workers(void);

#ifdef __cplusplus
}
#endif

#endif /* QCC_PARALLEL_H_ */
