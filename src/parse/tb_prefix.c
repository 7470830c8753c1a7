/* tb_prefix.c: log-prefix detection for dumps written through a logger,
 * where every line reads "<timestamp> [LEVEL] source: <dump line>". The
 * prefix is learnt from a header found mid-line and kept only if the next
 * line repeats it. Its digits change from line to line (a timestamp to the
 * second, or to the nanosecond as kubectl logs --timestamps and container
 * runtimes print it), the rest does not: a line carries the prefix when it
 * starts with the same text, any digit standing for a digit, or, when the
 * timestamp's width changes (RFC 3339 drops trailing zeros), when the
 * prefix's fixed tail (what follows its last digit) ends near where the
 * prefix would. */
#include "../base/common.h"
#include "tb_internal.h"

/* The fixed tail: what follows the prefix's last digit when that is at
 * least MIN_TAIL bytes; else (a prefix ending in digits, or in a short
 * "]: ") its last TAIL bytes, digits and all. */
enum { TAIL = 24, MIN_TAIL = 4 };

void tb_prefix_reset(struct tb_prefix *p) { memset(p, 0, sizeof(*p)); }

void tb_prefix_candidate(struct tb_prefix *p, const char *s, size_t n, uint64_t lineno)
{
	if (p->active || n == 0 || n >= sizeof(p->text))
		return;
	memcpy(p->text, s, n);
	p->len = n;
	size_t fixed = 0;
	while (fixed < n && !is_digit(s[n - 1 - fixed]))
		fixed++;
	p->tail = fixed >= MIN_TAIL && fixed < n ? fixed : MIN(n, (size_t)TAIL);
	p->cand = true;
	p->cand_line = lineno;
}

/* Are the n bytes at s those at text, but for digits in place of digits? */
static bool same_but_digits(const char *s, const char *text, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != text[i] && !(is_digit(s[i]) && is_digit(text[i])))
			return false;
	return true;
}

/* Where the prefix ends in s, or 0 when s does not carry it. */
static size_t match(const struct tb_prefix *p, const char *s, size_t n)
{
	const char *tail = p->text + p->len - p->tail;
	if (n >= p->len && memcmp(s + p->len - p->tail, tail, p->tail) == 0)
		return p->len;
	if (n >= p->len && same_but_digits(s, p->text, p->len))
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
