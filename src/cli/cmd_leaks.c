/* cmd_leaks.c: `goroscope leaks SNAPSHOT...`: follow groups of goroutines
 * through snapshots in time order and name the ones that leak
 * (analyze/series.h). */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/judge.h"
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "../fetch/fetch.h"
#include "../fetch/pprof_url.h"
#include "../proc/pprof_port.h"
#include "../report/report.h"

#include <errno.h>
#include <time.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>


struct leaks_args {
	bool json, html, quiet, fail_on_leak;
	const char *output;
	double interval_s, every_s, for_s; /* 0: not given */
	uint32_t count;
	long process;                      /* which process to judge, from 1; -1: the last */
	struct group_options group;
	struct series_options series;
	struct text_options text;
	struct cli_filter_args filters;
	int color;
	struct source_options src;
};

enum { O_JSON, O_HTML, O_FAIL, O_INTERVAL, O_EVERY, O_COUNT, O_FOR, O_MINGROWTH, O_PROCESS };

static const struct opt output_opts[] = {
	{"json", 0, OV_FLAG, NULL, "JSON with a top-level \"leaks\" array (docs/json.md)", NULL, NULL, O_JSON},
	{"html", 0, OV_FLAG, NULL,
	 "one self-contained HTML page: the timeline of the snapshots and of each leak's count, the leaks with cause "
	 "and fix",
	 NULL, NULL, O_HTML},
	{"fail-on-leak", 0, OV_FLAG, NULL, "exit 1 when a leak of medium confidence or more is reported (for CI)", NULL, NULL, O_FAIL},
};
static const struct opt series_opts[] = {
	{"interval", 0, OV_OTHER, "D", "the snapshots are D apart (5s, 500ms, 2m)", NULL, NULL, O_INTERVAL},
	{"every", 0, OV_OTHER, "D", "live: time between snapshots", NULL, "5s", O_EVERY},
	{"count", 0, OV_OTHER, "N", "live: snapshots to take, 2 to 10000", NULL, "7", O_COUNT},
	{"for", 0, OV_OTHER, "D", "live: sample for D (instead of --count)", NULL, NULL, O_FOR},
	{"min-growth", 0, OV_OTHER, "N", "goroutines a leak must gain over the series", NULL, "3", O_MINGROWTH},
	{"process", 0, OV_OTHER, "N",
	 "when the snapshots span restarts, the process to judge: from 1 (the oldest), or last", NULL, "last",
	 O_PROCESS},
};

static bool take(void *target, int id, const char *v)
{
	struct leaks_args *a = target;
	switch (id) {
	case O_JSON: a->json = true; return true;
	case O_HTML: a->html = true; return true;
	case O_FAIL: a->fail_on_leak = true; return true;
	case O_INTERVAL: return cli_parse_duration("--interval", v, &a->interval_s);
	case O_EVERY: return cli_parse_duration("--every", v, &a->every_s);
	case O_FOR: return cli_parse_duration("--for", v, &a->for_s);
	case O_COUNT: return cli_parse_count("--count", v, 2, 10000, &a->count);
	case O_MINGROWTH: return cli_parse_count("--min-growth", v, 1, 100000000, &a->series.min_growth);
	case O_PROCESS: return cli_parse_pick("--process", v, &a->process);
	}
	return false;
}

static const struct opt_group output_group = {"Output:", output_opts, ARRAY_LEN(output_opts), take};
static const struct opt_group series_group = {"Snapshots:", series_opts, ARRAY_LEN(series_opts), take};
static const char *const frames_8[] = {"frames=8", NULL};

static const struct opt_use uses[] = {
	{&output_group, 0, NULL},
	CLI_USE_TEXT_OUTPUT(struct leaks_args),
	{&opt_group_frames, offsetof(struct leaks_args, text), frames_8},
	{&series_group, 0, NULL},
	CLI_USE_GROUPING(struct leaks_args),
	{&opt_group_quiet, offsetof(struct leaks_args, quiet), NULL},
	CLI_USE_LIVE(struct leaks_args, src),
	{NULL, 0, NULL},
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t when_ns)
{
	for (;;) {
		int64_t left = when_ns - now_ns();
		if (left <= 0)
			return;
		struct timespec ts = {left / 1000000000, left % 1000000000};
		if (nanosleep(&ts, NULL) == 0)
			return;
	}
}

/* Take count snapshots of url, every_ns apart, into set (each knows when it
 * arrived); then the goroutineleak profile, if served, into proof. The
 * format: --format, or auto (debug=2 while the target is small). */
