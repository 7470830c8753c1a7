/* rules.c: see rules.h. */
#include "../base/common.h"
#include "rules.h"
#include "../base/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void rules_init(struct rules_state *s, const struct watch_target *t)
{
	memset(s, 0, sizeof(*s));
	s->base_cap = t->th.warmup ? t->th.warmup : 1;
	s->base = xreallocarray(NULL, s->base_cap, sizeof(*s->base));
	/* the samples one window holds at the target's interval, and room for
	 * a few early polls */
	double per_window = t->interval_s > 0 ? t->th.rate_window_s / t->interval_s : RULES_WINDOW_MAX;
	s->win_cap = (uint32_t)MIN((double)RULES_WINDOW_MAX, per_window + 8);
	s->win = xcalloc(s->win_cap, sizeof(*s->win));
}

void rules_free(struct rules_state *s)
{
	if (!s->win)
		return;
	for (uint32_t i = 0; i < s->win_cap; i++)
		free(s->win[i].groups);
	free(s->win);
	free(s->base);
	memset(s, 0, sizeof(*s));
}

void rules_set_firing(struct rules_state *s)
{
	s->firing = true;
	s->breaches = 0;
	s->clean = 0;
}

static struct rules_point *win_at(struct rules_state *s, uint32_t k)
{
	return &s->win[(s->win_first + k) % s->win_cap];
}

/* Add x to the window, dropping what fell out of it (or the oldest when
 * the window holds more samples than it can keep). */
static void window_add(struct rules_state *s, const struct watch_target *t, const struct rules_sample *x)
{
	int64_t horizon = x->ts_ms - (int64_t)(t->th.rate_window_s * 1000);
	while (s->nwin && (win_at(s, 0)->ts_ms < horizon || s->nwin == s->win_cap || win_at(s, 0)->ts_ms > x->ts_ms)) {
		s->win_first = (s->win_first + 1) % s->win_cap;
		s->nwin--;
	}
	struct rules_point *p = win_at(s, s->nwin++);
	p->ts_ms = x->ts_ms;
	p->count = x->count;
	/* the groups only matter to group_growth: a thousand targets would
	 * otherwise keep a window of them each for nothing */
	uint32_t n = t->th.group_growth > 0 ? MIN(x->ngroups, (uint32_t)RULES_GROUPS_KEPT) : 0;
	if (n && !p->groups)
		p->groups = xcalloc(RULES_GROUPS_KEPT, sizeof(*p->groups));
	if (n)
		memcpy(p->groups, x->groups, n * sizeof(*p->groups));
	p->ngroups = n;
	p->groups_complete = x->groups_complete && n == x->ngroups;
}

static double baseline(const struct rules_state *s, const struct watch_target *t)
{
	if (!t->th.warmup || s->nbase < t->th.warmup)
		return 0;
	double sum = 0;
	for (uint32_t i = 0; i < s->nbase; i++)
		sum += s->base[i];
	return sum / s->nbase;
}

static void baseline_add(struct rules_state *s, double count)
{
	s->base[s->base_next] = count;
	s->base_next = (s->base_next + 1) % s->base_cap;
	if (s->nbase < s->base_cap)
		s->nbase++;
}

/* The window's span covers at least half of it, with three samples. */
static bool window_ready(struct rules_state *s, const struct watch_target *t)
{
	return s->nwin >= 3 && (double)(win_at(s, s->nwin - 1)->ts_ms - win_at(s, 0)->ts_ms) >= t->th.rate_window_s * 500;
}

/* Least-squares slope of count over the window, per minute. */
static double slope_per_min(struct rules_state *s)
{
	double t0 = (double)win_at(s, 0)->ts_ms, n = s->nwin, st = 0, sc = 0, stt = 0, stc = 0;
	for (uint32_t i = 0; i < s->nwin; i++) {
		double x = ((double)win_at(s, i)->ts_ms - t0) / 60000.0, y = (double)win_at(s, i)->count;
		st += x;
		sc += y;
		stt += x * x;
		stc += x * y;
	}
	double d = n * stt - st * st;
	return d > 0 ? (n * stc - st * sc) / d : 0;
}

