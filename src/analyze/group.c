/* group.c: grouping, per-group summaries, snapshot totals and
 * single-snapshot leak suspicion (see group.h). Linear passes plus sorts of
 * small per-group vectors; memory is a few bytes per goroutine. */
#include "../base/common.h"
#include "group.h"
#include "../base/hash.h"
#include "../base/parallel.h"
#include "../base/sort.h"
#include "../base/u64map.h"
#include "../base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>

void group_options_default(struct group_options *o)
{
	memset(o, 0, sizeof(*o));
	o->by = GROUP_STACK;
	o->top_n = 3;
	o->leak_min_count = 10;
	o->leak_min_minutes = 10;
}

enum status group_by_parse(const char *s, struct group_options *o, struct err *err)
{
	if (!strcmp(s, "stack")) {
		o->by = GROUP_STACK;
	} else if (!strcmp(s, "creator")) {
		o->by = GROUP_CREATOR;
	} else if (!strcmp(s, "state")) {
		o->by = GROUP_STATE;
	} else if (!strncmp(s, "label:", 6)) {
		if (!s[6])
			return err_set(err, ST_USAGE, 0, 0, "bad --by value '%s': label:KEY needs a key", s);
		o->by = GROUP_LABEL;
		o->label_key = s + 6;
	} else if (!strncmp(s, "top=", 4)) {
		char *end;
		long n = strtol(s + 4, &end, 10);
		if (*end || n < 1 || n > 1000)
			return err_set(err, ST_USAGE, 0, 0, "bad --by value '%s': top=N needs N from 1 to 1000", s);
		o->by = GROUP_TOP;
		o->top_n = (uint32_t)n;
	} else {
		return err_set(err, ST_USAGE, 0, 0,
			       "bad --by value '%s': expected stack, top=N, creator, state or label:KEY", s);
	}
	return ST_OK;
}

const char *confidence_name(enum confidence c)
{
	static const char *const names[] = {"none", "low", "medium", "high", "proof"};
	return names[c];
}

/* ---- a u64 -> u32 map for coarse group keys ---- */

/* Value for key, inserting next_val when absent. */
static uint32_t keymap_get(struct u64map *m, uint64_t key, uint32_t next_val)
{
	bool inserted;
	return *u64map_upsert(m, key, next_val, &inserted);
}

static uint64_t frame_key(uint64_t h, const struct frame *f)
{
	h = hash_u64(h, f->func);
	h = hash_u64(h, f->file);
	return hash_u64(h, f->line);
}

/* Group key of a stack under the coarse modes. */
static uint64_t stack_key(const struct snapshot *s, uint32_t sid, const struct group_options *o)
{
	const struct stack *st = &s->stacks[sid];
	uint64_t h = 0x51ab;
	if (o->by == GROUP_TOP) {
		const struct frame_view f = snapshot_frames(s, st);
		for (uint32_t i = 0; i < st->nframes && i < o->top_n; i++)
			h = frame_key(h, &FRAME(f, i));
		return h;
	}
	/* GROUP_CREATOR */
	if (st->flags & STACK_HAS_CREATOR)
		return frame_key(h, &st->creator);
	return 0; /* no creator: main and runtime-started goroutines */
}

/* distinct values and the most frequent one of a sorted vector */
static void mode_of(const uint64_t *v, uint64_t n, uint64_t *distinct, uint64_t *top, uint64_t *top_count)
{
	*distinct = 0;
	*top = 0;
	*top_count = 0;
	for (uint64_t i = 0; i < n;) {
		uint64_t j = i;
		while (j < n && v[j] == v[i])
			j++;
		(*distinct)++;
		if (j - i > *top_count) {
			*top_count = j - i;
			*top = v[i];
		}
		i = j;
	}
}

static bool goroutine_is_system(const struct snapshot *s, const struct goroutine *g)
{
	/* goroutine 0 is a thread's g0 (profile samples have no id) */
	return (g->id == 0 && !(g->flags & G_SAMPLE)) || (s->stacks[g->stack].flags & STACK_SYSTEM);
}

static void add_state(struct group *gr, uint32_t state, uint64_t w)
{
	for (uint32_t k = 0; k < gr->nstates; k++) {
		if (gr->states[k].state == state) {
			gr->states[k].count += w;
			return;
		}
	}
	if (gr->nstates < GROUP_MAX_STATES)
		gr->states[gr->nstates++] = (struct state_count){state, w};
	else
		gr->other_states += w;
}

/* The value of label key (a strtab id) in labelset labels, 0 when unset. */
static uint32_t label_value(const struct snapshot *s, uint32_t labels, uint32_t key)
{
	uint32_t kv[2 * 64];
	uint32_t n = labels && key ? snapshot_labels(s, labels, kv, 64) : 0;
	for (uint32_t i = 0; i < n; i++)
		if (kv[2 * i] == key)
			return kv[2 * i + 1];
	return 0;
}

static int cmp_state_count(const void *a, const void *b)
{
	const struct state_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->state < y->state ? -1 : x->state > y->state;
}

enum { PREFETCH_AHEAD = 16 };

/* Fill gr (its states into gr->states, room for GROUP_MAX_STATES) and r
 * from its n members. stack_seen[stack] == stamp marks stacks
 * already counted for this group (stamp: unique per group, never 0). The
 * scratch vectors are sized by the caller to the largest group; the wait
 * objects and the parents take turns in the one 64-bit vector, so the
 * scratch is 12 bytes per goroutine of the largest group. */
