/* cmd_ps.c: `goroscope ps`: the Go processes on this machine (found from
 * the build info in their executables, no agent needed), their Go version,
 * listening TCP ports, and which port answers /debug/pprof/ (probed on
 * loopback only, proc/pprof_port.h). */
#include "../base/common.h"
#include "cli.h"
#include "../base/buf.h"
#include "../fetch/fetch.h"
#include "../proc/pprof_port.h"
#include "../report/escape.h"

#include <stdio.h>
#include <stdlib.h>

struct ps_args {
	bool json, no_probe;
};

enum { O_JSON, O_NOPROBE };

static const struct opt ps_opts[] = {
	{"json", 0, OV_FLAG, NULL, "JSON array of processes", NULL, NULL, O_JSON},
	{"no-probe", 0, OV_FLAG, NULL, "do not connect to any port", NULL, NULL, O_NOPROBE},
};

static bool take(void *target, int id, const char *v)
{
	(void)v;
	struct ps_args *a = target;
	if (id == O_JSON)
		a->json = true;
	else
		a->no_probe = true;
	return true;
}

static const struct opt_group ps_group = {NULL, ps_opts, ARRAY_LEN(ps_opts), take};
static const struct opt_use uses[] = {{&ps_group, 0, NULL}, {NULL, 0, NULL}};

static int run(int argc, char **argv)
{
	struct ps_args a = {0};
	int nwords;
	int rc = cli_parse_or_exit(&command_ps, argc, argv, &a, &nwords);
	if (rc >= 0)
		return rc;
	if (nwords) {
		cli_error("ps takes no arguments (see 'goroscope ps --help')");
		return EXIT_ERROR;
	}
	bool json = a.json, probe = !a.no_probe;
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
		uint16_t port = probe ? proc_pprof_port(p) : 0;
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

const struct cli_command command_ps = {
	.name = "ps",
	.summary = "list local Go processes, their Go version and pprof ports",
	.synopsis = "usage: goroscope ps [--json] [--no-probe]",
	.description =
		"List the Go processes on this machine, found without any agent from the\n"
		"build info in their executables: pid, name, Go version, main module,\n"
		"listening TCP ports, and the port that answers /debug/pprof/ (asked on\n"
		"127.0.0.1 only, with a short timeout). Warns when a pprof port listens on\n"
		"all interfaces: the debug endpoints are then exposed to the network.\n"
		"Other commands take 'pid:N' as an input: that process's pprof endpoint.\n",
	.uses = uses,
	.epilogue = "Exit status: 0 ok, 2 usage error.\n",
	.words = WORDS_NONE,
	.run = run,
};
