/* cmd_web.c: `goroscope web SRC...`: the HTML report served on 127.0.0.1.
 * The sources (files, capture directories, live URLs) are read once, at
 * start, from the command line: the server only hands out what it was
 * given and never fetches anything on behalf of a request. */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/contention.h"
#include "../analyze/diff.h"
#include "../analyze/group.h"
#include "../analyze/order.h"
#include "../analyze/judge.h"
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "../report/escape.h"
#include "../report/report.h"
#include "../watch/config.h"
#include "../web/httpd.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { WEB_MAX_HOSTS = 16 };

struct web_args {
	const char *listen, *token, *store;
	const char *hosts[WEB_MAX_HOSTS + 1]; /* --host, NULL-ended */
	unsigned nhosts;
	double since_s;
	bool quiet;
	struct group_options group;
	struct cli_filter_args filters;
	struct source_options src;
};

enum { O_LISTEN, O_TOKEN, O_HOST, O_STORE, O_SINCE };

static const struct opt web_opts[] = {
	{"listen", 0, OV_OTHER, "HOST:PORT", "address to serve on (port 0: a free port)", NULL, "127.0.0.1:0",
	 O_LISTEN},
	{"token", 0, OV_OTHER, "TOKEN", "require 'Authorization: Bearer TOKEN'", NULL, NULL, O_TOKEN},
	{"host", 0, OV_OTHER, "NAME", "a name the server is reached by, off loopback (repeatable; addresses always work)",
	 NULL, NULL, O_HOST},
	{"store", 0, OV_FILE, "FILE", "the watch store to show (goroscope watch)", NULL, NULL, O_STORE},
	{"since", 0, OV_OTHER, "D", "history shown from the store", NULL, "24h", O_SINCE},
};

static bool take(void *target, int id, const char *v)
{
	struct web_args *a = target;
	switch (id) {
	case O_LISTEN: a->listen = v; return true;
	case O_TOKEN: a->token = v; return true;
	case O_HOST:
		if (a->nhosts == WEB_MAX_HOSTS) {
			cli_error("--host: at most %d names", WEB_MAX_HOSTS);
			return false;
		}
		a->hosts[a->nhosts++] = v;
		return true;
	case O_STORE: a->store = v; return true;
	case O_SINCE: return cli_parse_duration("--since", v, &a->since_s);
	}
	return false;
}

static const struct opt_group web_group = {NULL, web_opts, ARRAY_LEN(web_opts), take};

static const struct opt_use uses[] = {
	{&web_group, 0, NULL},
	CLI_USE_GROUPING(struct web_args),
	{&opt_group_quiet, offsetof(struct web_args, quiet), NULL},
	CLI_USE_LIVE(struct web_args, src),
	{NULL, 0, NULL},
};

/* The views' JSON documents, built at start (the timeline at each request),
 * and the page around them. */
enum view { V_ANALYZE, V_DIFF, V_LEAKS, V_CONTENTION, V_TIMELINE, NVIEWS };
static const char *const view_paths[NVIEWS] = {"/api/analysis.json", "/api/diff.json", "/api/leaks.json",
					       "/api/contention.json", "/api/timeline.json"};

