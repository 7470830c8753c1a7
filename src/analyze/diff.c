/* diff.c: see diff.h. */
#include "../base/common.h"
#include "diff.h"
#include "../base/hash.h"
#include "../base/u64map.h"
#include "../base/u64set.h"
#include "../base/xalloc.h"

#include <stdlib.h>

const char *diff_status_name(enum diff_status s)
{
	static const char *const names[] = {"new", "gone", "grown", "shrunk", "same"};
	return names[s];
}

/* Content hash of a string of snapshot s: comparable across snapshots. */
static uint64_t str_hash(const struct snapshot *s, uint32_t id)
{
	return s->strs.hashes[id];
}

static bool is_runtime(const struct snapshot *s, uint32_t func)
{
	const char *f = snapshot_str(s, func);
	return !strncmp(f, "runtime.", 8) || !strncmp(f, "internal/runtime/", 17);
}

uint64_t diff_group_key(const struct analysis *a, const struct group *g, bool with_creator)
{
	const struct snapshot *s = a->snap;
	const struct stack *st = &s->stacks[g->stack];
	const struct frame_view f = snapshot_frames(s, st);
	uint64_t h = 0xd1ff;
	switch (a->opt.by) {
	case GROUP_STATE:
		return hash_u64(h, str_hash(s, g->states[0].state));
	case GROUP_LABEL:
		return hash_u64(h + 1, g->label_value ? str_hash(s, g->label_value) : 0);
	case GROUP_CREATOR:
		if (!(st->flags & STACK_HAS_CREATOR))
			return h + 2;
		return hash_u64(hash_u64(h, str_hash(s, st->creator.func)), st->creator.line);
	case GROUP_STACK:
	case GROUP_TOP:
		break;
	}
	uint32_t i = 0, n = st->nframes;
	while (i + 1 < n && is_runtime(s, FRAME(f, i).func))
		i++;
	uint32_t end = a->opt.by == GROUP_TOP ? MIN(n, i + a->opt.top_n) : n;
	for (; i < end; i++)
		h = hash_u64(hash_u64(h, str_hash(s, FRAME(f, i).func)), FRAME(f, i).line);
	if (with_creator && a->opt.by == GROUP_STACK && (st->flags & STACK_HAS_CREATOR))
		h = hash_u64(hash_u64(hash_u64(h, 0xc4ea7e), str_hash(s, st->creator.func)), st->creator.line);
	return h;
}

static int cmp_entries(const void *a, const void *b)
{
	const struct diff_entry *x = a, *y = b;
	uint64_t dx = (uint64_t)(x->delta < 0 ? -x->delta : x->delta), dy = (uint64_t)(y->delta < 0 ? -y->delta : y->delta);
	if (dx != dy)
		return dx > dy ? -1 : 1;
	if (x->new_count != y->new_count)
		return x->new_count > y->new_count ? -1 : 1;
	return x->old_count > y->old_count ? -1 : x->old_count < y->old_count;
}

/* Can goroutines be followed by id: both are text dumps with ids. */
static bool has_ids(const struct snapshot *s)
{
	return !snapshot_is_profile(s) && s->unique_ids > 0;
}

/* Keep the DIFF_SAMPLE_IDS lowest ids seen, ascending. */
static void keep_lowest(uint64_t *ids, uint32_t *n, uint64_t id)
{
	uint32_t pos = *n;
	while (pos > 0 && ids[pos - 1] > id)
		pos--;
	if (pos >= DIFF_SAMPLE_IDS)
		return;
	uint32_t last = *n < DIFF_SAMPLE_IDS ? *n : DIFF_SAMPLE_IDS - 1;
	memmove(&ids[pos + 1], &ids[pos], (last - pos) * sizeof(*ids));
	ids[pos] = id;
	if (*n < DIFF_SAMPLE_IDS)
		(*n)++;
}

