/* buf.h: growable byte buffer used by reports to render output before it is
 * written. Appends never fail (abort on OOM); a buffer can be given a hard
 * cap, after which appends are dropped and `overflow` is set so the caller
 * can report it instead of growing without bound.
 *
 * A buffer can also be given a sink: then a report calls buf_drain at the
 * points where nothing it wrote will be looked at again (between groups,
 * between snapshots), and once a mebibyte has gathered it goes to the sink
 * and the buffer starts over. So a document of any size is written with
 * a mebibyte in memory, and without a sink the same code builds it whole. */
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
	/* Where drained bytes go (NULL: nowhere, they stay); false from it
	 * means the output failed, and later drains drop their bytes. */
	bool (*sink)(void *ctx, const char *p, size_t n);
	void *sink_ctx;
	bool sink_failed;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, char c);
/* (inline: a literal's length is then known where it is written) */
static inline void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, __builtin_strlen(s));
}
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_add_u64(struct buf *b, uint64_t v);
/* Append n copies of c. */
void buf_pad(struct buf *b, char c, size_t n);
/* Send what is held to the sink when it is a mebibyte or more (buf_drain)
 * or whatever it is (buf_flush, at the end). No-ops without a sink. False
 * once the sink has failed. */
void buf_set_sink(struct buf *b, bool (*sink)(void *ctx, const char *p, size_t n), void *ctx);
bool buf_drain(struct buf *b);
bool buf_flush(struct buf *b);
/* NUL-terminated view (the NUL is not counted in len). */
const char *buf_cstr(struct buf *b);

#endif
