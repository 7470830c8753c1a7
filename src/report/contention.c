/* contention.c: text, JSON and folded output of `goroscope contention`
 * (analyze/contention.h). */
#include "../base/common.h"
#include "report.h"
#include "../analyze/contention.h"
#include "escape.h"

static void put_ns(struct buf *b, double ns)
{
	if (ns >= 1e9)
		buf_printf(b, "%.2f s", ns / 1e9);
	else if (ns >= 1e6)
		buf_printf(b, "%.2f ms", ns / 1e6);
	else
		buf_printf(b, "%.1f µs", ns / 1e3);
}

static void put_site(struct buf *b, const struct contention_site *c, bool full)
{
	const struct snapshot *s = c->snap;
	const struct stack *st = &s->stacks[c->stack];
	if (!st->nframes) {
		buf_adds(b, "[no frames]");
		return;
	}
	const struct frame *f = snapshot_frame(s, st, c->site);
	put_text(b, snapshot_str(s, f->func), strtab_len(&s->strs, f->func));
	buf_adds(b, " (");
	if (f->flags & FRAME_NOFILE && !f->file)
		buf_adds(b, "?");
	else {
		put_short_path(b, snapshot_str(s, f->file), strtab_len(&s->strs, f->file), full);
		buf_printf(b, ":%u", f->line);
	}
	buf_addc(b, ')');
}

/* An empty profile: off only when its header says so (a debug=1 mutex
 * profile's sampling period 0); over a window, none seen in it; since the
 * process started, most likely off. */
static void empty_note(struct buf *b, const char *kind, double window_s, int64_t sampling, const char *enable)
{
	if (sampling == 0)
		buf_printf(b, "   %s profiling is off (sampling period 0): enable it with %s\n", kind, enable);
	else if (window_s > 0 && sampling > 0)
		buf_printf(b, "   the %s profile saw no contention in %.1f s\n", kind, window_s);
	else if (window_s > 0)
		buf_printf(b, "   the %s profile saw no contention in %.1f s (if some was expected, check that the program "
			      "calls %s)\n", kind, window_s, enable);
	else if (sampling > 0)
		buf_printf(b, "   the %s profile saw no contention since the process started (sampling period %lld)\n", kind,
			   (long long)sampling);
	else
		buf_printf(b, "   the %s profile is empty since the process started: %s profiling is most likely off "
			      "(enable it with %s)\n", kind, kind, enable);
}

/* "N% of block time" / "N% of lock holding time": a share of its own
 * profile kind's contention. */
static void put_share(struct buf *b, const struct contention_site *c)
{
	buf_printf(b, "%.0f%% of %s", c->share * 100,
		   c->snap->profile == PROF_MUTEX ? "the mutex profile's delay" : "the block profile's delay");
}