void diff_run(const struct analysis *old, const struct analysis *new, struct diff *d)
{
	memset(d, 0, sizeof(*d));
	d->old = old;
	d->new = new;
	d->old_total = old->shown;
	d->new_total = new->shown;
	bool creators = !snapshot_is_profile(old->snap) && !snapshot_is_profile(new->snap);
	uint32_t cap = old->ngroups + new->ngroups;
	d->v = xmalloc((cap ? cap : 1) * sizeof(*d->v));
	struct u64map map = {0};
	for (int side = 0; side < 2; side++) {
		const struct analysis *a = side ? new : old;
		for (uint32_t gi = 0; gi < a->ngroups; gi++) {
			const struct group *g = &a->groups[gi];
			bool fresh;
			uint32_t *e = u64map_upsert(&map, diff_group_key(a, g, creators), d->n, &fresh);
			if (fresh)
				d->v[d->n++] = (struct diff_entry){.old_group = UINT32_MAX, .new_group = UINT32_MAX};
			struct diff_entry *de = &d->v[*e];
			/* groups come largest first: the first one seen represents */
			if (side) {
				de->new_count += g->count;
				de->new_groups++;
				if (de->new_group == UINT32_MAX)
					de->new_group = gi;
			} else {
				de->old_count += g->count;
				de->old_groups++;
				if (de->old_group == UINT32_MAX)
					de->old_group = gi;
			}
		}
	}
	u64map_free(&map);

	d->by_id = has_ids(old->snap) && has_ids(new->snap);
	if (d->by_id) {
		/* the old snapshot's shown goroutine ids, then each new one looked up */
		struct u64set new_ids;
		u64set_init(&new_ids);
		/* the entry of each key, to credit persisted goroutines */
		struct u64map by_key = {0};
		for (uint32_t i = 0; i < d->n; i++) {
			bool fresh;
			const struct analysis *side = d->v[i].new_group != UINT32_MAX ? new : old;
			uint32_t gi = d->v[i].new_group != UINT32_MAX ? d->v[i].new_group : d->v[i].old_group;
			u64map_upsert(&by_key, diff_group_key(side, &side->groups[gi], creators), i, &fresh);
		}
		/* each old goroutine id -> the entry it was in */
		struct u64map old_ids = {0};
		for (uint32_t gi = 0; gi < old->ngroups; gi++) {
			uint32_t ei = UINT32_MAX;
			(void)u64map_get(&by_key, diff_group_key(old, &old->groups[gi], creators), &ei);
			for (uint64_t k = 0; k < old->groups[gi].nmembers; k++) {
				bool fresh;
				u64map_upsert(&old_ids,
					      snapshot_goroutine_id(old->snap, old->members[old->groups[gi].first_member + k]),
					      ei, &fresh);
			}
		}
		for (uint32_t gi = 0; gi < new->ngroups; gi++) {
			const struct group *g = &new->groups[gi];
			uint32_t ei;
			if (!u64map_get(&by_key, diff_group_key(new, g, creators), &ei))
				continue;
			for (uint64_t k = 0; k < g->nmembers; k++) {
				uint64_t id = snapshot_goroutine_id(new->snap, new->members[g->first_member + k]);
				u64set_add(&new_ids, id);
				uint32_t was;
				if (u64map_get(&old_ids, id, &was)) {
					d->persisted++;
					if (was == ei) {
						d->v[ei].persisted++;
					} else {
						d->v[ei].moved_in++;
						d->moved++;
					}
				} else {
					d->created++;
					keep_lowest(d->created_ids, &d->ncreated_ids, id);
				}
			}
		}
		u64map_free(&by_key);
		d->exited = old_ids.count - d->persisted;
		for (uint32_t gi = 0; gi < old->ngroups; gi++)
			for (uint64_t k = 0; k < old->groups[gi].nmembers; k++) {
				uint64_t id = snapshot_goroutine_id(old->snap, old->members[old->groups[gi].first_member + k]);
				if (!u64set_has(&new_ids, id))
					keep_lowest(d->exited_ids, &d->nexited_ids, id);
			}
		u64map_free(&old_ids);
		u64set_free(&new_ids);
	}

	for (uint32_t i = 0; i < d->n; i++) {
		struct diff_entry *e = &d->v[i];
		e->delta = (int64_t)e->new_count - (int64_t)e->old_count;
		e->status = !e->old_count ? DIFF_NEW
			    : !e->new_count ? DIFF_GONE
			    : e->delta > 0  ? DIFF_GROWN
			    : e->delta < 0  ? DIFF_SHRUNK
					    : DIFF_SAME;
		d->counts[e->status]++;
	}
	qsort(d->v, d->n, sizeof(*d->v), cmp_entries);
}

void diff_free(struct diff *d)
{
	free(d->v);
	memset(d, 0, sizeof(*d));
}
