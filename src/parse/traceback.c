/* traceback.c: the line-driven state machine that turns Go text tracebacks
 * into snapshots. Single-line grammar lives in tb_line.c, log-prefix
 * handling in tb_prefix.c, race reports in tb_race.c; this file decides what
 * each line means in context and where one dump ends and the next begins.
 *
 * Speed: every goroutine's stack signature is hashed straight from the input
 * bytes; strings are interned only the first time a signature is seen. The
 * bytes of the goroutine being read stay in the line reader's buffer (see
 * keep_from/pin) so nothing is copied on the common path. */
#include "../base/common.h"
#include "../base/bytes.h"
#include "traceback.h"
#include "../base/hash.h"
#include "../base/linereader.h"
#include "../base/u64set.h"
#include "../base/xalloc.h"
#include "../model/goname.h"
#include "tb_internal.h"
#include "tb_line.h"

#include <stdio.h>
#include <stdlib.h>

void tb_options_default(struct tb_options *o)
{
	o->max_line = 1024 * 1024;
	o->max_frames = 4096;
	o->buffer_size = 0;
	o->mapped = false;
	o->threads = 1;
	o->replay = true;
	o->contention_kind = PROF_CONTENTION;
	o->budget = NULL;
}

/* Is this a register-dump line: a short register name, spaces, 0xHEX. */
static bool is_register_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && i < 8 && ((s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i])))
		i++;
	if (i == 0 || i == n || s[i] != ' ')
		return false;
	while (i < n && s[i] == ' ')
		i++;
	if (i + 2 >= n || s[i] != '0' || s[i + 1] != 'x')
		return false;
	for (i += 2; i < n; i++)
		if (!is_hex(s[i]))
			return false;
	return true;
}

/* Lines printed by the unwinder inside a goroutine block that are neither
 * frames nor foreign text (go-formats.md §1.6 "Unwinder diagnostics"). */
static bool is_diagnostic(const char *s, size_t n)
{
	struct slice l = slice_make(s, n);
	if (slice_starts(l, "runtime: ") || slice_starts(l, "stack: frame=") ||
	    slice_starts(l, "traceback: ") || slice_starts(l, "fatal: "))
		return true;
	/* raw stack memory: "0x000000c000123456:  0x0000000000000001 ..." */
	if (n > 4 && s[0] == '0' && s[1] == 'x') {
		const char *colon = memchr(s, ':', n);
		return colon != NULL;
	}
	return false;
}

/* ---- pending frames: views into the input until pinned ---- */


static void pin_frame(struct tb *t, struct pframe *f)
{
	if (f->pinned)
		return;
	/* name_hash is hash_bytes(name, 0), the interner's own hash */
	f->func_id = goname_intern(&t->cur->strs, lr_at(t->lr, f->func_off), f->func_len, f->name_hash);
	f->file_id = f->file_len ? strtab_intern(&t->cur->strs, lr_at(t->lr, f->file_off), f->file_len) : 0;
	f->pinned = true;
}

static void pin_all(void *ctx)
{
	struct tb *t = ctx;
	if (!t->cur)
		return;
	for (uint32_t i = 0; i < t->nframes; i++)
		pin_frame(t, &t->frames[i]);
	if (t->have_creator)
		pin_frame(t, &t->creator);
	if (t->cand) {
		/* The candidate has no file yet: intern just its name. */
		if (!t->cand_f.pinned) {
			t->cand_f.func_id = goname_intern(&t->cur->strs, lr_at(t->lr, t->cand_f.func_off),
							  t->cand_f.func_len, t->cand_f.name_hash);
			t->cand_f.pinned = true;
		}
	}
	t->keep = UINT64_MAX;
	t->g_moved = true;
}

static uint64_t keep_from(void *ctx)
{
	const struct tb *t = ctx;
	return t->keep;
}

static void note_keep(struct tb *t, uint64_t off)
{
	if (t->keep == UINT64_MAX || off < t->keep)
		t->keep = off;
}

/* ---- snapshots ---- */

static void close_snapshot(struct tb *t)
{
	struct snapshot *s = t->cur;
	if (!s)
		return;
	s->unique_ids = t->ids.count + (t->saw_g0 ? 1 : 0);
	t->saw_g0 = false;
	bool kept = s->ngoroutines || s->nraces;
	if (kept)
		snapset_push(t->out, s);
	else
		snapshot_free(s);
	t->cur = NULL;
	if (kept && t->end) {
		/* a chunk's first and (so far) last dump: their ids, for the join */
		if (!t->end->first) {
			t->end->first = s;
			u64set_copy(&t->end->first_ids, &t->ids);
		}
		t->end->last = s;
		u64set_move(&t->end->last_ids, &t->ids);
	}
	u64set_clear(&t->ids);
	t->relay = false;
}

static void apply_preamble(struct tb *t, struct snapshot *s)
{
	if (!t->pre_pending || s->preamble)
		return;
	s->kind = t->pre_kind;
	s->preamble = arena_strndup(&s->arena, t->pre_text, strlen(t->pre_text));
	if (t->pre_detail[0])
		s->signal_detail = arena_strndup(&s->arena, t->pre_detail, strlen(t->pre_detail));
}

