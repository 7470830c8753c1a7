/* snapshot.c: storage for the model; no parsing, no analysis. */
#include "../base/common.h"
#include "snapshot.h"
#include "../base/hash.h"
#include "../base/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

enum { MAX_WARNINGS = 200 };

static void free_chunk(struct gchunk *c);

struct snapshot *snapshot_new(const char *source, uint32_t index)
{
	struct snapshot *s = xcalloc(1, sizeof(*s));
	strtab_init(&s->strs);
	arena_init(&s->arena);
	s->source = arena_strndup(&s->arena, source, strlen(source));
	s->index = index;
	s->format = "traceback";
	return s;
}

void snapshot_free(struct snapshot *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->ngchunks; i++)
		free_chunk(&s->gchunks[i]);
	free(s->gchunks);
	free(s->frames);
	free(s->ftab);
	u64map_free(&s->ftab_index);
	free(s->stacks);
	free(s->stack_slots);
	free(s->races);
	free(s->weights);
	free(s->delays);
	u64map_free(&s->sample_index);
	for (uint32_t i = 0; i < s->nwarnings; i++)
		free(s->warnings[i].msg);
	free(s->warnings);
	strtab_free(&s->strs);
	arena_free(&s->arena);
	free(s);
}

/* ---- goroutine columns (snapshot.h) ---- */

_Static_assert(G_SAMPLE < (1 << 16), "goroutine flags are stored in 16 bits");

/* A column of cap entries: a whole chunk's on pages of its own, so that
 * freeing it (a part merged into another, on another thread) gives the
 * memory back at once; a growing first chunk's from the heap. Zeroed. */
static void *col_alloc(uint32_t cap, size_t width)
{
	return cap == G_CHUNK ? xpages(cap * width) : xcalloc(cap, width);
}

static void col_free(void *p, uint32_t cap, size_t width)
{
	if (cap == G_CHUNK)
		xpages_free(p, cap * width);
	else
		free(p);
}

static void free_chunk(struct gchunk *c)
{
	col_free(c->stack, c->cap, sizeof(uint32_t));
	col_free(c->state, c->cap, sizeof(uint32_t));
	col_free(c->flags, c->cap, sizeof(uint16_t));
	col_free(c->minutes, c->cap, sizeof(uint32_t));
	col_free(c->labels, c->cap, sizeof(uint32_t));
	col_free(c->bubble, c->cap, sizeof(uint32_t));
	struct gcol64 *wide[] = {&c->id, &c->parent, &c->object};
	for (size_t k = 0; k < ARRAY_LEN(wide); k++) {
		col_free(wide[k]->narrow, c->cap, sizeof(uint32_t));
		col_free(wide[k]->wide, c->cap, sizeof(uint64_t));
	}
	memset(c, 0, sizeof(*c));
}

/* A zero-filled column of chunk c (entries before the one being set read
 * 0). */
static void *column(struct snapshot *s, const struct gchunk *c, size_t width)
{
	s->gbytes += width * c->cap;
	return col_alloc(c->cap, width);
}

/* Column *col of chunk c, from old_cap entries to cap (entries are written
 * as they are appended: the new ones need no zeroing). */
static void grow_column(struct snapshot *s, void *col, size_t width, uint32_t old_cap, uint32_t cap)
{
	void **p = col;
	if (!*p)
		return;
	if (cap == G_CHUNK) {
		void *q = col_alloc(cap, width);
		memcpy(q, *p, old_cap * width);
		col_free(*p, old_cap, width);
		*p = q;
	} else {
		*p = xreallocarray(*p, cap, width);
	}
	s->gbytes += width * (cap - old_cap);
}

/* Room in the chunk for entry j: a chunk starts small (a thousand dumps of
 * one goroutine each must not cost a full chunk each) and doubles. */
