/* folded.c: folded stacks for flamegraph.pl, inferno and speedscope: one
 * line per group, frames from the outermost (root) to the innermost,
 * separated by ';', then a space and the goroutine count. pprof labels come
 * first, as a root frame "{key=value,...}" (or "KEY=value" with --by
 * label:KEY), so a flame graph splits by them. */
#include "../base/common.h"
#include "report.h"
#include "escape.h"
#include "../base/hash.h"
#include "../base/xalloc.h"

#include <stdlib.h>

/* Frame names may not contain ';' (separator), spaces before the count, or
 * line breaks: replace them so every line stays parseable. */
static void put_folded_name(struct buf *b, const char *s, size_t n)
{
	size_t start = b->len;
	put_text(b, s, n);
	for (size_t i = start; i < b->len; i++)
		if (b->p[i] == ';' || b->p[i] == ' ')
			b->p[i] = b->p[i] == ';' ? ':' : '_';
}

static void put_labels(struct buf *b, const struct snapshot *s, uint32_t labels)
{
	uint32_t kv[2 * 64];
	uint32_t n = snapshot_labels(s, labels, kv, 64);
	buf_addc(b, '{');
	for (uint32_t k = 0; k < n; k++) {
		if (k)
			buf_addc(b, ',');
		put_folded_name(b, snapshot_str(s, kv[2 * k]), strtab_len(&s->strs, kv[2 * k]));
		buf_addc(b, '=');
		put_folded_name(b, snapshot_str(s, kv[2 * k + 1]), strtab_len(&s->strs, kv[2 * k + 1]));
	}
	buf_adds(b, "};");
}

static void put_line(struct buf *b, const struct analysis *a, const struct group *g, uint32_t stack,
		     uint32_t labels, uint64_t count)
{
	const struct snapshot *s = a->snap;
	const struct stack *st = &s->stacks[stack];
	const struct frame_view f = snapshot_frames(s, st);
	if (a->opt.by == GROUP_LABEL) {
		put_folded_name(b, a->opt.label_key, strlen(a->opt.label_key));
		buf_addc(b, '=');
		if (g->label_value)
			put_folded_name(b, snapshot_str(s, g->label_value), strtab_len(&s->strs, g->label_value));
		else
			buf_adds(b, "(not_set)");
		buf_addc(b, ';');
	} else if (labels) {
		put_labels(b, s, labels);
	}
	if (!st->nframes)
		buf_adds(b, "[no frames]");
	for (uint32_t k = st->nframes; k-- > 0;) {
		put_folded_name(b, snapshot_str(s, FRAME(f, k).func), strtab_len(&s->strs, FRAME(f, k).func));
		if (k)
			buf_addc(b, ';');
	}
	buf_addc(b, ' ');
	buf_add_u64(b, count);
	buf_addc(b, '\n');
}

/* A (stack, label set) pair of a group and its goroutines. */
struct line_acc {
	uint64_t key; /* stack << 32 | labels, + 1; 0 = empty slot */
	uint64_t count;
};

void report_folded(struct buf *b, const struct analysis *a)
{
	const struct snapshot *s = a->snap;
	/* One line per distinct stack and label set in each group: coarse
	 * groupings (top=N, creator, state, label) hold many stacks, and a
	 * flame graph must show each where it is. */
	uint32_t cap = 0;
	struct line_acc *acc = NULL;
	for (uint32_t i = 0; i < a->ngroups; i++) {
		const struct group *g = &a->groups[i];
		uint32_t want = 16;
		while (want < 2 * g->nmembers && want < (1u << 30))
			want *= 2;
		if (want > cap) {
			free(acc);
			cap = want;
			acc = xmalloc(cap * sizeof(*acc));
		}
		memset(acc, 0, want * sizeof(*acc));
		for (uint64_t k = 0; k < g->nmembers; k++) {
			uint64_t idx = a->members[g->first_member + k];
			const struct goroutine go_v = snapshot_goroutine(s, idx), *go = &go_v;
			uint64_t key = ((uint64_t)go->stack << 32 | go->labels) + 1;
			uint32_t j = (uint32_t)(hash_u64(0, key) & (want - 1));
			while (acc[j].key && acc[j].key != key)
				j = (j + 1) & (want - 1);
			acc[j].key = key;
			acc[j].count += snapshot_weight(s, idx);
		}
		for (uint32_t j = 0; j < want; j++)
			if (acc[j].key)
				put_line(b, a, g, (uint32_t)((acc[j].key - 1) >> 32), (uint32_t)(acc[j].key - 1),
					 acc[j].count);
		buf_drain(b);
	}
	free(acc);
}
