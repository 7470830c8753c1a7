/* err.h: the error record filled by fallible functions. Functions return a
 * status (0 = ok) and, when given a non-NULL struct err, say what went wrong
 * and where (line number and byte offset in the input when known). Messages
 * are lowercase, say what is wrong first, and quote the offending text. */
#ifndef GOROSCOPE_ERR_H
#define GOROSCOPE_ERR_H

#include <stdint.h>

enum status {
	ST_OK = 0,
	ST_IO,       /* could not read or write */
	ST_FORMAT,   /* input is not what it should be */
	ST_LIMIT,    /* input exceeds a safety cap */
	ST_USAGE,    /* bad option or argument */
	ST_NOTFOUND, /* nothing to work on (e.g. no goroutines) */
};

struct err {
	enum status code;
	uint64_t line;   /* 1-based, 0 = unknown */
	uint64_t offset; /* byte offset, valid when line != 0 */
	char msg[512];
};

/* Record an error (no-op when e is NULL); returns code for tail calls. */
enum status err_set(struct err *e, enum status code, uint64_t line, uint64_t offset,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Write at most max bytes of s into out (size outsz) as a quoted, printable
 * snippet for messages: control bytes and non-ASCII become \xNN escapes. */
void err_quote(char *out, size_t outsz, const char *s, size_t n, size_t max);

#endif