void report_contention_text(struct buf *b, const struct contention_result *r, const struct text_options *o)
{
	const char *bold = o->color ? "\033[1m" : "", *reset = o->color ? "\033[0m" : "";
	const char *red = o->color ? "\033[31m" : "", *dim = o->color ? "\033[2m" : "";
	buf_printf(b, "%s== contention: %u profile%s, %llu events, ", bold, r->nprofiles, r->nprofiles == 1 ? "" : "s",
		   (unsigned long long)r->events);
	put_ns(b, (double)r->delay_ns);
	buf_printf(b, " blocked%s", reset);
	if (r->idle_delay_ns) {
		buf_adds(b, " (");
		put_ns(b, (double)r->idle_delay_ns);
		buf_adds(b, " of it idle waiting)");
	}
	buf_addc(b, '\n');
	if (!r->nprofiles) {
		buf_adds(b, "   no block or mutex profile among the inputs\n");
		return;
	}
	/* over a window, or with a known rate, each empty profile says what it saw */
	bool told = r->block_window_s > 0 || r->mutex_window_s > 0 || r->mutex_sampling >= 0;
	if ((!r->all_empty || told) && r->block_empty)
		empty_note(b, "block", r->block_window_s, -1, "runtime.SetBlockProfileRate(n)");
	if ((!r->all_empty || told) && r->mutex_empty)
		empty_note(b, "mutex", r->mutex_window_s, r->mutex_sampling, "runtime.SetMutexProfileFraction(n)");
	if (r->all_empty && told)
		return;
	if (r->all_empty) {
		buf_adds(b, "   the profiles are empty: block and mutex profiling are off by default; enable them in the\n"
			    "   program with runtime.SetBlockProfileRate(n) (e.g. 10000: one event per 10 µs blocked) and\n"
			    "   runtime.SetMutexProfileFraction(n) (e.g. 100: one in 100 contentions)\n");
		return;
	}
	uint32_t limit = o->max_groups ? MIN(r->nrows, o->max_groups) : r->nrows;
	if (r->nrows)
		buf_printf(b, "\n%sContention%s (one row per bottleneck, most time first; shares are of each profile's "
			      "own delay)\n", bold, reset);
	for (uint32_t i = 0; i < limit; i++) {
		const struct contention_site *c = &r->sites[r->rows[i]];
		buf_printf(b, "%s%2u. %s", c->flagged ? red : "", i + 1, c->flagged ? bold : "");
		put_site(b, c, o->full_paths);
		buf_printf(b, "%s · %s · %s · %llu events · ", reset, c->what, profile_kind_name(c->snap->profile),
			   (unsigned long long)c->events);
		put_ns(b, (double)c->delay_ns);
		buf_adds(b, " · ");
		put_ns(b, c->mean_ns);
		buf_adds(b, " each · ");
		put_share(b, c);
		buf_addc(b, '\n');
		if (c->flagged)
			buf_printf(b, "    %s!%s %s\n", red, reset, c->reason);
		if (c->holder >= 0) {
			const struct contention_site *h = &r->sites[c->holder];
			buf_adds(b, "    held by: ");
			put_site(b, h, o->full_paths);
			if (c->owns_holder) {
				buf_printf(b, " unlocks it · mutex · %llu events · ", (unsigned long long)h->events);
				put_ns(b, (double)h->delay_ns);
				buf_adds(b, " · ");
				put_share(b, h);
				buf_addc(b, '\n');
			} else {
				buf_adds(b, " unlocks it (its numbers are in the row of the lock's other waiters)\n");
			}
		}
		if (c->same_call >= 0) {
			const struct contention_site *m = &r->sites[c->same_call];
			buf_printf(b, "    at this call in the mutex profile: %s%s · %llu event%s · ", m->what,
				   c->call_sites > 1 ? " and more" : "", (unsigned long long)c->call_events,
				   c->call_events == 1 ? "" : "s");
			put_ns(b, (double)c->call_delay_ns);
			buf_printf(b, " · %.0f%% of the mutex profile's delay\n", c->call_share * 100);
		}
		if (c->parked_now)
			buf_printf(b, "    %llu goroutine%s parked right now at this site\n",
				   (unsigned long long)c->parked_now, c->parked_now == 1 ? " is" : "s are");
	}
	if (limit < r->nrows)
		buf_printf(b, "    ... %u more (--limit 0 shows all)\n", r->nrows - limit);
	if (r->nsites > r->ncontention)
		buf_printf(b, "\n%sIdle waiting%s (set apart: not a bottleneck)\n", bold, reset);
	for (uint32_t i = r->ncontention; i < r->nsites; i++) {
		const struct contention_site *c = &r->sites[i];
		buf_printf(b, "%s   ", dim);
		put_site(b, c, o->full_paths);
		buf_printf(b, " · %s · %llu events · ", c->what, (unsigned long long)c->events);
		put_ns(b, (double)c->delay_ns);
		buf_printf(b, ": %s%s\n", c->reason, reset);
	}
}

