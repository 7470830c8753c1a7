/* series.c: see series.h. */
#include "../base/common.h"
#include "series.h"
#include "diff.h"
#include "../base/u64map.h"
#include "../base/parallel.h"
#include "../base/u64set.h"
#include "../base/xalloc.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void series_options_default(struct series_options *o)
{
	o->proof = NULL;
	o->min_growth = 3;
	o->max_fall = 0.1;
	o->min_survival = 0.9;
}

/* A group followed through the points. */
struct track {
	uint64_t *counts;
	uint32_t *group;     /* representative group per point, UINT32_MAX where absent */
	uint32_t first, last; /* first and last point where present */
	double survival;     /* lowest step survival by id, -1 until measured */
	bool leaked;         /* listed as leaked by the runtime at some point */
};

/* A goroutine serving or writing a profile: goroscope's own requests (a
 * seconds= profile parks one in the target for the whole window), or
 * another profiler's. runtime/pprof.Do (labels) is not one. */
static bool is_profiler(const struct snapshot *s, const struct stack *st)
{
	static const char *const prefixes[] = {
		"net/http/pprof.", "runtime/pprof.write", "runtime/pprof.(*Profile).WriteTo", "runtime/pprof.profileWriter",
		"runtime/pprof.StartCPUProfile", "runtime.goroutineProfileWithLabels",
	};
	const struct frame_view f = snapshot_frames(s, st);
	for (uint32_t i = 0; i < st->nframes; i++) {
		const char *fn = snapshot_str(s, FRAME(f, i).func);
		for (size_t k = 0; k < ARRAY_LEN(prefixes); k++)
			if (!strncmp(fn, prefixes[k], strlen(prefixes[k])))
				return true;
	}
	return false;
}

/* A stack with nothing to run yet: no frames, or only the goroutine's exit
 * address (runtime.goexit, or its bare address in an unsymbolized debug=1
 * record). Goroutines created and not yet scheduled look like this; their
 * number grows when the machine is busy, which is not a leak. */
static bool is_unstarted(const struct snapshot *s, const struct stack *st)
{
	const struct frame_view f = snapshot_frames(s, st);
	for (uint32_t i = 0; i < st->nframes; i++) {
		const char *fn = snapshot_str(s, FRAME(f, i).func);
		if (strncmp(fn, "0x", 2) != 0 && strcmp(fn, "runtime.goexit") != 0)
			return false;
	}
	return true;
}

/* Memory a goroutine with this stack pins: its stack (2 KiB at least,
 * growing by doubling; ~256 bytes a frame is typical) and its g struct. */
static uint64_t goroutine_bytes(uint32_t nframes)
{
	uint64_t stack = 2048;
	while (stack < (uint64_t)nframes * 256)
		stack *= 2;
	return stack + 400;
}

static void add_evidence(struct leak *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_evidence(struct leak *l, const char *fmt, ...)
{
	if (l->nevidence >= SERIES_MAX_EVIDENCE)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->evidence[l->nevidence++], SERIES_EVIDENCE_LEN, fmt, ap);
	va_end(ap);
}

static int cmp_leaks(const void *a, const void *b)
{
	const struct leak *x = a, *y = b;
	if (x->confidence != y->confidence)
		return x->confidence > y->confidence ? -1 : 1;
	if (x->growth_per_step != y->growth_per_step)
		return x->growth_per_step > y->growth_per_step ? -1 : 1;
	return x->counts[x->point] > y->counts[y->point] ? -1 : x->counts[x->point] < y->counts[y->point];
}

/* Step survival by id: for each track present at point p, the share of its
 * goroutines at p still alive (anywhere) at p + 1. Each step on its own
 * core (each reads every goroutine of two snapshots): alive[p][track]. */
struct survival_job {
	const struct series_point *pts;
	uint32_t ntracks;
	uint32_t **track_of;
	uint64_t **alive;
};

