/* pprof_out.c: write a snapshot as a pprof Profile message (protobuf,
 * go-formats.md §3), so `go tool pprof` can open any dump goroscope reads.
 * Goroutines of a text dump become samples of one per (stack, state, wait
 * minutes, labels) with the state and wait minutes as sample labels; the
 * samples of a profile are written as they are. Locations and functions get
 * synthetic addresses in one mapping marked as fully symbolized. */
#include "../base/common.h"
#include "report.h"
#include "../base/hash.h"
#include "../base/u64map.h"
#include "../base/xalloc.h"
#include "../analyze/classify.h"

#include <stdlib.h>

/* ---- protobuf writing ---- */

static void pb_varint(struct buf *b, uint64_t v)
{
	uint8_t tmp[10];
	size_t n = 0;
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		tmp[n++] = c | (v ? 0x80 : 0);
	} while (v);
	buf_add(b, tmp, n);
}

static void pb_num(struct buf *b, uint32_t field, uint64_t v)
{
	pb_varint(b, (uint64_t)field << 3);
	pb_varint(b, v);
}

static void pb_bytes(struct buf *b, uint32_t field, const void *p, size_t n)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, n);
	buf_add(b, p, n);
}

static void pb_msg(struct buf *b, uint32_t field, struct buf *m)
{
	pb_bytes(b, field, m->p, m->len);
	buf_reset(m);
}

/* ---- the writer ---- */

struct writer {
	const struct snapshot *s;
	struct buf msg, tmp, tmp2;
	/* strings: snapshot strtab id -> pprof index; extra strings appended */
	uint64_t *str_index;
	const char **strs;
	size_t *lens;
	uint32_t nstrs, strs_cap;
	struct u64map funcs, locs;
	uint32_t nfuncs, nlocs;
};

static uint64_t add_string(struct writer *w, const char *p, size_t n)
{
	if (w->nstrs == w->strs_cap) {
		w->strs_cap = w->strs_cap ? w->strs_cap * 2 : 256;
		w->strs = xreallocarray(w->strs, w->strs_cap, sizeof(*w->strs));
		w->lens = xreallocarray(w->lens, w->strs_cap, sizeof(*w->lens));
	}
	w->strs[w->nstrs] = p;
	w->lens[w->nstrs] = n;
	return w->nstrs++;
}

static uint64_t sid(struct writer *w, uint32_t id)
{
	if (id == 0)
		return 0;
	if (!w->str_index[id])
		w->str_index[id] = add_string(w, snapshot_str(w->s, id), strtab_len(&w->s->strs, id));
	return w->str_index[id];
}

static uint64_t function_id(struct writer *w, const struct frame *f)
{
	bool fresh;
	uint32_t *v = u64map_upsert(&w->funcs, (uint64_t)f->func << 32 | f->file, w->nfuncs + 1, &fresh);
	if (fresh) {
		w->nfuncs++;
		pb_num(&w->tmp, 1, *v);
		pb_num(&w->tmp, 2, sid(w, f->func));
		pb_num(&w->tmp, 3, sid(w, f->func));
		if (f->file)
			pb_num(&w->tmp, 4, sid(w, f->file));
		pb_msg(&w->msg, 5, &w->tmp);
	}
	return *v;
}

static uint64_t location_id(struct writer *w, const struct frame *f)
{
	bool fresh;
	uint64_t fn = function_id(w, f);
	uint32_t *v = u64map_upsert(&w->locs, fn << 32 | f->line, w->nlocs + 1, &fresh);
	if (fresh) {
		w->nlocs++;
		pb_num(&w->tmp, 1, *v);
		pb_num(&w->tmp, 2, 1);
		pb_num(&w->tmp, 3, 0x1000 + 16 * (uint64_t)*v);
		pb_num(&w->tmp2, 1, fn);
		if (f->line)
			pb_num(&w->tmp2, 2, f->line);
		pb_msg(&w->tmp, 4, &w->tmp2);
		pb_msg(&w->msg, 4, &w->tmp);
	}
	return *v;
}