struct snapshot *tb_open_snapshot(struct tb *t, const struct line *l)
{
	close_snapshot(t);
	t->cur = snapshot_new(t->source, ++t->nsnap);
	t->cur->first_line = l->lineno;
	t->cur->first_offset = l->offset;
	if (t->nsnap == TB_MAX_DUMPS + 1) {
		t->cap_line = l->lineno;
		t->cap_offset = l->offset;
	}
	return t->cur;
}

void tb_check_input_end(struct snapshot *s)
{
	/* net/http/pprof stops a debug=2 dump at 64 MiB (go-formats.md §4). */
	const uint64_t cap = 64ull << 20;
	uint64_t span = s->end_offset - s->first_offset;
	if (s->kind == SNAP_STACKS && span <= cap && span + 65536 >= cap && !s->at_pprof_cap) {
		s->at_pprof_cap = true;
		snapshot_warn(s, 0, s->end_offset,
			      "dump is %llu bytes, at Go's 64 MiB cap for /debug/pprof/goroutine?debug=2: "
			      "it is probably cut off and the counts are incomplete; fetch debug=1 or the "
			      "protobuf profile for complete counts",
			      (unsigned long long)span);
	}
}

/* ---- goroutines ---- */

static void reset_g(struct tb *t)
{
	t->in_g = false;
	t->nframes = 0;
	t->dropped_frames = 0;
	t->have_creator = false;
	t->cand = false;
	t->sflags = 0;
	t->elided = 0;
	t->sig = 0x6a09e667f3bcc908ULL;
	t->have_object = false;
	t->seen_user_frame = false;
	t->keep = UINT64_MAX;
	t->g_moved = false;
	memset(&t->g, 0, sizeof(t->g));
}

static bool is_runtime_func(const char *f, size_t n)
{
	struct slice s = slice_make(f, n);
	return slice_starts(s, "runtime.") || slice_starts(s, "internal/runtime/") ||
	       slice_starts(s, "runtime/internal/");
}

/* Wait primitives whose first argument (receiver or channel) identifies the
 * object a goroutine waits on. */
bool tb_is_wait_primitive(struct slice name)
{
#define P(s) {s, sizeof(s) - 1}
	static const struct {
		const char *p;
		size_t n;
	} prefixes[] = {
		P("runtime.chanrecv"), P("runtime.chansend"), P("sync.(*Mutex)."), P("sync.(*RWMutex)."),
		P("sync.(*WaitGroup).Wait"), P("sync.(*Cond).Wait"), P("internal/sync.(*Mutex)."),
		P("sync.runtime_Semacquire"), P("sync.runtime_SemacquireMutex"), P("sync.runtime_SemacquireRWMutex"),
		P("sync.runtime_SemacquireWaitGroup"), P("sync.runtime_notifyListWait"), P("runtime.semacquire"),
	};
#undef P
	/* every prefix starts "runtime.", "sync." or "internal/sync." */
	if (name.n < 5 || (name.p[0] != 'r' && name.p[0] != 's' && name.p[0] != 'i'))
		return false;
	for (size_t i = 0; i < ARRAY_LEN(prefixes); i++)
		if (name.n >= prefixes[i].n && memcmp(name.p, prefixes[i].p, prefixes[i].n) == 0)
			return true;
	return false;
}

static bool stack_is_system(struct tb *t, const struct frame *fr, uint32_t n, const struct frame *creator)
{
	const struct strtab *st = &t->cur->strs;
	if (creator) {
		const char *c = strtab_str(st, creator->func);
		size_t cl = strtab_len(st, creator->func);
		if (is_runtime_func(c, cl) && !(cl == 12 && memcmp(c, "runtime.main", 12) == 0))
			return true;
		if (slice_starts(slice_make(c, cl), "unique.registerCleanup"))
			return true;
		return false;
	}
	if (!n)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		const char *f = strtab_str(st, fr[i].func);
		size_t fl = strtab_len(st, fr[i].func);
		if (!is_runtime_func(f, fl))
			return false;
		if (fl == 12 && memcmp(f, "runtime.main", 12) == 0)
			return false;
	}
	return true;
}

/* The signature covers function names and line numbers. File names add
 * nothing: within one program a function is defined in exactly one file, so
 * they are not hashed (a third of the bytes of a dump). */
static void add_frame_to_sig(struct tb *t, uint64_t name_hash, uint32_t line)
{
	t->sig = hash_u64(t->sig, name_hash + (uint64_t)line * 0x9e3779b97f4a7c15ULL);
}

/* Append a frame to the goroutine being read; false when over the cap. */
static bool push_frame(struct tb *t, const struct pframe *f)
{
	if (t->nframes >= t->opt->max_frames) {
		t->dropped_frames++;
		return false;
	}
	if (t->nframes == t->frames_cap) {
		t->frames_cap = t->frames_cap ? t->frames_cap * 2 : 64;
		t->frames = xreallocarray(t->frames, t->frames_cap, sizeof(*t->frames));
	}
	t->frames[t->nframes++] = *f;
	return true;
}

