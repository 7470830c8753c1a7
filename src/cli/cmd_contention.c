/* cmd_contention.c: `goroscope contention`: block and mutex profiles as a
 * ranked list of contention sites, idle waiting set apart
 * (analyze/contention.h). */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/contention.h"
#include "../base/buf.h"
#include "../report/report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

const char usage_contention[] =
	"usage: goroscope contention [options] PROFILE...\n"
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
	"  --json               JSON: \"contention\" and \"idle\" arrays (docs/json.md)\n"
	"  --min-mean-ms N      flag sites waiting this long per event (default 10)\n"
	"  --min-events N       ...or blocking this often (default 1000)\n"
	"  --limit N            sites printed as text (default 20; 0 = all)\n"
	"  --full-path          full file paths in text\n"
	"  --color=WHEN         auto, always, never\n"
	"  -q, --quiet          no warnings on stderr\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 ok, 2 usage or input error.\n";

int cmd_contention(int argc, char **argv)
{
	enum { O_JSON = 256, O_MINMEAN, O_MINEVENTS, O_LIMIT, O_FULL, O_COLOR };
	static const struct option opts[] = {
		{"json", no_argument, 0, O_JSON},
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
	bool json = false, quiet = false;
	int color = -1;
	uint32_t v;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qhH:", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = true; break;
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
	to.color = !json && cli_want_color(color);
	struct snapset set;
	snapset_init(&set);
	int rc = EXIT_ERROR;
	if (cli_load_inputs(argc - optind, argv + optind, &set, quiet)) {
		struct contention_result r;
		contention_run(set.v, set.n, &co, &r);
		if (!r.nprofiles) {
			cli_error("no block or mutex profile among the inputs");
		} else {
			struct buf out;
			buf_init(&out);
			if (json)
				report_contention_json(&out, &r);
			else
				report_contention_text(&out, &r, &to);
			rc = cli_write_stdout(out.p, out.len) ? EXIT_OK : EXIT_ERROR;
			buf_free(&out);
		}
		contention_free(&r);
	}
	snapset_free(&set);
	return rc;
}
