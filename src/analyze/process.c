/* process.c: see process.h. */
#include "../base/common.h"
#include "process.h"
#include "../base/parallel.h"
#include "../base/u64map.h"
#include "../base/xalloc.h"

#include <stdlib.h>

#include <stdio.h>

uint64_t process_max_id(const struct snapshot *s)
{
	/* (kept as goroutines are added: a series asks it of every snapshot
	 * many times) */
	return snapshot_is_profile(s) ? 0 : s->max_id;
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

/* The runtime hands out goroutine ids to each P in batches of 16
 * (_GoidCacheBatch), so a goroutine created after a dump may have an id a
 * little below the dump's newest: the rest of a batch a P took before the
 * dump. Seen in one process's dumps taken a moment apart: 8 goroutines new
 * in the later one 15 to 26 below the earlier one's newest, and 8 others 6
 * to 16 below it. So only ids more than STRAGGLER_SPAN (two batches) below
 * the newest count against an order; goroutines lost between two dumps
 * (the evidence against the reversed order) lie further below. */
enum { STRAGGLER_SPAN = 32 };

/* "x then y": of the goroutines y holds and x does not, how many, and how
 * many have ids more than STRAGGLER_SPAN below x's newest (one of them
 * into *id). */
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
		if (gid + STRAGGLER_SPAN < newest && !(*older)++)
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

static const struct frame *creator_of(const struct snapshot *s, uint32_t stack)
{
	if (stack >= s->nstacks)
		return NULL;
	const struct stack *st = &s->stacks[stack];
	return st->flags & STACK_HAS_CREATOR ? &st->creator : NULL;
}

/* Do stack sa of a and sb of b have the same creator: 1, 0, or -1 when
 * either has none. */
static int same_creator(const struct snapshot *a, uint32_t sa, const struct snapshot *b, uint32_t sb)
{
	const struct frame *ca = creator_of(a, sa), *cb = creator_of(b, sb);
	if (!ca || !cb)
		return -1;
	return ca->line == cb->line && !strcmp(snapshot_str(a, ca->func), snapshot_str(b, cb->func));
}

enum process_verdict process_same(const struct snapshot *a, const struct snapshot *b, char *why, size_t whysz)
{
	if (snapshot_is_profile(a) || snapshot_is_profile(b) || !a->ngoroutines || !b->ngoroutines)
		return PROCESS_UNKNOWN;
	struct id_index ids;
	index_ids(a, &ids);
	/* The goroutines of a pair of stacks all compare alike: each pair's
	 * answer is kept (a slot per hash of the pair, the last pair wins),
	 * so the creators' names are compared once a pair, not once a
	 * goroutine. */
	enum { MEMO = 4096 };
	struct {
		uint32_t sa, sb;
		int v;
	} *memo = xmalloc(MEMO * sizeof(*memo));
	for (uint32_t m = 0; m < MEMO; m++)
		memo[m].sa = UINT32_MAX;
	uint64_t same = 0, other = 0;
	for (uint64_t i = 0; i < b->ngoroutines; i++) {
		uint64_t id = snapshot_goroutine_id(b, i);
		uint32_t k;
		if (!id_index_get(&ids, id, &k))
			continue;
		uint32_t sa = snapshot_goroutine_stack(a, k), sb = snapshot_goroutine_stack(b, i);
		uint32_t m = (uint32_t)((sa * 0x9e3779b1u) ^ (sb * 0x85ebca6bu)) & (MEMO - 1);
		if (memo[m].sa != sa || memo[m].sb != sb)
			memo[m].sa = sa, memo[m].sb = sb, memo[m].v = same_creator(a, sa, b, sb);
		if (memo[m].v < 0)
			continue;
		if (memo[m].v) {
			same++;
		} else if (!other++ && why) {
			snprintf(why, whysz, "goroutine %llu was created by %.80s in one and by %.80s in the other",
				 (unsigned long long)id, snapshot_str(a, creator_of(a, sa)->func),
				 snapshot_str(b, creator_of(b, sb)->func));
		}
	}
	free(memo);
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
	/* (the columns this needs, not whole records) */
	for (uint64_t i = 0; i < b->ngoroutines && !found; i++) {
		uint64_t id;
		uint32_t k;
		if (!(snapshot_goroutine_flags(b, i) & G_HAS_MINUTES) ||
		    !id_index_get(&ids, id = snapshot_goroutine_id(b, i), &k))
			continue;
		uint32_t ma = snapshot_goroutine_minutes(a, k), mb = snapshot_goroutine_minutes(b, i);
		/* a minute of slack: the runtime rounds down */
		if (snapshot_goroutine_flags(a, k) & G_HAS_MINUTES && mb + 1 < ma) {
			snprintf(why, whysz, "goroutine %llu waited %u minutes, then %u: not the same goroutine",
				 (unsigned long long)id, ma, mb);
			found = true;
		}
	}
	id_index_free(&ids);
	return found;
}

/* Why neighbours v[k - 1] and v[k] are of two processes, into why[k]
 * ("" when nothing says so). */
struct break_job {
	const struct snapshot *const *v;
	char (*why)[200];
};

static void break_between(void *ctx, uint32_t i)
{
	struct break_job *j = ctx;
	uint32_t k = i + 1;
	const struct snapshot *a = j->v[k - 1], *b = j->v[k];
	char *why = j->why[k];
	uint64_t again;
	why[0] = '\0';
	if (other_binary(a, b, why, sizeof(j->why[k])))
		;
	else if (process_ids_order(a, b, &again) == PROCESS_IDS_B_FIRST)
		snprintf(why, sizeof(j->why[k]),
			 "goroutine ids handed out again: goroutine %llu and others new here have ids below the "
			 "newest before (%llu), as if this came first",
			 (unsigned long long)again, (unsigned long long)process_max_id(a));
	else if (process_same(a, b, why, sizeof(j->why[k])) != PROCESS_OTHER && !shorter_wait(a, b, why, sizeof(j->why[k])))
		why[0] = '\0';
}

uint32_t process_breaks(const struct snapshot *const *v, uint32_t n, struct process_break *out, uint32_t max)
{
	if (n < 2)
		return 0;
	/* every pair of neighbours on its own core: each reads all the
	 * goroutines of both */
	struct break_job j = {v, xcalloc(n, sizeof(*j.why))};
	parallel_for(n - 1, break_between, &j);
	uint32_t nb = 0;
	for (uint32_t k = 1; k < n && nb < max; k++) {
		if (!j.why[k][0])
			continue;
		out[nb].at = k;
		snprintf(out[nb].why, sizeof(out[nb].why), "from snapshot %u (%.300s): %s", k + 1, v[k]->source, j.why[k]);
		nb++;
	}
	free(j.why);
	return nb;
}
