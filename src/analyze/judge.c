/* judge.c: see judge.h. */
#include "../base/common.h"
#include "judge.h"
#include "../base/xalloc.h"

#include <stdlib.h>

void judge_options_default(struct judge_options *o, const struct group_options *group)
{
	memset(o, 0, sizeof(*o));
	o->group = group;
	series_options_default(&o->series);
	o->process = -1;
}

bool judge_leaks(const struct snapshot *const *snaps, uint32_t n, const struct judge_options *o, struct judgement *j)
{
	memset(j, 0, sizeof(*j));
	order_snapshots(snaps, n, &j->ord);
	j->n = n;
	j->inputs = xcalloc(n ? n : 1, sizeof(*j->inputs));
	for (uint32_t k = 0; k < n; k++)
		j->inputs[k] = snaps[j->ord.perm[k]];
	/* one process's series: snapshots of two are never compared as one */
	j->nbreaks = process_breaks(j->inputs, n, j->breaks, JUDGE_MAX_RESTARTS);
	if (o->process >= 0 && (uint32_t)o->process > j->nbreaks)
		return false;
	j->process = o->process < 0 ? j->nbreaks : (uint32_t)o->process;
	j->first = j->process ? j->breaks[j->process - 1].at : 0;
	uint32_t end = j->process < j->nbreaks ? j->breaks[j->process].at : n;
	j->npts = end - j->first;
	j->an = xcalloc(n ? n : 1, sizeof(*j->an));
	j->pts = xcalloc(n ? n : 1, sizeof(*j->pts));
	/* each snapshot's analysis on its own core */
	analysis_run_all(j->inputs, n, o->group, j->an);
	for (uint32_t k = 0; k < n; k++) {
		j->pts[k].a = &j->an[k];
		j->pts[k].when_ns = o->interval_ns ? 1 + (int64_t)k * o->interval_ns : j->ord.when_ns[k];
	}
	series_run(j->pts + j->first, j->npts, &o->series, &j->r);
	/* a leak of the process before too is stronger evidence */
	uint32_t prev_first = j->process > 1 ? j->breaks[j->process - 2].at : 0;
	if (j->process > 0 && j->first - prev_first >= 2) {
		struct series_options before_o = o->series;
		before_o.proof = NULL;
		struct series_result before;
		series_run(j->pts + prev_first, j->first - prev_first, &before_o, &before);
		j->recurring = series_mark_recurring(&j->r, j->pts + j->first, &before, j->pts + prev_first);
		series_free(&before);
	}
	return true;
}

void judgement_free(struct judgement *j)
{
	if (j->an) {
		series_free(&j->r);
		for (uint32_t k = 0; k < j->n; k++)
			analysis_free(&j->an[k]);
	}
	free(j->an);
	free(j->pts);
	free(j->inputs);
	order_free(&j->ord);
	memset(j, 0, sizeof(*j));
}
