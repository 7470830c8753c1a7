/* tb_prefix.c: log-prefix detection for dumps written through a logger,
 * where every line reads "<timestamp> [LEVEL] source: <dump line>". The
 * prefix is learnt from a header found mid-line and kept only if the next
 * line repeats it; lines are then matched on the prefix's last bytes (the
 * timestamp at its start changes from line to line). */
#include "../base/common.h"
#include "tb_internal.h"

enum { TAIL = 24 };

void tb_prefix_reset(struct tb_prefix *p) { memset(p, 0, sizeof(*p)); }

void tb_prefix_candidate(struct tb_prefix *p, const char *s, size_t n, uint64_t lineno)
{
	if (p->active || n == 0 || n >= sizeof(p->text))
		return;
	memcpy(p->text, s, n);
	p->len = n;
	p->tail = MIN(n, (size_t)TAIL);
	p->cand = true;
	p->cand_line = lineno;
}

/* Where the prefix ends in s, or 0 when s does not carry it. */
static size_t match(const struct tb_prefix *p, const char *s, size_t n)
{
	const char *tail = p->text + p->len - p->tail;
	if (n >= p->len && memcmp(s + p->len - p->tail, tail, p->tail) == 0)
		return p->len;
	/* Timestamps of varying width: look a little around. */
	size_t window = MIN(n, p->len + 16);
	const char *m = memmem(s, window, tail, p->tail);
	if (m)
		return (size_t)(m - s) + p->tail;
	/* Loggers that trim trailing spaces print an empty dump line as the
	 * prefix without its final space. */
	if (p->text[p->len - 1] == ' ' && n + 1 == p->len && memcmp(s + n - (p->tail - 1), tail, p->tail - 1) == 0)
		return n;
	return 0;
}

bool tb_prefix_strip(struct tb_prefix *p, const char **s, size_t *n, uint64_t lineno)
{
	if (!p->active) {
		if (!p->cand)
			return true;
		p->cand = false;
		if (lineno != p->cand_line + 1)
			return true;
		size_t k = match(p, *s, *n);
		if (!k)
			return true;
		p->active = true;
		*s += k;
		*n -= k;
		return true;
	}
	size_t k = match(p, *s, *n);
	if (!k)
		return false;
	*s += k;
	*n -= k;
	return true;
}
