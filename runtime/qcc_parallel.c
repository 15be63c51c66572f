/* qcc runtime, threads: see include/qcc/parallel.h. POSIX threads and C11 atomics; no
 * malloc of its own (pthread_create allocates the worker stacks).
 *
 * One job at a time (a mutex; a second concurrent caller runs its range inline). The
 * range [0, n) is cut into `parts` contiguous parts, part 0 for the calling thread and
 * part p for worker p - 1, so that consecutive layers give a thread the same band of rows.
 * Each part is handed out in chunks from its own counter, and a thread that finishes its
 * part takes chunks of the others: a worker that is late (more threads than free cores,
 * or just woken) delays nothing but the chunks it has already claimed. */
#include "qcc/parallel.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

/* Waiting, for a job or for claimed chunks to finish: first QCC_SPIN pause instructions
 * (layers follow each other within microseconds), then sched_yield so that a thread
 * without a core gets one; a worker that has yielded QCC_YIELDS times sleeps on a
 * condition variable (between inferences). */
#define QCC_SPIN 4000
#define QCC_YIELDS 2000
/* Chunks per part. */
#define QCC_CHUNKS 4

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

struct part {
  _Alignas(64) atomic_llong next; /* next index of the part to hand out */
  int64_t end, chunk;
};

/* The job. `seq` is even while a job is published and odd while the dispatcher writes
 * one; a worker registers in `active` and re-reads `seq` before it touches the job, and
 * the dispatcher writes a new job only once `active` is 0. */
static struct {
  _Alignas(64) atomic_uint seq;
  _Alignas(64) atomic_int active;
  _Alignas(64) atomic_llong done; /* indices finished */
  qcc_task_fn task;
  void *ctx;
  int parts;
  struct part part[QCC_MAX_THREADS];
} job;

static pthread_t workers[QCC_MAX_THREADS - 1];
static int started;                                      /* guarded by `dispatch` */
static pthread_mutex_t dispatch = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static atomic_int sleepers;

/* Runs chunks: own part `self` first, then the others'. */
static void work(int self) {
  int parts = job.parts;
  for (int k = 0; k < parts; ++k) {
    struct part *p = &job.part[(self + k) % parts];
    for (;;) {
      int64_t begin = atomic_fetch_add_explicit(&p->next, p->chunk, memory_order_relaxed);
      if (begin >= p->end) break;
      int64_t end = begin + p->chunk < p->end ? begin + p->chunk : p->end;
      job.task(job.ctx, begin, end);
      atomic_fetch_add_explicit(&job.done, end - begin, memory_order_release);
    }
  }
}

static void *worker_main(void *arg) {
  int self = (int)(intptr_t)arg; /* its part: worker w runs part w + 1 */
  unsigned seen = 0;
  for (;;) {
    unsigned seq;
    int spins = 0;
    while ((seq = atomic_load(&job.seq)) == seen || (seq & 1u)) {
      if (++spins < QCC_SPIN) {
        cpu_relax();
      } else if (spins < QCC_SPIN + QCC_YIELDS) {
        sched_yield();
      } else {
        /* Sleep. The dispatcher publishes `seq` before it reads `sleepers` (both
         * sequentially consistent), and we count ourselves before we read `seq` under the
         * lock, so a wake-up is never lost. */
        pthread_mutex_lock(&sleep_lock);
        atomic_fetch_add(&sleepers, 1);
        while (atomic_load(&job.seq) == seen) pthread_cond_wait(&wake, &sleep_lock);
        atomic_fetch_sub(&sleepers, 1);
        pthread_mutex_unlock(&sleep_lock);
        spins = 0;
      }
    }
    atomic_fetch_add(&job.active, 1);
    if (atomic_load(&job.seq) == seq) {
      seen = seq;
      if (self < job.parts) work(self);
    }
    atomic_fetch_sub(&job.active, 1);
  }
  return 0;
}

int qcc_parallel_workers(void) {
  pthread_mutex_lock(&dispatch);
  int n = started;
  pthread_mutex_unlock(&dispatch);
  return n;
}

void qcc_parallel_for(qcc_task_fn task, void *ctx, int64_t n, int32_t threads) {
  if (n <= 0) return;
  if (threads > QCC_MAX_THREADS) threads = QCC_MAX_THREADS;
  if (threads < 2 || n < 2 || pthread_mutex_trylock(&dispatch) != 0) {
    task(ctx, 0, n);
    return;
  }
  while (started < threads - 1) {
    if (pthread_create(&workers[started], 0, worker_main, (void *)(intptr_t)(started + 1)) != 0)
      break;
    ++started;
  }
  int parts = threads;
  if (parts > started + 1) parts = started + 1;
  if (parts > n) parts = (int)n;

  /* No worker is still inside the previous job once `active` is 0 with `seq` odd. */
  atomic_fetch_add(&job.seq, 1);
  while (atomic_load(&job.active) != 0) cpu_relax();
  job.task = task;
  job.ctx = ctx;
  job.parts = parts;
  atomic_store_explicit(&job.done, 0, memory_order_relaxed);
  for (int p = 0; p < parts; ++p) {
    int64_t begin = p * n / parts, end = (p + 1) * n / parts;
    int64_t chunk = (end - begin + QCC_CHUNKS - 1) / QCC_CHUNKS;
    job.part[p].end = end;
    job.part[p].chunk = chunk > 0 ? chunk : 1;
    atomic_store_explicit(&job.part[p].next, begin, memory_order_relaxed);
  }
  atomic_fetch_add(&job.seq, 1); /* publish (even) */
  if (atomic_load(&sleepers) > 0) {
    pthread_mutex_lock(&sleep_lock);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleep_lock);
  }
  work(0);
  int spins = 0;
  while (atomic_load_explicit(&job.done, memory_order_acquire) != n)
    if (++spins < QCC_SPIN) cpu_relax();
    else sched_yield();
  pthread_mutex_unlock(&dispatch);
}
