/* filter.h: keep (-m) or drop (-f) groups by extended regular expressions
 * matched against function names (which include the package path), the
 * creator function, and wait states; keep goroutines by pprof label
 * (--label KEY=VALUE, the value a regular expression). */
#ifndef GOROSCOPE_FILTER_H
#define GOROSCOPE_FILTER_H

#include <regex.h>
#include <stdbool.h>

#include "../base/err.h"
#include "../model/snapshot.h"

enum { FILTER_MAX_LABELS = 16 };

/* KEY=VALUE: the goroutine's label KEY matches VALUE, anchored at both ends
 * (so "GET" means exactly GET, "GET|POST" either, "api/.*" a prefix). */
struct label_match {
	char *key;
	regex_t value;
};

struct filter {
	bool has_match, has_drop;
	regex_t match, drop;
	struct label_match labels[FILTER_MAX_LABELS]; /* all must match */
	uint32_t nlabels;
};

/* Compile the patterns (either may be NULL). Returns ST_USAGE with a message
 * naming the bad pattern. */
enum status filter_compile(struct filter *f, const char *match, const char *drop, struct err *err);
/* Add a --label KEY=VALUE condition. ST_USAGE with a message when the
 * text has no '=', the key is empty, the pattern is bad or there are too
 * many. */
enum status filter_add_label(struct filter *f, const char *key_eq_value, struct err *err);
void filter_free(struct filter *f);
/* Does the label set (snapshot labelset id) meet every --label condition? */
bool filter_labels_match(const struct filter *f, const struct snapshot *s, uint32_t labels);
/* Does any of the strings describing a group match re? */
bool filter_group_matches(const regex_t *re, const struct snapshot *s, const struct stack *st,
			  const uint32_t *states, uint32_t nstates);

#endif
