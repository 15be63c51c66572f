/* detect: runs an object detector compiled by qcc (TFLite_Detection_PostProcess outputs:
 * boxes, classes, scores, count) on a photo, a stream of frames, or a V4L2 camera.
 *
 *   detect IMAGE.bmp [--labels FILE] [--out BOXES.bmp] [--iterations N]
 *                    [--dump-input F] [--dump-output F]
 *   detect --frames DIR|FILE.rgb [--size WxH] [--count N] [--labels FILE]
 *   detect --camera /dev/video0 [--size WxH] [--count N] [--labels FILE]   (Linux, YUYV)
 *
 * One image: prints each detection (label, score, box in pixels), writes the image with the
 * boxes drawn (--out), and the median time per inference. Frames: a folder of BMPs (in name
 * order) or a raw RGB24 file of W x H frames back to back (--size), each detected in turn;
 * prints the detections per frame and the frames per second over the run (reading and
 * resizing included, as a camera loop would see them). Camera: frames from a V4L2 device in
 * YUYV (the Raspberry Pi camera stack and most USB cameras offer it; MJPEG needs a JPEG
 * decoder this example does not have).
 *
 * Build-time configuration (-D, set by examples/detect/run.py): QCC_IN_H, QCC_IN_W, the
 * model's input size (uint8 RGB, N x H x W x 3). The model is compiled with --name=model.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/image.h"
#include "../common/timing.h"
#include "model.h"

#if MODEL_NUM_OUTPUTS != 4
#error "detect expects a model ending in TFLite_Detection_PostProcess (4 outputs)"
#endif
enum { MAX_DET = MODEL_OUTPUT1_SIZE / sizeof(float) };

static uint8_t arena[MODEL_ARENA_SIZE + 1] __attribute__((aligned(MODEL_ARENA_ALIGN)));
static uint8_t input[MODEL_INPUT0_SIZE];
static float boxes[MAX_DET * 4], classes[MAX_DET], scores[MAX_DET], count[1];
static char names[1024][64];

static void put_input(void *ctx, int y, int x, int c, float v) {
  (void)ctx;
  input[((size_t)y * QCC_IN_W + x) * 3 + c] = (uint8_t)(v + 0.5f);
}

static int run(void) {
  const void *in[] = {input};
  void *out[] = {boxes, classes, scores, count};
  return model_run(in, out, arena);
}

static const char *label(int cls) {
  /* Class k is line k + 1 of the labels file (line 0: the background class). */
  static char fallback[32];
  if (cls >= 0 && cls + 1 < 1024 && names[cls + 1][0]) return names[cls + 1];
  snprintf(fallback, sizeof fallback, "class %d", cls);
  return fallback;
}

/* Prints the detections in image pixels; draws them into `rgb` when given. */
static void report(uint8_t *rgb, int w, int h) {
  static const uint8_t palette[][3] = {{255, 40, 40}, {40, 220, 40}, {40, 120, 255},
                                       {255, 200, 0}, {220, 0, 220}, {0, 220, 220}};
  int n = (int)count[0];
  for (int k = 0; k < n && k < MAX_DET; ++k) {
    const float *b = boxes + 4 * k; /* ymin, xmin, ymax, xmax in [0, 1] */
    int y0 = (int)(b[0] * h), x0 = (int)(b[1] * w), y1 = (int)(b[2] * h), x1 = (int)(b[3] * w);
    printf("  %-24s %.3f  box x %d..%d, y %d..%d\n", label((int)classes[k]), scores[k], x0, x1,
           y0, y1);
    if (rgb) {
      int thick = (w > h ? w : h) / 150 + 2;
      draw_box(rgb, w, h, x0, y0, x1 - 1, y1 - 1, thick, palette[k % 6]);
    }
  }
  if (n == 0) printf("  (no detection above the model's score threshold)\n");
}

static int dump(const char *path, const void *const parts[], const size_t sizes[], int n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  for (int i = 0; i < n; ++i)
    if (fwrite(parts[i], 1, sizes[i], f) != sizes[i]) { fclose(f); return -1; }
  return fclose(f);
}

static int detect_frame(const uint8_t *rgb, int w, int h, int frame) {
  resize_rgb(rgb, w, h, QCC_IN_W, QCC_IN_H, put_input, NULL);
  if (run() != 0) return -1;
  printf("frame %d:\n", frame);
  report(NULL, w, h);
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

#if defined(__linux__) && !defined(QCC_NO_V4L2)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static int xioctl(int fd, unsigned long req, void *arg) {
  int r;
  do r = ioctl(fd, req, arg); while (r < 0 && errno == EINTR);
  return r;
}