static void make_room(struct snapshot *s, struct gchunk *c, uint32_t j)
{
	if (j < c->cap)
		return;
	uint32_t cap = c->cap ? MIN(c->cap * 2, (uint32_t)G_CHUNK) : 64;
	grow_column(s, &c->stack, sizeof(uint32_t), c->cap, cap);
	grow_column(s, &c->state, sizeof(uint32_t), c->cap, cap);
	grow_column(s, &c->flags, sizeof(uint16_t), c->cap, cap);
	grow_column(s, &c->minutes, sizeof(uint32_t), c->cap, cap);
	grow_column(s, &c->labels, sizeof(uint32_t), c->cap, cap);
	grow_column(s, &c->bubble, sizeof(uint32_t), c->cap, cap);
	struct gcol64 *wide[] = {&c->id, &c->parent, &c->object};
	for (size_t k = 0; k < ARRAY_LEN(wide); k++) {
		grow_column(s, &wide[k]->narrow, sizeof(uint32_t), c->cap, cap);
		grow_column(s, &wide[k]->wide, sizeof(uint64_t), c->cap, cap);
	}
	c->cap = cap;
}

static void set_u32(struct snapshot *s, struct gchunk *ch, uint32_t **col, uint32_t j, uint32_t v)
{
	if (!*col) {
		if (!v)
			return;
		*col = column(s, ch, sizeof(uint32_t));
	}
	(*col)[j] = v;
}

/* v packed as gcol64 says, adding its high part to c's; false when c
 * has no room for another. */
static bool pack(struct gcol64 *c, uint64_t v, uint32_t *out)
{
	uint64_t high = v >> GCOL_LOW_BITS;
	uint32_t k = c->last;
	if (k >= c->nhigh || c->high[k] != high) { /* most values share the last one's */
		k = 0;
		while (k < c->nhigh && c->high[k] != high)
			k++;
		if (k == c->nhigh) {
			if (k == GCOL_HIGHS)
				return false;
			c->high[c->nhigh++] = high;
		}
		c->last = k;
	}
	*out = k << GCOL_LOW_BITS | (uint32_t)(v & ((1u << GCOL_LOW_BITS) - 1));
	return true;
}

/* Entry j (the chunk's entries before it are set) of c to v, when present
 * says the goroutine has the value; an absent one is read as 0 whatever is
 * stored (snapshot_goroutine looks at the flags), so a column starts at the
 * first goroutine that has one. */
static void set_u64(struct snapshot *s, struct gchunk *ch, struct gcol64 *c, uint32_t j, uint64_t v, bool present)
{
	if (!c->narrow && !c->wide) {
		if (!present)
			return;
		c->narrow = column(s, ch, sizeof(uint32_t));
	}
	if (c->narrow) {
		uint32_t packed = 0;
		if (!present || pack(c, v, &packed)) {
			c->narrow[j] = packed; /* (an absent one: anything known) */
			return;
		}
		/* more high parts than fit: this chunk's column becomes 64-bit */
		uint64_t *wide = column(s, ch, sizeof(uint64_t));
		for (uint32_t k = 0; k < j; k++)
			wide[k] = gcol64_get(c, k);
		c->wide = wide;
		col_free(c->narrow, ch->cap, sizeof(uint32_t));
		c->narrow = NULL;
		s->gbytes -= sizeof(uint32_t) * ch->cap;
	}
	c->wide[j] = present ? v : 0;
}

/* A chunk after the last, for the records to come. */
static void new_chunk(struct snapshot *s)
{
	s->gchunks = xreallocarray(s->gchunks, s->ngchunks + 1, sizeof(*s->gchunks));
	struct gchunk *c = &s->gchunks[s->ngchunks++];
	memset(c, 0, sizeof(*c));
	/* the first chunk grows as it fills; a dump that filled it is a big
	 * one: the next are whole at once (no copies as they grow) */
	c->cap = s->ngchunks > 1 ? G_CHUNK : 64;
	c->stack = column(s, c, sizeof(uint32_t));
	c->state = column(s, c, sizeof(uint32_t));
	c->flags = column(s, c, sizeof(uint16_t));
}

