/* am_notify.c: alerts posted to Alertmanager's API v2 (POST
 * /api/v2/alerts, a JSON array of PostableAlerts), on the actions worker.
 *
 * An alert is known to Alertmanager by its labels, and a watcher's
 * identity is in none of them: the two watchers of an HA pair send the same
 * alerts and Alertmanager shows each once. A firing threshold is a
 * GoroutineThreshold alert (instance: the target's host:port, target: its
 * name, its own labels, rule); when the analysis names a leaking function,
 * a GoroutineLeak alert with the same target labels and the function
 * follows. What two watchers may judge differently at the same moment (the
 * confidence, which grows with the evidence each has kept) is an
 * annotation, with the message, the cause and fix and the capture
 * directory: in a label it would split the alert in two.
 *
 * Alertmanager resolves an alert nobody repeats once its endsAt passes, so
 * a firing alert is sent again every minute, each time ending four minutes
 * on (as Prometheus does); on resolve it is sent once more, ending now. */
#include "../base/common.h"
#include "watch_internal.h"
#include "alertmanager.h"
#include "../base/xalloc.h"
#include "../report/escape.h"

#include <stdio.h>
#include <stdlib.h>

static void put_label(struct buf *b, bool *first, const char *name, const char *value)
{
	if (!value || !*value)
		return;
	buf_adds(b, *first ? "" : ",");
	*first = false;
	put_json_cstr(b, name);
	buf_addc(b, ':');
	put_json_cstr(b, value);
}

/* The labels that name the target, common to both alerts. */
static void target_labels(struct buf *b, bool *first, const struct target_state *t)
{
	static const char *const ours[] = {"alertname", "instance", "target", "rule", "function", NULL};
	char instance[300];
	am_authority(t->url, instance, sizeof(instance));
	put_label(b, first, "instance", instance);
	put_label(b, first, "target", t->cfg.name);
	for (uint32_t k = 0; k < t->cfg.nlabels; k++) {
		struct buf name;
		buf_init(&name);
		put_label_name(&name, t->cfg.label_keys[k], ours);
		put_label(b, first, buf_cstr(&name), t->cfg.label_values[k]);
		buf_free(&name);
	}
}

static char *finish_core(struct buf *b, const char *external_url)
{
	if (external_url) {
		buf_adds(b, ",\"generatorURL\":");
		put_json_cstr(b, external_url);
	}
	char *core = xstrdup(buf_cstr(b));
	buf_free(b);
	return core;
}

char *am_threshold_core(const struct target_state *t, const struct job *j, const char *capture_dir,
			const char *external_url)
{
	struct buf b;
	buf_init(&b);
	bool first = true;
	buf_adds(&b, "\"labels\":{");
	put_label(&b, &first, "alertname", "GoroutineThreshold");
	target_labels(&b, &first, t);
	put_label(&b, &first, "rule", j->rule);
	buf_adds(&b, "},\"annotations\":{");
	first = true;
	put_label(&b, &first, "summary", j->message);
	put_label(&b, &first, "capture_dir", capture_dir);
	buf_addc(&b, '}');
	return finish_core(&b, external_url);
}

char *am_leak_core(const struct target_state *t, const char *analysis, const char *capture_dir,
		   const char *external_url)
{
	struct am_leak leak;
	if (!am_top_leak(analysis, &leak) || !leak.function[0])
		return NULL;
	struct buf b;
	buf_init(&b);
	bool first = true;
	buf_adds(&b, "\"labels\":{");
	put_label(&b, &first, "alertname", "GoroutineLeak");
	target_labels(&b, &first, t);
	put_label(&b, &first, "function", leak.function);
	buf_adds(&b, "},\"annotations\":{");
	first = true;
	char summary[400];
	snprintf(summary, sizeof(summary), "%.255s leaks goroutines (%s confidence)", leak.function, leak.confidence);
	put_label(&b, &first, "summary", summary);
	put_label(&b, &first, "confidence", leak.confidence);
	put_label(&b, &first, "cause", leak.cause);
	put_label(&b, &first, "fix", leak.fix);
	put_label(&b, &first, "capture_dir", capture_dir);
	buf_addc(&b, '}');
	return finish_core(&b, external_url);
}

bool am_send(struct watch *w, const struct watch_config *cfg, const char *const cores[2], int64_t starts_ms,
	     int64_t ends_ms)
{
	struct buf body;
	buf_init(&body);
	buf_addc(&body, '[');
	for (int k = 0; k < 2; k++) {
		if (!cores[k])
			continue;
		buf_adds(&body, body.len > 1 ? ",{" : "{");
		buf_adds(&body, cores[k]);
		buf_adds(&body, ",\"startsAt\":");
		put_json_utc(&body, starts_ms * 1000000);
		buf_adds(&body, ",\"endsAt\":");
		put_json_utc(&body, ends_ms * 1000000);
		buf_addc(&body, '}');
	}
	buf_addc(&body, ']');
	bool all_ok = true;
	for (uint32_t k = 0; cfg->alertmanagers[k]; k++) {
		char url[2100];
		const char *base = cfg->alertmanagers[k];
		size_t n = strlen(base);
		while (n && base[n - 1] == '/')
			n--;
		snprintf(url, sizeof(url), "%.*s/api/v2/alerts", (int)MIN(n, (size_t)2000), base);
		struct watch_webhook h = {url, 5, 3, NULL};
		all_ok &= actions_post(w, &h, &body);
	}
	buf_free(&body);
	return all_ok;
}