/* The ids of a set of goroutines: a bit per id up to the snapshot's
 * newest when its ids are that dense (the runtime numbers goroutines in
 * order: they mostly are), else a hash set. */
struct id_set {
	uint64_t *bits, nbits;
	struct u64set hashed;
};

static void id_set_init(struct id_set *x, const struct snapshot *s)
{
	memset(x, 0, sizeof(*x));
	if (s->max_id < 4 * s->ngoroutines + 4096) {
		x->nbits = s->max_id + 1;
		x->bits = xcalloc(x->nbits / 64 + 1, sizeof(*x->bits));
	}
}

static void id_set_add(struct id_set *x, uint64_t id)
{
	if (x->bits)
		x->bits[id >> 6] |= (uint64_t)1 << (id & 63); /* (id <= max_id) */
	else
		u64set_add(&x->hashed, id);
}

static bool id_set_has(const struct id_set *x, uint64_t id)
{
	if (x->bits)
		return id < x->nbits && (x->bits[id >> 6] >> (id & 63) & 1);
	return u64set_has(&x->hashed, id);
}

static void id_set_free(struct id_set *x)
{
	free(x->bits);
	u64set_free(&x->hashed);
}

static void survival_step(void *ctx, uint32_t p)
{
	struct survival_job *j = ctx;
	const struct analysis *a = j->pts[p].a, *b = j->pts[p + 1].a;
	struct id_set next;
	id_set_init(&next, b->snap);
	for (uint32_t gi = 0; gi < b->ngroups; gi++)
		for (uint64_t k = 0; k < b->groups[gi].nmembers; k++)
			id_set_add(&next, snapshot_goroutine_id(b->snap, b->members[b->groups[gi].first_member + k]));
	uint64_t *alive = j->alive[p] = xcalloc(j->ntracks ? j->ntracks : 1, sizeof(*alive));
	for (uint32_t gi = 0; gi < a->ngroups; gi++) {
		const struct group *g = &a->groups[gi];
		for (uint64_t k = 0; k < g->nmembers; k++)
			if (id_set_has(&next, snapshot_goroutine_id(a->snap, a->members[g->first_member + k])))
				alive[j->track_of[p][gi]]++;
	}
	id_set_free(&next);
}

static void measure_survival(const struct series_point *pts, uint32_t n, struct track *t, uint32_t ntracks,
			     uint32_t **track_of)
{
	if (n < 2)
		return;
	struct survival_job j = {pts, ntracks, track_of, xcalloc(n - 1, sizeof(*j.alive))};
	parallel_for(n - 1, survival_step, &j);
	for (uint32_t p = 0; p + 1 < n; p++) {
		for (uint32_t ti = 0; ti < ntracks; ti++) {
			if (!t[ti].counts[p])
				continue;
			double s = (double)j.alive[p][ti] / (double)t[ti].counts[p];
			if (t[ti].survival < 0 || s < t[ti].survival)
				t[ti].survival = s;
		}
		free(j.alive[p]);
	}
	free(j.alive);
}

/* The shape of a count over the points. A leak's goroutines never exit,
 * so its count never falls (beyond max_fall of its peak so far: matching
 * noise) and keeps rising to the end; growth that stops and holds level for
 * the last third of the steps (two at least) is saturation. */
struct shape {
	uint64_t peak;
	uint32_t ups, downs;
	bool fell;                  /* somewhere below (1 - max_fall) of the peak before it */
	uint32_t level_steps;       /* trailing steps without real growth, when they are enough to call it level */
};