bool snapshot_add_goroutine(struct snapshot *s, const struct goroutine *g)
{
	uint64_t i = s->ngoroutines;
	if (i >= G_MAX) {
		if (!s->dropped_goroutines++)
			snapshot_warn(s, 0, 0, "more than %llu goroutines in one dump: the rest are not kept",
				      (unsigned long long)G_MAX);
		return false;
	}
	if ((i >> G_CHUNK_BITS) >= s->ngchunks)
		new_chunk(s);
	struct gchunk *c = &s->gchunks[i >> G_CHUNK_BITS];
	uint32_t j = (uint32_t)(i & (G_CHUNK - 1));
	make_room(s, c, j);
	c->stack[j] = g->stack;
	c->state[j] = g->state;
	c->flags[j] = (uint16_t)g->flags;
	set_u32(s, c, &c->minutes, j, g->minutes);
	set_u32(s, c, &c->labels, j, g->labels);
	set_u32(s, c, &c->bubble, j, g->bubble);
	set_u64(s, c, &c->id, j, g->id, true);
	set_u64(s, c, &c->parent, j, g->parent, g->flags & G_HAS_PARENT);
	set_u64(s, c, &c->object, j, g->object, g->flags & (G_HAS_OBJECT | G_OBJECT_ARG));
	s->max_id = MAX(s->max_id, g->id);
	s->ngoroutines++;
	return true;
}

/* No snapshot's samples add up to more than this, in goroutines or in
 * nanoseconds: so no sum of any of them, in any analysis, can overflow a
 * 64-bit integer (a real process has fewer than 2^32 goroutines, and 2^62
 * ns is 146 years). */
static const int64_t SAMPLE_SUM_MAX = (int64_t)1 << 62;

void snapshot_add_sample(struct snapshot *s, uint32_t stack, uint32_t labels, int64_t weight, int64_t delay,
			 bool delays, uint64_t identity)
{
	if (weight < 0 || delay < 0) {
		s->dropped_negative++;
		return;
	}
	if (s->ngoroutines >= G_MAX) {
		/* full: counted and warned about there, never indexed */
		snapshot_add_goroutine(s, &(struct goroutine){.flags = G_SAMPLE});
		return;
	}
	int64_t room_w = SAMPLE_SUM_MAX - (int64_t)s->total_weight, room_d = SAMPLE_SUM_MAX - s->total_delay;
	if (weight > room_w || delay > room_d) {
		if (!s->sums_capped)
			snapshot_warn(s, 0, 0,
				      "the samples add up to more than 2^62 goroutines or nanoseconds: what is beyond "
				      "was cut (a hostile or broken profile)");
		s->sums_capped = true;
		weight = MIN(weight, room_w);
		delay = MIN(delay, room_d);
	}
	s->total_weight += (uint64_t)weight;
	s->total_delay += delay;
	uint64_t i = s->ngoroutines;
	uint64_t key = hash_u64(hash_u64(identity, stack), labels);
	bool inserted = true;
	uint32_t *known = i < U64MAP_EMPTY ? u64map_upsert(&s->sample_index, key, (uint32_t)i, &inserted) : NULL;
	if (!inserted &&
	    (snapshot_goroutine_stack(s, *known) != stack || snapshot_goroutine_labels(s, *known) != labels))
		known = NULL, inserted = true; /* a hash collision: kept apart, unindexed */
	if (!inserted) {
		/* within the totals' bound: no overflow */
		s->weights[*known] += weight;
		if (s->delays)
			s->delays[*known] += delay;
		return;
	}
	if (i == s->weights_cap) {
		s->weights_cap = s->weights_cap ? s->weights_cap * 2 : 256;
		s->weights = xreallocarray(s->weights, s->weights_cap, sizeof(*s->weights));
		if (delays || s->delays)
			s->delays = xreallocarray(s->delays, s->weights_cap, sizeof(*s->delays));
	}
	/* the goroutineleak profile lists only goroutines the GC proved stuck;
	 * the state is unknown: profiles carry no wait reason */
	struct goroutine g = {.stack = stack, .labels = labels,
			      .flags = G_SAMPLE | (s->profile == PROF_GOROUTINELEAK ? G_LEAKED : 0)};
	snapshot_add_goroutine(s, &g); /* room checked above */
	s->weights[i] = weight;
	if (s->delays)
		s->delays[i] = delay;
}

size_t snapshot_bytes(const struct snapshot *s)
{
	return s->gbytes + (size_t)s->ngchunks * sizeof(struct gchunk) + (size_t)s->frames_cap * sizeof(uint32_t) +
	       (size_t)s->ftab_cap * sizeof(struct frame) + (size_t)s->ftab_index.cap * 12 +
	       (size_t)s->stacks_cap * sizeof(struct stack) + (size_t)s->nstack_slots * sizeof(struct stack_slot) +
	       (size_t)s->weights_cap * 2 * sizeof(int64_t) + (size_t)s->sample_index.cap * 12 +
	       (size_t)s->strs.cap * 24 + (size_t)s->strs.nslots * 4 + s->strs.arena.used_bytes + s->arena.used_bytes;
}

