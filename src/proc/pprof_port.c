/* pprof_port.c: see pprof_port.h. */
#include "../base/common.h"
#include "pprof_port.h"
#include "../base/buf.h"
#include "../fetch/fetch.h"
#include "../fetch/pprof_url.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/* Does 127.0.0.1:port answer /debug/pprof/ like net/http/pprof? */
static bool answers_pprof(uint16_t port)
{
	struct fetch_options o;
	fetch_options_default(&o);
	o.connect_timeout_ms = 300;
	o.timeout_ms = 1000;
	o.retries = 0;
	o.max_bytes = 1 << 20;
	char base[64], url[PPROF_URL_MAX];
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", port);
	if (!pprof_url(url, sizeof(url), base, ""))
		return false;
	struct buf b;
	buf_init(&b);
	long status;
	bool ok = fetch_get(url, &o, &b, &status, NULL) == ST_OK && b.len && memmem(b.p, b.len, "goroutine", 9) != NULL;
	buf_free(&b);
	return ok;
}

uint16_t proc_pprof_port(const struct proc_info *p)
{
	for (uint32_t i = 0; i < p->nlistens; i++) {
		const struct proc_listen *l = &p->listens[i];
		if ((l->loopback || l->all_interfaces) && answers_pprof(l->port))
			return l->port;
	}
	return 0;
}

bool proc_is_pid_spec(const char *s)
{
	return strncmp(s, "pid:", 4) == 0;
}

enum status proc_pprof_url(const char *spec, char *url, size_t urlsz, struct err *err)
{
	char *end;
	long pid = strtol(spec + 4, &end, 10);
	if (!proc_is_pid_spec(spec) || spec[4] < '0' || spec[4] > '9' || *end || pid <= 0 || pid > INT_MAX)
		return err_set(err, ST_USAGE, 0, 0, "'%s': expected pid:N", spec);
	struct proc_info *ps;
	uint32_t n = proc_list_go(&ps);
	const struct proc_info *p = NULL;
	for (uint32_t i = 0; i < n; i++)
		if (ps[i].pid == pid)
			p = &ps[i];
	enum status st = ST_OK;
	if (!p) {
		st = err_set(err, ST_NOTFOUND, 0, 0, "%s: no Go process with pid %ld (see 'goroscope ps')", spec, pid);
	} else {
		uint16_t port = proc_pprof_port(p);
		if (!port)
			st = err_set(err, ST_NOTFOUND, 0, 0,
				     "%s (%s): no listening port answers /debug/pprof/ on 127.0.0.1: is net/http/pprof "
				     "imported and served?",
				     spec, p->name);
		else
			snprintf(url, urlsz, "http://127.0.0.1:%u", port);
	}
	free(ps);
	return st;
}
