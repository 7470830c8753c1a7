/* input.c: the commands' side of the input seam (source/source.h): load
 * the sources (several at once, one a core), and print what the seam
 * reports (errors, the snapshots' warnings, how a text was read), in input
 * order. Also cli_error, the one way cli/ reports
 * a problem. */
#include "../base/common.h"
#include "cli.h"
#include "../base/parallel.h"
#include "../base/xalloc.h"

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

/* One input, read on whichever thread: its snapshots into set, what the
 * reading says into rep and err (printed later, in input order). */
struct input_job {
	const struct source_options *o;
	const char *spec;
	struct snapset set;
	struct source_report rep;
	struct err err;
	enum status st;
};

static void read_input(struct input_job *j)
{
	snapset_init(&j->set);
	j->st = source_load(j->spec, j->o, &j->set, &j->rep, &j->err);
}

/* Print what reading j said, move its snapshots to set; false when it
 * failed. */
static bool settle_input(struct input_job *j, struct snapset *set, bool quiet)
{
	const struct source_report rep = j->rep;
	if (j->st != ST_OK) {
		cli_error("%s", j->err.msg);
		snapset_free(&j->set);
		return false;
	}
	uint32_t before = set->n;
	for (uint32_t i = 0; i < j->set.n; i++)
		snapset_push(set, j->set.v[i]);
	free(j->set.v);
	memset(&j->set, 0, sizeof(j->set));
	/* GOROSCOPE_TIMING=1 (see cmd_analyze.c): how the text was read, for
	 * the tests of the parallel reader and for benchmark work */
	if (getenv("GOROSCOPE_TIMING") && rep.lines)
		fprintf(stderr,
			"goroscope: timing: %s: %llu lines in %u part(s), %s, %llu goroutines replayed, %llu tried in vain\n",
			set->v[before]->source, (unsigned long long)rep.lines, rep.parts,
			rep.reader ? rep.reader : "in memory", (unsigned long long)rep.replayed,
			(unsigned long long)rep.replay_missed);
	if (rep.cut.code != ST_OK) {
		cli_error("%s", rep.cut.msg);
		cli_error("%s: keeping the %u dump(s) read before the error", set->v[before]->source, rep.snapshots);
	}
	if (!quiet)
		for (uint32_t i = before; i < set->n; i++)
			cli_print_warnings(set->v[i]);
	return true;
}

static void read_nth(void *ctx, uint32_t i)
{
	read_input(&((struct input_job *)ctx)[i]);
}

/* Read the n inputs at once; input i's snapshots go to *sets[i]. */
static bool load_each(const struct source_options *o, int n, char **specs, struct snapset *const *sets, bool quiet)
{
	/* several inputs are read at once, one a core (a large text file
	 * read in parts, o->threads, keeps its own threads); what they say is
	 * printed, and their snapshots kept, in input order: the same output
	 * as one after the other */
	/* the cores are shared: a file read in parts gets its share of them */
	struct source_options shared = *o;
	shared.threads = MAX(1, o->threads / (int)parallel_threads((uint32_t)n));
	struct input_job *jobs = xcalloc((size_t)n, sizeof(*jobs));
	for (int i = 0; i < n; i++)
		jobs[i] = (struct input_job){.o = &shared, .spec = specs[i]};
	parallel_for((uint32_t)n, read_nth, jobs);
	bool ok = true;
	for (int i = 0; i < n; i++) {
		if (ok)
			ok = settle_input(&jobs[i], sets[i], quiet);
		else
			snapset_free(&jobs[i].set); /* after a failure: read, not kept */
	}
	free(jobs);
	return ok;
}

bool cli_load_inputs(const struct source_options *o, int n, char **specs, struct snapset *set, bool quiet)
{
	char *stdin_spec[] = {"-"};
	if (n == 0) {
		n = 1;
		specs = stdin_spec;
	}
	struct snapset **sets = xcalloc((size_t)n, sizeof(*sets));
	for (int i = 0; i < n; i++)
		sets[i] = set;
	bool ok = load_each(o, n, specs, sets, quiet);
	free(sets);
	return ok;
}

bool cli_load_inputs_apart(const struct source_options *o, int n, char **specs, struct snapset *sets, bool quiet)
{
	struct snapset **each = xcalloc((size_t)(n ? n : 1), sizeof(*each));
	for (int i = 0; i < n; i++)
		each[i] = &sets[i];
	bool ok = load_each(o, n, specs, each, quiet);
	free(each);
	return ok;
}
