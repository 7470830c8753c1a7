/* cmd_diff.c: `goroscope diff OLD NEW`: what changed between two snapshots
 * of one process (analyze/diff.h). */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/diff.h"
#include "../analyze/group.h"
#include "../base/buf.h"
#include "../report/report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char usage_diff[] =
	"usage: goroscope diff [options] OLD NEW\n"
	"       goroscope diff [options] FILE   (its first and last dump)\n"
	"\n"
	"Compare two snapshots of one process: which groups of goroutines are new,\n"
	"gone, grown or shrunk, with counts and deltas, largest change first. Inputs\n"
	"are any format 'analyze' reads, and may differ (a debug=2 dump against a\n"
	"protobuf profile): groups are matched by their stacks from the first frame\n"
	"outside the runtime (and the creator, when both inputs have creators).\n"
	"When both are text dumps, goroutines are also followed by id: how many\n"
	"persisted, how many are new, how many exited, and per group how many of\n"
	"its goroutines were already there. A file holding several dumps stands\n"
	"for its last one.\n"
	"\n"
	"  --json               JSON (schema: docs/json.md, \"diff\")\n"
	"  --html               one self-contained HTML page: diff flame graph\n"
	"                       (growth red, shrinkage blue) and the groups by change\n"
	"  -o, --output FILE    write to FILE instead of standard output\n"
	"  --by MODE            stack (default), top=N, creator, state, label:KEY\n"
	"  --all                include runtime goroutines\n"
	"  -m, --match RE       keep groups matching RE (as in analyze)\n"
	"  -f, --filter RE      drop groups matching RE\n"
	"  --label KEY=RE       keep goroutines by pprof label (repeatable)\n"
	"  --limit N            changed groups printed as text (default 20; 0 = all)\n"
	"  --frames N           frames per group as text (default 6; 0 = all)\n"
	"  --full-path          full file paths in text\n"
	"  --color=WHEN         auto, always, never\n"
	"  -q, --quiet          no warnings on stderr\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 ok, 2 usage or input error.\n";

int cmd_diff(int argc, char **argv)
{
	enum { O_JSON = 256, O_HTML };
	static const struct option opts[] = {
		{"json", no_argument, 0, O_JSON},
		{"html", no_argument, 0, O_HTML},
		{"output", required_argument, 0, 'o'},
		CLI_GROUP_OPTIONS,
		{"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},
		CLI_VIEW_OPTIONS,
		CLI_NET_OPTIONS,
		{0, 0, 0, 0},
	};

	struct group_options go;
	group_options_default(&go);
	struct text_options to = {.max_groups = 20, .max_frames = 6};
	struct cli_filter_args fa = {0};
	bool json = false, html = false, quiet = false;
	const char *output = NULL;
	int color = -1;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:f:o:qhH:", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = true; break;
		case O_HTML: html = true; break;
		case 'o': output = optarg; break;
		case 'q': quiet = true; break;
		case 'h': cli_print_usage(usage_diff); return EXIT_OK;
		default: {
			int r = cli_group_option(c, optarg, &go);
			if (r == 0)
				r = cli_view_option(c, optarg, &to, &color, &fa);
			if (r < 0 || (r == 0 && !cli_other_option(c, optarg, argv, "diff")))
				return EXIT_ERROR;
			break;
		}
		}
	}
	int ninputs = argc - optind;
	if (ninputs < 1 || ninputs > 2) {
		cli_error("diff needs OLD and NEW, or one file holding several dumps (see 'goroscope diff --help')");
		return EXIT_ERROR;
	}
	to.color = !json && !html && !output && cli_want_color(color);
	struct filter filter;
	if (!cli_build_filter(&fa, &filter))
		return EXIT_ERROR;
	go.filter = &filter;

	struct snapset sets[2];
	snapset_init(&sets[0]);
	snapset_init(&sets[1]);
	const struct snapshot *old = NULL, *new = NULL;
	int rc = EXIT_ERROR;
	if (!cli_load_inputs(1, argv + optind, &sets[0], quiet))
		goto out;
	if (ninputs == 2) {
		if (!cli_load_inputs(1, argv + optind + 1, &sets[1], quiet))
			goto out;
		old = sets[0].v[sets[0].n - 1];
		new = sets[1].v[sets[1].n - 1];
	} else {
		if (sets[0].n < 2) {
			cli_error("'%s' holds one dump: give OLD and NEW", argv[optind]);
			goto out;
		}
		old = sets[0].v[0];
		new = sets[0].v[sets[0].n - 1];
	}
	if (output && !cli_redirect_stdout(output))
		goto out;
	struct analysis a_old, a_new;
	analysis_run(old, &go, &a_old);
	analysis_run(new, &go, &a_new);
	struct diff d;
	diff_run(&a_old, &a_new, &d);
	struct buf out;
	buf_init(&out);
	bool ok;
	if (html) {
		report_diff_json(&out, &d);
		char title[1200];
		snprintf(title, sizeof(title), "goroscope diff: %s → %s", old->source, new->source);
		ok = cli_write_html(title, &out);
	} else {
		if (json)
			report_diff_json(&out, &d);
		else
			report_diff_text(&out, &d, &to);
		ok = cli_write_stdout(out.p, out.len);
	}
	rc = ok ? EXIT_OK : EXIT_ERROR;
	buf_free(&out);
	diff_free(&d);
	analysis_free(&a_old);
	analysis_free(&a_new);
out:
	snapset_free(&sets[0]);
	snapset_free(&sets[1]);
	filter_free(&filter);
	return rc;
}
