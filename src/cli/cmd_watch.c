/* cmd_watch.c: `goroscope watch`: read the configuration (YAML file and
 * flags), install the signal handlers, and run the daemon (watch/). */
#include "../base/common.h"
#include "cli.h"
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "../watch/config.h"
#include "../watch/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

const char usage_watch[] =
	"usage: goroscope watch [--config FILE] [options] [URL|pid:N]...\n"
	"\n"
	"Watch Go services: poll each target's goroutine profile (debug=1 or\n"
	"protobuf, never debug=2), keep the series in a SQLite store, and alert when\n"
	"a threshold is breached several polls in a row: capture the evidence (as\n"
	"`goroscope capture` does), run the leak analysis over the last profiles,\n"
	"and notify webhooks and/or a command. Serves /metrics (Prometheus), /healthz\n"
	"and an Alertmanager webhook receiver (/alertmanager) on 127.0.0.1.\n"
	"Targets come from the configuration file (see docs/watch.md) and from the\n"
	"arguments (a base URL http://host:port, or pid:N for a local process).\n"
	"\n"
	"  --config FILE        YAML configuration (targets, thresholds, notify)\n"
	"  --listen HOST:PORT   endpoints address (default 127.0.0.1:9465; port 0: any)\n"
	"  --token TOKEN        require 'Authorization: Bearer TOKEN' on the endpoints\n"
	"  --store FILE         SQLite store (default goroscope-watch.db)\n"
	"  --captures DIR       where captures go (default captures)\n"
	"  --webhook URL        POST alerts as JSON to URL (repeatable)\n"
	"  --ready-file FILE    write the endpoints' port to FILE once listening\n"
	"  --run-for DURATION   stop by itself after DURATION (default: until a signal)\n"
	"  -q, --quiet          no log lines on stderr\n"
	"\n"
	"For the targets given as arguments (the configuration's `defaults:` apply\n"
	"first):\n"
	"  --interval D         poll every D (default 15s)\n"
	"  --poll-timeout D     give up on a poll after D (default 5s)\n"
	"  --poll-format F      debug1 (default) or pprof\n"
	"  --max-goroutines N   alert above N goroutines\n"
	"  --factor F           alert above F x the learnt baseline\n"
	"  --rate N             alert when growing faster than N goroutines a minute\n"
	"  --group-growth N     alert when one stack group gains N over the rate window\n"
	"  --rate-window D      window of --rate and --group-growth (default 5m)\n"
	"  --breaches N         consecutive breaches before firing (default 3)\n"
	"  --resolve N          clean samples before resolving (default 3)\n"
	"  --cooldown D         least time between two captures of a target (default 10m)\n"
	"\n"
	"Durations: 500ms, 10s, 5m, 2h, 7d. Signals: SIGTERM and SIGINT stop cleanly,\n"
	"SIGHUP re-reads the configuration file. Exit status: 0 after a clean stop,\n"
	"2 on a usage, configuration, store or listening error.\n";

static void log_line(const char *line)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[32];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ goroscope watch: %s\n", when, ts.tv_nsec / 1000000, line);
}

static void on_stop(int sig)
{
	(void)sig;
	watch_request_stop();
}

static void on_reload(int sig)
{
	(void)sig;
	watch_request_reload();
}

static bool read_file(const char *path, struct buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_error("cannot open '%s': %s", path, strerror(errno));
		return false;
	}
	char chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		if (out->len + (size_t)n > (16u << 20)) {
			cli_error("'%s' is larger than 16 MiB: not a configuration file", path);
			close(fd);
			return false;
		}
		buf_add(out, chunk, (size_t)n);
	}
	close(fd);
	if (n < 0) {
		cli_error("cannot read '%s': %s", path, strerror(errno));
		return false;
	}
	return true;
}

static bool duration_opt(const char *opt, const char *arg, double *out)
{
	if (watch_parse_duration(arg, out))
		return true;
	cli_error("%s needs a duration such as 10s, 5m, 2h, got '%s'", opt, arg);
	return false;
}

static bool number_opt(const char *opt, const char *arg, double *out)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !(v > 0) || v > 1e9) {
		cli_error("%s needs a positive number, got '%s'", opt, arg);
		return false;
	}
	*out = v;
	return true;
}

