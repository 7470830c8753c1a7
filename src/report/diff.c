/* diff.c: text and JSON of a diff between two snapshots (analyze/diff.h).
 * Each changed group is shown by its first goroutine's stack in the snapshot
 * where it exists (the new one when both). */
#include "../base/common.h"
#include "report.h"
#include "../analyze/classify.h"
#include "../analyze/diff.h"
#include "escape.h"

/* The group that shows an entry: from the new analysis when it has one. */
static const struct group *shown_group(const struct diff *d, const struct diff_entry *e,
				       const struct analysis **a)
{
	*a = e->new_group != UINT32_MAX ? d->new : d->old;
	return &(*a)->groups[e->new_group != UINT32_MAX ? e->new_group : e->old_group];
}

static void put_str(struct buf *b, const struct snapshot *s, uint32_t id)
{
	put_text(b, snapshot_str(s, id), strtab_len(&s->strs, id));
}

static void side_line(struct buf *b, const char *what, const struct analysis *a)
{
	const struct snapshot *s = a->snap;
	buf_printf(b, "   %s ", what);
	put_text(b, s->source, strlen(s->source));
	if (s->index > 1)
		buf_printf(b, " (dump %u)", s->index);
	buf_printf(b, ": %llu goroutines shown, %s\n", (unsigned long long)a->shown, s->format);
}

void report_diff_text(struct buf *b, const struct diff *d, const struct order_result *ord,
		      const struct text_options *o)
{
	const char *bold = o->color ? "\033[1m" : "", *reset = o->color ? "\033[0m" : "";
	const char *red = o->color ? "\033[31m" : "", *green = o->color ? "\033[32m" : "";
	int64_t delta = (int64_t)d->new_total - (int64_t)d->old_total;
	buf_printf(b, "%s== diff: %llu → %llu goroutines (%+lld)%s\n", bold, (unsigned long long)d->old_total,
		   (unsigned long long)d->new_total, (long long)delta, reset);
	side_line(b, "old", d->old);
	side_line(b, "new", d->new);
	report_order_text(b, ord);
	buf_printf(b, "   groups: %u new, %u gone, %u grown, %u shrunk, %u unchanged\n", d->counts[DIFF_NEW],
		   d->counts[DIFF_GONE], d->counts[DIFF_GROWN], d->counts[DIFF_SHRUNK], d->counts[DIFF_SAME]);
	if (d->by_id) {
		buf_printf(b, "   by goroutine id: %llu persisted", (unsigned long long)d->persisted);
		if (d->moved)
			buf_printf(b, " (%llu of them in another group now)", (unsigned long long)d->moved);
		buf_printf(b, ", %llu new, %llu exited\n", (unsigned long long)d->created, (unsigned long long)d->exited);
		for (int side = 0; side < 2; side++) {
			const uint64_t *ids = side ? d->exited_ids : d->created_ids;
			uint32_t n = side ? d->nexited_ids : d->ncreated_ids;
			uint64_t all = side ? d->exited : d->created;
			if (!n)
				continue;
			buf_printf(b, "   %s:", side ? "exited" : "new");
			for (uint32_t i = 0; i < n; i++)
				buf_printf(b, " %llu", (unsigned long long)ids[i]);
			if (all > n)
				buf_printf(b, " ... (%llu more)", (unsigned long long)(all - n));
			buf_addc(b, '\n');
		}
	} else
		buf_adds(b, "   (goroutine ids: only when both inputs are text dumps)\n");
	uint32_t shown = 0;
	for (uint32_t i = 0; i < d->n; i++) {
		const struct diff_entry *e = &d->v[i];
		if (e->status == DIFF_SAME)
			continue;
		if (o->max_groups && shown == o->max_groups) {
			buf_printf(b, "\n... more changed groups (--limit 0 shows all)\n");
			break;
		}
		shown++;
		const struct analysis *a;
		const struct group *g = shown_group(d, e, &a);
		const struct snapshot *s = a->snap;
		const struct stack *st = &s->stacks[g->stack];
		buf_printf(b, "\n%s%s%+lld%s  %-6s %llu → %llu", bold, e->delta > 0 ? red : green, (long long)e->delta,
			   reset, diff_status_name(e->status), (unsigned long long)e->old_count,
			   (unsigned long long)e->new_count);
		if (d->by_id && e->new_count) {
			uint64_t known = e->persisted + e->moved_in;
			buf_printf(b, " · %llu persisted, ", (unsigned long long)e->persisted);
			if (e->moved_in)
				buf_printf(b, "%llu moved in from other groups, ", (unsigned long long)e->moved_in);
			buf_printf(b, "%llu new", (unsigned long long)(e->new_count > known ? e->new_count - known : 0));
		}
		if (g->nstates && g->states[0].state) {
			buf_adds(b, " · ");
			put_str(b, s, g->states[0].state);
		}
		buf_addc(b, '\n');
		const struct frame_view f = snapshot_frames(s, st);
		uint32_t first = first_user_frame(s, st);
		uint32_t limit = o->max_frames ? o->max_frames : UINT32_MAX;
		for (uint32_t k = first, printed = 0; k < st->nframes && printed < limit; k++, printed++) {
			buf_adds(b, "    ");
			put_str(b, s, FRAME(f, k).func);
			buf_adds(b, "  ");
			if (FRAME(f, k).flags & FRAME_NOFILE && !FRAME(f, k).file)
				buf_adds(b, "?");
			else {
				put_short_path(b, snapshot_str(s, FRAME(f, k).file), strtab_len(&s->strs, FRAME(f, k).file), o->full_paths);
				buf_printf(b, ":%u", FRAME(f, k).line);
			}
			buf_addc(b, '\n');
		}
		if (st->flags & STACK_HAS_CREATOR) {
			buf_adds(b, "    created by ");
			put_str(b, s, st->creator.func);
			buf_addc(b, '\n');
		}
	}
	if (!shown)
		buf_adds(b, "\nno group changed\n");
}

