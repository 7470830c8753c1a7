/* cmd_contention.c: `goroscope contention`: block and mutex profiles as a
 * ranked list of contention sites, idle waiting set apart
 * (analyze/contention.h). */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/contention.h"
#include "../base/buf.h"
#include "../report/report.h"

#include "../fetch/fetch.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

const char usage_contention[] =
	"usage: goroscope contention [options] PROFILE...\n"
	"       goroscope contention [options] --seconds N URL\n"
	"\n"
	"Rank where goroutines waited, from block and mutex profiles (debug=1 text\n"
	"or protobuf, by content): per site - the first frame in user code and the\n"
	"wait primitive (lock, chan send/receive, select, Cond, WaitGroup; for a\n"
	"mutex profile the Unlock whose holder made others wait) - the events, the\n"
	"time blocked, the mean per event and the share of the contention. Idle\n"
	"waiting (a coordinator in WaitGroup.Wait, workers parked on a queue,\n"
	"profiling requests) is set apart with the reason, so the top of the list\n"
	"is the real bottleneck. Goroutine dumps or profiles given too tell how many\n"
	"goroutines are parked at each site right now.\n"
	"\n"
	"Live: with a base URL and --seconds N, the block and mutex profiles of the\n"
	"next N seconds are requested together (the server waits N seconds), and a\n"
	"debug=2 goroutine dump is taken for the parked-now counts. An empty profile\n"
	"means that kind of profiling is off in the program: the report says how to\n"
	"turn it on.\n"
	"\n"
	"  --json               JSON: \"contention\" and \"idle\" arrays (docs/json.md)\n"
	"  --folded             folded stacks weighted by nanoseconds blocked\n"
	"  --html               one self-contained HTML page: flame graph of the time\n"
	"                       blocked, the sites table with holders\n"
	"  -o, --output FILE    write to FILE instead of standard output\n"
	"  --seconds N          live: profile the next N seconds (1 to 3600)\n"
	"  --min-mean-ms N      flag sites waiting this long per event (default 10)\n"
	"  --min-events N       ...or blocking this often (default 1000)\n"
	"  --limit N            sites printed as text (default 20; 0 = all)\n"
	"  --full-path          full file paths in text\n"
	"  --color=WHEN         auto, always, never\n"
	"  -q, --quiet          no warnings on stderr\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 ok, 2 usage or input error.\n";

struct live_fetch {
	char url[2048];
	struct snapset set;
	bool ok;
	bool quiet;
};

static void *fetch_one(void *arg)
{
	struct live_fetch *lf = arg;
	lf->ok = cli_load_url(lf->url, &lf->set, lf->quiet, true);
	return NULL;
}

/* The block and mutex profiles of the next N seconds, requested together,
 * then a debug=2 dump for the parked-now counts. */
static bool load_live(const char *base, uint32_t seconds, struct snapset *set, bool quiet)
{
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	struct err ferr;
	if (!fetch_init(&ferr)) {
		cli_error("%s", ferr.msg);
		return false;
	}
	struct live_fetch lf[2];
	for (int i = 0; i < 2; i++) {
		memset(&lf[i], 0, sizeof(lf[i]));
		snprintf(lf[i].url, sizeof(lf[i].url), "%.*s/debug/pprof/%s?seconds=%u", (int)MIN(n, (size_t)2000), base,
			 i ? "mutex" : "block", seconds);
		snapset_init(&lf[i].set);
		lf[i].quiet = quiet;
	}
	/* the server holds each request for N seconds: allow for it */
	long timeout = cli_fetch.timeout_ms;
	cli_fetch.timeout_ms = MAX(timeout, (long)seconds * 1000 + 15000);
	if (!quiet)
		fprintf(stderr, "goroscope: profiling block and mutex contention for %u s...\n", seconds);
	pthread_t tid;
	bool threaded = pthread_create(&tid, NULL, fetch_one, &lf[1]) == 0;
	fetch_one(&lf[0]);
	if (threaded)
		pthread_join(tid, NULL);
	else
		fetch_one(&lf[1]);
	cli_fetch.timeout_ms = timeout;
	bool ok = lf[0].ok && lf[1].ok;
	for (int i = 0; i < 2; i++) {
		for (uint32_t k = 0; k < lf[i].set.n; k++) {
			struct snapshot *s = lf[i].set.v[k];
			/* the endpoint says which profile it is; protobuf cannot */
			if (s->profile == PROF_CONTENTION) {
				s->profile = i ? PROF_MUTEX : PROF_BLOCK;
				s->profile_name = i ? "mutex" : "block";
			}
			snapset_push(set, s);
		}
		lf[i].set.n = 0;
		snapset_free(&lf[i].set);
	}
	if (ok) {
		char url[2048];
		snprintf(url, sizeof(url), "%.*s/debug/pprof/goroutine?debug=2", (int)MIN(n, (size_t)2000), base);
		(void)cli_load_url(url, set, true, false); /* optional: only for parked-now counts */
	}
	return ok;
}