static void summarise(const struct snapshot *s, struct group *gr, struct group_records *r, uint32_t stamp,
		      const uint32_t *members, uint64_t n, uint32_t *mins, uint64_t *vals, uint32_t *stack_seen,
		      bool one_stack)
{
	uint64_t nmin = 0, nobj = 0, npar = 0, nprim = 0;
	bool labels_same = true;
	/* a group of one stack need not read its members' stacks: one cache
	 * miss less for each */
	gr->nstacks = one_stack && n;
	for (uint64_t k = 0; k < n; k++) {
		/* Members lie scattered over the goroutine table: ask for the
		 * ones a few steps ahead so their cache misses overlap. */
		if (k + PREFETCH_AHEAD < n) {
			uint64_t ahead = members[k + PREFETCH_AHEAD];
			const struct gchunk *c = &s->gchunks[ahead >> G_CHUNK_BITS];
			uint32_t j = ahead & (G_CHUNK - 1);
			if (!one_stack)
				__builtin_prefetch(&c->stack[j]);
			__builtin_prefetch(&c->state[j]);
			__builtin_prefetch(&c->flags[j]);
			if (c->minutes)
				__builtin_prefetch(&c->minutes[j]);
		}
		/* the columns this needs, not the whole record (snapshot.h) */
		const struct gchunk *c = &s->gchunks[members[k] >> G_CHUNK_BITS];
		uint32_t j = members[k] & (G_CHUNK - 1), flags = c->flags[j];
		uint32_t labels = c->labels ? c->labels[j] : 0;
		uint64_t w = snapshot_weight(s, members[k]);
		gr->count += w;
		if (s->delays)
			gr->delay_ns += (uint64_t)s->delays[members[k]];
		if (!one_stack && stack_seen[c->stack[j]] != stamp) {
			stack_seen[c->stack[j]] = stamp;
			gr->nstacks++;
		}
		add_state(gr, c->state[j], w);
		if (flags & G_HAS_MINUTES) /* (all "0 minutes" leave no column) */
			mins[nmin++] = c->minutes ? c->minutes[j] : 0;
		if (flags & (G_HAS_OBJECT | G_OBJECT_ARG)) {
			nobj++;
			if (flags & G_HAS_OBJECT)
				nprim++;
		}
		if (flags & G_HAS_PARENT)
			npar++;
		if (flags & G_LOCKED)
			r->locked += w;
		if (flags & G_LEAKED)
			gr->leaked += w;
		if (flags & G_DURABLE)
			r->durable += w;
		if (flags & G_TRUNCATED)
			r->truncated += w;
		if (flags & G_BUBBLE)
			r->bubbled += w;
		if (labels)
			gr->labelled += w;
		if (k == 0)
			gr->labels = labels;
		else if (labels != gr->labels)
			labels_same = false;
		if (r->nids < GROUP_SAMPLE_IDS && !(flags & G_SAMPLE))
			r->ids[r->nids++] = gcol64_get(&c->id, j);
	}
	if (!labels_same)
		gr->labels = 0;
	qsort(gr->states, gr->nstates, sizeof(gr->states[0]), cmp_state_count);
	if (nmin) {
		sort_u32(mins, nmin);
		r->has_minutes = true;
		r->with_minutes = nmin;
		r->min_minutes = mins[0];
		r->median_minutes = mins[nmin / 2];
		r->max_minutes = mins[nmin - 1];
	}
	if (nobj) {
		uint64_t m = 0;
		for (uint64_t k = 0; k < n; k++) {
			const struct gchunk *c = &s->gchunks[members[k] >> G_CHUNK_BITS];
			uint32_t j = members[k] & (G_CHUNK - 1);
			if (c->flags[j] & (G_HAS_OBJECT | G_OBJECT_ARG))
				vals[m++] = gcol64_get(&c->object, j);
		}
		sort_u64(vals, nobj);
		r->with_object = nobj;
		r->object_from_primitive = nprim * 2 >= nobj;
		mode_of(vals, nobj, &r->distinct_objects, &r->top_object, &r->top_object_count);
	}
	if (npar) {
		uint64_t m = 0;
		for (uint64_t k = 0; k < n; k++) {
			const struct gchunk *c = &s->gchunks[members[k] >> G_CHUNK_BITS];
			uint32_t j = members[k] & (G_CHUNK - 1);
			if (c->flags[j] & G_HAS_PARENT)
				vals[m++] = gcol64_get(&c->parent, j);
		}
		sort_u64(vals, npar);
		r->with_parent = npar;
		mode_of(vals, npar, &r->distinct_parents, &r->top_parent, &r->top_parent_count);
	}
}

static int cmp_groups(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	uint64_t ix = x->rec->nids ? x->rec->ids[0] : 0, iy = y->rec->nids ? y->rec->ids[0] : 0;
	return ix < iy ? -1 : ix > iy;
}

static bool is_kept(const uint64_t *kept, uint64_t i)
{
	return kept[i >> 6] >> (i & 63) & 1;
}

/* Totals over the goroutines shown (kept: a bit per goroutine), in input
 * order (the longest waits keep the first of equals). */
