/* cmd_convert.c: `goroscope convert`: any input goroscope reads, written as
 * a gzipped pprof profile (so `go tool pprof -http` opens a text dump), as
 * JSON, or as folded stacks. */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/group.h"
#include "../base/buf.h"
#include "../base/gzip.h"
#include "../report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum target { TO_NONE, TO_PPROF, TO_JSON, TO_FOLDED };

struct convert_args {
	enum target to;
	const char *output;
	long pick;
	bool quiet;
	struct source_options src;
};

enum { O_TO, O_PICK };

static const struct opt convert_opts[] = {
	{"to", 0, OV_CHOICE, "FORM",
	 "pprof: gzipped pprof protobuf for go tool pprof, one sample per stack, state, wait minutes and label set, "
	 "the state and wait minutes as sample labels (\"state\", \"wait_minutes\"), one dump only (see --pick); "
	 "json: every goroutine grouped by stack, as 'analyze --json --all --ids' writes it; folded: folded stacks "
	 "of every goroutine (flamegraph.pl)",
	 "pprof json folded", NULL, O_TO},
	{"pick", 0, OV_OTHER, "N", "the Nth dump of the inputs (from 1, or last)", NULL, NULL, O_PICK},
};

static bool take(void *target, int id, const char *v)
{
	struct convert_args *a = target;
	switch (id) {
	case O_TO:
		a->to = !strcmp(v, "pprof") ? TO_PPROF : !strcmp(v, "json") ? TO_JSON : !strcmp(v, "folded") ? TO_FOLDED : TO_NONE;
		if (a->to == TO_NONE)
			cli_error("--to must be pprof, json or folded, got '%s'", v);
		return a->to != TO_NONE;
	case O_PICK: return cli_parse_pick("--pick", v, &a->pick);
	}
	return false;
}

static const struct opt_group convert_group = {NULL, convert_opts, ARRAY_LEN(convert_opts), take};

static const struct opt_use uses[] = {
	{&convert_group, 0, NULL},
	{&opt_group_output, offsetof(struct convert_args, output), NULL},
	{&opt_group_quiet, offsetof(struct convert_args, quiet), NULL},
	CLI_USE_LIVE(struct convert_args, src),
	{NULL, 0, NULL},
};

static bool write_all(int fd, const char *p, size_t n, const char *name)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			cli_error("cannot write '%s': %s", name, strerror(errno));
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static int run(int argc, char **argv)
{
	struct convert_args a = {0};
	cli_source_defaults(&a.src);
	int ninputs;
	int rc = cli_parse_or_exit(&command_convert, argc, argv, &a, &ninputs);
	if (rc >= 0)
		return rc;
	enum target to = a.to;
	const char *output = a.output;
	long pick = a.pick;
	if (to == TO_NONE) {
		cli_error("convert needs --to pprof, json or folded (see 'goroscope convert --help')");
		return EXIT_ERROR;
	}
	int fd = 1;
	if (!output && to == TO_PPROF && isatty(1)) {
		cli_error("refusing to write a binary profile to a terminal: use -o FILE or a redirection");
		return EXIT_ERROR;
	}
	struct snapset set;
	snapset_init(&set);
	if (!cli_load_inputs(&a.src, ninputs, argv, &set, a.quiet)) {
		snapset_free(&set);
		return EXIT_ERROR;
	}
	uint32_t lo = 0, hi = set.n;
	if (pick) {
		uint32_t idx = pick < 0 ? set.n : (uint32_t)pick;
		if (idx > set.n) {
			cli_error("--pick %ld: the inputs hold only %u dump(s)", pick, set.n);
			snapset_free(&set);
			return EXIT_ERROR;
		}
		lo = idx - 1;
		hi = idx;
	} else if (to == TO_PPROF && set.n > 1) {
		cli_error("the inputs hold %u dumps and a pprof profile holds one: choose with --pick N", set.n);
		snapset_free(&set);
		return EXIT_ERROR;
	}

	struct buf out;
	buf_init(&out);
	struct group_options go;
	group_options_default(&go);
	go.include_system = true;
	if (to == TO_JSON)
		report_json_begin(&out, "convert");
	uint64_t total = 0;
	for (uint32_t i = lo; i < hi; i++) {
		if (to == TO_PPROF) {
			struct buf raw;
			buf_init(&raw);
			report_pprof(&raw, set.v[i]);
			gzip_compress(raw.p, raw.len, &out);
			buf_free(&raw);
			continue;
		}
		struct analysis an;
		analysis_run(set.v[i], &go, &an);
		total += an.total;
		if (to == TO_JSON)
			report_json_snapshot(&out, &an, i == lo, JSON_ALL_IDS);
		else
			report_folded(&out, &an);
		analysis_free(&an);
	}
	if (to == TO_JSON)
		report_json_end(&out, total);
	snapset_free(&set);

	bool ok;
	if (output) {
		fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0) {
			cli_error("cannot create '%s': %s", output, strerror(errno));
			buf_free(&out);
			return EXIT_ERROR;
		}
		ok = write_all(fd, out.p, out.len, output);
		ok = close(fd) == 0 && ok;
	} else {
		ok = cli_write_stdout(out.p, out.len);
	}
	buf_free(&out);
	return ok ? EXIT_OK : EXIT_ERROR;
}

const struct cli_command command_convert = {
	.name = "convert",
	.summary = "write a dump or profile as pprof protobuf, JSON or folded stacks",
	.synopsis = "usage: goroscope convert --to pprof|json|folded [-o FILE] [--pick N] [FILE|-|URL]...",
	.description = "Write a goroutine dump or profile in another form. Inputs are read as by\n"
		       "'goroscope analyze' (text tracebacks, debug=1, protobuf; by content). A\n"
		       "pprof profile is binary: it is not written to a terminal.\n",
	.uses = uses,
	.epilogue = "Exit status: 0 ok, 2 usage or input error.\n",
	.run = run,
};