static void measure_shape(const uint64_t *c, uint32_t n, const struct series_options *o, struct shape *sh)
{
	memset(sh, 0, sizeof(*sh));
	for (uint32_t p = 0; p < n; p++) {
		if (p && c[p] > c[p - 1])
			sh->ups++;
		else if (p && c[p] < c[p - 1])
			sh->downs++;
		if ((double)c[p] < (1.0 - o->max_fall) * (double)sh->peak)
			sh->fell = true;
		sh->peak = MAX(sh->peak, c[p]);
	}
	uint32_t steps = n ? n - 1 : 0, need = MAX(2u, (steps + 2) / 3);
	if (steps < need + 1)
		return; /* too short to see growth and then a level */
	uint64_t low = c[0];
	for (uint32_t p = 1; p < n; p++)
		low = MIN(low, c[p]);
	/* growth over the trailing steps, against the whole rise: a leak keeps
	 * its share of the rise in any window, a level adds (almost) nothing */
	uint64_t before = c[n - 1 - need], last = c[n - 1];
	double rise = (double)last - (double)low, tail = (double)last - (double)before;
	if (rise > 0 && tail <= o->max_fall * rise)
		sh->level_steps = need;
}

/* Judge one track; fills *l and returns true for a leak, or sets *why for a
 * growing group that is not one. */
static bool judge(const struct series_point *pts, uint32_t n, const struct track *t, const struct series_options *o,
		  bool ids, struct leak *l, const char **why)
{
	*why = NULL;
	const struct analysis *a = pts[t->last].a;
	const struct group *g = &a->groups[t->group[t->last]];
	const struct snapshot *s = a->snap;
	const struct stack *st = &s->stacks[g->stack];
	memset(l, 0, sizeof(*l));
	l->survival = t->survival;
	struct shape sh;
	measure_shape(t->counts, n, o, &sh);
	uint64_t first = t->counts[0], last = t->counts[n - 1];
	/* Growth over more than one step when there are several: a group that
	 * only shows up at the end proves nothing yet. */
	uint32_t min_ups = n > 2 ? 2 : 1;
	bool grows = t->last == n - 1 && last >= first + o->min_growth && sh.ups >= min_ups;
	if ((grows || t->leaked) && is_profiler(s, st)) {
		*why = "a profiling request (net/http/pprof, runtime/pprof): goroscope's own, or another profiler's";
		return false;
	}
	if (grows && !t->leaked && is_unstarted(s, st)) {
		*why = "goroutines not started yet (no stack beyond their exit address): the scheduler is behind, not "
		       "a leak";
		return false;
	}
	if (t->leaked && t->last == n - 1) {
		l->confidence = CONF_PROOF;
		add_evidence(l, "listed as leaked by the Go runtime's leak detector (goroutineleak profile or "
				"\"(leaked)\" annotation): nothing reachable can wake these goroutines");
	} else if (!grows) {
		if (t->last == n - 1 && last >= first + o->min_growth && sh.peak > last)
			*why = "grew, then fell back: a burst that is draining, not a leak";
		return false;
	} else if (sh.fell) {
		*why = "its count fell back on the way (goroutines of it exit; a leak's never do): load that comes "
		       "and goes, not a leak";
		return false;
	} else if (sh.level_steps) {
		*why = "grew, then held level for the last snapshots: saturation (a pool filling up, the connections "
		       "of a fixed number of clients), not a leak";
		return false;
	} else if (ids && t->survival >= 0 && t->survival < o->min_survival) {
		*why = "grows, but its goroutines do not persist between snapshots (they come and go with load)";
		return false;
	} else if (ids && t->survival < 0) {
		*why = "grew, but was never in two snapshots in a row: persistence unknown";
		return false;
	}
	if (grows) {
		if (sh.downs)
			add_evidence(l, "the count rose from %" PRIu64 " to %" PRIu64 " over %u snapshots, never falling "
					"more than %.0f%% below its peak",
				     first, last, n, o->max_fall * 100);
		else
			add_evidence(l, "the count never fell and rose from %" PRIu64 " to %" PRIu64 " over %u snapshots",
				     first, last, n);
		if (ids && t->survival >= 1.0)
			add_evidence(l, "goroutine ids persist: every snapshot's goroutines are still there in the next");
		else if (ids && t->survival >= 0)
			add_evidence(l, "goroutine ids persist: at least %.0f%% of each snapshot's goroutines are still "
					"there in the next",
				     floor(t->survival * 100));
		else if (!ids)
			add_evidence(l, "no goroutine ids in this format: persistence could not be checked");
	}
	uint32_t oldest = g->rec->has_minutes ? g->rec->max_minutes : 0; /* minutes, from the dump */
	if (oldest > 0)
		add_evidence(l, "the oldest of them have waited %u minute%s (wait times from the dump)", oldest,
			     oldest == 1 ? "" : "s");
	if (l->confidence != CONF_PROOF) {
		bool steady = sh.downs == 0 && sh.ups * 2 >= (n - 1);
		if (ids && t->survival >= o->min_survival)
			l->confidence = steady || oldest > 0 ? CONF_HIGH : CONF_MEDIUM;
		else
			l->confidence = steady && last >= first + 3 * (uint64_t)o->min_growth ? CONF_MEDIUM : CONF_LOW;
	}
	l->point = t->last;
	l->group = t->group[t->last];
	l->max_minutes = oldest;
	/* the state they wait in: the commonest that is a wait. A loop that
	 * sleeps and wakes (a retry loop) has some goroutines runnable at any
	 * moment, and on a loaded machine most of them: that is not where the
	 * group waits */
	uint32_t state = g->nstates ? g->states[0].state : 0;
	for (uint32_t k = 0; state && k < g->nstates && wait_class_of(s, g->states[k].state, st) == WC_RUNNING; k++)
		state = k + 1 < g->nstates ? g->states[k + 1].state : 0;
	if (state) {
		l->state = snapshot_str(s, state);
	} else {
		l->state = state_from_stack(s, st);
		l->state_inferred = l->state != NULL;
	}
	l->pattern = l->state ? leak_pattern_for_text(s, l->state, st) : NULL;
	l->growth_per_step = n > 1 ? ((double)last - (double)first) / (double)(n - 1) : 0;
	l->est_bytes = last * goroutine_bytes(st->nframes);
	return true;
}

