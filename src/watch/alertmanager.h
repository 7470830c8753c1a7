/* alertmanager.h: Prometheus Alertmanager's webhook payload (version 4):
 * which of our targets its firing alerts name. A target is matched by the
 * alert's "instance" label (host:port of the target's URL), or by a
 * "goroscope_target" or "target" label equal to its name. Nothing in the
 * payload is ever fetched: only configured targets are acted on. The only
 * file that includes <jansson.h>. */
#ifndef GOROSCOPE_WATCH_ALERTMANAGER_H
#define GOROSCOPE_WATCH_ALERTMANAGER_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

enum { AM_MAX_ALERTS = 256 };

struct am_alert {
	char alertname[128];
	char instance[256];   /* "" when absent */
	char target[256];     /* goroscope_target or target label, "" when absent */
	char summary[256];    /* annotations.summary or description, "" when absent */
};

struct am_payload {
	struct am_alert firing[AM_MAX_ALERTS]; /* only alerts with status "firing" */
	uint32_t nfiring;
	uint32_t nresolved;
};

/* Read the payload (n bytes). ST_FORMAT with the line and column when it is
 * not JSON or not a version 4 Alertmanager payload. */
enum status am_parse(const char *body, size_t n, struct am_payload *out, struct err *err);

/* The first leak of a `goroscope leaks --json` document (watch's alert
 * analysis): its blocking function and confidence, its cause and fix.
 * False when the document lists none. */
struct am_leak {
	char function[256], confidence[16], cause[512], fix[512];
};
bool am_top_leak(const char *leaks_json, struct am_leak *out);

/* The host:port of a base URL ("http://h:p/..." gives "h:p"; no port: the
 * scheme's). */
void am_authority(const char *url, char *out, size_t outsz);

#endif
