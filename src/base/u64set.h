/* u64set.h: open-addressing set of 64-bit integers (goroutine ids). */
#ifndef GOROSCOPE_U64SET_H
#define GOROSCOPE_U64SET_H

#include <stdbool.h>
#include <stdint.h>

struct u64set {
	uint64_t *slots; /* value + 1; 0 = empty (so UINT64_MAX cannot be stored) */
	uint64_t cap, count;
};

void u64set_init(struct u64set *s);
void u64set_free(struct u64set *s);
void u64set_clear(struct u64set *s);
/* Insert v; returns true if it was not present. */
bool u64set_add(struct u64set *s, uint64_t v);
bool u64set_has(const struct u64set *s, uint64_t v);

#endif
