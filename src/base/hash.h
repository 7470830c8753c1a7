/* hash.h: fast non-cryptographic 64-bit hashing of byte strings, used for
 * string interning and stack signatures. Not for hostile-collision-resistant
 * use; callers verify equality after a hash match. */
#ifndef GOROSCOPE_HASH_H
#define GOROSCOPE_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Hash n bytes at p, mixed with seed (use 0 or a previous hash to chain). */
uint64_t hash_bytes(const void *p, size_t n, uint64_t seed);
/* Mix one 64-bit value into h. */
uint64_t hash_u64(uint64_t h, uint64_t v);

#endif
