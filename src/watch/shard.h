/* shard.h: which of N watchers polls a target, so that N watchers given
 * the same targets (the same configuration or discovery) split them with
 * no overlap and no gap, and two given the same shard are an HA pair.
 *
 * A target belongs to shard FNV-1a-64(ADDRESS) mod N, where ADDRESS is
 * what its `instance` label says: the host:port of its URL, the host in
 * lower case and the scheme's port filled in ("10.0.0.7:6060",
 * "api.internal:443"); a pid:N target's address is "pid:N". FNV-1a-64:
 * offset basis 14695981039346656037, prime 1099511628211, over the bytes.
 * This is documented (docs/watch.md) and never changes: another hash would
 * move targets between watchers. */
#ifndef GOROSCOPE_WATCH_SHARD_H
#define GOROSCOPE_WATCH_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct watch_shard {
	uint32_t index, count; /* count 0: not sharded (every target) */
};

/* "I/N" with 0 <= I < N <= 4096; false otherwise. */
bool shard_parse(const char *s, struct watch_shard *out);

/* The address a target is sharded by (see above), into out. */
void shard_address(const char *url, char *out, size_t outsz);

uint64_t shard_hash(const char *address);

/* Is the target at this address (shard_address) one of s's? */
bool shard_owns(const struct watch_shard *s, const char *address);

#endif