uint64_t snapshot_stack_signature(const struct snapshot *s, const struct frame *frames, uint32_t n,
				  uint32_t flags)
{
	/* keep in step with traceback.c: seed, add_frame_to_sig, finish_g */
	uint64_t sig = 0x6a09e667f3bcc908ULL;
	for (uint32_t i = 0; i < n; i++)
		sig = hash_u64(sig, s->strs.hashes[frames[i].func] + (uint64_t)frames[i].line * 0x9e3779b97f4a7c15ULL);
	return hash_u64(sig, flags & (STACK_ELIDED_OLD | STACK_ELIDED_MIDDLE | STACK_UNAVAILABLE));
}

const char *taken_from_name(enum taken_from t)
{
	switch (t) {
	case TAKEN_PROFILE: return "profile time";
	case TAKEN_CAPTURE: return "capture time";
	case TAKEN_FETCH: return "fetch time";
	case TAKEN_MTIME: return "file time";
	case TAKEN_UNKNOWN: break;
	}
	return "unknown";
}

const char *profile_kind_name(enum profile_kind k)
{
	switch (k) {
	case PROF_NONE: return "none";
	case PROF_GOROUTINE: return "goroutine";
	case PROF_GOROUTINELEAK: return "goroutineleak";
	case PROF_THREADCREATE: return "threadcreate";
	case PROF_COUNT: return "count";
	case PROF_BLOCK: return "block";
	case PROF_MUTEX: return "mutex";
	case PROF_CONTENTION: return "contention";
	}
	return "unknown";
}

static void rehash_stacks(struct snapshot *s);

uint32_t snapshot_find_stack(struct snapshot *s, uint64_t hash)
{
	if (!s->nstack_slots) {
		if (!s->nstacks)
			return UINT32_MAX;
		rehash_stacks(s); /* dropped by snapshot_parsed */
	}
	uint32_t mask = s->nstack_slots - 1;
	for (uint32_t i = (uint32_t)hash & mask;; i = (i + 1) & mask) {
		const struct stack_slot *sl = &s->stack_slots[i];
		if (!sl->id)
			return UINT32_MAX;
		if (sl->hash == hash)
			return sl->id - 1;
	}
}

void snapshot_parsed(struct snapshot *s)
{
	free(s->stack_slots);
	s->stack_slots = NULL;
	s->nstack_slots = 0;
	u64map_free(&s->sample_index);
}

static void rehash_stacks(struct snapshot *s)
{
	/* big enough for one more stack at under 3/4 full */
	uint32_t n = 256;
	while ((uint64_t)(s->nstacks + 1) * 4 >= (uint64_t)n * 3)
		n *= 2;
	struct stack_slot *slots = xcalloc(n, sizeof(*slots));
	for (uint32_t id = 0; id < s->nstacks; id++) {
		uint32_t i = (uint32_t)s->stacks[id].hash & (n - 1);
		while (slots[i].id)
			i = (i + 1) & (n - 1);
		slots[i] = (struct stack_slot){s->stacks[id].hash, id + 1};
	}
	free(s->stack_slots);
	s->stack_slots = slots;
	s->nstack_slots = n;
}

static bool same_frame(const struct frame *a, const struct frame *b)
{
	return a->func == b->func && a->file == b->file && a->line == b->line && a->flags == b->flags;
}

/* f's index in the frame table, added when new. Frames are told apart by a
 * 64-bit key of their fields; a key already another frame's (a collision)
 * gets an entry of its own, unindexed. */
