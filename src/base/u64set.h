/* u64set.h: set of 64-bit integers (goroutine ids). Stored as 64-bit
 * bitmaps keyed by value/64 in an open-addressing table, so runs of nearby
 * ids - the usual case in a dump - share one cache line. */
#ifndef GOROSCOPE_U64SET_H
#define GOROSCOPE_U64SET_H

#include <stdbool.h>
#include <stdint.h>

struct u64set_slot {
	uint64_t key; /* value/64 + 1; 0 = empty */
	uint64_t bits;
};

struct u64set {
	struct u64set_slot *slots;
	uint64_t cap, used; /* slots, occupied slots */
	uint64_t count;     /* values in the set */
};

void u64set_init(struct u64set *s);
void u64set_free(struct u64set *s);
void u64set_clear(struct u64set *s);
/* Insert v; returns true if it was not present. */
bool u64set_add(struct u64set *s, uint64_t v);
bool u64set_has(const struct u64set *s, uint64_t v);
/* Do a and b hold a value in common? Word by word (64 values at a time),
 * over the smaller set. */
bool u64set_intersects(const struct u64set *a, const struct u64set *b);
/* Make to hold from's values (its own are dropped). */
void u64set_copy(struct u64set *to, const struct u64set *from);
/* Give from's values to to (whose own are dropped); from is left empty. */
void u64set_move(struct u64set *to, struct u64set *from);

#endif
