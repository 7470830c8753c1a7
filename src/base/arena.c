/* arena.c: blocks of 1 KiB doubling to 64 KiB (or larger for big
 * requests), chained. */
#include "common.h"
#include "arena.h"
#include "xalloc.h"

#include <stdlib.h>

struct arena_block {
	struct arena_block *next;
	size_t cap, used;
	_Alignas(16) char data[];
};

enum { ARENA_FIRST_BLOCK = 1024, ARENA_BLOCK = 64 * 1024 };

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->used_bytes = 0;
	a->next_block = ARENA_FIRST_BLOCK;
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	struct arena_block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t block = a->next_block ? a->next_block : ARENA_BLOCK;
		size_t cap = n > block / 4 ? MAX(n, block) : block;
		a->next_block = MIN(block * 2, (size_t)ARENA_BLOCK);
		struct arena_block *nb = xmalloc(sizeof(*nb) + cap);
		nb->cap = cap;
		nb->used = 0;
		if (cap == n && b) {
			/* Big one-off: keep the current block as head for small
			 * allocations that follow. */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	a->used_bytes += n;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->used_bytes = 0;
	a->next_block = ARENA_FIRST_BLOCK;
}
