/* process.h: which snapshots are of one process instance, and where a
 * series in time order passes from one to the next: a restart (the OOM
 * kill a leak ends in, a crash, a deploy). Snapshots of two processes
 * compared as one hide a leak (the count falls back at the restart) or
 * invent one; a series is judged per process. The signs:
 *
 *   - another binary: a protobuf profile's main mapping has another build
 *     id (or file);
 *   - goroutine ids handed out again: the ids clearly favour the other
 *     order (process_ids_order). The runtime numbers goroutines in creation
 *     order, once per process, so the goroutines new in a later dump should
 *     have ids above the earlier one's newest; each P takes ids in batches
 *     of 16, so some come out of order: only a clear difference between the
 *     two orders counts. A newest id that merely falls is no sign: the
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

/* Which order of text dumps a and b (one process) their goroutine ids
 * favour. "a then b" fits when the goroutines b holds and a does not have
 * ids above a's newest (created after a was taken); the share below it
 * measures the misfit, those just below it (two batches of 16) excepted:
 * the runtime hands out ids in per-P batches, so a goroutine created later
 * may have a slightly lower id. PROCESS_IDS_A_FIRST / _B_FIRST when one order fits
 * clearly better (its misfit 0.3 lower, the other's three goroutines at
 * least: *id is one of them); PROCESS_IDS_NEWER_A / _NEWER_B when only the
 * newest ids differ (a first guess, weak: the newest goroutines may have
 * exited); PROCESS_IDS_UNKNOWN for profiles, a truncated dump, no ids. */
enum process_ids {
	PROCESS_IDS_UNKNOWN,
	PROCESS_IDS_A_FIRST,
	PROCESS_IDS_B_FIRST,
	PROCESS_IDS_NEWER_B, /* b's newest id is higher: b later, weakly */
	PROCESS_IDS_NEWER_A,
};
enum process_ids process_ids_order(const struct snapshot *a, const struct snapshot *b, uint64_t *id);

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