static void finish_g(struct tb *t, bool at_eof)
{
	if (!t->in_g)
		return;
	struct snapshot *s = t->cur;
	if (t->cand) {
		if (at_eof) {
			/* A function line whose file line never came: the dump was cut. */
			struct pframe f = t->cand_f;
			f.flags |= FRAME_NOFILE;
			if (t->cand_is_creator) {
				t->creator = f;
				t->have_creator = true;
				t->sig = hash_u64(hash_u64(t->sig, 0xc4ea7e), f.name_hash);
			} else if (push_frame(t, &f)) {
				t->sig = hash_u64(t->sig, f.name_hash);
			}
			t->g.flags |= G_TRUNCATED;
		}
		t->cand = false;
	}
	if (at_eof && t->nframes == 0 && !(t->sflags & STACK_UNAVAILABLE))
		t->g.flags |= G_TRUNCATED;
	if (t->g.flags & G_TRUNCATED) {
		s->truncated = true;
		snapshot_warn(s, t->g_line, t->g_offset,
			      "goroutine %llu is cut off: the dump ends inside it", (unsigned long long)t->g.id);
	}
	if (t->dropped_frames)
		snapshot_warn(s, t->g_line, t->g_offset,
			      "goroutine %llu has %u more frames than the limit of %u; the rest were dropped",
			      (unsigned long long)t->g.id, t->dropped_frames, t->opt->max_frames);

	uint64_t sig = hash_u64(t->sig, t->sflags & (STACK_ELIDED_OLD | STACK_ELIDED_MIDDLE | STACK_UNAVAILABLE));
	uint32_t id = snapshot_find_stack(s, sig);
	bool seen_before = id != UINT32_MAX;
	if (!seen_before) {
		/* First time this signature is seen: intern its strings. */
		if (t->nframes > t->scratch_cap) {
			t->scratch_cap = t->nframes * 2;
			t->scratch = xreallocarray(t->scratch, t->scratch_cap, sizeof(*t->scratch));
		}
		for (uint32_t i = 0; i < t->nframes; i++) {
			struct pframe *f = &t->frames[i];
			pin_frame(t, f);
			t->scratch[i] = (struct frame){f->func_id, f->file_id, f->line, f->flags};
		}
		struct frame creator;
		if (t->have_creator) {
			pin_frame(t, &t->creator);
			creator = (struct frame){t->creator.func_id, t->creator.file_id, t->creator.line,
						 t->creator.flags};
		}
		uint32_t flags = t->sflags;
		if (stack_is_system(t, t->scratch, t->nframes, t->have_creator ? &creator : NULL))
			flags |= STACK_SYSTEM;
		id = snapshot_add_stack(s, sig, t->scratch, t->nframes, flags,
					t->have_creator ? &creator : NULL);
		s->stacks[id].elided = t->elided;
	} else if (t->elided > s->stacks[id].elided) {
		s->stacks[id].elided = t->elided;
	}
	if (!at_eof && t->opt->replay)
		tb_replay_learn(t, id, seen_before);
	tb_commit_goroutine(t, id);
}

void tb_commit_goroutine(struct tb *t, uint32_t stack)
{
	t->g.stack = stack;
	if (t->have_object)
		t->g.object = t->object;
	snapshot_add_goroutine(t->cur, &t->g);
	reset_g(t);
}

static uint32_t intern_state(struct tb *t, struct slice st)
{
	if (t->states_snap != t->cur) {
		t->states_snap = t->cur;
		t->nstates = t->next_state = 0;
	}
	for (uint32_t i = 0; i < t->nstates; i++)
		if (t->states[i].len == st.n && bytes_equal(t->states[i].text, st.p, st.n))
			return t->states[i].id;
	uint32_t id = strtab_intern(&t->cur->strs, st.p, st.n);
	if (st.n <= sizeof(t->states[0].text)) {
		/* fill the cache, then replace its entries in turn */
		uint32_t k = t->nstates < TB_STATE_CACHE ? t->nstates++ : t->next_state++ % TB_STATE_CACHE;
		memcpy(t->states[k].text, st.p, st.n);
		t->states[k].len = (uint32_t)st.n;
		t->states[k].id = id;
	}
	return id;
}

static void intern_labels(struct tb *t, const struct tb_header *h)
{
	uint32_t kv[2 * TB_MAX_LABELS];
	char tmp[1024];
	for (uint32_t i = 0; i < h->nlabels; i++) {
		size_t n = tb_unquote(h->labels[i].key, h->labels[i].key_quoted, tmp, sizeof(tmp));
		kv[2 * i] = strtab_intern(&t->cur->strs, tmp, n);
		n = tb_unquote(h->labels[i].val, h->labels[i].val_quoted, tmp, sizeof(tmp));
		kv[2 * i + 1] = strtab_intern(&t->cur->strs, tmp, n);
	}
	t->g.labels = snapshot_intern_labels(t->cur, kv, h->nlabels);
}

