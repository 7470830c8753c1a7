/* cmd_analyze.c: `goroscope analyze`: read dumps, group and explain them,
 * print text, JSON or folded stacks. */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/group.h"
#include "../base/buf.h"
#include "../report/report.h"

#include <getopt.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char usage_analyze[] =
	"usage: goroscope analyze [options] [FILE|-]...\n"
	"\n"
	"Read goroutine dumps - Go text tracebacks of any version: debug=2 and\n"
	"runtime.Stack output, panics, fatal errors, SIGQUIT/SIGABRT and\n"
	"GOTRACEBACK=crash dumps, test timeouts, gccgo dumps, race reports - also\n"
	"inside logs (per-line prefixes, CRLF, markdown), several per file - and\n"
	"profiles: debug=1 text and pprof protobuf (gzipped or not) of goroutine,\n"
	"goroutineleak, threadcreate, block and mutex profiles. The format is\n"
	"recognised by content. Group the goroutines by stack and explain what they\n"
	"wait on, for how long, who created them, and which groups look like leaks.\n"
	"With no FILE, or FILE -, read stdin.\n"
	"\n"
	"Output:\n"
	"  --json               stable JSON (schema: docs/json.md)\n"
	"  --folded             folded stacks for flame graphs (\"root;...;leaf count\")\n"
	"  --html               one self-contained HTML page (group table, flame graph;\n"
	"                       opens offline: attach it to a ticket)\n"
	"  -o, --output FILE    write to FILE instead of standard output\n"
	"  --ids                in JSON, every goroutine id of each group (default: 5)\n"
	"  --color=WHEN         auto (default: on a terminal unless NO_COLOR is set),\n"
	"                       always, never\n"
	"  --limit N            groups to print as text (default 20; 0 = all)\n"
	"  --frames N           frames per group as text (default 12; 0 = all)\n"
	"  --full-path          full file paths in text (default: last two elements)\n"
	"Grouping and filtering:\n"
	"  --by MODE            stack (default: function+file+line of every frame and\n"
	"                       the creator), top=N (first N frames), creator, state,\n"
	"                       label:KEY (the value of pprof label KEY)\n"
	"  --label KEY=RE       keep goroutines whose pprof label KEY matches the\n"
	"                       extended regex RE (whole value); repeatable, all must\n"
	"                       match\n"
	"  --all                include runtime/system goroutines (hidden by default)\n"
	"  -m, --match RE       keep groups whose functions (with package path),\n"
	"                       creator or state match the extended regex RE\n"
	"  -f, --filter RE      drop groups that match RE\n"
	"  --pick N             only the Nth dump found in the inputs (1-based, or last)\n"
	"Leak suspicion on one snapshot (confirm with several snapshots):\n"
	"  --leak-min-count N   suspect a blocking site holding N goroutines (default 10)\n"
	"  --leak-min-minutes M ...or whose median wait is M minutes or more (default 10)\n"
	"  --fail-on-leak       exit 1 when a leak is suspected\n"
	"  --fail-on-race       exit 1 when a data race report is found\n"
	"Other:\n"
	"  -q, --quiet          no warnings on stderr\n"
	"  --threads N          threads for reading one large file (default: the\n"
	"                       number of CPUs, at most 16)\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 ok, 1 findings asked for with --fail-on-*, 2 usage or input error.\n";

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
};

