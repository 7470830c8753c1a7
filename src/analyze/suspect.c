/* suspect.c: single-snapshot leak suspicion. Groups are pooled by blocking
 * site (first frame outside the standard library, plus state), and a site is
 * suspected when many goroutines park there, when they have waited long, when
 * the operation can never complete, or when the runtime's leak detector
 * marked them (proof). One snapshot cannot tell a leak from a busy pool: the
 * confidence says how strong the single-snapshot evidence is, and sites
 * merely parked by design (a pool started by main) are listed apart. */
#include "../base/common.h"
#include "group.h"
#include "../base/hash.h"
#include "../base/sort.h"
#include "../base/xalloc.h"

#include <stdlib.h>

static uint32_t main_state(const struct group *g) { return g->nstates ? g->states[0].state : 0; }

/* Every goroutine of the site was started by the main goroutine (creator
 * main.main or an init function, or "in goroutine 1"): a fixed pool or a
 * loop set up at start-up, parked waiting for work. */
static bool started_by_main(const struct snapshot *s, const struct analysis *a, const struct keyed *e,
			    uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		const struct group *g = &a->groups[e[k].val];
		const struct stack *st = &s->stacks[g->stack];
		const struct group_records *r = g->rec;
		bool by_main_goroutine = r->with_parent == g->count && r->distinct_parents == 1 && r->top_parent == 1;
		bool by_main_func = false;
		if (st->flags & STACK_HAS_CREATOR) {
			const char *c = snapshot_str(s, st->creator.func);
			by_main_func = !strcmp(c, "main.main") || !strncmp(c, "main.init", 9);
		}
		if (!by_main_goroutine && !by_main_func)
			return false;
	}
	return n > 0;
}

/* Judge one site from its pooled numbers. Strong evidence, enough for
 * --fail-on-leak on one snapshot: the runtime's proof, an operation that
 * can never complete, or long waits at a blocking site. Many goroutines
 * parked at one site is a suspicion only: a busy server looks the same. */
static void judge(const struct snapshot *s, const struct analysis *a, struct suspect *sp, bool only_main,
		  bool by_main)
{
	const struct group_options *o = &a->opt;
	const struct group *rep = &a->groups[sp->group];
	const struct stack *st = &s->stacks[rep->stack];
	const char *r = snapshot_str(s, main_state(rep));
	sp->pattern = rep->pattern;
	if (sp->leaked) {
		sp->confidence = CONF_PROOF;
		sp->strong = true;
		sp->reason = "the Go runtime's leak detector marked these goroutines (leaked): nothing reachable "
			     "can ever wake them";
		return;
	}
	if (rep->system || only_main)
		return;
	if (state_blocks_forever(r)) {
		sp->confidence = CONF_HIGH;
		sp->strong = true;
		sp->reason = "blocked in an operation that can never complete";
		return;
	}
	enum wait_class wc = wait_class_of(s, main_state(rep), st);
	/* A lock waited on for long is a deadlock or a holder that never lets
	 * go, however few wait: one goroutine is enough. */
	if (wc == WC_LOCK && sp->has_minutes && sp->max_minutes >= o->leak_min_minutes) {
		sp->confidence = sp->max_minutes >= 60 ? CONF_HIGH : CONF_MEDIUM;
		sp->strong = true;
		sp->reason = sp->count == 1 ? "one goroutine has waited for a lock for a long time: the lock is held "
					      "forever (a deadlock, or a holder blocked on something else)"
					    : "goroutines have waited for a lock for a long time: the lock is held forever "
					      "(a deadlock, or a holder blocked on something else)";
		return;
	}
	bool pattern_only = rep->pattern && (!strcmp(rep->pattern->id, "http-body-not-closed") ||
					     !strcmp(rep->pattern->id, "context-never-cancelled"));
	if (!wait_class_can_leak(wc) && !pattern_only)
		return;
	bool many = sp->count >= o->leak_min_count;
	bool long_wait = sp->has_minutes && sp->median_minutes >= o->leak_min_minutes && sp->count >= 2;
	if (!many && !long_wait)
		return;
	/* waiting for work: a receive or a select, not a send, lock or Wait */
	bool awaits_work = wc == WC_SELECT || (wc == WC_CHANNEL && !strncmp(r, "chan receive", 12));
	if (by_main && awaits_work) { /* would be suspected: say why it is not */
		sp->reason = "started by main at start-up: a fixed pool or loop parked waiting for work, not a leak "
			     "on its own";
		return;
	}
	bool very_many = sp->count >= 10 * (uint64_t)o->leak_min_count;
	sp->confidence = very_many && long_wait ? CONF_HIGH : very_many || long_wait ? CONF_MEDIUM : CONF_LOW;
	sp->strong = long_wait;
	sp->reason = many && long_wait ? "many goroutines parked at one blocking site for a long time"
		     : many	       ? "many goroutines parked at one blocking site"
				       : "goroutines parked at one blocking site for a long time";
}

