/* sort.c: see sort.h. */
#include "common.h"
#include "sort.h"

#include <stdlib.h>

/* Up to this length insertion sort wins (and runs in one pass over input
 * that is already sorted or all equal, the common case). */
enum { INSERTION_MAX = 32 };

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void sort_u32(uint32_t *v, size_t n)
{
	if (n > INSERTION_MAX) {
		qsort(v, n, sizeof(*v), cmp_u32);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint32_t x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

void sort_u64(uint64_t *v, size_t n)
{
	if (n > INSERTION_MAX) {
		qsort(v, n, sizeof(*v), cmp_u64);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint64_t x = v[i];
		size_t j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}
