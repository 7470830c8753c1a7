/* gzip.h: gzip streams in memory: bounded decompression (pprof profiles
 * arrive gzip-compressed) and compression (goroscope writes them too). The
 * only file that includes <zlib.h>. */
#ifndef GOROSCOPE_GZIP_H
#define GOROSCOPE_GZIP_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/budget.h"
#include "../base/err.h"

/* Cap on the decompressed size of n compressed bytes: real profiles
 * expand 5 to 20 times; a decompression bomb a thousand times or more. So
 * 200 times the input, at least 64 MiB, at most 512 MiB. */
size_t gzip_cap(size_t n);

/* Decompress the gzip stream at p (n bytes); several gzip members one after
 * the other are joined, as gzip -d does. budget (may be NULL) is ticked
 * once per 64 KiB written, with the output as the bytes held. On success *out (malloc'd, caller
 * frees) holds *out_len bytes, and *trailing counts bytes after the last
 * member that are not gzip data (ignored). Fails with ST_LIMIT when the
 * output would exceed cap bytes, ST_FORMAT when the stream is corrupt or
 * cut off (err says at which input byte and how much came out). */
enum status gzip_decompress(const char *p, size_t n, size_t cap, struct budget *budget, char **out, size_t *out_len,
			    size_t *trailing, struct err *err);

/* Compress n bytes at p into a gzip stream appended to out (a buf). */
struct buf;
void gzip_compress(const char *p, size_t n, struct buf *out);

/* The same as a stream: bytes go in piece by piece (gzip_writer_add) and
 * the compressed stream comes out through out(ctx, bytes, n) in pieces of
 * up to 64 KiB, so neither side is ever held whole. gzip_writer_end
 * writes the trailer and frees w. False once out has failed. */
struct gzip_writer;
struct gzip_writer *gzip_writer_new(bool (*out)(void *ctx, const char *p, size_t n), void *ctx);
bool gzip_writer_add(struct gzip_writer *w, const char *p, size_t n);
bool gzip_writer_end(struct gzip_writer *w);

#endif
