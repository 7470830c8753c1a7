/* contention.c: see contention.h. */
#include "../base/common.h"
#include "contention.h"
#include "classify.h"
#include "../base/hash.h"
#include "../base/u64map.h"
#include "../base/xalloc.h"

#include <stdlib.h>

void contention_options_default(struct contention_options *o)
{
	o->min_mean_ms = 10;
	o->min_events = 1000;
	o->idle_mean_ms = 50;
}

/* Wait primitives, innermost match wins. */
static const struct {
	const char *prefix, *what;
} PRIMITIVES[] = {
	{"sync.(*Mutex).Unlock", "lock held (unlock site)"},
	{"sync.(*RWMutex).Unlock", "rwlock held (unlock site)"},
	{"sync.(*RWMutex).RUnlock", "rwlock read held (unlock site)"},
	{"sync.(*RWMutex).RLock", "rwlock read"},
	{"sync.(*RWMutex).Lock", "rwlock write"},
	{"sync.(*Mutex).Lock", "lock"},
	{"sync.(*WaitGroup).Wait", "WaitGroup.Wait"},
	{"sync.(*Cond).Wait", "Cond.Wait"},
	{"runtime.chanrecv", "chan receive"},
	{"runtime.chansend", "chan send"},
	{"runtime.selectgo", "select"},
	{"runtime.selectnbrecv", "select"},
	{"runtime.semacquire", "semaphore"},
	{"sync.runtime_Semacquire", "semaphore"},
};

