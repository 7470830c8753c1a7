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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* What the command line sets: the configuration (the file's, then the
 * flags over it) and how the daemon runs. */
struct watch_cli {
	struct watch_config cfg;
	struct watch_options o;
};

enum {
	O_CONFIG, O_LISTEN, O_TOKEN, O_STORE, O_CAPTURES, O_WEBHOOK, O_READY, O_RUNFOR, O_QUIET, O_SHARD,
	O_INTERVAL, O_PTIMEOUT, O_PFORMAT, O_MAXG, O_FACTOR, O_RATE, O_GGROWTH, O_RWINDOW, O_BREACHES, O_RESOLVE,
	O_COOLDOWN,
};

static const struct opt daemon_opts[] = {
	{"config", 0, OV_FILE, "FILE", "YAML configuration: targets, thresholds, notify (docs/watch.md)", NULL, NULL,
	 O_CONFIG},
	{"listen", 0, OV_OTHER, "HOST:PORT", "endpoints address (default 127.0.0.1:9465; port 0: any)", NULL, NULL,
	 O_LISTEN},
	{"token", 0, OV_OTHER, "TOKEN", "require 'Authorization: Bearer TOKEN' on the endpoints", NULL, NULL, O_TOKEN},
	{"store", 0, OV_FILE, "FILE", "SQLite store (default goroscope-watch.db)", NULL, NULL, O_STORE},
	{"captures", 0, OV_DIR, "DIR", "where captures go (default captures)", NULL, NULL, O_CAPTURES},
	{"webhook", 0, OV_OTHER, "URL", "POST alerts as JSON to URL (repeatable)", NULL, NULL, O_WEBHOOK, true},
	{"shard", 0, OV_OTHER, "I/N", "poll only shard I of N of the targets (by address; docs/watch.md)", NULL, NULL,
	 O_SHARD},
	{"ready-file", 0, OV_FILE, "FILE", "write the endpoints' port to FILE once listening", NULL, NULL, O_READY},
	{"run-for", 0, OV_OTHER, "D", "stop by itself after D (default: until a signal)", NULL, NULL, O_RUNFOR},
	{"quiet", 'q', OV_FLAG, NULL, "no log lines on stderr", NULL, NULL, O_QUIET},
};
static const struct opt target_opts[] = {
	{"interval", 0, OV_OTHER, "D", "poll every D (default 15s)", NULL, NULL, O_INTERVAL},
	{"poll-timeout", 0, OV_OTHER, "D", "give up on a poll after D (default 5s, or the interval when shorter)", NULL, NULL, O_PTIMEOUT},
	{"poll-format", 0, OV_CHOICE, "F", "debug1 (default) or pprof; never debug2, which stops the target's world",
	 "debug1 pprof", NULL, O_PFORMAT},
	{"max-goroutines", 0, OV_OTHER, "N", "alert above N goroutines", NULL, NULL, O_MAXG},
	{"factor", 0, OV_OTHER, "F", "alert above F x the learnt baseline", NULL, NULL, O_FACTOR},
	{"rate", 0, OV_OTHER, "N", "alert when growing faster than N goroutines a minute", NULL, NULL, O_RATE},
	{"group-growth", 0, OV_OTHER, "N", "alert when one stack group gains N over the rate window", NULL, NULL,
	 O_GGROWTH},
	{"rate-window", 0, OV_OTHER, "D", "window of --rate and --group-growth (default 5m)", NULL, NULL, O_RWINDOW},
	{"breaches", 0, OV_OTHER, "N", "consecutive breaches before firing (default 3)", NULL, NULL, O_BREACHES},
	{"resolve", 0, OV_OTHER, "N", "clean samples before resolving (default 3)", NULL, NULL, O_RESOLVE},
	{"cooldown", 0, OV_OTHER, "D", "least time between two captures of a target (default 10m)", NULL, NULL,
	 O_COOLDOWN},
};

static bool take_daemon(void *target, int id, const char *v)
{
	struct watch_cli *w = target;
	struct watch_config *c = &w->cfg;
	switch (id) {
	case O_CONFIG: return true; /* read before the flags: cmd_watch's run() */
	case O_LISTEN: c->listen = v; return true;
	case O_TOKEN: c->token = v; return true;
	case O_STORE: c->store = v; return true;
	case O_CAPTURES: c->captures = v; return true;
	case O_WEBHOOK:
		c->webhooks = xreallocarray(c->webhooks, c->nwebhooks + 1, sizeof(*c->webhooks));
		c->webhooks[c->nwebhooks++] = (struct watch_webhook){v, 5, 3, NULL};
		return true;
	case O_SHARD:
		if (shard_parse(v, &c->shard))
			return true;
		cli_error("--shard is I/N, this watcher's share of N (0 <= I < N <= 4096), got '%s'", v);
		return false;
	case O_READY: w->o.ready_file = v; return true;
	case O_RUNFOR: return cli_parse_duration("--run-for", v, &w->o.run_for_s);
	case O_QUIET: w->o.log = NULL; return true;
	}
	return false;
}

