/* tb_parallel.c: read a large dump with several threads, from memory (a
 * file mapping) or from a regular file with pread: the same parts, the same
 * result. The input is cut at goroutine boundaries ("\n\ngoroutine ", or
 * "\r\n\r\ngoroutine " in a CRLF dump), each part is parsed on its own,
 * and the parts are joined: a part's first dump continues the previous
 * part's last dump when nothing separates them (no preamble, no log prefix,
 * no repeated goroutine id). Whenever that cannot be shown, the whole input
 * is parsed again on one thread, so the result is always the sequential
 * one. An input with no place to cut (a log whose every line carries a
 * prefix) is read on one thread straight away. */
#include "../base/common.h"
#include "tb_internal.h"
#include "../base/u64set.h"
#include "../base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

enum { MAX_PARTS = 16 };

struct part {
	const struct tb_input *in;
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
	pt->st = tb_parse_input(pt->in, pt->from, pt->to, false, pt->source, pt->opt, &pt->set, &pt->stats, &pt->end,
				&pt->err);
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

/* Where in p (n bytes) a goroutine header follows a blank line ended by
 * "\n" or "\r\n" (a dump saved with CRLF line ends), as an offset of the
 * header from p; 0 when nowhere. */
static size_t find_boundary(const char *p, size_t n)
{
	static const char pat[] = "\ngoroutine ";
	enum { PAT = sizeof(pat) - 1 };
	for (size_t at = 1; at + PAT <= n;) {
		const char *m = memmem(p + at, n - at, pat, PAT);
		if (!m)
			return 0;
		size_t k = (size_t)(m - p);
		if (p[k - 1] == '\n' || (k >= 2 && p[k - 1] == '\r' && p[k - 2] == '\n'))
			return k + 1;
		at = k + 1;
	}
	return 0;
}

/* Start of a goroutine header after a blank line, at or after from and
 * within 8 MiB of it; 0 when there is none. A file is searched through a
 * small window moved along it. */
static size_t next_boundary(const struct tb_input *in, size_t from)
{
	enum { BEFORE = 2, WINDOW = 64 * 1024 };
	size_t end = from + MIN(in->n - from, (size_t)(8 << 20));
	if (from < BEFORE)
		return 0; /* (a part is never empty) */
	if (in->p) {
		size_t b = find_boundary(in->p + from - BEFORE, end - from + BEFORE);
		return b ? from - BEFORE + b : 0;
	}
	char *w = xmalloc(WINDOW);
	size_t found = 0;
	for (size_t at = from - BEFORE; !found && at + 16 <= end; at += WINDOW - 16) {
		ssize_t got = pread(in->fd, w, MIN((size_t)WINDOW, end - at), (off_t)at);
		if (got < 16)
			break;
		size_t b = find_boundary(w, (size_t)got);
		if (b)
			found = at + b;
	}
	free(w);
	return found;
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
	/* A goroutine id seen on both sides means a new dump began. The
	 * parts kept the ids of these two dumps: compared 64 at a time. */
	if (a->end.last == last && b->end.first == first)
		return !u64set_intersects(&a->end.last_ids, &b->end.first_ids);
	struct u64set ids;
	u64set_init(&ids);
	for (uint64_t i = 0; i < last->ngoroutines; i++)
		u64set_add(&ids, snapshot_goroutine_id(last, i));
	bool ok = true;
	for (uint64_t i = 0; i < first->ngoroutines && ok; i++) {
		uint64_t id = snapshot_goroutine_id(first, i);
		ok = id == 0 || !u64set_has(&ids, id);
	}
	u64set_free(&ids);
	return ok;
}

enum status tb_parse_parallel(const struct tb_input *in, const char *source, const struct tb_options *opt,
			      struct snapset *out, struct tb_stats *stats, struct err *err)
{
	size_t n = in->n;
	int nparts = MIN(opt->threads, MAX_PARTS);
	struct part *parts = xcalloc((size_t)nparts, sizeof(*parts));
	size_t from = 0;
	int k = 0;
	for (; k < nparts && from < n; k++) {
		size_t to = n;
		if (k + 1 < nparts) {
			size_t b = next_boundary(in, MAX(from, n / (size_t)nparts * (size_t)(k + 1)));
			if (b > from)
				to = b;
		}
		parts[k] = (struct part){.in = in, .from = from, .to = to, .source = source, .opt = opt};
		snapset_init(&parts[k].set);
		from = to;
	}
	nparts = k;
	if (nparts == 1) {
		free(parts);
		return tb_parse_input(in, 0, n, true, source, opt, out, stats, NULL, err);
	}
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
				stats->replayed += parts[i].stats.replayed;
				stats->replay_missed += parts[i].stats.replay_missed;
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
		st = tb_parse_input(in, 0, n, true, source, opt, out, stats, NULL, err);
	}
	for (int i = 0; i < nparts; i++)
		snapset_free(&parts[i].set);
	for (int i = 0; i < nparts; i++)
		tb_chunk_end_free(&parts[i].end);
	free(parts);
	return st;
}
