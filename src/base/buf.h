/* buf.h: growable byte buffer used by reports to render output before it is
 * written. Appends never fail (abort on OOM); a buffer can be given a hard
 * cap, after which appends are dropped and `overflow` is set so the caller
 * can report it instead of growing without bound. */
#ifndef GOROSCOPE_BUF_H
#define GOROSCOPE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char *p;
	size_t len, cap;
	size_t limit;  /* 0 = no limit */
	bool overflow;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_add_u64(struct buf *b, uint64_t v);
/* Append n copies of c. */
void buf_pad(struct buf *b, char c, size_t n);
/* NUL-terminated view (the NUL is not counted in len). */
const char *buf_cstr(struct buf *b);

#endif
