/* order.h: the time order of snapshots, from the best evidence they all
 * carry, whatever order they were given in (a shell glob sorts snap-10
 * before snap-2; a user may list the files newest first). Strongest first:
 *
 *   1. their own times: a protobuf profile's, a capture manifest's, the
 *      moment a live response arrived (snapshot.h, taken_from);
 *   2. for text dumps, the files' modification times unless the goroutine
 *      ids clearly favour the other order of two of them (process_ids_order:
 *      the goroutines new in the later one fit far worse above the earlier
 *      one's newest), else the goroutine ids: the newest id first (the
 *      runtime numbers goroutines in creation order), corrected where the
 *      ids clearly favour the other order of neighbours (a copy changes
 *      file times; a newest id that falls is the newest goroutines
 *      exiting, no reason alone);
 *   3. the files' modification times;
 *   4. nothing: the order given, said as such.
 *
 * The dumps of one source (a log holding several) keep their order in it.
 * Ties are broken by source name, never by the order given: the same
 * snapshots in any order give the same result. Where the series passes
 * from one process to the next is process.h's to say. Pure: reads the
 * snapshots. */
#ifndef GOROSCOPE_ORDER_H
#define GOROSCOPE_ORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "../model/snapshot.h"

enum order_basis {
	ORDER_TIMES,         /* every snapshot's own time (profile, capture or fetch) */
	ORDER_GOROUTINE_IDS, /* text dumps: the newest goroutine id, corrected by process_ids_order */
	ORDER_FILE_TIMES,    /* the files' modification times */
	ORDER_AS_GIVEN,      /* nothing tells: as given */
};

struct order_result {
	uint32_t n;
	uint32_t *perm;          /* perm[k]: the given index of the k-th oldest */
	int64_t *when_ns;        /* per ordered position: when taken (Unix ns); all 0 unless times_known */
	bool times_known;        /* every position has a time, strictly increasing: rates per minute hold */
	enum order_basis basis;
	enum taken_from weakest; /* ORDER_TIMES: the weakest kind of time among them */
	bool reordered;          /* the order given was not this one */
	char note[512];          /* why the order is unsure; "" when nothing */
};

/* Order the n snapshots v (n >= 1) into r; order_free it later. */
void order_snapshots(const struct snapshot *const *v, uint32_t n, struct order_result *r);
void order_free(struct order_result *r);

/* "profile time", "goroutine ids", "file times", "the order given"... for
 * reports: what the order rests on. */
const char *order_basis_name(const struct order_result *r);


#endif
