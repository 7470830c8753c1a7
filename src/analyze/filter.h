/* filter.h: keep (-m) or drop (-f) groups by extended regular expressions
 * matched against function names (which include the package path), the
 * creator function, and wait states. */
#ifndef GOROSCOPE_FILTER_H
#define GOROSCOPE_FILTER_H

#include <regex.h>
#include <stdbool.h>

#include "../base/err.h"
#include "../model/snapshot.h"

struct filter {
	bool has_match, has_drop;
	regex_t match, drop;
};

/* Compile the patterns (either may be NULL). Returns ST_USAGE with a message
 * naming the bad pattern. */
enum status filter_compile(struct filter *f, const char *match, const char *drop, struct err *err);
void filter_free(struct filter *f);
/* Does any of the strings describing a group match re? */
bool filter_group_matches(const regex_t *re, const struct snapshot *s, const struct stack *st,
			  const uint32_t *states, uint32_t nstates);

#endif
