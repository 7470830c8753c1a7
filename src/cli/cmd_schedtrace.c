/* cmd_schedtrace.c: `goroscope schedtrace FILE|-`: summarise the Go
 * scheduler over time from GODEBUG=schedtrace=N[,scheddetail=1] output in a
 * log (parse/schedtrace.h). */
#include "../base/common.h"
#include "cli.h"
#include "../base/buf.h"
#include "../parse/schedtrace.h"
#include "../report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char usage_schedtrace[] =
	"usage: goroscope schedtrace [--json] [FILE|-]\n"
	"\n"
	"Summarise GODEBUG=schedtrace=N output (with or without scheddetail=1),\n"
	"found anywhere in a log: GOMAXPROCS, idle Ps, threads, spinning threads,\n"
	"global and local run queues (and, with scheddetail, live goroutines) over\n"
	"time - first, last, min, max, mean - and what stands out: threads that keep\n"
	"growing, more runnable goroutines than Ps, idle Ps while work waits,\n"
	"goroutines that keep growing. With no FILE, or FILE -, read stdin.\n"
	"\n"
	"  --json               JSON: summary, flags and every record\n"
	"  --color=WHEN         auto, always, never\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 ok, 2 usage or input error (no records found).\n";

enum { MAX_INPUT = 1024 * 1024 * 1024 };

int cmd_schedtrace(int argc, char **argv)
{
	enum { O_JSON = 256, O_COLOR };
	static const struct option opts[] = {
		{"json", no_argument, 0, O_JSON},
		{"color", required_argument, 0, O_COLOR},
		{"colour", required_argument, 0, O_COLOR},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	bool json = false;
	int color = -1, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = true; break;
		case O_COLOR:
			if (!cli_parse_color(optarg, &color))
				return EXIT_ERROR;
			break;
		case 'h': cli_print_usage(usage_schedtrace); return EXIT_OK;
		default:
			cli_error("unknown option '%s' (see 'goroscope schedtrace --help')", argv[optind - 1]);
			return EXIT_ERROR;
		}
	}
	if (argc - optind > 1) {
		cli_error("schedtrace reads one FILE, or stdin");
		return EXIT_ERROR;
	}
	const char *name = optind < argc ? argv[optind] : "-";
	int fd = strcmp(name, "-") ? open(name, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0) {
		cli_error("cannot open '%s': %s", name, strerror(errno));
		return EXIT_ERROR;
	}
	struct buf in;
	buf_init(&in);
	char chunk[65536];
	ssize_t r;
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || in.len + (size_t)r > MAX_INPUT) {
			cli_error("%s: %s", name, r < 0 ? strerror(errno) : "input larger than 1 GiB: refused");
			if (fd)
				close(fd);
			buf_free(&in);
			return EXIT_ERROR;
		}
		buf_add(&in, chunk, (size_t)r);
	}
	if (fd)
		close(fd);
	struct sched_trace t;
	sched_parse(in.p, in.len, &t);
	buf_free(&in);
	struct buf out;
	buf_init(&out);
	int rc = EXIT_OK;
	if (!t.n) {
		cli_error("%s: no GODEBUG=schedtrace records (\"SCHED Tms: gomaxprocs=...\") in %llu lines", name,
			  (unsigned long long)t.lines);
		rc = EXIT_ERROR;
	} else {
		if (json)
			report_sched_json(&out, &t);
		else
			report_sched_text(&out, &t, cli_want_color(color));
		if (!cli_write_stdout(out.p, out.len))
			rc = EXIT_ERROR;
	}
	buf_free(&out);
	sched_free(&t);
	return rc;
}
