/* cmd_history.c: `goroscope history`: what the watch daemon stored about a
 * target (read-only; works while the daemon runs): its goroutine count
 * over time, the largest stack groups and how they moved, and its alerts
 * with their capture directories. */
#include "../base/common.h"
#include "cli.h"
#include "../base/buf.h"
#include "../base/u64map.h"
#include "../base/xalloc.h"
#include "../report/escape.h"
#include "../store/store.h"
#include "../watch/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct history_args {
	const char *store;
	double since_s;
	bool json, html;
	const char *output;
};

enum { O_STORE, O_SINCE, O_JSON, O_HTML };

static const struct opt history_opts[] = {
	{"store", 0, OV_FILE, "FILE", "the watch store", NULL, "goroscope-watch.db", O_STORE},
	{"since", 0, OV_OTHER, "D", "only the last D, e.g. 30m, 7d", NULL, "24h", O_SINCE},
	{"json", 0, OV_FLAG, NULL, "JSON instead of text", NULL, NULL, O_JSON},
	{"html", 0, OV_FLAG, NULL,
	 "one self-contained HTML page: every target's count and largest groups over time, alerts marked", NULL, NULL,
	 O_HTML},
};

static bool take(void *target, int id, const char *v)
{
	struct history_args *a = target;
	switch (id) {
	case O_STORE: a->store = v; return true;
	case O_SINCE: return cli_parse_duration("--since", v, &a->since_s);
	case O_JSON: a->json = true; return true;
	case O_HTML: a->html = true; return true;
	}
	return false;
}

static const struct opt_group history_group = {NULL, history_opts, ARRAY_LEN(history_opts), take};

static const struct opt_use uses[] = {
	{&history_group, 0, NULL},
	{&opt_group_output, offsetof(struct history_args, output), NULL},
	{NULL, 0, NULL},
};

struct sample_list {
	struct store_sample_row *v;
	char **errors;
	size_t n;
};

static bool add_sample(void *ctx, const struct store_sample_row *r)
{
	struct sample_list *l = ctx;
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->errors = xreallocarray(l->errors, l->n + 1, sizeof(*l->errors));
	l->v[l->n] = *r;
	l->errors[l->n] = r->error ? xstrdup(r->error) : NULL;
	l->v[l->n].error = l->errors[l->n];
	l->n++;
	return true;
}

/* A stack group's first and last count in the window. */
struct group_line {
	int64_t stack;
	char *title;
	uint64_t first, last, peak;
	int64_t first_ms, last_ms;
};
struct group_list {
	struct group_line *v;
	size_t n, cap;
	struct u64map index; /* stack id -> v[] (a store may hold very many) */
};

static bool add_group(void *ctx, const struct store_group_row *r)
{
	struct group_list *l = ctx;
	bool inserted;
	uint32_t i = *u64map_upsert(&l->index, (uint64_t)r->stack, (uint32_t)l->n, &inserted);
	if (!inserted) {
		l->v[i].last = r->count;
		l->v[i].last_ms = r->ts_ms;
		l->v[i].peak = MAX(l->v[i].peak, r->count);
		return true;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = (struct group_line){r->stack, xstrdup(r->title ? r->title : "?"), r->count, r->count, r->count,
					   r->ts_ms, r->ts_ms};
	return true;
}

static int by_last_desc(const void *a, const void *b)
{
	const struct group_line *x = a, *y = b;
	return x->last < y->last ? 1 : x->last > y->last ? -1 : 0;
}

/* Target names by id, for an alert list over every target. */
struct target_names {
	struct u64map index; /* id -> names[] */
	char **names;
	uint32_t n;
};

static const char *target_name(const struct target_names *tn, int64_t id)
{
	uint32_t i;
	return tn && u64map_get(&tn->index, (uint64_t)id, &i) ? tn->names[i] : NULL;
}

static void target_names_free(struct target_names *tn)
{
	for (uint32_t i = 0; i < tn->n; i++)
		free(tn->names[i]);
	free(tn->names);
	u64map_free(&tn->index);
	tn->names = NULL;
	tn->n = 0;
}

struct history {
	struct buf *out;
	bool json, first;
	struct store *store;
	int64_t since;
	const struct target_names *names; /* set when the list spans targets */
};

/* Text from the store (written from what targets and alerts sent): escaped
 * for a terminal, padded to width columns when width > 0. */
static void put_term(struct buf *b, const char *s, size_t width)
{
	size_t before = b->len;
	s = s ? s : "?";
	put_text(b, s, strlen(s));
	size_t used = b->len - before;
	if (used < width)
		buf_pad(b, ' ', width - used);
}

static void put_when(struct buf *b, int64_t ms, bool json)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char s[40];
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_printf(b, json ? "\"%s\"" : "%s", s);
}

