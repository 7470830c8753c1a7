/* sort.h: ascending sorts of integer arrays, in place. The analysis sorts
 * one array per group (wait minutes, objects, parents: often twenty
 * values, all equal; hundreds of thousands in a big dump) thousands of
 * times; qsort's indirect comparisons and its copy of the array cost more
 * than the sorting itself there. So: insertion for short arrays,
 * quicksort for long ones, heapsort should that go quadratic. */
#ifndef GOROSCOPE_SORT_H
#define GOROSCOPE_SORT_H

#include <stddef.h>
#include <stdint.h>

void sort_u32(uint32_t *v, size_t n);
void sort_u64(uint64_t *v, size_t n);

/* A 64-bit key and a 32-bit value, ordered by key, then value. */
struct keyed {
	uint64_t key;
	uint32_t val;
};
/* Sort in place, with no scratch the size of the input (glibc's qsort
 * takes a copy of the array: 4 MB on a profile of 267k stacks, at the
 * analysis' peak); quicksort, heapsort should it go quadratic. */
void sort_keyed(struct keyed *v, size_t n);

#endif
