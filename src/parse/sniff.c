/* sniff.c: see sniff.h. */
#include "../base/common.h"
#include "sniff.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

long sniff_read_head(int fd, char *head, const char *name, struct err *err)
{
	size_t got = 0;
	while (got < SNIFF_HEAD) {
		ssize_t r = read(fd, head + got, SNIFF_HEAD - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err_set(err, ST_IO, 0, got, "cannot read '%s': %s", name, strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (long)got;
}

static bool starts_line(const char *h, size_t n, const char *lit)
{
	/* The text profiles start at byte 0; tolerate a UTF-8 BOM. */
	if (n >= 3 && (unsigned char)h[0] == 0xef && (unsigned char)h[1] == 0xbb && (unsigned char)h[2] == 0xbf) {
		h += 3;
		n -= 3;
	}
	size_t l = strlen(lit);
	return n >= l && memcmp(h, lit, l) == 0;
}

/* Does h start like a pprof Profile message? Its fields are numbered 1 to
 * 15 and are varints or length-delimited; Go writes them in any order
 * (often period_type, field 11, first). Text fails this within a few bytes:
 * most letters make other wire types or field numbers. */
static bool looks_like_profile(const unsigned char *h, size_t n)
{
	size_t i = 0;
	int fields = 0;
	while (i < n && fields < 6) {
		unsigned tag = h[i++];
		unsigned num = tag >> 3, wire = tag & 7;
		if (tag & 0x80 || num < 1 || num > 15 || (wire != 0 && wire != 2))
			return false;
		uint64_t v = 0;
		int shift = 0;
		for (;;) {
			if (i >= n)
				return fields > 0;
			unsigned char c = h[i++];
			v |= (uint64_t)(c & 0x7f) << shift;
			if (!(c & 0x80))
				break;
			if ((shift += 7) > 63)
				return false;
		}
		if (wire == 2) {
			if (v > ((uint64_t)1 << 40))
				return false;
			if (v >= n - i)
				return true; /* runs past what we were shown */
			i += v;
		}
		fields++;
	}
	return fields >= 2 || (fields == 1 && i == n);
}

enum input_format sniff_format(const char *h, size_t n)
{
	if (n == 0)
		return FMT_EMPTY;
	if (n >= 2 && (unsigned char)h[0] == 0x1f && (unsigned char)h[1] == 0x8b)
		return FMT_GZIP;
	if (starts_line(h, n, "--- contention:") || starts_line(h, n, "--- mutex:"))
		return FMT_CONTENTION;
	if (starts_line(h, n, "heap profile: "))
		return FMT_HEAP;
	const char *nl = memchr(h, '\n', n);
	size_t first = nl ? (size_t)(nl - h) : n;
	/* Docker's json-file driver: the dump's lines are JSON strings, with
	 * their '\n' and TABs escaped; read as text they would give wrong
	 * stacks, not none */
	if (starts_line(h, n, "{\"log\":") && (memmem(h, first, "\"stream\":", 9) || memmem(h, first, "\"time\":", 7)))
		return FMT_JSON_LOG;
	if (first > 16 && memmem(h, first, " profile: total ", 16))
		return FMT_DEBUG1;
	if (looks_like_profile((const unsigned char *)h, n))
		return FMT_PROTOBUF;
	return FMT_TRACEBACK;
}

const char *input_format_name(enum input_format f)
{
	switch (f) {
	case FMT_TRACEBACK: return "text traceback";
	case FMT_GZIP: return "gzip-compressed data (a pprof protobuf profile?)";
	case FMT_DEBUG1: return "debug=1 count profile";
	case FMT_CONTENTION: return "debug=1 block/mutex profile";
	case FMT_HEAP: return "heap profile";
	case FMT_JSON_LOG: return "container JSON log";
	case FMT_PROTOBUF: return "pprof protobuf profile";
	case FMT_EMPTY: return "empty input";
	}
	return "unknown";
}