static void start_g(struct tb *t, const struct line *l, const char *s, size_t n)
{
	struct tb_header h;
	if (!tb_parse_header_memo(&t->headers, s, n, &h))
		return;
	finish_g(t, false);
	bool dup = h.id != 0 && !u64set_add(&t->ids, h.id);
	bool weak_expired = t->pre_pending && t->pre_weak && l->lineno > t->pre_line + 12;
	if (weak_expired)
		t->pre_pending = false;
	bool fresh_dump = t->pre_pending && !t->pre_relay && t->cur && t->cur->ngoroutines > 0;
	bool opened = !t->cur || fresh_dump || (dup && !t->relay);
	if (opened) {
		tb_open_snapshot(t, l);
		apply_preamble(t, t->cur);
	} else if (t->pre_pending && t->pre_relay) {
		t->relay = true; /* GOTRACEBACK=crash: another thread's dump */
	} else {
		apply_preamble(t, t->cur);
	}
	t->pre_pending = false;
	t->pre_relay = false;
	t->after_regdump = false;

	struct snapshot *snap = t->cur;
	if (h.id == 0)
		t->saw_g0 = true;
	else if (opened)
		u64set_add(&t->ids, h.id); /* the new dump's set starts empty */
	reset_g(t);
	t->in_g = true;
	t->g_line = l->lineno;
	t->g_offset = l->offset;
	t->g_body_off = l->had_cr || l->no_newline || l->too_long ? UINT64_MAX : l->offset + l->n + 1;
	t->g.id = h.id;
	t->g.state = intern_state(t, h.state);
	if (h.has_minutes) {
		t->g.minutes = h.minutes;
		t->g.flags |= G_HAS_MINUTES;
	}
	if (h.locked)
		t->g.flags |= G_LOCKED;
	if (h.leaked)
		t->g.flags |= G_LEAKED;
	if (h.durable)
		t->g.flags |= G_DURABLE;
	if (h.scan)
		t->g.flags |= G_SCAN;
	if (h.has_bubble) {
		t->g.flags |= G_BUBBLE;
		t->g.bubble = h.bubble;
		snap->go_version_min = MAX(snap->go_version_min, h.bubble_is_group ? 24u : 25u);
	}
	if (h.has_gp) {
		snap->gp_headers = true;
		snap->go_version_min = MAX(snap->go_version_min, 22u);
	}
	if (h.nlabels) {
		intern_labels(t, &h);
		snap->go_version_min = MAX(snap->go_version_min, h.labels_after ? 27u : 26u);
	}
	if (h.leaked)
		snap->go_version_min = MAX(snap->go_version_min, 26u);
	if (h.unterminated && l->no_newline)
		t->g.flags |= G_TRUNCATED;
	else if (h.unterminated)
		snapshot_warn(snap, l->lineno, l->offset, "goroutine header is malformed (no closing \"]:\")");
	snap->last_line = l->lineno;
}

/* Commit the candidate function line with its file line. */
static void commit_frame(struct tb *t, const struct line *l, const struct tb_file *fl)
{
	struct pframe f = t->cand_f;
	f.file_off = l->offset + (uint64_t)(fl->file.p - l->p);
	f.file_len = (uint32_t)fl->file.n;
	f.line = fl->line;
	if (f.pinned)
		f.file_id = strtab_intern(&t->cur->strs, fl->file.p, fl->file.n);
	else
		note_keep(t, f.file_off);
	if (fl->has_pcs)
		t->cur->level2 = true;
	if (f.no_parens && !t->cand_is_creator)
		t->cur->gccgo = true; /* gc always prints "(args)"; gccgo never does */
	t->cand = false;
	if (t->cand_is_creator) {
		t->creator = f;
		t->have_creator = true;
		t->sig = hash_u64(t->sig, 0xc4ea7e);
		add_frame_to_sig(t, f.name_hash, fl->line);
		return;
	}
	if (!push_frame(t, &f))
		return;
	add_frame_to_sig(t, f.name_hash, fl->line);
}

/* Remember a function (or creator) name until its file line arrives. */
static void set_cand(struct tb *t, const struct line *l, struct slice name, uint32_t flags)
{
	t->cand = true;
	t->cand_is_creator = false;
	t->cand_f = (struct pframe){0};
	t->cand_f.func_off = l->offset + (uint64_t)(name.p - l->p);
	t->cand_f.func_len = (uint32_t)name.n;
	t->cand_f.name_hash = hash_bytes(name.p, name.n, 0);
	t->cand_f.flags = flags;
	note_keep(t, t->cand_f.func_off);
}

void tb_note_object(struct tb *t, bool wait_primitive, bool first_user, struct slice args)
{
	uint64_t obj;
	if ((t->g.flags & G_HAS_OBJECT) || (!wait_primitive && (t->have_object || !first_user)))
		return;
	if (!tb_first_arg_word(args, &obj))
		return;
	t->object = obj;
	t->have_object = true;
	if (wait_primitive)
		t->g.flags = (t->g.flags & ~(uint32_t)G_OBJECT_ARG) | G_HAS_OBJECT;
	else
		t->g.flags |= G_OBJECT_ARG;
}

/* A line that may be a function line: remember it until its file line. */
static bool take_func_line(struct tb *t, const struct line *l, const char *s, size_t n)
{
	struct tb_func fn;
	if (!tb_parse_func(s, n, &fn))
		return false;
	set_cand(t, l, fn.name, fn.inlined ? FRAME_INLINED : 0);
	t->cand_f.no_parens = !fn.has_args;
	bool user = false;
	if (!t->seen_user_frame)
		user = t->seen_user_frame = !goname_is_stdlib(fn.name.p, fn.name.n);
	t->cand_f.first_user = user;
	if (!fn.inlined && fn.has_args) {
		t->cand_f.wait_primitive = tb_is_wait_primitive(fn.name);
		tb_note_object(t, t->cand_f.wait_primitive, user, fn.args);
	}
	return true;
}

