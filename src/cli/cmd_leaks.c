/* cmd_leaks.c: `goroscope leaks SNAPSHOT...`: follow groups of goroutines
 * through snapshots in time order and name the ones that leak
 * (analyze/series.h). */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/group.h"
#include "../analyze/series.h"
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "../fetch/fetch.h"
#include "../report/report.h"

#include <errno.h>
#include <time.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

const char usage_leaks[] =
	"usage: goroscope leaks [options] SNAPSHOT...\n"
	"       goroscope leaks [options] URL [--every D] [--count N | --for D]\n"
	"\n"
	"Name the goroutines that leak, from snapshots of one process in time order:\n"
	"files (any format 'analyze' reads; a file holding several dumps gives them\n"
	"all, in order). A group leaks when it grows and keeps its goroutines: the\n"
	"count rises step after step and, where goroutine ids exist (text dumps),\n"
	"each snapshot's goroutines are still there in the next. Fixed pools, idle\n"
	"loops, bursts that drain, goroutines that come and go with load, and\n"
	"profiling requests are told apart; goroutines of a goroutineleak profile\n"
	"are proven leaks. Each leak comes with its stack, count series, growth,\n"
	"evidence and confidence, blocking site, creator, likely cause and fix, and\n"
	"the memory it pins (estimate).\n"
	"\n"
	"Times: protobuf profiles carry theirs; otherwise each file's modification\n"
	"time when every file holds one snapshot; --interval sets them.\n"
	"\n"
	"Live: with one URL (a base such as http://127.0.0.1:6060, or a pprof\n"
	"URL), goroscope takes the snapshots itself, --every D apart (default 5s),\n"
	"--count N of them (default 7) or for --for D, with progress on stderr.\n"
	"--format auto (default) takes debug=2 (goroutine ids and wait minutes: the\n"
	"strongest evidence) while the target has at most 10,000 goroutines, and the\n"
	"cheap protobuf profile above that (debug=2 stops the target's world for the\n"
	"whole dump). When the target serves /debug/pprof/goroutineleak (Go 1.26+),\n"
	"its listing is taken at the end as proof.\n"
	"\n"
	"  --json               JSON with a top-level \"leaks\" array (docs/json.md)\n"
	"  --html               one self-contained HTML page: the timeline of the\n"
	"                       snapshots and of each leak's count, the leaks with\n"
	"                       cause and fix\n"
	"  -o, --output FILE    write to FILE instead of standard output\n"
	"  --fail-on-leak       exit 1 when a leak is reported (for CI)\n"
	"  --interval D         the snapshots are D apart (5s, 500ms, 2m)\n"
	"  --every D            live: time between snapshots (default 5s)\n"
	"  --count N            live: snapshots to take (default 7, at least 2)\n"
	"  --for D              live: sample for D (instead of --count)\n"
	"  --min-growth N       goroutines a leak must gain over the series (default 3)\n"
	"  --by MODE            stack (default), top=N, creator\n"
	"  --all                include runtime goroutines\n"
	"  -m, --match RE       keep groups matching RE (as in analyze)\n"
	"  -f, --filter RE      drop groups matching RE\n"
	"  --label KEY=RE       keep goroutines by pprof label (repeatable)\n"
	"  --limit N            leaks printed as text (default 20; 0 = all)\n"
	"  --frames N           frames per leak as text (default 8; 0 = all)\n"
	"  --full-path          full file paths in text\n"
	"  --color=WHEN         auto, always, never\n"
	"  -q, --quiet          no warnings on stderr\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 ok, 1 a leak was reported and --fail-on-leak was given,\n"
	"2 usage or input error.\n";

/* "5s", "500ms", "2m", "1h" or plain seconds, to nanoseconds; -1 if bad. */
static int64_t parse_duration(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || !(v > 0) || v > 1e7)
		return -1;
	double unit = 1e9;
	if (!strcmp(end, "ms"))
		unit = 1e6;
	else if (!strcmp(end, "m"))
		unit = 60e9;
	else if (!strcmp(end, "h"))
		unit = 3600e9;
	else if (*end && strcmp(end, "s"))
		return -1;
	return (int64_t)(v * unit);
}

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

/* Take count snapshots of url, every_ns apart, into set (with their times
 * in taken[]); then the goroutineleak profile, if served, into proof. The
 * format: --format, or auto (debug=2 while the target is small). */
