/* text.c: the terminal report of `analyze`: a heading, totals by state and
 * wait class, the longest waits, suspected leaks with cause and fix, then
 * the groups (largest first) with their stacks. Compact by default
 * (--limit, --frames widen it). Colour only when asked (the CLI decides). */
#include "../base/common.h"
#include "report.h"
#include "escape.h"

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"

struct out {
	struct buf *b;
	const struct text_options *o;
	const struct snapshot *s;
};

static void col(struct out *w, const char *c)
{
	if (w->o->color)
		buf_adds(w->b, c);
}

const char *snap_kind_name(enum snap_kind k)
{
	switch (k) {
	case SNAP_STACKS: return "stacks";
	case SNAP_PANIC: return "panic";
	case SNAP_FATAL: return "fatal";
	case SNAP_SIGNAL: return "signal";
	case SNAP_TEST_TIMEOUT: return "test-timeout";
	case SNAP_HTTP_PANIC: return "http-panic";
	case SNAP_RACE: return "race";
	}
	return "stacks";
}

static const char *kind_words(enum snap_kind k)
{
	switch (k) {
	case SNAP_STACKS: return "goroutine dump";
	case SNAP_PANIC: return "panic";
	case SNAP_FATAL: return "fatal error";
	case SNAP_SIGNAL: return "signal dump";
	case SNAP_TEST_TIMEOUT: return "test timeout";
	case SNAP_HTTP_PANIC: return "recovered net/http panic";
	case SNAP_RACE: return "race report";
	}
	return "goroutine dump";
}

void put_short_path(struct buf *b, const char *path, size_t n, bool full)
{
	if (!full) {
		size_t slashes = 0;
		for (size_t i = n; i > 0; i--) {
			if (path[i - 1] == '/' || path[i - 1] == '\\') {
				if (++slashes == 2) {
					path += i;
					n -= i;
					break;
				}
			}
		}
	}
	put_text(b, path, n);
}

static void str(struct out *w, uint32_t id) { put_text(w->b, snapshot_str(w->s, id), strtab_len(&w->s->strs, id)); }

static void location(struct out *w, const struct frame *f)
{
	if (f->flags & FRAME_NOFILE && !f->file) {
		buf_adds(w->b, "?");
		return;
	}
	put_short_path(w->b, snapshot_str(w->s, f->file), strtab_len(&w->s->strs, f->file), w->o->full_paths);
	buf_printf(w->b, ":%u", f->line);
}

static unsigned pct(uint64_t part, uint64_t whole)
{
	return whole ? (unsigned)((part * 100 + whole / 2) / whole) : 0;
}

/* "goroutine", "thread", "event": what one unit of a count is. */
static const char *unit(const struct snapshot *s, uint64_t n)
{
	switch (s->profile) {
	case PROF_THREADCREATE: return n == 1 ? "thread" : "threads";
	case PROF_COUNT: return n == 1 ? "sample" : "samples";
	case PROF_BLOCK:
	case PROF_MUTEX:
	case PROF_CONTENTION: return n == 1 ? "contention event" : "contention events";
	default: return n == 1 ? "goroutine" : "goroutines";
	}
}

static bool is_contention(const struct snapshot *s)
{
	return s->profile == PROF_BLOCK || s->profile == PROF_MUTEX || s->profile == PROF_CONTENTION;
}

static void put_duration(struct out *w, uint64_t ns)
{
	if (ns >= 1000000000ull)
		buf_printf(w->b, "%.2f s", (double)ns / 1e9);
	else if (ns >= 1000000ull)
		buf_printf(w->b, "%.2f ms", (double)ns / 1e6);
	else
		buf_printf(w->b, "%.1f µs", (double)ns / 1e3);
}

/* What the profile is and what its format cannot tell. */
static void profile_heading(struct out *w)
{
	const struct snapshot *s = w->s;
	buf_adds(w->b, "   ");
	col(w, C_DIM);
	if (is_contention(s))
		buf_printf(w->b, "%s: %s\n", s->format,
			   s->profile == PROF_MUTEX ? "contention on locks; each stack ends at the Unlock that made "
						      "others wait"
						    : "where goroutines blocked (channels, select, locks, Cond) and for "
						      "how long");
	else
		buf_printf(w->b, "%s: counts per stack%s; no goroutine ids, states, wait times or creators\n",
			   s->format, s->profile == PROF_THREADCREATE ? "" : " and labels");
	if (s->profile == PROF_GOROUTINELEAK)
		buf_adds(w->b, "   every goroutine listed was proven leaked by the runtime's leak-detecting GC\n");
	col(w, C_RESET);
}

