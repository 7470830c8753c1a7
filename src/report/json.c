/* json.c: the stable JSON document of `analyze --json` (docs/json.md).
 * Keys are fixed; values absent from a format are null, never invented. */
#include "../base/common.h"
#include "report.h"
#include "escape.h"
#include "../base/xalloc.h"

#include <stdlib.h>

void report_json_str(struct buf *b, const struct snapshot *s, uint32_t id)
{
	put_json_str(b, snapshot_str(s, id), strtab_len(&s->strs, id));
}

void report_json_creator(struct buf *b, const struct snapshot *s, const struct stack *st)
{
	if (st->flags & STACK_HAS_CREATOR)
		report_json_frame(b, s, &st->creator);
	else
		buf_adds(b, "null");
}

static void str_id(struct buf *b, const struct snapshot *s, uint32_t id)
{
	report_json_str(b, s, id);
}

void report_json_frame(struct buf *b, const struct snapshot *s, const struct frame *f)
{
	buf_adds(b, "{\"func\":");
	str_id(b, s, f->func);
	buf_adds(b, ",\"file\":");
	if (f->flags & FRAME_NOFILE && !f->file)
		buf_adds(b, "null");
	else
		str_id(b, s, f->file);
	buf_adds(b, ",\"line\":");
	buf_add_u64(b, f->line);
	if (f->flags & FRAME_INLINED)
		buf_adds(b, ",\"inlined\":true");
	buf_addc(b, '}');
}

void report_json_frames(struct buf *b, const struct snapshot *s, const struct stack *st)
{
	buf_addc(b, '[');
	const struct frame_view f = snapshot_frames(s, st);
	for (uint32_t k = 0; k < st->nframes; k++) {
		if (k)
			buf_addc(b, ',');
		report_json_frame(b, s, &FRAME(f, k));
	}
	buf_addc(b, ']');
}

static void labels_obj(struct buf *b, const struct snapshot *s, uint32_t labels)
{
	uint32_t kv[64];
	uint32_t n = snapshot_labels(s, labels, kv, 32);
	buf_addc(b, '{');
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		str_id(b, s, kv[2 * i]);
		buf_addc(b, ':');
		str_id(b, s, kv[2 * i + 1]);
	}
	buf_addc(b, '}');
}

void report_json_begin(struct buf *b, const char *command)
{
	buf_adds(b, "{\"tool\":\"goroscope\",\"version\":\"" GOROSCOPE_VERSION "\",\"schema\":1,\"command\":");
	put_json_cstr(b, command);
	buf_adds(b, ",\"snapshots\":[");
}

void report_json_end(struct buf *b, uint64_t total)
{
	buf_adds(b, "],\"total\":");
	buf_add_u64(b, total);
	buf_adds(b, "}\n");
}

/* The frames of a page's document (JSON_FRAME_TABLE): the snapshot's
 * frame table (each distinct frame once, snapshot.h) as "frame_table", and
 * the groups' stacks as indices into it. A profile of 100,000 deep stacks
 * repeats a few hundred frames millions of times: as objects that is
 * 200 MB of JSON for the browser to parse, as indices a tenth of it. */
static void table_frames(struct buf *b, const struct snapshot *s, const struct stack *st)
{
	buf_addc(b, '[');
	for (uint32_t k = 0; k < st->nframes; k++) {
		if (k)
			buf_addc(b, ',');
		buf_add_u64(b, s->frames[st->first + k]);
	}
	buf_addc(b, ']');
}

/* Each distinct frame's JSON, written once per snapshot and copied after
 * that: the 267k stacks of a deep profile are 8 million frames made of 64
 * distinct ones, and escaping their names each time was most of the time
 * `--json` took. Past FRAME_CACHE_MAX bytes of text, frames not cached
 * yet are written each time. */
struct frame_cache {
	const struct snapshot *s;
	uint32_t *at;   /* by frame table index: offset in text + 1; 0 = not cached */
	uint32_t *len;
	struct buf text;
};

enum { FRAME_CACHE_MAX = 64 << 20 };

static void frame_cache_init(struct frame_cache *c, const struct snapshot *s)
{
	c->s = s;
	c->at = xcalloc(s->nftab ? s->nftab : 1, sizeof(*c->at));
	c->len = xmalloc((s->nftab ? s->nftab : 1) * sizeof(*c->len));
	buf_init(&c->text);
}

