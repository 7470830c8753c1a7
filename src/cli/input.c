/* input.c: the commands' side of the input seam (source/source.h): load
 * each source, and print what the seam reports (errors, the snapshots'
 * warnings, how a text was read). Also cli_error, the one way cli/ reports
 * a problem. */
#include "../base/common.h"
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("goroscope: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void cli_source_defaults(struct source_options *o)
{
	source_options_default(o);
	/* GOROSCOPE_NO_REPLAY=1 reads every line one by one: the tests compare
	 * both ways (docs/internals/traceback-reader.md). */
	o->replay = getenv("GOROSCOPE_NO_REPLAY") == NULL;
}

void cli_print_warnings(const struct snapshot *s)
{
	for (uint32_t i = 0; i < s->nwarnings; i++) {
		const struct warning *w = &s->warnings[i];
		if (w->line)
			fprintf(stderr, "goroscope: %s: line %llu (byte %llu): warning: %s\n", s->source,
				(unsigned long long)w->line, (unsigned long long)w->offset, w->msg);
		else
			fprintf(stderr, "goroscope: %s: warning: %s\n", s->source, w->msg);
	}
	if (s->warnings_dropped)
		fprintf(stderr, "goroscope: %s: warning: %u more warnings not shown\n", s->source, s->warnings_dropped);
}

static bool load_one(const struct source_options *o, const char *spec, struct snapset *set, bool quiet)
{
	struct source_report rep;
	struct err err = {0};
	uint32_t before = set->n;
	if (source_load(spec, o, set, &rep, &err) != ST_OK) {
		cli_error("%s", err.msg);
		return false;
	}
	/* GOROSCOPE_TIMING=1 (see cmd_analyze.c): how the text was read, for
	 * the tests of the parallel reader and for benchmark work */
	if (getenv("GOROSCOPE_TIMING") && rep.lines)
		fprintf(stderr, "goroscope: timing: %s: %llu lines in %u part(s)\n", set->v[before]->source,
			(unsigned long long)rep.lines, rep.parts);
	if (rep.cut.code != ST_OK) {
		cli_error("%s", rep.cut.msg);
		cli_error("%s: keeping the %u dump(s) read before the error", set->v[before]->source, rep.snapshots);
	}
	if (!quiet)
		for (uint32_t i = before; i < set->n; i++)
			cli_print_warnings(set->v[i]);
	return true;
}

bool cli_load_inputs(const struct source_options *o, int n, char **specs, struct snapset *set, bool quiet)
{
	if (n == 0)
		return load_one(o, "-", set, quiet);
	for (int i = 0; i < n; i++)
		if (!load_one(o, specs[i], set, quiet))
			return false;
	return true;
}
