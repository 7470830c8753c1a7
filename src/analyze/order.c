/* order.c: see order.h. */
#include "../base/common.h"
#include "order.h"
#include "../base/parallel.h"
#include "../base/xalloc.h"
#include "process.h"

#include <stdio.h>
#include <stdlib.h>

/* One snapshot with what it is ordered by. */
struct item {
	uint32_t given;
	int64_t key;       /* time (ns) or goroutine id */
	int64_t group_key; /* the least key of its source's snapshots */
	const struct snapshot *s;
};

static int cmp_source(const struct item *x, const struct item *y)
{
	int c = strcmp(x->s->source, y->s->source);
	if (c)
		return c;
	if (x->s->index != y->s->index)
		return x->s->index < y->s->index ? -1 : 1;
	return x->given < y->given ? -1 : x->given > y->given;
}

static int cmp_by_source(const void *a, const void *b)
{
	return cmp_source(a, b);
}

/* Sources by their key; the dumps of one source (a log) keep their order
 * in it, which is time order whatever their ids say (a restart in a log
 * starts ids again); ties by source name, never by the order given. */
static int cmp_items(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	if (x->group_key != y->group_key)
		return x->group_key < y->group_key ? -1 : 1;
	return cmp_source(x, y);
}

static bool strong_time(const struct snapshot *s)
{
	return s->taken_ns > 0 && (s->taken_from == TAKEN_PROFILE || s->taken_from == TAKEN_CAPTURE ||
				   s->taken_from == TAKEN_FETCH);
}

/* Sort items by key; fill r's permutation and whether it moved anything. */
static void sort_into(struct item *it, uint32_t n, struct order_result *r)
{
	qsort(it, n, sizeof(*it), cmp_by_source);
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i;
		int64_t least = it[i].key;
		for (; j < n && !strcmp(it[j].s->source, it[i].s->source); j++)
			least = MIN(least, it[j].key);
		for (; i < j; i++)
			it[i].group_key = least;
	}
	qsort(it, n, sizeof(*it), cmp_items);
	for (uint32_t k = 0; k < n; k++) {
		r->perm[k] = it[k].given;
		r->reordered = r->reordered || it[k].given != k;
	}
}

/* Times per ordered position, when every snapshot has one and they rise. */
static void set_times(const struct snapshot *const *v, struct order_result *r)
{
	bool ok = true;
	for (uint32_t k = 0; k < r->n && ok; k++) {
		const struct snapshot *s = v[r->perm[k]];
		ok = s->taken_ns > 0 && (k == 0 || s->taken_ns > v[r->perm[k - 1]]->taken_ns);
	}
	r->times_known = ok;
	for (uint32_t k = 0; k < r->n; k++)
		r->when_ns[k] = ok ? v[r->perm[k]]->taken_ns : 0;
}

/* process_ids_order of the neighbours perm[k - 1] and perm[k] of v, into
 * says[k] and id[k] (k from 1; a pair of one source is not asked). */
struct ids_job {
	const struct snapshot *const *v;
	const uint32_t *perm;
	enum process_ids *says;
	uint64_t *id;
};

static void ids_between(void *ctx, uint32_t i)
{
	struct ids_job *j = ctx;
	uint32_t k = i + 1;
	const struct snapshot *a = j->v[j->perm[k - 1]], *b = j->v[j->perm[k]];
	j->id[k] = 0;
	j->says[k] = strcmp(a->source, b->source) ? process_ids_order(a, b, &j->id[k]) : PROCESS_IDS_UNKNOWN;
}

/* Text dumps with ids and file times: do the files' times hold? They do
 * unless the ids clearly favour the other order of two neighbours
 * (process_ids_order), where the goroutines sharing ids are not plainly
 * other goroutines (created elsewhere: a restart, which only times can
 * place). The ids clearly favouring the other order between dumps of what
 * may be one process is a copy out of order as much as a restart of a
 * program that starts its goroutines the same way each time: the ids
 * decide, and the note says so. A newest id that merely falls along the
 * files' times is no reason (the newest goroutines may have exited). */
