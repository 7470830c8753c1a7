/* parse.c: see parse.h. */
#include "../base/common.h"
#include "parse.h"
#include "debug1.h"
#include "../base/gzip.h"
#include "pprof.h"

#include <stdlib.h>

enum status parse_mem(const char *p, size_t n, enum input_format fmt, const char *source,
		      const struct tb_options *opt, struct snapset *out, struct tb_stats *stats, struct err *err)
{
	switch (fmt) {
	case FMT_EMPTY:
	case FMT_TRACEBACK:
		return traceback_parse_mem(p, n, source, opt, out, stats, err);
	case FMT_DEBUG1:
	case FMT_CONTENTION:
		return debug1_parse(p, n, source, opt ? opt->budget : NULL, opt && opt->mapped, out, err);
	case FMT_PROTOBUF:
		return pprof_parse(p, n, source, opt ? opt->contention_kind : PROF_CONTENTION, opt ? opt->budget : NULL,
				   out, err);
	case FMT_HEAP:
		return err_set(err, ST_FORMAT, 1, 0,
			       "this is a heap profile (memory allocations), not goroutine data; goroscope reads "
			       "goroutine, goroutineleak, threadcreate, block and mutex profiles");
	case FMT_JSON_LOG:
		return err_set(err, ST_FORMAT, 1, 0,
			       "this is a container's JSON log (Docker json-file: a {\"log\": ...} object a line), "
			       "whose text goroscope does not unwrap; read it through `docker logs`, or unwrap it: "
			       "jq -j .log FILE | goroscope analyze -");
	case FMT_GZIP: {
		char *data;
		size_t len, trailing;
		enum status st = gzip_decompress(p, n, gzip_cap(n), opt ? opt->budget : NULL, &data, &len, &trailing, err);
		if (st != ST_OK)
			return st;
		uint32_t before = out->n;
		enum input_format inner = sniff_format(data, len);
		if (inner == FMT_GZIP) {
			st = err_set(err, ST_FORMAT, 0, 0, "gzip data inside gzip data: refused");
		} else {
			/* the text reader must not hand back pages of a heap block */
			struct tb_options o;
			if (opt)
				o = *opt;
			else
				tb_options_default(&o);
			o.mapped = false;
			st = parse_mem(data, len, inner, source, &o, out, stats, err);
		}
		free(data);
		if (trailing && out->n > before)
			snapshot_warn(out->v[before], 0, n - trailing,
				      "%zu bytes after the end of the gzip data were ignored (the file was cut or "
				      "padded; go tool pprof refuses it)",
				      trailing);
		return st;
	}
	}
	return err_set(err, ST_FORMAT, 0, 0, "unknown input format");
}