static uint32_t intern_frame_slow(struct snapshot *s, const struct frame *f)
{
	uint64_t key = hash_u64(hash_u64(hash_u64(hash_u64(0x66, f->func), f->file), f->line), f->flags);
	bool inserted = false;
	uint32_t *at = s->nftab < U64MAP_EMPTY - 1 ? u64map_upsert(&s->ftab_index, key, s->nftab, &inserted) : NULL;
	if (at && !inserted && same_frame(&s->ftab[*at], f))
		return *at;
	if (s->nftab == s->ftab_cap) {
		s->ftab_cap = s->ftab_cap ? s->ftab_cap * 2 : 64;
		s->ftab = xreallocarray(s->ftab, s->ftab_cap, sizeof(*s->ftab));
	}
	s->ftab[s->nftab] = *f;
	return s->nftab++;
}

static uint32_t intern_frame(struct snapshot *s, const struct frame *f)
{
	/* a deep stack's frames are mostly those of the last stacks added:
	 * looked up by function and line first, without the hash */
	uint32_t *recent = &s->ftab_recent[(f->func * 0x9e3779b1u ^ f->line * 0x85ebca6bu) >> 24];
	if (*recent && same_frame(&s->ftab[*recent - 1], f))
		return *recent - 1;
	uint32_t id = intern_frame_slow(s, f);
	*recent = id + 1;
	return id;
}

uint32_t snapshot_add_stack(struct snapshot *s, uint64_t hash, const struct frame *frames,
			    uint32_t nframes, uint32_t flags, const struct frame *creator)
{
	if ((s->nstacks + 1) * 4 >= s->nstack_slots * 3)
		rehash_stacks(s);
	if (s->nstacks == s->stacks_cap) {
		s->stacks_cap = s->stacks_cap ? s->stacks_cap * 2 : 64;
		s->stacks = xreallocarray(s->stacks, s->stacks_cap, sizeof(*s->stacks));
	}
	while (s->nframes + nframes > s->frames_cap) {
		s->frames_cap = s->frames_cap ? s->frames_cap * 2 : 256;
		s->frames = xreallocarray(s->frames, s->frames_cap, sizeof(*s->frames));
	}
	uint32_t id = s->nstacks++;
	struct stack *st = &s->stacks[id];
	memset(st, 0, sizeof(*st));
	st->hash = hash;
	st->first = s->nframes;
	st->nframes = nframes;
	st->flags = flags;
	if (creator) {
		st->creator = *creator;
		st->flags |= STACK_HAS_CREATOR;
	}
	for (uint32_t k = 0; k < nframes; k++)
		s->frames[s->nframes + k] = intern_frame(s, &frames[k]);
	s->nframes += nframes;
	uint32_t mask = s->nstack_slots - 1;
	uint32_t i = (uint32_t)hash & mask;
	while (s->stack_slots[i].id)
		i = (i + 1) & mask;
	s->stack_slots[i] = (struct stack_slot){hash, id + 1};
	return id;
}

void snapshot_add_race(struct snapshot *s, const struct race *r)
{
	if (s->nraces == s->races_cap) {
		s->races_cap = s->races_cap ? s->races_cap * 2 : 8;
		s->races = xreallocarray(s->races, s->races_cap, sizeof(*s->races));
	}
	s->races[s->nraces++] = *r;
}

void snapshot_warn(struct snapshot *s, uint64_t line, uint64_t offset, const char *fmt, ...)
{
	if (s->nwarnings >= MAX_WARNINGS) {
		s->warnings_dropped++;
		return;
	}
	if (s->nwarnings == s->warnings_cap) {
		s->warnings_cap = s->warnings_cap ? s->warnings_cap * 2 : 8;
		s->warnings = xreallocarray(s->warnings, s->warnings_cap, sizeof(*s->warnings));
	}
	char tmp[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	s->warnings[s->nwarnings++] = (struct warning){line, offset, xstrdup(tmp)};
}

uint32_t snapshot_intern_labels(struct snapshot *s, const uint32_t *kv, uint32_t npairs)
{
	if (!npairs)
		return 0;
	/* The encoding is the raw id array: compact, and equal sets (same
	 * order, which Go guarantees: sorted by key) intern to one id. */
	return strtab_intern(&s->strs, (const char *)kv, npairs * 2 * sizeof(uint32_t));
}

uint32_t snapshot_labels(const struct snapshot *s, uint32_t labels, uint32_t *kv, uint32_t max)
{
	if (!labels)
		return 0;
	uint32_t n = strtab_len(&s->strs, labels) / (2 * sizeof(uint32_t));
	if (n > max)
		n = max;
	memcpy(kv, strtab_str(&s->strs, labels), n * 2 * sizeof(uint32_t));
	return n;
}

void snapset_init(struct snapset *set) { memset(set, 0, sizeof(*set)); }

void snapset_push(struct snapset *set, struct snapshot *s)
{
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 4;
		set->v = xreallocarray(set->v, set->cap, sizeof(*set->v));
	}
	set->v[set->n++] = s;
}

