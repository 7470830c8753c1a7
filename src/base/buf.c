/* buf.c: see buf.h. */
#include "common.h"
#include "buf.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>

void buf_init(struct buf *b) { memset(b, 0, sizeof(*b)); }

void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->overflow = false;
}

static bool reserve(struct buf *b, size_t n)
{
	if (b->limit && b->len + n > b->limit) {
		b->overflow = true;
		return false;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = xreallocarray(b->p, cap, 1);
		b->cap = cap;
	}
	return true;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	if (!n || !reserve(b, n))
		return;
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void buf_addc(struct buf *b, char c)
{
	if (!reserve(b, 1))
		return;
	b->p[b->len++] = c;
}

void buf_pad(struct buf *b, char c, size_t n)
{
	if (!n || !reserve(b, n))
		return;
	memset(b->p + b->len, c, n);
	b->len += n;
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n <= 0 || !reserve(b, (size_t)n))
		return;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_add_u64(struct buf *b, uint64_t v)
{
	char tmp[24];
	int i = 24;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_add(b, tmp + i, (size_t)(24 - i));
}

const char *buf_cstr(struct buf *b)
{
	if (!reserve(b, 0) || !b->p) {
		if (!b->p) {
			b->p = xmalloc(1);
			b->cap = 1;
		}
	}
	b->p[b->len] = '\0';
	return b->p;
}

enum { DRAIN_AT = 1 << 20 };

void buf_set_sink(struct buf *b, bool (*sink)(void *ctx, const char *p, size_t n), void *ctx)
{
	b->sink = sink;
	b->sink_ctx = ctx;
	b->sink_failed = false;
}

bool buf_flush(struct buf *b)
{
	if (!b->sink)
		return true;
	if (b->len && !b->sink_failed && !b->sink(b->sink_ctx, b->p, b->len))
		b->sink_failed = true;
	b->len = 0;
	return !b->sink_failed;
}

bool buf_drain(struct buf *b)
{
	return b->len < DRAIN_AT ? !b->sink_failed : buf_flush(b);
}
