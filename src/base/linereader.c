/* linereader.c: buffered line splitting with a keep-window for clients. */
#include "common.h"
#include "linereader.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Streams (pipes, terminals) read in big gulps; a range of a file is read
 * in parts small enough to stay in the core's cache between the copy and
 * the parse. */
enum { LR_BUF = 8 * 1024 * 1024, LR_RANGE_BUF = 256 * 1024 };

void lr_open_fd(struct linereader *lr, int fd, size_t max_line, size_t bufsize)
{
	memset(lr, 0, sizeof(*lr));
	lr->fd = fd;
	lr->max_line = max_line;
	lr->cap = bufsize ? bufsize : LR_BUF;
	if (lr->cap < 2 * max_line + 4096)
		lr->cap = 2 * max_line + 4096;
	lr->buf = xmalloc(lr->cap);
#ifdef POSIX_FADV_SEQUENTIAL
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
}

void lr_open_range(struct linereader *lr, int fd, uint64_t from, uint64_t to, size_t max_line, size_t bufsize)
{
	lr_open_fd(lr, fd, max_line, bufsize ? bufsize : LR_RANGE_BUF);
	lr->positional = true;
	lr->base = lr->pos = from;
	lr->limit = to;
	lr->eof = from >= to;
}

void lr_preload(struct linereader *lr, const char *p, size_t n)
{
	if (n > lr->cap)
		n = lr->cap;
	memcpy(lr->buf + lr->end, p, n);
	lr->end += n;
	lr->total_read += n;
}

void lr_open_mem(struct linereader *lr, const char *p, size_t n, size_t max_line)
{
	memset(lr, 0, sizeof(*lr));
	lr->fd = -1;
	lr->buf = (char *)p;
	lr->cap = n;
	lr->end = n;
	lr->eof = true;
	lr->max_line = max_line;
	lr->total_read = n;
}

void lr_close(struct linereader *lr)
{
	if (lr->fd >= 0)
		free(lr->buf);
	lr->buf = NULL;
}

/* Make room and read more. Returns -1 on error, else 0 (eof may be set). */
static int refill(struct linereader *lr, struct err *err)
{
	size_t keep = lr->start;
	if (lr->client.keep_from) {
		uint64_t k = lr->client.keep_from(lr->client.ctx);
		if (k != UINT64_MAX && k >= lr->base && k - lr->base < keep) {
			if (lr->end - (k - lr->base) > lr->cap / 2 && lr->client.pin)
				lr->client.pin(lr->client.ctx);
			else
				keep = (size_t)(k - lr->base);
		}
	}
	if (keep > 0) {
		memmove(lr->buf, lr->buf + keep, lr->end - keep);
		lr->end -= keep;
		lr->start -= keep;
		lr->base += keep;
	}
	while (lr->end < lr->cap) {
		ssize_t r;
		if (lr->positional) {
			size_t want = (size_t)MIN((uint64_t)(lr->cap - lr->end), lr->limit - lr->pos);
			r = want ? pread(lr->fd, lr->buf + lr->end, want, (off_t)lr->pos) : 0;
			if (r > 0)
				lr->pos += (uint64_t)r;
		} else {
			r = read(lr->fd, lr->buf + lr->end, lr->cap - lr->end);
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			uint64_t at = lr->positional ? lr->pos : lr->total_read;
			return -err_set(err, ST_IO, 0, at, "read failed at byte %llu: %s", (unsigned long long)at,
					strerror(errno));
		}
		if (r == 0 && lr->positional && lr->pos < lr->limit)
			/* a range of a regular file, which had these bytes when it was opened */
			return -err_set(err, ST_IO, 0, lr->pos,
					"the file ends at byte %llu, short of the %llu bytes it had when opened: it "
					"changed while being read",
					(unsigned long long)lr->pos, (unsigned long long)lr->limit);
		if (r == 0) {
			lr->eof = true;
			break;
		}
		lr->end += (size_t)r;
		lr->total_read += (uint64_t)r;
		if (lr->end - lr->start >= (lr->positional ? (size_t)LR_RANGE_BUF : (size_t)1024 * 1024))
			break; /* enough to make progress; avoid blocking on pipes */
	}
	return 0;
}

/* Drop bytes up to and including the next '\n' (tail of a cut line). */
static int skip_rest(struct linereader *lr, struct err *err)
{
	for (;;) {
		size_t avail = lr->end - lr->start;
		const char *s = lr->buf + lr->start;
		const char *nl = avail ? memchr(s, '\n', avail) : NULL;
		if (nl) {
			lr->start += (size_t)(nl - s) + 1;
			return 0;
		}
		lr->start = lr->end;
		if (lr->eof)
			return 0;
		if (refill(lr, err) < 0)
			return -1;
	}
}


/* Memory mode over a file mapping: give back pages already parsed. */
static void release_consumed(struct linereader *lr)
{
	uint64_t upto = lr->start;
	if (lr->client.keep_from) {
		uint64_t k = lr->client.keep_from(lr->client.ctx);
		if (k != UINT64_MAX && k - lr->base < upto)
			upto = k - lr->base;
	}
	lr_release_pages(lr->buf, lr->released, upto);
	lr->released = upto;
}

void lr_release_pages(const char *base, uint64_t from, uint64_t to)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)base + from + page - 1) & ~(page - 1);
	uintptr_t hi = ((uintptr_t)base + to) & ~(page - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

int lr_next(struct linereader *lr, struct line *out, struct err *err)
{
	if (lr->release && lr->start - lr->released >= LR_RELEASE_STEP)
		release_consumed(lr);
	if (lr->pending_skip) {
		lr->pending_skip = false;
		if (skip_rest(lr, err) < 0)
			return -1;
	}
	for (;;) {
		size_t avail = lr->end - lr->start;
		const char *s = lr->buf + lr->start;
		const char *nl = avail ? memchr(s, '\n', avail) : NULL;
		size_t len = nl ? (size_t)(nl - s) : avail;
		bool complete = nl || lr->eof;
		if (len > lr->max_line) {
			/* Hand out the head; the rest of the line is dropped. */
			lr->lineno++;
			*out = (struct line){.p = s, .n = lr->max_line, .lineno = lr->lineno,
					     .offset = lr->base + lr->start, .too_long = true};
			if (nl) {
				lr->start += len + 1;
			} else {
				lr->start = lr->end;
				lr->pending_skip = !lr->eof;
			}
			return 1;
		}
		if (complete && avail) {
			lr->lineno++;
			*out = (struct line){.p = s, .n = len, .lineno = lr->lineno,
					     .offset = lr->base + lr->start, .no_newline = !nl};
			if (len && s[len - 1] == '\r') {
				out->n--;
				out->had_cr = true;
			}
			lr->start += len + (nl ? 1 : 0);
			return 1;
		}
		if (lr->eof)
			return 0;
		if (refill(lr, err) < 0)
			return -1;
	}
}
