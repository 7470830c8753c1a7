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
/* Is the sequence at s (len bytes, valid) one that reorders or hides text
 * when displayed: the bidirectional embeddings, overrides and isolates
 * (U+202A-U+202E, U+2066-U+2069)? */
bool utf8_is_bidi_control(const unsigned char *s, size_t len);
/* Copy n bytes at s into out (outsz bytes, NUL-terminated) as safe,
 * valid UTF-8 for any reader: invalid bytes, control characters (C0, DEL,
 * C1) and bidi controls become U+FFFD, and the copy is cut at a character
 * boundary when it does not fit. Returns the length written. */
size_t utf8_sanitize(char *out, size_t outsz, const char *s, size_t n);

#endif
