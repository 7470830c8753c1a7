/* cmd_diff.c: `goroscope diff OLD NEW`: what changed between two snapshots
 * of one process (analyze/diff.h). */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/diff.h"
#include "../analyze/group.h"
#include "../analyze/order.h"
#include "../base/buf.h"
#include "../report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct diff_args {
	bool json, html, quiet;
	const char *output;
	struct group_options group;
	struct text_options text;
	struct cli_filter_args filters;
	int color;
	struct source_options src;
};

enum { O_JSON, O_HTML };

static const struct opt output_opts[] = {
	{"json", 0, OV_FLAG, NULL, "JSON (schema: docs/json.md, \"diff\")", NULL, NULL, O_JSON},
	{"html", 0, OV_FLAG, NULL,
	 "one self-contained HTML page: diff flame graph (growth red, shrinkage blue) and the groups by change", NULL,
	 NULL, O_HTML},
};

static bool take(void *target, int id, const char *v)
{
	(void)v;
	struct diff_args *a = target;
	switch (id) {
	case O_JSON: a->json = true; return true;
	case O_HTML: a->html = true; return true;
	}
	return false;
}

static const struct opt_group output_group = {"Output:", output_opts, ARRAY_LEN(output_opts), take};
static const char *const frames_6[] = {"frames=6", NULL};

static const struct opt_use uses[] = {
	{&output_group, 0, NULL},
	CLI_USE_TEXT_OUTPUT(struct diff_args),
	{&opt_group_frames, offsetof(struct diff_args, text), frames_6},
	CLI_USE_GROUPING(struct diff_args),
	{&opt_group_quiet, offsetof(struct diff_args, quiet), NULL},
	CLI_USE_LIVE(struct diff_args, src),
	{NULL, 0, NULL},
};

static int run(int argc, char **argv)
{
	struct diff_args a = {.color = -1};
	group_options_default(&a.group);
	cli_source_defaults(&a.src);
	int ninputs;
	int rc = cli_parse_or_exit(&command_diff, argc, argv, &a, &ninputs);
	if (rc >= 0)
		return rc;
	if (ninputs < 1 || ninputs > 2) {
		cli_error("diff needs OLD and NEW, or one file holding several dumps (see 'goroscope diff --help')");
		return EXIT_ERROR;
	}
	a.text.color = !a.json && !a.html && !a.output && cli_want_color(a.color);
	struct filter filter;
	if (!cli_build_filter(&a.filters, &filter))
		return EXIT_ERROR;
	a.group.filter = &filter;

	struct snapset sets[2];
	snapset_init(&sets[0]);
	snapset_init(&sets[1]);
	const struct snapshot *old = NULL, *new = NULL;
	rc = EXIT_ERROR;
	/* both at once */
	if (!cli_load_inputs_apart(&a.src, ninputs, argv, sets, a.quiet))
		goto out;
	if (ninputs == 1 && sets[0].n < 2) {
		cli_error("'%s' holds one dump: give OLD and NEW", argv[0]);
		goto out;
	}
	/* OLD and NEW, or the dumps of one file, in time order from the evidence
	 * they carry: given the other way round, they are compared in time order */
	const struct snapshot *pair[2];
	const struct snapshot *const *cand = pair;
	uint32_t ncand = 2;
	if (ninputs == 2) {
		pair[0] = sets[0].v[sets[0].n - 1];
		pair[1] = sets[1].v[sets[1].n - 1];
	} else {
		cand = (const struct snapshot *const *)sets[0].v;
		ncand = sets[0].n;
	}
	struct order_result ord;
	order_snapshots(cand, ncand, &ord);
	old = cand[ord.perm[0]];
	new = cand[ord.perm[ncand - 1]];
	if (a.output && !cli_redirect_stdout(a.output)) {
		order_free(&ord);
		goto out;
	}
	struct analysis both[2];
	const struct snapshot *old_new[2] = {old, new};
	analysis_run_all(old_new, 2, &a.group, both);
	struct analysis a_old = both[0], a_new = both[1];
	struct diff d;
	diff_run(&a_old, &a_new, &d);
	struct buf out;
	buf_init(&out);
	bool ok;
	if (a.html) {
		report_diff_json(&out, &d, &ord);
		char title[1200];
		snprintf(title, sizeof(title), "goroscope diff: %s → %s", old->source, new->source);
		ok = cli_write_html(title, &out);
	} else {
		if (a.json)
			report_diff_json(&out, &d, &ord);
		else
			report_diff_text(&out, &d, &ord, &a.text);
		ok = cli_write_stdout(out.p, out.len);
	}
	rc = ok ? EXIT_OK : EXIT_ERROR;
	buf_free(&out);
	diff_free(&d);
	analysis_free(&a_old);
	analysis_free(&a_new);
	order_free(&ord);
out:
	snapset_free(&sets[0]);
	snapset_free(&sets[1]);
	filter_free(&filter);
	return rc;
}

const struct cli_command command_diff = {
	.name = "diff",
	.summary = "what changed between two snapshots: groups new, gone, grown, shrunk",
	.synopsis = "usage: goroscope diff [options] OLD NEW\n"
		    "       goroscope diff [options] FILE   (its first and last dump)",
	.description =
		"Compare two snapshots of one process: which groups of goroutines are new,\n"
		"gone, grown or shrunk, with counts and deltas, largest change first. Inputs\n"
		"are any format 'analyze' reads, and may differ (a debug=2 dump against a\n"
		"protobuf profile): groups are matched by their stacks from the first frame\n"
		"outside the runtime (and the creator, when both inputs have creators).\n"
		"When both are text dumps, goroutines are also followed by id: how many\n"
		"persisted, how many are new, how many exited, and per group how many of\n"
		"its goroutines were already there. A file holding several dumps stands\n"
		"for its last one. Given NEW before OLD (by their own times, else their\n"
		"goroutine ids, else file times), they are compared in time order, and the\n"
		"report says so.\n",
	.uses = uses,
	.epilogue = "Exit status: 0 ok, 2 usage or input error.\n",
	.run = run,
};
