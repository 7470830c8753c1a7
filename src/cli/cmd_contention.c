/* cmd_contention.c: `goroscope contention`: block and mutex profiles as a
 * ranked list of contention sites, idle waiting set apart
 * (analyze/contention.h). */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/contention.h"
#include "../base/buf.h"
#include "../report/report.h"

#include "../fetch/fetch.h"
#include "../fetch/pprof_url.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct contention_args {
	bool json, html, folded, quiet;
	const char *output;
	uint32_t seconds;
	struct contention_options co;
	struct text_options text;
	int color;
	struct source_options src;
};

enum { O_JSON, O_FOLDED, O_HTML, O_SECONDS, O_MINMEAN, O_MINEVENTS };

static const struct opt output_opts[] = {
	{"json", 0, OV_FLAG, NULL, "JSON: \"contention\" and \"idle\" arrays (docs/json.md)", NULL, NULL, O_JSON},
	{"folded", 0, OV_FLAG, NULL, "folded stacks weighted by nanoseconds blocked", NULL, NULL, O_FOLDED},
	{"html", 0, OV_FLAG, NULL,
	 "one self-contained HTML page: flame graph of the time blocked, the sites table with holders", NULL, NULL,
	 O_HTML},
};
static const struct opt ranking_opts[] = {
	{"seconds", 0, OV_OTHER, "N", "live: profile the next N seconds (1 to 3600)", NULL, NULL, O_SECONDS},
	{"min-mean-ms", 0, OV_OTHER, "N", "flag sites waiting this long per event", NULL, "10", O_MINMEAN},
	{"min-events", 0, OV_OTHER, "N", "...or blocking this often", NULL, "1000", O_MINEVENTS},
};

static bool take(void *target, int id, const char *v)
{
	struct contention_args *a = target;
	uint32_t n;
	switch (id) {
	case O_JSON: a->json = true; return true;
	case O_FOLDED: a->folded = true; return true;
	case O_HTML: a->html = true; return true;
	case O_SECONDS: return cli_parse_count("--seconds", v, 1, 3600, &a->seconds);
	case O_MINMEAN:
		if (!cli_parse_count("--min-mean-ms", v, 0, 100000000, &n))
			return false;
		a->co.min_mean_ms = n;
		return true;
	case O_MINEVENTS:
		if (!cli_parse_count("--min-events", v, 0, 100000000, &n))
			return false;
		a->co.min_events = n;
		return true;
	}
	return false;
}

static const struct opt_group output_group = {"Output:", output_opts, ARRAY_LEN(output_opts), take};
static const struct opt_group ranking_group = {"Profiles and ranking:", ranking_opts, ARRAY_LEN(ranking_opts), take};

static const struct opt_use uses[] = {
	{&output_group, 0, NULL},
	CLI_USE_TEXT_OUTPUT(struct contention_args),
	{&ranking_group, 0, NULL},
	{&opt_group_quiet, offsetof(struct contention_args, quiet), NULL},
	CLI_USE_LIVE(struct contention_args, src),
	{NULL, 0, NULL},
};

struct live_fetch {
	char url[PPROF_URL_MAX];
	struct source_options src;
	struct snapset set;
	struct err err;
	bool ok;
};

static void *fetch_one(void *arg)
{
	struct live_fetch *lf = arg;
	lf->ok = source_load(lf->url, &lf->src, &lf->set, NULL, &lf->err) == ST_OK;
	return NULL;
}

/* The block and mutex profiles of the next N seconds, requested together,
 * then a debug=2 dump for the parked-now counts. */
static bool load_live(const char *base, uint32_t seconds, const struct source_options *src, struct snapset *set,
		      bool quiet)
{
	struct err ferr;
	if (!fetch_init(&ferr)) {
		cli_error("%s", ferr.msg);
		return false;
	}
	struct live_fetch lf[2];
	for (int i = 0; i < 2; i++) {
		memset(&lf[i], 0, sizeof(lf[i]));
		char endpoint[64];
		snprintf(endpoint, sizeof(endpoint), "%s?seconds=%u", i ? "mutex" : "block", seconds);
		if (!pprof_url(lf[i].url, sizeof(lf[i].url), base, endpoint)) {
			cli_error("'%.200s...': URL too long", base);
			return false;
		}
		lf[i].src = *src;
		/* the endpoint says which profile it is; protobuf cannot */
		lf[i].src.contention_kind = i ? PROF_MUTEX : PROF_BLOCK;
		/* the server holds each request for N seconds: allow for it */
		lf[i].src.fetch.timeout_ms = MAX(src->fetch.timeout_ms, (long)seconds * 1000 + 15000);
		snapset_init(&lf[i].set);
	}
	if (!quiet)
		fprintf(stderr, "goroscope: profiling block and mutex contention for %u s...\n", seconds);
	pthread_t tid;
	bool threaded = pthread_create(&tid, NULL, fetch_one, &lf[1]) == 0;
	fetch_one(&lf[0]);
	if (threaded)
		pthread_join(tid, NULL);
	else
		fetch_one(&lf[1]);
	bool ok = true;
	for (int i = 0; i < 2; i++) {
		if (!lf[i].ok) {
			cli_error("%s", lf[i].err.msg);
			ok = false;
		}
		for (uint32_t k = 0; k < lf[i].set.n; k++) {
			if (!quiet)
				cli_print_warnings(lf[i].set.v[k]);
			snapset_push(set, lf[i].set.v[k]);
		}
		lf[i].set.n = 0;
		snapset_free(&lf[i].set);
	}
	char url[PPROF_URL_MAX];
	if (ok && pprof_url(url, sizeof(url), base, pprof_goroutine_endpoint(PPROF_DEBUG2)))
		(void)source_load(url, src, set, NULL, NULL); /* optional: only for parked-now counts */
	return ok;
}