void snapset_free(struct snapset *set)
{
	for (uint32_t i = 0; i < set->n; i++)
		snapshot_free(set->v[i]);
	free(set->v);
	memset(set, 0, sizeof(*set));
}

static uint32_t remap_labels(struct snapshot *dst, const struct snapshot *src, const uint32_t *smap,
			     uint32_t labels)
{
	uint32_t kv[64];
	uint32_t n = snapshot_labels(src, labels, kv, 32);
	for (uint32_t i = 0; i < 2 * n; i++)
		kv[i] = smap[kv[i]];
	return snapshot_intern_labels(dst, kv, n);
}

static struct frame remap_frame(const struct frame *f, const uint32_t *smap)
{
	struct frame r = *f;
	r.func = smap[f->func];
	r.file = smap[f->file];
	return r;
}

/* Append src's goroutine records to dst (together at most G_MAX), their
 * stacks and strings mapped to dst's; a column at a time, a run of records
 * at a time (as many as fit in dst's last chunk), rather than record by
 * record: the parts of a big dump read in parallel are joined by this.
 * Each chunk of src is freed once copied: the peak stays one dump. */
static void append_goroutines(struct snapshot *dst, struct snapshot *src, const uint32_t *stmap, const uint32_t *smap)
{
	for (uint64_t i = 0; i < src->ngoroutines;) {
		const struct gchunk *c = &src->gchunks[i >> G_CHUNK_BITS];
		uint32_t k = (uint32_t)(i & (G_CHUNK - 1));
		uint32_t in_chunk = (uint32_t)MIN(src->ngoroutines - (i - k), (uint64_t)G_CHUNK);
		uint64_t at = dst->ngoroutines;
		if ((at >> G_CHUNK_BITS) >= dst->ngchunks)
			new_chunk(dst);
		struct gchunk *d = &dst->gchunks[at >> G_CHUNK_BITS];
		uint32_t j = (uint32_t)(at & (G_CHUNK - 1)), run = MIN(in_chunk - k, (uint32_t)G_CHUNK - j);
		while (j + run - 1 >= d->cap)
			make_room(dst, d, d->cap);
		for (uint32_t r = 0; r < run; r++) {
			d->stack[j + r] = stmap[c->stack[k + r]];
			d->state[j + r] = smap[c->state[k + r]];
			d->flags[j + r] = c->flags[k + r];
		}
		/* as snapshot_add_goroutine sets them: a column once a record
		 * has a value, and then every entry written */
		if (c->minutes || d->minutes)
			for (uint32_t r = 0; r < run; r++)
				set_u32(dst, d, &d->minutes, j + r, c->minutes ? c->minutes[k + r] : 0);
		if (c->labels || d->labels)
			for (uint32_t r = 0; r < run; r++) {
				uint32_t l = c->labels ? c->labels[k + r] : 0;
				set_u32(dst, d, &d->labels, j + r, l ? remap_labels(dst, src, smap, l) : 0);
			}
		if (c->bubble || d->bubble)
			for (uint32_t r = 0; r < run; r++)
				set_u32(dst, d, &d->bubble, j + r, c->bubble ? c->bubble[k + r] : 0);
		for (uint32_t r = 0; r < run; r++)
			set_u64(dst, d, &d->id, j + r, gcol64_get(&c->id, k + r), true);
		if (c->parent.narrow || c->parent.wide || d->parent.narrow || d->parent.wide)
			for (uint32_t r = 0; r < run; r++) {
				bool has = c->flags[k + r] & G_HAS_PARENT;
				set_u64(dst, d, &d->parent, j + r, has ? gcol64_get(&c->parent, k + r) : 0, has);
			}
		if (c->object.narrow || c->object.wide || d->object.narrow || d->object.wide)
			for (uint32_t r = 0; r < run; r++) {
				bool has = c->flags[k + r] & (G_HAS_OBJECT | G_OBJECT_ARG);
				set_u64(dst, d, &d->object, j + r, has ? gcol64_get(&c->object, k + r) : 0, has);
			}
		dst->ngoroutines += run;
		i += run;
		if (k + run == in_chunk)
			free_chunk(&src->gchunks[(i - 1) >> G_CHUNK_BITS]);
	}
}