static void heading(struct out *w, const struct analysis *a, uint32_t nsnaps)
{
	const struct snapshot *s = w->s;
	col(w, C_BOLD);
	buf_adds(w->b, "== ");
	put_text(w->b, s->source, strlen(s->source));
	if (nsnaps > 1)
		buf_printf(w->b, " · dump %u of %u", s->index, nsnaps);
	if (snapshot_is_profile(s))
		buf_printf(w->b, " · %s profile", s->profile_name ? s->profile_name : profile_kind_name(s->profile));
	else
		buf_printf(w->b, " · %s", kind_words(s->kind));
	if (s->first_line && !snapshot_is_profile(s))
		buf_printf(w->b, " at line %llu", (unsigned long long)s->first_line);
	col(w, C_RESET);
	buf_addc(w->b, '\n');
	if (s->preamble) {
		buf_adds(w->b, "   ");
		col(w, C_RED);
		put_text(w->b, s->preamble, strlen(s->preamble));
		col(w, C_RESET);
		if (s->signal_detail) {
			buf_adds(w->b, "  ");
			put_text(w->b, s->signal_detail, strlen(s->signal_detail));
		}
		buf_addc(w->b, '\n');
	}
	if (snapshot_is_profile(s))
		profile_heading(w);
	buf_printf(w->b, "   %llu %s", (unsigned long long)a->total, unit(s, a->total));
	if (is_contention(s) && a->total_delay_ns) {
		buf_adds(w->b, ", ");
		put_duration(w, a->total_delay_ns);
		buf_adds(w->b, " blocked");
	}
	if (a->shown != a->total)
		buf_printf(w->b, ", %llu shown", (unsigned long long)a->shown);
	buf_printf(w->b, " in %u group%s", a->ngroups, a->ngroups == 1 ? "" : "s");
	if (a->hidden_system)
		buf_printf(w->b, " · %llu runtime goroutines hidden (--all shows them)",
			   (unsigned long long)a->hidden_system);
	if (a->filtered_out)
		buf_printf(w->b, " · %llu filtered out", (unsigned long long)a->filtered_out);
	if (s->go_version_min)
		buf_printf(w->b, " · Go ≥1.%u", s->go_version_min);
	if (s->gccgo)
		buf_adds(w->b, " · gccgo");
	if (s->threads > 1)
		buf_printf(w->b, " · %u thread dumps", s->threads);
	buf_addc(w->b, '\n');
	if (s->truncated || s->at_pprof_cap) {
		col(w, C_YELLOW);
		buf_adds(w->b, s->at_pprof_cap	      ? "   ! cut off at Go's 64 MiB debug=2 limit: counts are incomplete; "
							"use debug=1 or the protobuf profile for complete counts\n"
			       : snapshot_is_profile(s) ? "   ! the profile is cut off: its last record is incomplete\n"
							: "   ! the dump is cut off: the last goroutine is incomplete\n");
		col(w, C_RESET);
	}
}

/* --by label:KEY where no goroutine has KEY: one group of "(not set)",
 * which needs saying, not just showing. */
static void label_note(struct out *w, const struct analysis *a)
{
	if (a->opt.by != GROUP_LABEL || a->label_key || !a->shown)
		return;
	col(w, C_YELLOW);
	buf_adds(w->b, "\nno goroutine carries the label \"");
	put_text(w->b, a->opt.label_key, strlen(a->opt.label_key));
	buf_adds(w->b, "\"");
	buf_adds(w->b, snapshot_is_profile(w->s) ? "" : " (labels are shown by debug=1 and protobuf profiles, not "
							 "by tracebacks)");
	buf_adds(w->b, ": all are in one group\n");
	col(w, C_RESET);
}