static bool sample_live(const char *url, int64_t every_ns, uint32_t count, struct snapset *set, int64_t *taken,
			struct snapset *proof, bool quiet)
{
	enum cli_format asked = cli_format;
	enum cli_format f = asked == CLI_FORMAT_AUTO ? CLI_FORMAT_DEBUG2 : asked;
	int64_t start = now_ns();
	uint64_t prev = 0;
	for (uint32_t i = 0; i < count; i++) {
		sleep_until(start + (int64_t)i * every_ns);
		cli_format = f;
		taken[i] = now_ns();
		uint32_t before = set->n;
		if (!cli_load_inputs(1, (char **)&url, set, true))
			return false;
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
		if (asked == CLI_FORMAT_AUTO && f == CLI_FORMAT_DEBUG2 && n > 10000) {
			f = CLI_FORMAT_PPROF;
			if (!quiet)
				fprintf(stderr, "goroscope: over 10,000 goroutines: the next snapshots use the protobuf profile "
						"(debug=2 stops the target's world)\n");
		}
	}
	cli_format = asked;
	/* the runtime's own verdict (Go 1.26+), if served */
	if (!strstr(url, "/debug/pprof/")) {
		char leak_url[2048];
		size_t n = strlen(url);
		while (n && url[n - 1] == '/')
			n--;
		snprintf(leak_url, sizeof(leak_url), "%.*s/debug/pprof/goroutineleak", (int)MIN(n, (size_t)2000), url);
		unsigned retries = cli_fetch.retries;
		cli_fetch.retries = 0;
		/* a 404 here only means Go < 1.26: not an error to report */
		bool got = cli_load_url(leak_url, proof, true, false);
		cli_fetch.retries = retries;
		if (!quiet)
			fprintf(stderr, got ? "goroscope: the target serves goroutineleak: its listing is taken as proof\n"
					    : "goroscope: no goroutineleak profile served (Go 1.26+ has one): growth is the evidence\n");
	}
	return true;
}

