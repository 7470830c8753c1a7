/* folded.c: folded stacks for flamegraph.pl, inferno and speedscope: one
 * line per group, frames from the outermost (root) to the innermost,
 * separated by ';', then a space and the goroutine count. */
#include "../base/common.h"
#include "report.h"
#include "escape.h"

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

void report_folded(struct buf *b, const struct analysis *a)
{
	const struct snapshot *s = a->snap;
	for (uint32_t i = 0; i < a->ngroups; i++) {
		const struct group *g = &a->groups[i];
		const struct stack *st = &s->stacks[g->stack];
		const struct frame *f = snapshot_frames(s, st);
		if (!st->nframes) {
			buf_adds(b, "[no frames]");
		}
		for (uint32_t k = st->nframes; k-- > 0;) {
			put_folded_name(b, snapshot_str(s, f[k].func), strtab_len(&s->strs, f[k].func));
			if (k)
				buf_addc(b, ';');
		}
		buf_addc(b, ' ');
		buf_add_u64(b, g->count);
		buf_addc(b, '\n');
	}
}