static bool sample_live(const char *url, const struct source_options *src, int64_t every_ns, uint32_t count,
			struct snapset *set, struct snapset *proof, bool quiet)
{
	struct source_options o = *src;
	o.format = src->format == SOURCE_FORMAT_AUTO ? SOURCE_FORMAT_DEBUG2 : src->format;
	int64_t start = now_ns();
	uint64_t prev = 0;
	for (uint32_t i = 0; i < count; i++) {
		sleep_until(start + (int64_t)i * every_ns);
		uint32_t before = set->n;
		struct err err = {0};
		if (source_load(url, &o, set, NULL, &err) != ST_OK) {
			cli_error("%s", err.msg);
			return false;
		}
		/* one snapshot per sample: a response holding several is odd, keep its last */
		while (set->n > before + 1) {
			snapshot_free(set->v[before]);
			memmove(&set->v[before], &set->v[before + 1], (set->n - before - 1) * sizeof(*set->v));
			set->n--;
		}
		const struct snapshot *s = set->v[set->n - 1];
		uint64_t n = s->weights ? s->total_weight : s->ngoroutines;
		if (!quiet)
			fprintf(stderr, "goroscope: snapshot %u/%u (%s): %llu goroutines (%+lld)\n", i + 1, count,
				s->format, (unsigned long long)n, (long long)(i ? (int64_t)n - (int64_t)prev : 0));
		prev = n;
		if (src->format == SOURCE_FORMAT_AUTO && o.format == SOURCE_FORMAT_DEBUG2 && n > 10000) {
			o.format = SOURCE_FORMAT_PPROF;
			if (!quiet)
				fprintf(stderr, "goroscope: over 10,000 goroutines: the next snapshots use the protobuf profile "
						"(debug=2 stops the target's world)\n");
		}
	}
	/* the runtime's own verdict (Go 1.26+), if served */
	char leak_url[PPROF_URL_MAX];
	if (!pprof_url_is_endpoint(url) && pprof_url(leak_url, sizeof(leak_url), url, "goroutineleak")) {
		struct source_options once = *src;
		once.fetch.retries = 0;
		/* a 404 here only means Go < 1.26: not an error to report */
		bool got = source_load(leak_url, &once, proof, NULL, NULL) == ST_OK;
		if (!quiet)
			fprintf(stderr, got ? "goroscope: the target serves goroutineleak: its listing is taken as proof\n"
					    : "goroscope: no goroutineleak profile served (Go 1.26+ has one): growth is the evidence\n");
	}
	return true;
}

static int run(int argc, char **argv)
{
	struct leaks_args a = {.color = -1};
	group_options_default(&a.group);
	series_options_default(&a.series);
	cli_source_defaults(&a.src);
	int ninputs;
	int rc = cli_parse_or_exit(&command_leaks, argc, argv, &a, &ninputs);
	if (rc >= 0)
		return rc;
	if (a.group.by == GROUP_STATE || a.group.by == GROUP_LABEL) {
		cli_error("leaks follow groups by stack: --by stack, top=N or creator");
		return EXIT_ERROR;
	}
	if (ninputs < 1) {
		cli_error("leaks needs snapshots in time order (see 'goroscope leaks --help')");
		return EXIT_ERROR;
	}
	/* pid:N is a live source too: its pprof base URL */
	char pid_url[64];
	const char *live_url = ninputs == 1 && fetch_is_url(argv[0]) ? argv[0] : NULL;
	if (ninputs == 1 && proc_is_pid_spec(argv[0])) {
		struct err err = {0};
		if (proc_pprof_url(argv[0], pid_url, sizeof(pid_url), &err) != ST_OK) {
			cli_error("%s", err.msg);
			return EXIT_ERROR;
		}
		live_url = pid_url;
	}
	a.text.color = !a.json && !a.html && !a.output && cli_want_color(a.color);
	struct filter filter;
	if (!cli_build_filter(&a.filters, &filter))
		return EXIT_ERROR;
	a.group.filter = &filter;
	int64_t every = (int64_t)(a.every_s * 1e9), interval = (int64_t)(a.interval_s * 1e9);
	uint32_t count = a.count;

	/* Every snapshot of every input, with a time where one is known. */
	struct snapset set, proof_set;
	snapset_init(&set);
	snapset_init(&proof_set);
	rc = EXIT_ERROR;
	if (live_url) {
		if (a.for_s > 0)
			count = (uint32_t)MIN(MAX(a.for_s / a.every_s + 1, 2), 10000);
		if (!sample_live(live_url, &a.src, every, count, &set, &proof_set, a.quiet))
			goto out;
	} else if (!cli_load_inputs(&a.src, ninputs, argv, &set, a.quiet)) {
		goto out;
	}
	/* time order from the evidence, one process's series, look-alikes apart */
	struct judge_options jo;
	judge_options_default(&jo, &a.group);
	jo.series = a.series;
	jo.interval_ns = interval;
	jo.process = a.process < 0 ? -1 : (int32_t)(a.process - 1);
	struct analysis proof_an;
	if (proof_set.n) {
		analysis_run(proof_set.v[0], &a.group, &proof_an);
		jo.series.proof = &proof_an;
	}
	struct judgement j;
	if (!judge_leaks((const struct snapshot *const *)set.v, set.n, &jo, &j)) {
		cli_error("--process %ld: the snapshots hold %u process(es)", a.process, j.nbreaks + 1);
		judgement_free(&j);
		if (proof_set.n)
			analysis_free(&proof_an);
		goto out;
	}
	struct leaks_scope scope = {&j.ord, j.inputs, j.n, j.breaks, j.nbreaks, j.process, j.first, j.recurring};
	const struct series_point *pts = j.pts + j.first;
	struct buf out;
	buf_init(&out);
	bool ok = !a.output || cli_redirect_stdout(a.output);
	if (ok && a.html) {
		report_leaks_json(&out, pts, &j.r, &scope);
		char title[1200];
		snprintf(title, sizeof(title), "goroscope leaks: %s%s", j.npts ? pts[0].a->snap->source : "?",
			 j.npts > 1 ? " and later snapshots" : "");
		ok = cli_write_html(title, &out);
	} else if (ok) {
		if (a.json)
			report_leaks_json(&out, pts, &j.r, &scope);
		else
			report_leaks_text(&out, pts, &j.r, &scope, &a.text);
		ok = cli_write_stdout(out.p, out.len);
	}
	buf_free(&out);
	/* low confidence is growth alone that load can also make: not a failure */
	bool fail = false;
	for (uint32_t k = 0; k < j.r.nleaks; k++)
		fail = fail || j.r.leaks[k].confidence >= CONF_MEDIUM;
	rc = !ok ? EXIT_ERROR : a.fail_on_leak && fail ? EXIT_FINDINGS : EXIT_OK;
	judgement_free(&j);
	if (proof_set.n)
		analysis_free(&proof_an);
out:
	snapset_free(&set);
	snapset_free(&proof_set);
	filter_free(&filter);
	return rc;
}