/* Captures `frames` YUYV frames by memory-mapped streaming I/O (four buffers). */
static int camera_loop(const char *dev, int w, int h, int frames) {
  int fd = open(dev, O_RDWR);
  if (fd < 0) { perror(dev); return 1; }
  struct v4l2_format fmt = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
  fmt.fmt.pix.width = (unsigned)w;
  fmt.fmt.pix.height = (unsigned)h;
  fmt.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
  fmt.fmt.pix.field = V4L2_FIELD_NONE;
  if (xioctl(fd, VIDIOC_S_FMT, &fmt) < 0 || fmt.fmt.pix.pixelformat != V4L2_PIX_FMT_YUYV) {
    fprintf(stderr, "%s: YUYV capture is not available (MJPEG-only cameras need a JPEG "
                    "decoder this example does not have)\n", dev);
    close(fd);
    return 1;
  }
  w = (int)fmt.fmt.pix.width;
  h = (int)fmt.fmt.pix.height;
  struct v4l2_requestbuffers req = {.count = 4, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
                                    .memory = V4L2_MEMORY_MMAP};
  if (xioctl(fd, VIDIOC_REQBUFS, &req) < 0 || req.count < 1) { perror("VIDIOC_REQBUFS"); return 1; }
  void *maps[4];
  size_t lens[4];
  for (unsigned i = 0; i < req.count && i < 4; ++i) {
    struct v4l2_buffer buf = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP,
                              .index = i};
    if (xioctl(fd, VIDIOC_QUERYBUF, &buf) < 0) { perror("VIDIOC_QUERYBUF"); return 1; }
    lens[i] = buf.length;
    maps[i] = mmap(NULL, buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, buf.m.offset);
    if (maps[i] == MAP_FAILED || xioctl(fd, VIDIOC_QBUF, &buf) < 0) { perror("mmap"); return 1; }
  }
  enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  if (xioctl(fd, VIDIOC_STREAMON, &type) < 0) { perror("VIDIOC_STREAMON"); return 1; }
  uint8_t *rgb = malloc((size_t)w * h * 3);
  double t0 = now_ms();
  int done = 0;
  for (; done < frames; ++done) {
    struct v4l2_buffer buf = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
    if (xioctl(fd, VIDIOC_DQBUF, &buf) < 0) { perror("VIDIOC_DQBUF"); break; }
    yuyv_to_rgb(maps[buf.index], rgb, w, h);
    if (xioctl(fd, VIDIOC_QBUF, &buf) < 0 || detect_frame(rgb, w, h, done) != 0) break;
  }
  double secs = (now_ms() - t0) / 1e3;
  printf("%d frames from %s (%dx%d YUYV) in %.2f s: %.2f frames per second\n", done, dev, w,
         h, secs, done / (secs > 0 ? secs : 1));
  xioctl(fd, VIDIOC_STREAMOFF, &type);
  for (unsigned i = 0; i < req.count && i < 4; ++i) munmap(maps[i], lens[i]);
  free(rgb);
  close(fd);
  return done == frames ? 0 : 1;
}

