/* leaks.c: text and JSON of `goroscope leaks` (analyze/series.h): the
 * leaking groups, most certain first, each with its stack, count series,
 * growth, evidence, cause and fix, and the growing groups set aside. */
#include "../base/common.h"
#include "report.h"
#include "../analyze/order.h"
#include "../analyze/process.h"
#include "../analyze/series.h"
#include "escape.h"

static const struct group *leak_group(const struct series_point *pts, const struct leak *l,
				      const struct snapshot **s)
{
	const struct analysis *a = pts[l->point].a;
	*s = a->snap;
	return &a->groups[l->group];
}

static void put_frame_text(struct buf *b, const struct snapshot *s, const struct frame *f, bool full)
{
	put_text(b, snapshot_str(s, f->func), strtab_len(&s->strs, f->func));
	buf_adds(b, "  ");
	if (f->flags & FRAME_NOFILE && !f->file) {
		buf_adds(b, "?");
		return;
	}
	put_short_path(b, snapshot_str(s, f->file), strtab_len(&s->strs, f->file), full);
	buf_printf(b, ":%u", f->line);
}

static void put_bytes(struct buf *b, uint64_t n)
{
	if (n >= (1ull << 30))
		buf_printf(b, "%.1f GiB", (double)n / (double)(1ull << 30));
	else if (n >= (1ull << 20))
		buf_printf(b, "%.1f MiB", (double)n / (double)(1ull << 20));
	else
		buf_printf(b, "%.0f KiB", (double)n / 1024.0);
}

void report_order_text(struct buf *b, const struct order_result *ord)
{
	if (!ord || ord->n < 2)
		return;
	buf_printf(b, "   in time order by %s%s\n", order_basis_name(ord),
		   ord->reordered ? " (given in another order)" : "");
	if (ord->note[0]) {
		buf_adds(b, "   ! ");
		put_text(b, ord->note, strlen(ord->note));
		buf_addc(b, '\n');
	}
}

void report_order_json(struct buf *b, const struct order_result *ord)
{
	if (!ord)
		return;
	buf_adds(b, ",\"order\":{\"basis\":");
	put_json_cstr(b, order_basis_name(ord));
	buf_printf(b, ",\"reordered\":%s,\"note\":", ord->reordered ? "true" : "false");
	put_json_cstr_or_null(b, ord->note[0] ? ord->note : NULL);
	buf_addc(b, '}');
}

/* The restarts and which process the series is, as text lines. */
static void scope_text(struct buf *b, const struct leaks_scope *sc)
{
	if (!sc)
		return;
	report_order_text(b, sc->order);
	for (uint32_t i = 0; i < sc->nbreaks; i++) {
		buf_adds(b, "   ! a new process ");
		put_text(b, sc->breaks[i].why, strlen(sc->breaks[i].why));
		buf_addc(b, '\n');
	}
	if (sc->nbreaks) {
		uint32_t last = sc->process < sc->nbreaks ? sc->breaks[sc->process].at : sc->ninputs;
		buf_printf(b,
			   "   the series is process %u of %u: snapshots %u to %u of %u (--process N for another); "
			   "snapshots of two processes are never compared as one\n",
			   sc->process + 1, sc->nbreaks + 1, sc->first + 1, last, sc->ninputs);
	}
}