static void totals(struct out *w, const struct analysis *a)
{
	label_note(w, a);
	if (!a->shown || snapshot_is_profile(w->s))
		return; /* profiles carry no states */
	buf_adds(w->b, "\n");
	col(w, C_BOLD);
	buf_adds(w->b, "States  ");
	col(w, C_RESET);
	for (uint32_t i = 0; i < a->nstates && i < 10; i++) {
		if (i)
			buf_adds(w->b, " · ");
		str(w, a->states[i].state);
		buf_printf(w->b, " %llu", (unsigned long long)a->states[i].count);
	}
	if (a->nstates > 10)
		buf_printf(w->b, " · %u more", a->nstates - 10);
	buf_addc(w->b, '\n');
	col(w, C_BOLD);
	buf_adds(w->b, "Waiting ");
	col(w, C_RESET);
	static const enum wait_class order[] = {WC_CHANNEL, WC_SELECT, WC_LOCK,    WC_WAITGROUP, WC_COND, WC_SLEEP,
						WC_IO,      WC_SYSCALL, WC_RUNNING, WC_RUNTIME,   WC_OTHER};
	static const char *const words[] = {"channel ops", "select", "locks", "WaitGroups", "sync.Cond", "sleep",
					    "network I/O", "syscalls", "running", "runtime", "other"};
	bool any = false;
	for (size_t i = 0; i < ARRAY_LEN(order); i++) {
		uint64_t c = a->by_class[order[i]];
		if (!c)
			continue;
		buf_printf(w->b, "%s%s %llu (%u%%)", any ? " · " : "", words[order[i]], (unsigned long long)c,
			   pct(c, a->shown));
		any = true;
	}
	buf_addc(w->b, '\n');
	if (a->nlongest) {
		col(w, C_BOLD);
		buf_adds(w->b, "Longest ");
		col(w, C_RESET);
		for (uint32_t i = 0; i < a->nlongest && i < 3; i++) {
			const struct longest_wait *l = &a->longest[i];
			const struct stack *st = &w->s->stacks[l->stack];
			if (i)
				buf_adds(w->b, " · ");
			buf_printf(w->b, "%u min goroutine %llu ", l->minutes, (unsigned long long)l->id);
			if (st->nframes)
				str(w, (*snapshot_frame(w->s, st, first_user_frame(w->s, st))).func);
			buf_adds(w->b, " (");
			str(w, l->state);
			buf_addc(w->b, ')');
		}
		buf_addc(w->b, '\n');
	}
}

static void shared(struct out *w, const struct analysis *a)
{
	for (uint32_t i = 0; i < a->nshared; i++) {
		const struct shared_object *so = &a->shared[i];
		col(w, C_BOLD);
		buf_adds(w->b, i ? "        " : "Shared  ");
		col(w, C_RESET);
		buf_printf(w->b, "%llu goroutines in %u groups wait on 0x%llx (", (unsigned long long)so->waiters, so->groups,
			   (unsigned long long)so->object);
		str(w, so->state);
		if (so->has_minutes)
			buf_printf(w->b, ", up to %u min", so->max_minutes);
		buf_printf(w->b, "), first in group #%u\n", so->first_group + 1);
	}
}

static void minutes_spread(struct out *w, const struct group *g)
{
	const struct group_records *r = g->rec;
	if (!r->has_minutes)
		return;
	if (r->min_minutes == r->max_minutes)
		buf_printf(w->b, " · %u min", r->min_minutes);
	else
		buf_printf(w->b, " · %u–%u min (median %u)", r->min_minutes, r->max_minutes, r->median_minutes);
	if (r->with_minutes < g->count)
		buf_printf(w->b, " for %llu", (unsigned long long)r->with_minutes);
}

/* Where a blocking site's goroutines wait: "N × state at func (file:line)"
 * when all N are in that state, "N goroutines (M × state) at ..." when
 * only M are, "N goroutines at ..." when the states are not counted. */
static void site_line(struct out *w, const struct group *g, uint64_t count, uint64_t in_state)
{
	const struct stack *st = &w->s->stacks[g->stack];
	uint32_t state = g->nstates ? g->states[0].state : 0;
	col(w, C_BOLD);
	if (state && in_state == count) {
		buf_printf(w->b, "%llu × ", (unsigned long long)count);
		str(w, state);
	} else if (state && in_state) {
		buf_printf(w->b, "%llu goroutines (%llu × ", (unsigned long long)count, (unsigned long long)in_state);
		str(w, state);
		buf_addc(w->b, ')');
	} else {
		buf_printf(w->b, "%llu goroutine%s", (unsigned long long)count, count == 1 ? "" : "s");
	}
	col(w, C_RESET);
	if (st->nframes) {
		const struct frame *f = snapshot_frame(w->s, st, g->site);
		buf_adds(w->b, " at ");
		str(w, f->func);
		buf_adds(w->b, " (");
		location(w, f);
		buf_addc(w->b, ')');
	}
}