static void totals(struct analysis *a, const uint64_t *kept)
{
	const struct snapshot *s = a->snap;
	uint32_t cap = 16;
	a->states = xcalloc(cap, sizeof(*a->states));
	/* The class depends on the state, and for "semacquire" on the stack:
	 * cache both so the reason strings are compared once each. */
	uint8_t *state_class = xmalloc(s->strs.count);
	memset(state_class, 0xff, s->strs.count);
	uint8_t *stack_class = xmalloc(s->nstacks ? s->nstacks : 1);
	memset(stack_class, 0xff, s->nstacks ? s->nstacks : 1);
	/* where each state is counted in a->states (UINT32_MAX: not yet) */
	uint32_t *state_slot = xmalloc(s->strs.count * sizeof(*state_slot));
	memset(state_slot, 0xff, s->strs.count * sizeof(*state_slot));
	for (uint64_t i = 0; i < s->ngoroutines; i++) {
		if (!is_kept(kept, i))
			continue;
		/* the columns this needs, not the whole record (snapshot.h) */
		const struct gchunk *ch = &s->gchunks[i >> G_CHUNK_BITS];
		uint32_t j = (uint32_t)(i & (G_CHUNK - 1)), state = ch->state[j], stack = ch->stack[j];
		if (state_class[state] == 0xff)
			state_class[state] = strncmp(snapshot_str(s, state), "semacquire", 10) == 0
						     ? 0xfe
						     : (uint8_t)wait_class_of(s, state, NULL);
		uint8_t c = state_class[state];
		if (c == 0xfe) {
			if (stack_class[stack] == 0xff)
				stack_class[stack] = (uint8_t)wait_class_of(s, state, &s->stacks[stack]);
			c = stack_class[stack];
		}
		uint64_t w = snapshot_weight(s, i);
		a->by_class[c] += w;
		uint32_t k = state_slot[state];
		if (k == UINT32_MAX) {
			if (a->nstates == cap) {
				cap *= 2;
				a->states = xreallocarray(a->states, cap, sizeof(*a->states));
			}
			k = state_slot[state] = a->nstates;
			a->states[a->nstates++] = (struct state_count){state, 0};
		}
		a->states[k].count += w;
		if (ch->flags[j] & G_HAS_MINUTES) {
			/* keep the LONGEST_WAITS longest, longest first */
			uint32_t minutes = ch->minutes ? ch->minutes[j] : 0, pos = a->nlongest;
			while (pos > 0 && a->longest[pos - 1].minutes < minutes)
				pos--;
			if (pos < LONGEST_WAITS) {
				uint32_t last = a->nlongest < LONGEST_WAITS ? a->nlongest : LONGEST_WAITS - 1;
				memmove(&a->longest[pos + 1], &a->longest[pos], (last - pos) * sizeof(a->longest[0]));
				a->longest[pos] = (struct longest_wait){gcol64_get(&ch->id, j), minutes, state, stack};
				if (a->nlongest < LONGEST_WAITS)
					a->nlongest++;
			}
		}
	}
	free(state_class);
	free(stack_class);
	free(state_slot);
	qsort(a->states, a->nstates, sizeof(*a->states), cmp_state_count);
}

static int cmp_shared_object(const void *a, const void *b)
{
	const struct shared_object *x = a, *y = b;
	return x->object < y->object ? -1 : x->object > y->object;
}

/* Keep the SHARED_OBJECTS with most waiters among the candidates c (in
 * object order, so equals keep the lower object first). */
static void pick_shared(struct analysis *a, struct shared_object *c, uint32_t n)
{
	if (n)
		qsort(c, n, sizeof(*c), cmp_shared_object);
	for (uint32_t i = 0; i < n; i++) {
		const struct shared_object *so = &c[i];
		if (so->waiters < 3 || so->groups < 2)
			continue; /* one group's own note already says it */
		uint32_t pos = a->nshared;
		while (pos > 0 && a->shared[pos - 1].waiters < so->waiters)
			pos--;
		if (pos >= SHARED_OBJECTS)
			continue;
		uint32_t last = a->nshared < SHARED_OBJECTS ? a->nshared : SHARED_OBJECTS - 1;
		memmove(&a->shared[pos + 1], &a->shared[pos], (last - pos) * sizeof(a->shared[0]));
		a->shared[pos] = *so;
		if (a->nshared < SHARED_OBJECTS)
			a->nshared++;
	}
}

/* Objects waited on (G_HAS_OBJECT) by goroutines from more than one group,
 * three at least. Most waits are on an object of their own (a channel each):
 * a first pass counts waiters per hash slot (two bits, saturating at 3) in
 * a table of a bit per wait, a second marks the waits whose slot reached 3,
 * and only those are added up. A slot shared by chance lets a few more
 * through, never one fewer: the result is exact, and the memory does not
 * grow with the waits on objects of their own. The adding up visits the
 * groups in rank order, their members in input order, so an object's first
 * waiter and its groups come in the order the report gives them. */
