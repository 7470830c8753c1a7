/* cmd_analyze.c: `goroscope analyze`: read dumps, group and explain them,
 * print text, JSON or folded stacks. */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/group.h"
#include "../base/buf.h"
#include "../report/report.h"

#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum output { OUT_TEXT, OUT_JSON, OUT_FOLDED, OUT_HTML };

struct analyze_args {
	enum output out;
	int color; /* -1 auto, 0 never, 1 always */
	struct text_options text;
	struct group_options group;
	struct cli_filter_args filters;
	long pick; /* 0 = all, -1 = last */
	bool fail_on_leak, fail_on_race, quiet, all_ids;
	const char *output; /* -o: a file instead of stdout */
	struct source_options src;
};

enum { O_JSON, O_FOLDED, O_HTML, O_IDS, O_PICK, O_LEAKN, O_LEAKM, O_FAILLEAK, O_FAILRACE, O_THREADS };

static const struct opt output_opts[] = {
	{"json", 0, OV_FLAG, NULL, "stable JSON (schema: docs/json.md)", NULL, NULL, O_JSON},
	{"folded", 0, OV_FLAG, NULL, "folded stacks for flame graphs (\"root;...;leaf count\")", NULL, NULL, O_FOLDED},
	{"html", 0, OV_FLAG, NULL,
	 "one self-contained HTML page (group table, flame graph; opens offline: attach it to a ticket)", NULL, NULL,
	 O_HTML},
	{"ids", 0, OV_FLAG, NULL, "in JSON, every goroutine id of each group (default: 5)", NULL, NULL, O_IDS},
};
static const struct opt pick_opts[] = {
	{"pick", 0, OV_OTHER, "N", "only the Nth dump found in the inputs (from 1, or last)", NULL, NULL, O_PICK},
};
static const struct opt suspicion_opts[] = {
	{"leak-min-count", 0, OV_OTHER, "N", "suspect a blocking site holding N goroutines", NULL, "10", O_LEAKN},
	{"leak-min-minutes", 0, OV_OTHER, "M", "...or whose median wait is M minutes or more", NULL, "10", O_LEAKM},
	{"fail-on-leak", 0, OV_FLAG, NULL, "exit 1 on strong evidence of a leak: proof, an operation that can never complete, long waits", NULL, NULL, O_FAILLEAK},
	{"fail-on-race", 0, OV_FLAG, NULL, "exit 1 when a data race report is found", NULL, NULL, O_FAILRACE},
};
static const struct opt threads_opts[] = {
	{"threads", 0, OV_OTHER, "N",
	 "threads for reading one large file and grouping it, 1 to 16 (default: the number of CPUs, at most 16)", NULL, NULL, O_THREADS},
};

static bool take(void *target, int id, const char *v)
{
	struct analyze_args *a = target;
	uint32_t n;
	switch (id) {
	case O_JSON: a->out = OUT_JSON; return true;
	case O_FOLDED: a->out = OUT_FOLDED; return true;
	case O_HTML: a->out = OUT_HTML; return true;
	case O_IDS: a->all_ids = true; return true;
	case O_PICK: return cli_parse_pick("--pick", v, &a->pick);
	case O_LEAKN: return cli_parse_count("--leak-min-count", v, 0, 100000000, &a->group.leak_min_count);
	case O_LEAKM: return cli_parse_count("--leak-min-minutes", v, 0, 100000000, &a->group.leak_min_minutes);
	case O_FAILLEAK: a->fail_on_leak = true; return true;
	case O_FAILRACE: a->fail_on_race = true; return true;
	case O_THREADS:
		if (!cli_parse_count("--threads", v, 1, 16, &n))
			return false;
		a->src.threads = (int)n;
		return true;
	}
	return false;
}

static const struct opt_group output_group = {"Output:", output_opts, ARRAY_LEN(output_opts), take};
static const struct opt_group pick_group = {NULL, pick_opts, ARRAY_LEN(pick_opts), take};
static const struct opt_group suspicion_group = {"Leak suspicion on one snapshot (confirm with several snapshots):",
						 suspicion_opts, ARRAY_LEN(suspicion_opts), take};
static const struct opt_group threads_group = {"Other:", threads_opts, ARRAY_LEN(threads_opts), take};

static const struct opt_use uses[] = {
	{&output_group, 0, NULL},
	CLI_USE_TEXT_OUTPUT(struct analyze_args),
	{&opt_group_frames, offsetof(struct analyze_args, text), NULL},
	CLI_USE_GROUPING(struct analyze_args),
	{&pick_group, 0, NULL},
	{&suspicion_group, 0, NULL},
	{&threads_group, 0, NULL},
	{&opt_group_quiet, offsetof(struct analyze_args, quiet), NULL},
	CLI_USE_LIVE(struct analyze_args, src),
	{NULL, 0, NULL},
};

