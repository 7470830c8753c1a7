/* pprof.c: see pprof.h. A small protobuf wire-format reader (varint,
 * length-delimited, and the fixed widths only to skip them) and the Profile
 * schema on top. The message is read in two passes because Go writes fields
 * in any order: first the tables (strings, functions, locations), then the
 * samples against the complete tables. Nothing is kept per sample between
 * the passes: a profile of millions of tiny samples costs its bytes, not
 * an index of them. */
#include "../base/common.h"
#include "../base/hash.h"
#include "../model/goname.h"
#include "pprof.h"
#include "../base/u64map.h"
#include "../base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>

enum { MAX_FRAMES = 4096, MAX_LABELS = 64 };

/* Frames the samples may expand to in all: a sample names locations by id
 * and a location may hold many lines, so a few bytes can stand for
 * thousands of frames, again in every sample. Past FRAMES_PER_BYTE per
 * byte of the profile (plus a floor), each further sample keeps at most
 * FRAMES_OVER_BUDGET frames and the snapshot says so: the work stays
 * linear in the profile's real size whatever it claims: a sample takes at
 * least four bytes, so at most 4 + 8/4 frames per byte in all. Real
 * profiles spend less: no profile of the corpora reaches even 2 frames per
 * byte (checked by building with the bound at 2). */
enum { FRAMES_PER_BYTE = 4, FRAMES_FLOOR = 1 << 20, FRAMES_OVER_BUDGET = 8 };

/* ---- wire format ---- */

struct pb {
	const uint8_t *p, *end;
	const uint8_t *base; /* start of the whole message, for offsets */
};

struct pb_field {
	uint32_t num, wire;
	uint64_t v;      /* varint / fixed value */
	struct pb sub;   /* length-delimited contents */
	size_t offset;   /* of the tag */
};