int cmd_leaks(int argc, char **argv)
{
	enum { O_JSON = 256, O_FAIL, O_INTERVAL, O_MINGROWTH,
	       O_EVERY, O_COUNT, O_FOR, O_HTML };
	static const struct option opts[] = {
		{"json", no_argument, 0, O_JSON},
		{"html", no_argument, 0, O_HTML},
		{"output", required_argument, 0, 'o'},
		{"fail-on-leak", no_argument, 0, O_FAIL},
		{"interval", required_argument, 0, O_INTERVAL},
		{"every", required_argument, 0, O_EVERY},
		{"count", required_argument, 0, O_COUNT},
		{"for", required_argument, 0, O_FOR},
		{"min-growth", required_argument, 0, O_MINGROWTH},
		CLI_GROUP_OPTIONS,
		{"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},
		CLI_VIEW_OPTIONS,
		CLI_NET_OPTIONS,
		{0, 0, 0, 0},
	};
	struct group_options go;
	group_options_default(&go);
	struct series_options so;
	series_options_default(&so);
	struct text_options to = {.max_groups = 20, .max_frames = 8};
	struct cli_filter_args fa = {0};
	bool json = false, html = false, quiet = false, fail_on_leak = false;
	const char *output = NULL;
	int64_t interval = 0, every = 5000000000LL, duration = 0;
	uint32_t count = 7;
	int color = -1;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:f:o:qhH:", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = true; break;
		case O_HTML: html = true; break;
		case 'o': output = optarg; break;
		case O_FAIL: fail_on_leak = true; break;
		case O_INTERVAL:
			interval = parse_duration(optarg);
			if (interval < 0) {
				cli_error("--interval needs a duration such as 5s, 500ms or 2m, got '%s'", optarg);
				return EXIT_ERROR;
			}
			break;
		case O_EVERY:
		case O_FOR: {
			int64_t d = parse_duration(optarg);
			if (d < 0) {
				cli_error("%s needs a duration such as 5s, 500ms or 2m, got '%s'",
					  c == O_EVERY ? "--every" : "--for", optarg);
				return EXIT_ERROR;
			}
			*(c == O_EVERY ? &every : &duration) = d;
			break;
		}
		case O_COUNT:
			if (!cli_parse_count("--count", optarg, &count))
				return EXIT_ERROR;
			if (count < 2 || count > 10000) {
				cli_error("--count needs 2 to 10000 snapshots");
				return EXIT_ERROR;
			}
			break;
		case O_MINGROWTH:
			if (!cli_parse_count("--min-growth", optarg, &so.min_growth))
				return EXIT_ERROR;
			if (!so.min_growth)
				so.min_growth = 1;
			break;
		case 'q': quiet = true; break;
		case 'h': cli_print_usage(usage_leaks); return EXIT_OK;
		default: {
			int r = cli_group_option(c, optarg, &go);
			if (r == 0)
				r = cli_view_option(c, optarg, &to, &color, &fa);
			if (r < 0 || (r == 0 && !cli_other_option(c, optarg, argv, "leaks")))
				return EXIT_ERROR;
			break;
		}
		}
	}
	if (go.by == GROUP_STATE || go.by == GROUP_LABEL) {
		cli_error("leaks follow groups by stack: --by stack, top=N or creator");
		return EXIT_ERROR;
	}
	int ninputs = argc - optind;
	if (ninputs < 1) {
		cli_error("leaks needs snapshots in time order (see 'goroscope leaks --help')");
		return EXIT_ERROR;
	}
	to.color = !json && !html && !output && cli_want_color(color);
	struct filter filter;
	if (!cli_build_filter(&fa, &filter))
		return EXIT_ERROR;
	go.filter = &filter;

	/* Every snapshot of every input, with a time where one is known. */
	struct snapset set, proof_set;
	snapset_init(&set);
	snapset_init(&proof_set);
	int64_t *mtime = xcalloc((size_t)ninputs, sizeof(*mtime));
	uint32_t *from = NULL; /* input index of each snapshot */
	int64_t *taken = NULL; /* live: when each snapshot was taken */
	int rc = EXIT_ERROR;
	bool one_each = true;
	bool live = ninputs == 1 && fetch_is_url(argv[optind]);
	if (live) {
		if (duration)
			count = (uint32_t)MIN(MAX(duration / every + 1, 2), 10000);
		taken = xcalloc(count, sizeof(*taken));
		if (!sample_live(argv[optind], every, count, &set, taken, &proof_set, quiet))
			goto out;
	}
	for (int i = 0; i < ninputs && !live; i++) {
		uint32_t before = set.n;
		if (!cli_load_inputs(1, argv + optind + i, &set, quiet))
			goto out;
		struct stat sb;
		if (strcmp(argv[optind + i], "-") && stat(argv[optind + i], &sb) == 0)
			mtime[i] = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
		one_each = one_each && set.n == before + 1;
		from = xreallocarray(from, set.n, sizeof(*from));
		for (uint32_t k = before; k < set.n; k++)
			from[k] = (uint32_t)i;
	}
	struct series_point *pts = xcalloc(set.n, sizeof(*pts));
	struct analysis *an = xcalloc(set.n, sizeof(*an));
	bool all_proto_times = true;
	for (uint32_t k = 0; k < set.n; k++)
		all_proto_times = all_proto_times && set.v[k]->time_nanos > 0;
	for (uint32_t k = 0; k < set.n; k++) {
		analysis_run(set.v[k], &go, &an[k]);
		pts[k].a = &an[k];
		if (live)
			pts[k].when_ns = taken[k];
		else if (interval)
			pts[k].when_ns = 1 + (int64_t)k * interval;
		else if (all_proto_times)
			pts[k].when_ns = set.v[k]->time_nanos;
		else if (one_each)
			pts[k].when_ns = mtime[from[k]];
	}
	struct analysis proof_an;
	if (proof_set.n) {
		analysis_run(proof_set.v[0], &go, &proof_an);
		so.proof = &proof_an;
	}
	struct series_result r;
	series_run(pts, set.n, &so, &r);
	struct buf out;
	buf_init(&out);
	bool ok = !output || cli_redirect_stdout(output);
	if (ok && html) {
		report_leaks_json(&out, pts, &r);
		char title[1200];
		snprintf(title, sizeof(title), "goroscope leaks: %s%s", set.n ? set.v[0]->source : "?",
			 set.n > 1 ? " and later snapshots" : "");
		ok = cli_write_html(title, &out);
	} else if (ok) {
		if (json)
			report_leaks_json(&out, pts, &r);
		else
			report_leaks_text(&out, pts, &r, &to);
		ok = cli_write_stdout(out.p, out.len);
	}
	buf_free(&out);
	rc = !ok ? EXIT_ERROR : fail_on_leak && r.nleaks ? EXIT_FINDINGS : EXIT_OK;
	series_free(&r);
	if (proof_set.n)
		analysis_free(&proof_an);
	for (uint32_t k = 0; k < set.n; k++)
		analysis_free(&an[k]);
	free(an);
	free(pts);
out:
	free(mtime);
	free(from);
	free(taken);
	snapset_free(&set);
	snapset_free(&proof_set);
	filter_free(&filter);
	return rc;
}