static void frame_cache_free(struct frame_cache *c)
{
	free(c->at);
	free(c->len);
	buf_free(&c->text);
}

static void cached_frames(struct buf *b, struct frame_cache *c, const struct stack *st)
{
	const struct snapshot *s = c->s;
	buf_addc(b, '[');
	for (uint32_t k = 0; k < st->nframes; k++) {
		if (k)
			buf_addc(b, ',');
		uint32_t id = s->frames[st->first + k];
		if (!c->at[id] && c->text.len < FRAME_CACHE_MAX) {
			size_t from = c->text.len;
			report_json_frame(&c->text, s, &s->ftab[id]);
			c->at[id] = (uint32_t)from + 1;
			c->len[id] = (uint32_t)(c->text.len - from);
		}
		if (c->at[id])
			buf_add(b, c->text.p + c->at[id] - 1, c->len[id]);
		else
			report_json_frame(b, s, &s->ftab[id]);
	}
	buf_addc(b, ']');
}

/* End of the JSON value starting at p[i] (a valid one, as this file
 * writes them). */
static size_t value_end(const char *p, size_t i, size_t n)
{
	int depth = 0;
	bool in_str = false;
	for (; i < n; i++) {
		char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			if (!in_str && depth == 0)
				return i + 1;
			continue;
		}
		if (c == '"') {
			in_str = true;
		} else if (c == '[') {
			/* an array of numbers (the frame indices, the ids) ends at
			 * the first ']' when nothing before it opens a string or a
			 * value of its own: found at memchr's speed */
			const char *close = memchr(p + i + 1, ']', n - i - 1);
			size_t len = close ? (size_t)(close - (p + i + 1)) : 0;
			if (close && !memchr(p + i + 1, '"', len) && !memchr(p + i + 1, '[', len) &&
			    !memchr(p + i + 1, '{', len)) {
				i = (size_t)(close - p);
				if (depth == 0)
					return i + 1;
				continue;
			}
			depth++;
		} else if (c == '{') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		}
		if (depth == 0 && !in_str && (c == '}' || c == ']'))
			return i + 1;
		if (depth == 0 && (c == ',' || c == '}' || c == ']'))
			return i;
		if (depth < 0)
			return i;
	}
	return n;
}

/* The page's form of one object written at b->p[from..]: members whose
 * value says nothing (null, 0, false, {}, []) are left out, as the page
 * reads a missing member the same way. A group of a profile is then a
 * third of its size, and 100,000 of them parse in a third of the time. */
static void drop_empty_members(struct buf *b, size_t from)
{
	static const struct {
		const char *s;
		size_t n;
	} empty[] = {{"null", 4}, {"0", 1}, {"false", 5}, {"{}", 2}, {"[]", 2}};
	char *p = b->p + from;
	size_t n = b->len - from, out = 1, i = 1; /* past '{' */
	while (i < n && p[i] != '}') {
		size_t key = i;
		size_t colon = value_end(p, i, n); /* the key is a string */
		size_t vend = value_end(p, colon + 1, n);
		size_t vlen = vend - (colon + 1);
		bool drop = false;
		for (size_t k = 0; k < ARRAY_LEN(empty) && !drop; k++)
			drop = empty[k].n == vlen && !memcmp(p + colon + 1, empty[k].s, vlen);
		if (!drop) {
			if (out > 1)
				p[out++] = ',';
			memmove(p + out, p + key, vend - key);
			out += vend - key;
		}
		i = vend < n && p[vend] == ',' ? vend + 1 : vend;
	}
	p[out++] = '}';
	b->len = from + out;
}

/* prefix (",\"key\":") and the number v */
static void member_u64(struct buf *b, const char *prefix, uint64_t v)
{
	buf_adds(b, prefix);
	buf_add_u64(b, v);
}

