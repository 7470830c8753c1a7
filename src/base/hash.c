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

/* The last n bytes (1 to 7) before end, as memcpy into a zeroed word
 * would give them, without the byte-wise copy that defeats store
 * forwarding; total is the whole string's length (so whether a word
 * before end is readable). */
static inline uint64_t load_tail(const unsigned char *end, size_t n, size_t total)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (total >= 8)
		return load64(end - 8) >> (8 * (8 - n));
	const unsigned char *p = end - n;
	if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, end - 4, 4);
		return (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
	}
	return (uint64_t)p[0] | (uint64_t)p[n / 2] << (8 * (n / 2)) | (uint64_t)p[n - 1] << (8 * (n - 1));
#else
	uint64_t t = 0;
	(void)total;
	memcpy(&t, end - n, n);
	return t;
#endif
}

uint64_t hash_bytes(const void *data, size_t n, uint64_t seed)
{
	const unsigned char *p = data;
	size_t total = n;
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
	if (n)
		h = (h ^ load_tail(p + n, n, total)) * K2;
	return mix(h);
}

uint64_t hash_u64(uint64_t h, uint64_t v) { return mix((h ^ v) * K1 + 0x632be59bd9b4e019ULL); }