static bool starts(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* The primitive frame of a stack (index) and what it is, or -1. */
static int find_primitive(const struct snapshot *s, const struct stack *st, const char **what)
{
	const struct frame_view f = snapshot_frames(s, st);
	for (uint32_t i = 0; i < st->nframes; i++) {
		const char *fn = snapshot_str(s, FRAME(f, i).func);
		for (size_t k = 0; k < ARRAY_LEN(PRIMITIVES); k++)
			if (starts(fn, PRIMITIVES[k].prefix)) {
				*what = PRIMITIVES[k].what;
				return (int)i;
			}
	}
	*what = "other";
	return -1;
}

static bool has_profiler(const struct snapshot *s, const struct stack *st)
{
	const struct frame_view f = snapshot_frames(s, st);
	for (uint32_t i = 0; i < st->nframes; i++) {
		const char *fn = snapshot_str(s, FRAME(f, i).func);
		if (starts(fn, "net/http/pprof.") || starts(fn, "runtime/pprof."))
			return true;
	}
	return false;
}

/* The site: the first user frame past the primitive (or the first frame
 * outside the runtime and sync). */
static uint32_t site_frame(const struct snapshot *s, const struct stack *st, int prim)
{
	const struct frame_view f = snapshot_frames(s, st);
	for (uint32_t i = prim < 0 ? 0 : (uint32_t)prim + 1; i < st->nframes; i++)
		if (!is_stdlib_func(snapshot_str(s, FRAME(f, i).func)))
			return i;
	for (uint32_t i = prim < 0 ? 0 : (uint32_t)prim + 1; i < st->nframes; i++) {
		const char *fn = snapshot_str(s, FRAME(f, i).func);
		if (!starts(fn, "runtime.") && !starts(fn, "sync."))
			return i;
	}
	return prim < 0 ? 0 : (uint32_t)prim;
}

static bool is_contention_profile(const struct snapshot *s)
{
	return s->profile == PROF_BLOCK || s->profile == PROF_MUTEX || s->profile == PROF_CONTENTION;
}

static int cmp_sites(const void *a, const void *b)
{
	const struct contention_site *x = a, *y = b;
	if (x->idle != y->idle)
		return x->idle ? 1 : -1;
	if (x->delay_ns != y->delay_ns)
		return x->delay_ns > y->delay_ns ? -1 : 1;
	return x->events > y->events ? -1 : x->events < y->events;
}

/* Is a site idle waiting rather than contention? Sets the reason. */
static bool judge_idle(struct contention_site *c, const struct stack *st, const struct contention_options *o)
{
	const struct snapshot *s = c->snap;
	if (s->profile == PROF_MUTEX)
		return false; /* every mutex delay is a holder making others wait */
	if (has_profiler(s, st)) {
		c->reason = "a profiling request waiting out its window (goroscope's own seconds= request, or another "
			    "profiler's)";
		return true;
	}
	if (!strcmp(c->what, "WaitGroup.Wait")) {
		c->reason = "a coordinator waiting for its workers: time spent waiting, not a shared resource";
		return true;
	}
	bool recv = !strcmp(c->what, "chan receive") || !strcmp(c->what, "select") || !strcmp(c->what, "Cond.Wait");
	if (recv && c->mean_ns >= o->idle_mean_ms * 1e6) {
		c->reason = "few long waits for work (a worker parked on its queue, a ticker or event loop): idle, "
			    "not contention";
		return true;
	}
	return false;
}

static int cmp_rows(const void *a, const void *b, void *ctx)
{
	const struct contention_site *s = ctx;
	const struct contention_site *x = &s[*(const uint32_t *)a], *y = &s[*(const uint32_t *)b];
	if (x->rank_ns != y->rank_ns)
		return x->rank_ns > y->rank_ns ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* The call a site stands for (function, by its name's hash, and line),
 * for joining sites across profiles; 0 when it has no frames. */
static uint64_t call_key(const struct contention_site *c)
{
	const struct stack *st = &c->snap->stacks[c->stack];
	if (!st->nframes)
		return 0;
	const struct frame *f = snapshot_frame(c->snap, st, c->site);
	return hash_u64(c->snap->strs.hashes[f->func], f->line) | 1;
}

struct call_entry {
	uint64_t key;
	uint32_t site;
};

static int cmp_call_entries(const void *a, const void *b)
{
	const struct call_entry *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->site < y->site ? -1 : x->site > y->site; /* most delay first, as sites are */
}

/* A mutex-profile site at the very call where block-profile waiters wait
 * (same function and line) is contention at that call: one row. The mutex
 * sites sorted by call, each waiter finds its own by binary search. */
static void join_same_call(struct contention_result *r)
{
	struct call_entry *e = xmalloc((r->ncontention ? r->ncontention : 1) * sizeof(*e));
	uint32_t n = 0;
	for (uint32_t m = 0; m < r->ncontention; m++) {
		const struct contention_site *c = &r->sites[m];
		uint64_t key = call_key(c);
		if (c->snap->profile == PROF_MUTEX && !c->absorbed && key)
			e[n++] = (struct call_entry){key, m};
	}
	qsort(e, n, sizeof(*e), cmp_call_entries);
	for (uint32_t k = 0; k < r->ncontention && n; k++) {
		struct contention_site *w = &r->sites[k];
		uint64_t key = call_key(w);
		if (w->snap->profile == PROF_MUTEX || w->absorbed || !key)
			continue;
		uint32_t lo = 0, hi = n; /* first entry with this key */
		while (lo < hi) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (e[mid].key < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < n && e[lo].key == key; lo++) {
			struct contention_site *c = &r->sites[e[lo].site];
			if (c->absorbed)
				continue;
			c->absorbed = true;
			if (w->same_call < 0)
				w->same_call = (int32_t)e[lo].site;
			w->call_sites++;
			w->call_events += c->events;
			w->call_delay_ns += c->delay_ns;
			w->call_share += c->share;
			w->rank_ns = MAX(w->rank_ns, (double)w->call_delay_ns);
		}
	}
	free(e);
}

/* One row per lock: a holder site joins the row of its first (largest)
 * waiters, which ranks by the larger of the two delays. */
static void rank_rows(struct contention_result *r)
{
	r->rows = xmalloc((r->ncontention ? r->ncontention : 1) * sizeof(*r->rows));
	for (uint32_t k = 0; k < r->ncontention; k++) {
		struct contention_site *w = &r->sites[k];
		w->rank_ns = (double)w->delay_ns;
		if (w->holder < 0)
			continue;
		struct contention_site *h = &r->sites[w->holder];
		if (!h->idle && !h->absorbed) {
			h->absorbed = true;
			w->owns_holder = true;
			w->rank_ns = MAX((double)w->delay_ns, (double)h->delay_ns);
		}
	}
	join_same_call(r);
	for (uint32_t k = 0; k < r->ncontention; k++) {
		if (!r->sites[k].absorbed)
			r->rows[r->nrows++] = k;
		else
			r->sites[k].rank_ns = (double)r->sites[k].delay_ns;
	}
	qsort_r(r->rows, r->nrows, sizeof(*r->rows), cmp_rows, r->sites);
}

void contention_run(struct snapshot *const *snaps, uint32_t n, const struct contention_options *o,
		    struct contention_result *r)
{
	memset(r, 0, sizeof(*r));
	uint32_t cap = 0;
	r->all_empty = true;
	r->mutex_sampling = -1;
	for (uint32_t p = 0; p < n; p++) {
		const struct snapshot *s = snaps[p];
		if (!is_contention_profile(s))
			continue;
		r->nprofiles++;
		double window = s->duration_nanos > 0 ? (double)s->duration_nanos / 1e9 : 0;
		if (s->ngoroutines) {
			r->all_empty = false;
		} else if (s->profile == PROF_MUTEX) {
			r->mutex_empty = true;
			r->mutex_window_s = window;
			if (s->has_sampling_period)
				r->mutex_sampling = s->sampling_period;
		} else {
			r->block_empty = true;
			r->block_window_s = window;
		}
		/* sites of this profile, keyed by site frame (func, line) and primitive */
		struct u64map map = {0};
		uint32_t first = r->nsites;
		for (uint64_t i = 0; i < s->ngoroutines; i++) {
			const struct goroutine g_v = snapshot_goroutine(s, i), *g = &g_v;
			const struct stack *st = &s->stacks[g->stack];
			const char *what;
			int prim = find_primitive(s, st, &what);
			uint32_t site = site_frame(s, st, prim);
			const struct frame_view f = snapshot_frames(s, st);
			uint64_t key = hash_u64(hash_u64(hash_u64(0xc0, st->nframes ? FRAME(f, site).func : 0),
							  st->nframes ? FRAME(f, site).line : 0),
						(uint64_t)(uintptr_t)what);
			bool fresh;
			uint32_t *idx = u64map_upsert(&map, key, r->nsites, &fresh);
			uint64_t w = snapshot_weight(s, i), d = s->delays ? (uint64_t)s->delays[i] : 0;
			if (fresh) {
				if (r->nsites == cap) {
					cap = cap ? cap * 2 : 64;
					r->sites = xreallocarray(r->sites, cap, sizeof(*r->sites));
				}
				r->sites[r->nsites++] = (struct contention_site){
					.snap = s, .stack = g->stack, .site = site, .what = what,
					.via = prim >= 0 ? snapshot_str(s, FRAME(f, prim).func) : NULL};
			}
			struct contention_site *c = &r->sites[*idx];
			/* the representative stack: the one with the largest delay
			 * (its site frame is the same function and line, but it may
			 * stand at another depth, and the primitive may differ) */
			if (d > c->top_delay) {
				c->top_delay = d;
				c->stack = g->stack;
				c->site = site;
				c->via = prim >= 0 ? snapshot_str(s, FRAME(f, prim).func) : NULL;
			}
			c->events += w;
			c->delay_ns += d;
		}
		u64map_free(&map);
		uint64_t contention = 0;
		for (uint32_t k = first; k < r->nsites; k++) {
			struct contention_site *c = &r->sites[k];
			c->mean_ns = c->events ? (double)c->delay_ns / (double)c->events : 0;
			c->idle = judge_idle(c, &s->stacks[c->stack], o);
			r->events += c->events;
			if (c->idle)
				r->idle_delay_ns += c->delay_ns;
			else
				contention += c->delay_ns;
			r->delay_ns += c->delay_ns;
		}
		for (uint32_t k = first; k < r->nsites; k++) {
			struct contention_site *c = &r->sites[k];
			if (c->idle)
				continue;
			c->share = contention ? (double)c->delay_ns / (double)contention : 0;
			if (c->mean_ns >= o->min_mean_ms * 1e6) {
				c->flagged = true;
				c->reason = "long waits: the mean delay per event is over the threshold";
			} else if (c->events >= o->min_events) {
				c->flagged = true;
				c->reason = "many events: contended often";
			}
		}
	}
	/* goroutines parked right now at each site: the site frames by content
	 * (function, line), then each stack of each goroutine snapshot once */
	struct u64map at = {0};
	for (uint32_t k = 0; k < r->nsites; k++) {
		const struct contention_site *c = &r->sites[k];
		const struct stack *cst = &c->snap->stacks[c->stack];
		if (!cst->nframes)
			continue;
		const struct frame *cf = snapshot_frame(c->snap, cst, c->site);
		bool fresh;
		u64map_upsert(&at, hash_u64(c->snap->strs.hashes[cf->func], cf->line), k, &fresh);
	}
	for (uint32_t p = 0; p < n && at.count; p++) {
		const struct snapshot *g = snaps[p];
		if (is_contention_profile(g))
			continue;
		uint32_t *site_of = xmalloc((g->nstacks ? g->nstacks : 1) * sizeof(*site_of));
		for (uint32_t si = 0; si < g->nstacks; si++) {
			const struct stack *st = &g->stacks[si];
			const struct frame_view f = snapshot_frames(g, st);
			site_of[si] = UINT32_MAX;
			for (uint32_t j = 0; j < st->nframes && site_of[si] == UINT32_MAX; j++)
				if (!u64map_get(&at, hash_u64(g->strs.hashes[FRAME(f, j).func], FRAME(f, j).line), &site_of[si]))
					site_of[si] = UINT32_MAX;
		}
		for (uint64_t i = 0; i < g->ngoroutines; i++) {
			uint32_t k = site_of[snapshot_goroutine_stack(g, i)];
			if (k != UINT32_MAX)
				r->sites[k].parked_now += snapshot_weight(g, i);
		}
		free(site_of);
	}
	u64map_free(&at);
	if (r->nsites)
		qsort(r->sites, r->nsites, sizeof(*r->sites), cmp_sites);
	for (uint32_t k = 0; k < r->nsites && !r->sites[k].idle; k++)
		r->ncontention++;
	/* Waiters and holders of one lock: a block-profile site waiting in
	 * Lock/RLock and a mutex-profile site unlocking in the same function
	 * (the stacks name no lock, so the function is the link). */
	for (uint32_t k = 0; k < r->nsites; k++) {
		struct contention_site *w = &r->sites[k];
		w->holder = -1;
		w->same_call = -1;
		if (w->snap->profile == PROF_MUTEX || (strncmp(w->what, "lock", 4) && strncmp(w->what, "rwlock", 6)))
			continue;
		const struct stack *ws = &w->snap->stacks[w->stack];
		if (!ws->nframes)
			continue;
		uint64_t wf = w->snap->strs.hashes[(*snapshot_frame(w->snap, ws, w->site)).func];
		for (uint32_t h = 0; h < r->nsites; h++) {
			const struct contention_site *c = &r->sites[h];
			const struct stack *hs = &c->snap->stacks[c->stack];
			if (c->snap->profile != PROF_MUTEX || !hs->nframes)
				continue;
			if (c->snap->strs.hashes[(*snapshot_frame(c->snap, hs, c->site)).func] == wf) {
				w->holder = (int32_t)h;
				break;
			}
		}
	}
	rank_rows(r);
}

void contention_free(struct contention_result *r)
{
	free(r->sites);
	free(r->rows);
	memset(r, 0, sizeof(*r));
}
