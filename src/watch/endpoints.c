/* endpoints.c: the watch daemon's HTTP endpoints, on the server's thread:
 *
 *   GET  /metrics       Prometheus text exposition (version 0.0.4)
 *   GET  /healthz       "ok" (no token needed: for load balancers)
 *   POST /alertmanager  Alertmanager webhook receiver: a firing alert whose
 *                       instance or target label names a configured target
 *                       queues a capture and analysis of that target
 *
 * Everything read from the daemon's state is read under watch.mu. */
#include "../base/common.h"
#include "watch_internal.h"
#include "alertmanager.h"
#include "../base/xalloc.h"
#include "../report/escape.h"

#include <stdio.h>
#include <stdlib.h>

/* A label value, escaped as the exposition format wants (\\, \", \n), and
 * valid UTF-8 whatever a target or a configuration put in it: one invalid
 * byte makes Prometheus refuse the whole scrape, every target's. */
static void put_label_value(struct buf *b, const char *raw)
{
	char clean[1024];
	utf8_sanitize(clean, sizeof(clean), raw, strlen(raw));
	buf_addc(b, '"');
	for (const char *s = clean; *s; s++) {
		if (*s == '\\')
			buf_adds(b, "\\\\");
		else if (*s == '"')
			buf_adds(b, "\\\"");
		else if (*s == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

void put_label_name(struct buf *b, const char *s, const char *const *ours)
{
	for (size_t i = 0; ours[i]; i++)
		if (strcmp(s, ours[i]) == 0)
			buf_adds(b, "label_");
	if (!*s || (*s >= '0' && *s <= '9'))
		buf_addc(b, '_');
	for (; *s; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
		buf_addc(b, ok ? c : '_');
	}
}

static void put_target_labels(struct buf *b, const struct target_state *t)
{
	static const char *const ours[] = {"target", "instance", "rule", "stack", "function", NULL};
	char inst[300];
	am_authority(t->url, inst, sizeof(inst));
	buf_adds(b, "target=");
	put_label_value(b, t->cfg.name);
	buf_adds(b, ",instance=");
	put_label_value(b, inst);
	for (uint32_t k = 0; k < t->cfg.nlabels; k++) {
		buf_addc(b, ',');
		put_label_name(b, t->cfg.label_keys[k], ours);
		buf_addc(b, '=');
		put_label_value(b, t->cfg.label_values[k]);
	}
}

static void header(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

enum value_kind { V_UP, V_COUNT, V_BASELINE, V_RATE, V_FIRING, V_FIRED, V_CAPTURES, V_SCRAPES, V_ERRORS, V_DURATION };

static double value_of(const struct target_state *t, enum value_kind k)
{
	switch (k) {
	case V_UP: return t->up ? 1 : 0;
	case V_COUNT: return (double)t->count;
	case V_BASELINE: return t->baseline;
	case V_RATE: return t->rate_per_min;
	case V_FIRING: return t->firing ? 1 : 0;
	case V_FIRED: return (double)t->alerts_fired;
	case V_CAPTURES: return (double)t->captures;
	case V_SCRAPES: return (double)t->scrapes;
	case V_ERRORS: return (double)t->scrape_errors;
	case V_DURATION: return t->scrape_seconds;
	}
	return 0;
}

static void metrics(struct watch *w, struct buf *b)
{
	static const struct {
		const char *name, *type, *help;
		enum value_kind k;
		bool needs_sample; /* only once the target answered */
	} per_target[] = {
		{"goroscope_target_up", "gauge", "Whether the last scrape of the target's goroutine profile succeeded.", V_UP, false},
		{"goroscope_goroutines", "gauge", "Goroutines in the target's last profile.", V_COUNT, true},
		{"goroscope_goroutines_baseline", "gauge", "Learnt baseline goroutine count (0 while warming up).", V_BASELINE, true},
		{"goroscope_goroutines_growth_per_minute", "gauge", "Least-squares slope of the goroutine count over the rate window.", V_RATE, true},
		{"goroscope_alert_firing", "gauge", "Whether an alert is firing for the target.", V_FIRING, false},
		{"goroscope_alerts_fired_total", "counter", "Alerts fired for the target since the daemon started.", V_FIRED, false},
		{"goroscope_captures_total", "counter", "Evidence captures taken of the target since the daemon started.", V_CAPTURES, false},
		{"goroscope_scrapes_total", "counter", "Scrapes of the target's goroutine profile.", V_SCRAPES, false},
		{"goroscope_scrape_errors_total", "counter", "Failed scrapes of the target's goroutine profile.", V_ERRORS, false},
		{"goroscope_scrape_duration_seconds", "gauge", "Duration of the last scrape.", V_DURATION, true},
	};
	pthread_mutex_lock(&w->mu);
	for (size_t m = 0; m < ARRAY_LEN(per_target); m++) {
		header(b, per_target[m].name, per_target[m].type, per_target[m].help);
		for (uint32_t i = 0; i < w->n; i++) {
			const struct target_state *t = &w->t[i];
			if (per_target[m].needs_sample && !t->scraped)
				continue;
			buf_printf(b, "%s{", per_target[m].name);
			put_target_labels(b, t);
			if (per_target[m].k == V_FIRING) {
				buf_adds(b, ",rule=");
				put_label_value(b, t->firing ? t->rule : "");
			}
			buf_printf(b, "} %.17g\n", value_of(t, per_target[m].k));
		}
	}
	/* a group's series is known by its stack (the content key), not by its
	 * rank: a new order must not start new series */
	header(b, "goroscope_group_goroutines", "gauge",
	       "Goroutines in the target's largest stack groups, by stack (content key) and first user function.");
	for (uint32_t i = 0; i < w->n; i++) {
		const struct target_state *t = &w->t[i];
		for (uint32_t k = 0; k < t->ntop; k++) {
			buf_adds(b, "goroscope_group_goroutines{");
			put_target_labels(b, t);
			buf_printf(b, ",stack=\"%016llx\",function=", (unsigned long long)t->top[k].key);
			put_label_value(b, t->top[k].title);
			buf_printf(b, "} %llu\n", (unsigned long long)t->top[k].count);
		}
	}
	if (w->nsd_status) {
		header(b, "goroscope_discovery_up", "gauge",
		       "Whether the discovery source's last answer could be read (its last good targets are kept).");
		for (uint32_t i = 0; i < w->nsd_status; i++)
			buf_printf(b, "goroscope_discovery_up{source=\"%s\",kind=\"%s\"} %d\n", w->sd_status[i].source,
				   w->sd_status[i].kind, w->sd_status[i].up ? 1 : 0);
		header(b, "goroscope_discovery_targets", "gauge", "Targets the discovery source gives (before sharding).");
		for (uint32_t i = 0; i < w->nsd_status; i++)
			buf_printf(b, "goroscope_discovery_targets{source=\"%s\",kind=\"%s\"} %u\n", w->sd_status[i].source,
				   w->sd_status[i].kind, w->sd_status[i].targets);
	}
	header(b, "goroscope_build_info", "gauge", "The goroscope that serves these metrics (always 1).");
	buf_adds(b, "goroscope_build_info{version=\"" GOROSCOPE_VERSION "\"} 1\n");
	header(b, "goroscope_watch_shard", "gauge",
	       "This watcher's shard of the targets: shard of shards (0 of 1 when not sharded; always 1).");
	buf_printf(b, "goroscope_watch_shard{shard=\"%u\",shards=\"%u\"} 1\n", w->cfg.shard.index,
		   w->cfg.shard.count ? w->cfg.shard.count : 1);
	header(b, "goroscope_watch_targets", "gauge", "Targets the daemon watches.");
	buf_printf(b, "goroscope_watch_targets %u\n", w->n);
	header(b, "goroscope_watch_rounds_total", "counter", "Turns of the polling loop.");
	buf_printf(b, "goroscope_watch_rounds_total %llu\n", (unsigned long long)w->rounds);
	header(b, "goroscope_watch_cpu_seconds_total", "counter", "CPU time the daemon used (user and system).");
	buf_printf(b, "goroscope_watch_cpu_seconds_total %.6f\n", w->poll_cpu_seconds);
	header(b, "goroscope_watch_store_errors_total", "counter", "Failed writes to the store.");
	buf_printf(b, "goroscope_watch_store_errors_total %llu\n", (unsigned long long)w->store_errors);
	header(b, "goroscope_watch_notify_errors_total", "counter", "Alert notifications that failed after their retries.");
	buf_printf(b, "goroscope_watch_notify_errors_total %llu\n", (unsigned long long)w->notify_errors);
	header(b, "goroscope_watch_alertmanager_requests_total", "counter", "Alertmanager webhook requests received.");
	buf_printf(b, "goroscope_watch_alertmanager_requests_total %llu\n", (unsigned long long)w->alertmanager_requests);
	header(b, "goroscope_watch_start_time_seconds", "gauge", "When the daemon started (Unix time).");
	buf_printf(b, "goroscope_watch_start_time_seconds %.3f\n", (double)w->started_ms / 1000);
	pthread_mutex_unlock(&w->mu);
}

/* The target an Alertmanager alert names, or -1. */
static int match_target(struct watch *w, const struct am_alert *a)
{
	for (uint32_t i = 0; i < w->n; i++) {
		const struct target_state *t = &w->t[i];
		char inst[300];
		am_authority(t->url, inst, sizeof(inst));
		/* a discovered target is called by Prometheus's instance */
		if ((a->target[0] && strcmp(a->target, t->cfg.name) == 0) ||
		    (a->instance[0] && (strcmp(a->instance, inst) == 0 || strcmp(a->instance, t->cfg.name) == 0)))
			return (int)i;
	}
	return -1;
}

static void alertmanager(struct watch *w, const struct httpd_request *req, struct httpd_response *res)
{
	struct am_payload *p = xcalloc(1, sizeof(*p));
	struct err err = {0};
	pthread_mutex_lock(&w->mu);
	w->alertmanager_requests++;
	pthread_mutex_unlock(&w->mu);
	if (am_parse(req->body ? req->body : "", req->body_len, p, &err) != ST_OK) {
		res->status = 400;
		buf_printf(&res->body, "%s\n", err.msg);
		free(p);
		return;
	}
	uint32_t queued = 0, unmatched = 0, cooling = 0;
	int64_t now = watch_now_ms();
	for (uint32_t k = 0; k < p->nfiring; k++) {
		const struct am_alert *a = &p->firing[k];
		pthread_mutex_lock(&w->mu);
		int i = match_target(w, a);
		struct target_state *t = i >= 0 ? &w->t[i] : NULL;
		bool capture = t && !t->capture_running &&
			       (!t->last_capture_ms || now - t->last_capture_ms >= (int64_t)(t->cfg.cooldown_s * 1000));
		if (capture)
			t->last_capture_ms = now;
		struct job *j = capture ? actions_job(w, (uint32_t)i, JOB_EXTERNAL) : NULL;
		pthread_mutex_unlock(&w->mu);
		if (!t) {
			unmatched++;
			watch_log(w, "alertmanager: %s (instance '%s') names no watched target: ignored", a->alertname, a->instance);
			continue;
		}
		if (!j) {
			cooling++;
			continue;
		}
		j->ts_ms = now;
		j->capture = true;
		snprintf(j->rule, sizeof(j->rule), "%.31s", a->alertname[0] ? a->alertname : "alertmanager");
		snprintf(j->message, sizeof(j->message), "Alertmanager: %s%s%s", a->alertname, a->summary[0] ? ": " : "",
			 a->summary);
		/* the job's copy of the name: w->t may move once unlocked */
		watch_log(w, "%s: Alertmanager alert %s: capturing", j->name, a->alertname);
		actions_queue(w, j);
		queued++;
	}
	res->status = 202;
	res->content_type = "application/json";
	buf_printf(&res->body, "{\"captures_queued\":%u,\"unmatched\":%u,\"cooling_down\":%u,\"resolved_ignored\":%u}\n",
		   queued, unmatched, cooling, p->nresolved);
	free(p);
}

/* Polling that stopped turning, or polls waiting long for a reader, is
 * unhealthy: /metrics would otherwise serve old figures as if current. The
 * loop turns four times a second; a reload waits for polls in flight. */
enum { HEALTH_STALE_MS = 30000 };

static void health(struct watch *w, struct httpd_response *res)
{
	int64_t now = watch_now_ms();
	pthread_mutex_lock(&w->mu);
	int64_t last = w->last_round_ms ? w->last_round_ms : w->started_ms;
	pthread_mutex_unlock(&w->mu);
	int64_t queued = readers_oldest_queued_ms(w);
	if (now - last > HEALTH_STALE_MS) {
		res->status = 503;
		buf_printf(&res->body, "unhealthy: the polling loop last turned %.0f s ago\n", (double)(now - last) / 1000);
	} else if (queued && now - queued > HEALTH_STALE_MS) {
		res->status = 503;
		buf_printf(&res->body, "unhealthy: a poll has waited %.0f s for a reader\n", (double)(now - queued) / 1000);
	} else {
		buf_adds(&res->body, "ok\n");
	}
}

void endpoints_handle(void *ctx, const struct httpd_request *req, struct httpd_response *res)
{
	struct watch *w = ctx;
	bool get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
	if (strcmp(req->path, "/metrics") == 0 && get) {
		res->content_type = "text/plain; version=0.0.4; charset=utf-8";
		metrics(w, &res->body);
	} else if (strcmp(req->path, "/healthz") == 0 && get) {
		health(w, res);
	} else if (strcmp(req->path, "/alertmanager") == 0) {
		if (strcmp(req->method, "POST") != 0) {
			res->status = 405;
			buf_adds(&res->body, "POST an Alertmanager webhook payload here\n");
			return;
		}
		alertmanager(w, req, res);
	} else if (strcmp(req->path, "/") == 0 && get) {
		buf_adds(&res->body, "goroscope watch\n\n/metrics       Prometheus metrics\n/healthz       health\n"
				     "/alertmanager  Alertmanager webhook receiver (POST)\n");
	} else {
		res->status = 404;
		buf_adds(&res->body, "not found\n");
	}
}