static bool put_alert(void *ctx, const struct store_alert_row *r)
{
	struct history *h = ctx;
	struct buf *b = h->out;
	if (h->json) {
		buf_adds(b, h->first ? "" : ",");
		buf_printf(b, "{\"id\":%lld,", (long long)r->id);
		if (h->names) {
			buf_adds(b, "\"target\":");
			put_json_cstr_or_null(b, target_name(h->names, r->target));
			buf_addc(b, ',');
		}
		buf_adds(b, "\"rule\":");
		put_json_cstr(b, r->rule);
		buf_adds(b, ",\"started\":");
		put_when(b, r->started_ms, true);
		buf_adds(b, ",\"resolved\":");
		if (r->resolved_ms)
			put_when(b, r->resolved_ms, true);
		else
			buf_adds(b, "null");
		buf_printf(b, ",\"value\":%.3f,\"message\":", r->value);
		put_json_cstr(b, r->message);
		buf_adds(b, ",\"capture_dir\":");
		put_json_cstr_or_null(b, r->capture_dir);
		buf_addc(b, '}');
	} else {
		buf_adds(b, "  ");
		put_when(b, r->started_ms, false);
		buf_adds(b, r->resolved_ms ? "  resolved " : "  FIRING   ");
		if (h->names) {
			put_term(b, target_name(h->names, r->target), 24);
			buf_addc(b, ' ');
		}
		put_term(b, r->rule, 13);
		buf_addc(b, ' ');
		put_term(b, r->message ? r->message : "", 0);
		buf_addc(b, '\n');
		if (r->capture_dir) {
			buf_adds(b, "      capture: ");
			put_term(b, r->capture_dir, 0);
			buf_addc(b, '\n');
		}
	}
	h->first = false;
	return true;
}

struct target_pick {
	const char *name;
	int64_t id;
	char *url;
	struct buf *list; /* without a name: one line per target */
	bool json;
	bool first;
	struct target_names names; /* without a name: every target's */
};

static bool pick_target(void *ctx, const struct store_target_row *r)
{
	struct target_pick *p = ctx;
	if (p->name && strcmp(p->name, r->name) == 0) {
		p->id = r->id;
		p->url = xstrdup(r->url);
		return false;
	}
	if (!p->name) {
		bool fresh;
		uint32_t *slot = u64map_upsert(&p->names.index, (uint64_t)r->id, p->names.n, &fresh);
		if (fresh) {
			p->names.names = xreallocarray(p->names.names, p->names.n + 1, sizeof(char *));
			p->names.names[p->names.n++] = xstrdup(r->name);
		}
		(void)slot;
		if (p->json) {
			buf_adds(p->list, p->first ? "" : ",");
			buf_adds(p->list, "{\"name\":");
			put_json_cstr(p->list, r->name);
			buf_adds(p->list, ",\"url\":");
			put_json_cstr(p->list, r->url);
			buf_printf(p->list, ",\"id\":%lld}", (long long)r->id);
		} else {
			buf_adds(p->list, "  ");
			put_term(p->list, r->name, 24);
			buf_addc(p->list, ' ');
			put_term(p->list, r->url, 0);
			buf_addc(p->list, '\n');
		}
		p->first = false;
	}
	return true;
}

