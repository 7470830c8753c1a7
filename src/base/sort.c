/* sort.c: see sort.h. */
#include "common.h"
#include "sort.h"

#include <stdlib.h>

/* Up to this length insertion sort wins (and runs in one pass over input
 * that is already sorted or all equal, the common case). */
enum { INSERTION_MAX = 32 };

/* sort_NAME(TYPE *v, size_t n), and the comparison qsort needs. */
#define DEFINE_SORT(name, type)                                              \
	static int cmp_##name(const void *a, const void *b)                  \
	{                                                                    \
		type x = *(const type *)a, y = *(const type *)b;             \
		return x < y ? -1 : x > y;                                   \
	}                                                                    \
	void sort_##name(type *v, size_t n)                                  \
	{                                                                    \
		if (n > INSERTION_MAX) {                                     \
			qsort(v, n, sizeof(*v), cmp_##name);                 \
			return;                                              \
		}                                                            \
		for (size_t i = 1; i < n; i++) {                             \
			type x = v[i];                                       \
			size_t j = i;                                        \
			for (; j > 0 && v[j - 1] > x; j--)                   \
				v[j] = v[j - 1];                             \
			v[j] = x;                                            \
		}                                                            \
	}

DEFINE_SORT(u32, uint32_t)
DEFINE_SORT(u64, uint64_t)