void series_run(const struct series_point *pts, uint32_t n, const struct series_options *o,
		struct series_result *r)
{
	memset(r, 0, sizeof(*r));
	r->npoints = n;
	r->totals = xmalloc((n ? n : 1) * sizeof(*r->totals));
	bool creators = true;
	r->ids = n > 0;
	r->times_known = n > 0;
	for (uint32_t p = 0; p < n; p++) {
		const struct snapshot *s = pts[p].a->snap;
		r->totals[p] = pts[p].a->shown;
		creators = creators && !snapshot_is_profile(s);
		r->ids = r->ids && !snapshot_is_profile(s) && s->unique_ids > 0;
		r->proof_profile = r->proof_profile || s->profile == PROF_GOROUTINELEAK;
		r->times_known = r->times_known && pts[p].when_ns > 0 && (p == 0 || pts[p].when_ns > pts[p - 1].when_ns);
	}
	if (r->times_known)
		r->span_min = (double)(pts[n - 1].when_ns - pts[0].when_ns) / 60e9;
	/* a proof profile has no creators: match on stacks alone then */
	if (o->proof && snapshot_is_profile(o->proof->snap))
		creators = false;

	/* follow every group through the points */
	struct u64map map = {0};
	struct track *t = NULL;
	uint32_t ntracks = 0, cap = 0;
	uint32_t **track_of = xcalloc(n ? n : 1, sizeof(*track_of));
	for (uint32_t p = 0; p < n; p++) {
		const struct analysis *a = pts[p].a;
		track_of[p] = xmalloc((a->ngroups ? a->ngroups : 1) * sizeof(**track_of));
		for (uint32_t gi = 0; gi < a->ngroups; gi++) {
			const struct group *g = &a->groups[gi];
			bool fresh;
			uint32_t *ti = u64map_upsert(&map, diff_group_key(a, g, creators), ntracks, &fresh);
			if (fresh) {
				if (ntracks == cap) {
					cap = cap ? cap * 2 : 64;
					t = xreallocarray(t, cap, sizeof(*t));
				}
				t[ntracks] = (struct track){xcalloc(n, sizeof(uint64_t)), xmalloc(n * sizeof(uint32_t)), p, p,
							    -1.0, false};
				memset(t[ntracks].group, 0xff, n * sizeof(uint32_t));
				ntracks++;
			}
			struct track *tr = &t[*ti];
			track_of[p][gi] = *ti;
			tr->counts[p] += g->count;
			if (tr->group[p] == UINT32_MAX)
				tr->group[p] = gi; /* largest first: the representative */
			tr->last = p;
			if (g->leaked || a->snap->profile == PROF_GOROUTINELEAK)
				tr->leaked = true;
		}
	}
	/* the runtime's goroutineleak profile proves the groups it lists */
	if (o->proof) {
		const struct analysis *pa = o->proof;
		for (uint32_t gi = 0; gi < pa->ngroups; gi++) {
			uint32_t ti;
			if (u64map_get(&map, diff_group_key(pa, &pa->groups[gi], creators), &ti))
				t[ti].leaked = true;
		}
		r->proof_profile = true;
	}
	u64map_free(&map);
	if (r->ids)
		measure_survival(pts, n, t, ntracks, track_of);

