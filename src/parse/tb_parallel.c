/* tb_parallel.c: read a large in-memory dump with several threads. The
 * input is cut at goroutine boundaries ("\n\ngoroutine "), each part is
 * parsed on its own, and the parts are joined: a part's first dump
 * continues the previous part's last dump when nothing separates them (no
 * preamble, no log prefix, no repeated goroutine id). Whenever that cannot
 * be shown, the whole input is parsed again on one thread, so the result is
 * always the sequential one. */
#include "../base/common.h"
#include "tb_internal.h"
#include "../base/u64set.h"
#include "../base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>

enum { MAX_PARTS = 16 };

struct part {
	const char *base;         /* the whole input */
	size_t from, to;
	const char *source;
	const struct tb_options *opt;
	struct snapset set;
	struct tb_stats stats;
	struct tb_chunk_end end;
	struct err err;
	enum status st;
};

static void *run_part(void *arg)
{
	struct part *pt = arg;
	/* Line numbers start from 0 in every part; the join shifts them. */
	pt->st = tb_parse_chunk(pt->base + pt->from, pt->to - pt->from, pt->from, 0, false, pt->source,
				pt->opt, &pt->set, &pt->stats, &pt->end, &pt->err);
	return NULL;
}

static void shift_lines(struct snapshot *s, uint64_t by)
{
	if (!by)
		return;
	s->first_line += by;
	s->last_line += by;
	for (uint32_t i = 0; i < s->nwarnings; i++)
		if (s->warnings[i].line)
			s->warnings[i].line += by;
}

/* Start of a goroutine header after a blank line, at or after from. */
static size_t next_boundary(const char *p, size_t n, size_t from)
{
	static const char pat[] = "\n\ngoroutine ";
	size_t window = MIN(n - from, (size_t)(8 << 20));
	const char *m = memmem(p + from, window, pat, sizeof(pat) - 1);
	return m ? (size_t)(m - p) + 2 : 0;
}

/* Can the first dump of part b continue the last dump of part a? */
static bool continues(const struct part *a, const struct part *b)
{
	if (!a->end.clean || a->set.n == 0 || b->set.n == 0)
		return false;
	const struct snapshot *last = a->set.v[a->set.n - 1];
	const struct snapshot *first = b->set.v[0];
	if (first->kind != SNAP_STACKS || first->preamble || first->first_offset != b->from || !last->ngoroutines)
		return false;
	/* A goroutine id seen on both sides means a new dump began. */
	struct u64set ids;
	u64set_init(&ids);
	for (uint64_t i = 0; i < last->ngoroutines; i++)
		u64set_add(&ids, snapshot_goroutine(last, i)->id);
	bool ok = true;
	for (uint64_t i = 0; i < first->ngoroutines && ok; i++) {
		uint64_t id = snapshot_goroutine(first, i)->id;
		ok = id == 0 || !u64set_has(&ids, id);
	}
	u64set_free(&ids);
	return ok;
}

enum status tb_parse_parallel(const char *p, size_t n, const char *source, const struct tb_options *opt,
			      struct snapset *out, struct tb_stats *stats, struct err *err)
{
	int nparts = MIN(opt->threads, MAX_PARTS);
	struct part *parts = xcalloc((size_t)nparts, sizeof(*parts));
	size_t from = 0;
	int k = 0;
	for (; k < nparts && from < n; k++) {
		size_t to = n;
		if (k + 1 < nparts) {
			size_t b = next_boundary(p, n, MAX(from, n / (size_t)nparts * (size_t)(k + 1)));
			if (b > from)
				to = b;
		}
		parts[k] = (struct part){.base = p, .from = from, .to = to, .source = source, .opt = opt};
		snapset_init(&parts[k].set);
		from = to;
	}
	nparts = k;
	pthread_t tids[MAX_PARTS];
	bool started[MAX_PARTS] = {false};
	for (int i = 1; i < nparts; i++)
		started[i] = pthread_create(&tids[i], NULL, run_part, &parts[i]) == 0;
	run_part(&parts[0]);
	for (int i = 1; i < nparts; i++) {
		if (started[i])
			pthread_join(tids[i], NULL);
		else
			run_part(&parts[i]);
	}

	bool ok = nparts > 1;
	for (int i = 0; i < nparts && ok; i++)
		ok = parts[i].st == ST_OK;
	for (int i = 1; i < nparts && ok; i++)
		ok = continues(&parts[i - 1], &parts[i]);
	enum status st = ST_OK;
	if (ok) {
		/* Join: part 0's dumps, then each later part's, its first merged. */
		uint32_t base = out->n;
		uint64_t line_base = 0;
		for (int i = 0; i < nparts; i++) {
			for (uint32_t j = 0; j < parts[i].set.n; j++) {
				struct snapshot *s = parts[i].set.v[j];
				shift_lines(s, line_base);
				if (i > 0 && j == 0)
					snapshot_merge(out->v[out->n - 1], s);
				else
					snapset_push(out, s);
			}
			parts[i].set.n = 0;
			if (parts[i].stats.preamble_line)
				parts[i].stats.preamble_line += line_base;
			line_base += parts[i].end.lines;
		}
		for (uint32_t j = base; j < out->n; j++)
			out->v[j]->index = j - base + 1;
		/* End-of-input checks ran on no part: redo them on the joined dump. */
		tb_check_input_end(out->v[out->n - 1]);
		if (stats) {
			*stats = parts[0].stats;
			for (int i = 1; i < nparts; i++) {
				stats->binary_lines += parts[i].stats.binary_lines;
				stats->long_lines += parts[i].stats.long_lines;
				if (!stats->preamble_line && parts[i].stats.preamble_line) {
					stats->preamble_line = parts[i].stats.preamble_line;
					memcpy(stats->preamble, parts[i].stats.preamble, sizeof(stats->preamble));
				}
			}
			stats->lines = line_base;
			stats->bytes = n;
			stats->parts = (uint32_t)nparts;
		}
	} else {
		st = tb_parse_chunk(p, n, 0, 0, true, source, opt, out, stats, NULL, err);
	}
	for (int i = 0; i < nparts; i++)
		snapset_free(&parts[i].set);
	free(parts);
	return st;
}