static void site_json(struct buf *b, const struct contention_result *r, const struct contention_site *c)
{
	const struct snapshot *s = c->snap;
	const struct stack *st = &s->stacks[c->stack];
	buf_adds(b, "{\"site\":");
	if (st->nframes)
		report_json_frame(b, s, snapshot_frame(s, st, c->site));
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"via\":");
	put_json_cstr_or_null(b, c->via);
	buf_adds(b, ",\"what\":");
	put_json_cstr(b, c->what);
	buf_adds(b, ",\"profile\":");
	put_json_cstr(b, profile_kind_name(s->profile));
	buf_printf(b, ",\"source\":");
	put_json_cstr(b, s->source);
	buf_printf(b, ",\"events\":%llu,\"delay_ns\":%llu,\"mean_ns\":%.0f,\"share\":%.4f,\"flagged\":%s,\"reason\":",
		   (unsigned long long)c->events, (unsigned long long)c->delay_ns, c->mean_ns, c->share,
		   c->flagged ? "true" : "false");
	put_json_cstr_or_null(b, c->reason);
	buf_adds(b, ",\"share_of\":");
	put_json_cstr(b, profile_kind_name(s->profile));
	buf_adds(b, ",\"holder\":");
	const struct contention_site *h = c->holder >= 0 ? &r->sites[c->holder] : NULL;
	const struct stack *hs = h ? &h->snap->stacks[h->stack] : NULL;
	if (h && hs->nframes)
		report_json_frame(b, h->snap, snapshot_frame(h->snap, hs, h->site));
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"holding\":");
	if (h && c->owns_holder) {
		buf_printf(b, "{\"events\":%llu,\"delay_ns\":%llu,\"mean_ns\":%.0f,\"share\":%.4f,\"share_of\":\"mutex\",",
			   (unsigned long long)h->events, (unsigned long long)h->delay_ns, h->mean_ns, h->share);
		buf_adds(b, "\"via\":");
		put_json_cstr_or_null(b, h->via);
		buf_printf(b, ",\"flagged\":%s}", h->flagged ? "true" : "false");
	} else
		buf_adds(b, "null");
	buf_adds(b, ",\"same_call\":");
	if (c->same_call >= 0) {
		const struct contention_site *m = &r->sites[c->same_call];
		buf_adds(b, "{\"what\":");
		put_json_cstr(b, m->what);
		buf_adds(b, ",\"via\":");
		put_json_cstr_or_null(b, m->via);
		buf_printf(b, ",\"sites\":%u,\"events\":%llu,\"delay_ns\":%llu,\"share\":%.4f,\"share_of\":\"mutex\"}",
			   c->call_sites, (unsigned long long)c->call_events, (unsigned long long)c->call_delay_ns,
			   c->call_share);
	} else {
		buf_adds(b, "null");
	}
	buf_printf(b, ",\"parked_now\":%llu,\"frames\":", (unsigned long long)c->parked_now);
	report_json_frames(b, s, st);
	buf_addc(b, '}');
}

void report_contention_json(struct buf *b, const struct contention_result *r)
{
	buf_adds(b, "{\"tool\":\"goroscope\",\"version\":\"" GOROSCOPE_VERSION "\",\"schema\":1,\"command\":\"contention\"");
	buf_printf(b, ",\"block_empty\":%s,\"mutex_empty\":%s", r->block_empty ? "true" : "false",
		   r->mutex_empty ? "true" : "false");
	buf_adds(b, ",\"empty_window_s\":{\"block\":");
	if (r->block_empty && r->block_window_s > 0)
		buf_printf(b, "%.3f", r->block_window_s);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"mutex\":");
	if (r->mutex_empty && r->mutex_window_s > 0)
		buf_printf(b, "%.3f", r->mutex_window_s);
	else
		buf_adds(b, "null");
	buf_adds(b, "},\"mutex_sampling_period\":");
	if (r->mutex_sampling >= 0)
		buf_printf(b, "%lld", (long long)r->mutex_sampling);
	else
		buf_adds(b, "null");
	buf_printf(b, ",\"profiles\":%u,\"empty\":%s,\"events\":%llu,\"delay_ns\":%llu,\"idle_delay_ns\":%llu",
		   r->nprofiles, r->nprofiles && r->all_empty ? "true" : "false", (unsigned long long)r->events,
		   (unsigned long long)r->delay_ns, (unsigned long long)r->idle_delay_ns);
	buf_adds(b, ",\"contention\":[");
	for (uint32_t i = 0; i < r->nrows; i++) {
		if (i)
			buf_addc(b, ',');
		site_json(b, r, &r->sites[r->rows[i]]);
	}
	buf_adds(b, "],\"idle\":[");
	for (uint32_t i = r->ncontention; i < r->nsites; i++) {
		if (i > r->ncontention)
			buf_addc(b, ',');
		site_json(b, r, &r->sites[i]);
	}
	buf_adds(b, "]}\n");
}

void report_contention_folded(struct buf *b, const struct contention_result *r, struct snapshot *const *snaps,
			      uint32_t n)
{
	(void)r;
	for (uint32_t p = 0; p < n; p++) {
		const struct snapshot *s = snaps[p];
		if (!s->delays)
			continue;
		for (uint64_t i = 0; i < s->ngoroutines; i++) {
			const struct stack *st = &s->stacks[snapshot_goroutine_stack(s, i)];
			const struct frame_view f = snapshot_frames(s, st);
			if (!s->delays[i])
				continue;
			buf_adds(b, profile_kind_name(s->profile));
			for (uint32_t k = st->nframes; k-- > 0;) {
				buf_addc(b, ';');
				size_t start = b->len;
				put_text(b, snapshot_str(s, FRAME(f, k).func), strtab_len(&s->strs, FRAME(f, k).func));
				for (size_t j = start; j < b->len; j++)
					if (b->p[j] == ';' || b->p[j] == ' ')
						b->p[j] = b->p[j] == ';' ? ':' : '_';
			}
			buf_printf(b, " %lld\n", (long long)s->delays[i]);
		}
	}
}
