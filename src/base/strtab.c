/* strtab.c: open-addressing hash table of ids over an arena of bytes. */
#include "common.h"
#include "strtab.h"
#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>

static void grow_slots(struct strtab *t)
{
	uint32_t n = t->nslots ? t->nslots * 2 : 1024;
	uint32_t *slots = xcalloc(n, sizeof(*slots));
	for (uint32_t id = 0; id < t->count; id++) {
		uint32_t i = (uint32_t)t->hashes[id] & (n - 1);
		while (slots[i])
			i = (i + 1) & (n - 1);
		slots[i] = id + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
}

void strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
	arena_init(&t->arena);
	strtab_intern(t, "", 0);
}

void strtab_free(struct strtab *t)
{
	arena_free(&t->arena);
	free(t->strs);
	free(t->lens);
	free(t->hashes);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

uint32_t strtab_find(const struct strtab *t, const char *s, size_t n)
{
	if (!t->nslots)
		return 0;
	uint64_t h = hash_bytes(s, n, 0);
	uint32_t i = (uint32_t)h & (t->nslots - 1);
	for (;;) {
		uint32_t v = t->slots[i];
		if (!v)
			return 0;
		uint32_t id = v - 1;
		if (t->hashes[id] == h && t->lens[id] == n && memcmp(t->strs[id], s, n) == 0)
			return id;
		i = (i + 1) & (t->nslots - 1);
	}
}

uint32_t strtab_intern_hashed(struct strtab *t, const char *s, size_t n, uint64_t h)
{
	if ((t->count + 1) * 4 >= t->nslots * 3)
		grow_slots(t);
	uint32_t i = (uint32_t)h & (t->nslots - 1);
	for (;;) {
		uint32_t v = t->slots[i];
		if (!v)
			break;
		uint32_t id = v - 1;
		if (t->hashes[id] == h && t->lens[id] == n && memcmp(t->strs[id], s, n) == 0)
			return id;
		i = (i + 1) & (t->nslots - 1);
	}
	if (t->count == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->strs = xreallocarray(t->strs, t->cap, sizeof(*t->strs));
		t->lens = xreallocarray(t->lens, t->cap, sizeof(*t->lens));
		t->hashes = xreallocarray(t->hashes, t->cap, sizeof(*t->hashes));
	}
	uint32_t id = t->count++;
	t->strs[id] = arena_strndup(&t->arena, s, n);
	t->lens[id] = (uint32_t)n;
	t->hashes[id] = h;
	t->slots[i] = id + 1;
	return id;
}

uint32_t strtab_intern(struct strtab *t, const char *s, size_t n)
{
	return strtab_intern_hashed(t, s, n, hash_bytes(s, n, 0));
}
