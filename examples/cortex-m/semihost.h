/* Arm semihosting (the debugger's file and console I/O, which QEMU provides with
 * -semihosting-config enable=on,target=native): just what the firmware harness needs. */
#ifndef QCC_CM_SEMIHOST_H
#define QCC_CM_SEMIHOST_H
#include <stddef.h>

/* Opens a file of the host, relative to QEMU's working directory. Returns a handle, or -1. */
int sh_open(const char *path, int write);
/* Reads or writes exactly n bytes; 0 on success, -1 otherwise. */
int sh_read(int handle, void *buf, size_t n);
int sh_write(int handle, const void *buf, size_t n);
void sh_close(int handle);
/* Writes a NUL-terminated string to QEMU's standard output. */
void sh_puts(const char *s);
/* Writes "<label><decimal>\n". */
void sh_put_u32(const char *label, unsigned long v);
/* Ends the emulation: exit status 0 if ok, 1 otherwise. */
void sh_exit(int ok) __attribute__((noreturn));
#endif