int cmd_contention(int argc, char **argv)
{
	enum { O_JSON = 256, O_MINMEAN, O_MINEVENTS, O_LIMIT, O_FULL, O_COLOR, O_FOLDED, O_SECONDS, O_HTML };
	static const struct option opts[] = {
		{"json", no_argument, 0, O_JSON},
		{"html", no_argument, 0, O_HTML},
		{"output", required_argument, 0, 'o'},
		{"folded", no_argument, 0, O_FOLDED},
		{"seconds", required_argument, 0, O_SECONDS},
		{"min-mean-ms", required_argument, 0, O_MINMEAN},
		{"min-events", required_argument, 0, O_MINEVENTS},
		{"limit", required_argument, 0, O_LIMIT},
		{"full-path", no_argument, 0, O_FULL},
		{"color", required_argument, 0, O_COLOR},
		{"colour", required_argument, 0, O_COLOR},
		{"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},
		CLI_NET_OPTIONS,
		{0, 0, 0, 0},
	};
	struct contention_options co;
	contention_options_default(&co);
	struct text_options to = {.max_groups = 20};
	bool json = false, html = false, quiet = false, folded = false;
	const char *output = NULL;
	uint32_t seconds = 0;
	int color = -1;
	uint32_t v;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qhH:", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = true; break;
		case O_HTML: html = true; break;
		case 'o': output = optarg; break;
		case O_FOLDED: folded = true; break;
		case O_SECONDS:
			if (!cli_parse_count("--seconds", optarg, &seconds))
				return EXIT_ERROR;
			if (seconds < 1 || seconds > 3600) {
				cli_error("--seconds needs 1 to 3600");
				return EXIT_ERROR;
			}
			break;
		case O_MINMEAN:
			if (!cli_parse_count("--min-mean-ms", optarg, &v))
				return EXIT_ERROR;
			co.min_mean_ms = v;
			break;
		case O_MINEVENTS:
			if (!cli_parse_count("--min-events", optarg, &v))
				return EXIT_ERROR;
			co.min_events = v;
			break;
		case O_LIMIT:
			if (!cli_parse_count("--limit", optarg, &to.max_groups))
				return EXIT_ERROR;
			break;
		case O_FULL: to.full_paths = true; break;
		case O_COLOR:
			if (!cli_parse_color(optarg, &color))
				return EXIT_ERROR;
			break;
		case 'q': quiet = true; break;
		case 'h': cli_print_usage(usage_contention); return EXIT_OK;
		default:
			if (!cli_other_option(c, optarg, argv, "contention"))
				return EXIT_ERROR;
			break;
		}
	}
	if (optind == argc) {
		cli_error("contention needs block or mutex profiles (see 'goroscope contention --help')");
		return EXIT_ERROR;
	}
	to.color = !json && !folded && !html && !output && cli_want_color(color);
	struct snapset set;
	snapset_init(&set);
	int rc = EXIT_ERROR;
	bool live = seconds && argc - optind == 1 && fetch_is_url(argv[optind]);
	if (seconds && !live) {
		cli_error("--seconds takes one base URL (http://host:port)");
		return EXIT_ERROR;
	}
	cli_capture_contention = CAPTURE_CONTENTION_REQUIRED;
	bool loaded = live ? load_live(argv[optind], seconds, &set, quiet)
			   : cli_load_inputs(argc - optind, argv + optind, &set, quiet);
	if (loaded) {
		struct contention_result r;
		contention_run(set.v, set.n, &co, &r);
		if (!r.nprofiles) {
			cli_error("no block or mutex profile among the inputs");
		} else if (!output || cli_redirect_stdout(output)) {
			struct buf out;
			buf_init(&out);
			bool ok;
			if (html) {
				report_contention_json(&out, &r);
				char title[1200];
				snprintf(title, sizeof(title), "goroscope contention: %s", argv[optind]);
				ok = cli_write_html(title, &out);
			} else {
				if (json)
					report_contention_json(&out, &r);
				else if (folded)
					report_contention_folded(&out, &r, set.v, set.n);
				else
					report_contention_text(&out, &r, &to);
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
