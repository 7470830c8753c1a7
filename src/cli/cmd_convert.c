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
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char usage_convert[] =
	"usage: goroscope convert --to pprof|json|folded [-o OUT] [--pick N] [FILE|-]...\n"
	"\n"
	"Write a goroutine dump or profile in another form. Inputs are read as by\n"
	"'goroscope analyze' (text tracebacks, debug=1, protobuf; by content).\n"
	"\n"
	"  --to pprof        gzipped pprof protobuf (for go tool pprof): one sample\n"
	"                    per stack, state, wait minutes and label set, with the\n"
	"                    state (\"state\") and wait minutes (\"wait_minutes\") as\n"
	"                    sample labels; one dump only (see --pick)\n"
	"  --to json         every goroutine, grouped by stack, as 'analyze --json\n"
	"                    --all --ids' writes it\n"
	"  --to folded       folded stacks of every goroutine (flamegraph.pl)\n"
	"  -o, --output OUT  write to OUT instead of stdout (pprof refuses a terminal)\n"
	"  --pick N          the Nth dump of the inputs (1-based, or last)\n"
	"  -q, --quiet       no warnings on stderr\n"
	"  -h, --help        this help\n"
	"\n"
	"Exit status: 0 ok, 2 usage or input error.\n";

enum target { TO_NONE, TO_PPROF, TO_JSON, TO_FOLDED };

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

int cmd_convert(int argc, char **argv)
{
	enum { O_TO = 256, O_PICK };
	static const struct option opts[] = {
		{"to", required_argument, 0, O_TO},   {"output", required_argument, 0, 'o'},
		{"pick", required_argument, 0, O_PICK}, {"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},        CLI_NET_OPTIONS,
		{0, 0, 0, 0},
	};
	enum target to = TO_NONE;
	const char *output = NULL;
	long pick = 0;
	bool quiet = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qhH:", opts, NULL)) != -1) {
		switch (c) {
		case O_TO:
			to = !strcmp(optarg, "pprof")	 ? TO_PPROF
			     : !strcmp(optarg, "json")	 ? TO_JSON
			     : !strcmp(optarg, "folded") ? TO_FOLDED
							 : TO_NONE;
			if (to == TO_NONE) {
				cli_error("--to must be pprof, json or folded, got '%s'", optarg);
				return EXIT_ERROR;
			}
			break;
		case 'o': output = optarg; break;
		case O_PICK: {
			char *end;
			pick = !strcmp(optarg, "last") ? -1 : strtol(optarg, &end, 10);
			if (pick == 0 || (pick > 0 && *end)) {
				cli_error("--pick needs a dump number from 1, or 'last', got '%s'", optarg);
				return EXIT_ERROR;
			}
			break;
		}
		case 'q': quiet = true; break;
		case 'h': cli_print_usage(usage_convert); return EXIT_OK;
		default:
			if (!cli_other_option(c, optarg, argv, "convert"))
				return EXIT_ERROR;
			break;
		}
	}
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
	if (!cli_load_inputs(argc - optind, argv + optind, &set, quiet)) {
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
			report_json_snapshot(&out, &an, i == lo, true);
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