static void group_obj(struct buf *b, const struct analysis *a, uint32_t gi, bool all_ids, bool frame_table,
		      struct frame_cache *frames)
{
	const struct snapshot *s = a->snap;
	const struct group *g = &a->groups[gi];
	const struct stack *st = &s->stacks[g->stack];
	const struct group_records *r = g->rec;
	buf_adds(b, "{\"id\":");
	buf_add_u64(b, gi + 1);
	buf_adds(b, ",\"count\":");
	buf_add_u64(b, g->count);
	if (s->delays)
		buf_printf(b, ",\"delay_ns\":%llu", (unsigned long long)g->delay_ns);
	if (a->opt.by == GROUP_LABEL) {
		buf_adds(b, ",\"label\":{\"key\":");
		put_json_cstr(b, a->opt.label_key);
		buf_adds(b, ",\"value\":");
		if (g->label_value)
			str_id(b, s, g->label_value);
		else
			buf_adds(b, "null");
		buf_addc(b, '}');
	}
	buf_adds(b, ",\"stacks\":");
	buf_add_u64(b, g->nstacks);
	buf_adds(b, ",\"states\":{");
	for (uint32_t k = 0; k < g->nstates && !snapshot_is_profile(s); k++) {
		if (k)
			buf_addc(b, ',');
		str_id(b, s, g->states[k].state);
		buf_addc(b, ':');
		buf_add_u64(b, g->states[k].count);
	}
	if (g->other_states) {
		buf_adds(b, g->nstates ? ",\"(other)\":" : "\"(other)\":");
		buf_add_u64(b, g->other_states);
	}
	buf_adds(b, "},\"wait_class\":");
	put_json_cstr(b, wait_class_name(g->wclass));
	buf_adds(b, ",\"wait_minutes\":");
	if (r->has_minutes)
		buf_printf(b, "{\"min\":%u,\"median\":%u,\"max\":%u,\"known\":%llu}", r->min_minutes,
			   r->median_minutes, r->max_minutes, (unsigned long long)r->with_minutes);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"frames\":");
	if (frame_table)
		table_frames(b, s, st);
	else
		cached_frames(b, frames, st);
	buf_adds(b, ",\"elided\":");
	if (st->flags & STACK_ELIDED_MIDDLE)
		buf_printf(b, "{\"kind\":\"middle\",\"frames\":%u}", st->elided);
	else if (st->flags & STACK_ELIDED_OLD)
		buf_adds(b, "{\"kind\":\"outermost\",\"frames\":null}");
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"stack_unavailable\":");
	buf_adds(b, st->flags & STACK_UNAVAILABLE ? "true" : "false");
	buf_adds(b, ",\"created_by\":");
	report_json_creator(b, s, st);
	buf_adds(b, ",\"parents\":");
	if (r->with_parent)
		buf_printf(b, "{\"known\":%llu,\"distinct\":%llu,\"top\":%llu,\"top_count\":%llu}",
			   (unsigned long long)r->with_parent, (unsigned long long)r->distinct_parents,
			   (unsigned long long)r->top_parent, (unsigned long long)r->top_parent_count);
	else
		buf_adds(b, "null");
	/* (written without printf, as below: this runs for every group) */
	member_u64(b, ",\"locked_to_thread\":", r->locked);
	member_u64(b, ",\"leaked\":", g->leaked);
	member_u64(b, ",\"durable\":", r->durable);
	member_u64(b, ",\"in_synctest_bubble\":", r->bubbled);
	member_u64(b, ",\"truncated\":", r->truncated);
	buf_adds(b, ",\"wait_object\":");
	if (r->with_object)
		buf_printf(b, "{\"top\":\"0x%llx\",\"top_count\":%llu,\"distinct\":%llu,\"known\":%llu,\"source\":\"%s\"}",
			   (unsigned long long)r->top_object, (unsigned long long)r->top_object_count,
			   (unsigned long long)r->distinct_objects, (unsigned long long)r->with_object,
			   r->object_from_primitive ? "wait-primitive" : "first-argument");
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"labels\":");
	if (g->labels)
		labels_obj(b, s, g->labels);
	else
		buf_adds(b, "null");
	member_u64(b, ",\"labelled\":", g->labelled);
	buf_adds(b, g->system ? ",\"system\":true,\"ids\":[" : ",\"system\":false,\"ids\":[");
	if (all_ids) {
		bool first = true;
		for (uint64_t k = 0; k < g->nmembers; k++) {
			const struct goroutine go_v = snapshot_goroutine(s, a->members[g->first_member + k]), *go = &go_v;
			if (go->flags & G_SAMPLE)
				continue; /* profiles carry no ids */
			if (!first)
				buf_addc(b, ',');
			first = false;
			buf_add_u64(b, go->id);
		}
	} else {
		for (uint32_t k = 0; k < r->nids; k++) {
			if (k)
				buf_addc(b, ',');
			buf_add_u64(b, r->ids[k]);
		}
	}
	buf_adds(b, "],\"suspicion\":");
	put_json_cstr(b, confidence_name(g->suspicion));
	buf_addc(b, '}');
}