static bool take_target(void *target, int id, const char *v)
{
	struct watch_target *d = target;
	uint32_t n;
	switch (id) {
	case O_INTERVAL: return cli_parse_duration("--interval", v, &d->interval_s);
	case O_PTIMEOUT: return cli_parse_duration("--poll-timeout", v, &d->timeout_s);
	case O_PFORMAT:
		if (!strcmp(v, "debug1") || !strcmp(v, "pprof")) {
			d->format = v[0] == 'd' ? WATCH_DEBUG1 : WATCH_PPROF;
			return true;
		}
		cli_error("--poll-format is debug1 or pprof (debug=2 stops the target's world: never polled)");
		return false;
	case O_MAXG: return cli_parse_number("--max-goroutines", v, 1, 1e9, &d->th.count);
	case O_FACTOR: return cli_parse_number("--factor", v, 0.001, 1e6, &d->th.factor);
	case O_RATE: return cli_parse_number("--rate", v, 0.001, 1e9, &d->th.rate);
	case O_GGROWTH: return cli_parse_number("--group-growth", v, 1, 1e9, &d->th.group_growth);
	case O_RWINDOW: return cli_parse_duration("--rate-window", v, &d->th.rate_window_s);
	case O_BREACHES:
		if (!cli_parse_count("--breaches", v, 1, 1000, &n))
			return false;
		d->breaches = n;
		return true;
	case O_RESOLVE:
		if (!cli_parse_count("--resolve", v, 1, 1000, &n))
			return false;
		d->resolve = n;
		return true;
	case O_COOLDOWN: return cli_parse_duration("--cooldown", v, &d->cooldown_s);
	}
	return false;
}

static const struct opt_group daemon_group = {NULL, daemon_opts, ARRAY_LEN(daemon_opts), take_daemon};
static const struct opt_group target_group = {
	"For the targets given as arguments (over the configuration's `defaults:`):", target_opts,
	ARRAY_LEN(target_opts), take_target};

static const struct opt_use uses[] = {
	{&daemon_group, 0, NULL},
	{&target_group, offsetof(struct watch_cli, cfg.defaults), NULL},
	{&opt_group_auth, offsetof(struct watch_cli, cfg.defaults.auth), NULL},
	{NULL, 0, NULL},
};

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

static int run(int argc, char **argv)
{
	struct watch_cli w;
	memset(&w, 0, sizeof(w));
	watch_config_init(&w.cfg);
	w.o.log = log_line;
	/* the configuration file first, so that the flags override it */
	bool help;
	const char *config = cli_scan_option(&command_watch, argc, argv, "config", &help);
	struct err err = {0};
	int rc = EXIT_ERROR, n;
	if (config && !help) {
		struct buf text;
		buf_init(&text);
		bool ok = read_file(config, &text) &&
			  watch_config_parse(&w.cfg, text.p ? text.p : "", text.len, config, &err) == ST_OK;
		buf_free(&text);
		if (!ok) {
			if (err.msg[0])
				cli_error("%s", err.msg);
			goto out;
		}
	}
	w.o.config_path = config;
	int parsed = cli_parse_or_exit(&command_watch, argc, argv, &w, &n);
	if (parsed >= 0) {
		rc = parsed;
		goto out;
	}
	for (int i = 0; i < n; i++)
		watch_config_add_target(&w.cfg, argv[i]);
	if (watch_config_check(&w.cfg, &err) != ST_OK) {
		cli_error("%s%s", err.msg, config ? "" : " (see 'goroscope watch --help')");
		goto out;
	}
	cli_on_signal(SIGTERM, on_stop);
	cli_on_signal(SIGINT, on_stop);
	cli_on_signal(SIGHUP, on_reload);
	signal(SIGPIPE, SIG_IGN);
	/* watch_run owns the configuration from here on, and frees it */
	if (watch_run(&w.cfg, &w.o, &err) != ST_OK) {
		cli_error("%s", err.msg);
		return EXIT_ERROR;
	}
	return EXIT_OK;
out:
	watch_config_free(&w.cfg);
	return rc;
}

const struct cli_command command_watch = {
	.name = "watch",
	.summary = "watch many services: poll, store, alert on leaks, capture the evidence",
	.synopsis = "usage: goroscope watch [--config FILE] [options] [URL|pid:N]...",
	.description =
		"Watch Go services: poll each target's goroutine profile (debug=1 or\n"
		"protobuf, never debug=2), keep the series in a SQLite store, and alert when\n"
		"a threshold is breached several polls in a row: capture the evidence (as\n"
		"`goroscope capture` does), run the leak analysis over the last profiles,\n"
		"and notify webhooks and/or a command. Serves /metrics (Prometheus), /healthz\n"
		"and an Alertmanager webhook receiver (/alertmanager) on 127.0.0.1.\n"
		"Targets come from the configuration file (see docs/watch.md; each target\n"
		"may set its own headers, bearer token and TLS there) and from the arguments\n"
		"(a base URL http://host:port, or pid:N for a local process), which take the\n"
		"options below.\n",
	.uses = uses,
	.epilogue =
		"Durations: 500ms, 10s, 5m, 2h, 7d. Signals: SIGTERM and SIGINT stop cleanly,\n"
		"SIGHUP re-reads the configuration file. Exit status: 0 after a clean stop,\n"
		"2 on a usage, configuration, store or listening error.\n",
	.run = run,
};
