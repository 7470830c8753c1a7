/* u64map.c: see u64map.h. */
#include "common.h"
#include "u64map.h"
#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>

void u64map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	*m = (struct u64map){0};
}

static uint32_t *slot(uint64_t *keys, uint32_t *vals, uint32_t cap, uint64_t key)
{
	uint32_t j = (uint32_t)hash_u64(0, key) & (cap - 1);
	while (vals[j] != U64MAP_EMPTY && keys[j] != key)
		j = (j + 1) & (cap - 1);
	return &vals[j];
}

static void grow(struct u64map *m)
{
	uint32_t cap = m->cap ? m->cap * 2 : 1024;
	uint64_t *keys = xcalloc(cap, sizeof(*keys));
	uint32_t *vals = xmalloc(cap * sizeof(*vals));
	memset(vals, 0xff, cap * sizeof(*vals));
	for (uint32_t i = 0; i < m->cap; i++) {
		if (m->vals[i] == U64MAP_EMPTY)
			continue;
		uint32_t *v = slot(keys, vals, cap, m->keys[i]);
		keys[v - vals] = m->keys[i];
		*v = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
}

uint32_t *u64map_upsert(struct u64map *m, uint64_t key, uint32_t val, bool *inserted)
{
	if ((m->count + 1) * 2 > m->cap)
		grow(m);
	uint32_t *v = slot(m->keys, m->vals, m->cap, key);
	*inserted = *v == U64MAP_EMPTY;
	if (*inserted) {
		m->keys[v - m->vals] = key;
		*v = val;
		m->count++;
	}
	return v;
}

bool u64map_get(const struct u64map *m, uint64_t key, uint32_t *val)
{
	if (!m->cap)
		return false;
	uint32_t v = *slot(m->keys, m->vals, m->cap, key);
	if (v == U64MAP_EMPTY)
		return false;
	*val = v;
	return true;
}