static void suspect_obj(struct buf *b, const struct analysis *a, const struct suspect *sp)
{
	const struct snapshot *s = a->snap;
	const struct group *g = &a->groups[sp->group];
	const struct stack *st = &s->stacks[g->stack];
	buf_adds(b, "{\"kind\":");
	buf_adds(b, sp->shared_object ? "\"shared-object\"" : "\"site\"");
	buf_adds(b, ",\"object\":");
	if (sp->shared_object)
		buf_printf(b, "\"0x%llx\"", (unsigned long long)sp->object);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"group\":");
	buf_add_u64(b, sp->group + 1);
	buf_adds(b, ",\"groups\":[");
	for (uint32_t k = 0; k < sp->ngroups; k++) {
		if (k)
			buf_addc(b, ',');
		buf_add_u64(b, a->suspect_groups[sp->first + k] + 1);
	}
	buf_adds(b, "],\"count\":");
	buf_add_u64(b, sp->count);
	buf_adds(b, ",\"state\":");
	if (g->nstates)
		str_id(b, s, g->states[0].state);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"wait_minutes\":");
	if (sp->has_minutes)
		buf_printf(b, "{\"min\":%u,\"median\":%u,\"max\":%u}", sp->min_minutes, sp->median_minutes,
			   sp->max_minutes);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"confidence\":");
	put_json_cstr(b, confidence_name(sp->confidence));
	buf_printf(b, ",\"strong\":%s", sp->strong ? "true" : "false");
	buf_adds(b, ",\"evidence\":");
	put_json_cstr(b, sp->reason);
	buf_adds(b, ",\"pattern\":");
	if (sp->pattern) {
		put_json_cstr(b, sp->pattern->id);
		buf_adds(b, ",\"cause\":");
		put_json_cstr(b, sp->pattern->cause);
		buf_adds(b, ",\"fix\":");
		put_json_cstr(b, sp->pattern->fix);
	} else {
		buf_adds(b, "null,\"cause\":null,\"fix\":null");
	}
	buf_adds(b, ",\"site\":");
	if (st->nframes)
		report_json_frame(b, s, snapshot_frame(s, st, g->site));
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"created_by\":");
	report_json_creator(b, s, st);
	buf_addc(b, '}');
}

static void race_access_obj(struct buf *b, const struct snapshot *s, const struct race_access *r)
{
	buf_adds(b, "{\"access\":");
	put_json_cstr(b, r->kind);
	buf_adds(b, ",\"goroutine\":");
	if (r->main_goroutine)
		buf_adds(b, "\"main\"");
	else
		buf_add_u64(b, r->goroutine);
	buf_adds(b, ",\"top\":");
	if (r->top.func)
		report_json_frame(b, s, &r->top);
	else
		buf_adds(b, "null");
	buf_addc(b, '}');
}

/* "profile": null for a text dump; else what kind of profile, its header
 * figures, and what the format does not carry. */