static bool pb_varint(struct pb *b, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64 && b->p < b->end; shift += 7) {
		uint8_t c = *b->p++;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

/* Next field of b: 1 when read, 0 at the end, -1 when malformed. */
static int pb_next(struct pb *b, struct pb_field *f)
{
	if (b->p >= b->end)
		return 0;
	f->offset = (size_t)(b->p - b->base);
	uint64_t tag;
	if (!pb_varint(b, &tag) || (tag >> 3) == 0 || (tag >> 3) > UINT32_MAX)
		return -1;
	f->num = (uint32_t)(tag >> 3);
	f->wire = (uint32_t)(tag & 7);
	switch (f->wire) {
	case 0:
		return pb_varint(b, &f->v) ? 1 : -1;
	case 1:
		if (b->end - b->p < 8)
			return -1;
		memcpy(&f->v, b->p, 8);
		b->p += 8;
		return 1;
	case 5: {
		if (b->end - b->p < 4)
			return -1;
		uint32_t v;
		memcpy(&v, b->p, 4);
		f->v = v;
		b->p += 4;
		return 1;
	}
	case 2: {
		uint64_t len;
		if (!pb_varint(b, &len) || len > (uint64_t)(b->end - b->p))
			return -1;
		f->sub = (struct pb){b->p, b->p + len, b->base};
		b->p += len;
		return 1;
	}
	}
	return -1;
}

/* Repeated numbers come packed (wire 2) or one per field (wire 0): call
 * for each field of the number; fn(ctx, value) for each value. */
static bool pb_numbers(const struct pb_field *f, void (*fn)(void *, uint64_t), void *ctx)
{
	if (f->wire == 0) {
		fn(ctx, f->v);
		return true;
	}
	if (f->wire != 2)
		return false;
	struct pb sub = f->sub;
	while (sub.p < sub.end) {
		uint64_t v;
		if (!pb_varint(&sub, &v))
			return false;
		fn(ctx, v);
	}
	return true;
}

/* ---- the Profile ---- */

struct pfunc {
	uint64_t id;
	uint64_t name, file; /* string indexes */
	size_t offset;
	uint32_t func_sid, file_sid; /* interned (shapes elided), UINT32_MAX until first use */
};

struct pline {
	uint64_t func_id;
	int64_t line;
};

struct ploc {
	uint64_t id;
	uint64_t address;
	uint32_t first_line, nlines; /* into pr.lines */
	size_t offset;
};

struct prof {
	struct pb msg;
	struct snapshot *s;
	struct err *err;
	/* string table: views into the message, interned on first use */
	struct slice *strs;
	uint32_t *str_ids;
	uint32_t nstrs, strs_cap;
	struct pfunc *funcs;
	uint32_t nfuncs, funcs_cap;
	struct u64map func_ids;
	struct ploc *locs;
	uint32_t nlocs, locs_cap;
	struct u64map loc_ids;
	struct pline *lines;
	uint32_t nlines, lines_cap;
	struct budget *budget; /* may be NULL */
	uint64_t types[8][2];  /* sample_type: (type, unit) string indexes */
	uint32_t ntypes;
	uint64_t period_type[2];
	uint32_t mappings;
	uint64_t main_file, main_build_id; /* of mapping[0]: the main binary */
};

#define GROW(arr, n, cap)                                                 \
	do {                                                              \
		if ((n) == (cap)) {                                       \
			(cap) = (cap) ? (cap) * 2 : 64;                   \
			(arr) = xreallocarray((arr), (cap), sizeof(*(arr))); \
		}                                                         \
	} while (0)

/* Go numbers locations and functions 1, 2, 3... in the order it writes
 * them: try that before the map. */
static bool find_loc(const struct prof *pr, uint64_t id, uint32_t *i)
{
	if (id >= 1 && id <= pr->nlocs && pr->locs[id - 1].id == id) {
		*i = (uint32_t)(id - 1);
		return true;
	}
	return u64map_get(&pr->loc_ids, id, i);
}

static bool find_func(const struct prof *pr, uint64_t id, uint32_t *i)
{
	if (id >= 1 && id <= pr->nfuncs && pr->funcs[id - 1].id == id) {
		*i = (uint32_t)(id - 1);
		return true;
	}
	return u64map_get(&pr->func_ids, id, i);
}

static enum status bad(struct prof *pr, size_t offset, const char *what)
{
	return err_set(pr->err, ST_FORMAT, 0, offset, "malformed pprof profile at byte %zu: %s", offset, what);
}

static bool str_ok(const struct prof *pr, uint64_t idx)
{
	return idx < pr->nstrs;
}

static struct slice str_at(const struct prof *pr, uint64_t idx)
{
	return idx < pr->nstrs ? pr->strs[idx] : slice_make("", 0);
}

static uint32_t intern_str(struct prof *pr, uint64_t idx)
{
	if (idx >= pr->nstrs)
		return 0;
	if (pr->str_ids[idx] == UINT32_MAX)
		pr->str_ids[idx] = strtab_intern(&pr->s->strs, pr->strs[idx].p, pr->strs[idx].n);
	return pr->str_ids[idx];
}

static enum status read_value_type(struct prof *pr, struct pb sub, uint64_t out[2])
{
	struct pb_field f = {0};
	int r;
	out[0] = out[1] = 0;
	while ((r = pb_next(&sub, &f)) > 0)
		if ((f.num == 1 || f.num == 2) && f.wire == 0)
			out[f.num - 1] = f.v;
	return r < 0 ? bad(pr, (size_t)(sub.p - sub.base), "bad ValueType") : ST_OK;
}

static enum status read_function(struct prof *pr, struct pb sub, size_t offset)
{
	struct pb_field f = {0};
	int r;
	uint64_t id = 0;
	struct pfunc fn = {0, 0, 0, offset, UINT32_MAX, UINT32_MAX};
	while ((r = pb_next(&sub, &f)) > 0) {
		if (f.wire != 0)
			continue;
		if (f.num == 1)
			id = f.v;
		else if (f.num == 2)
			fn.name = f.v;
		else if (f.num == 4)
			fn.file = f.v;
	}
	if (r < 0)
		return bad(pr, offset, "bad Function");
	if (!id)
		return bad(pr, offset, "Function without id");
	GROW(pr->funcs, pr->nfuncs, pr->funcs_cap);
	fn.id = id;
	pr->funcs[pr->nfuncs] = fn;
	{
		/* a repeated id: the last definition counts */
		uint32_t idx = pr->nfuncs++;
		bool inserted;
		*u64map_upsert(&pr->func_ids, id, idx, &inserted) = idx;
	}
	return ST_OK;
}

static enum status read_location(struct prof *pr, struct pb sub, size_t offset)
{
	struct pb_field f = {0};
	int r;
	uint64_t id = 0;
	struct ploc loc = {0, 0, pr->nlines, 0, offset};
	while ((r = pb_next(&sub, &f)) > 0) {
		if (f.num == 1 && f.wire == 0) {
			id = f.v;
		} else if (f.num == 3 && f.wire == 0) {
			loc.address = f.v;
		} else if (f.num == 4 && f.wire == 2) {
			struct pline ln = {0, 0};
			struct pb_field g;
			int q;
			struct pb l = f.sub;
			while ((q = pb_next(&l, &g)) > 0) {
				if (g.num == 1 && g.wire == 0)
					ln.func_id = g.v;
				else if (g.num == 2 && g.wire == 0)
					ln.line = (int64_t)g.v;
			}
			if (q < 0)
				return bad(pr, f.offset, "bad Line");
			GROW(pr->lines, pr->nlines, pr->lines_cap);
			pr->lines[pr->nlines++] = ln;
			loc.nlines++;
		}
	}
	if (r < 0)
		return bad(pr, offset, "bad Location");
	if (!id)
		return bad(pr, offset, "Location without id");
	GROW(pr->locs, pr->nlocs, pr->locs_cap);
	loc.id = id;
	pr->locs[pr->nlocs] = loc;
	{
		/* a repeated id: the last definition counts */
		uint32_t idx = pr->nlocs++;
		bool inserted;
		*u64map_upsert(&pr->loc_ids, id, idx, &inserted) = idx;
	}
	return ST_OK;
}

/* What the parse holds now, for the budget: the message, the tables and
 * the snapshot built so far. */
static size_t held(const struct prof *pr)
{
	return (size_t)(pr->msg.end - pr->msg.base) + (size_t)pr->strs_cap * sizeof(*pr->strs) +
	       (size_t)pr->funcs_cap * sizeof(*pr->funcs) + (size_t)pr->locs_cap * sizeof(*pr->locs) +
	       (size_t)pr->lines_cap * sizeof(*pr->lines) + (size_t)(pr->func_ids.cap + pr->loc_ids.cap) * 12 +
	       snapshot_bytes(pr->s);
}

static enum status tick(struct prof *pr)
{
	if (budget_due(pr->budget) && budget_check(pr->budget, held(pr)) != ST_OK)
		return budget_error(pr->budget, "reading the pprof profile", pr->err);
	return ST_OK;
}

/* Step one: everything but the samples. */
static enum status read_tables(struct prof *pr)
{
	struct pb b = pr->msg;
	struct pb_field f = {0};
	int r;
	enum status st;
	while ((r = pb_next(&b, &f)) > 0) {
		struct snapshot *s = pr->s;
		if ((st = tick(pr)) != ST_OK)
			return st;
		switch (f.num) {
		case 1:
			if (f.wire != 2)
				return bad(pr, f.offset, "sample_type is not a message");
			if (pr->ntypes < ARRAY_LEN(pr->types) &&
			    (st = read_value_type(pr, f.sub, pr->types[pr->ntypes++])) != ST_OK)
				return st;
			break;
		case 2:
			if (f.wire != 2)
				return bad(pr, f.offset, "sample is not a message");
			break; /* read in step two */
		case 3:
			if (f.wire != 2)
				return bad(pr, f.offset, "mapping is not a message");
			if (pr->mappings++ == 0) {
				struct pb m = f.sub;
				struct pb_field g;
				int q;
				while ((q = pb_next(&m, &g)) > 0) {
					if (g.num == 5 && g.wire == 0)
						pr->main_file = g.v;
					else if (g.num == 6 && g.wire == 0)
						pr->main_build_id = g.v;
				}
				if (q < 0)
					return bad(pr, f.offset, "bad Mapping");
			}
			break;
		case 4:
			if (f.wire != 2 || (st = read_location(pr, f.sub, f.offset)) != ST_OK)
				return f.wire != 2 ? bad(pr, f.offset, "location is not a message") : st;
			break;
		case 5:
			if (f.wire != 2 || (st = read_function(pr, f.sub, f.offset)) != ST_OK)
				return f.wire != 2 ? bad(pr, f.offset, "function is not a message") : st;
			break;
		case 6:
			if (f.wire != 2)
				return bad(pr, f.offset, "string_table entry is not a string");
			GROW(pr->strs, pr->nstrs, pr->strs_cap);
			pr->strs[pr->nstrs++] = slice_make((const char *)f.sub.p, (size_t)(f.sub.end - f.sub.p));
			break;
		case 9: s->time_nanos = (int64_t)f.v; break;
		case 10: s->duration_nanos = (int64_t)f.v; break;
		case 11:
			if (f.wire == 2 && (st = read_value_type(pr, f.sub, pr->period_type)) != ST_OK)
				return st;
			break;
		case 12: s->period = (int64_t)f.v; break;
		default: break; /* fields goroscope does not use */
		}
	}
	if (r < 0)
		return bad(pr, (size_t)(b.p - b.base), "truncated or corrupt field");
	if (pr->nstrs == 0 || pr->strs[0].n != 0)
		return bad(pr, 0, "the string table is missing or does not start with \"\"");
	for (uint32_t i = 0; i < pr->ntypes; i++)
		if (!str_ok(pr, pr->types[i][0]) || !str_ok(pr, pr->types[i][1]))
			return bad(pr, 0, "sample_type names a string the table does not have");
	for (uint32_t i = 0; i < pr->nfuncs; i++)
		if (!str_ok(pr, pr->funcs[i].name) || !str_ok(pr, pr->funcs[i].file))
			return bad(pr, pr->funcs[i].offset, "Function names a string the table does not have");
	for (uint32_t i = 0; i < pr->nlines; i++) {
		uint32_t k;
		if (pr->lines[i].func_id && !find_func(pr, pr->lines[i].func_id, &k))
			return err_set(pr->err, ST_FORMAT, 0, 0,
				       "malformed pprof profile: a Line refers to function %llu, which the profile "
				       "does not define",
				       (unsigned long long)pr->lines[i].func_id);
	}
	if (!str_ok(pr, pr->main_file) || !str_ok(pr, pr->main_build_id))
		return bad(pr, 0, "the main Mapping names a string the table does not have");
	struct slice bin = str_at(pr, pr->main_file), id = str_at(pr, pr->main_build_id);
	if (bin.n)
		pr->s->binary = arena_strndup(&pr->s->arena, bin.p, bin.n);
	if (id.n)
		pr->s->build_id = arena_strndup(&pr->s->arena, id.p, id.n);
	pr->str_ids = xmalloc((size_t)pr->nstrs * sizeof(*pr->str_ids));
	memset(pr->str_ids, 0xff, (size_t)pr->nstrs * sizeof(*pr->str_ids));
	return ST_OK;
}

static bool type_is(const struct prof *pr, uint32_t i, const char *type, const char *unit)
{
	return slice_eq(str_at(pr, pr->types[i][0]), type) && slice_eq(str_at(pr, pr->types[i][1]), unit);
}

/* What kind of profile this is, from its sample types; refuses others. */
static enum status classify(struct prof *pr)
{
	struct snapshot *s = pr->s;
	if (pr->ntypes == 1 && slice_eq(str_at(pr, pr->types[0][1]), "count")) {
		struct slice name = str_at(pr, pr->types[0][0]);
		s->profile = slice_eq(name, "goroutine")       ? PROF_GOROUTINE
			     : slice_eq(name, "goroutineleak") ? PROF_GOROUTINELEAK
			     : slice_eq(name, "threadcreate")  ? PROF_THREADCREATE
							       : PROF_COUNT;
		s->profile_name = arena_strndup(&s->arena, name.p, name.n);
		return ST_OK;
	}
	if (pr->ntypes == 2 && type_is(pr, 0, "contentions", "count") && type_is(pr, 1, "delay", "nanoseconds")) {
		s->profile = PROF_CONTENTION;
		s->profile_name = "contention";
		return ST_OK;
	}
	const char *kind = NULL;
	if (pr->ntypes >= 2 && (type_is(pr, 0, "alloc_objects", "count") || type_is(pr, 0, "inuse_objects", "count")))
		kind = "heap (memory allocation)";
	else if (pr->ntypes == 2 && type_is(pr, 0, "samples", "count") && type_is(pr, 1, "cpu", "nanoseconds"))
		kind = "CPU";
	char types[256] = "";
	size_t o = 0;
	for (uint32_t i = 0; i < pr->ntypes && o < sizeof(types) - 1; i++) {
		struct slice t = str_at(pr, pr->types[i][0]), u = str_at(pr, pr->types[i][1]);
		int w = snprintf(types + o, sizeof(types) - o, "%s%.*s/%.*s", i ? ", " : "", (int)MIN(t.n, 60),
				 t.p, (int)MIN(u.n, 60), u.p);
		if (w < 0)
			break;
		o = MIN(o + (size_t)w, sizeof(types) - 1);
	}
	if (kind)
		return err_set(pr->err, ST_FORMAT, 0, 0,
			       "this is a %s profile (%s), not goroutine data; goroscope reads goroutine, "
			       "goroutineleak, threadcreate, block and mutex profiles",
			       kind, types);
	return err_set(pr->err, ST_FORMAT, 0, 0,
		       "this pprof profile has sample types [%s]; goroscope reads goroutine, goroutineleak, "
		       "threadcreate, block and mutex profiles",
		       types);
}

size_t pprof_elide_shapes(const char *name, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n;) {
		if (name[i] == '[') {
			/* the matching ']' (lists nest: F[go.shape.[]int]) */
			size_t j = i + 1;
			int depth = 1;
			while (j < n && depth) {
				if (name[j] == '[')
					depth++;
				else if (name[j] == ']')
					depth--;
				j++;
			}
			if (!depth && memmem(name + i, j - i, "go.shape.", 9)) {
				memcpy(out + o, "[...]", 5);
				o += 5;
				i = j;
				continue;
			}
		}
		out[o++] = name[i++];
	}
	return o;
}