/* A location for a pseudo-function that is not in the snapshot. */
static uint64_t location_id_named(struct writer *w, const char *name)
{
	uint64_t fn = ++w->nfuncs, loc = ++w->nlocs, str = add_string(w, name, strlen(name));
	pb_num(&w->tmp, 1, fn);
	pb_num(&w->tmp, 2, str);
	pb_num(&w->tmp, 3, str);
	pb_msg(&w->msg, 5, &w->tmp);
	pb_num(&w->tmp, 1, loc);
	pb_num(&w->tmp, 2, 1);
	pb_num(&w->tmp, 3, 0x1000 + 16 * loc);
	pb_num(&w->tmp2, 1, fn);
	pb_msg(&w->tmp, 4, &w->tmp2);
	pb_msg(&w->msg, 4, &w->tmp);
	return loc;
}

static void label_str(struct writer *w, struct buf *sample, uint64_t key, uint64_t val)
{
	pb_num(&w->tmp2, 1, key);
	pb_num(&w->tmp2, 2, val);
	pb_msg(sample, 3, &w->tmp2);
}

/* A sample of a text dump: what makes two goroutines the same sample. */
struct agg {
	uint32_t stack, state, labels, minutes; /* minutes + 1, 0 = none */
	bool leaked;
	uint64_t count;
};