static void shared_objects(struct analysis *a, const uint64_t *shown)
{
	const struct snapshot *s = a->snap;
	/* Counting and marking need no order: they read the goroutines shown
	 * (the members of the groups kept) in input order, column by column,
	 * instead of hopping over the table group by group. */
	uint64_t waits = 0;
	for (uint64_t i = 0; i < s->ngoroutines; i++)
		waits += is_kept(shown, i) && (s->gchunks[i >> G_CHUNK_BITS].flags[i & (G_CHUNK - 1)] & G_HAS_OBJECT);
	if (waits < 3)
		return;
	uint64_t slots = 64;
	while (slots < waits * 4)
		slots *= 2;
	uint8_t *count = xcalloc(slots / 4, 1); /* 2 bits a slot */
	uint64_t *candidates = NULL;            /* a bit per goroutine whose slot reached 3 */
	for (int pass = 0; pass < 2; pass++) {
		for (uint64_t i = 0; i < s->ngoroutines; i++) {
			const struct gchunk *ch = &s->gchunks[i >> G_CHUNK_BITS];
			uint32_t j = i & (G_CHUNK - 1);
			if (!is_kept(shown, i) || !(ch->flags[j] & G_HAS_OBJECT))
				continue;
			uint64_t slot = hash_u64(0x0b1ec7, gcol64_get(&ch->object, j)) & (slots - 1);
			uint8_t *byte = &count[slot >> 2];
			unsigned shift = (unsigned)(slot & 3) * 2, c = (*byte >> shift) & 3;
			if (pass == 0 && c < 3)
				*byte = (uint8_t)(*byte + (1u << shift));
			else if (pass == 1 && c == 3)
				candidates[i >> 6] |= (uint64_t)1 << (i & 63);
		}
		if (pass == 0)
			candidates = xcalloc(s->ngoroutines / 64 + 1, sizeof(*candidates));
	}
	free(count);
	/* Adding up goes in rank order, and reads only the marked records. */
	struct u64map index = {0};               /* object -> candidate */
	struct shared_object *cand = NULL;
	uint32_t *last_group = NULL, ncand = 0, cap = 0;
	for (uint32_t gi = 0; gi < a->ngroups; gi++) {
		const struct group *gr = &a->groups[gi];
		for (uint64_t k = 0; k < gr->nmembers; k++) {
			uint32_t i = a->members[gr->first_member + k];
			if (!is_kept(candidates, i) || ncand == UINT32_MAX - 1)
				continue;
			/* the columns this needs, not the whole record */
			const struct gchunk *ch = &s->gchunks[i >> G_CHUNK_BITS];
			uint32_t j = i & (G_CHUNK - 1), flags = ch->flags[j];
			uint64_t object = gcol64_get(&ch->object, j);
			bool inserted;
			uint32_t at = *u64map_upsert(&index, object, ncand, &inserted);
			if (inserted) {
				if (ncand == cap) {
					cap = cap ? cap * 2 : 64;
					cand = xreallocarray(cand, cap, sizeof(*cand));
					last_group = xreallocarray(last_group, cap, sizeof(*last_group));
				}
				cand[ncand] = (struct shared_object){.object = object, .first_group = gi, .state = ch->state[j]};
				last_group[ncand++] = UINT32_MAX;
			}
			struct shared_object *so = &cand[at];
			so->waiters++;
			if (last_group[at] != gi) {
				so->groups++;
				last_group[at] = gi;
				if (so->nlisted < ARRAY_LEN(so->group_list))
					so->group_list[so->nlisted++] = gi;
			}
			if (flags & G_HAS_MINUTES) {
				so->has_minutes = true;
				so->max_minutes = MAX(so->max_minutes, ch->minutes ? ch->minutes[j] : 0);
			}
		}
	}
	free(candidates);
	pick_shared(a, cand, ncand);
	free(cand);
	free(last_group);
	u64map_free(&index);
}

const struct group_records group_records_none;

static bool records_empty(const struct group_records *r)
{
	return !r->nids && !r->with_minutes && !r->locked && !r->durable && !r->truncated && !r->bubbled &&
	       !r->with_parent && !r->with_object;
}

/* An array that grows by doubling, then is cut to its length. */
struct pool {
	void *v;
	size_t len, cap;
};

static void *pool_take(struct pool *p, size_t n, size_t size)
{
	if (p->len + n > p->cap) {
		p->cap = MAX(p->cap * 2, p->len + n + 64);
		p->v = xreallocarray(p->v, p->cap, size);
	}
	void *at = (char *)p->v + p->len * size;
	p->len += n;
	return at;
}

static void *pool_fit(struct pool *p, size_t size)
{
	return p->len ? xreallocarray(p->v, p->len, size) : (free(p->v), NULL);
}

/* Which group a goroutine belongs to under the options, the groups
 * numbered in order of first appearance. Asked twice of every goroutine
 * (to size the groups, then to fill them), which costs less than keeping
 * an index per goroutine. */
struct grouper {
	const struct snapshot *s;
	const struct group_options *o;
	uint32_t *stack_group;  /* by stack, top=N, creator: stack -> group */
	struct u64map map;      /* coarse key -> group */
	struct u64map values;   /* --by label:KEY: label set -> its value (group_value) */
	uint32_t *group_value, group_value_cap;
	uint32_t label_key;
	uint32_t ngroups;
};

enum { G_HIDDEN = UINT32_MAX, G_FILTERED = UINT32_MAX - 1 };

/* G_HIDDEN or G_FILTERED when goroutine i (in chunk c, at j) is left
 * out under the options, else 0. */
static uint32_t left_out(const struct snapshot *s, const struct group_options *o, const struct gchunk *c, uint32_t j)
{
	/* goroutine_is_system: goroutine 0 is a thread's g0 (profile samples have no id) */
	if (!o->include_system && ((s->stacks[c->stack[j]].flags & STACK_SYSTEM) ||
				   (!(c->flags[j] & G_SAMPLE) && gcol64_get(&c->id, j) == 0)))
		return G_HIDDEN;
	if (o->filter && o->filter->nlabels && !filter_labels_match(o->filter, s, c->labels ? c->labels[j] : 0))
		return G_FILTERED;
	return 0;
}