static void samples_section(struct buf *b, const struct sample_list *s, bool json)
{
	if (json) {
		buf_adds(b, ",\"samples\":[");
		for (size_t i = 0; i < s->n; i++) {
			buf_adds(b, i ? ",{\"at\":" : "{\"at\":");
			put_when(b, s->v[i].ts_ms, true);
			if (s->v[i].count >= 0)
				buf_printf(b, ",\"goroutines\":%lld,\"error\":null}", (long long)s->v[i].count);
			else {
				buf_adds(b, ",\"goroutines\":null,\"error\":");
				put_json_cstr(b, s->v[i].error ? s->v[i].error : "?");
				buf_addc(b, '}');
			}
		}
		buf_addc(b, ']');
		return;
	}
	size_t ok = 0, failed = 0;
	int64_t lo = INT64_MAX, hi = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].count < 0) {
			failed++;
			continue;
		}
		ok++;
		lo = MIN(lo, s->v[i].count);
		hi = MAX(hi, s->v[i].count);
	}
	buf_printf(b, "\nSamples: %zu (%zu failed)", s->n, failed);
	if (ok)
		buf_printf(b, ", goroutines from %lld to %lld", (long long)lo, (long long)hi);
	buf_adds(b, "\n");
	/* at most 24 rows: evenly spaced, the last one always */
	size_t step = s->n > 24 ? (s->n + 23) / 24 : 1;
	for (size_t i = 0; i < s->n; i++) {
		if (i % step && i != s->n - 1)
			continue;
		buf_adds(b, "  ");
		put_when(b, s->v[i].ts_ms, false);
		if (s->v[i].count >= 0) {
			buf_printf(b, "  %8lld\n", (long long)s->v[i].count);
		} else {
			buf_adds(b, "  failed: ");
			put_term(b, s->v[i].error, 0);
			buf_addc(b, '\n');
		}
	}
}

static void groups_section(struct buf *b, struct group_list *g, bool json)
{
	if (g->n) /* (qsort wants an array, even of none) */
		qsort(g->v, g->n, sizeof(*g->v), by_last_desc);
	if (json) {
		buf_adds(b, ",\"groups\":[");
		for (size_t i = 0; i < g->n; i++) {
			buf_adds(b, i ? ",{\"function\":" : "{\"function\":");
			put_json_cstr(b, g->v[i].title);
			buf_printf(b, ",\"first\":%llu,\"last\":%llu,\"peak\":%llu,\"first_seen\":", (unsigned long long)g->v[i].first,
				   (unsigned long long)g->v[i].last, (unsigned long long)g->v[i].peak);
			put_when(b, g->v[i].first_ms, true);
			buf_adds(b, ",\"last_seen\":");
			put_when(b, g->v[i].last_ms, true);
			buf_addc(b, '}');
		}
		buf_addc(b, ']');
		return;
	}
	buf_printf(b, "\nLargest stack groups (%zu seen):\n", g->n);
	for (size_t i = 0; i < g->n && i < 15; i++) {
		long long d = (long long)g->v[i].last - (long long)g->v[i].first;
		buf_printf(b, "  %8llu  %+8lld since first seen  ", (unsigned long long)g->v[i].last, d);
		put_term(b, g->v[i].title, 0);
		buf_addc(b, '\n');
	}
}

/* --html: the timeline view of every target. */
static int history_html(const char *path, double since_s, const char *output)
{
	struct buf json;
	buf_init(&json);
	struct err err = {0};
	int rc = EXIT_ERROR;
	if (cli_timeline_json(&json, path, cli_since_ms(since_s), &err) != ST_OK) {
		cli_error("%s", err.msg);
	} else if (!output || cli_redirect_stdout(output)) {
		char title[1200];
		snprintf(title, sizeof(title), "goroscope watch history: %s", path);
		rc = cli_write_html(title, &json) ? EXIT_OK : EXIT_ERROR;
	}
	buf_free(&json);
	return rc;
}