/* Sites parked by design, said so that a reader does not wonder why a big
 * group is not suspected. */
static void parked(struct out *w, const struct analysis *a)
{
	if (!a->nparked)
		return;
	buf_adds(w->b, "\nParked, not suspected\n");
	for (uint32_t i = 0; i < a->nparked; i++) {
		const struct suspect *sp = &a->parked[i];
		buf_adds(w->b, "   ");
		site_line(w, &a->groups[sp->group], sp->count, sp->in_state);
		buf_printf(w->b, "  [group #%u]: %s\n", sp->group + 1, sp->reason);
	}
}

static void suspects(struct out *w, const struct analysis *a)
{
	if (!a->suspects_judged && !is_contention(w->s) && a->shown) {
		col(w, C_DIM);
		buf_adds(w->b, "\n(leak suspicion is judged per blocking site: group by stack, top=N or creator to see it)\n");
		col(w, C_RESET);
	}
	parked(w, a);
	if (!a->nsuspects)
		return;
	buf_adds(w->b, "\n");
	col(w, C_BOLD);
	col(w, C_RED);
	bool proven = w->s->profile == PROF_GOROUTINELEAK;
	buf_adds(w->b, proven ? "Leaks" : "Suspected leaks");
	col(w, C_RESET);
	buf_adds(w->b, proven ? " (proven by the runtime's goroutineleak profile)\n"
			      : " (one snapshot: a suspicion, not proof; compare snapshots over time to confirm)\n");
	uint32_t shown = w->o->max_groups ? MIN(a->nsuspects, 10u) : a->nsuspects;
	for (uint32_t i = 0; i < shown; i++) {
		const struct suspect *sp = &a->suspects[i];
		const struct group *g = &a->groups[sp->group];
		buf_printf(w->b, " %u. ", i + 1);
		site_line(w, g, sp->count, sp->in_state);
		if (sp->has_minutes) {
			if (sp->min_minutes == sp->max_minutes)
				buf_printf(w->b, " · %u min", sp->min_minutes);
			else
				buf_printf(w->b, " · %u–%u min", sp->min_minutes, sp->max_minutes);
		}
		buf_printf(w->b, "  [%s%s; group #%u", confidence_name(sp->confidence),
			   sp->strong && !proven ? ", strong" : "", sp->group + 1);
		if (sp->ngroups > 1)
			buf_printf(w->b, " and %u more %s", sp->ngroups - 1,
				   sp->shared_object ? "waiting on the same object" : "reaching the same site");
		buf_adds(w->b, "]\n");
		if (sp->shared_object)
			buf_printf(w->b, "    object: 0x%llx\n", (unsigned long long)sp->object);
		buf_printf(w->b, "    why:   %s\n", sp->reason);
		if (!sp->pattern)
			continue;
		/* Say a cause and fix once; later suspects of the same kind refer back. */
		uint32_t first = i;
		for (uint32_t k = 0; k < i; k++)
			if (a->suspects[k].pattern == sp->pattern) {
				first = k;
				break;
			}
		if (first < i) {
			buf_printf(w->b, "    cause and fix: as for %u. (%s)\n", first + 1, sp->pattern->id);
			continue;
		}
		buf_printf(w->b, "    cause: %s\n", sp->pattern->cause);
		buf_printf(w->b, "    fix:   %s\n", sp->pattern->fix);
	}
	if (shown < a->nsuspects)
		buf_printf(w->b, " ... %u more suspects (--limit 0 shows all)\n", a->nsuspects - shown);
}

