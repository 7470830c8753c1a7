/* linereader.h: streams lines out of a file descriptor or a memory block
 * without holding the whole input. Lines are returned as views into an
 * internal buffer (8 MiB); a client that keeps views across lines registers
 * keep_from() so the bytes it still needs survive a refill, and pin() so it
 * can copy them out when they would not fit. Lines longer than max_line are
 * cut: the first max_line bytes are returned with `too_long` set and the rest
 * of that line is skipped. '\r' before '\n' is removed. */
#ifndef GOROSCOPE_LINEREADER_H
#define GOROSCOPE_LINEREADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "bytes.h"
#include "err.h"

struct line {
	const char *p;
	size_t n;
	uint64_t lineno;     /* 1-based */
	uint64_t offset;     /* byte offset of p[0] in the input */
	bool no_newline;     /* last line, not terminated by '\n' */
	bool too_long;       /* cut at max_line */
	bool had_cr;         /* '\r\n' line end */
};

struct lr_client {
	void *ctx;
	/* Earliest input offset whose bytes must stay readable, or UINT64_MAX. */
	uint64_t (*keep_from)(void *ctx);
	/* Copy out whatever keep_from() protects; afterwards keep_from() must
	 * return UINT64_MAX. */
	void (*pin)(void *ctx);
};

struct linereader {
	int fd;              /* -1 in memory mode */
	char *buf;           /* owned in fd mode; the caller's block otherwise */
	size_t cap;
	size_t start, end;   /* unread bytes are buf[start..end) */
	uint64_t base;       /* input offset of buf[0] */
	uint64_t lineno;
	size_t max_line;
	bool eof;
	bool pending_skip;   /* drop the rest of a cut line first */
	bool release;        /* memory mode over a file mapping: drop consumed pages */
	uint64_t released;   /* bytes [0, released) have been dropped */
	struct lr_client client;
	uint64_t total_read; /* bytes consumed from the source so far */
	bool positional;     /* fd mode over a range of a regular file: pread */
	uint64_t pos, limit; /* ...the next offset to read, and where to stop */
};

/* Stream from fd (not closed by the reader) through a buffer of bufsize
 * bytes (0 = 8 MiB; raised to fit two maximal lines). */
void lr_open_fd(struct linereader *lr, int fd, size_t max_line, size_t bufsize);
/* Stream the bytes [from, to) of a regular file fd with pread (the file
 * offset is neither used nor moved, so several readers can share fd);
 * line offsets count from the start of the file, line numbers from 1. */
void lr_open_range(struct linereader *lr, int fd, uint64_t from, uint64_t to, size_t max_line, size_t bufsize);
/* Start the fd stream with n bytes already read from it (e.g. by a format
 * sniffer); n must not exceed 1 MiB. */
void lr_preload(struct linereader *lr, const char *p, size_t n);
/* Read lines out of a caller-owned block that outlives the reader. When the
 * block is a read-only file mapping, set lr->release afterwards: consumed
 * pages (those before keep_from) are then handed back with madvise, so
 * resident memory stays small however large the file. */
void lr_open_mem(struct linereader *lr, const char *p, size_t n, size_t max_line);
void lr_close(struct linereader *lr);
/* Next line: returns 1 and fills *out, 0 at end of input, or -1 on a read
 * error (err filled). */
int lr_next(struct linereader *lr, struct line *out, struct err *err);
enum { LR_RELEASE_STEP = 4 * 1024 * 1024 };
/* The pages of a read-only file mapping at base that lie wholly within
 * [from, to) go back to the page cache (a page touched again is read back
 * from it): what the memory mode does as it reads, for readers of a
 * mapping that do not go through a linereader (debug1.c). */
void lr_release_pages(const char *base, uint64_t from, uint64_t to);

/* Fast path of lr_next for callers that read many short lines: take the next
 * line only when it is complete in the buffer and shorter than max_line
 * (a '\r' before its '\n' dropped and noted, as lr_next does); otherwise
 * return false and change nothing (use lr_next). */
static inline bool lr_take_simple(struct linereader *lr, struct line *out)
{
	if (lr->pending_skip || (lr->release && lr->start - lr->released >= LR_RELEASE_STEP))
		return false;
	size_t avail = lr->end - lr->start;
	const char *s = lr->buf + lr->start;
	const char *nl = bytes_chr(s, avail < lr->max_line ? avail : lr->max_line, '\n');
	if (!nl)
		return false;
	size_t len = (size_t)(nl - s);
	bool cr = len && s[len - 1] == '\r';
	lr->lineno++;
	out->p = s;
	out->n = len - cr;
	out->lineno = lr->lineno;
	out->offset = lr->base + lr->start;
	out->no_newline = out->too_long = false;
	out->had_cr = cr;
	lr->start += len + 1;
	return true;
}

/* Pointer to input offset off; valid only while keep_from() covers it. */
static inline const char *lr_at(const struct linereader *lr, uint64_t off)
{
	return lr->buf + (off - lr->base);
}

#endif