static void side_obj(struct buf *b, const struct analysis *a)
{
	const struct snapshot *s = a->snap;
	buf_adds(b, "{\"source\":");
	put_json_cstr(b, s->source);
	buf_printf(b, ",\"index\":%u,\"format\":", s->index);
	put_json_cstr(b, s->format);
	buf_printf(b, ",\"total\":%llu,\"shown\":%llu}", (unsigned long long)a->total, (unsigned long long)a->shown);
}

void report_diff_json(struct buf *b, const struct diff *d, const struct order_result *ord)
{
	buf_adds(b, "{\"tool\":\"goroscope\",\"version\":\"" GOROSCOPE_VERSION "\",\"schema\":1,\"command\":\"diff\"");
	report_order_json(b, ord);
	buf_adds(b, ",\"old\":");
	side_obj(b, d->old);
	buf_adds(b, ",\"new\":");
	side_obj(b, d->new);
	buf_printf(b, ",\"delta\":%lld", (long long)((int64_t)d->new_total - (int64_t)d->old_total));
	buf_printf(b, ",\"counts\":{\"new\":%u,\"gone\":%u,\"grown\":%u,\"shrunk\":%u,\"same\":%u}", d->counts[DIFF_NEW],
		   d->counts[DIFF_GONE], d->counts[DIFF_GROWN], d->counts[DIFF_SHRUNK], d->counts[DIFF_SAME]);
	if (d->by_id) {
		buf_printf(b, ",\"ids\":{\"persisted\":%llu,\"moved\":%llu,\"new\":%llu,\"exited\":%llu,\"new_ids\":[",
			   (unsigned long long)d->persisted, (unsigned long long)d->moved, (unsigned long long)d->created,
			   (unsigned long long)d->exited);
		for (uint32_t i = 0; i < d->ncreated_ids; i++)
			buf_printf(b, "%s%llu", i ? "," : "", (unsigned long long)d->created_ids[i]);
		buf_adds(b, "],\"exited_ids\":[");
		for (uint32_t i = 0; i < d->nexited_ids; i++)
			buf_printf(b, "%s%llu", i ? "," : "", (unsigned long long)d->exited_ids[i]);
		buf_adds(b, "]}");
	} else
		buf_adds(b, ",\"ids\":null");
	buf_adds(b, ",\"groups\":[");
	for (uint32_t i = 0; i < d->n; i++) {
		const struct diff_entry *e = &d->v[i];
		const struct analysis *a;
		const struct group *g = shown_group(d, e, &a);
		const struct snapshot *s = a->snap;
		const struct stack *st = &s->stacks[g->stack];
		if (i)
			buf_addc(b, ',');
		buf_adds(b, "{\"status\":");
		put_json_cstr(b, diff_status_name(e->status));
		buf_printf(b, ",\"old_count\":%llu,\"new_count\":%llu,\"delta\":%lld", (unsigned long long)e->old_count,
			   (unsigned long long)e->new_count, (long long)e->delta);
		if (d->by_id && e->new_count)
			buf_printf(b, ",\"persisted\":%llu,\"moved_in\":%llu", (unsigned long long)e->persisted,
				   (unsigned long long)e->moved_in);
		else
			buf_adds(b, ",\"persisted\":null,\"moved_in\":null");
		buf_adds(b, ",\"state\":");
		if (g->nstates && g->states[0].state)
			report_json_str(b, s, g->states[0].state);
		else
			buf_adds(b, "null");
		buf_adds(b, ",\"frames\":");
		report_json_frames(b, s, st);
		buf_adds(b, ",\"created_by\":");
		report_json_creator(b, s, st);
		buf_addc(b, '}');
	}
	buf_adds(b, "]}\n");
}