static void object_note(struct out *w, const struct group *g)
{
	const struct group_records *r = g->rec;
	if (g->count < 2 || r->with_object < 2)
		return;
	const char *what = r->object_from_primitive ? "object (channel/lock)" : "first argument";
	if (r->distinct_objects == 1)
		buf_printf(w->b, "    all %llu wait on the same %s 0x%llx\n", (unsigned long long)r->with_object, what,
			   (unsigned long long)r->top_object);
	else if (r->top_object_count * 2 > r->with_object)
		buf_printf(w->b, "    %llu of %llu wait on the same %s 0x%llx\n", (unsigned long long)r->top_object_count,
			   (unsigned long long)r->with_object, what, (unsigned long long)r->top_object);
	else if (!r->object_from_primitive)
		return; /* distinct first arguments say nothing about what is awaited */
	else if (r->distinct_objects == r->with_object)
		buf_printf(w->b, "    each waits on its own %s (%llu distinct)\n", what,
			   (unsigned long long)r->distinct_objects);
	else
		buf_printf(w->b, "    they wait on %llu distinct %ss\n", (unsigned long long)r->distinct_objects,
			   r->object_from_primitive ? "object" : "first argument");
}

static void labels_note(struct out *w, const struct group *g)
{
	if (!g->labels)
		return;
	uint32_t kv[64];
	uint32_t n = snapshot_labels(w->s, g->labels, kv, 32);
	buf_adds(w->b, "    labels {");
	for (uint32_t i = 0; i < n; i++) {
		if (i)
			buf_adds(w->b, ", ");
		str(w, kv[2 * i]);
		buf_adds(w->b, ": ");
		str(w, kv[2 * i + 1]);
	}
	buf_adds(w->b, "}\n");
}

static void one_group(struct out *w, const struct analysis *a, uint32_t gi)
{
	const struct group *g = &a->groups[gi];
	const struct snapshot *s = w->s;
	const struct stack *st = &s->stacks[g->stack];
	buf_addc(w->b, '\n');
	col(w, C_BOLD);
	buf_printf(w->b, "#%u  %llu %s", gi + 1, (unsigned long long)g->count, unit(s, g->count));
	col(w, C_RESET);
	if (is_contention(s)) {
		buf_adds(w->b, " · ");
		put_duration(w, g->delay_ns);
		buf_adds(w->b, " blocked");
		if (g->count) {
			buf_adds(w->b, ", ");
			put_duration(w, g->delay_ns / g->count);
			buf_adds(w->b, " each");
		}
	} else if (!snapshot_is_profile(s)) {
		buf_adds(w->b, " · ");
		col(w, C_YELLOW);
		for (uint32_t k = 0; k < g->nstates; k++) {
			if (k)
				buf_adds(w->b, ", ");
			str(w, g->states[k].state);
			if (g->nstates > 1)
				buf_printf(w->b, " %llu", (unsigned long long)g->states[k].count);
		}
		col(w, C_RESET);
	}
	if (a->opt.by == GROUP_LABEL) {
		buf_adds(w->b, " · ");
		put_text(w->b, a->opt.label_key, strlen(a->opt.label_key));
		buf_adds(w->b, "=");
		if (g->label_value)
			str(w, g->label_value);
		else
			buf_adds(w->b, "(not set)");
	}
	minutes_spread(w, g);
	if (g->rec->locked)
		buf_printf(w->b, " · locked to thread%s", g->rec->locked < g->count ? " (some)" : "");
	if (g->leaked && s->profile != PROF_GOROUTINELEAK)
		buf_printf(w->b, " · %llu leaked (runtime)", (unsigned long long)g->leaked);
	if (g->rec->durable)
		buf_adds(w->b, " · durably blocked (synctest)");
	if (g->nstacks > 1)
		buf_printf(w->b, " · %u stacks", g->nstacks);
	if (g->system)
		buf_adds(w->b, " · runtime");
	if (g->suspicion != CONF_NONE) {
		col(w, C_RED);
		buf_printf(w->b, " · suspect (%s)", confidence_name(g->suspicion));
		col(w, C_RESET);
	}
	buf_addc(w->b, '\n');
	if (st->flags & STACK_HAS_CREATOR) {
		buf_adds(w->b, "    created by ");
		str(w, st->creator.func);
		buf_adds(w->b, " at ");
		location(w, &st->creator);
		if (g->rec->with_parent) {
			if (g->rec->distinct_parents == 1)
				buf_printf(w->b, " in goroutine %llu", (unsigned long long)g->rec->top_parent);
			else
				buf_printf(w->b, " in %llu goroutines (most by %llu)", (unsigned long long)g->rec->distinct_parents,
					   (unsigned long long)g->rec->top_parent);
		}
		buf_addc(w->b, '\n');
	}
	object_note(w, g);
	labels_note(w, g);
	const struct frame_view f = snapshot_frames(s, st);
	/* Level-2 dumps start with the runtime's own frames (gopark, ...): they
	 * say nothing the state does not, so text starts at the first other one. */
	uint32_t first = 0;
	while (first + 1 < st->nframes && !strncmp(snapshot_str(s, FRAME(f, first).func), "runtime.", 8))
		first++;
	if (first)
		buf_printf(w->b, "    (%u runtime frame%s)\n", first, first == 1 ? "" : "s");
	uint32_t limit = w->o->max_frames ? MIN(w->o->max_frames + first, st->nframes) : st->nframes;
	for (uint32_t k = first; k < limit; k++) {
		buf_adds(w->b, k == g->site && g->suspicion != CONF_NONE ? "  → " : "    ");
		str(w, FRAME(f, k).func);
		if (FRAME(f, k).flags & FRAME_INLINED)
			buf_adds(w->b, " (inlined)");
		buf_adds(w->b, "  ");
		col(w, C_DIM);
		location(w, &FRAME(f, k));
		col(w, C_RESET);
		buf_addc(w->b, '\n');
	}
	if (limit < st->nframes)
		buf_printf(w->b, "    ... %u more frames (--frames 0 shows all)\n", st->nframes - limit);
	if (st->flags & STACK_ELIDED_MIDDLE)
		buf_printf(w->b, "    (the runtime elided %u frames in the middle)\n", st->elided);
	if (st->flags & STACK_ELIDED_OLD)
		buf_adds(w->b, "    (the runtime elided the outermost frames)\n");
	if (st->flags & STACK_UNAVAILABLE)
		buf_adds(w->b, "    (stack unavailable: running on another thread or in C code)\n");
}

