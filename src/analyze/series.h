/* series.h: leaks over time. Given analyses of snapshots of one process in
 * time order, follow each group (matched as diff.h does) and name the ones
 * that leak, telling them apart from look-alikes:
 *
 *   - a leak grows and keeps its old members: counts rise step after step,
 *     and where goroutine ids exist (text dumps) the goroutines of each
 *     snapshot are still there in the next; wait minutes keep increasing;
 *   - a fixed-size pool or an idle loop does not grow;
 *   - growth that levels off (a pool filling up, connections of a fixed
 *     number of clients) holds level for the last steps: saturation;
 *   - transient bursts and per-connection goroutines come and go: their
 *     counts fall back (a leak's never fall: its goroutines never exit),
 *     or their ids do not persist;
 *   - goroscope's own profiling requests (net/http/pprof handlers) are set
 *     aside;
 *   - goroutines listed by the runtime's goroutineleak profile are proven.
 *
 * Pure: reads the analyses, allocates only the result. */
#ifndef GOROSCOPE_SERIES_H
#define GOROSCOPE_SERIES_H

#include "classify.h"
#include "group.h"

struct series_point {
	const struct analysis *a;
	int64_t when_ns;            /* capture time (Unix ns), 0 when unknown */
};

struct series_options {
	const struct analysis *proof; /* a goroutineleak profile of the target, or NULL */
	uint32_t min_growth;        /* goroutines a leak must gain over the series (default 3) */
	double max_fall;            /* a leak never loses more than this share of its peak (default 0.1) */
	double min_survival;        /* with ids: share of a snapshot's goroutines still there in the next (0.9) */
};

void series_options_default(struct series_options *o);

enum { SERIES_MAX_EVIDENCE = 6, SERIES_EVIDENCE_LEN = 200 };

struct leak {
	uint32_t point, group;      /* where it is shown: last snapshot holding it, its group there */
	uint64_t *counts;           /* per point (0 where absent) */
	double growth_per_min;      /* NaN-free: 0 when times are unknown */
	double growth_per_step;
	enum confidence confidence;
	/* Why it is a leak, each sentence true of the counts, ids and waits it
	 * summarises (tests/claims.py checks them against the snapshots). */
	char evidence[SERIES_MAX_EVIDENCE][SERIES_EVIDENCE_LEN];
	uint32_t nevidence;
	double survival;            /* lowest step survival by id, -1 when no ids */
	uint32_t max_minutes;       /* longest wait seen at the last point, 0 when unknown */
	const char *state;          /* wait reason, or inferred from the stack (state_inferred) */
	bool state_inferred;
	const struct leak_pattern *pattern;
	uint64_t est_bytes;         /* memory the leaked goroutines pin: estimate */
};

/* Groups set aside, with why (for the JSON "ignored" list). */
struct series_ignored {
	uint32_t point, group;
	const char *reason;
	uint64_t last_count;
};

struct series_result {
	uint32_t npoints;
	bool times_known;           /* every point has a time: rates are per minute */
	double span_min;            /* first to last point, minutes */
	bool ids;                   /* every point carries goroutine ids */
	bool proof_profile;         /* a point is a goroutineleak profile */
	struct leak *leaks;         /* most certain first, then fastest growing */
	uint32_t nleaks;
	struct series_ignored *ignored;
	uint32_t nignored;
	uint64_t *totals;           /* shown goroutines per point */
};

/* n >= 1 points, oldest first, analysed with the same group options. */
void series_run(const struct series_point *pts, uint32_t n, const struct series_options *o,
		struct series_result *r);

/* r's leaks (over pts) that also leaked in the process before a restart
 * (before, over before_pts): the same stack grew in both lives of the
 * service, stronger evidence than one: said in their evidence, and their
 * confidence raised one step (to high at most). Returns how many. */
uint32_t series_mark_recurring(struct series_result *r, const struct series_point *pts,
			       const struct series_result *before, const struct series_point *before_pts);
void series_free(struct series_result *r);

#endif
