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
	s->used = 0;
	s->count = 0;
}

static inline uint64_t slot_of(uint64_t key, uint64_t cap) { return hash_u64(0, key) & (cap - 1); }

static void grow(struct u64set *s)
{
	uint64_t cap = s->cap ? s->cap * 2 : 256;
	struct u64set_slot *slots = xcalloc(cap, sizeof(*slots));
	for (uint64_t i = 0; i < s->cap; i++) {
		if (!s->slots[i].key)
			continue;
		uint64_t j = slot_of(s->slots[i].key, cap);
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j] = s->slots[i];
	}
	free(s->slots);
	s->slots = slots;
	s->cap = cap;
}

bool u64set_add(struct u64set *s, uint64_t v)
{
	if ((s->used + 1) * 2 > s->cap)
		grow(s);
	uint64_t key = (v >> 6) + 1, bit = 1ULL << (v & 63);
	uint64_t j = slot_of(key, s->cap);
	while (s->slots[j].key && s->slots[j].key != key)
		j = (j + 1) & (s->cap - 1);
	struct u64set_slot *sl = &s->slots[j];
	if (!sl->key) {
		sl->key = key;
		s->used++;
	}
	if (sl->bits & bit)
		return false;
	sl->bits |= bit;
	s->count++;
	return true;
}

bool u64set_has(const struct u64set *s, uint64_t v)
{
	if (!s->cap)
		return false;
	uint64_t key = (v >> 6) + 1, bit = 1ULL << (v & 63);
	uint64_t j = slot_of(key, s->cap);
	while (s->slots[j].key) {
		if (s->slots[j].key == key)
			return (s->slots[j].bits & bit) != 0;
		j = (j + 1) & (s->cap - 1);
	}
	return false;
}

/* The bits of the 64 values of key (v / 64 + 1) in s; 0 when none. */
static uint64_t bits_of(const struct u64set *s, uint64_t key)
{
	if (!s->cap)
		return 0;
	for (uint64_t j = slot_of(key, s->cap); s->slots[j].key; j = (j + 1) & (s->cap - 1))
		if (s->slots[j].key == key)
			return s->slots[j].bits;
	return 0;
}

bool u64set_intersects(const struct u64set *a, const struct u64set *b)
{
	if (a->used > b->used) {
		const struct u64set *t = a;
		a = b;
		b = t;
	}
	for (uint64_t i = 0; i < a->cap; i++)
		if (a->slots[i].key && (a->slots[i].bits & bits_of(b, a->slots[i].key)))
			return true;
	return false;
}

void u64set_copy(struct u64set *to, const struct u64set *from)
{
	u64set_free(to);
	*to = *from;
	if (from->cap) {
		to->slots = xmalloc(from->cap * sizeof(*from->slots));
		memcpy(to->slots, from->slots, from->cap * sizeof(*from->slots));
	}
}

void u64set_move(struct u64set *to, struct u64set *from)
{
	u64set_free(to);
	*to = *from;
	memset(from, 0, sizeof(*from));
}