	r->leaks = xmalloc((ntracks ? ntracks : 1) * sizeof(*r->leaks));
	r->ignored = xmalloc((ntracks ? ntracks : 1) * sizeof(*r->ignored));
	for (uint32_t ti = 0; ti < ntracks; ti++) {
		const char *why;
		struct leak l;
		if (judge(pts, n, &t[ti], o, r->ids, &l, &why)) {
			l.counts = t[ti].counts;
			t[ti].counts = NULL; /* now the leak's */
			if (r->times_known && r->span_min > 0)
				l.growth_per_min = ((double)l.counts[n - 1] - (double)l.counts[0]) / r->span_min;
			r->leaks[r->nleaks++] = l;
		} else if (why) {
			r->ignored[r->nignored++] =
				(struct series_ignored){t[ti].last, t[ti].group[t[ti].last], why, t[ti].counts[n - 1]};
		}
	}
	qsort(r->leaks, r->nleaks, sizeof(*r->leaks), cmp_leaks);
	for (uint32_t ti = 0; ti < ntracks; ti++) {
		free(t[ti].counts);
		free(t[ti].group);
	}
	free(t);
	for (uint32_t p = 0; p < n; p++)
		free(track_of[p]);
	free(track_of);
}

/* The key that matches a leak's group across analyses (as diff does). */
static uint64_t leak_key(const struct series_point *pts, const struct leak *l)
{
	const struct analysis *a = pts[l->point].a;
	return diff_group_key(a, &a->groups[l->group], false);
}

uint32_t series_mark_recurring(struct series_result *r, const struct series_point *pts,
			       const struct series_result *before, const struct series_point *before_pts)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < r->nleaks; i++) {
		struct leak *l = &r->leaks[i];
		uint64_t key = leak_key(pts, l);
		for (uint32_t k = 0; k < before->nleaks; k++) {
			if (leak_key(before_pts, &before->leaks[k]) != key)
				continue;
			add_evidence(l, "it leaked in the process before the restart too: the same leak in both lives of "
					"the service");
			if (l->confidence < CONF_HIGH)
				l->confidence++;
			n++;
			break;
		}
	}
	if (n)
		qsort(r->leaks, r->nleaks, sizeof(*r->leaks), cmp_leaks);
	return n;
}

void series_free(struct series_result *r)
{
	for (uint32_t i = 0; i < r->nleaks; i++)
		free(r->leaks[i].counts);
	free(r->leaks);
	free(r->ignored);
	free(r->totals);
	memset(r, 0, sizeof(*r));
}