static void profile_obj(struct buf *b, const struct analysis *a)
{
	const struct snapshot *s = a->snap;
	buf_adds(b, ",\"profile\":");
	if (!snapshot_is_profile(s)) {
		buf_adds(b, "null");
		return;
	}
	buf_adds(b, "{\"kind\":");
	put_json_cstr(b, profile_kind_name(s->profile));
	buf_adds(b, ",\"name\":");
	put_json_cstr(b, s->profile_name ? s->profile_name : profile_kind_name(s->profile));
	buf_adds(b, ",\"reported_total\":");
	if (s->has_reported_total)
		buf_add_u64(b, s->reported_total);
	else
		buf_adds(b, "null");
	buf_printf(b, ",\"samples\":%llu,\"period\":%lld,\"time_nanos\":%lld,\"duration_nanos\":%lld",
		   (unsigned long long)s->ngoroutines, (long long)s->period, (long long)s->time_nanos,
		   (long long)s->duration_nanos);
	bool contention = s->profile == PROF_BLOCK || s->profile == PROF_MUTEX || s->profile == PROF_CONTENTION;
	if (contention)
		buf_printf(b, ",\"total_delay_ns\":%llu,\"cycles_per_second\":%.0f,\"sampling_period\":%lld",
			   (unsigned long long)a->total_delay_ns, s->cycles_per_second, (long long)s->sampling_period);
	buf_printf(b, ",\"negative_samples_dropped\":%llu", (unsigned long long)s->dropped_negative);
	buf_adds(b, ",\"binary\":");
	put_json_cstr_or_null(b, s->binary);
	buf_adds(b, ",\"build_id\":");
	put_json_cstr_or_null(b, s->build_id);
	buf_adds(b, ",\"not_in_format\":[\"ids\",\"states\",\"wait_minutes\",\"creators\",\"arguments\"]}");
}

