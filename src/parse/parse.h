/* parse.h: one entry point for an input held in memory, whatever its format
 * (sniff.h): text tracebacks, debug=1 profiles, pprof protobuf, any of them
 * gzip-compressed. */
#ifndef GOROSCOPE_PARSE_H
#define GOROSCOPE_PARSE_H

#include "../base/err.h"
#include "../model/snapshot.h"
#include "sniff.h"
#include "traceback.h"

/* Parse n bytes at p into snapshots appended to out. fmt is
 * sniff_format(p, n) (passed in because the caller usually has it). Text
 * goes to the traceback reader with opt and stats (both optional); gzip is
 * decompressed (bounded) and its contents parsed once more. Heap profiles,
 * CPU profiles and unknown protobuf profiles fail with ST_FORMAT and a
 * message saying what they are. */
enum status parse_mem(const char *p, size_t n, enum input_format fmt, const char *source,
		      const struct tb_options *opt, struct snapset *out, struct tb_stats *stats, struct err *err);

#endif