struct sample_acc {
	struct prof *pr;
	uint64_t *loc_ids;
	uint32_t nloc, loc_cap;
	int64_t values[2];
	uint32_t nvalues;
};

static void add_loc(void *ctx, uint64_t v)
{
	struct sample_acc *a = ctx;
	GROW(a->loc_ids, a->nloc, a->loc_cap);
	a->loc_ids[a->nloc++] = v;
}

static void add_value(void *ctx, uint64_t v)
{
	struct sample_acc *a = ctx;
	if (a->nvalues < 2)
		a->values[a->nvalues] = (int64_t)v;
	a->nvalues++;
}

/* Frames of a sample's locations (leaf first; in a location, the inlined
 * callee first). */
static enum status sample_frames(struct prof *pr, struct sample_acc *a, struct frame **frames, uint32_t *cap,
				 uint32_t *nframes, bool *dropped, uint64_t *budget, size_t offset)
{
	struct snapshot *s = pr->s;
	char name[1024];
	*nframes = 0;
	uint32_t limit = *budget > MAX_FRAMES ? MAX_FRAMES : *budget > FRAMES_OVER_BUDGET ? (uint32_t)*budget
											  : FRAMES_OVER_BUDGET;
	for (uint32_t i = 0; i < a->nloc; i++) {
		uint32_t li;
		if (!find_loc(pr, a->loc_ids[i], &li))
			return err_set(pr->err, ST_FORMAT, 0, offset,
				       "malformed pprof profile at byte %zu: a sample refers to location %llu, "
				       "which the profile does not define",
				       offset, (unsigned long long)a->loc_ids[i]);
		const struct ploc *loc = &pr->locs[li];
		uint32_t nl = loc->nlines ? loc->nlines : 1;
		if (*nframes >= limit) {
			*dropped = true; /* the other ids are still checked, their lines not expanded */
			continue;
		}
		uint32_t k = 0;
		for (; k < nl && *nframes < limit; k++) {
			struct frame f = {0};
			if (!loc->nlines) {
				/* no symbol: the address stands for the function
				 * (threadcreate writes ~0 for "no stack") */
				if (loc->address == UINT64_MAX || loc->address == 0)
					continue;
				int w = snprintf(name, sizeof(name), "0x%llx", (unsigned long long)loc->address);
				f.func = strtab_intern(&s->strs, name, (size_t)w);
				f.flags = FRAME_NOFILE;
			} else {
				const struct pline *ln = &pr->lines[loc->first_line + k];
				uint32_t fi;
				if (!find_func(pr, ln->func_id, &fi)) {
					f.func = strtab_intern(&s->strs, "?", 1);
					f.flags = FRAME_NOFILE;
				} else {
					struct pfunc *pf = &pr->funcs[fi];
					if (pf->func_sid == UINT32_MAX) {
						struct slice fn = str_at(pr, pf->name);
						if (fn.n < sizeof(name) && memchr(fn.p, '[', fn.n)) {
							size_t len = pprof_elide_shapes(fn.p, fn.n, name);
							pf->func_sid = goname_intern(&s->strs, name, len, hash_bytes(name, len, 0));
						} else if (memchr(fn.p, '%', fn.n)) {
							pf->func_sid = goname_intern(&s->strs, fn.p, fn.n, 0);
						} else {
							pf->func_sid = intern_str(pr, pf->name);
						}
						pf->file_sid = intern_str(pr, pf->file);
					}
					f.func = pf->func_sid;
					f.file = pf->file_sid;
					f.line = ln->line > 0 && ln->line <= UINT32_MAX ? (uint32_t)ln->line : 0;
				}
			}
			GROW(*frames, *nframes, *cap);
			(*frames)[(*nframes)++] = f;
		}
		if (k < nl)
			*dropped = true;
	}
	*budget = *budget > *nframes ? *budget - *nframes : 0;
	return ST_OK;
}

