/* cmd_ps.c: `goroscope ps`: the Go processes on this machine (found from
 * the build info in their executables, no agent needed), their Go version,
 * listening TCP ports, and which port answers /debug/pprof/ (probed on
 * loopback only). Also resolves `pid:N` inputs for the other commands. */
#include "../base/common.h"
#include "cli.h"
#include "../base/buf.h"
#include "../fetch/fetch.h"
#include "../proc/proc.h"
#include "../report/escape.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

const char usage_ps[] =
	"usage: goroscope ps [--json] [--no-probe]\n"
	"\n"
	"List the Go processes on this machine, found without any agent from the\n"
	"build info in their executables: pid, name, Go version, main module,\n"
	"listening TCP ports, and the port that answers /debug/pprof/ (asked on\n"
	"127.0.0.1 only, with a short timeout). Warns when a pprof port listens on\n"
	"all interfaces: the debug endpoints are then exposed to the network.\n"
	"Other commands take 'pid:N' as an input: that process's pprof endpoint.\n"
	"\n"
	"  --json               JSON array of processes\n"
	"  --no-probe           do not connect to any port\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 ok, 2 usage error.\n";

/* Does 127.0.0.1:port answer /debug/pprof/ like net/http/pprof? */
static bool probe_pprof(uint16_t port)
{
	struct fetch_options o;
	fetch_options_default(&o);
	o.connect_timeout_ms = 300;
	o.timeout_ms = 1000;
	o.retries = 0;
	o.max_bytes = 1 << 20;
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/debug/pprof/", port);
	struct buf b;
	buf_init(&b);
	long status;
	struct err err = {0};
	bool ok = fetch_get(url, &o, &b, &status, &err) == ST_OK && b.len &&
		  memmem(b.p, b.len, "goroutine", 9) != NULL;
	buf_free(&b);
	return ok;
}

/* The pprof port of process p, 0 if none answers (probed on loopback). */
static uint16_t pprof_port(const struct proc_info *p)
{
	for (uint32_t i = 0; i < p->nlistens; i++) {
		const struct proc_listen *l = &p->listens[i];
		if ((l->loopback || l->all_interfaces) && probe_pprof(l->port))
			return l->port;
	}
	return 0;
}

bool cli_resolve_pid(const char *spec, char *url, size_t urlsz)
{
	char *end;
	long pid = strtol(spec + 4, &end, 10);
	if (spec[4] == '\0' || *end || pid <= 0) {
		cli_error("'%s': expected pid:N", spec);
		return false;
	}
	struct proc_info *ps;
	uint32_t n = proc_list_go(&ps);
	const struct proc_info *p = NULL;
	for (uint32_t i = 0; i < n; i++)
		if (ps[i].pid == pid)
			p = &ps[i];
	bool ok = false;
	if (!p) {
		cli_error("%s: no Go process with pid %ld (see 'goroscope ps')", spec, pid);
	} else {
		uint16_t port = pprof_port(p);
		if (!port)
			cli_error("%s (%s): no listening port answers /debug/pprof/ on 127.0.0.1: is net/http/pprof "
				  "imported and served?",
				  spec, p->name);
		else
			snprintf(url, urlsz, "http://127.0.0.1:%u", port);
		ok = port != 0;
	}
	free(ps);
	return ok;
}

int cmd_ps(int argc, char **argv)
{
	enum { O_JSON = 256, O_NOPROBE };
	static const struct option opts[] = {
		{"json", no_argument, 0, O_JSON},
		{"no-probe", no_argument, 0, O_NOPROBE},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	bool json = false, probe = true;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = true; break;
		case O_NOPROBE: probe = false; break;
		case 'h': cli_print_usage(usage_ps); return EXIT_OK;
		default:
			cli_error("unknown option '%s' (see 'goroscope ps --help')", argv[optind - 1]);
			return EXIT_ERROR;
		}
	}
	if (optind != argc) {
		cli_error("ps takes no arguments (see 'goroscope ps --help')");
		return EXIT_ERROR;
	}
	struct proc_info *ps;
	uint32_t n = proc_list_go(&ps);
	struct buf b;
	buf_init(&b);
	if (json)
		buf_addc(&b, '[');
	else
		buf_printf(&b, "%-8s %-16s %-10s %-24s %s\n", "PID", "NAME", "GO", "PPROF", "LISTENING");
	for (uint32_t i = 0; i < n; i++) {
		const struct proc_info *p = &ps[i];
		uint16_t port = probe ? pprof_port(p) : 0;
		bool exposed = false;
		for (uint32_t k = 0; k < p->nlistens; k++)
			exposed = exposed || (p->listens[k].port == port && port && p->listens[k].all_interfaces);
		if (json) {
			buf_printf(&b, "%s{\"pid\":%d,\"name\":", i ? "," : "", p->pid);
			put_json_cstr(&b, p->name);
			buf_adds(&b, ",\"exe\":");
			put_json_cstr(&b, p->exe);
			buf_adds(&b, ",\"go_version\":");
			if (p->go_version[0])
				put_json_cstr(&b, p->go_version);
			else
				buf_adds(&b, "null");
			buf_adds(&b, ",\"module\":");
			if (p->module[0])
				put_json_cstr(&b, p->module);
			else
				buf_adds(&b, "null");
			buf_adds(&b, ",\"listening\":[");
			for (uint32_t k = 0; k < p->nlistens; k++) {
				buf_printf(&b, "%s{\"addr\":", k ? "," : "");
				put_json_cstr(&b, p->listens[k].addr);
				buf_printf(&b, ",\"port\":%u,\"all_interfaces\":%s}", p->listens[k].port,
					   p->listens[k].all_interfaces ? "true" : "false");
			}
			buf_adds(&b, "],\"pprof\":");
			if (port)
				buf_printf(&b, "{\"url\":\"http://127.0.0.1:%u\",\"exposed\":%s}", port, exposed ? "true" : "false");
			else
				buf_adds(&b, "null");
			buf_addc(&b, '}');
			continue;
		}
		char pp[32] = "-";
		if (port)
			snprintf(pp, sizeof(pp), "127.0.0.1:%u", port);
		buf_printf(&b, "%-8d ", p->pid);
		put_text(&b, p->name, strlen(p->name));
		buf_pad(&b, ' ', strlen(p->name) < 16 ? 17 - strlen(p->name) : 1);
		buf_printf(&b, "%-10s %-24s", p->go_version[0] ? p->go_version : "go?", pp);
		for (uint32_t k = 0; k < p->nlistens; k++)
			buf_printf(&b, " %s%s:%u", p->listens[k].addr[0] == ':' ? "[" : "", p->listens[k].addr,
				   p->listens[k].port);
		buf_addc(&b, '\n');
		if (exposed)
			buf_printf(&b, "         ! pid %d serves /debug/pprof/ on all interfaces (port %u): the debug endpoints "
				       "are exposed to the network; bind them to 127.0.0.1\n",
				   p->pid, port);
	}
	if (json)
		buf_adds(&b, "]\n");
	else if (!n)
		buf_adds(&b, "no Go processes found (processes of other users may not be readable)\n");
	bool ok = cli_write_stdout(b.p, b.len);
	buf_free(&b);
	free(ps);
	return ok ? EXIT_OK : EXIT_ERROR;
}