/* The group that gained most between the oldest and newest sample of the
 * window; its gain in *gain. */
static uint64_t fastest_group(struct rules_state *s, double *gain)
{
	const struct rules_point *old = win_at(s, 0), *now = win_at(s, s->nwin - 1);
	uint64_t key = 0;
	*gain = 0;
	for (uint32_t i = 0; i < now->ngroups; i++) {
		const struct group_count *g = &now->groups[i];
		bool found = false;
		double before = 0;
		for (uint32_t j = 0; j < old->ngroups && !found; j++)
			if (old->groups[j].key == g->key) {
				found = true;
				before = (double)old->groups[j].count;
			}
		/* absent then: 0 only when the old sample listed all its groups */
		if (!found && !old->groups_complete)
			continue;
		if ((double)g->count - before > *gain) {
			*gain = (double)g->count - before;
			key = g->key;
		}
	}
	return key;
}

static void breach(struct rules_verdict *v, const char *rule, double value, double limit, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void breach(struct rules_verdict *v, const char *rule, double value, double limit, const char *fmt, ...)
{
	if (v->breached)
		return; /* the first rule names the breach */
	v->breached = true;
	v->rule = rule;
	v->value = value;
	v->limit = limit;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->message, sizeof(v->message), fmt, ap);
	va_end(ap);
}

void rules_feed(struct rules_state *s, const struct watch_target *t, const struct rules_sample *x,
		struct rules_verdict *v)
{
	memset(v, 0, sizeof(*v));
	const struct watch_thresholds *th = &t->th;
	double count = (double)x->count;
	window_add(s, t, x);
	v->baseline = baseline(s, t);
	/* the slope is shown from three samples on; it is judged only once
	 * the samples span half the window */
	bool ready = window_ready(s, t);
	v->window_ready = ready;
	v->rate_per_min = s->nwin >= 3 ? slope_per_min(s) : 0;

	if (th->count > 0 && count > th->count)
		breach(v, "count", count, th->count, "%.0f goroutines, above the ceiling of %.0f", count, th->count);
	bool over_factor = th->factor > 0 && v->baseline > 0 && count > v->baseline * th->factor;
	if (over_factor)
		breach(v, "factor", count, v->baseline * th->factor, "%.0f goroutines, %.1fx the baseline of %.0f (limit %gx)",
		       count, count / v->baseline, v->baseline, th->factor);
	if (th->rate > 0 && ready && v->rate_per_min > th->rate)
		breach(v, "rate", v->rate_per_min, th->rate, "growing by %.1f goroutines per minute over %.0fs (limit %g)",
		       v->rate_per_min, th->rate_window_s, th->rate);
	if (th->group_growth > 0 && ready) {
		double gain;
		uint64_t key = fastest_group(s, &gain);
		if (gain >= th->group_growth) {
			breach(v, "group_growth", gain, th->group_growth,
			       "one stack group gained %.0f goroutines over %.0fs (limit %g)", gain, th->rate_window_s,
			       th->group_growth);
			if (strcmp(v->rule, "group_growth") == 0)
				v->group_key = key;
		}
	}
	/* a leak does not raise its own bar */
	if (!over_factor && !s->firing)
		baseline_add(s, count);

	if (v->breached) {
		s->clean = 0;
		s->breaches++;
		if (!s->firing && s->breaches >= t->breaches) {
			s->firing = true;
			v->event = RULES_FIRE;
		}
	} else {
		s->breaches = 0;
		if (s->firing && ++s->clean >= t->resolve) {
			s->firing = false;
			s->clean = 0;
			v->event = RULES_RESOLVE;
		}
	}
	v->breaches = s->breaches;
}

void rules_prime(struct rules_state *s, const struct watch_target *t, int64_t ts_ms, uint64_t count)
{
	struct rules_sample x = {.ts_ms = ts_ms, .count = count};
	window_add(s, t, &x);
	double b = baseline(s, t);
	if (!(t->th.factor > 0 && b > 0 && (double)count > b * t->th.factor))
		baseline_add(s, (double)count);
}
