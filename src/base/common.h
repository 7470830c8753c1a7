/* common.h: included first by every .c file of goroscope.
 * Feature macros, standard headers and a few tiny helpers shared by all
 * layers. Nothing here allocates, prints or exits. */
#ifndef GOROSCOPE_COMMON_H
#define GOROSCOPE_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1 /* memmem, memrchr */
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A packager may stamp its own: CPPFLAGS=-DGOROSCOPE_VERSION=\"0.1.0-1\" */
#ifndef GOROSCOPE_VERSION
#define GOROSCOPE_VERSION "0.1.0"
#endif

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* Length-delimited view into bytes owned by someone else. */
struct slice {
	const char *p;
	size_t n;
};

static inline struct slice slice_make(const char *p, size_t n)
{
	struct slice s = {p, n};
	return s;
}

static inline bool slice_eq(struct slice s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

static inline bool slice_starts(struct slice s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n >= n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

static inline bool slice_ends(struct slice s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n >= n && (n == 0 || memcmp(s.p + s.n - n, lit, n) == 0);
}

static inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
static inline bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

#endif
