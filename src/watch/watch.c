/* watch.c: see watch.h. One thread polls: it queues every due target on a
 * fetch pool (libcurl multi), hands each response to a reader thread
 * (readers.c: the parse, within the poll's budget), judges what the readers
 * made of them, and writes about a second of results to the store in one
 * transaction. It sets the targets up from the configuration and from what
 * the discovery thread found (discovery.c), again on SIGHUP or a discovery
 * change. Anything slow (captures, analysis, notifications, Alertmanager)
 * goes to the worker thread of actions.c, so a capture never delays the
 * polling of other targets. */
#include "../base/common.h"
#include "watch.h"
#include "watch_internal.h"
#include "../analyze/diff.h"
#include "../analyze/group.h"
#include "../base/gzip.h"
#include "../base/hash.h"
#include "../base/u64map.h"
#include "../base/xalloc.h"
#include "../fetch/pprof_url.h"
#include "../proc/pprof_port.h"
#include "../report/escape.h"
#include "../source/source.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static volatile sig_atomic_t stop_requested, reload_requested;

/* Results are committed to the store this often: what a kill -9 can lose
 * is at most this much of uncommitted polling. */
enum { COMMIT_EVERY_MS = 1000 };
/* Retention is applied this often; the store's size budget more often,
 * since a target with ever-new stacks can fill it quickly. */
enum { RETENTION_EVERY_MS = 600000, BUDGET_EVERY_MS = 60000 };
/* Spacing of the profiles kept for the leak analysis while no threshold
 * is breached (WATCH_KEEP_BODIES of them: eight minutes of history). */
enum { KEEP_EVERY_MS = 60000 };
/* Kept profiles are saved in the store when the daemon stops or reloads
 * and read back for the same target, unless older than this: a long gap
 * would make old profiles evidence of growth that may not be there. */
enum { KEPT_MAX_AGE_MS = 2 * WATCH_KEEP_BODIES * KEEP_EVERY_MS };

void watch_request_stop(void)
{
	stop_requested = 1;
}

void watch_request_reload(void)
{
	reload_requested = 1;
}