void report_leaks_text(struct buf *b, const struct series_point *pts, const struct series_result *r,
		       const struct leaks_scope *scope, const struct text_options *o)
{
	const char *bold = o->color ? "\033[1m" : "", *reset = o->color ? "\033[0m" : "";
	const char *red = o->color ? "\033[31m" : "", *dim = o->color ? "\033[2m" : "";
	buf_printf(b, "%s== leaks: %u snapshot%s", bold, r->npoints, r->npoints == 1 ? "" : "s");
	if (r->npoints < 2)
		; /* no span, no growth to measure */
	else if (r->times_known && r->span_min < 1)
		buf_printf(b, " over %.1f s", r->span_min * 60);
	else if (r->times_known)
		buf_printf(b, " over %.1f min", r->span_min);
	else
		buf_adds(b, " (capture times unknown: growth per snapshot)");
	buf_printf(b, "%s\n   goroutines shown: %llu", reset, (unsigned long long)r->totals[0]);
	if (r->npoints > 1)
		buf_printf(b, " → %llu", (unsigned long long)r->totals[r->npoints - 1]);
	buf_adds(b, r->npoints < 2 ? "\n"
		    : r->ids ? " · followed by goroutine id\n"
			     : " · no goroutine ids in these formats: growth alone is the evidence\n");
	scope_text(b, scope);
	if (r->proof_profile)
		buf_adds(b, "   the runtime's goroutineleak profile was read: what it lists is proven\n");
	if (r->npoints < 2 && !r->proof_profile)
		buf_adds(b, "   one snapshot says nothing about growth: give two or more (or use 'analyze')\n");
	uint32_t shown = o->max_groups ? MIN(r->nleaks, o->max_groups) : r->nleaks;
	for (uint32_t i = 0; i < shown; i++) {
		const struct leak *l = &r->leaks[i];
		const struct snapshot *s;
		const struct group *g = leak_group(pts, l, &s);
		const struct stack *st = &s->stacks[g->stack];
		const struct frame_view f = snapshot_frames(s, st);
		uint32_t site = first_user_frame(s, st);
		buf_printf(b, "\n%s%s%u. ", bold, red, i + 1);
		if (st->nframes)
			put_frame_text(b, s, &FRAME(f, site), o->full_paths);
		buf_printf(b, "%s · %s", reset, confidence_name(l->confidence));
		if (l->state)
			buf_printf(b, " · %s%s", l->state, l->state_inferred ? " (from the stack)" : "");
		buf_addc(b, '\n');
		buf_adds(b, "   count:");
		for (uint32_t p = 0; p < r->npoints; p++)
			buf_printf(b, "%s %llu", p ? " →" : "", (unsigned long long)l->counts[p]);
		buf_printf(b, "  (%+.1f per snapshot", l->growth_per_step);
		if (r->times_known && r->span_min > 0)
			buf_printf(b, ", %+.1f per minute", l->growth_per_min);
		buf_adds(b, ")\n");
		for (uint32_t k = 0; k < l->nevidence; k++)
			buf_printf(b, "   %s%s%s\n", k ? "     " : "why: ", l->evidence[k], "");
		if (l->max_minutes)
			buf_printf(b, "   waiting up to %u min\n", l->max_minutes);
		if (st->flags & STACK_HAS_CREATOR) {
			buf_adds(b, "   created by ");
			put_frame_text(b, s, &st->creator, o->full_paths);
			buf_addc(b, '\n');
		}
		if (l->pattern) {
			buf_printf(b, "   cause: %s\n", l->pattern->cause);
			buf_printf(b, "   fix:   %s\n", l->pattern->fix);
		}
		buf_adds(b, "   memory: ~");
		put_bytes(b, l->est_bytes);
		buf_adds(b, " pinned (estimate: stack and goroutine struct)\n");
		uint32_t limit = o->max_frames ? o->max_frames : UINT32_MAX;
		for (uint32_t k = site, n = 0; k < st->nframes && n < limit; k++, n++) {
			buf_adds(b, "     ");
			put_frame_text(b, s, &FRAME(f, k), o->full_paths);
			buf_addc(b, '\n');
		}
	}
	if (shown < r->nleaks)
		buf_printf(b, "\n... %u more leaks (--limit 0 shows all)\n", r->nleaks - shown);
	if (!r->nleaks)
		buf_adds(b, "\nno leak found: no group kept growing to the last snapshot without losing goroutines\n");
	if (r->nignored) {
		buf_printf(b, "\n%sSet aside%s\n", bold, reset);
		for (uint32_t i = 0; i < r->nignored; i++) {
			const struct series_ignored *ig = &r->ignored[i];
			const struct analysis *a = pts[ig->point].a;
			const struct group *g = &a->groups[ig->group];
			const struct stack *st = &a->snap->stacks[g->stack];
			buf_printf(b, "   %s", dim);
			if (st->nframes) {
				const struct frame_view f = snapshot_frames(a->snap, st);
				uint32_t site = first_user_frame(a->snap, st);
				put_frame_text(b, a->snap, &FRAME(f, site), o->full_paths);
				/* no user code: where the goroutine started tells two
				 * netpoll waits apart (a server's conn, a client's) */
				if (site + 1 < st->nframes && is_stdlib_func(snapshot_str(a->snap, FRAME(f, site).func)))
					buf_printf(b, " in %s", snapshot_str(a->snap, FRAME(f, st->nframes - 1).func));
			}
			buf_printf(b, " (%llu at the end)%s: %s\n", (unsigned long long)ig->last_count, reset, ig->reason);
		}
	}
}

/* "inputs", "restarts", "restart_signs" and "process" members. */
static void scope_json(struct buf *b, const struct leaks_scope *sc)
{
	if (!sc)
		return;
	report_order_json(b, sc->order);
	buf_adds(b, ",\"inputs\":[");
	for (uint32_t i = 0; i < sc->ninputs; i++) {
		buf_adds(b, i ? ",{\"source\":" : "{\"source\":");
		put_json_cstr(b, sc->inputs[i]->source);
		buf_printf(b, ",\"index\":%u}", sc->inputs[i]->index);
	}
	buf_adds(b, "],\"restarts\":[");
	for (uint32_t i = 0; i < sc->nbreaks; i++)
		buf_printf(b, "%s%u", i ? "," : "", sc->breaks[i].at);
	buf_adds(b, "],\"restart_signs\":[");
	for (uint32_t i = 0; i < sc->nbreaks; i++) {
		if (i)
			buf_addc(b, ',');
		put_json_cstr(b, sc->breaks[i].why);
	}
	buf_printf(b, "],\"process\":{\"index\":%u,\"of\":%u,\"first\":%u,\"recurring_leaks\":%u}", sc->process,
		   sc->nbreaks + 1, sc->first, sc->recurring);
}

