/* process.h: which snapshots are of one process instance, and where a
 * series in time order passes from one to the next: a restart (the OOM
 * kill a leak ends in, a crash, a deploy). Snapshots of two processes
 * compared as one hide a leak (the count falls back at the restart) or
 * invent one; a series is judged per process. The signs:
 *
 *   - another binary: a protobuf profile's main mapping has another build
 *     id (or file);
 *   - goroutine ids start again: the newest id of a text dump is lower than
 *     the one before (the runtime numbers goroutines in creation order);
 *   - the same ids are other goroutines: a goroutine keeps its creator for
 *     its whole life, so an id created elsewhere is another process's;
 *   - one id waits for less time than it did before: not the same
 *     goroutine (a parked goroutine's wait only grows).
 *
 * Pure: reads the snapshots. */
#ifndef GOROSCOPE_PROCESS_H
#define GOROSCOPE_PROCESS_H

#include <stddef.h>
#include <stdint.h>

#include "../model/snapshot.h"

/* The newest goroutine id of a text dump; 0 for a profile or a dump
 * without ids. */
uint64_t process_max_id(const struct snapshot *s);

enum process_verdict { PROCESS_UNKNOWN, PROCESS_SAME, PROCESS_OTHER };

/* Are text dumps a and b of one process, by the goroutines they share by
 * id (their creators)? UNKNOWN with too few to tell (fewer than 3 shared
 * ids with creators), or for profiles. On OTHER, why names one goroutine. */
enum process_verdict process_same(const struct snapshot *a, const struct snapshot *b, char *why, size_t whysz);

struct process_break {
	uint32_t at;    /* the first snapshot (position in the order) of the new process */
	char why[560];  /* where (snapshot number from 1 and source) and the sign */
};

/* The breaks along v[0..n) (in time order), at most max, into out; returns
 * how many. */
uint32_t process_breaks(const struct snapshot *const *v, uint32_t n, struct process_break *out, uint32_t max);

#endif