struct site {
	struct buf doc[NVIEWS]; /* empty: the view does not apply */
	struct buf analyze_page; /* doc[V_ANALYZE] in the page's form (JSON_FRAME_TABLE) */
	struct buf page;        /* built once when nothing changes (no store) */
	const char *store;      /* NULL: no timeline */
	int64_t since_ms;
	char title[600];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Re-read the store into doc[V_TIMELINE]; on error the view says so. */
static void refresh_timeline(struct site *s)
{
	if (!s->store)
		return;
	struct err err = {0};
	buf_reset(&s->doc[V_TIMELINE]);
	if (cli_timeline_json(&s->doc[V_TIMELINE], s->store, s->since_ms, &err) != ST_OK) {
		buf_reset(&s->doc[V_TIMELINE]);
		buf_adds(&s->doc[V_TIMELINE], "{\"command\":\"timeline\",\"targets\":[],\"error\":");
		put_json_cstr(&s->doc[V_TIMELINE], err.msg);
		buf_adds(&s->doc[V_TIMELINE], "}");
	}
}

/* The page: every view that applies, as one "web" document. */
static void put_page(struct buf *out, const struct site *s)
{
	struct buf all;
	buf_init(&all);
	buf_adds(&all, "{\"tool\":\"goroscope\",\"version\":\"" GOROSCOPE_VERSION "\",\"command\":\"web\",\"views\":[");
	bool first = true;
	for (int v = 0; v < NVIEWS; v++) {
		if (!s->doc[v].len)
			continue;
		if (!first)
			buf_addc(&all, ',');
		const struct buf *d = v == V_ANALYZE ? &s->analyze_page : &s->doc[v];
		buf_add(&all, d->p, d->len);
		first = false;
	}
	buf_adds(&all, "]}");
	report_html(out, s->title, all.p, all.len);
	buf_free(&all);
}

static void serve(void *ctx, const struct httpd_request *req, struct httpd_response *res)
{
	struct site *s = ctx;
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		res->status = 405;
		buf_adds(&res->body, "only GET\n");
		return;
	}
	if (strcmp(req->path, "/") == 0) {
		res->content_type = "text/html; charset=utf-8";
		if (s->page.len) {
			buf_add(&res->body, s->page.p, s->page.len);
		} else {
			refresh_timeline(s);
			put_page(&res->body, s);
		}
		return;
	}
	if (strcmp(req->path, "/healthz") == 0) {
		buf_adds(&res->body, "ok\n");
		return;
	}
	for (int v = 0; v < NVIEWS; v++) {
		if (strcmp(req->path, view_paths[v]) != 0)
			continue;
		if (v == V_TIMELINE)
			refresh_timeline(s);
		if (!s->doc[v].len)
			break;
		res->content_type = "application/json";
		buf_add(&res->body, s->doc[v].p, s->doc[v].len);
		return;
	}
	res->status = 404;
	buf_adds(&res->body, "not found\n");
}

static bool is_contention(const struct snapshot *s)
{
	return s->profile == PROF_BLOCK || s->profile == PROF_MUTEX || s->profile == PROF_CONTENTION;
}

/* Build every view that the inputs allow. */
static void build_views(struct site *site, const struct snapset *set, const struct group_options *go)
{
	const struct snapshot **given = xcalloc(set->n + 1, sizeof(*given));
	const struct snapshot **snaps = xcalloc(set->n + 1, sizeof(*snaps));
	struct analysis *an = xcalloc(set->n + 1, sizeof(*an));
	uint32_t n = 0, ncont = 0;
	for (uint32_t i = 0; i < set->n; i++) {
		if (is_contention(set->v[i]))
			ncont++;
		else
			given[n++] = set->v[i];
	}
	/* the goroutine snapshots in time order, from the evidence they carry */
	struct order_result ord;
	order_snapshots(given, n, &ord);
	for (uint32_t k = 0; k < n; k++)
		snaps[k] = given[ord.perm[k]];
	/* only profiles of contention: no goroutine view */
	struct buf scratch;
	buf_init(&scratch);
	struct buf scratch_page;
	buf_init(&scratch_page);
	bool analyze_view = n || !ncont;
	struct buf *b = analyze_view ? &site->doc[V_ANALYZE] : &scratch;
	struct buf *page = analyze_view ? &site->analyze_page : &scratch_page;
	report_json_begin(b, "analyze");
	report_json_begin(page, "analyze");
	uint64_t total = 0;
	analysis_run_all(snaps, n, go, an);
	for (uint32_t i = 0; i < n; i++) {
		total += an[i].total;
		report_json_snapshot(b, &an[i], i == 0, 0);
		report_json_snapshot(page, &an[i], i == 0, JSON_FRAME_TABLE);
	}
	report_json_end(b, total);
	report_json_end(page, total);
	buf_free(&scratch);
	buf_free(&scratch_page);
	if (n >= 2) {
		struct diff d;
		diff_run(&an[0], &an[n - 1], &d);
		report_diff_json(&site->doc[V_DIFF], &d, &ord);
		diff_free(&d);
	}
	if (n >= 2 && go->by != GROUP_STATE && go->by != GROUP_LABEL) {
		/* as `leaks` judges them: the last process's series */
		struct judge_options jo;
		judge_options_default(&jo, go);
		struct judgement j;
		judge_leaks(given, n, &jo, &j);
		struct leaks_scope scope = {&j.ord, j.inputs, j.n, j.breaks, j.nbreaks, j.process, j.first, j.recurring};
		report_leaks_json(&site->doc[V_LEAKS], j.pts + j.first, &j.r, &scope);
		judgement_free(&j);
	}
	if (ncont) {
		struct contention_options co;
		contention_options_default(&co);
		struct contention_result r;
		contention_run(set->v, set->n, &co, &r);
		if (r.nprofiles)
			report_contention_json(&site->doc[V_CONTENTION], &r);
		contention_free(&r);
	}
	for (uint32_t i = 0; i < n; i++)
		analysis_free(&an[i]);
	free(an);
	free(snaps);
	free(given);
	order_free(&ord);
}

