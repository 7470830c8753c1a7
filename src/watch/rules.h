/* rules.h: when a watched target is in trouble. Each poll's sample is held
 * against the target's thresholds as operators write them:
 *
 *   count         the goroutine count is above an absolute ceiling;
 *   factor        ... above baseline x factor, the baseline being the mean
 *                 of the last `warmup` samples that were not above it (as
 *                 holmes learns it: a leak does not raise its own bar);
 *   rate          the count grows faster than N goroutines per minute over
 *                 the rate window (least-squares slope, like PromQL's
 *                 deriv(go_goroutines[5m]));
 *   group_growth  one stack group gained N goroutines over the rate
 *                 window, even when the total stays flat;
 *
 * and alerts converge: an alert fires after `breaches` consecutive
 * breaching samples and resolves after `resolve` clean ones. A failed
 * scrape is neither. Pure: no I/O, no clock. */
#ifndef GOROSCOPE_WATCH_RULES_H
#define GOROSCOPE_WATCH_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct group_count {
	uint64_t key;   /* content key of the stack group (diff_group_key) */
	uint64_t count;
};

struct rules_sample {
	int64_t ts_ms;
	uint64_t count;
	const struct group_count *groups; /* the largest groups, or NULL */
	uint32_t ngroups;
	bool groups_complete;   /* every group of the snapshot is listed */
};

enum rules_event { RULES_NONE, RULES_FIRE, RULES_RESOLVE };

struct rules_verdict {
	bool breached;
	const char *rule;       /* the first rule breached: "count", "factor", "rate", "group_growth" */
	double value, limit;    /* what was measured, and the bar it crossed */
	uint64_t group_key;     /* group_growth: the group */
	char message[256];      /* one line for people */
	enum rules_event event;
	uint32_t breaches;      /* consecutive breaching samples so far */
	double baseline;        /* 0 while warming up */
	double rate_per_min;    /* the slope over the window (0 before three samples) */
	bool window_ready;      /* the samples span half the rate window: rate and group_growth are judged */
};

enum { RULES_WINDOW_MAX = 4096, RULES_GROUPS_KEPT = 64 };

struct rules_point {
	int64_t ts_ms;
	uint64_t count;
	struct group_count *groups; /* owned, up to RULES_GROUPS_KEPT */
	uint32_t ngroups;
	bool groups_complete;
};

struct rules_state {
	double *base;           /* ring of the last warmup non-breaching counts */
	uint32_t nbase, base_next, base_cap;
	struct rules_point *win; /* ring of samples within the rate window */
	uint32_t win_first, nwin, win_cap;
	uint32_t breaches, clean;
	bool firing;
};

void rules_init(struct rules_state *s, const struct watch_target *t);
void rules_free(struct rules_state *s);

/* Judge one successful sample and move the alert state. */
void rules_feed(struct rules_state *s, const struct watch_target *t, const struct rules_sample *x,
		struct rules_verdict *v);

/* A sample from before a restart: it enters the baseline and the window,
 * and raises no event. */
void rules_prime(struct rules_state *s, const struct watch_target *t, int64_t ts_ms, uint64_t count);

/* Continue an alert that was firing before a restart. */
void rules_set_firing(struct rules_state *s);

#endif
