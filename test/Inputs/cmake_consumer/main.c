/* Reads the model's single input from argv[1], runs it, writes its output to argv[2]. */
#include <stdio.h>
#include <stdlib.h>

#include "net.h"
#include "qcc/runtime.h"

static unsigned char arena[NET_ARENA_SIZE + 1] __attribute__((aligned(NET_ARENA_ALIGN)));
static unsigned char in[NET_INPUT0_SIZE], out[NET_OUTPUT0_SIZE];

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  FILE *f = fopen(argv[1], "rb");
  if (!f || fread(in, 1, sizeof in, f) != sizeof in) return 3;
  fclose(f);
  const void *inputs[1] = {in};
  void *outputs[1] = {out};
  int status = net_run(inputs, outputs, arena);
  if (status != 0) {
    fprintf(stderr, "net_run: %s\n", qcc_status_string(status));
    return 4;
  }
  f = fopen(argv[2], "wb");
  if (!f || fwrite(out, 1, sizeof out, f) != sizeof out) return 5;
  return fclose(f) != 0;
}
