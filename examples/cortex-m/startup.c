/* Reset handler and vector table for the firmware harness (Cortex-M4, M7, M55). No C
 * library start files: copies .data, zeroes .bss, enables the FPU (and with it MVE on the
 * M55), then calls main. */
#include <stdint.h>
#include <string.h>

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];
int main(void);
void qcc_cm_systick_handler(void);

static void fault(void) {
  /* Semihosting SYS_EXIT with a run-time error: QEMU exits with status 1. */
  register int r0 __asm__("r0") = 0x18;
  register int r1 __asm__("r1") = 0x20023;
  __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1));
  for (;;) {
  }
}

void reset_handler(void) {
  memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
  memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
  /* CPACR: full access to CP10 and CP11 (the FPU; MVE shares its register file). */
  *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
  main();
  fault();
}

__attribute__((section(".vectors"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))__stack_top, /* initial stack pointer */
    reset_handler,               /* reset */
    fault,                       /* NMI */
    fault,                       /* HardFault */
    fault,                       /* MemManage */
    fault,                       /* BusFault */
    fault,                       /* UsageFault */
    0, 0, 0, 0,                  /* reserved (SecureFault on v8-M) */
    fault,                       /* SVCall */
    fault,                       /* DebugMonitor */
    0,                           /* reserved */
    fault,                       /* PendSV */
    qcc_cm_systick_handler,      /* SysTick */
};
