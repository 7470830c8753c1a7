/* discovery.h: targets from the discovery systems fleets already run, in
 * Prometheus's formats (config.h, struct watch_sd):
 *
 *   file_sd     files of target groups (JSON or YAML), globbed; looked at
 *               every 5 s and read again when one changed;
 *   http_sd     a URL answering target groups (JSON), asked every refresh;
 *   prometheus  a Prometheus server's active targets (/api/v1/targets),
 *               optionally one job's, asked every refresh.
 *
 * A thread of its own asks them (a slow or dead source never delays the
 * polling), keeps each source's last good list (a source that fails keeps
 * it, and says why in the log and /metrics), and when the union changes
 * hands the polling thread a new list of targets: each made from the
 * configuration's defaults, named by its address (Prometheus's instance for
 * a prometheus source), polled at scheme://host:port/path_prefix with the
 * port from port_label, port or the address, carrying the source's labels.
 * The first source to name a target wins; a configured target's name is
 * never taken. */
#ifndef GOROSCOPE_WATCH_DISCOVERY_H
#define GOROSCOPE_WATCH_DISCOVERY_H

#include "config.h"

/* Targets found by discovery, as the polling thread sets them up. */
struct disc_targets {
	struct arena mem;
	struct watch_target *v;
	uint32_t n;
	struct disc_targets *retired_next; /* kept until the end: a job may hold strings */
};
void disc_targets_free(struct disc_targets *d);

struct watch;
/* The discovery thread's body (arg: the watch). */
void *discovery_main(void *w);

/* A Prometheus /api/v1/targets answer (n bytes at body): its active
 * targets (only job's, when job is not NULL) appended to out. */
enum status prom_sd_parse(const char *body, size_t n, const char *job, struct sd_list *out, struct err *err);

#endif