static int run(int argc, char **argv)
{
	struct contention_args a = {.color = -1};
	contention_options_default(&a.co);
	cli_source_defaults(&a.src);
	a.src.capture = SOURCE_CAPTURE_CONTENTION_REQUIRED;
	int ninputs;
	int rc = cli_parse_or_exit(&command_contention, argc, argv, &a, &ninputs);
	if (rc >= 0)
		return rc;
	if (ninputs == 0) {
		cli_error("contention needs block or mutex profiles (see 'goroscope contention --help')");
		return EXIT_ERROR;
	}
	a.text.color = !a.json && !a.folded && !a.html && !a.output && cli_want_color(a.color);
	struct snapset set;
	snapset_init(&set);
	rc = EXIT_ERROR;
	bool live = a.seconds && ninputs == 1 && fetch_is_url(argv[0]);
	if (a.seconds && !live) {
		cli_error("--seconds takes one base URL (http://host:port)");
		return EXIT_ERROR;
	}
	bool loaded = live ? load_live(argv[0], a.seconds, &a.src, &set, a.quiet)
			   : cli_load_inputs(&a.src, ninputs, argv, &set, a.quiet);
	if (loaded) {
		struct contention_result r;
		contention_run(set.v, set.n, &a.co, &r);
		if (!r.nprofiles) {
			cli_error("no block or mutex profile among the inputs");
		} else if (!a.output || cli_redirect_stdout(a.output)) {
			struct buf out;
			buf_init(&out);
			bool ok;
			if (a.html) {
				report_contention_json(&out, &r);
				char title[1200];
				snprintf(title, sizeof(title), "goroscope contention: %s", argv[0]);
				ok = cli_write_html(title, &out);
			} else {
				if (a.json)
					report_contention_json(&out, &r);
				else if (a.folded)
					report_contention_folded(&out, &r, set.v, set.n);
				else
					report_contention_text(&out, &r, &a.text);
				ok = cli_write_stdout(out.p, out.len);
			}
			rc = ok ? EXIT_OK : EXIT_ERROR;
			buf_free(&out);
		}
		contention_free(&r);
	}
	snapset_free(&set);
	return rc;
}

const struct cli_command command_contention = {
	.name = "contention",
	.summary = "rank contention sites of block and mutex profiles, idle waiting apart",
	.synopsis = "usage: goroscope contention [options] PROFILE...\n"
		    "       goroscope contention [options] --seconds N URL",
	.description =
		"Rank where goroutines waited, from block and mutex profiles (debug=1 text\n"
		"or protobuf, by content; capture directories give theirs): per site - the\n"
		"first frame in user code and the wait primitive (lock, chan send/receive,\n"
		"select, Cond, WaitGroup; for a mutex profile the Unlock whose holder made\n"
		"others wait) - the events, the time blocked, the mean per event and the\n"
		"share of the contention. Idle waiting (a coordinator in WaitGroup.Wait,\n"
		"workers parked on a queue, profiling requests) is set apart with the\n"
		"reason, so the top of the list is the real bottleneck. Goroutine dumps or\n"
		"profiles given too tell how many goroutines are parked at each site now.\n"
		"\n"
		"Live: with a base URL and --seconds N, the block and mutex profiles of the\n"
		"next N seconds are requested together (the server waits N seconds), and a\n"
		"debug=2 goroutine dump is taken for the parked-now counts. An empty profile\n"
		"means that kind of profiling is off in the program: the report says how to\n"
		"turn it on.\n",
	.uses = uses,
	.epilogue = "Exit status: 0 ok, 2 usage or input error.\n",
	.run = run,
};