static void races(struct out *w)
{
	const struct snapshot *s = w->s;
	if (!s->nraces && !s->races_reported)
		return;
	buf_adds(w->b, "\n");
	col(w, C_BOLD);
	col(w, C_RED);
	buf_printf(w->b, "Data races: %u report%s", s->nraces, s->nraces == 1 ? "" : "s");
	col(w, C_RESET);
	if (s->races_reported)
		buf_printf(w->b, " (the race detector counted %u)", s->races_reported);
	buf_addc(w->b, '\n');
	for (uint32_t i = 0; i < s->nraces && i < 20; i++) {
		const struct race *r = &s->races[i];
		const struct race_access *acc[2] = {&r->a, &r->b};
		for (int k = 0; k < 2; k++) {
			buf_adds(w->b, k ? "      vs " : "  - ");
			put_text(w->b, acc[k]->kind, strlen(acc[k]->kind));
			if (acc[k]->main_goroutine)
				buf_adds(w->b, " by main goroutine");
			else
				buf_printf(w->b, " by goroutine %llu", (unsigned long long)acc[k]->goroutine);
			if (acc[k]->top.func) {
				buf_adds(w->b, " in ");
				str(w, acc[k]->top.func);
				buf_adds(w->b, " (");
				location(w, &acc[k]->top);
				buf_addc(w->b, ')');
			}
			buf_addc(w->b, '\n');
		}
	}
}

void report_text(struct buf *b, const struct analysis *a, uint32_t nsnaps, const struct text_options *o)
{
	struct out w = {b, o, a->snap};
	heading(&w, a, nsnaps);
	totals(&w, a);
	shared(&w, a);
	suspects(&w, a);
	races(&w);
	uint32_t limit = o->max_groups ? MIN(o->max_groups, a->ngroups) : a->ngroups;
	if (limit) {
		buf_adds(b, "\n");
		col(&w, C_BOLD);
		buf_printf(b, "Groups (%u, largest first)", a->ngroups);
		col(&w, C_RESET);
		buf_addc(b, '\n');
	}
	for (uint32_t i = 0; i < limit; i++) {
		one_group(&w, a, i);
		buf_drain(b);
	}
	if (limit < a->ngroups) {
		uint64_t rest = 0;
		for (uint32_t i = limit; i < a->ngroups; i++)
			rest += a->groups[i].count;
		buf_printf(b, "\n... %u more groups with %llu goroutines (--limit 0 shows all)\n", a->ngroups - limit,
			   (unsigned long long)rest);
	}
	buf_addc(b, '\n');
}
