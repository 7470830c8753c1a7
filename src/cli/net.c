/* net.c: live sources for every command: the network options and the
 * profile URL a base URL stands for. Fetching itself is src/fetch/. */
#include "../base/common.h"
#include "cli.h"
#include "../fetch/fetch.h"

#include <stdio.h>
#include <stdlib.h>

struct fetch_options cli_fetch;
enum cli_format cli_format = CLI_FORMAT_AUTO;
static bool fetch_ready;

static const char net_usage[] =
	"Live sources (an input may be a URL, e.g. http://127.0.0.1:6060):\n"
	"  --format F           debug2, debug1 or pprof: which goroutine profile to\n"
	"                       fetch from a base URL (a URL holding /debug/pprof/ is\n"
	"                       fetched as given)\n"
	"  -H, --header 'N: V'  send a header (repeatable)\n"
	"  --bearer TOKEN       send \"Authorization: Bearer TOKEN\"\n"
	"  --cacert FILE        CA bundle for https; --cert FILE --key FILE: client\n"
	"                       certificate; --insecure: do not verify the server\n"
	"  --connect-timeout S  seconds to connect (default 3); --timeout S: seconds\n"
	"                       for the whole request (default 30)\n"
	"  --retries N          attempts after a failure that may pass (default 2)\n";

void cli_print_usage(const char *usage)
{
	fputs(usage, stdout);
	if (strstr(usage, "usage: goroscope help") != usage) {
		fputs("\n", stdout);
		fputs(net_usage, stdout);
	}
}

static void ensure_defaults(void)
{
	if (!fetch_ready) {
		fetch_options_default(&cli_fetch);
		fetch_ready = true;
	}
}

static bool seconds_ms(const char *opt, const char *s, long *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !(v > 0) || v > 86400) {
		cli_error("%s needs seconds (0 < S <= 86400), got '%s'", opt, s);
		return false;
	}
	*out = (long)(v * 1000);
	return true;
}

int cli_net_option(int c, const char *arg)
{
	ensure_defaults();
	switch (c) {
	case 'H':
	case O_NET_HEADER:
		if (cli_fetch.nheaders == FETCH_MAX_HEADERS) {
			cli_error("too many --header options (at most %d)", FETCH_MAX_HEADERS);
			return -1;
		}
		if (!strchr(arg, ':')) {
			cli_error("--header needs 'Name: value', got '%s'", arg);
			return -1;
		}
		cli_fetch.headers[cli_fetch.nheaders++] = arg;
		return 1;
	case O_NET_BEARER: cli_fetch.bearer = arg; return 1;
	case O_NET_CACERT: cli_fetch.cacert = arg; return 1;
	case O_NET_CERT: cli_fetch.cert = arg; return 1;
	case O_NET_KEY: cli_fetch.key = arg; return 1;
	case O_NET_INSECURE: cli_fetch.insecure = true; return 1;
	case O_NET_CONNECT_TIMEOUT: return seconds_ms("--connect-timeout", arg, &cli_fetch.connect_timeout_ms) ? 1 : -1;
	case O_NET_TIMEOUT: return seconds_ms("--timeout", arg, &cli_fetch.timeout_ms) ? 1 : -1;
	case O_NET_RETRIES: {
		char *end;
		long v = strtol(arg, &end, 10);
		if (!*arg || *end || v < 0 || v > 10) {
			cli_error("--retries needs 0 to 10, got '%s'", arg);
			return -1;
		}
		cli_fetch.retries = (unsigned)v;
		return 1;
	}
	case O_NET_FORMAT:
		if (!strcmp(arg, "debug2") || !strcmp(arg, "debug=2"))
			cli_format = CLI_FORMAT_DEBUG2;
		else if (!strcmp(arg, "debug1") || !strcmp(arg, "debug=1"))
			cli_format = CLI_FORMAT_DEBUG1;
		else if (!strcmp(arg, "pprof") || !strcmp(arg, "protobuf") || !strcmp(arg, "debug=0"))
			cli_format = CLI_FORMAT_PPROF;
		else {
			cli_error("--format must be debug2, debug1 or pprof, got '%s'", arg);
			return -1;
		}
		return 1;
	}
	return 0;
}

void cli_profile_url(const char *u, enum cli_format f, char *out, size_t outsz)
{
	if (strstr(u, "/debug/pprof/")) {
		snprintf(out, outsz, "%s", u);
		return;
	}
	size_t n = strlen(u);
	while (n && u[n - 1] == '/')
		n--;
	const char *q = f == CLI_FORMAT_DEBUG1 ? "?debug=1" : f == CLI_FORMAT_PPROF ? "" : "?debug=2";
	snprintf(out, outsz, "%.*s/debug/pprof/goroutine%s", (int)MIN(n, outsz), u, q);
}

/* Make sure the options have their defaults even when no flag was given. */
__attribute__((constructor)) static void net_defaults(void)
{
	ensure_defaults();
}
