/* Arm semihosting calls (BKPT 0xAB on M-profile cores): see semihost.h. */
#include "semihost.h"

#include <string.h>

enum { SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05,
       SYS_READ = 0x06, SYS_EXIT = 0x18 };

static int call(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

int sh_open(const char *path, int write) {
  /* ANSI fopen modes: 1 = "rb", 5 = "wb". */
  const void *args[3] = {path, (const void *)(write ? 5 : 1), (const void *)strlen(path)};
  return call(SYS_OPEN, args);
}

int sh_read(int handle, void *buf, size_t n) {
  const void *args[3] = {(const void *)handle, buf, (const void *)n};
  return call(SYS_READ, args) == 0 ? 0 : -1; /* returns the bytes NOT read */
}

int sh_write(int handle, const void *buf, size_t n) {
  const void *args[3] = {(const void *)handle, buf, (const void *)n};
  return call(SYS_WRITE, args) == 0 ? 0 : -1;
}

void sh_close(int handle) {
  const void *args[1] = {(const void *)handle};
  call(SYS_CLOSE, args);
}

void sh_puts(const char *s) { call(SYS_WRITE0, s); }

void sh_put_u32(const char *label, unsigned long v) {
  char buf[16];
  char *p = buf + sizeof buf;
  *--p = 0;
  *--p = '\n';
  do {
    *--p = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  sh_puts(label);
  sh_puts(p);
}

void sh_exit(int ok) {
  /* ADP_Stopped_ApplicationExit: QEMU exits with status 0; RunTimeErrorUnknown: 1. */
  call(SYS_EXIT, (const void *)(ok ? 0x20026 : 0x20023));
  for (;;) {
  }
}
