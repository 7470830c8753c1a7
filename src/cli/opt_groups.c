/* opt_groups.c: the option groups several commands accept (cli.h), and
 * the value parsers every group uses. Each group's take() writes into the
 * struct cli.h names for it and nothing else. */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/group.h"
#include "../watch/config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- values ---- */

bool cli_parse_count(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end || errno || v < (long)lo || v > (long)hi) {
		cli_error("%s needs a number from %u to %u, got '%s'", opt, lo, hi, s);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* A real number from lo to hi; what names it in the message. */
static bool parse_real(const char *opt, const char *what, const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !isfinite(v) || v < lo || v > hi) {
		cli_error("%s needs %s from %g to %g, got '%s'", opt, what, lo, hi, s);
		return false;
	}
	*out = v;
	return true;
}

bool cli_parse_seconds(const char *opt, const char *s, double lo, double hi, double *out)
{
	return parse_real(opt, "seconds", s, lo, hi, out);
}

bool cli_parse_number(const char *opt, const char *s, double lo, double hi, double *out)
{
	return parse_real(opt, "a number", s, lo, hi, out);
}

bool cli_parse_duration(const char *opt, const char *s, double *seconds)
{
	if (watch_parse_duration(s, seconds))
		return true;
	cli_error("%s needs a duration such as 500ms, 10s, 5m, 2h, got '%s'", opt, s);
	return false;
}

bool cli_parse_pick(const char *opt, const char *s, long *pick)
{
	uint32_t v;
	if (!strcmp(s, "last")) {
		*pick = -1;
		return true;
	}
	if (!cli_parse_count(opt, s, 1, 100000000, &v))
		return false;
	*pick = v;
	return true;
}

/* ---- live sources ---- */

enum { A_HEADER, A_BEARER, A_CACERT, A_CERT, A_KEY, A_INSECURE };
static const struct opt auth_opts[] = {
	{"header", 'H', OV_OTHER, "'N: V'", "send this header with every request (repeatable)", NULL, NULL, A_HEADER, true},
	{"bearer", 0, OV_OTHER, "TOKEN", "send \"Authorization: Bearer TOKEN\"", NULL, NULL, A_BEARER},
	{"cacert", 0, OV_FILE, "FILE", "CA certificates (PEM) to verify https servers with, instead of the system's",
	 NULL, NULL, A_CACERT},
	{"cert", 0, OV_FILE, "FILE", "client certificate (PEM) to present to https servers", NULL, NULL, A_CERT},
	{"key", 0, OV_FILE, "FILE", "the client certificate's private key (PEM)", NULL, NULL, A_KEY},
	{"insecure", 0, OV_FLAG, NULL, "do not verify the server's certificate", NULL, NULL, A_INSECURE},
};

static bool take_auth(void *target, int id, const char *v)
{
	struct fetch_auth *a = target;
	switch (id) {
	case A_HEADER:
		if (a->nheaders == FETCH_MAX_HEADERS) {
			cli_error("too many --header options (at most %d)", FETCH_MAX_HEADERS);
			return false;
		}
		if (!strchr(v, ':') || v[0] == ':' || strpbrk(v, "\r\n")) {
			cli_error("--header needs 'Name: value' on one line, got '%s'", v);
			return false;
		}
		a->headers[a->nheaders++] = v;
		return true;
	case A_BEARER: a->bearer = v; return true;
	case A_CACERT: a->cacert = v; return true;
	case A_CERT: a->cert = v; return true;
	case A_KEY: a->key = v; return true;
	case A_INSECURE: a->insecure = true; return true;
	}
	return false;
}

const struct opt_group opt_group_auth = {"Live sources (a URL such as http://127.0.0.1:6060, or pid:N):", auth_opts,
					 ARRAY_LEN(auth_opts), take_auth};

enum { T_CONNECT, T_TIMEOUT, T_RETRIES };
static const struct opt transfer_opts[] = {
	{"connect-timeout", 0, OV_OTHER, "S", "seconds to connect", NULL, "3", T_CONNECT},
	{"timeout", 0, OV_OTHER, "S", "seconds for a whole request", NULL, "30", T_TIMEOUT},
	{"retries", 0, OV_OTHER, "N", "attempts after a failure that may pass (refused connection, timeout, 5xx)", NULL,
	 "2", T_RETRIES},
};

static bool take_transfer(void *target, int id, const char *v)
{
	struct fetch_options *f = target;
	double s;
	uint32_t n;
	switch (id) {
	case T_CONNECT:
	case T_TIMEOUT:
		if (!cli_parse_seconds(id == T_CONNECT ? "--connect-timeout" : "--timeout", v, 0.001, 86400, &s))
			return false;
		*(id == T_CONNECT ? &f->connect_timeout_ms : &f->timeout_ms) = (long)ceil(s * 1000);
		return true;
	case T_RETRIES:
		if (!cli_parse_count("--retries", v, 0, 10, &n))
			return false;
		f->retries = n;
		return true;
	}
	return false;
}

const struct opt_group opt_group_transfer = {NULL, transfer_opts, ARRAY_LEN(transfer_opts), take_transfer};

static const struct opt format_opts[] = {
	{"format", 0, OV_CHOICE, "F",
	 "which goroutine profile a base URL stands for: debug2 (ids, states, wait minutes), debug1 or pprof "
	 "(cheap: no long stop of the target's world); auto is debug2 unless the command says otherwise; a URL "
	 "holding /debug/pprof/ is fetched as given",
	 "auto debug2 debug1 pprof", "auto", 0},
};

static bool take_format(void *target, int id, const char *v)
{
	(void)id;
	enum source_format *f = target;
	if (!strcmp(v, "auto"))
		*f = SOURCE_FORMAT_AUTO;
	else if (!strcmp(v, "debug2") || !strcmp(v, "debug=2"))
		*f = SOURCE_FORMAT_DEBUG2;
	else if (!strcmp(v, "debug1") || !strcmp(v, "debug=1"))
		*f = SOURCE_FORMAT_DEBUG1;
	else if (!strcmp(v, "pprof") || !strcmp(v, "protobuf") || !strcmp(v, "debug=0"))
		*f = SOURCE_FORMAT_PPROF;
	else {
		cli_error("--format must be auto, debug2, debug1 or pprof, got '%s'", v);
		return false;
	}
	return true;
}

const struct opt_group opt_group_format = {NULL, format_opts, ARRAY_LEN(format_opts), take_format};

/* ---- groups and filters ---- */

enum { F_MATCH, F_DROP, F_LABEL };
static const struct opt filter_opts[] = {
	{"match", 'm', OV_OTHER, "RE",
	 "keep groups whose functions (with package path), creator or state match the extended regex RE", NULL, NULL,
	 F_MATCH},
	{"filter", 'f', OV_OTHER, "RE", "drop groups that match RE", NULL, NULL, F_DROP},
	{"label", 0, OV_OTHER, "KEY=RE",
	 "keep goroutines whose pprof label KEY matches the extended regex RE (whole value); repeatable, all must "
	 "match",
	 NULL, NULL, F_LABEL, true},
};

static bool take_filter(void *target, int id, const char *v)
{
	struct cli_filter_args *fa = target;
	switch (id) {
	case F_MATCH: fa->match = v; return true;
	case F_DROP: fa->drop = v; return true;
	case F_LABEL:
		if (fa->nlabels == FILTER_MAX_LABELS) {
			cli_error("too many --label options (at most %d)", FILTER_MAX_LABELS);
			return false;
		}
		fa->labels[fa->nlabels++] = v;
		return true;
	}
	return false;
}

const struct opt_group opt_group_filter = {"Grouping and filtering:", filter_opts, ARRAY_LEN(filter_opts),
					   take_filter};

bool cli_build_filter(const struct cli_filter_args *fa, struct filter *f)
{
	struct err err = {0};
	if (filter_compile(f, fa->match, fa->drop, &err) != ST_OK) {
		cli_error("%s", err.msg);
		return false;
	}
	for (uint32_t i = 0; i < fa->nlabels; i++) {
		if (filter_add_label(f, fa->labels[i], &err) != ST_OK) {
			cli_error("%s", err.msg);
			filter_free(f);
			return false;
		}
	}
	return true;
}

enum { G_BY, G_ALL };
static const struct opt grouping_opts[] = {
	{"by", 0, OV_OTHER, "MODE",
	 "stack (function, file and line of every frame, and the creator), top=N (the first N frames), creator, "
	 "state, or label:KEY (the value of pprof label KEY)",
	 NULL, "stack", G_BY},
	{"all", 0, OV_FLAG, NULL, "include the runtime's own goroutines (hidden by default)", NULL, NULL, G_ALL},
};

static bool take_grouping(void *target, int id, const char *v)
{
	struct group_options *go = target;
	struct err err = {0};
	switch (id) {
	case G_BY:
		if (group_by_parse(v, go, &err) != ST_OK) {
			cli_error("%s", err.msg);
			return false;
		}
		return true;
	case G_ALL: go->include_system = true; return true;
	}
	return false;
}

const struct opt_group opt_group_grouping = {NULL, grouping_opts, ARRAY_LEN(grouping_opts), take_grouping};

/* ---- text output ---- */

enum { X_LIMIT, X_FULL, X_FRAMES };
static const struct opt text_opts[] = {
	{"limit", 0, OV_OTHER, "N", "entries printed as text (0: all)", NULL, "20", X_LIMIT},
	{"full-path", 0, OV_FLAG, NULL, "full file paths in text (default: the last two elements)", NULL, NULL, X_FULL},
};
static const struct opt frames_opts[] = {
	{"frames", 0, OV_OTHER, "N", "frames printed per entry as text (0: all)", NULL, "12", X_FRAMES},
};

static bool take_text(void *target, int id, const char *v)
{
	struct text_options *to = target;
	switch (id) {
	case X_LIMIT: return cli_parse_count("--limit", v, 0, 100000000, &to->max_groups);
	case X_FRAMES: return cli_parse_count("--frames", v, 0, 100000000, &to->max_frames);
	case X_FULL: to->full_paths = true; return true;
	}
	return false;
}

const struct opt_group opt_group_text = {NULL, text_opts, ARRAY_LEN(text_opts), take_text};
const struct opt_group opt_group_frames = {NULL, frames_opts, ARRAY_LEN(frames_opts), take_text};

static const struct opt color_opts[] = {
	{"color", 0, OV_CHOICE, "WHEN",
	 "colour text: auto (on a terminal, unless NO_COLOR is set), always, never", "auto always never", "auto", 0},
};

static bool take_color(void *target, int id, const char *v)
{
	(void)id;
	int *mode = target;
	if (!strcmp(v, "auto"))
		*mode = -1;
	else if (!strcmp(v, "always"))
		*mode = 1;
	else if (!strcmp(v, "never"))
		*mode = 0;
	else {
		cli_error("--color must be auto, always or never, got '%s'", v);
		return false;
	}
	return true;
}

const struct opt_group opt_group_color = {NULL, color_opts, ARRAY_LEN(color_opts), take_color};

bool cli_want_color(int mode)
{
	if (mode >= 0)
		return mode == 1;
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	const char *term = getenv("TERM");
	if (term && !strcmp(term, "dumb"))
		return false;
	return isatty(1);
}

static const struct opt output_opts[] = {
	{"output", 'o', OV_FILE, "FILE", "write to FILE instead of standard output", NULL, NULL, 0},
};

static bool take_output(void *target, int id, const char *v)
{
	(void)id;
	*(const char **)target = v;
	return true;
}

const struct opt_group opt_group_output = {NULL, output_opts, ARRAY_LEN(output_opts), take_output};

static const struct opt quiet_opts[] = {
	{"quiet", 'q', OV_FLAG, NULL, "no warnings on stderr", NULL, NULL, 0},
};

static bool take_quiet(void *target, int id, const char *v)
{
	(void)id;
	(void)v;
	*(bool *)target = true;
	return true;
}

const struct opt_group opt_group_quiet = {NULL, quiet_opts, ARRAY_LEN(quiet_opts), take_quiet};

int cli_parse_or_exit(const struct cli_command *cmd, int argc, char **argv, void *args, int *nwords)
{
	switch (cli_parse(cmd, argc, argv, args, nwords)) {
	case CLI_PARSED: return -1;
	case CLI_HELP_SHOWN: return EXIT_OK;
	case CLI_BAD: break;
	}
	return EXIT_ERROR;
}
