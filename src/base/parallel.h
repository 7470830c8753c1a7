/* parallel.h: run fn(ctx, i) for i in [0, n) on up to one thread a core
 * (the caller's among them), each thread taking the next i as it is free.
 * For independent pieces of work (one input file, one snapshot's
 * analysis) whose results go to slot i: the order of the results is the
 * order of i, whatever ran first. */
#ifndef GOROSCOPE_PARALLEL_H
#define GOROSCOPE_PARALLEL_H

#include <stdint.h>

/* Threads for n pieces: the cores online, at most n (at least 1). */
unsigned parallel_threads(uint32_t n);

void parallel_for(uint32_t n, void (*fn)(void *ctx, uint32_t i), void *ctx);

#endif
