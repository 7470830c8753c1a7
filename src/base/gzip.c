/* gzip.c: see gzip.h. */
#include "common.h"
#include "gzip.h"
#include "buf.h"
#include "xalloc.h"

#include <stdlib.h>
#include <zlib.h>

size_t gzip_cap(size_t n)
{
	const size_t lo = (size_t)64 << 20, hi = (size_t)512 << 20;
	return n > hi / 200 ? hi : MAX(lo, n * 200);
}

enum status gzip_decompress(const char *p, size_t n, size_t cap, struct budget *budget, char **out, size_t *out_len,
			    size_t *trailing, struct err *err)
{
	*out = NULL;
	*out_len = 0;
	*trailing = 0;
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	/* 16 + MAX_WBITS: a gzip wrapper, not raw zlib */
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return err_set(err, ST_FORMAT, 0, 0, "cannot start gzip decompression");
	size_t size = MIN(MAX(n * 4, (size_t)65536), cap), len = 0;
	char *buf = xmalloc(size);
	enum status st = ST_OK;
	size_t in_off = 0;
	for (;;) {
		if (len == size) {
			if (size >= cap) {
				st = err_set(err, ST_LIMIT, 0, in_off,
					     "gzip data expands beyond %zu MiB (%zu times its %zu bytes): refused, "
					     "a decompression bomb?",
					     cap >> 20, cap / (n ? n : 1), n);
				goto out;
			}
			size = MIN(size * 2, cap);
			buf = xreallocarray(buf, size, 1);
		}
		/* zlib counts in uInt: feed and drain at most 1 GiB at a time */
		size_t in_left = n - in_off;
		zs.next_in = (Bytef *)(uintptr_t)(p + in_off);
		zs.avail_in = (uInt)MIN(in_left, (size_t)1 << 30);
		zs.next_out = (Bytef *)(buf + len);
		/* 64 KiB at a time when budgeted: the budget is looked at between */
		zs.avail_out = (uInt)MIN(size - len, budget ? (size_t)65536 : (size_t)1 << 30);
		if (budget && budget_check(budget, size) != ST_OK) {
			st = budget_error(budget, "gzip decompression", err);
			goto out;
		}
		uInt in_before = zs.avail_in, out_before = zs.avail_out;
		int r = inflate(&zs, Z_NO_FLUSH);
		in_off += in_before - zs.avail_in;
		len += out_before - zs.avail_out;
		if (r == Z_STREAM_END) {
			/* another member follows, or stray bytes */
			if (n - in_off >= 2 && (unsigned char)p[in_off] == 0x1f && (unsigned char)p[in_off + 1] == 0x8b) {
				inflateReset(&zs);
				continue;
			}
			*trailing = n - in_off;
			break;
		}
		if (r == Z_BUF_ERROR && in_off == n) {
			st = err_set(err, ST_FORMAT, 0, n,
				     "gzip data is cut off: the stream ends after %zu input bytes "
				     "(%zu bytes decompressed) without its end marker",
				     n, len);
			goto out;
		}
		if (r != Z_OK && r != Z_BUF_ERROR) {
			st = err_set(err, ST_FORMAT, 0, in_off, "gzip data is corrupt at input byte %zu: %s", in_off,
				     zs.msg ? zs.msg : "inflate failed");
			goto out;
		}
	}
	*out = buf;
	*out_len = len;
	buf = NULL;
out:
	free(buf);
	inflateEnd(&zs);
	return st;
}

void gzip_compress(const char *p, size_t n, struct buf *out)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	/* level 1, as Go writes profiles: fast, and profiles compress well */
	if (deflateInit2(&zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort(); /* only on out-of-memory or bad arguments */
	size_t in_off = 0;
	int r;
	do {
		char chunk[65536];
		size_t in_left = n - in_off;
		zs.next_in = (Bytef *)(uintptr_t)(p + in_off);
		zs.avail_in = (uInt)MIN(in_left, (size_t)1 << 30);
		zs.next_out = (Bytef *)chunk;
		zs.avail_out = sizeof(chunk);
		uInt before = zs.avail_in;
		r = deflate(&zs, zs.avail_in == in_left ? Z_FINISH : Z_NO_FLUSH);
		in_off += before - zs.avail_in;
		buf_add(out, chunk, sizeof(chunk) - zs.avail_out);
	} while (r == Z_OK || r == Z_BUF_ERROR);
	deflateEnd(&zs);
}

struct gzip_writer {
	z_stream zs;
	bool (*out)(void *ctx, const char *p, size_t n);
	void *ctx;
	bool failed;
};

struct gzip_writer *gzip_writer_new(bool (*out)(void *ctx, const char *p, size_t n), void *ctx)
{
	struct gzip_writer *w = xcalloc(1, sizeof(*w));
	w->out = out;
	w->ctx = ctx;
	/* as gzip_compress: level 1 */
	if (deflateInit2(&w->zs, 1, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort(); /* only on out-of-memory or bad arguments */
	return w;
}

/* Deflate what is pending with flush, handing each full chunk to out. */
static bool pump(struct gzip_writer *w, int flush)
{
	int r;
	do {
		char chunk[65536];
		w->zs.next_out = (Bytef *)chunk;
		w->zs.avail_out = sizeof(chunk);
		r = deflate(&w->zs, flush);
		size_t made = sizeof(chunk) - w->zs.avail_out;
		if (made && !w->failed && !w->out(w->ctx, chunk, made))
			w->failed = true;
		/* Z_NO_FLUSH: done once the input is taken and out has room left */
	} while (flush == Z_FINISH ? r == Z_OK || r == Z_BUF_ERROR : w->zs.avail_in > 0 || w->zs.avail_out == 0);
	return !w->failed;
}

bool gzip_writer_add(struct gzip_writer *w, const char *p, size_t n)
{
	while (n) {
		uInt take = (uInt)MIN(n, (size_t)1 << 30);
		w->zs.next_in = (Bytef *)(uintptr_t)p;
		w->zs.avail_in = take;
		pump(w, Z_NO_FLUSH);
		p += take;
		n -= take;
	}
	return !w->failed;
}

bool gzip_writer_end(struct gzip_writer *w)
{
	w->zs.next_in = NULL;
	w->zs.avail_in = 0;
	bool ok = pump(w, Z_FINISH);
	deflateEnd(&w->zs);
	free(w);
	return ok;
}
