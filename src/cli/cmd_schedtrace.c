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
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct schedtrace_args {
	bool json;
	int color;
};

static const struct opt schedtrace_opts[] = {
	{"json", 0, OV_FLAG, NULL, "JSON: summary, flags and every record", NULL, NULL, 0},
};

static bool take(void *target, int id, const char *v)
{
	(void)id;
	(void)v;
	((struct schedtrace_args *)target)->json = true;
	return true;
}

static const struct opt_group schedtrace_group = {NULL, schedtrace_opts, ARRAY_LEN(schedtrace_opts), take};

static const struct opt_use uses[] = {
	{&schedtrace_group, 0, NULL},
	{&opt_group_color, offsetof(struct schedtrace_args, color), NULL},
	{NULL, 0, NULL},
};

enum { MAX_INPUT = 1024 * 1024 * 1024 };

static int run(int argc, char **argv)
{
	struct schedtrace_args a = {.color = -1};
	int n;
	int rc = cli_parse_or_exit(&command_schedtrace, argc, argv, &a, &n);
	if (rc >= 0)
		return rc;
	if (n > 1) {
		cli_error("schedtrace reads one FILE, or stdin");
		return EXIT_ERROR;
	}
	const char *name = n ? argv[0] : "-";
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
	rc = EXIT_OK;
	if (!t.n) {
		cli_error("%s: no GODEBUG=schedtrace records (\"SCHED Tms: gomaxprocs=...\") in %llu lines", name,
			  (unsigned long long)t.lines);
		rc = EXIT_ERROR;
	} else {
		if (a.json)
			report_sched_json(&out, &t);
		else
			report_sched_text(&out, &t, cli_want_color(a.color));
		if (!cli_write_stdout(out.p, out.len))
			rc = EXIT_ERROR;
	}
	buf_free(&out);
	sched_free(&t);
	return rc;
}

const struct cli_command command_schedtrace = {
	.name = "schedtrace",
	.summary = "summarise GODEBUG=schedtrace output: run queues, threads, idle Ps",
	.synopsis = "usage: goroscope schedtrace [--json] [FILE|-]",
	.description =
		"Summarise GODEBUG=schedtrace=N output (with or without scheddetail=1),\n"
		"found anywhere in a log: GOMAXPROCS, idle Ps, threads, spinning threads,\n"
		"global and local run queues (and, with scheddetail, live goroutines) over\n"
		"time - first, last, min, max, mean - and what stands out: threads that keep\n"
		"growing, more runnable goroutines than Ps, idle Ps while work waits,\n"
		"goroutines that keep growing. With no FILE, or FILE -, read stdin.\n",
	.uses = uses,
	.epilogue = "Exit status: 0 ok, 2 usage or input error (no records found).\n",
	.run = run,
};