static double weight(const struct suspect *sp)
{
	return (double)sp->count * (1.0 + (sp->has_minutes ? sp->median_minutes : 0));
}

static int cmp_suspects(const void *a, const void *b)
{
	const struct suspect *x = a, *y = b;
	if (x->confidence != y->confidence)
		return x->confidence > y->confidence ? -1 : 1;
	double wx = weight(x), wy = weight(y);
	if (wx != wy)
		return wx > wy ? -1 : 1;
	return x->group < y->group ? -1 : x->group > y->group;
}

/* Waiters of one lock reached through several call paths: no single site
 * may look big, but many goroutines stuck on one lock for minutes is a lock
 * held forever (a deadlock, or a holder blocked on something else). */
static void lock_suspects(struct analysis *a, uint32_t used)
{
	const struct snapshot *s = a->snap;
	const struct group_options *o = &a->opt;
	for (uint32_t i = 0; i < a->nshared; i++) {
		const struct shared_object *so = &a->shared[i];
		const struct group *g = &a->groups[so->first_group];
		enum wait_class c = wait_class_of(s, so->state, &s->stacks[g->stack]);
		if (c != WC_LOCK && c != WC_WAITGROUP && c != WC_COND)
			continue;
		bool waited = so->has_minutes && so->max_minutes >= 1;
		if (so->waiters < o->leak_min_count && !waited)
			continue;
		bool all_suspected = true;
		for (uint32_t k = 0; k < so->nlisted; k++)
			all_suspected = all_suspected && a->groups[so->group_list[k]].suspicion != CONF_NONE;
		if (all_suspected)
			continue; /* already said, site by site: not a second entry */
		struct suspect sp = {.shared_object = true, .object = so->object,
				     .group = so->first_group, .first = used, .ngroups = so->nlisted,
				     .count = so->waiters, .has_minutes = so->has_minutes,
				     .min_minutes = so->max_minutes, .median_minutes = so->max_minutes,
				     .max_minutes = so->max_minutes, .pattern = g->pattern};
		sp.strong = waited && so->max_minutes >= o->leak_min_minutes;
		sp.confidence = sp.strong ? CONF_HIGH : CONF_MEDIUM;
		sp.reason = c == WC_LOCK ? "goroutines from several call paths wait on one lock: a lock held forever "
					   "or a deadlock"
					 : "goroutines from several call paths wait on one object";
		for (uint32_t k = 0; k < so->nlisted; k++) {
			a->suspect_groups[used++] = so->group_list[k];
			if (a->groups[so->group_list[k]].suspicion < sp.confidence)
				a->groups[so->group_list[k]].suspicion = sp.confidence;
		}
		a->suspects[a->nsuspects++] = sp;
	}
}

