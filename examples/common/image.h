/* image.h: the small image helpers qcc's example apps share (header only, C99).
 *
 *   load_bmp     24-bit uncompressed BMP -> RGB rows top-down (malloc'd)
 *   save_bmp     RGB rows top-down -> 24-bit BMP
 *   resize_rgb   bilinear resize (half-pixel centres) of RGB to a float or byte callback
 *   draw_box     a rectangle outline, `thick` pixels wide, clipped to the image
 *   yuyv_to_rgb  one V4L2 YUYV (YUV 4:2:2, BT.601 limited range) frame to RGB
 */
#ifndef QCC_EXAMPLES_IMAGE_H
#define QCC_EXAMPLES_IMAGE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t image_le32(const uint8_t *p) {
  return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *load_bmp(const char *path, int *w, int *h) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t hdr[54];
  if (fread(hdr, 1, 54, f) != 54 || hdr[0] != 'B' || hdr[1] != 'M') { fclose(f); return NULL; }
  uint32_t offset = image_le32(hdr + 10);
  int32_t width = (int32_t)image_le32(hdr + 18), height = (int32_t)image_le32(hdr + 22);
  int bpp = hdr[28] | hdr[29] << 8;
  if (bpp != 24 || image_le32(hdr + 30) != 0 || width <= 0 || height == 0 || width > 1 << 14 ||
      height > 1 << 14 || height < -(1 << 14)) {
    fclose(f);
    return NULL;
  }
  int bottom_up = height > 0;
  if (height < 0) height = -height;
  size_t stride = ((size_t)width * 3 + 3) & ~(size_t)3;
  uint8_t *row = malloc(stride), *rgb = malloc((size_t)width * height * 3);
  if (!row || !rgb || fseek(f, offset, SEEK_SET)) { free(row); free(rgb); fclose(f); return NULL; }
  for (int y = 0; y < height; ++y) {
    if (fread(row, 1, stride, f) != stride) { free(row); free(rgb); fclose(f); return NULL; }
    uint8_t *dst = rgb + (size_t)(bottom_up ? height - 1 - y : y) * width * 3;
    for (int x = 0; x < width; ++x) { /* BGR -> RGB */
      dst[3 * x] = row[3 * x + 2]; dst[3 * x + 1] = row[3 * x + 1]; dst[3 * x + 2] = row[3 * x];
    }
  }
  free(row);
  fclose(f);
  *w = width;
  *h = height;
  return rgb;
}

static int save_bmp(const char *path, const uint8_t *rgb, int w, int h) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t stride = ((size_t)w * 3 + 3) & ~(size_t)3;
  uint32_t size = (uint32_t)(54 + stride * h);
  uint8_t hdr[54] = {'B', 'M'};
  uint32_t fields[][2] = {{2, size}, {10, 54}, {14, 40}, {18, (uint32_t)w},
                          {22, (uint32_t)h}, {34, (uint32_t)(stride * h)}};
  for (size_t k = 0; k < sizeof fields / sizeof fields[0]; ++k)
    for (int b = 0; b < 4; ++b) hdr[fields[k][0] + b] = (uint8_t)(fields[k][1] >> (8 * b));
  hdr[26] = 1;  /* planes */
  hdr[28] = 24; /* bits per pixel */
  int ok = fwrite(hdr, 1, 54, f) == 54;
  uint8_t *row = calloc(stride, 1);
  for (int y = h - 1; ok && y >= 0; --y) { /* bottom-up rows, BGR */
    for (int x = 0; x < w; ++x) {
      const uint8_t *p = rgb + ((size_t)y * w + x) * 3;
      row[3 * x] = p[2]; row[3 * x + 1] = p[1]; row[3 * x + 2] = p[0];
    }
    ok = fwrite(row, 1, stride, f) == stride;
  }
  free(row);
  return fclose(f) == 0 && ok ? 0 : -1;
}

/* Bilinear resize to out_w x out_h; `put(ctx, y, x, c, value)` stores each value. */
typedef void (*image_put_fn)(void *ctx, int y, int x, int c, float v);
static void resize_rgb(const uint8_t *rgb, int w, int h, int out_w, int out_h, image_put_fn put,
                       void *ctx) {
  for (int y = 0; y < out_h; ++y) {
    float fy = ((float)y + 0.5f) * h / out_h - 0.5f;
    if (fy < 0) fy = 0;
    int y0 = (int)fy, y1 = y0 + 1 < h ? y0 + 1 : h - 1;
    float dy = fy - y0;
    for (int x = 0; x < out_w; ++x) {
      float fx = ((float)x + 0.5f) * w / out_w - 0.5f;
      if (fx < 0) fx = 0;
      int x0 = (int)fx, x1 = x0 + 1 < w ? x0 + 1 : w - 1;
      float dx = fx - x0;
      for (int c = 0; c < 3; ++c) {
        float top = rgb[(y0 * w + x0) * 3 + c] * (1 - dx) + rgb[(y0 * w + x1) * 3 + c] * dx;
        float bot = rgb[(y1 * w + x0) * 3 + c] * (1 - dx) + rgb[(y1 * w + x1) * 3 + c] * dx;
        put(ctx, y, x, c, top * (1 - dy) + bot * dy);
      }
    }
  }
}

static void draw_box(uint8_t *rgb, int w, int h, int x0, int y0, int x1, int y1, int thick,
                     const uint8_t color[3]) {
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) {
      int edge = y < y0 + thick || y > y1 - thick || x < x0 + thick || x > x1 - thick;
      if (!edge || x < 0 || y < 0 || x >= w || y >= h) continue;
      for (int c = 0; c < 3; ++c) rgb[((size_t)y * w + x) * 3 + c] = color[c];
    }
}

static uint8_t image_clamp_u8(int v) { return v < 0 ? 0 : v > 255 ? 255 : (uint8_t)v; }

static void yuyv_to_rgb(const uint8_t *yuyv, uint8_t *rgb, int w, int h) {
  for (size_t i = 0; i < (size_t)w * h / 2; ++i) {
    const uint8_t *p = yuyv + 4 * i;
    int u = p[1] - 128, v = p[3] - 128;
    for (int k = 0; k < 2; ++k) {
      int c = 298 * (p[2 * k] - 16);
      uint8_t *o = rgb + 6 * i + 3 * k;
      o[0] = image_clamp_u8((c + 409 * v + 128) >> 8);
      o[1] = image_clamp_u8((c - 100 * u - 208 * v + 128) >> 8);
      o[2] = image_clamp_u8((c + 516 * u + 128) >> 8);
    }
  }
}

#endif /* QCC_EXAMPLES_IMAGE_H */