/* (reads only the columns it needs: it runs twice over every goroutine) */
static uint32_t group_of(struct grouper *gp, uint64_t i)
{
	const struct snapshot *s = gp->s;
	const struct group_options *o = gp->o;
	const struct gchunk *c = &s->gchunks[i >> G_CHUNK_BITS];
	uint32_t j = (uint32_t)(i & (G_CHUNK - 1)), stack = c->stack[j];
	uint32_t out = left_out(s, o, c, j);
	if (out)
		return out;
	uint32_t labels = c->labels ? c->labels[j] : 0;
	uint32_t gi;
	if (o->by == GROUP_STATE) {
		gi = keymap_get(&gp->map, c->state[j], gp->ngroups);
	} else if (o->by == GROUP_LABEL) {
		/* label sets are few: look each one's value up once */
		uint32_t before = gp->values.count;
		uint32_t v = keymap_get(&gp->values, labels, before);
		if (gp->values.count != before) {
			if (v >= gp->group_value_cap) {
				gp->group_value_cap = MAX(gp->group_value_cap * 2, 64u);
				gp->group_value = xreallocarray(gp->group_value, gp->group_value_cap, sizeof(*gp->group_value));
			}
			gp->group_value[v] = label_value(s, labels, gp->label_key);
		}
		gi = keymap_get(&gp->map, gp->group_value[v], gp->ngroups);
	} else if (gp->stack_group[stack] != UINT32_MAX) {
		gi = gp->stack_group[stack];
	} else {
		gi = o->by == GROUP_STACK ? gp->ngroups : keymap_get(&gp->map, stack_key(s, stack, o), gp->ngroups);
		gp->stack_group[stack] = gi;
	}
	if (gi == gp->ngroups)
		gp->ngroups++;
	return gi;
}

/* Summaries are made SUMMARY_BATCH groups at a time (the batch's
 * summaries are 400 bytes a group until kept), split over the cores when
 * the snapshot has at least SPLIT_MEMBERS members. */
enum { SUMMARY_BATCH = 4096, SPLIT_MEMBERS = 1 << 16, MAX_PIECES = 16 };

struct summary {
	struct group g;
	struct group_records rec;
	struct state_count states[GROUP_MAX_STATES];
};

/* What one piece summarises with: scratch sized to its largest group, kept
 * from batch to batch; and a mark per stack (NULL when each group is one
 * stack). */
struct piece_scratch {
	uint32_t *mins;
	uint64_t *vals;
	uint64_t cap;
	uint32_t *seen;
};

/* The groups [from, to) of a snapshot, summarised into v[g - from] in
 * npieces pieces of about as many members each. */
struct summary_batch {
	const struct snapshot *s;
	const struct group_options *o;
	uint32_t label_key;
	const uint32_t *members;
	const uint64_t *start;      /* group g's members: members[start[g] .. start[g + 1]) */
	uint32_t from, to, npieces;
	struct summary *v;
	struct piece_scratch scratch[MAX_PIECES];
};

/* The first group of [lo, hi) whose members start at or after m. */
static uint32_t group_starting_at(const uint64_t *start, uint32_t lo, uint32_t hi, uint64_t m)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (start[mid] < m)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void summarise_piece(void *ctx, uint32_t piece)
{
	struct summary_batch *b = ctx;
	const struct snapshot *s = b->s;
	bool one_stack = b->o->by == GROUP_STACK;
	uint64_t m0 = b->start[b->from], total = b->start[b->to] - m0;
	uint32_t g0 = group_starting_at(b->start, b->from, b->to, m0 + total * piece / b->npieces);
	uint32_t g1 = piece + 1 == b->npieces
			      ? b->to
			      : group_starting_at(b->start, b->from, b->to, m0 + total * (piece + 1) / b->npieces);
	struct piece_scratch *sc = &b->scratch[piece];
	uint64_t largest = 1;
	for (uint32_t g = g0; g < g1; g++)
		largest = MAX(largest, b->start[g + 1] - b->start[g]);
	if (largest > sc->cap) {
		free(sc->mins);
		free(sc->vals);
		sc->mins = xmalloc(largest * sizeof(*sc->mins));
		sc->vals = xmalloc(largest * sizeof(*sc->vals));
		sc->cap = largest;
	}
	if (!one_stack && !sc->seen)
		sc->seen = xcalloc(s->nstacks ? s->nstacks : 1, sizeof(*sc->seen));
	for (uint32_t g = g0; g < g1; g++) {
		struct summary *sm = &b->v[g - b->from];
		memset(sm, 0, sizeof(*sm));
		struct group *gr = &sm->g;
		gr->states = sm->states;
		uint64_t cnt = b->start[g + 1] - b->start[g];
		const uint32_t *mem = b->members + b->start[g];
		gr->nmembers = (uint32_t)cnt; /* members are goroutine records: < G_MAX */
		gr->first_member = (uint32_t)b->start[g];
		gr->stack = snapshot_goroutine_stack(s, mem[0]);
		if (b->o->by == GROUP_LABEL)
			gr->label_value = label_value(s, snapshot_goroutine_labels(s, mem[0]), b->label_key);
		const struct goroutine first = snapshot_goroutine(s, mem[0]);
		gr->system = goroutine_is_system(s, &first);
		summarise(s, gr, &sm->rec, g + 1, mem, cnt, sc->mins, sc->vals, sc->seen, one_stack);
	}
}

