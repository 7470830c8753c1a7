/* process.h: which snapshots are of one process instance, and where a
 * series in time order passes from one to the next: a restart (the OOM
 * kill a leak ends in, a crash, a deploy). Snapshots of two processes
 * compared as one hide a leak (the count falls back at the restart) or
 * invent one; a series is judged per process. The signs:
 *
 *   - another binary: a protobuf profile's main mapping has another build
 *     id (or file);
 *   - goroutine ids handed out again: most goroutines new in a later dump
 *     have ids below the earlier one's newest. The runtime numbers
 *     goroutines in creation order, once per process (each P takes ids in
 *     batches of 16, so a few come out of order: a sign needs most of them,
 *     and three at least). A newest id that merely falls is no sign: the
 *     newest goroutines may have exited;
 *   - the same ids are other goroutines: a goroutine keeps its creator for
 *     its whole life, so an id created elsewhere is another process's;
 *   - one id waits for less time than it did before: not the same
 *     goroutine (a parked goroutine's wait only grows).
 *
 * Pure: reads the snapshots. */
#ifndef GOROSCOPE_PROCESS_H
#define GOROSCOPE_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/snapshot.h"

/* The newest goroutine id of a text dump; 0 for a profile or a dump
 * without ids. */
uint64_t process_max_id(const struct snapshot *s);

/* Do the goroutine ids of text dumps a and b deny that a was taken before
 * b in one process? They do when most of the goroutines b holds and a does
 * not (three at least) have ids below a's newest: created before a was
 * taken, they would be in it. *id is one of them. False for profiles, and
 * when a was cut short (a truncated dump lacks goroutines it had). */
bool process_ids_deny(const struct snapshot *a, const struct snapshot *b, uint64_t *id);

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
