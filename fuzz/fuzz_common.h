/* fuzz_common.h: what the libFuzzer targets share: run every analysis and
 * every report over the snapshots a parser produced, and check that the
 * counts add up. Included by one target each (static functions). */
#ifndef GOROSCOPE_FUZZ_COMMON_H
#define GOROSCOPE_FUZZ_COMMON_H

#include "../src/base/common.h"
#include "../src/analyze/contention.h"
#include "../src/analyze/diff.h"
#include "../src/analyze/group.h"
#include "../src/analyze/order.h"
#include "../src/analyze/process.h"
#include "../src/analyze/series.h"
#include "../src/report/report.h"

#include <stdlib.h>

/* Diff of consecutive snapshots and leaks over all of them, rendered. */
static void compare_all(struct snapset *set)
{
	if (set->n == 0)
		return;
	struct group_options o;
	group_options_default(&o);
	struct analysis *an = calloc(set->n, sizeof(*an));
	struct series_point *pts = calloc(set->n, sizeof(*pts));
	if (!an || !pts)
		abort();
	for (uint32_t i = 0; i < set->n; i++) {
		analysis_run(set->v[i], &o, &an[i]);
		pts[i] = (struct series_point){&an[i], (int64_t)i + 1};
	}
	struct buf b;
	buf_init(&b);
	struct text_options to = {.color = false, .max_groups = 0, .max_frames = 0};
	struct order_result ord;
	order_snapshots((const struct snapshot *const *)set->v, set->n, &ord);
	for (uint32_t k = 0; k < set->n; k++)
		if (ord.perm[k] >= set->n)
			abort();
	for (uint32_t i = 0; i + 1 < set->n; i++) {
		struct diff d;
		diff_run(&an[i], &an[i + 1], &d);
		report_diff_text(&b, &d, &ord, &to);
		report_diff_json(&b, &d, &ord);
		diff_free(&d);
	}
	struct series_options so;
	series_options_default(&so);
	struct series_result r;
	series_run(pts, set->n, &so, &r);
	const struct snapshot **inputs = calloc(set->n, sizeof(*inputs));
	if (!inputs)
		abort();
	for (uint32_t k = 0; k < set->n; k++)
		inputs[k] = set->v[ord.perm[k]];
	struct process_break breaks[8];
	uint32_t nbreaks = process_breaks(inputs, set->n, breaks, 8);
	struct leaks_scope scope = {&ord, inputs, set->n, breaks, nbreaks, nbreaks, nbreaks ? breaks[nbreaks - 1].at : 0, 0};
	report_leaks_text(&b, pts, &r, &scope, &to);
	report_leaks_json(&b, pts, &r, &scope);
	free(inputs);
	series_free(&r);
	order_free(&ord);
	struct contention_options co;
	contention_options_default(&co);
	struct contention_result cr;
	contention_run(set->v, set->n, &co, &cr);
	report_contention_text(&b, &cr, &to);
	report_contention_json(&b, &cr);
	report_contention_folded(&b, &cr, set->v, set->n);
	contention_free(&cr);
	buf_free(&b);
	for (uint32_t i = 0; i < set->n; i++)
		analysis_free(&an[i]);
	free(an);
	free(pts);
}

static void analyse_all(struct snapset *set)
{
	struct group_options o;
	group_options_default(&o);
	o.include_system = true;
	for (uint32_t i = 0; i < set->n; i++) {
		for (int by = GROUP_STACK; by <= GROUP_LABEL; by++) {
			o.by = (enum group_by)by;
			o.label_key = "k";
			struct analysis a;
			analysis_run(set->v[i], &o, &a);
			uint64_t sum = 0;
			for (uint32_t g = 0; g < a.ngroups; g++)
				sum += a.groups[g].count;
			if (sum + a.hidden_system + a.filtered_out != a.total)
				abort(); /* every goroutine lands in exactly one place */
			struct buf b;
			buf_init(&b);
			struct text_options to = {.color = true, .max_groups = 0, .max_frames = 0};
			report_text(&b, &a, set->n, &to);
			report_json_begin(&b, "fuzz");
			report_json_snapshot(&b, &a, true, true);
			report_json_end(&b, a.total);
			report_folded(&b, &a);
			buf_free(&b);
			analysis_free(&a);
		}
	}
	compare_all(set);
}

#endif