static bool take_created_by(struct tb *t, const struct line *l, const char *s, size_t n)
{
	struct tb_created c;
	if (!tb_parse_created(s, n, &c))
		return false;
	set_cand(t, l, c.func, 0);
	t->cand_is_creator = true;
	if (c.has_parent) {
		t->g.parent = c.parent;
		t->g.flags |= G_HAS_PARENT;
		t->cur->go_version_min = MAX(t->cur->go_version_min, 21u);
	}
	return true;
}

/* "...additional frames elided..." / "...N frames elided..." */
static bool take_elision(struct tb *t, const char *s, size_t n)
{
	struct slice l = slice_make(s, n);
	if (slice_eq(l, "...additional frames elided...")) {
		t->sflags |= STACK_ELIDED_OLD;
		return true;
	}
	if (slice_starts(l, "...") && slice_ends(l, " frames elided...")) {
		uint64_t v = 0;
		for (size_t i = 3; i < n && is_digit(s[i]); i++)
			v = v * 10 + (uint64_t)(s[i] - '0');
		t->sflags |= STACK_ELIDED_MIDDLE;
		t->elided = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
		t->cur->go_version_min = MAX(t->cur->go_version_min, 21u);
		return true;
	}
	return false;
}

/* ---- preambles ---- */

static void set_preamble(struct tb *t, const struct line *l, enum snap_kind kind, const char *s, size_t n,
			 bool weak)
{
	/* A panic chain or "fatal error" after "panic:" belongs to the same
	 * preamble: keep the first line. */
	if (t->pre_pending && l->lineno <= t->pre_line + 3 && !t->pre_relay)
		return;
	t->pre_pending = true;
	t->pre_kind = kind;
	t->pre_weak = weak;
	t->pre_line = l->lineno;
	t->pre_detail[0] = '\0';
	/* A signal right after a register dump (a few separator lines allowed)
	 * is GOTRACEBACK=crash relaying the signal to the next thread. */
	t->pre_relay = kind == SNAP_SIGNAL && t->after_regdump && t->regdump_gap <= 3 && t->cur;
	size_t k = MIN(n, sizeof(t->pre_text) - 1);
	memcpy(t->pre_text, s, k);
	t->pre_text[k] = '\0';
	if (t->stats && !t->stats->preamble_line) {
		t->stats->preamble_line = l->lineno;
		memcpy(t->stats->preamble, t->pre_text, MIN(k + 1, sizeof(t->stats->preamble)));
		t->stats->preamble[sizeof(t->stats->preamble) - 1] = '\0';
	}
}

static bool is_signal_line(const char *s, size_t n)
{
	if (n < 6 || memcmp(s, "SIG", 3) != 0)
		return false;
	size_t i = 3;
	while (i < n && ((s[i] >= 'A' && s[i] <= 'Z') || is_digit(s[i])))
		i++;
	return i > 3 && i + 1 < n && s[i] == ':' && s[i + 1] == ' ';
}

/* Preamble at the start of s. */
static bool check_preamble(struct tb *t, const struct line *l, const char *s, size_t n, bool weak)
{
	struct slice x = slice_make(s, n);
	if (slice_starts(x, "panic: ")) {
		set_preamble(t, l, slice_starts(x, "panic: test timed out") ? SNAP_TEST_TIMEOUT : SNAP_PANIC,
			     s, n, weak);
		return true;
	}
	if (slice_starts(x, "fatal error: ")) {
		set_preamble(t, l, SNAP_FATAL, s, n, weak);
		return true;
	}
	if (is_signal_line(s, n)) {
		set_preamble(t, l, SNAP_SIGNAL, s, n, weak);
		return true;
	}
	return false;
}

/* Preamble or header glued after other text on the same line. */
static void scan_foreign(struct tb *t, const struct line *l, const char *s, size_t n)
{
	if (t->stats && n && memchr(s, '\0', n))
		t->stats->binary_lines++;
	const char *g = n > 12 ? memmem(s, n, "goroutine ", 10) : NULL;
	if (g && g > s && tb_is_header_start(g, n - (size_t)(g - s))) {
		struct tb_header h;
		size_t rest = n - (size_t)(g - s);
		if (tb_parse_header(g, rest, &h) && !h.unterminated) {
			tb_prefix_candidate(&t->prefix, s, (size_t)(g - s), l->lineno);
			/* The text before the header may itself hold a preamble. */
			start_g(t, l, g, rest);
			return;
		}
	}
	static const char *const keys[] = {"panic: ", "fatal error: ", "SIGQUIT: ", "SIGABRT: ",
					   "SIGSEGV: ", "SIGBUS: ", "SIGILL: ", "SIGFPE: ", "SIGTRAP: "};
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		const char *p = memmem(s, n, keys[i], strlen(keys[i]));
		if (p && p > s) {
			check_preamble(t, l, p, n - (size_t)(p - s), true);
			return;
		}
	}
	const char *hp = n > 20 ? memmem(s, n, "http: panic serving ", 20) : NULL;
	if (hp)
		set_preamble(t, l, SNAP_HTTP_PANIC, hp, n - (size_t)(hp - s), true);
}

/* ---- the line dispatcher ---- */

/* Text that begins a new dump or ends the current one. */
static bool starts_something(const char *s, size_t n)
{
	struct slice x = slice_make(s, n);
	return slice_starts(x, "panic: ") || slice_starts(x, "fatal error: ") || is_signal_line(s, n) ||
	       slice_starts(x, "exit status ") || slice_starts(x, "WARNING: DATA RACE") ||
	       slice_starts(x, "==================") || memmem(s, n, "http: panic serving ", 20) ||
	       memmem(s, n, "goroutine ", 10);
}

