/* cmd_capture.c: `goroscope capture URL`: the incident procedure in one
 * command. A timestamped directory gets the goroutine profile in its three
 * encodings, block and mutex profiles over --seconds N (fetched at the same
 * time), the goroutineleak profile when served, and manifest.json (target,
 * times, Go version when known, size and sha256 of each file). The work is
 * capture/capture.c's; this file reads the options and prints. */
#include "../base/common.h"
#include "cli.h"
#include "../capture/capture.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

const char usage_capture[] =
	"usage: goroscope capture [options] URL\n"
	"\n"
	"Capture the evidence of a live Go service in one timestamped directory:\n"
	"the goroutine profile as protobuf, debug=1 and debug=2 (goroutine.pb.gz,\n"
	"goroutine.debug1.txt, goroutine.debug2.txt), block and mutex profiles over\n"
	"--seconds N (taken at the same time), the goroutineleak profile when the\n"
	"target serves it (Go 1.26+), and manifest.json: target, times, the Go\n"
	"version when known, size and sha256 of each file, and what failed. URL is\n"
	"the service's base URL (http://host:port). Every goroscope command reads\n"
	"the directory (or several, in time order) as an input.\n"
	"\n"
	"  --out DIR            where to create the directory (default: .)\n"
	"  --seconds N          also block and mutex profiles over N seconds\n"
	"  --max-time S         give up on what is left after S seconds (default 120)\n"
	"  -q, --quiet          only print the directory\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 when the goroutine profile was captured in at least one\n"
	"encoding, 2 otherwise (or on a usage error).\n";

static void log_progress(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "goroscope: %s\n", msg);
}

int cmd_capture(int argc, char **argv)
{
	enum { O_OUT = 256, O_SECONDS, O_MAXTIME };
	static const struct option opts[] = {
		{"out", required_argument, 0, O_OUT},       {"seconds", required_argument, 0, O_SECONDS},
		{"max-time", required_argument, 0, O_MAXTIME}, {"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},              CLI_NET_OPTIONS,
		{0, 0, 0, 0},
	};
	const char *out_dir = ".";
	long seconds = 0;
	double max_time = 120;
	bool quiet = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qhH:", opts, NULL)) != -1) {
		switch (c) {
		case O_OUT: out_dir = optarg; break;
		case O_SECONDS: {
			char *end;
			seconds = strtol(optarg, &end, 10);
			if (!*optarg || *end || seconds < 1 || seconds > 3600) {
				cli_error("--seconds needs 1 to 3600, got '%s'", optarg);
				return EXIT_ERROR;
			}
			break;
		}
		case O_MAXTIME: {
			char *end;
			max_time = strtod(optarg, &end);
			if (end == optarg || *end || !(max_time > 0) || max_time > 86400) {
				cli_error("--max-time needs seconds (0 < S <= 86400), got '%s'", optarg);
				return EXIT_ERROR;
			}
			break;
		}
		case 'q': quiet = true; break;
		case 'h': cli_print_usage(usage_capture); return EXIT_OK;
		default:
			if (!cli_other_option(c, optarg, argv, "capture"))
				return EXIT_ERROR;
			break;
		}
	}
	if (argc - optind != 1 || !fetch_is_url(argv[optind])) {
		cli_error("capture needs one base URL such as http://127.0.0.1:6060 (see 'goroscope capture --help')");
		return EXIT_ERROR;
	}
	const char *target = argv[optind];
	struct err ferr;
	if (!fetch_init(&ferr)) {
		cli_error("%s", ferr.msg);
		return EXIT_ERROR;
	}

	struct capture_request req = {
		.target = target, .out_dir = out_dir, .seconds = seconds, .max_time = max_time,
		.fetch = cli_fetch, .log = quiet ? NULL : log_progress,
	};
	struct capture_result res;
	struct err err = {0};
	if (capture_run(&req, &res, &err) != ST_OK) {
		cli_error("%s", err.msg);
		return EXIT_ERROR;
	}
	printf("%s\n", res.dir);
	if (!quiet)
		fprintf(stderr, "goroscope: captured into %s%s\n", res.dir,
			res.failures ? " (some files failed: see manifest.json)" : "");
	else if (res.failures)
		cli_error("%s", res.first_error);
	return res.any_goroutine ? EXIT_OK : EXIT_ERROR;
}
