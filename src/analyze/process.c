/* process.c: see process.h. */
#include "../base/common.h"
#include "process.h"
#include "../base/u64map.h"
#include "../base/xalloc.h"

#include <stdlib.h>

#include <stdio.h>

uint64_t process_max_id(const struct snapshot *s)
{
	if (snapshot_is_profile(s))
		return 0;
	uint64_t max = 0;
	for (uint64_t i = 0; i < s->ngoroutines; i++) {
		uint64_t id = snapshot_goroutine_id(s, i);
		if (id > max)
			max = id;
	}
	return max;
}

/* Goroutine ids of a dump to their index (ids appear once in a dump). The
 * runtime hands ids out in order, so a dump's ids mostly fill a range a few
 * twice their number at most: then a table over that range answers with one
 * memory access; ids spread wider go to a hash map. Series of snapshots
 * compare every neighbour this way, several times: it is most of what
 * `leaks` does besides reading and analysing. */
struct id_index {
	uint64_t lo, span;
	uint32_t *direct; /* span entries, UINT32_MAX where no goroutine has the id */
	struct u64map map;
};

static void index_ids(const struct snapshot *s, struct id_index *x)
{
	memset(x, 0, sizeof(*x));
	uint64_t n = MIN(s->ngoroutines, (uint64_t)U64MAP_EMPTY - 1), lo = UINT64_MAX, hi = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t id = snapshot_goroutine_id(s, i);
		lo = MIN(lo, id);
		hi = MAX(hi, id);
	}
	if (n && hi - lo < 2 * n + 1024) {
		x->lo = lo;
		x->span = hi - lo + 1;
		x->direct = xmalloc(x->span * sizeof(*x->direct));
		memset(x->direct, 0xff, x->span * sizeof(*x->direct));
		for (uint64_t i = 0; i < n; i++)
			x->direct[snapshot_goroutine_id(s, i) - lo] = (uint32_t)i;
		return;
	}
	bool inserted;
	for (uint64_t i = 0; i < n; i++)
		*u64map_upsert(&x->map, snapshot_goroutine_id(s, i), (uint32_t)i, &inserted) = (uint32_t)i;
}

static bool id_index_get(const struct id_index *x, uint64_t id, uint32_t *k)
{
	if (!x->direct)
		return u64map_get(&x->map, id, k);
	if (id < x->lo || id - x->lo >= x->span || x->direct[id - x->lo] == UINT32_MAX)
		return false;
	*k = x->direct[id - x->lo];
	return true;
}

static void id_index_free(struct id_index *x)
{
	free(x->direct);
	u64map_free(&x->map);
}

/* "x then y": of the goroutines y holds and x does not, how many, and how
 * many have ids below x's newest (one of them into *id). */
static void id_fit(const struct snapshot *x, const struct snapshot *y, uint64_t *fresh, uint64_t *older, uint64_t *id)
{
	uint64_t newest = process_max_id(x);
	struct id_index ids;
	index_ids(x, &ids);
	*fresh = *older = 0;
	for (uint64_t i = 0; i < y->ngoroutines; i++) {
		uint64_t gid = snapshot_goroutine_id(y, i);
		uint32_t k;
		if (!gid || id_index_get(&ids, gid, &k))
			continue;
		(*fresh)++;
		if (gid < newest && !(*older)++)
			*id = gid;
	}
	id_index_free(&ids);
}

enum process_ids process_ids_order(const struct snapshot *a, const struct snapshot *b, uint64_t *id)
{
	if (snapshot_is_profile(a) || snapshot_is_profile(b) || a->truncated || b->truncated || !a->ngoroutines ||
	    !b->ngoroutines)
		return PROCESS_IDS_UNKNOWN;
	uint64_t fresh_ab, older_ab, id_ab = 0, fresh_ba, older_ba, id_ba = 0;
	id_fit(a, b, &fresh_ab, &older_ab, &id_ab);
	id_fit(b, a, &fresh_ba, &older_ba, &id_ba);
	double misfit_ab = fresh_ab ? (double)older_ab / (double)fresh_ab : 0;
	double misfit_ba = fresh_ba ? (double)older_ba / (double)fresh_ba : 0;
	if (misfit_ab + 0.3 <= misfit_ba && older_ba >= 3) {
		*id = id_ba;
		return PROCESS_IDS_A_FIRST;
	}
	if (misfit_ba + 0.3 <= misfit_ab && older_ab >= 3) {
		*id = id_ab;
		return PROCESS_IDS_B_FIRST;
	}
	uint64_t na = process_max_id(a), nb = process_max_id(b);
	return na < nb ? PROCESS_IDS_NEWER_B : na > nb ? PROCESS_IDS_NEWER_A : PROCESS_IDS_UNKNOWN;
}