static void on_line_outside(struct tb *t, const struct line *l, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (tb_is_header_start(s, n)) {
		start_g(t, l, s, n);
		return;
	}
	if (is_register_line(s, n)) {
		if (t->cur) {
			if (!t->after_regdump)
				t->cur->threads++;
			t->cur->register_dump = true;
		}
		t->after_regdump = true;
		t->regdump_gap = 0;
		return;
	}
	if (t->pre_pending && (s[0] == '[' || slice_starts(slice_make(s, n), "PC="))) {
		/* "[signal SIGSEGV ...]" or "PC=0x... m=0 sigcode=0" */
		if (!t->pre_detail[0]) {
			size_t k = MIN(n, sizeof(t->pre_detail) - 1);
			memcpy(t->pre_detail, s, k);
			t->pre_detail[k] = '\0';
		}
		return;
	}
	if (slice_eq(slice_make(s, n), "runtime stack:")) {
		t->mode = M_RUNTIME_STACK;
		if (t->cur)
			t->cur->level2 = true;
		return;
	}
	if (tb_race_line(t, l, s, n))
		return;
	if (check_preamble(t, l, s, n, false))
		return;
	if (s[0] == '\t' && t->pre_pending)
		return; /* "\tpanic: ..." chain, "\trunning tests:" */
	t->regdump_gap++;
	scan_foreign(t, l, s, n);
}

static void on_line_in_g(struct tb *t, const struct line *l, const char *s, size_t n)
{
	if (t->cand) {
		struct tb_file fl;
		if (n && (s[0] == '\t' || s[0] == ' ') && tb_parse_file(s, n, &fl)) {
			commit_frame(t, l, &fl);
			return;
		}
		/* cgo with a symbolizer: "\t[file:line ]pc=0x..." */
		if (n && s[0] == '\t' && memmem(s, n, "pc=0x", 5)) {
			t->cand_f.flags |= FRAME_NOFILE;
			struct tb_file none = {slice_make(s, 0), 0, false, NULL};
			commit_frame(t, l, &none);
			return;
		}
		if (t->cand_is_creator) {
			/* "created by" without location: keep it. */
			struct tb_file none = {slice_make(s, 0), 0, false, NULL};
			t->cand_f.flags |= FRAME_NOFILE;
			commit_frame(t, l, &none);
		} else {
			t->cand = false; /* it was not a frame after all */
		}
	}
	if (n == 0) {
		finish_g(t, false);
		return;
	}
	if (tb_is_header_start(s, n)) {
		start_g(t, l, s, n);
		return;
	}
	if (s[0] == '\t' || s[0] == ' ') {
		struct slice x = slice_make(s, n);
		while (x.n && (x.p[0] == '\t' || x.p[0] == ' ')) {
			x.p++;
			x.n--;
		}
		if (slice_ends(x, "stack unavailable"))
			t->sflags |= STACK_UNAVAILABLE;
		return; /* stray file line or indented diagnostic */
	}
	if (s[0] == '.' && take_elision(t, s, n))
		return;
	if (s[0] == '[' && slice_starts(slice_make(s, n), "[originating from goroutine ")) {
		uint64_t v = 0;
		for (size_t i = 28; i < n && is_digit(s[i]); i++)
			v = v * 10 + (uint64_t)(s[i] - '0');
		if (!(t->g.flags & G_HAS_PARENT)) {
			t->g.parent = v;
			t->g.flags |= G_HAS_PARENT;
		}
		t->mode = M_ANCESTORS;
		return;
	}
	if (s[0] == 'c' && take_created_by(t, l, s, n))
		return;
	if (s[0] == 'n' && slice_starts(slice_make(s, n), "non-Go function")) {
		/* cgo frame without symbolizer: a frame with no file line */
		set_cand(t, l, slice_make(s, 15), 0);
		struct tb_file none = {slice_make(s, 0), 0, false, NULL};
		t->cand_f.flags |= FRAME_NOFILE;
		commit_frame(t, l, &none);
		return;
	}
	/* (diagnostics and register-dump lines have spaces: never function lines) */
	if (!t->have_creator && take_func_line(t, l, s, n))
		return;
	if (is_diagnostic(s, n))
		return;
	/* Foreign text inside a block. After "created by" a block is complete,
	 * and a new preamble always starts something else: both end the
	 * goroutine. Anything else (interleaved program output, notes) is
	 * skipped. */
	if (t->have_creator || starts_something(s, n) || is_register_line(s, n)) {
		finish_g(t, false);
		on_line_outside(t, l, s, n);
		return;
	}
	if (t->cur)
		t->foreign_in_g++;
}