void report_pprof(struct buf *out, const struct snapshot *s)
{
	struct writer w = {.s = s};
	buf_init(&w.msg);
	buf_init(&w.tmp);
	buf_init(&w.tmp2);
	w.str_index = xcalloc(s->strs.count ? s->strs.count : 1, sizeof(*w.str_index));
	add_string(&w, "", 0);
	bool contention = s->profile == PROF_BLOCK || s->profile == PROF_MUTEX || s->profile == PROF_CONTENTION;
	const char *name = snapshot_is_profile(s) && s->profile_name ? s->profile_name : "goroutine";
	uint64_t type = add_string(&w, contention ? "contentions" : name, strlen(contention ? "contentions" : name));
	uint64_t count = add_string(&w, "count", 5);
	pb_num(&w.tmp, 1, type);
	pb_num(&w.tmp, 2, count);
	struct buf vt;
	buf_init(&vt);
	buf_add(&vt, w.tmp.p, w.tmp.len);
	pb_msg(&w.msg, 1, &w.tmp);
	if (contention) {
		pb_num(&w.tmp, 1, add_string(&w, "delay", 5));
		pb_num(&w.tmp, 2, add_string(&w, "nanoseconds", 11));
		pb_msg(&w.msg, 1, &w.tmp);
	}
	pb_bytes(&w.msg, 11, vt.p, vt.len); /* period_type */
	buf_free(&vt);
	pb_num(&w.msg, 12, s->period > 0 ? (uint64_t)s->period : 1);
	if (s->time_nanos > 0)
		pb_num(&w.msg, 9, (uint64_t)s->time_nanos);
	if (s->duration_nanos > 0)
		pb_num(&w.msg, 10, (uint64_t)s->duration_nanos);

	uint64_t k_state = add_string(&w, "state", 5), k_minutes = add_string(&w, "wait_minutes", 12);
	uint64_t u_minutes = add_string(&w, "minutes", 7), k_leaked = add_string(&w, "leaked", 6);
	uint64_t v_true = add_string(&w, "true", 4);

	/* Text dumps: goroutines into samples. Profiles: samples as they are. */
	struct agg *aggs = NULL;
	uint32_t naggs = 0, aggs_cap = 0;
	struct u64map amap = {0};
	for (uint64_t i = 0; i < s->ngoroutines; i++) {
		const struct goroutine g_v = snapshot_goroutine(s, i), *g = &g_v;
		struct agg a = {g->stack, g->state, g->labels,
				(g->flags & G_HAS_MINUTES) ? g->minutes + 1 : 0,
				(g->flags & G_LEAKED) && s->profile != PROF_GOROUTINELEAK, snapshot_weight(s, i)};
		if (snapshot_is_profile(s)) {
			if (naggs == aggs_cap) {
				aggs_cap = aggs_cap ? aggs_cap * 2 : 256;
				aggs = xreallocarray(aggs, aggs_cap, sizeof(*aggs));
			}
			aggs[naggs++] = a;
			continue;
		}
		uint64_t key = hash_u64(hash_u64(hash_u64(hash_u64(a.stack, a.state), a.labels), a.minutes), a.leaked);
		bool fresh;
		uint32_t *v = u64map_upsert(&amap, key, naggs, &fresh);
		/* a hash collision between different samples: probe on */
		while (!fresh) {
			struct agg *o = &aggs[*v];
			if (o->stack == a.stack && o->state == a.state && o->labels == a.labels &&
			    o->minutes == a.minutes && o->leaked == a.leaked)
				break;
			key = hash_u64(key, 1);
			v = u64map_upsert(&amap, key, naggs, &fresh);
		}
		if (!fresh) {
			aggs[*v].count += a.count;
			continue;
		}
		if (naggs == aggs_cap) {
			aggs_cap = aggs_cap ? aggs_cap * 2 : 256;
			aggs = xreallocarray(aggs, aggs_cap, sizeof(*aggs));
		}
		aggs[naggs++] = a;
	}
	u64map_free(&amap);

	uint64_t no_stack_loc = 0;
	struct buf sample, locs;
	buf_init(&sample);
	buf_init(&locs);
	for (uint32_t i = 0; i < naggs; i++) {
		const struct agg *a = &aggs[i];
		const struct stack *st = &s->stacks[a->stack];
		const struct frame_view f = snapshot_frames(s, st);
		for (uint32_t k = 0; k < st->nframes; k++)
			pb_varint(&locs, location_id(&w, &FRAME(f, k)));
		if (!st->nframes) {
			/* pprof drops samples without locations: keep them visible */
			if (!no_stack_loc)
				no_stack_loc = location_id_named(&w, "[no stack]");
			pb_varint(&locs, no_stack_loc);
		}
		if (locs.len)
			pb_msg(&sample, 1, &locs); /* packed */
		pb_num(&sample, 2, a->count);
		if (contention)
			pb_num(&sample, 2, s->delays ? (uint64_t)s->delays[i] : 0);
		if (a->state)
			label_str(&w, &sample, k_state, sid(&w, a->state));
		if (a->minutes) {
			pb_num(&w.tmp2, 1, k_minutes);
			pb_num(&w.tmp2, 3, a->minutes - 1);
			pb_num(&w.tmp2, 4, u_minutes);
			pb_msg(&sample, 3, &w.tmp2);
		}
		if (a->leaked)
			label_str(&w, &sample, k_leaked, v_true);
		if (a->labels) {
			uint32_t kv[2 * 64];
			uint32_t n = snapshot_labels(s, a->labels, kv, 64);
			for (uint32_t k = 0; k < n; k++)
				label_str(&w, &sample, sid(&w, kv[2 * k]), sid(&w, kv[2 * k + 1]));
		}
		pb_msg(&w.msg, 2, &sample);
	}
	free(aggs);
	buf_free(&sample);
	buf_free(&locs);

	/* one mapping, fully symbolized, covering the synthetic addresses */
	pb_num(&w.tmp, 1, 1);
	pb_num(&w.tmp, 2, 0x1000);
	pb_num(&w.tmp, 3, 0x1000 + 16 * ((uint64_t)w.nlocs + 1));
	pb_num(&w.tmp, 5, add_string(&w, "goroscope", 9));
	pb_num(&w.tmp, 7, 1);
	pb_num(&w.tmp, 8, 1);
	pb_num(&w.tmp, 9, 1);
	pb_msg(&w.msg, 3, &w.tmp);
	for (uint32_t i = 0; i < w.nstrs; i++)
		pb_bytes(&w.msg, 6, w.strs[i], w.lens[i]);

	buf_add(out, w.msg.p, w.msg.len);
	buf_free(&w.msg);
	buf_free(&w.tmp);
	buf_free(&w.tmp2);
	u64map_free(&w.funcs);
	u64map_free(&w.locs);
	free(w.str_index);
	free(w.strs);
	free(w.lens);
}
