/* bytes.h: comparing and searching short byte strings, where a call to
 * memcmp or memchr costs more than the work (the readers compare every
 * line of a dump with one they have seen, and find the end of each). */
#ifndef GOROSCOPE_BYTES_H
#define GOROSCOPE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* memcmp(a, b, n) == 0 for the short strings of a dump (names, file
 * lines: some ten to a hundred bytes), without a call. */
static inline bool bytes_equal(const char *a, const char *b, size_t n)
{
#ifdef __SSE2__
	if (n >= 16) {
		size_t i = 0;
		for (; i + 16 <= n; i += 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(a + i));
			__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
			if (_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) != 0xffff)
				return false;
		}
		if (i == n)
			return true;
		/* the tail, as the last 16 bytes (overlapping what was compared) */
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(a + n - 16));
		__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(b + n - 16));
		return _mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) == 0xffff;
	}
#endif
	/* names shorter than 16 bytes ("main.descend(") without a call: two
	 * overlapping words */
	if (n >= 8) {
		uint64_t x0, y0, x1, y1;
		memcpy(&x0, a, 8), memcpy(&y0, b, 8);
		memcpy(&x1, a + n - 8, 8), memcpy(&y1, b + n - 8, 8);
		return ((x0 ^ y0) | (x1 ^ y1)) == 0;
	}
	if (n >= 4) {
		uint32_t x0, y0, x1, y1;
		memcpy(&x0, a, 4), memcpy(&y0, b, 4);
		memcpy(&x1, a + n - 4, 4), memcpy(&y1, b + n - 4, 4);
		return ((x0 ^ y0) | (x1 ^ y1)) == 0;
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* memchr(s, c, n) for the short strings of a dump: the first 64 bytes 16
 * at a time without a call (they usually hold it), the rest by memchr. */
static inline const char *bytes_chr(const char *s, size_t n, char c)
{
#ifdef __SSE2__
	const __m128i v = _mm_set1_epi8(c);
	size_t i = 0;
	for (; i + 16 <= n && i < 64; i += 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i)), v));
		if (m)
			return s + i + __builtin_ctz(m);
	}
	return i < n ? (const char *)memchr(s + i, c, n - i) : NULL;
#else
	return n ? (const char *)memchr(s, c, n) : NULL;
#endif
}

/* memrchr(s, c, n) for the same strings: the last 64 bytes 16 at a time
 * without a call (a function line's '(' and a file line's ':' are near
 * their end), the rest by memrchr. */
static inline const char *bytes_rchr(const char *s, size_t n, char c)
{
#ifdef __SSE2__
	const __m128i v = _mm_set1_epi8(c);
	size_t i = n;
	for (; i >= 16 && n - i < 64; i -= 16) {
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i - 16)), v));
		if (m)
			return s + i - 16 + (31 - __builtin_clz(m));
	}
	if (i >= 16)
		return (const char *)memrchr(s, c, i);
	for (; i > 0; i--)
		if (s[i - 1] == c)
			return s + i - 1;
	return NULL;
#else
	return n ? (const char *)memrchr(s, c, n) : NULL;
#endif
}

#endif
