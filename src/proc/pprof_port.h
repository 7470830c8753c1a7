/* pprof_port.h: which port of a local Go process serves net/http/pprof,
 * asked on loopback only (a short GET of /debug/pprof/ per listening port),
 * and the "pid:N" inputs every command takes. Prints nothing. */
#ifndef GOROSCOPE_PPROF_PORT_H
#define GOROSCOPE_PPROF_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "proc.h"

/* The first port of p, bound to loopback or to all interfaces, whose
 * /debug/pprof/ on 127.0.0.1 answers like net/http/pprof; 0 when none. */
uint16_t proc_pprof_port(const struct proc_info *p);

/* Is s a "pid:..." input (well formed or not)? */
bool proc_is_pid_spec(const char *s);

/* The pprof base URL ("http://127.0.0.1:PORT") of the local Go process that
 * spec ("pid:N") names, into url. ST_USAGE when spec is not pid:N;
 * ST_NOTFOUND when no Go process has that pid (or it is not readable) or
 * none of its ports answers /debug/pprof/; err says which. */
enum status proc_pprof_url(const char *spec, char *url, size_t urlsz, struct err *err);

#endif