void suspects_find(struct analysis *a)
{
	const struct snapshot *s = a->snap;
	uint32_t n = a->ngroups;
	/* (site key, group): groups are largest first, so each site's too */
	struct keyed *e = xmalloc((n ? n : 1) * sizeof(*e));
	for (uint32_t i = 0; i < n; i++) {
		struct group *g = &a->groups[i];
		const struct stack *st = &s->stacks[g->stack];
		g->wclass = wait_class_of(s, main_state(g), st);
		g->site = first_user_frame(s, st);
		uint64_t key = hash_u64(0x517e, main_state(g));
		const struct frame *f = st->nframes ? snapshot_frame(s, st, g->site) : NULL;
		if (f && !is_stdlib_func(snapshot_str(s, f->func)))
			key = hash_u64(hash_u64(key, f->func), f->line);
		else /* no frames, or no user code: a site of its own (netpoll waits
		      * of servers and clients are not one site) */
			key = hash_u64(key, g->stack + 1);
		e[i] = (struct keyed){key, i};
	}
	sort_keyed(e, n);
	/* every group once by site, and the groups of each shared object */
	a->suspects = xmalloc((n + SHARED_OBJECTS) * sizeof(*a->suspects));
	a->parked = xmalloc(PARKED_LISTED * sizeof(*a->parked));
	a->suspect_groups = xmalloc((n + SHARED_OBJECTS * 16 + 1) * sizeof(*a->suspect_groups));
	uint32_t used = 0;
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i;
		while (j < n && e[j].key == e[i].key)
			j++;
		struct suspect sp = {.group = e[i].val, .first = used, .ngroups = j - i};
		/* One pattern per site, from its largest group (patterns read the
		 * stack: doing it per group would cost a scan of every stack). */
		struct group *rep = &a->groups[e[i].val];
		rep->pattern = leak_pattern_for(s, main_state(rep), &s->stacks[rep->stack]);
		for (uint32_t k = i + 1; k < j; k++)
			a->groups[e[k].val].pattern = rep->pattern;
		bool only_main = true;
		uint64_t with_min = 0, weighted = 0;
		sp.min_minutes = UINT32_MAX;
		for (uint32_t k = i; k < j; k++) {
			const struct group *g = &a->groups[e[k].val];
			const struct group_records *r = g->rec;
			sp.count += g->count;
			sp.leaked += g->leaked;
			for (uint32_t k2 = 0; k2 < g->nstates; k2++)
				if (g->states[k2].state == main_state(rep))
					sp.in_state += g->states[k2].count;
			only_main = only_main && g->count == 1 && r->nids && r->ids[0] == 1;
			if (r->has_minutes) {
				sp.has_minutes = true;
				sp.min_minutes = MIN(sp.min_minutes, r->min_minutes);
				sp.max_minutes = MAX(sp.max_minutes, r->max_minutes);
				with_min += r->with_minutes;
				weighted += (uint64_t)r->median_minutes * r->with_minutes;
			}
		}
		if (sp.has_minutes)
			sp.median_minutes = (uint32_t)(weighted / with_min);
		else
			sp.min_minutes = 0;
		judge(s, a, &sp, only_main, started_by_main(s, a, &e[i], j - i));
		for (uint32_t k = i; k < j; k++)
			a->groups[e[k].val].suspicion = sp.confidence;
		if (sp.confidence != CONF_NONE) {
			for (uint32_t k = i; k < j; k++)
				a->suspect_groups[used++] = e[k].val;
			a->suspects[a->nsuspects++] = sp;
		} else if (sp.reason && a->nparked < PARKED_LISTED) {
			a->parked[a->nparked++] = sp;
		}
		i = j;
	}
	lock_suspects(a, used);
	qsort(a->suspects, a->nsuspects, sizeof(*a->suspects), cmp_suspects);
	for (uint32_t i = 0; i < a->nsuspects; i++)
		a->strong_suspects += a->suspects[i].strong;
	free(e);
}
