/* cmd_web.c: `goroscope web SRC...`: the HTML report served on 127.0.0.1.
 * The sources (files, capture directories, live URLs) are read once, at
 * start, from the command line: the server only hands out what it was
 * given and never fetches anything on behalf of a request. */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/group.h"
#include "../base/buf.h"
#include "../report/report.h"
#include "../web/httpd.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char usage_web[] =
	"usage: goroscope web [options] [SRC]...\n"
	"\n"
	"Serve the interactive report of goroutine dumps, profiles, capture\n"
	"directories or live targets (read once, at start) on a local port: the\n"
	"overview, suspected leaks, the group table and the flame graph of\n"
	"`analyze --html`, at / (and the JSON document at /api/analysis.json).\n"
	"Prints the address, serves until interrupted.\n"
	"\n"
	"  --listen HOST:PORT   address (default 127.0.0.1:0, a free port)\n"
	"  --token TOKEN        require 'Authorization: Bearer TOKEN'\n"
	"  --by MODE, -m RE, -f RE, --label K=RE, --all   as for analyze\n"
	"  -q, --quiet          no warnings about the inputs\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 after an interrupt, 2 when an input cannot be read or the\n"
	"address cannot be listened on.\n";

struct site {
	struct buf page, json;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void serve(void *ctx, const struct httpd_request *req, struct httpd_response *res)
{
	const struct site *s = ctx;
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
		res->status = 405;
		buf_adds(&res->body, "only GET\n");
	} else if (strcmp(req->path, "/") == 0) {
		res->content_type = "text/html; charset=utf-8";
		buf_add(&res->body, s->page.p, s->page.len);
	} else if (strcmp(req->path, "/api/analysis.json") == 0) {
		res->content_type = "application/json";
		buf_add(&res->body, s->json.p, s->json.len);
	} else if (strcmp(req->path, "/healthz") == 0) {
		buf_adds(&res->body, "ok\n");
	} else {
		res->status = 404;
		buf_adds(&res->body, "not found\n");
	}
}

int cmd_web(int argc, char **argv)
{
	enum { O_LISTEN = 256, O_TOKEN };
	static const struct option opts[] = {
		{"listen", required_argument, 0, O_LISTEN}, {"token", required_argument, 0, O_TOKEN},
		CLI_GROUP_OPTIONS,
		{"quiet", no_argument, 0, 'q'},             {"help", no_argument, 0, 'h'},
		CLI_VIEW_OPTIONS,                            CLI_NET_OPTIONS,
		{0, 0, 0, 0},
	};
	const char *listen = "127.0.0.1:0", *token = NULL;
	bool quiet = false;
	struct group_options go;
	group_options_default(&go);
	struct text_options to = {0};
	struct cli_filter_args fa = {0};
	int color = -1;
	struct err err = {0};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:f:qhH:", opts, NULL)) != -1) {
		switch (c) {
		case O_LISTEN: listen = optarg; break;
		case O_TOKEN: token = optarg; break;
		case 'q': quiet = true; break;
		case 'h': cli_print_usage(usage_web); return EXIT_OK;
		default: {
			int r = cli_group_option(c, optarg, &go);
			if (r == 0)
				r = cli_view_option(c, optarg, &to, &color, &fa);
			if (r < 0 || (r == 0 && !cli_other_option(c, optarg, argv, "web")))
				return EXIT_ERROR;
			break;
		}
		}
	}
	struct filter filter;
	if (!cli_build_filter(&fa, &filter))
		return EXIT_ERROR;
	go.filter = &filter;
	struct snapset set;
	snapset_init(&set);
	if (!cli_load_inputs(argc - optind, argv + optind, &set, quiet)) {
		snapset_free(&set);
		filter_free(&filter);
		return EXIT_ERROR;
	}
	struct site site;
	buf_init(&site.page);
	buf_init(&site.json);
	report_json_begin(&site.json, "analyze");
	uint64_t total = 0;
	for (uint32_t i = 0; i < set.n; i++) {
		struct analysis an;
		analysis_run(set.v[i], &go, &an);
		total += an.total;
		report_json_snapshot(&site.json, &an, i == 0, false);
		analysis_free(&an);
	}
	report_json_end(&site.json, total);
	char title[600];
	snprintf(title, sizeof(title), "goroscope: %s%s", set.n ? set.v[0]->source : "dump", set.n > 1 ? " and more" : "");
	report_html(&site.page, title, site.json.p, site.json.len);
	snapset_free(&set);
	filter_free(&filter);

	struct httpd *h = httpd_start(listen, token, "/healthz", serve, &site, &err);
	int rc = EXIT_OK;
	if (!h) {
		cli_error("%s", err.msg);
		rc = EXIT_ERROR;
		goto out;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	char host[128];
	int port;
	httpd_parse_listen(listen, host, sizeof(host), &port);
	bool v6 = strchr(host, ':') != NULL;
	printf("goroscope web: http://%s%s%s:%d/\n", v6 ? "[" : "", host, v6 ? "]" : "", httpd_port(h));
	fflush(stdout);
	while (!stop)
		pause();
	httpd_stop(h);
out:
	buf_free(&site.page);
	buf_free(&site.json);
	return rc;
}