void report_leaks_json(struct buf *b, const struct series_point *pts, const struct series_result *r,
		       const struct leaks_scope *scope)
{
	buf_adds(b, "{\"tool\":\"goroscope\",\"version\":\"" GOROSCOPE_VERSION "\",\"schema\":1,\"command\":\"leaks\"");
	scope_json(b, scope);
	buf_adds(b, ",\"snapshots\":[");
	for (uint32_t p = 0; p < r->npoints; p++) {
		const struct snapshot *s = pts[p].a->snap;
		if (p)
			buf_addc(b, ',');
		buf_adds(b, "{\"source\":");
		put_json_cstr(b, s->source);
		buf_printf(b, ",\"index\":%u,\"format\":", s->index);
		put_json_cstr(b, s->format);
		buf_printf(b, ",\"shown\":%llu,\"time_nanos\":", (unsigned long long)r->totals[p]);
		if (pts[p].when_ns > 0)
			buf_printf(b, "%lld", (long long)pts[p].when_ns);
		else
			buf_adds(b, "null");
		buf_addc(b, '}');
	}
	buf_printf(b, "],\"times_known\":%s,\"span_minutes\":", r->times_known ? "true" : "false");
	if (r->times_known)
		buf_printf(b, "%.3f", r->span_min);
	else
		buf_adds(b, "null");
	buf_printf(b, ",\"by_id\":%s,\"goroutineleak_profile\":%s,\"leaks\":[", r->ids ? "true" : "false",
		   r->proof_profile ? "true" : "false");
	for (uint32_t i = 0; i < r->nleaks; i++) {
		const struct leak *l = &r->leaks[i];
		const struct snapshot *s;
		const struct group *g = leak_group(pts, l, &s);
		const struct stack *st = &s->stacks[g->stack];
		if (i)
			buf_addc(b, ',');
		buf_adds(b, "{\"confidence\":");
		put_json_cstr(b, confidence_name(l->confidence));
		buf_adds(b, ",\"state\":");
		put_json_cstr_or_null(b, l->state);
		buf_printf(b, ",\"state_inferred\":%s,\"counts\":[", l->state_inferred ? "true" : "false");
		for (uint32_t p = 0; p < r->npoints; p++)
			buf_printf(b, "%s%llu", p ? "," : "", (unsigned long long)l->counts[p]);
		buf_adds(b, "],\"growth_per_minute\":");
		if (r->times_known && r->span_min > 0)
			buf_printf(b, "%.3f", l->growth_per_min);
		else
			buf_adds(b, "null");
		buf_printf(b, ",\"growth_per_snapshot\":%.3f,\"evidence\":[", l->growth_per_step);
		for (uint32_t k = 0; k < l->nevidence; k++) {
			if (k)
				buf_addc(b, ',');
			put_json_cstr(b, l->evidence[k]);
		}
		buf_adds(b, "],\"survival\":");
		if (l->survival >= 0)
			buf_printf(b, "%.3f", l->survival);
		else
			buf_adds(b, "null");
		buf_adds(b, ",\"max_wait_minutes\":");
		if (l->max_minutes)
			buf_printf(b, "%u", l->max_minutes);
		else
			buf_adds(b, "null");
		buf_adds(b, ",\"blocking_site\":");
		if (st->nframes)
			report_json_frame(b, s, snapshot_frame(s, st, first_user_frame(s, st)));
		else
			buf_adds(b, "null");
		buf_adds(b, ",\"created_by\":");
		report_json_creator(b, s, st);
		buf_adds(b, ",\"pattern\":");
		if (l->pattern) {
			buf_adds(b, "{\"id\":");
			put_json_cstr(b, l->pattern->id);
			buf_adds(b, ",\"cause\":");
			put_json_cstr(b, l->pattern->cause);
			buf_adds(b, ",\"fix\":");
			put_json_cstr(b, l->pattern->fix);
			buf_addc(b, '}');
		} else {
			buf_adds(b, "null");
		}
		buf_printf(b, ",\"est_bytes\":%llu,\"frames\":", (unsigned long long)l->est_bytes);
		report_json_frames(b, s, st);
		buf_addc(b, '}');
	}
	buf_adds(b, "],\"ignored\":[");
	for (uint32_t i = 0; i < r->nignored; i++) {
		const struct series_ignored *ig = &r->ignored[i];
		const struct analysis *a = pts[ig->point].a;
		const struct stack *st = &a->snap->stacks[a->groups[ig->group].stack];
		if (i)
			buf_addc(b, ',');
		buf_adds(b, "{\"reason\":");
		put_json_cstr(b, ig->reason);
		buf_printf(b, ",\"count\":%llu,\"frames\":", (unsigned long long)ig->last_count);
		report_json_frames(b, a->snap, st);
		buf_addc(b, '}');
	}
	buf_adds(b, "]}\n");
}