static int run(int argc, char **argv)
{
	struct history_args a = {0};
	int n;
	int rc = cli_parse_or_exit(&command_history, argc, argv, &a, &n);
	if (rc >= 0)
		return rc;
	if (n > (a.html ? 0 : 1)) {
		cli_error(a.html ? "history --html shows every target: give no TARGET" : "history takes one target name at most");
		return EXIT_ERROR;
	}
	const char *path = a.store;
	double since_s = a.since_s;
	bool json = a.json, html = a.html;
	const char *output = a.output;
	if (html)
		return history_html(path, since_s, output);
	struct store *store;
	struct err err = {0};
	if (store_open(path, true, &store, &err) != ST_OK) {
		cli_error("%s", err.msg);
		return EXIT_ERROR;
	}
	struct buf out;
	buf_init(&out);
	rc = EXIT_OK;
	int64_t since = cli_since_ms(since_s);
	struct target_pick pick = {.name = n ? argv[0] : NULL, .list = &out, .json = json, .first = true};
	if (json)
		buf_adds(&out, "{\"tool\":\"goroscope\",\"version\":\"" GOROSCOPE_VERSION "\",\"command\":\"history\"");
	if (!pick.name) {
		buf_adds(&out, json ? ",\"targets\":[" : "Watched targets:\n");
		if (store_targets(store, pick_target, &pick, &err) != ST_OK)
			goto fail;
		if (json)
			buf_addc(&out, ']');
		struct history h = {&out, json, true, store, since, &pick.names};
		buf_adds(&out, json ? ",\"alerts\":[" : "\nAlerts:\n");
		enum status st = store_alerts(store, 0, since, put_alert, &h, &err);
		target_names_free(&pick.names);
		if (st != ST_OK)
			goto fail;
		buf_adds(&out, json ? "]}\n" : "");
		goto done;
	}
	if (store_targets(store, pick_target, &pick, &err) != ST_OK)
		goto fail;
	if (!pick.url) {
		cli_error("no target called '%s' in %s (goroscope history --store %s lists them)", pick.name, path, path);
		rc = EXIT_ERROR;
		goto done;
	}
	struct sample_list samples = {0};
	struct group_list groups = {0};
	if (store_samples(store, pick.id, since, add_sample, &samples, &err) != ST_OK ||
	    store_group_samples(store, pick.id, since, add_group, &groups, &err) != ST_OK)
		goto fail;
	if (json) {
		buf_adds(&out, ",\"target\":");
		put_json_cstr(&out, pick.name);
		buf_adds(&out, ",\"url\":");
		put_json_cstr(&out, pick.url);
	} else {
		put_term(&out, pick.name, 0);
		buf_adds(&out, "  ");
		put_term(&out, pick.url, 0);
		buf_addc(&out, '\n');
	}
	samples_section(&out, &samples, json);
	groups_section(&out, &groups, json);
	struct history h = {&out, json, true, store, since};
	buf_adds(&out, json ? ",\"alerts\":[" : "\nAlerts:\n");
	if (store_alerts(store, pick.id, since, put_alert, &h, &err) != ST_OK)
		goto fail;
	buf_adds(&out, json ? "]}\n" : "");
	for (size_t i = 0; i < samples.n; i++)
		free(samples.errors[i]);
	free(samples.errors);
	free(samples.v);
	for (size_t i = 0; i < groups.n; i++)
		free(groups.v[i].title);
	free(groups.v);
	u64map_free(&groups.index);
	goto done;
fail:
	cli_error("%s", err.msg);
	rc = EXIT_ERROR;
done:
	if (rc == EXIT_OK)
		fwrite(out.p, 1, out.len, stdout);
	buf_free(&out);
	free(pick.url);
	target_names_free(&pick.names);
	store_close(store);
	return rc;
}

const struct cli_command command_history = {
	.name = "history",
	.summary = "show what watch stored: series, groups, alerts (also as an HTML page)",
	.synopsis = "usage: goroscope history [--store FILE] [--since D] [--json] [TARGET]\n"
		    "       goroscope history [--store FILE] [--since D] --html [-o FILE]",
	.description =
		"Show what `goroscope watch` stored: without TARGET, the watched targets\n"
		"with their last count and alerts; with TARGET (its name), its goroutine\n"
		"count over time, its largest stack groups (first and last count, growth)\n"
		"and its alerts with their capture directories. Reads the store while the\n"
		"daemon runs.\n",
	.uses = uses,
	.epilogue = "Exit status: 0, or 2 when the store cannot be read or TARGET is unknown.\n",
	.words = WORDS_NONE,
	.run = run,
};