static int run(int argc, char **argv)
{
	struct web_args a = {0};
	group_options_default(&a.group);
	cli_source_defaults(&a.src);
	/* capture directories: their block and mutex profiles too */
	a.src.capture = SOURCE_CAPTURE_CONTENTION_TOO;
	int ninputs;
	int rc = cli_parse_or_exit(&command_web, argc, argv, &a, &ninputs);
	if (rc >= 0)
		return rc;
	struct site site;
	memset(&site, 0, sizeof(site));
	site.store = a.store;
	struct err err = {0};
	if (ninputs == 0 && !site.store) {
		cli_error("web needs dumps, profiles, capture directories, URLs or --store FILE (see 'goroscope web --help')");
		return EXIT_ERROR;
	}
	struct filter filter;
	if (!cli_build_filter(&a.filters, &filter))
		return EXIT_ERROR;
	a.group.filter = &filter;
	for (int v = 0; v < NVIEWS; v++)
		buf_init(&site.doc[v]);
	buf_init(&site.analyze_page);
	buf_init(&site.page);
	rc = EXIT_ERROR;
	struct snapset set;
	snapset_init(&set);
	if (ninputs && !cli_load_inputs(&a.src, ninputs, argv, &set, a.quiet))
		goto out;
	if (site.store) {
		site.since_ms = cli_since_ms(a.since_s);
		/* a store that cannot be read is an error at start, not a blank tab */
		if (cli_timeline_json(&site.doc[V_TIMELINE], site.store, site.since_ms, &err) != ST_OK) {
			cli_error("%s", err.msg);
			goto out;
		}
	}
	if (set.n)
		build_views(&site, &set, &a.group);
	snprintf(site.title, sizeof(site.title), "goroscope: %s%s", set.n ? set.v[0]->source : site.store,
		 set.n > 1 || (set.n && site.store) ? " and more" : "");
	snapset_free(&set);
	snapset_init(&set);
	if (!site.store)
		put_page(&site.page, &site); /* the inputs were read once: so is the page */

	struct httpd *h = httpd_start(a.listen, a.token, "/healthz", a.hosts, serve, &site, &err);
	if (!h) {
		cli_error("%s", err.msg);
		goto out;
	}
	if (!a.token && !httpd_listen_is_loopback(a.listen))
		cli_error("warning: listening on %s without --token: anyone who can reach it can read the report",
			  a.listen);
	cli_on_signal(SIGTERM, on_signal);
	cli_on_signal(SIGINT, on_signal);
	char host[128];
	int port;
	httpd_parse_listen(a.listen, host, sizeof(host), &port);
	bool v6 = strchr(host, ':') != NULL;
	printf("goroscope web: http://%s%s%s:%d/\n", v6 ? "[" : "", host, v6 ? "]" : "", httpd_port(h));
	fflush(stdout);
	while (!stop)
		pause();
	httpd_stop(h);
	rc = EXIT_OK;
out:
	snapset_free(&set);
	filter_free(&filter);
	for (int v = 0; v < NVIEWS; v++)
		buf_free(&site.doc[v]);
	buf_free(&site.analyze_page);
	buf_free(&site.page);
	return rc;
}

const struct cli_command command_web = {
	.name = "web",
	.summary = "browse every view (groups, diff, leaks, contention, history) on 127.0.0.1",
	.synopsis = "usage: goroscope web [options] [SRC]...\n"
		    "       goroscope web [options] --store FILE [SRC]...",
	.description =
		"Serve the interactive report on a local port, in tabs: the snapshots\n"
		"(overview, suspected leaks, flame graph, group table); with two or more\n"
		"goroutine snapshots, the diff of the first and last (diff flame graph) and\n"
		"the leak analysis of the series (timeline); with block or mutex profiles,\n"
		"the contention view; with --store, the watch daemon's history (counts and\n"
		"largest groups over time per target, alerts marked). Sources (dumps,\n"
		"profiles, capture directories, live URLs) are read once, at start; the\n"
		"store is read again at each page load (it is a local file). The server\n"
		"never fetches anything on behalf of a request. Prints the address, serves\n"
		"until interrupted. Each view's JSON: /api/analysis.json, /api/diff.json,\n"
		"/api/leaks.json, /api/contention.json, /api/timeline.json.\n",
	.uses = uses,
	.epilogue = "Exit status: 0 after an interrupt, 2 when an input or the store cannot be\n"
		    "read or the address cannot be listened on.\n",
	.run = run,
};