/* Step two: the samples. */
static enum status read_samples(struct prof *pr)
{
	struct snapshot *s = pr->s;
	struct sample_acc a = {.pr = pr};
	struct frame *frames = NULL;
	uint32_t frames_cap = 0;
	uint32_t kv[2 * MAX_LABELS];
	enum status st = ST_OK;
	bool contention = s->profile == PROF_CONTENTION;
	uint64_t dropped_frames = 0, dropped_labels = 0;
	size_t bytes = (size_t)(pr->msg.end - pr->msg.base);
	uint64_t budget = FRAMES_FLOOR + (uint64_t)FRAMES_PER_BYTE * bytes, over_budget = 0;
	struct pb msg = pr->msg;
	struct pb_field top = {0};
	int rt;
	while (st == ST_OK && (rt = pb_next(&msg, &top)) > 0) {
		if (top.num != 2)
			continue; /* step one read the rest, and checked the wire types */
		if ((st = tick(pr)) != ST_OK)
			break;
		struct pb b = top.sub;
		size_t offset = top.offset;
		struct pb_field f = {0};
		int r;
		a.nloc = 0;
		a.nvalues = 0;
		a.values[0] = a.values[1] = 0;
		uint32_t npairs = 0;
		while ((r = pb_next(&b, &f)) > 0) {
			if (f.num == 1) {
				if (!pb_numbers(&f, add_loc, &a))
					r = -1;
			} else if (f.num == 2) {
				if (!pb_numbers(&f, add_value, &a))
					r = -1;
			} else if (f.num == 3 && f.wire == 2) {
				uint64_t key = 0, str = 0, num = 0;
				bool has_num = false;
				struct pb_field g;
				int q;
				struct pb l = f.sub;
				while ((q = pb_next(&l, &g)) > 0) {
					if (g.wire != 0)
						continue;
					if (g.num == 1)
						key = g.v;
					else if (g.num == 2)
						str = g.v;
					else if (g.num == 3) {
						num = g.v;
						has_num = true;
					}
				}
				if (q < 0 || !str_ok(pr, key) || !str_ok(pr, str)) {
					st = bad(pr, f.offset, "bad Label (or a string index out of range)");
					break;
				}
				if (npairs == MAX_LABELS) {
					dropped_labels++;
					continue;
				}
				kv[2 * npairs] = intern_str(pr, key);
				if (str || !has_num) {
					kv[2 * npairs + 1] = intern_str(pr, str);
				} else {
					char tmp[24];
					int w = snprintf(tmp, sizeof(tmp), "%lld", (long long)(int64_t)num);
					kv[2 * npairs + 1] = strtab_intern(&s->strs, tmp, (size_t)w);
				}
				npairs++;
			}
		}
		if (st != ST_OK)
			break;
		if (r < 0) {
			st = bad(pr, offset, "bad Sample");
			break;
		}
		if (a.nvalues != pr->ntypes) {
			st = err_set(pr->err, ST_FORMAT, 0, offset,
				     "malformed pprof profile at byte %zu: a sample has %u values for %u sample types",
				     offset, a.nvalues, pr->ntypes);
			break;
		}
		uint32_t nframes;
		bool dropped = false, spent = budget < MAX_FRAMES;
		if ((st = sample_frames(pr, &a, &frames, &frames_cap, &nframes, &dropped, &budget, offset)) != ST_OK)
			break;
		dropped_frames += dropped && !spent;
		over_budget += dropped && spent;
		uint64_t sig = snapshot_stack_signature(s, frames, nframes, 0);
		uint32_t id = snapshot_find_stack(s, sig);
		if (id == UINT32_MAX)
			id = snapshot_add_stack(s, sig, frames, nframes, 0, NULL);
		uint32_t labels = npairs ? snapshot_intern_labels(s, kv, npairs) : 0;
		snapshot_add_sample(s, id, labels, a.values[0], contention ? a.values[1] : 0, contention,
				    hash_bytes(a.loc_ids, (size_t)a.nloc * sizeof(*a.loc_ids), 0));
	}
	if (dropped_frames)
		snapshot_warn(s, 0, 0, "%llu samples have more than %u frames; the rest were dropped",
			      (unsigned long long)dropped_frames, MAX_FRAMES);
	if (over_budget)
		snapshot_warn(s, 0, 0,
			      "the samples expand to more than %u frames per byte of the profile: %llu samples were "
			      "cut to %u frames (a hostile or broken profile)",
			      FRAMES_PER_BYTE, (unsigned long long)over_budget, FRAMES_OVER_BUDGET);
	if (dropped_labels)
		snapshot_warn(s, 0, 0, "%llu labels beyond %u per sample were dropped", (unsigned long long)dropped_labels,
			      MAX_LABELS);
	free(frames);
	free(a.loc_ids);
	return st;
}