/* ---- grouping on every core ----
 * Grouping by stack (or by what a stack maps to: top=N, creator) of a big
 * snapshot, split over the cores by goroutine: each piece counts its
 * goroutines per stack and notes where each stack first appears; the
 * groups are then numbered in order of first appearance (what the single
 * pass over the goroutines does), and each piece writes its members at
 * the place the pieces before it leave, in input order. So the groups,
 * their numbers and their members are the same as on one core. */
struct group_split {
	const struct snapshot *s;
	const struct group_options *o;
	uint32_t npieces;
	uint64_t step;               /* goroutines a piece, a multiple of 64 */
	uint32_t **count;            /* [piece][stack]: members */
	uint32_t **first;            /* [piece][stack]: first goroutine, UINT32_MAX if none */
	uint64_t *hidden, *filtered; /* [piece]: weight left out */
	const uint32_t *stack_group;
	uint64_t **fill;             /* [piece][group]: where its next member goes */
	uint32_t *members;
	uint64_t *shown;
};

static void count_piece(void *ctx, uint32_t p)
{
	struct group_split *g = ctx;
	const struct snapshot *s = g->s;
	uint64_t lo = g->step * p, hi = MIN(s->ngoroutines, lo + g->step);
	uint32_t *count = g->count[p] = xcalloc(s->nstacks ? s->nstacks : 1, sizeof(uint32_t));
	uint32_t *first = g->first[p] = xmalloc((s->nstacks ? s->nstacks : 1) * sizeof(uint32_t));
	memset(first, 0xff, s->nstacks * sizeof(uint32_t));
	uint64_t hidden = 0, filtered = 0; /* (summed here: the pieces' slots share a cache line) */
	for (uint64_t i = lo; i < hi; i++) {
		const struct gchunk *c = &s->gchunks[i >> G_CHUNK_BITS];
		uint32_t j = (uint32_t)(i & (G_CHUNK - 1)), out = left_out(s, g->o, c, j), stack = c->stack[j];
		if (out) {
			*(out == G_HIDDEN ? &hidden : &filtered) += snapshot_weight(s, i);
			continue;
		}
		if (!count[stack]++)
			first[stack] = (uint32_t)i; /* i < G_MAX (snapshot.h) */
	}
	g->hidden[p] = hidden;
	g->filtered[p] = filtered;
}

static void fill_piece(void *ctx, uint32_t p)
{
	struct group_split *g = ctx;
	const struct snapshot *s = g->s;
	uint64_t lo = g->step * p, hi = MIN(s->ngoroutines, lo + g->step), *fill = g->fill[p];
	for (uint64_t i = lo; i < hi; i++) {
		const struct gchunk *c = &s->gchunks[i >> G_CHUNK_BITS];
		uint32_t j = (uint32_t)(i & (G_CHUNK - 1));
		if (left_out(s, g->o, c, j))
			continue;
		g->members[fill[g->stack_group[c->stack[j]]]++] = (uint32_t)i;
		/* (pieces start at multiples of 64: no word is shared) */
		g->shown[i >> 6] |= (uint64_t)1 << (i & 63);
	}
}

/* The grouping of analyse() steps 1 and 2 on npieces cores: fills a's
 * left-out weights, *start (group g's members: members[start[g] ..
 * start[g + 1])), *members and *shown; returns the number of groups. */
static uint32_t group_split(const struct snapshot *s, const struct group_options *o, struct analysis *a,
			    uint32_t npieces, uint64_t **start_out, uint32_t **members_out, uint64_t **shown_out)
{
	uint64_t n = s->ngoroutines;
	struct group_split g = {.s = s, .o = o, .npieces = npieces};
	g.step = (n / npieces + 63) & ~(uint64_t)63;
	g.count = xcalloc(npieces, sizeof(*g.count));
	g.first = xcalloc(npieces, sizeof(*g.first));
	g.hidden = xcalloc(npieces, sizeof(*g.hidden));
	g.filtered = xcalloc(npieces, sizeof(*g.filtered));
	parallel_for(npieces, count_piece, &g);

	/* the stacks met, in order of first appearance */
	struct keyed *order = xmalloc((s->nstacks ? s->nstacks : 1) * sizeof(*order));
	uint32_t nmet = 0;
	for (uint32_t st = 0; st < s->nstacks; st++) {
		uint32_t f = UINT32_MAX;
		for (uint32_t p = 0; p < npieces && f == UINT32_MAX; p++)
			f = g.first[p][st]; /* the pieces are in input order */
		if (f != UINT32_MAX)
			order[nmet++] = (struct keyed){f, st};
	}
	sort_keyed(order, nmet);
	/* numbered as group_of numbers them */
	uint32_t *stack_group = xmalloc((s->nstacks ? s->nstacks : 1) * sizeof(*stack_group));
	struct u64map map = {0};
	uint32_t ngroups = 0;
	for (uint32_t k = 0; k < nmet; k++) {
		uint32_t st = order[k].val;
		uint32_t gi = o->by == GROUP_STACK ? ngroups : keymap_get(&map, stack_key(s, st, o), ngroups);
		if (gi == ngroups)
			ngroups++;
		stack_group[st] = gi;
	}
	u64map_free(&map);
	free(order);

	/* each piece's members of each group go after the pieces' before it */
	uint64_t *start = xcalloc((size_t)ngroups + 1, sizeof(*start));
	g.fill = xcalloc(npieces, sizeof(*g.fill));
	for (uint32_t p = 0; p < npieces; p++)
		g.fill[p] = xcalloc(ngroups ? ngroups : 1, sizeof(uint64_t));
	for (uint32_t st = 0; st < s->nstacks; st++) {
		for (uint32_t p = 0; p < npieces; p++) {
			if (!g.count[p][st])
				continue;
			uint32_t gi = stack_group[st];
			for (uint32_t q = p + 1; q < npieces; q++)
				g.fill[q][gi] += g.count[p][st];
			start[gi + 1] += g.count[p][st];
		}
	}
	for (uint32_t gi = 0; gi < ngroups; gi++)
		start[gi + 1] += start[gi];
	for (uint32_t p = 0; p < npieces; p++)
		for (uint32_t gi = 0; gi < ngroups; gi++)
			g.fill[p][gi] += start[gi];
	g.stack_group = stack_group;
	g.members = xmalloc((start[ngroups] ? start[ngroups] : 1) * sizeof(*g.members));
	g.shown = xcalloc(n / 64 + 1, sizeof(*g.shown));
	parallel_for(npieces, fill_piece, &g);

	for (uint32_t p = 0; p < npieces; p++) {
		a->hidden_system += g.hidden[p];
		a->filtered_out += g.filtered[p];
		free(g.count[p]);
		free(g.first[p]);
		free(g.fill[p]);
	}
	free(g.count);
	free(g.first);
	free(g.fill);
	free(g.hidden);
	free(g.filtered);
	free(stack_group);
	*start_out = start;
	*members_out = g.members;
	*shown_out = g.shown;
	return ngroups;
}

