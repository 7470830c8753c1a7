/* u64map.h: hash map from 64-bit keys to 32-bit values (open addressing,
 * linear probing, kept at most half full). Used to de-duplicate by key:
 * group keys, pprof ids, writer tables. */
#ifndef GOROSCOPE_U64MAP_H
#define GOROSCOPE_U64MAP_H

#include <stdbool.h>
#include <stdint.h>

/* A value may be anything but U64MAP_EMPTY. */
enum { U64MAP_EMPTY = UINT32_MAX };

struct u64map {
	uint64_t *keys;
	uint32_t *vals;
	uint32_t cap, count;
};

/* A zeroed struct is an empty map; so is one after u64map_free(). */
void u64map_free(struct u64map *m);
/* The value of key; when absent, val is stored and *inserted set. Returns
 * a pointer to the stored value, valid until the next insertion. */
uint32_t *u64map_upsert(struct u64map *m, uint64_t key, uint32_t val, bool *inserted);
/* The value of key in *val, or false when absent. */
bool u64map_get(const struct u64map *m, uint64_t key, uint32_t *val);

#endif