static bool file_times_hold(const struct snapshot *const *v, uint32_t n, const struct item *given,
			    struct order_result *r)
{
	struct item *it = xcalloc(n, sizeof(*it));
	for (uint32_t i = 0; i < n; i++)
		it[i] = (struct item){given[i].given, v[i]->taken_ns, 0, v[i]};
	struct order_result tmp = {.n = n, .perm = xcalloc(n, sizeof(uint32_t))};
	sort_into(it, n, &tmp);
	/* what the ids say of each pair of neighbours, every pair on its own
	 * core (each reads all the goroutines of both) */
	struct ids_job job = {v, tmp.perm, xcalloc(n, sizeof(*job.says)), xcalloc(n, sizeof(*job.id))};
	if (n > 1)
		parallel_for(n - 1, ids_between, &job);
	bool hold = true;
	for (uint32_t k = 1; k < n && hold; k++) {
		const struct snapshot *a = v[tmp.perm[k - 1]], *b = v[tmp.perm[k]];
		uint64_t gb = job.id[k];
		if (!strcmp(a->source, b->source))
			continue;
		enum process_ids says = job.says[k];
		if (says == PROCESS_IDS_NEWER_A && !r->note[0])
			snprintf(r->note, sizeof(r->note),
				 "the newest goroutine id falls from %llu (%.80s) to %llu (%.80s) along the files' times: "
				 "the newest goroutines exited, or the files were copied out of order, which the ids "
				 "cannot tell apart; the files' times kept",
				 (unsigned long long)process_max_id(a), a->source, (unsigned long long)process_max_id(b),
				 b->source);
		if (says != PROCESS_IDS_B_FIRST)
			continue;
		hold = process_same(a, b, NULL, 0) == PROCESS_OTHER;
		if (!hold)
			snprintf(r->note, sizeof(r->note),
				 "the files' times put %.80s after %.80s, but goroutines new in it (%llu among them) have "
				 "ids below the other's newest (%llu), as if it came first: copied out of order, or a "
				 "restart between them, which these dumps cannot tell apart; ordered by the goroutine ids",
				 b->source, a->source, (unsigned long long)gb, (unsigned long long)process_max_id(a));
	}
	free(job.says);
	free(job.id);
	free(tmp.perm);
	free(it);
	return hold;
}

/* The newest id is only a first guess at the order of text dumps (the
 * newest goroutines may have exited): where the ids clearly favour the
 * other order of two neighbours (process_ids_order), they trade places;
 * dumps of one source keep their order. A pass per position at most. */
static void settle_by_exits(const struct snapshot *const *v, struct order_result *r)
{
	for (uint32_t pass = 0; pass < r->n; pass++) {
		bool moved = false;
		for (uint32_t k = 1; k < r->n; k++) {
			const struct snapshot *a = v[r->perm[k - 1]], *b = v[r->perm[k]];
			uint64_t id;
			if (!strcmp(a->source, b->source) || process_ids_order(a, b, &id) != PROCESS_IDS_B_FIRST)
				continue;
			uint32_t t = r->perm[k - 1];
			r->perm[k - 1] = r->perm[k];
			r->perm[k] = t;
			moved = true;
		}
		if (!moved)
			break;
	}
	r->reordered = false;
	for (uint32_t k = 0; k < r->n; k++)
		r->reordered = r->reordered || r->perm[k] != k;
}

void order_snapshots(const struct snapshot *const *v, uint32_t n, struct order_result *r)
{
	memset(r, 0, sizeof(*r));
	r->n = n;
	r->perm = xcalloc(n ? n : 1, sizeof(*r->perm));
	r->when_ns = xcalloc(n ? n : 1, sizeof(*r->when_ns));
	struct item *it = xcalloc(n ? n : 1, sizeof(*it));
	bool all_strong = true, all_ids = true, all_mtimes = true;
	r->weakest = TAKEN_PROFILE;
	for (uint32_t i = 0; i < n; i++) {
		const struct snapshot *s = v[i];
		all_strong = all_strong && strong_time(s);
		if (strong_time(s) && s->taken_from > r->weakest)
			r->weakest = s->taken_from;
		all_ids = all_ids && process_max_id(s) > 0;
		all_mtimes = all_mtimes && s->taken_ns > 0;
		it[i] = (struct item){i, 0, 0, s};
	}
	if (all_strong) {
		r->basis = ORDER_TIMES;
		for (uint32_t i = 0; i < n; i++)
			it[i].key = v[i]->taken_ns;
	} else if (all_ids && !(all_mtimes && file_times_hold(v, n, it, r))) {
		r->basis = ORDER_GOROUTINE_IDS;
		for (uint32_t i = 0; i < n; i++)
			it[i].key = (int64_t)MIN(process_max_id(v[i]), (uint64_t)INT64_MAX);
	} else if (all_mtimes) {
		r->basis = ORDER_FILE_TIMES;
		for (uint32_t i = 0; i < n; i++)
			it[i].key = v[i]->taken_ns;
	} else {
		r->basis = ORDER_AS_GIVEN;
		for (uint32_t i = 0; i < n; i++)
			it[i].key = i;
		if (n > 1)
			snprintf(r->note, sizeof(r->note),
				 "nothing tells when %s snapshots were taken (no profile, capture or file time, no "
				 "goroutine ids): taken in the order given",
				 n == 2 ? "both" : "these");
	}
	sort_into(it, n, r);
	if (r->basis == ORDER_GOROUTINE_IDS)
		settle_by_exits(v, r);
	free(it);
	set_times(v, r);
}

void order_free(struct order_result *r)
{
	free(r->perm);
	free(r->when_ns);
	memset(r, 0, sizeof(*r));
}

const char *order_basis_name(const struct order_result *r)
{
	switch (r->basis) {
	case ORDER_TIMES:
		switch (r->weakest) {
		case TAKEN_PROFILE: return "profile time";
		case TAKEN_CAPTURE: return "capture time";
		case TAKEN_FETCH: return "fetch time";
		default: break;
		}
		return "time taken";
	case ORDER_GOROUTINE_IDS: return "goroutine ids";
	case ORDER_FILE_TIMES: return "file times";
	case ORDER_AS_GIVEN: break;
	}
	return "the order given";
}