/* The BMP files of a folder, in name order; NULL when `path` is not a folder. */
static char **list_bmps(const char *path, int *n) {
  DIR *d = opendir(path);
  if (!d) return NULL;
  char **files = NULL;
  int cap = 0;
  *n = 0;
  for (struct dirent *e; (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    if (len < 5 || strcmp(e->d_name + len - 4, ".bmp")) continue;
    if (*n == cap) files = realloc(files, sizeof(char *) * (cap = cap ? 2 * cap : 16));
    files[*n] = malloc(strlen(path) + len + 2);
    sprintf(files[(*n)++], "%s/%s", path, e->d_name);
  }
  closedir(d);
  qsort(files, *n, sizeof(char *), cmp_str);
  return files;
}
#else
static int camera_loop(const char *dev, int w, int h, int frames) {
  (void)w; (void)h; (void)frames;
  fprintf(stderr, "%s: camera capture needs Linux (V4L2)\n", dev);
  return 1;
}
static char **list_bmps(const char *path, int *n) { (void)path; *n = 0; return NULL; }
#endif

/* A folder of BMPs or a raw RGB24 file of w x h frames. */
static int frames_loop(const char *path, int w, int h, int limit) {
  int n = 0, done = 0;
  char **files = list_bmps(path, &n);
  double t0 = now_ms();
  if (files) {
    for (; done < n && done < limit; ++done) {
      int fw, fh;
      uint8_t *rgb = load_bmp(files[done], &fw, &fh);
      if (!rgb) { fprintf(stderr, "%s: not a readable 24-bit BMP\n", files[done]); return 1; }
      int r = detect_frame(rgb, fw, fh, done);
      free(rgb);
      if (r) return 1;
    }
  } else {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return 1; }
    size_t size = (size_t)w * h * 3;
    uint8_t *rgb = malloc(size);
    for (; done < limit && fread(rgb, 1, size, f) == size; ++done)
      if (detect_frame(rgb, w, h, done)) return 1;
    free(rgb);
    fclose(f);
  }
  double secs = (now_ms() - t0) / 1e3;
  printf("%d frames in %.2f s: %.2f frames per second\n", done, secs,
         done / (secs > 0 ? secs : 1));
  return done > 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  const char *image = NULL, *labels_path = NULL, *out_path = NULL, *dump_in = NULL,
             *dump_out = NULL, *frames = NULL, *camera = NULL;
  int iterations = 3, fw = 640, fh = 480, limit = 1 << 30;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--labels") && i + 1 < argc) labels_path = argv[++i];
    else if (!strcmp(argv[i], "--out") && i + 1 < argc) out_path = argv[++i];
    else if (!strcmp(argv[i], "--iterations") && i + 1 < argc) iterations = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--dump-input") && i + 1 < argc) dump_in = argv[++i];
    else if (!strcmp(argv[i], "--dump-output") && i + 1 < argc) dump_out = argv[++i];
    else if (!strcmp(argv[i], "--frames") && i + 1 < argc) frames = argv[++i];
    else if (!strcmp(argv[i], "--camera") && i + 1 < argc) camera = argv[++i];
    else if (!strcmp(argv[i], "--count") && i + 1 < argc) limit = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
      if (sscanf(argv[++i], "%dx%d", &fw, &fh) != 2 || fw <= 0 || fh <= 0) {
        fprintf(stderr, "--size takes WxH, e.g. 640x480\n");
        return 2;
      }
    } else if (argv[i][0] != '-' && !image) image = argv[i];
    else { image = NULL; frames = camera = NULL; break; }
  }
  if ((!image && !frames && !camera) || iterations < 1 || limit < 1) {
    fprintf(stderr, "usage: %s IMAGE.bmp [--labels FILE] [--out BOXES.bmp] [--iterations N] "
                    "[--dump-input F] [--dump-output F]\n"
                    "       %s --frames DIR|FILE.rgb [--size WxH] [--count N] [--labels FILE]\n"
                    "       %s --camera /dev/video0 [--size WxH] [--count N] [--labels FILE]\n",
            argv[0], argv[0], argv[0]);
    return 2;
  }
  if (labels_path) {
    FILE *f = fopen(labels_path, "r");
    char line[1024];
    for (int i = 0; f && i < 1024 && fgets(line, sizeof line, f); ++i) {
      line[strcspn(line, "\r\n")] = 0;
      snprintf(names[i], sizeof names[i], "%s", line);
    }
    if (f) fclose(f);
  }
  if (camera) return camera_loop(camera, fw, fh, limit == 1 << 30 ? 100 : limit);
  if (frames) return frames_loop(frames, fw, fh, limit);

  int w, h;
  uint8_t *rgb = load_bmp(image, &w, &h);
  if (!rgb) { fprintf(stderr, "%s: not a readable 24-bit uncompressed BMP\n", image); return 1; }
  resize_rgb(rgb, w, h, QCC_IN_W, QCC_IN_H, put_input, NULL);
  double *times = malloc(sizeof(double) * iterations);
  for (int it = 0; it < iterations; ++it) {
    double t0 = now_ms();
    if (run() != 0) { fprintf(stderr, "model_run failed\n"); return 1; }
    times[it] = now_ms() - t0;
  }
  qsort(times, iterations, sizeof(double), cmp_double);
  printf("%s (%dx%d -> %dx%d): %d detection(s)\n", image, w, h, QCC_IN_W, QCC_IN_H, (int)count[0]);
  report(rgb, w, h);
  printf("  time per inference: %.2f ms (median of %d)\n", times[iterations / 2], iterations);
  free(times);
  if (out_path && save_bmp(out_path, rgb, w, h)) { fprintf(stderr, "cannot write %s\n", out_path); return 1; }
  free(rgb);
  const void *parts[] = {boxes, classes, scores, count};
  const size_t sizes[] = {sizeof boxes, sizeof classes, sizeof scores, sizeof count};
  const void *in_part[] = {input};
  const size_t in_size[] = {sizeof input};
  if (dump_in && dump(dump_in, in_part, in_size, 1)) return 1;
  if (dump_out && dump(dump_out, parts, sizes, 4)) return 1;
  return 0;
}
