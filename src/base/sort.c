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

static bool keyed_less(const struct keyed *a, const struct keyed *b)
{
	return a->key != b->key ? a->key < b->key : a->val < b->val;
}

static void keyed_swap(struct keyed *a, struct keyed *b)
{
	struct keyed t = *a;
	*a = *b;
	*b = t;
}

static void keyed_insertion(struct keyed *v, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct keyed x = v[i];
		size_t j = i;
		for (; j > 0 && keyed_less(&x, &v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static void keyed_sift(struct keyed *v, size_t root, size_t n)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		if (child + 1 < n && keyed_less(&v[child], &v[child + 1]))
			child++;
		if (!keyed_less(&v[root], &v[child]))
			return;
		keyed_swap(&v[root], &v[child]);
	}
}

static void keyed_heapsort(struct keyed *v, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		keyed_sift(v, i, n);
	for (size_t end = n; end-- > 1;) {
		keyed_swap(&v[0], &v[end]);
		keyed_sift(v, 0, end);
	}
}

static void keyed_sort(struct keyed *v, size_t n, unsigned depth)
{
	while (n > INSERTION_MAX) {
		if (depth-- == 0) {
			keyed_heapsort(v, n);
			return;
		}
		/* median of three to v[0], then Hoare partition around it */
		size_t mid = n / 2;
		if (keyed_less(&v[mid], &v[0]))
			keyed_swap(&v[mid], &v[0]);
		if (keyed_less(&v[n - 1], &v[0]))
			keyed_swap(&v[n - 1], &v[0]);
		if (keyed_less(&v[n - 1], &v[mid]))
			keyed_swap(&v[n - 1], &v[mid]);
		keyed_swap(&v[0], &v[mid]);
		const struct keyed pivot = v[0];
		size_t i = 0, j = n;
		for (;;) {
			do
				i++;
			while (i < n && keyed_less(&v[i], &pivot));
			do
				j--;
			while (keyed_less(&pivot, &v[j]));
			if (i >= j)
				break;
			keyed_swap(&v[i], &v[j]);
		}
		keyed_swap(&v[0], &v[j]);
		/* recurse into the smaller side, loop on the larger */
		if (j < n - j - 1) {
			keyed_sort(v, j, depth);
			v += j + 1;
			n -= j + 1;
		} else {
			keyed_sort(v + j + 1, n - j - 1, depth);
			n = j;
		}
	}
	keyed_insertion(v, n);
}

void sort_keyed(struct keyed *v, size_t n)
{
	unsigned depth = 0;
	for (size_t m = n; m > 1; m >>= 1)
		depth += 2;
	keyed_sort(v, n, depth);
}