/* analyse() steps 1 and 2 in one pass each over the goroutines: fills
 * a's left-out weights, *start (group g's members: members[start[g] ..
 * start[g + 1])), *members and *shown; returns the number of groups. */
static uint32_t group_serial(const struct snapshot *s, const struct group_options *o, struct analysis *a,
			     uint64_t **start_out, uint32_t **members_out, uint64_t **shown_out)
{
	uint64_t n = s->ngoroutines;
	struct grouper gp = {.s = s, .o = o, .label_key = a->label_key};
	gp.stack_group = xmalloc((s->nstacks ? s->nstacks : 1) * sizeof(*gp.stack_group));
	for (uint32_t i = 0; i < s->nstacks; i++)
		gp.stack_group[i] = UINT32_MAX;

	/* 1. the groups and their sizes (start[g + 1], made cumulative below) */
	uint64_t *start = xcalloc(65, sizeof(*start));
	uint32_t start_cap = 64;
	for (uint64_t i = 0; i < n; i++) {
		uint32_t gi = group_of(&gp, i);
		if (gi == G_HIDDEN || gi == G_FILTERED) {
			*(gi == G_HIDDEN ? &a->hidden_system : &a->filtered_out) += snapshot_weight(s, i);
			continue;
		}
		if (gi >= start_cap) {
			start = xreallocarray(start, (size_t)start_cap * 2 + 1, sizeof(*start));
			memset(start + start_cap + 1, 0, start_cap * sizeof(*start));
			start_cap *= 2;
		}
		start[gi + 1]++;
	}
	uint32_t ngroups = gp.ngroups;

	/* 2. members of each group, in input order (counting sort) */
	for (uint32_t g = 0; g < ngroups; g++)
		start[g + 1] += start[g];
	uint64_t members_n = start[ngroups];
	uint32_t *members = xmalloc((members_n ? members_n : 1) * sizeof(*members));
	uint64_t *fill = xmalloc(((size_t)ngroups + 1) * sizeof(*fill));
	memcpy(fill, start, ((size_t)ngroups + 1) * sizeof(*fill));
	/* from here on a bit per goroutine says whether it is shown */
	uint64_t *shown = xcalloc(n / 64 + 1, sizeof(*shown));
	for (uint64_t i = 0; i < n; i++) {
		uint32_t gi = group_of(&gp, i);
		if (gi == G_HIDDEN || gi == G_FILTERED)
			continue;
		members[fill[gi]++] = (uint32_t)i; /* i < G_MAX (snapshot.h) */
		shown[i >> 6] |= (uint64_t)1 << (i & 63);
	}
	free(fill);
	u64map_free(&gp.values);
	free(gp.group_value);
	free(gp.stack_group);
	u64map_free(&gp.map);
	*start_out = start;
	*members_out = members;
	*shown_out = shown;
	return ngroups;
}

/* Pieces to split work on count goroutines into (1: none). */
static uint32_t pieces_for(uint64_t count, const struct group_options *o, bool may_split)
{
	return may_split && count >= SPLIT_MEMBERS
		       ? MIN(parallel_threads(o->threads ? o->threads : UINT32_MAX), (unsigned)MAX_PIECES)
		       : 1;
}

