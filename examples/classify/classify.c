/* classify: runs an image classifier compiled by qcc on a BMP photo.
 *
 *   classify IMAGE.bmp [--labels FILE] [--iterations N] [--dump-input F] [--dump-output F]
 *
 * Loads a 24-bit BMP, resizes it to the model's input size (bilinear), converts it to the
 * model's layout and type, runs MODEL_run, and prints the top-5 classes and the median time
 * per inference. Build-time configuration (-D, set by scripts/demo.sh from the header):
 *   QCC_IN_H, QCC_IN_W      input height and width
 *   QCC_IN_NCHW             1: N x 3 x H x W, 0: N x H x W x 3
 *   QCC_IN_FLOAT            1: float32 in [-1, 1] (x / 127.5 - 1), 0: uint8 pixels
 *   QCC_OUT_FLOAT           1: float32 scores, 0: uint8 scores
 * The model itself is compiled with --name=model (model.h, model_run).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "../common/image.h"
#include "../common/timing.h"

#if QCC_IN_FLOAT
typedef float in_t;
#else
typedef uint8_t in_t;
#endif
#if QCC_OUT_FLOAT
typedef float out_t;
#else
typedef uint8_t out_t;
#endif

static uint8_t arena[MODEL_ARENA_SIZE + 1] __attribute__((aligned(MODEL_ARENA_ALIGN)));
static in_t input[MODEL_INPUT0_SIZE / sizeof(in_t)];
static out_t output[MODEL_OUTPUT0_SIZE / sizeof(out_t)];
enum { NUM_CLASSES = MODEL_OUTPUT0_SIZE / sizeof(out_t) };

static void put_input(void *ctx, int y, int x, int c, float v) {
  (void)ctx;
  size_t idx = QCC_IN_NCHW ? ((size_t)c * QCC_IN_H + y) * QCC_IN_W + x
                           : ((size_t)y * QCC_IN_W + x) * 3 + c;
#if QCC_IN_FLOAT
  input[idx] = v / 127.5f - 1.0f;
#else
  input[idx] = (uint8_t)(v + 0.5f);
#endif
}

/* Bilinear resize (half-pixel centres), then layout and type conversion. */
static void preprocess(const uint8_t *rgb, int w, int h) {
  resize_rgb(rgb, w, h, QCC_IN_W, QCC_IN_H, put_input, NULL);
}

static int dump(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, n, f) != n) return -1;
  return fclose(f);
}

int main(int argc, char **argv) {
  const char *image = NULL, *labels_path = NULL, *dump_in = NULL, *dump_out = NULL;
  int iterations = 5;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--labels") && i + 1 < argc) labels_path = argv[++i];
    else if (!strcmp(argv[i], "--iterations") && i + 1 < argc) iterations = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--dump-input") && i + 1 < argc) dump_in = argv[++i];
    else if (!strcmp(argv[i], "--dump-output") && i + 1 < argc) dump_out = argv[++i];
    else image = argv[i];
  }
  if (!image || iterations < 1) {
    fprintf(stderr, "usage: %s IMAGE.bmp [--labels FILE] [--iterations N] [--dump-input F] [--dump-output F]\n", argv[0]);
    return 2;
  }
  int w, h;
  uint8_t *rgb = load_bmp(image, &w, &h);
  if (!rgb) { fprintf(stderr, "%s: not a readable 24-bit uncompressed BMP\n", image); return 1; }
  preprocess(rgb, w, h);
  free(rgb);

  const void *in[] = {input};
  void *out[] = {output};
  double *times = malloc(sizeof(double) * iterations);
  for (int it = 0; it < iterations; ++it) {
    double t0 = now_ms();
    if (model_run(in, out, arena) != 0) { fprintf(stderr, "model_run failed\n"); return 1; }
    times[it] = now_ms() - t0;
  }
  qsort(times, iterations, sizeof(double), cmp_double);

  static char names[NUM_CLASSES][64];
  if (labels_path) {
    /* One label per line, index 0 first; long lines are truncated, not split. */
    FILE *f = fopen(labels_path, "r");
    char line[1024];
    for (int i = 0; f && i < NUM_CLASSES && fgets(line, sizeof line, f); ++i) {
      line[strcspn(line, "\r\n")] = 0;
      snprintf(names[i], sizeof names[i], "%s", line);
    }
    if (f) fclose(f);
  }
  printf("%s (%dx%d -> %dx%d)\n", image, w, h, QCC_IN_W, QCC_IN_H);
  int used[NUM_CLASSES] = {0};
  for (int k = 0; k < 5 && k < NUM_CLASSES; ++k) {
    int best = -1;
    for (int i = 0; i < NUM_CLASSES; ++i)
      if (!used[i] && (best < 0 || output[i] > output[best])) best = i;
    used[best] = 1;
    printf("  #%d  class %4d  score %10.4f  %s\n", k + 1, best, (double)output[best], names[best]);
  }
  printf("  time per inference: %.2f ms (median of %d)\n", times[iterations / 2], iterations);
  free(times);
  if (dump_in && dump(dump_in, input, sizeof input)) return 1;
  if (dump_out && dump(dump_out, output, sizeof output)) return 1;
  return 0;
}
