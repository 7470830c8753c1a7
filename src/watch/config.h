/* config.h: the watch daemon's configuration, read from YAML (in the
 * spirit of a Prometheus scrape config: global settings, defaults, and a
 * list of targets that may override them). Unknown keys are errors, with
 * the line: a misspelt threshold must not silently watch nothing. The only
 * file that includes <yaml.h>. See docs/watch.md for the format. */
#ifndef GOROSCOPE_WATCH_CONFIG_H
#define GOROSCOPE_WATCH_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/err.h"
#include "../fetch/fetch.h"
#include "shard.h"

/* Every threshold is off at 0. */
struct watch_thresholds {
	double count;          /* goroutines: absolute ceiling */
	double factor;         /* goroutines above baseline x factor */
	uint32_t warmup;       /* samples averaged into the baseline (default 10) */
	double rate;           /* goroutines per minute over rate_window */
	double rate_window_s;  /* default 300 */
	double group_growth;   /* goroutines one stack group gains over rate_window */
};

enum watch_format { WATCH_DEBUG1, WATCH_PPROF };

enum { WATCH_MAX_LABELS = 16, WATCH_MAX_ARGV = 32, WATCH_MAX_NAME = 200, WATCH_MAX_HOSTS = 16, WATCH_MAX_ALERTMANAGERS = 8 };

struct watch_target {
	const char *name;
	const char *url;       /* base URL, or "pid:N" until resolved */
	const char *label_keys[WATCH_MAX_LABELS], *label_values[WATCH_MAX_LABELS];
	uint32_t nlabels;
	double interval_s, timeout_s; /* timeout 0: derived (watch_target_timeout) */
	enum watch_format format;
	struct fetch_auth auth; /* headers, bearer token, TLS for the target's pprof endpoint */
	struct watch_thresholds th;
	uint32_t breaches;     /* consecutive breaches before firing (default 3) */
	uint32_t resolve;      /* clean samples before resolving (default 3) */
	double cooldown_s;     /* between two captures of the target (default 600) */
	long capture_seconds;  /* block/mutex window in captures (default 0: none) */
	double capture_max_time_s; /* time budget of one capture (default 60) */
	uint32_t line;         /* where it is in the file */
};

/* A discovery source (discovery.c), in Prometheus's formats. */
enum watch_sd_kind { SD_FILE, SD_HTTP, SD_PROMETHEUS };
enum { WATCH_MAX_SD_PATHS = 16 };

struct watch_sd {
	enum watch_sd_kind kind;
	const char *paths[WATCH_MAX_SD_PATHS + 1]; /* file_sd: globs, NULL-ended */
	const char *url;       /* http_sd: its URL; prometheus: the server's base URL */
	const char *job;       /* prometheus: only this job's targets (NULL: all) */
	double refresh_s;      /* http_sd, prometheus: asked again this often (default 30s);
	                        * file_sd: the files are looked at every 5 s and read when changed */
	/* a discovered host:port to a pprof base URL: scheme://host:port/path_prefix */
	const char *scheme;    /* default http */
	const char *path_prefix; /* default none */
	uint32_t port;         /* the pprof port, when not the discovered one (0: that one) */
	const char *port_label; /* a label holding the pprof port (over port) */
	struct fetch_auth auth; /* to fetch http_sd / prometheus (bearer_token, tls_config, headers) */
	uint32_t line;
};

/* What a discovery source found: targets with labels. */
struct sd_target {
	const char *address;   /* host:port */
	const char *name;      /* what the target is called: the address, or Prometheus's instance */
	const char *keys[WATCH_MAX_LABELS], *values[WATCH_MAX_LABELS];
	uint32_t nlabels;
};
struct sd_list {
	struct arena mem;      /* every string */
	struct sd_target *v;
	uint32_t n, cap;
};

struct watch_webhook {
	const char *url;
	double timeout_s;      /* default 5 */
	uint32_t retries;      /* default 3 */
	const char *bearer;
};

struct watch_config {
	struct arena mem;      /* every string and array below */
	const char *listen;    /* "HOST:PORT" (default 127.0.0.1:9465) */
	const char *token;     /* bearer token required by the HTTP endpoints, or NULL */
	const char *hosts[WATCH_MAX_HOSTS + 1]; /* names the endpoints answer to (Host), NULL-ended */
	const char *store;     /* SQLite file (default goroscope-watch.db) */
	double retention_s;    /* default 7 days */
	const char *captures;  /* directory for capture directories (default captures) */
	uint32_t top_groups;   /* groups stored per sample (default 10) */
	double poll_cpu_s;     /* CPU one poll's body may take to read (default 2 s) */
	size_t poll_memory;    /* memory it may take (default 256 MiB) */
	size_t store_max;      /* the store's size budget (default 1 GiB): oldest data goes first */
	struct watch_shard shard; /* which targets are this watcher's (shard.h; default all) */
	struct watch_webhook *webhooks;
	uint32_t nwebhooks;
	const char *command[WATCH_MAX_ARGV + 1]; /* argv run on firing, NULL-ended; empty when none */
	const char *alertmanagers[WATCH_MAX_ALERTMANAGERS + 1]; /* base URLs (API v2), NULL-ended */
	const char *external_url; /* where people see goroscope (web): the alerts' generatorURL, or NULL */
	double am_resend_s;    /* a firing alert is sent again this often (default 60 s) */
	struct watch_target defaults; /* what targets start from ("defaults:" and flags) */
	struct watch_sd *sd;   /* discovery: where more targets come from */
	uint32_t nsd;
	struct watch_target *targets;
	uint32_t ntargets;
};

/* Defaults for everything (no targets). */
void watch_config_init(struct watch_config *c);
void watch_config_free(struct watch_config *c);

/* Read the YAML document in text (n bytes; name for messages) into c,
 * which watch_config_init prepared. ST_FORMAT with the line on a syntax
 * error, an unknown key, a bad value or a duplicate target name. */
enum status watch_config_parse(struct watch_config *c, const char *text, size_t n, const char *name, struct err *err);

/* Prometheus target groups (file_sd's JSON or YAML, http_sd's JSON:
 * [{"targets": ["host:port", ...], "labels": {...}}, ...]) in text (n
 * bytes; name for messages), appended to out. ST_FORMAT with the line on
 * anything else. Labels beyond WATCH_MAX_LABELS are dropped. */
enum status watch_parse_target_groups(const char *text, size_t n, const char *name, struct sd_list *out,
				      struct err *err);
void sd_list_free(struct sd_list *l);

/* A duration: "250ms", "10s", "5m", "2h", "7d" or a number of seconds.
 * False when s is none of these or not positive. */
bool watch_parse_duration(const char *s, double *seconds);

/* Add a target given on the command line (name from the URL). */
void watch_config_add_target(struct watch_config *c, const char *url);

/* Check what the parts say together (at least one target, names unique,
 * URLs well formed, a token only with...); ST_USAGE with why. */
enum status watch_config_check(const struct watch_config *c, struct err *err);

/* How long a poll of t may take: its timeout, or when none is set, 5 s or
 * the interval when that is shorter (a poll never outlives its interval). */
static inline double watch_target_timeout(const struct watch_target *t)
{
	if (t->timeout_s > 0)
		return t->timeout_s;
	return t->interval_s < 5 ? t->interval_s : 5;
}

#endif