const struct cli_command command_leaks = {
	.name = "leaks",
	.summary = "name the goroutines that leak, from snapshots in time order",
	.synopsis = "usage: goroscope leaks [options] SNAPSHOT...\n"
		    "       goroscope leaks [options] URL|pid:N [--every D] [--count N | --for D]",
	.description =
		"Name the goroutines that leak, from snapshots of one process in time order:\n"
		"files (any format 'analyze' reads; a file holding several dumps gives them\n"
		"all, in order) or capture directories. A group leaks when it grows and\n"
		"keeps its goroutines: the count rises step after step and, where goroutine\n"
		"ids exist (text dumps), each snapshot's goroutines are still there in the\n"
		"next. Fixed pools, idle loops, bursts that drain, goroutines that come and\n"
		"go with load, and profiling requests are told apart; goroutines of a\n"
		"goroutineleak profile are proven leaks. Each leak comes with its stack,\n"
		"count series, growth, evidence and confidence, blocking site, creator,\n"
		"likely cause and fix, and the memory it pins (estimate). --by state and\n"
		"label:KEY do not apply: leaks follow groups by stack.\n"
		"\n"
		"Order and times come from the snapshots, whatever order they are given in:\n"
		"their own times (protobuf profiles, capture directories, live fetches),\n"
		"else goroutine ids (text dumps: the newest id only grows), else the files'\n"
		"modification times; the report says which, and what stands against it.\n"
		"The dumps of one file keep their order. --interval D sets the times.\n"
		"\n"
		"Restarts: snapshots of two process instances are never compared as one.\n"
		"Where goroutine ids are handed out again (most goroutines new in a dump have\n"
		"ids below the newest before; the same ids are other goroutines; a profile\n"
		"names another binary), a new process begins: the report says\n"
		"where, and judges the last process's series (--process N for another); a\n"
		"leak that grew in the process before too is stronger evidence, and said so.\n"
		"\n"
		"Live: with one URL (a base such as http://127.0.0.1:6060, or a pprof URL)\n"
		"or pid:N, goroscope takes the snapshots itself, --every D apart, --count N\n"
		"of them or for --for D, with progress on stderr. --format auto takes\n"
		"debug=2 (goroutine ids and wait minutes: the strongest evidence) while the\n"
		"target has at most 10,000 goroutines, and the cheap protobuf profile above\n"
		"that (debug=2 stops the target's world for the whole dump). When the target\n"
		"serves /debug/pprof/goroutineleak (Go 1.26+), its listing is taken at the\n"
		"end as proof.\n",
	.uses = uses,
	.epilogue = "Exit status: 0 ok, 1 a leak of medium confidence or more was reported and\n"
		    "--fail-on-leak was given, 2 usage or input error.\n",
	.run = run,
};