void report_json_snapshot(struct buf *b, const struct analysis *a, bool first, unsigned flags)
{
	bool all_ids = flags & JSON_ALL_IDS;
	bool ft = flags & JSON_FRAME_TABLE;
	const struct snapshot *s = a->snap;
	if (!first)
		buf_addc(b, ',');
	buf_adds(b, "{\"source\":");
	put_json_cstr(b, s->source);
	buf_adds(b, ",\"index\":");
	buf_add_u64(b, s->index);
	buf_adds(b, ",\"format\":");
	put_json_cstr(b, s->format);
	buf_adds(b, ",\"kind\":");
	put_json_cstr(b, snap_kind_name(s->kind));
	buf_adds(b, ",\"preamble\":");
	put_json_cstr_or_null(b, s->preamble);
	buf_adds(b, ",\"signal\":");
	put_json_cstr_or_null(b, s->signal_detail);
	buf_printf(b, ",\"lines\":{\"first\":%llu,\"last\":%llu}", (unsigned long long)s->first_line,
		   (unsigned long long)s->last_line);
	buf_adds(b, ",\"go_version_min\":");
	if (s->go_version_min)
		buf_printf(b, "\"1.%u\"", s->go_version_min);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"taken\":");
	if (s->taken_ns > 0) {
		buf_printf(b, "{\"unix_nanos\":%lld,\"from\":", (long long)s->taken_ns);
		put_json_cstr(b, taken_from_name(s->taken_from));
		buf_addc(b, '}');
	} else {
		buf_adds(b, "null");
	}
	buf_printf(b,
		   ",\"total\":%llu,\"shown\":%llu,\"hidden_system\":%llu,\"filtered_out\":%llu,\"unique_ids\":%llu",
		   (unsigned long long)a->total, (unsigned long long)a->shown, (unsigned long long)a->hidden_system,
		   (unsigned long long)a->filtered_out, (unsigned long long)s->unique_ids);
	buf_printf(b, ",\"groups_total\":%u", a->ngroups);
	profile_obj(b, a);
	buf_printf(b, ",\"gccgo\":%s", s->gccgo ? "true" : "false");
	buf_printf(b, ",\"truncated\":%s,\"at_pprof_cap\":%s,\"register_dump\":%s,\"threads\":%u,\"traceback_level2\":%s,\"gp_headers\":%s",
		   s->truncated ? "true" : "false", s->at_pprof_cap ? "true" : "false",
		   s->register_dump ? "true" : "false", s->threads, s->level2 ? "true" : "false",
		   s->gp_headers ? "true" : "false");
	buf_adds(b, ",\"warnings\":[");
	for (uint32_t i = 0; i < s->nwarnings; i++) {
		if (i)
			buf_addc(b, ',');
		buf_printf(b, "{\"line\":%llu,\"offset\":%llu,\"message\":", (unsigned long long)s->warnings[i].line,
			   (unsigned long long)s->warnings[i].offset);
		put_json_cstr(b, s->warnings[i].msg);
		buf_addc(b, '}');
	}
	buf_printf(b, "],\"warnings_dropped\":%u", s->warnings_dropped);
	buf_adds(b, ",\"states\":{");
	for (uint32_t i = 0; i < a->nstates && !snapshot_is_profile(s); i++) {
		if (i)
			buf_addc(b, ',');
		str_id(b, s, a->states[i].state);
		buf_addc(b, ':');
		buf_add_u64(b, a->states[i].count);
	}
	buf_adds(b, "},\"wait_classes\":{");
	bool any = false;
	for (int c = 0; c < WC_COUNT; c++) {
		if (!a->by_class[c])
			continue;
		if (any)
			buf_addc(b, ',');
		any = true;
		put_json_cstr(b, wait_class_name((enum wait_class)c));
		buf_addc(b, ':');
		buf_add_u64(b, a->by_class[c]);
	}
	buf_adds(b, "},\"longest_waits\":[");
	for (uint32_t i = 0; i < a->nlongest; i++) {
		const struct longest_wait *w = &a->longest[i];
		const struct stack *st = &s->stacks[w->stack];
		if (i)
			buf_addc(b, ',');
		buf_printf(b, "{\"id\":%llu,\"minutes\":%u,\"state\":", (unsigned long long)w->id, w->minutes);
		str_id(b, s, w->state);
		buf_adds(b, ",\"top\":");
		if (st->nframes)
			report_json_frame(b, s, snapshot_frame(s, st, 0));
		else
			buf_adds(b, "null");
		buf_addc(b, '}');
	}
	buf_adds(b, "],\"shared_wait_objects\":[");
	for (uint32_t i = 0; i < a->nshared; i++) {
		const struct shared_object *so = &a->shared[i];
		if (i)
			buf_addc(b, ',');
		buf_printf(b, "{\"object\":\"0x%llx\",\"waiters\":%llu,\"groups\":%u,\"first_group\":%u,\"state\":",
			   (unsigned long long)so->object, (unsigned long long)so->waiters, so->groups, so->first_group + 1);
		str_id(b, s, so->state);
		buf_adds(b, ",\"max_minutes\":");
		if (so->has_minutes)
			buf_printf(b, "%u", so->max_minutes);
		else
			buf_adds(b, "null");
		buf_addc(b, '}');
	}
	buf_adds(b, "],\"suspected_leaks\":[");
	for (uint32_t i = 0; i < a->nsuspects; i++) {
		if (i)
			buf_addc(b, ',');
		suspect_obj(b, a, &a->suspects[i]);
	}
	buf_printf(b, "],\"strong_suspects\":%u,\"parked\":[", a->strong_suspects);
	for (uint32_t i = 0; i < a->nparked; i++) {
		const struct suspect *sp = &a->parked[i];
		buf_printf(b, "%s{\"group\":%u,\"count\":", i ? "," : "", sp->group + 1);
		buf_add_u64(b, sp->count);
		buf_adds(b, ",\"why\":");
		put_json_cstr(b, sp->reason);
		buf_addc(b, '}');
	}
	buf_adds(b, "],\"groups\":[");
	struct frame_cache frames;
	frame_cache_init(&frames, s);
	for (uint32_t i = 0; i < a->ngroups; i++) {
		if (i)
			buf_addc(b, ',');
		size_t start = b->len;
		group_obj(b, a, i, all_ids, ft, &frames);
		if (ft)
			drop_empty_members(b, start);
		buf_drain(b);
	}
	frame_cache_free(&frames);
	buf_adds(b, "],\"races\":[");
	for (uint32_t i = 0; i < s->nraces; i++) {
		if (i)
			buf_addc(b, ',');
		buf_adds(b, "{\"first\":");
		race_access_obj(b, s, &s->races[i].a);
		buf_adds(b, ",\"second\":");
		race_access_obj(b, s, &s->races[i].b);
		buf_addc(b, '}');
	}
	buf_printf(b, "],\"races_reported\":%u", s->races_reported);
	if (ft) {
		buf_adds(b, ",\"frame_table\":[");
		for (uint32_t i = 0; i < s->nftab; i++) {
			if (i)
				buf_addc(b, ',');
			report_json_frame(b, s, &s->ftab[i]);
		}
		buf_addc(b, ']');
	}
	buf_addc(b, '}');
}
