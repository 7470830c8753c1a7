/* sniff.h: tell input formats apart by their first bytes, whatever the file
 * is named (a gzipped protobuf saved as .txt, a text dump saved as .pprof). */
#ifndef GOROSCOPE_SNIFF_H
#define GOROSCOPE_SNIFF_H

#include <stddef.h>

#include "../base/err.h"

enum input_format {
	FMT_TRACEBACK,   /* text tracebacks, possibly inside other text */
	FMT_GZIP,        /* gzip stream: normally a pprof protobuf profile */
	FMT_DEBUG1,      /* "goroutine profile: total N" (and other count profiles) */
	FMT_CONTENTION,  /* "--- contention:" / "--- mutex:" */
	FMT_HEAP,        /* "heap profile: ..." */
	FMT_JSON_LOG,    /* a container's JSON log: {"log":"...","stream":...} a line */
	FMT_PROTOBUF,    /* raw (uncompressed) pprof protobuf */
	FMT_EMPTY,
};

enum { SNIFF_HEAD = 64 * 1024 };

/* Read up to SNIFF_HEAD bytes from fd into head (at least that big); returns
 * the count, or -1 with err filled. */
long sniff_read_head(int fd, char *head, const char *name, struct err *err);
enum input_format sniff_format(const char *head, size_t n);
const char *input_format_name(enum input_format f);

#endif