static const struct frame *creator_of(const struct snapshot *s, const struct goroutine *g)
{
	if (g->stack >= s->nstacks)
		return NULL;
	const struct stack *st = &s->stacks[g->stack];
	return st->flags & STACK_HAS_CREATOR ? &st->creator : NULL;
}

enum process_verdict process_same(const struct snapshot *a, const struct snapshot *b, char *why, size_t whysz)
{
	if (snapshot_is_profile(a) || snapshot_is_profile(b) || !a->ngoroutines || !b->ngoroutines)
		return PROCESS_UNKNOWN;
	struct id_index ids;
	index_ids(a, &ids);
	uint64_t same = 0, other = 0;
	for (uint64_t i = 0; i < b->ngoroutines; i++) {
		const struct goroutine gb_v = snapshot_goroutine(b, i), *gb = &gb_v;
		uint32_t k;
		if (!id_index_get(&ids, gb->id, &k))
			continue;
		const struct goroutine ga_v = snapshot_goroutine(a, k), *ga = &ga_v;
		const struct frame *ca = creator_of(a, ga), *cb = creator_of(b, gb);
		if (!ca || !cb)
			continue;
		const char *fa = snapshot_str(a, ca->func), *fb = snapshot_str(b, cb->func);
		if (!strcmp(fa, fb) && ca->line == cb->line) {
			same++;
		} else if (!other++ && why) {
			snprintf(why, whysz, "goroutine %llu was created by %.80s in one and by %.80s in the other",
				 (unsigned long long)gb->id, fa, fb);
		}
	}
	id_index_free(&ids);
	if (same + other < 3)
		return PROCESS_UNKNOWN;
	return other * 2 > same + other ? PROCESS_OTHER : PROCESS_SAME;
}

/* Another binary: both protobuf profiles name their main mapping. */
static bool other_binary(const struct snapshot *a, const struct snapshot *b, char *why, size_t whysz)
{
	if (a->build_id && b->build_id && *a->build_id && *b->build_id && strcmp(a->build_id, b->build_id)) {
		snprintf(why, whysz, "another binary: build id %.40s, then %.40s", a->build_id, b->build_id);
		return true;
	}
	if (a->binary && b->binary && *a->binary && *b->binary && strcmp(a->binary, b->binary)) {
		snprintf(why, whysz, "another binary: %.80s, then %.80s", a->binary, b->binary);
		return true;
	}
	return false;
}

/* An id of a that b, taken later, has waiting for less time: not the same
 * goroutine. */
static bool shorter_wait(const struct snapshot *a, const struct snapshot *b, char *why, size_t whysz)
{
	if (snapshot_is_profile(a) || snapshot_is_profile(b))
		return false;
	struct id_index ids;
	index_ids(a, &ids);
	bool found = false;
	for (uint64_t i = 0; i < b->ngoroutines && !found; i++) {
		const struct goroutine gb_v = snapshot_goroutine(b, i), *gb = &gb_v;
		uint32_t k;
		if (!(gb->flags & G_HAS_MINUTES) || !id_index_get(&ids, gb->id, &k))
			continue;
		const struct goroutine ga_v = snapshot_goroutine(a, k), *ga = &ga_v;
		/* a minute of slack: the runtime rounds down */
		if (ga->flags & G_HAS_MINUTES && gb->minutes + 1 < ga->minutes) {
			snprintf(why, whysz, "goroutine %llu waited %u minutes, then %u: not the same goroutine",
				 (unsigned long long)gb->id, ga->minutes, gb->minutes);
			found = true;
		}
	}
	id_index_free(&ids);
	return found;
}

uint32_t process_breaks(const struct snapshot *const *v, uint32_t n, struct process_break *out, uint32_t max)
{
	uint32_t nb = 0;
	for (uint32_t k = 1; k < n && nb < max; k++) {
		const struct snapshot *a = v[k - 1], *b = v[k];
		char why[200] = "";
		uint64_t again;
		if (other_binary(a, b, why, sizeof(why)))
			;
		else if (process_ids_order(a, b, &again) == PROCESS_IDS_B_FIRST)
			snprintf(why, sizeof(why),
				 "goroutine ids handed out again: goroutine %llu and others new here have ids below the "
				 "newest before (%llu), as if this came first",
				 (unsigned long long)again, (unsigned long long)process_max_id(a));
		else if (process_same(a, b, why, sizeof(why)) != PROCESS_OTHER && !shorter_wait(a, b, why, sizeof(why)))
			why[0] = '\0';
		if (!why[0])
			continue;
		out[nb].at = k;
		snprintf(out[nb].why, sizeof(out[nb].why), "from snapshot %u (%.300s): %s", k + 1, b->source, why);
		nb++;
	}
	return nb;
}
