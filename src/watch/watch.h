/* watch.h: the watch daemon. Polls many targets' goroutine profiles
 * (debug=1 or protobuf, never debug=2) concurrently, keeps the series in
 * the store, judges each sample by the target's thresholds (rules.h) and,
 * when an alert fires, captures the evidence, runs the leak analysis over
 * the last samples and notifies (actions.h). Serves /metrics, /healthz and
 * an Alertmanager receiver on 127.0.0.1 (endpoints.c). */
#ifndef GOROSCOPE_WATCH_H
#define GOROSCOPE_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/err.h"
#include "config.h"

struct watch_options {
	const char *config_path;    /* re-read on reload; NULL when targets came from flags */
	/* one log line (no newline), or NULL for silence */
	void (*log)(const char *line);
	double run_for_s;           /* stop by itself after this long (0: until a signal) */
	const char *ready_file;     /* write "PORT\n" here once listening (tests, scripts) */
};

/* Run until watch_request_stop(), with cfg (which watch_run owns from now
 * on and frees). ST_OK after a clean stop; an error when the store or the
 * listening socket cannot be opened. */
enum status watch_run(struct watch_config *cfg, const struct watch_options *o, struct err *err);

/* Async-signal-safe: ask the loop to stop, or to re-read the configuration. */
void watch_request_stop(void);
void watch_request_reload(void);

#endif
