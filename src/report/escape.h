/* escape.h: writing untrusted bytes (function names, paths, labels from a
 * dump) into text and JSON output safely. */
#ifndef GOROSCOPE_ESCAPE_H
#define GOROSCOPE_ESCAPE_H

#include "../base/buf.h"

#include <stdint.h>

/* Terminal-safe: valid UTF-8 printed as is; control bytes, DEL and invalid
 * UTF-8 as \xNN, so a dump cannot move the cursor or change colours. */
void put_text(struct buf *b, const char *s, size_t n);
/* A JSON string literal with quotes; invalid UTF-8 becomes U+FFFD. */
void put_json_str(struct buf *b, const char *s, size_t n);
static inline void put_json_cstr(struct buf *b, const char *s) { put_json_str(b, s, s ? strlen(s) : 0); }
/* s as a JSON string, or null when s is NULL. */
static inline void put_json_cstr_or_null(struct buf *b, const char *s)
{
	if (s)
		put_json_cstr(b, s);
	else
		buf_adds(b, "null");
}
/* HTML text or attribute value: & < > " ' as character references. */
void put_html_text(struct buf *b, const char *s, size_t n);
/* A JSON string of the UTC time ns (Unix nanoseconds), to the millisecond:
 * "2026-11-27T04:43:09.460Z". */
void put_json_utc(struct buf *b, int64_t ns);
/* Base64 (RFC 4648, with padding, no line breaks) of n bytes at p: for a
 * binary block inside HTML, where it cannot close any element. */
void put_base64(struct buf *b, const void *p, size_t n);
/* Length of the valid UTF-8 sequence at s (1-4), or 0 when invalid. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif
