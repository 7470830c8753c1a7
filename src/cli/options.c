/* options.c: option handling the commands share: numbers, colour, the
 * group filters (-m, -f, --label), and the options every input-reading
 * command accepts (live sources) with the unknown-option error. */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/group.h"
#include "../report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

bool cli_parse_count(const char *opt, const char *s, uint32_t *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end || v < 0 || v > 100000000) {
		cli_error("%s needs a non-negative number, got '%s'", opt, s);
		return false;
	}
	*out = (uint32_t)v;
	return true;
}

bool cli_parse_color(const char *s, int *mode)
{
	if (!strcmp(s, "auto"))
		*mode = -1;
	else if (!strcmp(s, "always"))
		*mode = 1;
	else if (!strcmp(s, "never"))
		*mode = 0;
	else {
		cli_error("--color must be auto, always or never, got '%s'", s);
		return false;
	}
	return true;
}

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

bool cli_add_label(struct cli_filter_args *fa, const char *kv)
{
	if (fa->nlabels == FILTER_MAX_LABELS) {
		cli_error("too many --label options (at most %d)", FILTER_MAX_LABELS);
		return false;
	}
	fa->labels[fa->nlabels++] = kv;
	return true;
}

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

bool cli_other_option(int c, const char *arg, char **argv, const char *command)
{
	int r = cli_net_option(c, arg);
	if (r == 1)
		return true;
	if (r == 0) {
		if (c == ':')
			cli_error("option '%s' needs a value (see 'goroscope %s --help')", argv[optind - 1], command);
		else
			cli_error("unknown option '%s' (see 'goroscope %s --help')", argv[optind - 1], command);
	}
	return false;
}

int cli_group_option(int c, const char *arg, struct group_options *go)
{
	struct err err = {0};
	switch (c) {
	case O_GROUP_BY:
		if (group_by_parse(arg, go, &err) != ST_OK) {
			cli_error("%s", err.msg);
			return -1;
		}
		return 1;
	case O_GROUP_ALL: go->include_system = true; return 1;
	default: return 0;
	}
}

int cli_view_option(int c, const char *arg, struct text_options *to, int *color, struct cli_filter_args *fa)
{
	switch (c) {
	case 'm': fa->match = arg; return 1;
	case 'f': fa->drop = arg; return 1;
	case O_VIEW_LABEL: return cli_add_label(fa, arg) ? 1 : -1;
	case O_VIEW_LIMIT: return cli_parse_count("--limit", arg, &to->max_groups) ? 1 : -1;
	case O_VIEW_FRAMES: return cli_parse_count("--frames", arg, &to->max_frames) ? 1 : -1;
	case O_VIEW_FULL: to->full_paths = true; return 1;
	case O_VIEW_COLOR: return cli_parse_color(arg, color) ? 1 : -1;
	}
	return 0;
}
