/* hash.c: a multiply-xorshift hash over 8-byte words. Speed matters here:
 * every frame of every goroutine goes through it once. */
#include "common.h"
#include "hash.h"

static const uint64_t K1 = 0x9e3779b97f4a7c15ULL;
static const uint64_t K2 = 0xbf58476d1ce4e5b9ULL;

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 31;
	h *= K2;
	h ^= h >> 29;
	return h;
}

static inline uint64_t load64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

uint64_t hash_bytes(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ (n * K1);
	while (n >= 16) {
		uint64_t a = load64(p), b = load64(p + 8);
		h = (h ^ a) * K1;
		h = (h ^ (h >> 32) ^ b) * K2;
		p += 16;
		n -= 16;
	}
	if (n >= 8) {
		h = (h ^ load64(p)) * K1;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t t = 0;
		memcpy(&t, p, n);
		h = (h ^ t) * K2;
	}
	return mix(h);
}

uint64_t hash_u64(uint64_t h, uint64_t v) { return mix((h ^ v) * K1 + 0x632be59bd9b4e019ULL); }