static void analyse(const struct snapshot *s, const struct group_options *o, struct analysis *a, bool may_split)
{
	memset(a, 0, sizeof(*a));
	a->snap = s;
	a->opt = *o;
	uint64_t n = s->ngoroutines;
	a->total = s->weights ? s->total_weight : n;
	a->total_delay_ns = s->delays ? (uint64_t)s->total_delay : 0;
	const struct filter *f = o->filter;
	bool by_label = o->by == GROUP_LABEL;
	if (by_label)
		a->label_key = strtab_find(&s->strs, o->label_key, strlen(o->label_key));
	/* 1. the groups and their sizes; 2. their members, in input order
	 * (grouping by stack on every core, or --threads, for a big dump) */
	uint32_t npieces = pieces_for(n, o, may_split);
	uint64_t *start, *shown;
	uint32_t *members, ngroups;
	if (npieces > 1 && o->by != GROUP_STATE && o->by != GROUP_LABEL)
		ngroups = group_split(s, o, a, npieces, &start, &members, &shown);
	else
		ngroups = group_serial(s, o, a, &start, &members, &shown);
	a->members = members;
	uint64_t members_n = start[ngroups];

	/* 3. summarise, filter, judge. Groups are summarised a batch at a
	 * time (on every core, or --threads, for a big dump: members lie scattered over the
	 * goroutine table, and each thread waits on its own cache misses),
	 * then filtered and kept in group order. A kept group's states and
	 * records go into pools in group order; the pointers are set once the
	 * pools stop growing (records only for the groups that have any). */
	a->groups = xcalloc(ngroups ? ngroups : 1, sizeof(*a->groups));
	struct summary_batch sb = {
		.s = s, .o = o, .label_key = a->label_key, .members = members, .start = start,
		.v = xmalloc(MIN(ngroups ? ngroups : 1, (uint32_t)SUMMARY_BATCH) * sizeof(*sb.v)),
		.npieces = pieces_for(members_n, o, may_split),
	};
	struct pool states_pool = {0}, records_pool = {0};
	uint32_t kept = 0;
	for (uint32_t from = 0; from < ngroups; from += SUMMARY_BATCH) {
		sb.from = from;
		sb.to = MIN(ngroups, from + (uint32_t)SUMMARY_BATCH);
		if (sb.npieces > 1)
			parallel_for(sb.npieces, summarise_piece, &sb);
		else
			summarise_piece(&sb, 0);
		for (uint32_t gi = sb.from; gi < sb.to; gi++) {
			struct summary *sm = &sb.v[gi - sb.from];
			struct group *gr = &sm->g; /* (its states: sm->states) */
			if (f && (f->has_match || f->has_drop)) {
				uint32_t st_ids[GROUP_MAX_STATES];
				for (uint32_t k = 0; k < gr->nstates; k++)
					st_ids[k] = gr->states[k].state;
				const struct stack *st = &s->stacks[gr->stack];
				bool keep = true;
				if (f->has_match && !filter_group_matches(&f->match, s, st, st_ids, gr->nstates))
					keep = false;
				if (keep && f->has_drop && filter_group_matches(&f->drop, s, st, st_ids, gr->nstates))
					keep = false;
				if (!keep) {
					a->filtered_out += gr->count;
					const uint32_t *mem = members + start[gi];
					for (uint64_t k = 0; k < gr->nmembers; k++)
						shown[mem[k] >> 6] &= ~((uint64_t)1 << (mem[k] & 63));
					continue;
				}
			}
			memcpy(pool_take(&states_pool, gr->nstates, sizeof(*sm->states)), sm->states,
			       gr->nstates * sizeof(*sm->states));
			gr->states = NULL;
			gr->rec = &group_records_none;
			if (!records_empty(&sm->rec)) {
				memcpy(pool_take(&records_pool, 1, sizeof(sm->rec)), &sm->rec, sizeof(sm->rec));
				gr->rec = NULL; /* the next of records_pool */
			}
			a->groups[kept++] = *gr;
		}
	}
	free(sb.v);
	for (uint32_t k = 0; k < sb.npieces; k++) {
		free(sb.scratch[k].mins);
		free(sb.scratch[k].vals);
		free(sb.scratch[k].seen);
	}
	a->ngroups = kept;
	a->group_states = pool_fit(&states_pool, sizeof(struct state_count));
	a->group_records = pool_fit(&records_pool, sizeof(struct group_records));
	for (uint32_t g = 0, st = 0, r = 0; g < kept; g++) {
		a->groups[g].states = a->group_states + st;
		st += a->groups[g].nstates;
		if (!a->groups[g].rec)
			a->groups[g].rec = &a->group_records[r++];
	}
	free(start);
	a->shown = a->total - a->hidden_system - a->filtered_out;
	qsort(a->groups, a->ngroups, sizeof(*a->groups), cmp_groups);

	totals(a, shown);
	shared_objects(a, shown);
	free(shown);

	/* Block/mutex samples are events, not goroutines that could leak. And
	 * suspicion is judged at a blocking site, which a group of many
	 * unrelated stacks (--by state, --by label) does not have. */
	a->suspects_judged = s->profile != PROF_BLOCK && s->profile != PROF_MUTEX && s->profile != PROF_CONTENTION &&
			     o->by != GROUP_STATE && o->by != GROUP_LABEL && !o->no_suspects;
	if (a->suspects_judged)
		suspects_find(a);

}

void analysis_run(const struct snapshot *s, const struct group_options *o, struct analysis *a)
{
	analyse(s, o, a, true);
}

struct run_all {
	const struct snapshot *const *snaps;
	uint32_t n;
	const struct group_options *o;
	struct analysis *out;
};

static void run_nth(void *ctx, uint32_t i)
{
	struct run_all *r = ctx;
	/* snapshots analysed side by side: each on one core */
	analyse(r->snaps[i], r->o, &r->out[i], r->n == 1);
}

void analysis_run_all(const struct snapshot *const *snaps, uint32_t n, const struct group_options *o,
		      struct analysis *out)
{
	struct run_all r = {snaps, n, o, out};
	parallel_for(n, run_nth, &r);
}

void analysis_free(struct analysis *a)
{
	free(a->groups);
	free(a->group_states);
	free(a->group_records);
	free(a->states);
	free(a->suspects);
	free(a->parked);
	free(a->suspect_groups);
	free(a->members);
	memset(a, 0, sizeof(*a));
}
