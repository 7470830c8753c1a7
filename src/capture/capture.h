/* capture.h: the incident evidence of one live Go service, in one
 * timestamped directory: the goroutine profile as protobuf, debug=1 and
 * debug=2, block and mutex profiles over a window (fetched at the same
 * time), the goroutineleak profile when served, and manifest.json (target,
 * times, Go version when known, size and sha256 of each file, what failed).
 * Used by `goroscope capture` and by `goroscope watch` when an alert fires.
 * Best effort within a time budget: what fails is recorded and the rest
 * goes on. Nothing here prints unless a log callback is given. */
#ifndef GOROSCOPE_CAPTURE_H
#define GOROSCOPE_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/err.h"
#include "../fetch/fetch.h"

struct capture_request {
	const char *target;      /* base URL, http(s)://host:port */
	const char *out_dir;     /* the directory is created inside it */
	const char *reason;      /* recorded in the manifest ("alert ..."), or NULL */
	long seconds;            /* block/mutex window, 0 = none */
	double max_time;         /* seconds for the whole capture */
	struct fetch_options fetch;
	/* progress lines ("fetching URL"), or NULL for silence */
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
};

struct capture_result {
	char dir[4096];          /* the directory created */
	bool any_goroutine;      /* the goroutine profile in at least one encoding */
	uint32_t failures;       /* files that failed (absent goroutineleak is not one) */
	char first_error[600];   /* the first failure, for a one-line message */
};

/* Capture req->target into a new directory under req->out_dir. ST_OK when
 * the directory and its manifest were written (look at res->any_goroutine
 * and res->failures for what was fetched); ST_IO with err when the directory
 * or manifest could not be written. */
enum status capture_run(const struct capture_request *req, struct capture_result *res, struct err *err);

#endif
