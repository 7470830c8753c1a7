/* cmd_capture.c: `goroscope capture URL`: the incident procedure in one
 * command. A timestamped directory gets the goroutine profile in its three
 * encodings, block and mutex profiles over --seconds N (fetched at the same
 * time), the goroutineleak profile when served, and manifest.json (target,
 * times, Go version when known, size and sha256 of each file). The work is
 * capture/capture.c's; this file reads the options and prints. */
#include "../base/common.h"
#include "cli.h"
#include "../capture/capture.h"

#include <stdio.h>
#include <stdlib.h>

struct capture_args {
	const char *out_dir;
	uint32_t seconds;
	double max_time;
	bool quiet;
	struct fetch_options fetch;
};

enum { O_OUT, O_SECONDS, O_MAXTIME, O_QUIET };

static const struct opt capture_opts[] = {
	{"out", 0, OV_DIR, "DIR", "where to create the directory", NULL, ".", O_OUT},
	{"seconds", 0, OV_OTHER, "N", "also block and mutex profiles over N seconds (1 to 3600)", NULL, NULL, O_SECONDS},
	{"max-time", 0, OV_OTHER, "S", "give up on what is left after S seconds", NULL, "120", O_MAXTIME},
	{"quiet", 'q', OV_FLAG, NULL, "only print the directory", NULL, NULL, O_QUIET},
};

static bool take(void *target, int id, const char *v)
{
	struct capture_args *a = target;
	switch (id) {
	case O_OUT: a->out_dir = v; return true;
	case O_SECONDS: return cli_parse_count("--seconds", v, 1, 3600, &a->seconds);
	case O_MAXTIME: return cli_parse_seconds("--max-time", v, 0.001, 86400, &a->max_time);
	case O_QUIET: a->quiet = true; return true;
	}
	return false;
}

static const struct opt_group capture_group = {NULL, capture_opts, ARRAY_LEN(capture_opts), take};

static const struct opt_use uses[] = {
	{&capture_group, 0, NULL},
	{&opt_group_auth, offsetof(struct capture_args, fetch.auth), NULL},
	{&opt_group_transfer, offsetof(struct capture_args, fetch), NULL},
	{NULL, 0, NULL},
};

static void log_progress(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "goroscope: %s\n", msg);
}

static int run(int argc, char **argv)
{
	struct capture_args a = {0};
	fetch_options_default(&a.fetch);
	int n;
	int rc = cli_parse_or_exit(&command_capture, argc, argv, &a, &n);
	if (rc >= 0)
		return rc;
	if (n != 1 || !fetch_is_url(argv[0])) {
		cli_error("capture needs one base URL such as http://127.0.0.1:6060 (see 'goroscope capture --help')");
		return EXIT_ERROR;
	}
	const char *target = argv[0];
	struct err ferr;
	if (!fetch_init(&ferr)) {
		cli_error("%s", ferr.msg);
		return EXIT_ERROR;
	}

	struct capture_request req = {
		.target = target, .out_dir = a.out_dir, .seconds = a.seconds, .max_time = a.max_time,
		.fetch = a.fetch, .log = a.quiet ? NULL : log_progress,
	};
	struct capture_result res;
	struct err err = {0};
	if (capture_run(&req, &res, &err) != ST_OK) {
		cli_error("%s", err.msg);
		return EXIT_ERROR;
	}
	printf("%s\n", res.dir);
	if (!a.quiet)
		fprintf(stderr, "goroscope: captured into %s%s\n", res.dir,
			res.failures ? " (some files failed: see manifest.json)" : "");
	else if (res.failures)
		cli_error("%s", res.first_error);
	return res.any_goroutine ? EXIT_OK : EXIT_ERROR;
}

const struct cli_command command_capture = {
	.name = "capture",
	.summary = "save a live service's goroutine, block, mutex profiles and a manifest",
	.synopsis = "usage: goroscope capture [options] URL",
	.description =
		"Capture the evidence of a live Go service in one timestamped directory:\n"
		"the goroutine profile as protobuf, debug=1 and debug=2 (goroutine.pb.gz,\n"
		"goroutine.debug1.txt, goroutine.debug2.txt), block and mutex profiles over\n"
		"--seconds N (taken at the same time), the goroutineleak profile when the\n"
		"target serves it (Go 1.26+), and manifest.json: target, times, the Go\n"
		"version when known, size and sha256 of each file, and what failed. URL is\n"
		"the service's base URL (http://host:port). Every goroscope command reads\n"
		"the directory (or several, in time order) as an input.\n",
	.uses = uses,
	.epilogue = "Exit status: 0 when the goroutine profile was captured in at least one\n"
		    "encoding, 2 otherwise (or on a usage error).\n",
	.run = run,
};