int cmd_watch(int argc, char **argv)
{
	enum {
		O_CONFIG = 256, O_LISTEN, O_TOKEN, O_STORE, O_CAPTURES, O_WEBHOOK, O_READY, O_RUNFOR, O_INTERVAL,
		O_PTIMEOUT, O_PFORMAT, O_MAXG, O_FACTOR, O_RATE, O_GGROWTH, O_RWINDOW, O_BREACHES, O_RESOLVE, O_COOLDOWN,
	};
	static const struct option opts[] = {
		{"config", required_argument, 0, O_CONFIG},     {"listen", required_argument, 0, O_LISTEN},
		{"token", required_argument, 0, O_TOKEN},       {"store", required_argument, 0, O_STORE},
		{"captures", required_argument, 0, O_CAPTURES}, {"webhook", required_argument, 0, O_WEBHOOK},
		{"ready-file", required_argument, 0, O_READY},  {"run-for", required_argument, 0, O_RUNFOR},
		{"interval", required_argument, 0, O_INTERVAL}, {"poll-timeout", required_argument, 0, O_PTIMEOUT},
		{"poll-format", required_argument, 0, O_PFORMAT}, {"max-goroutines", required_argument, 0, O_MAXG},
		{"factor", required_argument, 0, O_FACTOR},     {"rate", required_argument, 0, O_RATE},
		{"group-growth", required_argument, 0, O_GGROWTH}, {"rate-window", required_argument, 0, O_RWINDOW},
		{"breaches", required_argument, 0, O_BREACHES}, {"resolve", required_argument, 0, O_RESOLVE},
		{"cooldown", required_argument, 0, O_COOLDOWN}, {"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},                  {0, 0, 0, 0},
	};
	/* first pass: the configuration file, so that flags override it */
	const char *config = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
		if (c == 'h') {
			cli_print_usage(usage_watch);
			return EXIT_OK;
		}
		if (c == O_CONFIG)
			config = optarg;
		else if (c == '?' || c == ':') {
			cli_error("%s: '%s' (see 'goroscope watch --help')", c == '?' ? "unknown option" : "option needs a value",
				  argv[optind - 1]);
			return EXIT_ERROR;
		}
	}
	struct watch_config cfg;
	watch_config_init(&cfg);
	struct err err = {0};
	int rc = EXIT_ERROR;
	if (config) {
		struct buf text;
		buf_init(&text);
		bool ok = read_file(config, &text) &&
			  watch_config_parse(&cfg, text.p ? text.p : "", text.len, config, &err) == ST_OK;
		buf_free(&text);
		if (!ok) {
			if (err.msg[0])
				cli_error("%s", err.msg);
			goto out;
		}
	}
	struct watch_options o = {.config_path = config, .resolve_pid = cli_resolve_pid, .log = log_line};
	struct watch_target *d = &cfg.defaults;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case O_CONFIG: break;
		case O_LISTEN: cfg.listen = optarg; break;
		case O_TOKEN: cfg.token = optarg; break;
		case O_STORE: cfg.store = optarg; break;
		case O_CAPTURES: cfg.captures = optarg; break;
		case O_WEBHOOK:
			cfg.webhooks = xreallocarray(cfg.webhooks, cfg.nwebhooks + 1, sizeof(*cfg.webhooks));
			cfg.webhooks[cfg.nwebhooks++] = (struct watch_webhook){optarg, 5, 3, NULL};
			break;
		case O_READY: o.ready_file = optarg; break;
		case O_RUNFOR: ok = duration_opt("--run-for", optarg, &o.run_for_s); break;
		case O_INTERVAL: ok = duration_opt("--interval", optarg, &d->interval_s); break;
		case O_PTIMEOUT: ok = duration_opt("--poll-timeout", optarg, &d->timeout_s); break;
		case O_PFORMAT:
			if (strcmp(optarg, "debug1") == 0)
				d->format = WATCH_DEBUG1;
			else if (strcmp(optarg, "pprof") == 0)
				d->format = WATCH_PPROF;
			else {
				cli_error("--poll-format is debug1 or pprof (debug=2 stops the target's world: never polled)");
				ok = false;
			}
			break;
		case O_MAXG: ok = number_opt("--max-goroutines", optarg, &d->th.count); break;
		case O_FACTOR: ok = number_opt("--factor", optarg, &d->th.factor); break;
		case O_RATE: ok = number_opt("--rate", optarg, &d->th.rate); break;
		case O_GGROWTH: ok = number_opt("--group-growth", optarg, &d->th.group_growth); break;
		case O_RWINDOW: ok = duration_opt("--rate-window", optarg, &d->th.rate_window_s); break;
		case O_BREACHES:
		case O_RESOLVE: {
			uint32_t n;
			ok = cli_parse_count(c == O_BREACHES ? "--breaches" : "--resolve", optarg, &n) && n >= 1;
			if (ok)
				*(c == O_BREACHES ? &d->breaches : &d->resolve) = n;
			else
				cli_error("%s needs 1 or more", c == O_BREACHES ? "--breaches" : "--resolve");
			break;
		}
		case O_COOLDOWN: ok = duration_opt("--cooldown", optarg, &d->cooldown_s); break;
		case 'q': o.log = NULL; break;
		}
		if (!ok)
			goto out;
	}
	for (int i = optind; i < argc; i++)
		watch_config_add_target(&cfg, argv[i]);
	if (watch_config_check(&cfg, &err) != ST_OK) {
		cli_error("%s%s", err.msg, config ? "" : " (see 'goroscope watch --help')");
		goto out;
	}
	cli_on_signal(SIGTERM, on_stop);
	cli_on_signal(SIGINT, on_stop);
	cli_on_signal(SIGHUP, on_reload);
	signal(SIGPIPE, SIG_IGN);
	if (watch_run(&cfg, &o, &err) != ST_OK) {
		cli_error("%s", err.msg);
		return EXIT_ERROR;
	}
	return EXIT_OK;
out:
	watch_config_free(&cfg);
	return rc;
}
