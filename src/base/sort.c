/* sort.c: see sort.h. */
#include "common.h"
#include "sort.h"

/* Up to this length insertion sort wins (and runs in one pass over input
 * that is already sorted or all equal, the common case). */
enum { INSERTION_MAX = 32 };

/* name_sort(TYPE *v, size_t n, unsigned depth): quicksort (median of three,
 * Hoare partition, the smaller side first) down to INSERTION_MAX, then
 * insertion; heapsort once depth is spent, so it never goes quadratic.
 * LESS(a, b) compares two values of TYPE. In place, no calls to compare. */
#define DEFINE_INTROSORT(name, type, LESS)                                         \
	static void name##_swap(type *a, type *b)                                  \
	{                                                                          \
		type t = *a;                                                       \
		*a = *b;                                                           \
		*b = t;                                                            \
	}                                                                          \
	static void name##_insertion(type *v, size_t n)                            \
	{                                                                          \
		for (size_t i = 1; i < n; i++) {                                   \
			type x = v[i];                                             \
			size_t j = i;                                              \
			for (; j > 0 && LESS(x, v[j - 1]); j--)                    \
				v[j] = v[j - 1];                                   \
			v[j] = x;                                                  \
		}                                                                  \
	}                                                                          \
	static void name##_sift(type *v, size_t root, size_t n)                    \
	{                                                                          \
		for (size_t child; (child = 2 * root + 1) < n; root = child) {     \
			if (child + 1 < n && LESS(v[child], v[child + 1]))         \
				child++;                                           \
			if (!LESS(v[root], v[child]))                              \
				return;                                            \
			name##_swap(&v[root], &v[child]);                          \
		}                                                                  \
	}                                                                          \
	static void name##_heapsort(type *v, size_t n)                             \
	{                                                                          \
		for (size_t i = n / 2; i-- > 0;)                                   \
			name##_sift(v, i, n);                                      \
		for (size_t end = n; end-- > 1;) {                                 \
			name##_swap(&v[0], &v[end]);                               \
			name##_sift(v, 0, end);                                    \
		}                                                                  \
	}                                                                          \
	static void name##_sort(type *v, size_t n, unsigned depth)                 \
	{                                                                          \
		while (n > INSERTION_MAX) {                                        \
			if (depth-- == 0) {                                        \
				name##_heapsort(v, n);                             \
				return;                                            \
			}                                                          \
			size_t mid = n / 2;                                        \
			if (LESS(v[mid], v[0]))                                    \
				name##_swap(&v[mid], &v[0]);                       \
			if (LESS(v[n - 1], v[0]))                                  \
				name##_swap(&v[n - 1], &v[0]);                     \
			if (LESS(v[n - 1], v[mid]))                                \
				name##_swap(&v[n - 1], &v[mid]);                   \
			name##_swap(&v[0], &v[mid]);                               \
			const type pivot = v[0];                                   \
			size_t i = 0, j = n;                                       \
			for (;;) {                                                 \
				do                                                 \
					i++;                                       \
				while (i < n && LESS(v[i], pivot));                \
				do                                                 \
					j--;                                       \
				while (LESS(pivot, v[j]));                         \
				if (i >= j)                                        \
					break;                                     \
				name##_swap(&v[i], &v[j]);                         \
			}                                                          \
			name##_swap(&v[0], &v[j]);                                 \
			if (j < n - j - 1) {                                       \
				name##_sort(v, j, depth);                          \
				v += j + 1;                                        \
				n -= j + 1;                                        \
			} else {                                                   \
				name##_sort(v + j + 1, n - j - 1, depth);          \
				n = j;                                             \
			}                                                          \
		}                                                                  \
		name##_insertion(v, n);                                            \
	}

/* Twice the number of halvings of n: the quicksort's depth budget. */
static unsigned depth_for(size_t n)
{
	unsigned depth = 0;
	for (size_t m = n; m > 1; m >>= 1)
		depth += 2;
	return depth;
}

#define LESS_PLAIN(a, b) ((a) < (b))
#define LESS_KEYED(a, b) ((a).key != (b).key ? (a).key < (b).key : (a).val < (b).val)

DEFINE_INTROSORT(u32, uint32_t, LESS_PLAIN)
DEFINE_INTROSORT(u64, uint64_t, LESS_PLAIN)
DEFINE_INTROSORT(keyed, struct keyed, LESS_KEYED)

void sort_u32(uint32_t *v, size_t n)
{
	u32_sort(v, n, depth_for(n));
}

void sort_u64(uint64_t *v, size_t n)
{
	u64_sort(v, n, depth_for(n));
}

void sort_keyed(struct keyed *v, size_t n)
{
	keyed_sort(v, n, depth_for(n));
}
