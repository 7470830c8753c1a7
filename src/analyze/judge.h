/* judge.h: the leak verdict over snapshots given in any order, the one
 * procedure `leaks`, `web` and watch's alerts share: put the snapshots in
 * time order from the evidence they carry (order.h), find where a restart
 * falls (process.h), follow the groups of one process's series (series.h:
 * the look-alike rules), and count a leak that leaked in the process
 * before as stronger evidence. Pure: reads the snapshots, allocates only
 * the result. */
#ifndef GOROSCOPE_JUDGE_H
#define GOROSCOPE_JUDGE_H

#include "group.h"
#include "order.h"
#include "process.h"
#include "series.h"

enum { JUDGE_MAX_RESTARTS = 64 };

struct judge_options {
	const struct group_options *group;
	struct series_options series;
	int64_t interval_ns;        /* > 0: snapshots this far apart, whatever they carry */
	int32_t process;            /* the process to judge, 0-based; -1: the last */
};

void judge_options_default(struct judge_options *o, const struct group_options *group);

struct judgement {
	struct order_result ord;
	const struct snapshot **inputs; /* every snapshot, in time order */
	uint32_t n;
	struct process_break breaks[JUDGE_MAX_RESTARTS];
	uint32_t nbreaks;
	uint32_t process, first, npts; /* the series judged: inputs[first..first+npts) */
	struct analysis *an;           /* per input */
	struct series_point *pts;      /* per input; the series is pts + first */
	struct series_result r;
	uint32_t recurring;            /* its leaks that leaked in the process before too */
};

/* Judge snaps[0..n) (n >= 1); false when o->process names no process
 * (j is then empty). */
bool judge_leaks(const struct snapshot *const *snaps, uint32_t n, const struct judge_options *o, struct judgement *j);
void judgement_free(struct judgement *j);

#endif
