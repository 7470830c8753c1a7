/* u64set.c: see u64set.h. */
#include "common.h"
#include "u64set.h"
#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>

void u64set_init(struct u64set *s) { memset(s, 0, sizeof(*s)); }

void u64set_free(struct u64set *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

void u64set_clear(struct u64set *s)
{
	if (s->slots)
		memset(s->slots, 0, s->cap * sizeof(*s->slots));
	s->count = 0;
}

static void grow(struct u64set *s)
{
	uint64_t cap = s->cap ? s->cap * 2 : 1024;
	uint64_t *slots = xcalloc(cap, sizeof(*slots));
	for (uint64_t i = 0; i < s->cap; i++) {
		uint64_t v = s->slots[i];
		if (!v)
			continue;
		uint64_t j = hash_u64(0, v) & (cap - 1);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = v;
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
}

bool u64set_add(struct u64set *s, uint64_t v)
{
	if (v == UINT64_MAX)
		return false;
	if ((s->count + 1) * 2 > s->cap)
		grow(s);
	uint64_t key = v + 1;
	uint64_t j = hash_u64(0, key) & (s->cap - 1);
	while (s->slots[j]) {
		if (s->slots[j] == key)
			return false;
		j = (j + 1) & (s->cap - 1);
	}
	s->slots[j] = key;
	s->count++;
	return true;
}

bool u64set_has(const struct u64set *s, uint64_t v)
{
	if (!s->cap || v == UINT64_MAX)
		return false;
	uint64_t key = v + 1;
	uint64_t j = hash_u64(0, key) & (s->cap - 1);
	while (s->slots[j]) {
		if (s->slots[j] == key)
			return true;
		j = (j + 1) & (s->cap - 1);
	}
	return false;
}