void snapshot_merge(struct snapshot *dst, struct snapshot *src)
{
	uint32_t *smap = xmalloc(src->strs.count * sizeof(*smap));
	for (uint32_t i = 0; i < src->strs.count; i++)
		smap[i] = strtab_intern_hashed(&dst->strs, src->strs.strs[i], src->strs.lens[i], src->strs.hashes[i]);
	uint32_t *stmap = xmalloc((src->nstacks ? src->nstacks : 1) * sizeof(*stmap));
	struct frame *tmp = NULL;
	uint32_t tmp_cap = 0;
	for (uint32_t i = 0; i < src->nstacks; i++) {
		const struct stack *st = &src->stacks[i];
		uint32_t id = snapshot_find_stack(dst, st->hash);
		if (id == UINT32_MAX) {
			if (st->nframes > tmp_cap) {
				tmp_cap = st->nframes;
				tmp = xreallocarray(tmp, tmp_cap, sizeof(*tmp));
			}
			const struct frame_view f = snapshot_frames(src, st);
			for (uint32_t k = 0; k < st->nframes; k++)
				tmp[k] = remap_frame(&FRAME(f, k), smap);
			struct frame creator = remap_frame(&st->creator, smap);
			id = snapshot_add_stack(dst, st->hash, tmp, st->nframes, st->flags & ~(uint32_t)STACK_HAS_CREATOR,
						(st->flags & STACK_HAS_CREATOR) ? &creator : NULL);
			dst->stacks[id].elided = st->elided;
		} else if (st->elided > dst->stacks[id].elided) {
			dst->stacks[id].elided = st->elided;
		}
		stmap[i] = id;
	}
	free(tmp);
	if (dst->ngoroutines + src->ngoroutines <= G_MAX) {
		append_goroutines(dst, src, stmap, smap);
		dst->max_id = MAX(dst->max_id, src->max_id);
	} else {
		/* (one at a time: the records past G_MAX are counted, with a warning) */
		for (uint64_t i = 0; i < src->ngoroutines; i++) {
			struct goroutine d = snapshot_goroutine(src, i);
			d.stack = stmap[d.stack];
			d.state = smap[d.state];
			d.labels = d.labels ? remap_labels(dst, src, smap, d.labels) : 0;
			snapshot_add_goroutine(dst, &d);
			if ((i & (G_CHUNK - 1)) == G_CHUNK - 1 || i + 1 == src->ngoroutines)
				free_chunk(&src->gchunks[i >> G_CHUNK_BITS]); /* the peak stays one dump */
		}
	}
	dst->dropped_goroutines += src->dropped_goroutines;
	for (uint32_t i = 0; i < src->nraces; i++) {
		struct race r = src->races[i];
		r.a.top = remap_frame(&r.a.top, smap);
		r.b.top = remap_frame(&r.b.top, smap);
		snapshot_add_race(dst, &r);
	}
	for (uint32_t i = 0; i < src->nwarnings; i++)
		snapshot_warn(dst, src->warnings[i].line, src->warnings[i].offset, "%s", src->warnings[i].msg);
	dst->warnings_dropped += src->warnings_dropped;
	dst->races_reported += src->races_reported;
	dst->last_line = src->last_line;
	dst->end_offset = src->end_offset;
	dst->unique_ids += src->unique_ids;
	dst->truncated |= src->truncated;
	dst->at_pprof_cap |= src->at_pprof_cap;
	dst->register_dump |= src->register_dump;
	dst->level2 |= src->level2;
	dst->gp_headers |= src->gp_headers;
	dst->gccgo |= src->gccgo;
	dst->threads += src->threads;
	dst->go_version_min = MAX(dst->go_version_min, src->go_version_min);
	free(smap);
	free(stmap);
	snapshot_free(src);
}