int64_t watch_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void watch_log(const struct watch *w, const char *fmt, ...)
{
	if (!w->opt->log)
		return;
	char line[1024], clean[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* one line, valid UTF-8, whatever a target or an alert's name holds: a
	 * newline in a name must not forge a log line of its own */
	utf8_sanitize(clean, sizeof(clean), line, strlen(line));
	w->opt->log(clean);
}

/* ---- targets ---- */

/* Put a compressed profile into t's ring of kept ones, taking gz over;
 * returns what it replaced, for the caller to free. The caller holds w->mu
 * unless no other thread can see t yet. */
static struct buf put_kept(struct target_state *t, int64_t ts_ms, struct buf gz)
{
	struct kept_body *k = &t->kept[t->kept_next];
	struct buf old = k->gz;
	k->gz = gz;
	k->ts_ms = ts_ms;
	t->kept_next = (t->kept_next + 1) % WATCH_KEEP_BODIES;
	if (t->nkept < WATCH_KEEP_BODIES)
		t->nkept++;
	t->last_kept_ms = MAX(t->last_kept_ms, ts_ms);
	return old;
}

static bool load_kept(void *ctx, const struct store_profile *p)
{
	struct target_state *t = ctx;
	/* exactly its size, as keep_body leaves them */
	struct buf gz = {.p = xmalloc(p->len + 1), .len = p->len, .cap = p->len + 1};
	memcpy(gz.p, p->gz, p->len);
	struct buf old = put_kept(t, p->ts_ms, gz);
	buf_free(&old);
	return true;
}

/* Save every target's kept profiles in the store, for the targets set up
 * after a reload or the next start (only this thread changes them). */
static void targets_save_kept(struct watch *w)
{
	struct err err = {0};
	enum status st = store_begin(w->store, &err);
	for (uint32_t i = 0; st == ST_OK && i < w->n; i++) {
		const struct target_state *t = &w->t[i];
		struct store_profile p[WATCH_KEEP_BODIES];
		for (uint32_t k = 0; k < t->nkept; k++) {
			const struct kept_body *b = &t->kept[(t->kept_next + WATCH_KEEP_BODIES - t->nkept + k) % WATCH_KEEP_BODIES];
			p[k] = (struct store_profile){b->ts_ms, b->gz.p, b->gz.len};
		}
		st = store_keep_profiles(w->store, t->id, p, t->nkept, &err);
	}
	if (st == ST_OK)
		st = store_commit(w->store, &err);
	if (st != ST_OK)
		watch_log(w, "store: kept profiles not saved: %s", err.msg);
}

static bool prime_sample(void *ctx, const struct store_sample_row *r)
{
	struct target_state *t = ctx;
	if (r->count >= 0)
		rules_prime(&t->rules, &t->cfg, r->ts_ms, (uint64_t)r->count);
	return true;
}

static bool open_alert(void *ctx, const struct store_alert_row *r)
{
	struct target_state *t = ctx;
	if (r->resolved_ms == 0 && !t->firing) {
		t->firing = true;
		t->alert_id = r->id;
		snprintf(t->rule, sizeof(t->rule), "%s", r->rule ? r->rule : "?");
		rules_set_firing(&t->rules);
	}
	if (r->capture_dir && !t->last_capture_ms)
		t->last_capture_ms = r->started_ms;
	return true;
}

/* Set target i up from its configuration: URL, store id, and the series
 * and open alert it had before a restart. */
static enum status target_setup(struct watch *w, uint32_t i, const struct watch_target *cfg, struct err *err)
{
	struct target_state *t = &w->t[i];
	memset(t, 0, sizeof(*t));
	t->w = w;
	t->index = i;
	t->cfg = *cfg;
	if (proc_is_pid_spec(cfg->url)) {
		struct err why = {0};
		if (proc_pprof_url(cfg->url, t->url, sizeof(t->url), &why) != ST_OK)
			return err_set(err, ST_USAGE, cfg->line, 0, "target '%s': cannot find the pprof endpoint: %s", cfg->name,
				       why.msg);
		t->pid = atoi(cfg->url + 4);
		t->pid_started = proc_start_time(t->pid);
	} else {
		snprintf(t->url, sizeof(t->url), "%s", cfg->url);
	}
	size_t n = strlen(t->url);
	while (n && t->url[n - 1] == '/')
		t->url[--n] = '\0';
	enum status st = store_target(w->store, cfg->name, t->url, &t->id, err);
	if (st != ST_OK)
		return st;
	rules_init(&t->rules, &t->cfg);
	/* continue the series: the last window's worth of samples */
	uint32_t want = (uint32_t)MIN(4096.0, MAX((double)cfg->th.warmup, cfg->th.rate_window_s / cfg->interval_s) + 2);
	st = store_last_samples(w->store, t->id, want, prime_sample, t, err);
	if (st == ST_OK)
		st = store_alerts(w->store, t->id, watch_now_ms() - (int64_t)(cfg->cooldown_s * 1000), open_alert, t, err);
	/* and the profiles for a leak analysis, saved at the last stop */
	if (st == ST_OK)
		st = store_kept_profiles(w->store, t->id, watch_now_ms() - KEPT_MAX_AGE_MS, load_kept, t, err);
	/* spread the first polls over one interval: no thundering herd */
	uint32_t all = w->cfg.ntargets + (w->disc ? w->disc->n : 0);
	t->next_poll_ms = watch_now_ms() + (int64_t)(cfg->interval_s * 1000 * i / MAX(all, 1u));
	if (st == ST_OK)
		schedule_add(&w->due, t->next_poll_ms, i);
	return st;
}

static void target_release(struct target_state *t)
{
	free(t->am_core[0]);
	free(t->am_core[1]);
	t->am_core[0] = t->am_core[1] = NULL;
	rules_free(&t->rules);
	u64map_free(&t->stacks);
	for (uint32_t k = 0; k < WATCH_KEEP_BODIES; k++)
		buf_free(&t->kept[k].gz);
}

/* Keep a compressed profile (a reader compressed it) for the leak
 * analysis of a later alert, taking gz over. Under the lock: the
 * Alertmanager handler copies the kept profiles under it. */
static void keep_gz(struct watch *w, struct target_state *t, int64_t ts_ms, struct buf *gz)
{
	pthread_mutex_lock(&w->mu);
	struct buf old = put_kept(t, ts_ms, *gz);
	pthread_mutex_unlock(&w->mu);
	buf_init(gz);
	buf_free(&old);
}

/* ---- one sample ---- */

static void store_failed(struct watch *w, const char *what)
{
	pthread_mutex_lock(&w->mu);
	w->store_errors++;
	pthread_mutex_unlock(&w->mu);
	watch_log(w, "store: %s", what);
}

/* A group-growth breach names its group: the rules know it by key only. */
static void name_growing_group(const struct poll_job *j, struct rules_verdict *v)
{
	if (!v->breached || strcmp(v->rule, "group_growth") != 0)
		return;
	for (uint32_t k = 0; k < j->ngroups; k++) {
		if (j->groups[k].key != v->group_key)
			continue;
		size_t n = strlen(v->message);
		snprintf(v->message + n, sizeof(v->message) - n, ": %s", j->groups[k].title);
		return;
	}
}

/* A reader made sense of a poll: judge it, record it, act on what it
 * means. */
static void sample_ok(struct watch *w, uint32_t i, struct poll_job *j)
{
	struct target_state *t = &w->t[i];
	struct err err = {0};
	int64_t now = j->ts_ms;
	uint32_t ng = j->ngroups;
	struct group_count gc[RULES_GROUPS_KEPT];
	for (uint32_t k = 0; k < ng; k++)
		gc[k] = (struct group_count){j->groups[k].key, j->groups[k].count};
	struct rules_sample x = {now, j->total, gc, ng, j->complete};
	struct rules_verdict v;
	rules_feed(&t->rules, &t->cfg, &x, &v);
	t->breaching = v.breached;
	name_growing_group(j, &v);
	if (v.window_ready && !t->window_said && (t->cfg.th.rate > 0 || t->cfg.th.group_growth > 0)) {
		t->window_said = true;
		watch_log(w, "%s: the samples now span half the %.0fs rate window: the rate and group-growth rules judge "
			     "from here on", t->cfg.name, t->cfg.th.rate_window_s);
	}

	/* the store: the sample and the largest groups */
	if (store_add_sample(w->store, t->id, now, (int64_t)MIN(j->total, (uint64_t)INT64_MAX), j->fetch_seconds * 1000,
			     NULL, &err) != ST_OK)
		store_failed(w, err.msg);
	uint32_t nstore = MIN(ng, w->cfg.top_groups);
	for (uint32_t k = 0; k < nstore; k++) {
		uint32_t known;
		int64_t stack;
		bool inserted;
		if (u64map_get(&t->stacks, gc[k].key, &known)) {
			stack = known;
		} else {
			const struct poll_group *g = &j->groups[k];
			if (store_stack(w->store, t->id, gc[k].key, g->title, j->texts.p ? j->texts.p + g->text_off : "", g->text_len, &stack,
					&err) != ST_OK) {
				store_failed(w, err.msg);
				continue;
			}
			/* a bounded cache: a target whose stacks keep changing starts over */
			if (t->stacks.count >= 4096) {
				u64map_free(&t->stacks);
			}
			if (stack > 0 && stack < U64MAP_EMPTY)
				u64map_upsert(&t->stacks, gc[k].key, (uint32_t)stack, &inserted);
		}
		if (store_add_group_sample(w->store, t->id, now, stack, gc[k].count, &err) != ST_OK)
			store_failed(w, err.msg);
	}
	/* profiles for the leak analysis: see wants_kept */
	if (j->gz.len) {
		keep_gz(w, t, now, &j->gz);
		t->last_kept_ms = now;
	}

	bool was_up = t->up || !t->scraped;
	pthread_mutex_lock(&w->mu);
	t->up = t->scraped = true;
	t->count = j->total;
	t->baseline = v.baseline;
	t->rate_per_min = v.rate_per_min;
	t->ntop = MIN(ng, (uint32_t)WATCH_TOP);
	for (uint32_t k = 0; k < t->ntop; k++) {
		t->top[k].key = gc[k].key;
		t->top[k].count = gc[k].count;
		memcpy(t->top[k].title, j->groups[k].title, sizeof(t->top[k].title));
	}
	pthread_mutex_unlock(&w->mu);
	if (!was_up)
		watch_log(w, "%s: back up (%llu goroutines)", t->cfg.name, (unsigned long long)j->total);

	if (v.breached && v.event != RULES_FIRE && !t->firing)
		watch_log(w, "%s: breach %u of %u (%s): %s", t->cfg.name, v.breaches, t->cfg.breaches, v.rule, v.message);
	if (v.event == RULES_FIRE) {
		int64_t id = 0;
		if (store_alert_open(w->store, t->id, v.rule, now, v.value, v.message, &id, &err) != ST_OK)
			store_failed(w, err.msg);
		pthread_mutex_lock(&w->mu);
		/* the Alertmanager handler may have just captured it */
		bool capture = !t->last_capture_ms || now - t->last_capture_ms >= (int64_t)(t->cfg.cooldown_s * 1000);
		t->firing = true;
		t->alert_id = id;
		t->alerts_fired++;
		snprintf(t->rule, sizeof(t->rule), "%s", v.rule);
		if (capture)
			t->last_capture_ms = now;
		pthread_mutex_unlock(&w->mu);
		watch_log(w, "%s: FIRING (%s) after %u breaches: %s%s", t->cfg.name, v.rule, v.breaches, v.message,
			  capture ? "" : " (capture skipped: cool-down)");
		struct job *act = actions_job(w, i, JOB_FIRE);
		act->alert_id = id;
		act->ts_ms = now;
		act->capture = capture;
		act->value = v.value;
		act->limit = v.limit;
		snprintf(act->rule, sizeof(act->rule), "%s", v.rule);
		snprintf(act->message, sizeof(act->message), "%s", v.message);
		actions_queue(w, act);
	} else if (v.event == RULES_RESOLVE) {
		if (t->alert_id && store_alert_resolve(w->store, t->alert_id, now, &err) != ST_OK)
			store_failed(w, err.msg);
		struct job *act = actions_job(w, i, JOB_RESOLVE);
		act->alert_id = t->alert_id;
		act->ts_ms = now;
		snprintf(act->rule, sizeof(act->rule), "%s", t->rule);
		snprintf(act->message, sizeof(act->message), "resolved after %u clean samples (%llu goroutines)", t->cfg.resolve,
			 (unsigned long long)t->count);
		pthread_mutex_lock(&w->mu);
		t->firing = false;
		t->alert_id = 0;
		pthread_mutex_unlock(&w->mu);
		watch_log(w, "%s: resolved (%s)", t->cfg.name, act->rule);
		actions_queue(w, act);
	}
}

static void sample_failed(struct watch *w, uint32_t i, int64_t now, double seconds, const char *why)
{
	struct target_state *t = &w->t[i];
	struct err err = {0};
	if (store_add_sample(w->store, t->id, now, -1, seconds * 1000, why, &err) != ST_OK)
		store_failed(w, err.msg);
	bool was_up = t->up || !t->scraped;
	pthread_mutex_lock(&w->mu);
	t->up = false;
	t->scraped = true;
	t->scrape_errors++;
	snprintf(t->last_error, sizeof(t->last_error), "%s", why);
	pthread_mutex_unlock(&w->mu);
	if (was_up)
		watch_log(w, "%s: down: %s", t->cfg.name, why);
}

/* Poll target t again one interval on, or later while it fails: 2, 4,
 * 8... intervals, at most 5 minutes (or the interval itself when that is
 * longer). */
static void reschedule(struct watch *w, struct target_state *t, int64_t now, bool ok)
{
	int64_t interval = (int64_t)(t->cfg.interval_s * 1000);
	if (ok) {
		t->failures = 0;
	} else {
		t->failures++;
		uint32_t shift = MIN(t->failures, 8u);
		interval = MAX(interval, MIN(interval << shift, (int64_t)300000));
	}
	t->next_poll_ms = MAX(t->next_poll_ms + interval, now + interval / 2);
	schedule_add(&w->due, t->next_poll_ms, t->index);
}

/* Whether a poll's body is kept for the leak analysis: one a minute while
 * all is well, each one while a threshold is breached or an alert fires.
 * Decided before the body is read (its reader compresses it), so a breach
 * is known from the previous poll. */
static bool wants_kept(const struct target_state *t, int64_t now)
{
	return t->breaching || t->firing || !t->nkept || now - t->last_kept_ms >= KEEP_EVERY_MS;
}

/* A poll finished: a body goes to a reader, a failure is recorded now. */
static void on_fetched(void *ctx, const struct fetch_result *r)
{
	struct target_state *t = ctx;
	struct watch *w = t->w;
	int64_t now = watch_now_ms();
	pthread_mutex_lock(&w->mu);
	t->scrapes++;
	t->scrape_seconds = r->seconds;
	pthread_mutex_unlock(&w->mu);
	if (r->st != ST_OK) {
		sample_failed(w, t->index, now, r->seconds, r->error ? r->error : "?");
		reschedule(w, t, now, false);
		return;
	}
	struct poll_job *j = xcalloc(1, sizeof(*j));
	j->target = t->index;
	j->generation = w->generation;
	j->ts_ms = now;
	j->fetch_seconds = r->seconds;
	j->keep = wants_kept(t, now);
	j->body = *r->body; /* taken over */
	buf_init(r->body);
	buf_init(&j->texts);
	buf_init(&j->gz);
	readers_submit(w, j);
}

/* What the readers finished: applied in the order they finished. */
static void apply_read(struct watch *w)
{
	struct poll_job *j = readers_take_done(w);
	while (j) {
		struct poll_job *next = j->next;
		if (j->generation == w->generation && j->target < w->n) {
			struct target_state *t = &w->t[j->target];
			if (j->st == ST_OK)
				sample_ok(w, j->target, j);
			else
				sample_failed(w, j->target, j->ts_ms, j->fetch_seconds, j->error);
			reschedule(w, t, watch_now_ms(), j->st == ST_OK);
		}
		poll_job_free(j);
		j = next;
	}
}

/* ---- the loop ---- */

/* Set every configured target up. At start (!tolerant) the first target
 * that cannot be set up is an error; on a reload it is left out with a
 * log line and the others are watched. */
static enum status targets_setup(struct watch *w, bool tolerant, struct err *err)
{
	uint32_t ndisc = w->disc ? w->disc->n : 0;
	w->t = xcalloc(MAX(w->cfg.ntargets + ndisc, 1u), sizeof(*w->t));
	w->n = 0;
	schedule_clear(&w->due);
	enum status st = store_begin(w->store, err);
	for (uint32_t i = 0; st == ST_OK && i < w->cfg.ntargets + ndisc; i++) {
		/* the configured targets, then the discovered ones */
		const struct watch_target *cfg = i < w->cfg.ntargets ? &w->cfg.targets[i] : &w->disc->v[i - w->cfg.ntargets];
		char address[300];
		shard_address(cfg->url, address, sizeof(address));
		if (!shard_owns(&w->cfg.shard, address))
			continue; /* another watcher's */
		w->n++; /* the slot being set up counts, so that it is released */
		st = target_setup(w, w->n - 1, cfg, err);
		if (st != ST_OK && (tolerant || i >= w->cfg.ntargets)) {
			watch_log(w, "reload: %s: left out", err->msg);
			target_release(&w->t[--w->n]);
			memset(&w->t[w->n], 0, sizeof(w->t[w->n]));
			st = ST_OK;
		}
	}
	struct err e2 = {0};
	if (store_commit(w->store, &e2) != ST_OK && st == ST_OK)
		st = err_set(err, e2.code, 0, 0, "%s", e2.msg);
	return st;
}

static void targets_release(struct watch *w)
{
	for (uint32_t i = 0; i < w->n; i++)
		target_release(&w->t[i]);
	free(w->t);
	w->t = NULL;
	w->n = 0;
}

/* Until no poll is being fetched or read (a reload replaces the targets
 * they belong to). */
static void wait_in_flight(struct watch *w)
{
	for (;;) {
		unsigned fetching = fetch_pool_run(w->pool, 50);
		apply_read(w);
		pthread_mutex_lock(&w->readers_mu);
		uint32_t reading = w->reading;
		pthread_mutex_unlock(&w->readers_mu);
		if (!fetching && !reading)
			return;
	}
}

/* What a target carries over a reload, by name (the old names live on in
 * the retired configuration): its counters, and its alert as Alertmanager
 * knows it (to be repeated and resolved). */
struct target_carry {
	const char *name;
	uint64_t scrapes, scrape_errors, alerts_fired, captures;
	char *am_core[2];
	int64_t am_started_ms, am_sent_ms;
};

/* Set the targets up again, from what swap(w, ctx) changes (the
 * configuration, the discovered list): polls in flight finish first; the
 * series continue from the store (same names, same ids); each target's
 * counters and the alerts Alertmanager knows carry over by name. */
static enum status retarget(struct watch *w, void (*swap)(struct watch *, void *), void *ctx, struct err *err)
{
	wait_in_flight(w);
	targets_save_kept(w);
	pthread_mutex_lock(&w->mu);
	/* counters go on for the targets that stay: a reset would read as a
	 * restart of the daemon to Prometheus */
	struct target_carry *kept = xcalloc(MAX(w->n, 1u), sizeof(*kept));
	uint32_t nkept = w->n;
	struct u64map by_name = {0};
	bool inserted;
	for (uint32_t i = 0; i < w->n; i++) {
		struct target_state *t = &w->t[i];
		kept[i] = (struct target_carry){t->cfg.name, t->scrapes, t->scrape_errors, t->alerts_fired, t->captures,
						{t->am_core[0], t->am_core[1]}, t->am_started_ms, t->am_sent_ms};
		t->am_core[0] = t->am_core[1] = NULL; /* taken over */
		u64map_upsert(&by_name, hash_bytes(t->cfg.name, strlen(t->cfg.name), 0), i, &inserted);
	}
	targets_release(w);
	w->generation++;
	swap(w, ctx);
	enum status st = targets_setup(w, true, err);
	for (uint32_t i = 0; i < w->n; i++) {
		struct target_state *t = &w->t[i];
		uint32_t k;
		if (!u64map_get(&by_name, hash_bytes(t->cfg.name, strlen(t->cfg.name), 0), &k) ||
		    strcmp(kept[k].name, t->cfg.name) != 0)
			continue;
		t->scrapes = kept[k].scrapes;
		t->scrape_errors = kept[k].scrape_errors;
		t->alerts_fired = kept[k].alerts_fired;
		t->captures = kept[k].captures;
		if (t->firing) { /* (the store says whether it still fires) */
			memcpy(t->am_core, kept[k].am_core, sizeof(t->am_core));
			t->am_started_ms = kept[k].am_started_ms;
			t->am_sent_ms = kept[k].am_sent_ms;
			kept[k].am_core[0] = kept[k].am_core[1] = NULL;
		}
	}
	for (uint32_t k = 0; k < nkept; k++)
		free(kept[k].am_core[0]), free(kept[k].am_core[1]);
	free(kept);
	u64map_free(&by_name);
	pthread_mutex_unlock(&w->mu);
	return st;
}

/* A new configuration (nc, taken over) in place of the running one, which
 * stays allocated until the end: a job on the worker thread, or the
 * discovery thread, may still hold its strings. */
static void swap_config(struct watch *w, void *ctx)
{
	struct watch_config *nc = ctx;
	w->retired = xreallocarray(w->retired, w->nretired + 1, sizeof(*w->retired));
	w->retired[w->nretired++] = w->cfg;
	const struct watch_config *old = &w->retired[w->nretired - 1];
	w->cfg = *nc;
	w->cfg.listen = old->listen;
	w->cfg.store = old->store;
	memset(nc, 0, sizeof(*nc));
}

/* SIGHUP: read the configuration again; on any error keep the old one. */
static void reload(struct watch *w)
{
	if (!w->opt->config_path) {
		watch_log(w, "reload: targets came from the command line; nothing to re-read");
		return;
	}
	struct watch_config nc;
	watch_config_init(&nc);
	struct err err = {0};
	FILE *f = fopen(w->opt->config_path, "rb");
	struct buf text;
	buf_init(&text);
	char chunk[65536];
	size_t got;
	while (f && (got = fread(chunk, 1, sizeof(chunk), f)) > 0 && text.len < (16u << 20))
		buf_add(&text, chunk, got);
	if (f)
		fclose(f);
	enum status st = f ? watch_config_parse(&nc, text.p ? text.p : "", text.len, w->opt->config_path, &err)
			   : err_set(&err, ST_IO, 0, 0, "cannot read '%s'", w->opt->config_path);
	buf_free(&text);
	if (st == ST_OK)
		st = watch_config_check(&nc, &err);
	if (st == ST_OK && (strcmp(nc.listen, w->cfg.listen) || strcmp(nc.store, w->cfg.store)))
		watch_log(w, "reload: 'listen' and 'store' take effect at the next start");
	if (st != ST_OK) {
		watch_log(w, "reload failed, keeping the running configuration: %s", err.msg);
		watch_config_free(&nc);
		return;
	}
	struct err e2 = {0};
	st = retarget(w, swap_config, &nc, &e2);
	if (st != ST_OK)
		watch_log(w, "reload: %s", e2.msg);
	watch_log(w, "reloaded %s: %u targets", w->opt->config_path, w->n);
}

/* A new list from discovery: its targets replace the discovered ones. */
static void swap_discovered(struct watch *w, void *ctx)
{
	if (w->disc) { /* kept until the end: a job may hold its strings */
		w->disc->retired_next = w->disc_retired;
		w->disc_retired = w->disc;
	}
	w->disc = ctx;
}

static void apply_discovery(struct watch *w)
{
	pthread_mutex_lock(&w->mu);
	struct disc_targets *d = w->disc_next;
	w->disc_next = NULL;
	pthread_mutex_unlock(&w->mu);
	if (!d)
		return;
	if (!d->n && (!w->disc || !w->disc->n)) { /* nothing found, nothing to retire */
		disc_targets_free(d);
		return;
	}
	uint32_t before = w->n;
	struct err err = {0};
	if (retarget(w, swap_discovered, d, &err) != ST_OK)
		watch_log(w, "discovery: %s", err.msg);
	watch_log(w, "discovery: %u target%s discovered; watching %u (%u before)", d->n, d->n == 1 ? "" : "s", w->n,
		  before);
}

/* Alertmanager forgets an alert nobody repeats: each one firing is sent
 * again every alertmanager_resend (by the worker, which sent it first). */
static void am_schedule_resends(struct watch *w, int64_t now)
{
	if (!w->cfg.alertmanagers[0] || now - w->am_checked_ms < 1000)
		return;
	w->am_checked_ms = now;
	for (uint32_t i = 0; i < w->n; i++) {
		struct target_state *t = &w->t[i];
		pthread_mutex_lock(&w->mu);
		bool due = t->firing && t->am_core[0] && !t->am_resend_queued &&
			   now - t->am_sent_ms >= (int64_t)(w->cfg.am_resend_s * 1000);
		if (due)
			t->am_resend_queued = true;
		pthread_mutex_unlock(&w->mu);
		if (due) {
			struct job *j = xcalloc(1, sizeof(*j));
			j->kind = JOB_AM_RESEND;
			j->target = i;
			snprintf(j->name, sizeof(j->name), "%s", t->cfg.name);
			actions_queue(w, j);
		}
	}
}

/* Retention and the size budget: the oldest data goes first. Stack ids
 * the targets cached may be gone afterwards. */
static void prune(struct watch *w, int64_t now, bool retention)
{
	struct err e = {0};
	bool stacks_pruned = false;
	if (retention && store_prune(w->store, now - (int64_t)(w->cfg.retention_s * 1000), &stacks_pruned, &e) != ST_OK)
		store_failed(w, e.msg);
	int64_t cut = 0;
	if (store_enforce_budget(w->store, w->cfg.store_max, &cut, &stacks_pruned, &e) != ST_OK)
		store_failed(w, e.msg);
	if (cut) {
		char when[32];
		time_t t0 = (time_t)(cut / 1000);
		struct tm tm;
		gmtime_r(&t0, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		watch_log(w, "store: over its %zu MiB budget (store_max): removed the data from before %s",
			  w->cfg.store_max >> 20, when);
	}
	if (stacks_pruned)
		for (uint32_t i = 0; i < w->n; i++)
			u64map_free(&w->t[i].stacks);
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
}

enum status watch_run(struct watch_config *cfg, const struct watch_options *o, struct err *err)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	w->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	w->opt = o;
	w->started_ms = watch_now_ms();
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->jobs_cv, NULL);
	pthread_cond_init(&w->disc_cv, NULL);
	bool worker = false;
	enum status st = store_open(w->cfg.store, false, &w->store, err);
	if (st != ST_OK)
		goto out;
	w->pool = fetch_pool_new(64, MAX(w->cfg.ntargets + 16, 64u), err);
	if (!w->pool) {
		st = ST_IO;
		goto out;
	}
	st = targets_setup(w, false, err);
	if (st != ST_OK)
		goto out;
	if (!readers_start(w)) {
		st = err_set(err, ST_IO, 0, 0, "cannot start the reader threads");
		goto out;
	}
	w->http = httpd_start(w->cfg.listen, w->cfg.token, "/healthz", w->cfg.hosts, endpoints_handle, w, err);
	if (!w->http) {
		st = err->code ? err->code : ST_IO;
		goto out;
	}
	if (pthread_create(&w->worker, NULL, actions_worker, w) != 0) {
		st = err_set(err, ST_IO, 0, 0, "cannot start the worker thread");
		goto out;
	}
	worker = true;
	if (pthread_create(&w->discovery, NULL, discovery_main, w) != 0) {
		st = err_set(err, ST_IO, 0, 0, "cannot start the discovery thread");
		goto out;
	}
	w->discovery_started = true;
	char host[128];
	int port;
	httpd_parse_listen(w->cfg.listen, host, sizeof(host), &port);
	char share[64] = "";
	if (w->cfg.shard.count)
		snprintf(share, sizeof(share), " (shard %u/%u: %u of %u configured)", w->cfg.shard.index, w->cfg.shard.count,
			 w->n, w->cfg.ntargets);
	watch_log(w, "watching %u targets%s; endpoints on http://%s%s%s:%d/metrics; store %s", w->n, share,
		  strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "", httpd_port(w->http), w->cfg.store);
	/* a rate needs a span of samples: say how long it stays silent */
	for (uint32_t i = 0; i < w->n; i++) {
		const struct watch_target *c = &w->t[i].cfg;
		if (c->th.rate > 0 || c->th.group_growth > 0)
			watch_log(w, "%s: the rate and group-growth rules judge once the samples span %.0fs (half their "
				     "%.0fs window); until then they are silent", c->name, c->th.rate_window_s / 2,
				  c->th.rate_window_s);
	}
	if (!w->cfg.token && !httpd_listen_is_loopback(w->cfg.listen))
		watch_log(w, "warning: listening on %s without a bearer_token: anyone who can reach it can read /metrics "
			     "and make the daemon capture its targets (POST /alertmanager)", w->cfg.listen);
	if (o->ready_file) {
		FILE *f = fopen(o->ready_file, "w");
		if (f) {
			fprintf(f, "%d\n", httpd_port(w->http));
			fclose(f);
		}
	}

	int64_t stop_at = o->run_for_s > 0 ? w->started_ms + (int64_t)(o->run_for_s * 1000) : 0;
	int64_t next_prune = 0, next_retention = 0, tx_started = 0;
	bool in_tx = false;
	while (!stop_requested && (!stop_at || watch_now_ms() < stop_at)) {
		pthread_mutex_lock(&w->mu);
		bool discovered = w->disc_next != NULL;
		pthread_mutex_unlock(&w->mu);
		if (reload_requested || discovered) {
			/* the targets are set up again, in transactions of their own */
			struct err e = {0};
			if (in_tx && store_commit(w->store, &e) != ST_OK)
				store_failed(w, e.msg);
			in_tx = false;
			if (reload_requested) {
				reload_requested = 0;
				reload(w);
			}
			apply_discovery(w);
		}
		int64_t now = watch_now_ms();
		struct schedule_entry due;
		while (schedule_pop_due(&w->due, now, &due)) {
			struct target_state *t = &w->t[due.target];
			/* (a start time of 0: it was gone already when set up) */
			if (t->pid && (!t->pid_started || proc_start_time(t->pid) != t->pid_started)) {
				/* the process watched is gone, and its port may be another's
				 * by now: never polled again (SIGHUP resolves it anew) */
				char why[64];
				snprintf(why, sizeof(why), "process %d has exited", t->pid);
				struct fetch_result r = {.st = ST_IO, .error = why};
				on_fetched(t, &r);
				continue;
			}
			char url[PPROF_URL_MAX]; /* fits: watch_config_check bounds t->url */
			pprof_url(url, sizeof(url), t->url,
				  pprof_goroutine_endpoint(t->cfg.format == WATCH_DEBUG1 ? PPROF_DEBUG1 : PPROF_PROTOBUF));
			struct fetch_options fo;
			fetch_options_default(&fo);
			fo.timeout_ms = (long)(watch_target_timeout(&t->cfg) * 1000);
			fo.connect_timeout_ms = MIN(fo.connect_timeout_ms, fo.timeout_ms);
			fo.max_bytes = (size_t)64 << 20;
			fo.auth = t->cfg.auth;
			fetch_pool_add(w->pool, url, &fo, on_fetched, t);
		}
		int64_t next = MIN(schedule_next(&w->due), now + 1000);
		/* one transaction for about a second of results: a commit per
		 * sample would cost a lock and a WAL sync each */
		struct err e = {0};
		if (!in_tx) {
			in_tx = store_begin(w->store, &e) == ST_OK;
			if (!in_tx)
				store_failed(w, e.msg);
			tx_started = now;
		}
		int wait = (int)MAX(0, MIN(next - watch_now_ms(), (int64_t)250));
		fetch_pool_run(w->pool, wait);
		apply_read(w);
		if (in_tx)
			actions_store_evidence(w);
		am_schedule_resends(w, now);
		if (now >= next_prune) {
			prune(w, now, now >= next_retention);
			next_retention = now >= next_retention ? now + RETENTION_EVERY_MS : next_retention;
			next_prune = now + BUDGET_EVERY_MS;
		}
		if (in_tx && (watch_now_ms() - tx_started >= COMMIT_EVERY_MS || stop_requested)) {
			if (store_commit(w->store, &e) != ST_OK)
				store_failed(w, e.msg);
			in_tx = false;
		}
		pthread_mutex_lock(&w->mu);
		w->rounds++;
		w->last_round_ms = watch_now_ms();
		w->poll_cpu_seconds = cpu_seconds();
		pthread_mutex_unlock(&w->mu);
	}
	/* what is being read is given up: a stop takes a moment, not a budget */
	readers_stop(w);
	if (in_tx) {
		struct err e = {0};
		if (store_commit(w->store, &e) != ST_OK)
			store_failed(w, e.msg);
	}
	targets_save_kept(w);
	watch_log(w, "stopping");
out:
	readers_stop(w);
	if (w->http)
		httpd_stop(w->http);
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_signal(&w->jobs_cv);
	pthread_cond_broadcast(&w->disc_cv);
	pthread_mutex_unlock(&w->mu);
	if (w->discovery_started)
		pthread_join(w->discovery, NULL);
	if (worker) {
		pthread_join(w->worker, NULL);
		/* what the worker finished while stopping */
		if (w->store)
			actions_store_evidence(w);
	}
	fetch_pool_free(w->pool);
	targets_release(w);
	schedule_free(&w->due);
	store_close(w->store);
	watch_config_free(&w->cfg);
	for (uint32_t i = 0; i < w->nretired; i++)
		watch_config_free(&w->retired[i]);
	free(w->retired);
	disc_targets_free(w->disc);
	disc_targets_free(w->disc_next);
	for (struct disc_targets *d = w->disc_retired, *next; d; d = next) {
		next = d->retired_next;
		disc_targets_free(d);
	}
	free(w->sd_status);
	readers_free(w);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->jobs_cv);
	pthread_cond_destroy(&w->disc_cv);
	free(w);
	return st;
}