/* How many dumps came from the same input as s. */
static uint32_t dumps_in_source(const struct snapset *set, const struct snapshot *s)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < set->n; i++)
		n += !strcmp(set->v[i]->source, s->source);
	return n;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run(int argc, char **argv)
{
	struct analyze_args a = {.out = OUT_TEXT, .color = -1};
	group_options_default(&a.group);
	cli_source_defaults(&a.src);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	a.src.threads = ncpu < 1 ? 1 : ncpu > 16 ? 16 : (int)ncpu;
	int ninputs;
	int rc = cli_parse_or_exit(&command_analyze, argc, argv, &a, &ninputs);
	if (rc >= 0)
		return rc;
	a.text.color = a.out == OUT_TEXT && cli_want_color(a.color);

	struct filter filter;
	if (!cli_build_filter(&a.filters, &filter))
		return EXIT_ERROR;
	a.group.filter = &filter;
	a.group.threads = (uint32_t)a.src.threads; /* --threads: reading, grouping, summarising */

	/* GOROSCOPE_TIMING=1: time spent reading and analysing, on stderr
	 * (for benchmark work; docs/internals/traceback-reader.md). */
	bool timing = getenv("GOROSCOPE_TIMING") != NULL;
	double t0 = timing ? now_seconds() : 0, t_read = 0, t_analyze = 0;
	struct snapset set;
	snapset_init(&set);
	if (!cli_load_inputs(&a.src, ninputs, argv, &set, a.quiet)) {
		snapset_free(&set);
		filter_free(&filter);
		return EXIT_ERROR;
	}
	if (timing)
		t_read = now_seconds() - t0;
	uint32_t lo = 0, hi = set.n;
	if (a.pick) {
		uint32_t idx = a.pick < 0 ? set.n : (uint32_t)a.pick;
		if (idx > set.n) {
			cli_error("--pick %ld: the inputs hold only %u dump(s)", a.pick, set.n);
			snapset_free(&set);
			filter_free(&filter);
			return EXIT_ERROR;
		}
		lo = idx - 1;
		hi = idx;
	}

	if (a.output && !cli_redirect_stdout(a.output)) {
		snapset_free(&set);
		filter_free(&filter);
		return EXIT_ERROR;
	}
	/* The output goes out as it is written (buf.h, a sink): the HTML page
	 * compresses its document as it comes, so no report is held whole. */
	struct buf out;
	buf_init(&out);
	struct html_page *page = NULL;
	if (a.out == OUT_HTML) {
		char title[600];
		snprintf(title, sizeof(title), "goroscope: %s", hi > lo ? set.v[lo]->source : "dump");
		page = html_page_begin(title, cli_stdout_sink, NULL);
		buf_set_sink(&out, html_page_json, page);
	} else {
		buf_set_sink(&out, cli_stdout_sink, NULL);
	}
	bool findings = false, ok = true;
	uint64_t total = 0;
	bool json_doc = a.out == OUT_JSON || a.out == OUT_HTML; /* HTML embeds the JSON document */
	if (json_doc)
		report_json_begin(&out, "analyze");
	for (uint32_t i = lo; i < hi; i++) {
		struct analysis an;
		double ta = timing ? now_seconds() : 0;
		analysis_run(set.v[i], &a.group, &an);
		if (timing)
			t_analyze += now_seconds() - ta;
		total += an.total;
		if (a.fail_on_leak && an.strong_suspects)
			findings = true;
		if (a.fail_on_race && (set.v[i]->nraces || set.v[i]->races_reported))
			findings = true;
		switch (a.out) {
		case OUT_TEXT: report_text(&out, &an, dumps_in_source(&set, set.v[i]), &a.text); break;
		case OUT_JSON: report_json_snapshot(&out, &an, i == lo, a.all_ids ? JSON_ALL_IDS : 0); break;
		case OUT_HTML:
			report_json_snapshot(&out, &an, i == lo, JSON_FRAME_TABLE | (a.all_ids ? JSON_ALL_IDS : 0));
			break;
		case OUT_FOLDED: report_folded(&out, &an); break;
		}
		analysis_free(&an);
		ok = buf_drain(&out) && ok;
	}
	if (json_doc)
		report_json_end(&out, total);
	ok = buf_flush(&out) && ok;
	if (page)
		ok = html_page_end(page) && ok;
	buf_free(&out);
	snapset_free(&set);
	filter_free(&filter);
	if (timing)
		fprintf(stderr, "goroscope: timing: read %.1f ms, analyse %.1f ms, total %.1f ms\n", t_read * 1e3,
			t_analyze * 1e3, (now_seconds() - t0) * 1e3);
	if (!ok)
		return EXIT_ERROR;
	return findings ? EXIT_FINDINGS : EXIT_OK;
}

const struct cli_command command_analyze = {
	.name = "analyze",
	.summary = "group and explain a goroutine dump or profile (any Go format)",
	.synopsis = "usage: goroscope analyze [options] [FILE|-|URL|pid:N|CAPTURE-DIR]...",
	.description =
		"Read goroutine dumps - Go text tracebacks of any version: debug=2 and\n"
		"runtime.Stack output, panics, fatal errors, SIGQUIT/SIGABRT and\n"
		"GOTRACEBACK=crash dumps, test timeouts, gccgo dumps, race reports - also\n"
		"inside logs (per-line prefixes, CRLF, markdown), several per file - and\n"
		"profiles: debug=1 text and pprof protobuf (gzipped or not) of goroutine,\n"
		"goroutineleak, threadcreate, block and mutex profiles. The format is\n"
		"recognised by content. Group the goroutines by stack and explain what they\n"
		"wait on, for how long, who created them, and which groups look like leaks.\n"
		"With no FILE, or FILE -, read stdin.\n",
	.uses = uses,
	.epilogue = "Exit status: 0 ok, 1 findings asked for with --fail-on-*, 2 usage or input error.\n",
	.run = run,
};