/* Block and mutex profiles share their sample types; a mutex profile's
 * stacks end in an Unlock (the holder's unlock site). */
static void guess_contention_kind(struct snapshot *s)
{
	uint64_t unlock = 0, other = 0;
	for (uint64_t i = 0; i < s->ngoroutines; i++) {
		const struct stack *st = &s->stacks[snapshot_goroutine_stack(s, i)];
		if (!st->nframes)
			continue;
		const char *leaf = snapshot_str(s, (*snapshot_frame(s, st, 0)).func);
		if (strstr(leaf, "Unlock") || strstr(leaf, "runtime.unlock"))
			unlock++;
		else
			other++;
	}
	if (unlock + other == 0)
		return;
	s->profile = unlock > other ? PROF_MUTEX : PROF_BLOCK;
	s->profile_name = unlock > other ? "mutex" : "block";
}

enum status pprof_parse(const char *p, size_t n, const char *source, enum profile_kind contention_kind,
			struct budget *budget, struct snapset *out, struct err *err)
{
	struct prof pr = {0};
	pr.msg = (struct pb){(const uint8_t *)p, (const uint8_t *)p + n, (const uint8_t *)p};
	pr.err = err;
	pr.budget = budget;
	pr.s = snapshot_new(source, 1);
	pr.s->format = "pprof";
	pr.s->end_offset = n;
	enum status st = read_tables(&pr);
	if (st == ST_OK)
		st = classify(&pr);
	if (st == ST_OK)
		st = read_samples(&pr);
	if (st == ST_OK) {
		if (pr.s->time_nanos > 0) {
			pr.s->taken_ns = pr.s->time_nanos;
			pr.s->taken_from = TAKEN_PROFILE;
		}
		if (pr.s->profile == PROF_CONTENTION && (contention_kind == PROF_BLOCK || contention_kind == PROF_MUTEX)) {
			pr.s->profile = contention_kind;
			pr.s->profile_name = contention_kind == PROF_MUTEX ? "mutex" : "block";
		} else if (pr.s->profile == PROF_CONTENTION) {
			guess_contention_kind(pr.s);
		}
		if (pr.s->dropped_negative)
			snapshot_warn(pr.s, 0, 0,
				      "%llu samples have negative values (a delta profile: goroutines that went away); "
				      "they are not counted",
				      (unsigned long long)pr.s->dropped_negative);
		snapshot_parsed(pr.s);
		snapset_push(out, pr.s);
		pr.s = NULL;
	}
	snapshot_free(pr.s);
	free(pr.strs);
	free(pr.str_ids);
	free(pr.funcs);
	u64map_free(&pr.func_ids);
	free(pr.locs);
	u64map_free(&pr.loc_ids);
	free(pr.lines);
	return st;
}