/* Returns EXIT_OK to go on, or an exit code to stop with. */
static int parse_args(int argc, char **argv, struct analyze_args *a, int *first_input)
{
	enum { O_JSON = 256, O_FOLDED, O_HTML, O_COLOR, O_LIMIT, O_FRAMES, O_FULL, O_BY, O_ALL, O_PICK,
	       O_LEAKN, O_LEAKM, O_FAILLEAK, O_FAILRACE, O_IDS, O_THREADS, O_LABEL };
	static const struct option opts[] = {
		{"json", no_argument, 0, O_JSON},
		{"folded", no_argument, 0, O_FOLDED},
		{"html", no_argument, 0, O_HTML},
		{"output", required_argument, 0, 'o'},
		{"ids", no_argument, 0, O_IDS},
		{"color", required_argument, 0, O_COLOR},
		{"colour", required_argument, 0, O_COLOR},
		{"limit", required_argument, 0, O_LIMIT},
		{"frames", required_argument, 0, O_FRAMES},
		{"full-path", no_argument, 0, O_FULL},
		{"by", required_argument, 0, O_BY},
		{"all", no_argument, 0, O_ALL},
		{"label", required_argument, 0, O_LABEL},
		{"match", required_argument, 0, 'm'},
		{"filter", required_argument, 0, 'f'},
		{"pick", required_argument, 0, O_PICK},
		{"leak-min-count", required_argument, 0, O_LEAKN},
		{"leak-min-minutes", required_argument, 0, O_LEAKM},
		{"fail-on-leak", no_argument, 0, O_FAILLEAK},
		{"fail-on-race", no_argument, 0, O_FAILRACE},
		{"quiet", no_argument, 0, 'q'},
		{"threads", required_argument, 0, O_THREADS},
		{"help", no_argument, 0, 'h'},
		CLI_NET_OPTIONS,
		{0, 0, 0, 0},
	};
	struct err err = {0};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:f:o:qhH:", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: a->out = OUT_JSON; break;
		case O_HTML: a->out = OUT_HTML; break;
		case 'o': a->output = optarg; break;
		case O_FOLDED: a->out = OUT_FOLDED; break;
		case O_IDS: a->all_ids = true; break;
		case O_COLOR:
			if (!cli_parse_color(optarg, &a->color))
				return EXIT_ERROR;
			break;
		case O_LIMIT:
			if (!cli_parse_count("--limit", optarg, &a->text.max_groups))
				return EXIT_ERROR;
			break;
		case O_FRAMES:
			if (!cli_parse_count("--frames", optarg, &a->text.max_frames))
				return EXIT_ERROR;
			break;
		case O_FULL: a->text.full_paths = true; break;
		case O_BY:
			if (group_by_parse(optarg, &a->group, &err) != ST_OK) {
				cli_error("%s", err.msg);
				return EXIT_ERROR;
			}
			break;
		case O_ALL: a->group.include_system = true; break;
		case O_LABEL:
			if (!cli_add_label(&a->filters, optarg))
				return EXIT_ERROR;
			break;
		case 'm': a->filters.match = optarg; break;
		case 'f': a->filters.drop = optarg; break;
		case O_PICK:
			if (!strcmp(optarg, "last")) {
				a->pick = -1;
			} else {
				uint32_t v;
				if (!cli_parse_count("--pick", optarg, &v) || v == 0) {
					if (v == 0)
						cli_error("--pick counts from 1");
					return EXIT_ERROR;
				}
				a->pick = v;
			}
			break;
		case O_LEAKN:
			if (!cli_parse_count("--leak-min-count", optarg, &a->group.leak_min_count))
				return EXIT_ERROR;
			break;
		case O_LEAKM:
			if (!cli_parse_count("--leak-min-minutes", optarg, &a->group.leak_min_minutes))
				return EXIT_ERROR;
			break;
		case O_FAILLEAK: a->fail_on_leak = true; break;
		case O_FAILRACE: a->fail_on_race = true; break;
		case 'q': a->quiet = true; break;
		case O_THREADS: {
			uint32_t v = 0;
			if (!cli_parse_count("--threads", optarg, &v))
				return EXIT_ERROR;
			if (v < 1 || v > 16) {
				cli_error("--threads must be from 1 to 16");
				return EXIT_ERROR;
			}
			cli_threads = (int)v;
			break;
		}
		case 'h':
			cli_print_usage(usage_analyze);
			return -1;
		default:
			if (!cli_other_option(c, optarg, argv, "analyze"))
				return EXIT_ERROR;
			break;
		}
	}
	*first_input = optind;
	return EXIT_OK;
}

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

int cmd_analyze(int argc, char **argv)
{
	struct analyze_args a = {.out = OUT_TEXT, .color = -1};
	a.text.max_groups = 20;
	a.text.max_frames = 12;
	group_options_default(&a.group);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cli_threads = ncpu < 1 ? 1 : ncpu > 16 ? 16 : (int)ncpu;
	int first;
	int rc = parse_args(argc, argv, &a, &first);
	if (rc == -1)
		return EXIT_OK;
	if (rc != EXIT_OK)
		return rc;
	a.text.color = a.out == OUT_TEXT && cli_want_color(a.color);

	struct filter filter;
	if (!cli_build_filter(&a.filters, &filter))
		return EXIT_ERROR;
	a.group.filter = &filter;

	/* GOROSCOPE_TIMING=1: time spent reading and analysing, on stderr
	 * (for benchmark work; docs/internals/traceback-reader.md). */
	bool timing = getenv("GOROSCOPE_TIMING") != NULL;
	double t0 = timing ? now_seconds() : 0, t_read = 0, t_analyze = 0;
	struct snapset set;
	snapset_init(&set);
	if (!cli_load_inputs(argc - first, argv + first, &set, a.quiet)) {
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
	struct buf out;
	buf_init(&out);
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
		if (a.fail_on_leak && an.nsuspects)
			findings = true;
		if (a.fail_on_race && (set.v[i]->nraces || set.v[i]->races_reported))
			findings = true;
		switch (a.out) {
		case OUT_TEXT: report_text(&out, &an, dumps_in_source(&set, set.v[i]), &a.text); break;
		case OUT_JSON:
		case OUT_HTML: report_json_snapshot(&out, &an, i == lo, a.all_ids); break;
		case OUT_FOLDED: report_folded(&out, &an); break;
		}
		analysis_free(&an);
		/* Stream per snapshot so many dumps never pile up in memory (the
		 * HTML page needs its whole document first). */
		if (a.out != OUT_HTML && (a.out != OUT_JSON || out.len > (1u << 20))) {
			ok = ok && cli_write_stdout(out.p, out.len);
			buf_reset(&out);
		}
	}
	if (json_doc)
		report_json_end(&out, total);
	if (a.out == OUT_HTML) {
		char title[600];
		snprintf(title, sizeof(title), "goroscope: %s", hi > lo ? set.v[lo]->source : "dump");
		ok = ok && cli_write_html(title, &out);
	} else {
		ok = ok && cli_write_stdout(out.p, out.len);
	}
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