static void on_line(struct tb *t, const struct line *l)
{
	const char *s = l->p;
	size_t n = l->n;
	if (t->stats) {
		t->stats->lines = l->lineno;
		t->stats->bytes = l->offset + l->n;
	}
	if (l->too_long) {
		if (t->stats)
			t->stats->long_lines++;
		if (t->cur)
			snapshot_warn(t->cur, l->lineno, l->offset, "line is longer than %zu bytes: skipped",
				      t->opt->max_line);
		return;
	}
	if ((t->prefix.active || t->prefix.cand) && !tb_prefix_strip(&t->prefix, &s, &n, l->lineno)) {
		/* Not carrying the log prefix of the dump being read. */
		if (tb_is_header_start(s, n)) {
			tb_prefix_reset(&t->prefix);
		} else {
			if (t->in_g && !t->cand)
				return; /* interleaved log line */
			if (!t->in_g) {
				scan_foreign(t, l, s, n);
				return;
			}
			return;
		}
	}
	if (t->cur)
		t->cur->last_line = l->lineno;
	switch (t->mode) {
	case M_RUNTIME_STACK:
		if (n == 0)
			t->mode = M_NORMAL;
		else if (tb_is_header_start(s, n)) {
			t->mode = M_NORMAL;
			on_line_outside(t, l, s, n);
		}
		return;
	case M_ANCESTORS:
		if (n == 0) {
			t->mode = M_NORMAL;
			finish_g(t, false);
		} else if (tb_is_header_start(s, n)) {
			t->mode = M_NORMAL;
			start_g(t, l, s, n);
		}
		return;
	case M_RACE:
		tb_race_line(t, l, s, n);
		return;
	case M_NORMAL:
		break;
	}
	if (t->in_g)
		on_line_in_g(t, l, s, n);
	else
		on_line_outside(t, l, s, n);
}

/* The common lines of a dump, without the general dispatch: headers, blank
 * lines, function lines with their file lines, "created by", each after the
 * log prefix of the dump when it has one. Each is handed to the same
 * function the general path would call, in the same state; any other line
 * (one without the prefix, too) is handed back (un-read) to the general
 * path. So the result is the same and only dispatch work is skipped.
 * Returns whether it consumed a line. */
static bool fast_lines(struct tb *t)
{
	struct linereader *lr = t->lr;
	bool took = false;
	while (t->mode == M_NORMAL && !t->prefix.cand && t->cur && t->nsnap <= TB_MAX_DUMPS) {
		if (budget_due(t->opt->budget) && budget_check(t->opt->budget, snapshot_bytes(t->cur)) != ST_OK)
			break; /* run() reports it */
		size_t save_start = lr->start;
		uint64_t save_lineno = lr->lineno;
		struct line l;
		if (!lr_take_simple(lr, &l))
			break;
		const char *s = l.p;
		size_t n = l.n;
		bool used = false;
		if (t->prefix.active && !tb_prefix_strip(&t->prefix, &s, &n, l.lineno)) {
			lr->start = save_start;
			lr->lineno = save_lineno;
			break;
		}
		t->cur->last_line = l.lineno;
		if (t->cand) {
			struct tb_file fl;
			if (n && (s[0] == '\t' || s[0] == ' ') && tb_parse_file(s, n, &fl)) {
				commit_frame(t, &l, &fl);
				used = true;
			}
		} else if (n == 0) {
			finish_g(t, false); /* outside a block a blank line changes nothing */
			used = true;
		} else if (tb_is_header_start(s, n)) {
			start_g(t, &l, s, n); /* as the general path: an invalid header is dropped */
			used = true;
			if (t->in_g && t->opt->replay && !t->prefix.active) /* (templates hold whole lines) */
				tb_replay_block(t);
		} else if (!t->in_g) {
			used = false;
		} else if (s[0] == 'c' && n > 11 && memcmp(s, "created by ", 11) == 0) {
			used = take_created_by(t, &l, s, n);
		} else if (!t->have_creator && n > 2 && s[n - 1] == ')' && s[0] != '\t' && s[0] != ' ' &&
			   !(s[0] == 'n' && n > 15 && memcmp(s, "non-Go function", 15) == 0)) {
			used = take_func_line(t, &l, s, n);
		}
		if (!used) {
			lr->start = save_start;
			lr->lineno = save_lineno;
			break;
		}
		took = true;
	}
	if (took && t->stats)
		t->stats->lines = lr->lineno;
	return took;
}

/* The dump after the last one kept has begun: it and the rest of the input
 * are left unread, and the last dump kept says so. Each dump costs tens of
 * kilobytes whatever its size, so a log of one tiny goroutine repeated
 * under ever-repeating ids must not become a million of them. */
static void stop_at_dump_cap(struct tb *t)
{
	snapshot_free(t->cur);
	t->cur = NULL;
	t->in_g = false;
	if (t->out->n)
		snapshot_warn(t->out->v[t->out->n - 1], t->cap_line, t->cap_offset,
			      "the input holds more than %u dumps: the rest, from line %llu on, was not read",
			      (unsigned)TB_MAX_DUMPS, (unsigned long long)t->cap_line);
}

static enum status run(struct tb *t, struct err *err)
{
	struct line l;
	int r;
	enum status st = ST_OK;
	t->lr->client = (struct lr_client){t, keep_from, pin_all};
	uint64_t last_end = 0;
	bool last_nl = true;
	while ((r = lr_next(t->lr, &l, err)) > 0) {
		if (budget_due(t->opt->budget) &&
		    budget_check(t->opt->budget, t->cur ? snapshot_bytes(t->cur) : 0) != ST_OK) {
			st = budget_error(t->opt->budget, "reading the traceback", err);
			break;
		}
		on_line(t, &l);
		last_end = l.offset + l.n + (l.had_cr ? 1 : 0);
		last_nl = !l.no_newline;
		if (fast_lines(t)) {
			last_end = t->lr->base + t->lr->start - 1; /* the last '\n' taken */
			last_nl = true;
		}
		if (t->nsnap > TB_MAX_DUMPS) {
			stop_at_dump_cap(t);
			break;
		}
	}
	if (r < 0)
		st = ST_IO;
	if (t->in_g && st == ST_OK)
		finish_g(t, !last_nl || t->cand || t->nframes == 0);
	tb_race_flush(t);
	if (t->end) {
		t->end->clean = !t->pre_pending && t->mode == M_NORMAL && !t->prefix.active && !t->relay &&
				!t->foreign_in_g && last_nl;
		t->end->lines = t->lr->lineno;
	}
	if (t->cur) {
		t->cur->end_offset = last_end + (last_nl ? 1 : 0);
		if (t->input_end)
			tb_check_input_end(t->cur);
	}
	if (t->foreign_in_g && t->cur)
		snapshot_warn(t->cur, 0, 0, "%llu lines of other text inside goroutine blocks were skipped",
			      (unsigned long long)t->foreign_in_g);
	close_snapshot(t);
	return st;
}

static enum status parse(struct linereader *lr, const char *source, const struct tb_options *opt,
			 struct snapset *out, struct tb_stats *stats, bool input_end, struct tb_chunk_end *end,
			 struct err *err)
{
	struct tb *t = xcalloc(1, sizeof(*t));
	t->lr = lr;
	t->opt = opt;
	t->out = out;
	t->source = source;
	t->stats = stats;
	t->input_end = input_end;
	t->end = end;
	if (stats) {
		memset(stats, 0, sizeof(*stats));
		stats->parts = 1;
	}
	u64set_init(&t->ids);
	reset_g(t);
	enum status st = run(t, err);
	u64set_free(&t->ids);
	tb_replay_free(t->replay);
	free(t->frames);
	free(t->scratch);
	free(t);
	return st;
}

void tb_chunk_end_free(struct tb_chunk_end *end)
{
	u64set_free(&end->first_ids);
	u64set_free(&end->last_ids);
}

enum status tb_parse_chunk(const char *p, size_t n, uint64_t base_offset, uint64_t base_line, bool input_end,
			   const char *source, const struct tb_options *opt, struct snapset *out,
			   struct tb_stats *stats, struct tb_chunk_end *end, struct err *err)
{
	struct linereader lr;
	lr_open_mem(&lr, p, n, opt->max_line);
	lr.release = opt->mapped;
	lr.base = base_offset;
	lr.lineno = base_line;
	enum status st = parse(&lr, source, opt, out, stats, input_end, end, err);
	lr_close(&lr);
	return st;
}

enum status tb_parse_input(const struct tb_input *in, size_t from, size_t to, bool input_end, const char *source,
			   const struct tb_options *opt, struct snapset *out, struct tb_stats *stats,
			   struct tb_chunk_end *end, struct err *err)
{
	if (in->p)
		return tb_parse_chunk(in->p + from, to - from, from, 0, input_end, source, opt, out, stats, end, err);
	struct linereader lr;
	lr_open_range(&lr, in->fd, from, to, opt->max_line, opt->buffer_size);
	enum status st = parse(&lr, source, opt, out, stats, input_end, end, err);
	lr_close(&lr);
	return st;
}

enum status traceback_parse_file(int fd, size_t size, const char *source, const struct tb_options *opt,
				 struct snapset *out, struct tb_stats *stats, struct err *err)
{
	struct tb_options defaults;
	if (!opt) {
		tb_options_default(&defaults);
		opt = &defaults;
	}
	struct tb_input in = {.p = NULL, .fd = fd, .n = size};
	if (opt->threads > 1 && size >= TB_PARALLEL_MIN && !opt->budget)
		return tb_parse_parallel(&in, source, opt, out, stats, err);
	return tb_parse_input(&in, 0, size, true, source, opt, out, stats, NULL, err);
}

enum status traceback_parse_fd(int fd, const char *head, size_t head_len, const char *source,
			       const struct tb_options *opt, struct snapset *out, struct tb_stats *stats,
			       struct err *err)
{
	struct linereader lr;
	struct tb_options defaults;
	if (!opt) {
		tb_options_default(&defaults);
		opt = &defaults;
	}
	lr_open_fd(&lr, fd, opt->max_line, opt->buffer_size);
	if (head_len)
		lr_preload(&lr, head, head_len);
	enum status st = parse(&lr, source, opt, out, stats, true, NULL, err);
	lr_close(&lr);
	return st;
}

enum status traceback_parse_mem(const char *p, size_t n, const char *source,
				const struct tb_options *opt, struct snapset *out,
				struct tb_stats *stats, struct err *err)
{
	struct tb_options defaults;
	if (!opt) {
		tb_options_default(&defaults);
		opt = &defaults;
	}
	/* a budget is one thread's: budgeted reads are sequential */
	if (opt->threads > 1 && n >= TB_PARALLEL_MIN && !opt->budget) {
		struct tb_input in = {.p = p, .fd = -1, .n = n};
		return tb_parse_parallel(&in, source, opt, out, stats, err);
	}
	return tb_parse_chunk(p, n, 0, 0, true, source, opt, out, stats, NULL, err);
}
