/* tb_line.h: pure parsers for the single lines of a Go text traceback:
 * goroutine headers, function lines, file lines, "created by" lines. They
 * take a line without its '\n' and fill plain structs of views into it, so
 * they can be unit-tested and fuzzed on their own. See
 * docs/internals/go-formats.md §1.4-1.7 for the grammar. */
#ifndef GOROSCOPE_TB_LINE_H
#define GOROSCOPE_TB_LINE_H

#include "../base/common.h"

enum { TB_MAX_LABELS = 32 };

struct tb_label {
	struct slice key, val; /* raw (possibly quoted) text */
	bool key_quoted, val_quoted;
};

struct tb_header {
	uint64_t id;
	struct slice state;     /* reason or status word, annotations removed */
	struct slice state_text;/* text before the first ", " as printed */
	uint32_t minutes;
	bool has_minutes, locked, leaked, durable, scan;
	bool has_gp;            /* " gp=... m=..." (Go 1.22+) */
	bool has_bubble;        /* synctest group/bubble */
	bool bubble_is_group;   /* 1.24 "synctest group N" */
	uint32_t bubble;
	bool labels_in_brackets;/* Go 1.26 " labels:{...}" */
	bool labels_after;      /* Go 1.27 " {k: v}" */
	uint32_t nlabels;
	bool labels_truncated;
	bool unterminated;      /* no closing "]:" (cut line) */
	struct tb_label labels[TB_MAX_LABELS]; /* last: not cleared, valid up to nlabels */
};

/* True when s starts with "goroutine " DIGITS and a space. */
bool tb_is_header_start(const char *s, size_t n);
/* Parse a goroutine header line. Returns false when s is not one. */
bool tb_parse_header(const char *s, size_t n, struct tb_header *h);

/* The headers of a dump differ mostly in their goroutine number: the text
 * after it ("[chan receive, 5 minutes]:") comes in a handful of forms. A
 * memo keeps the last few forms read (without labels) and what they said,
 * so that a header of a known form costs a comparison instead of a parse,
 * with the same result as tb_parse_header. Zero it to start. */
enum { TB_HEADER_MEMO = 8, TB_HEADER_TAIL_MAX = 64 };
struct tb_header_memo {
	struct {
		char tail[TB_HEADER_TAIL_MAX];
		uint32_t len;
		uint32_t state_off, text_off; /* of h.state and h.state_text in the tail */
		struct tb_header h;           /* labels excluded (there are none) */
	} v[TB_HEADER_MEMO];
	uint32_t n, next;
};
bool tb_parse_header_memo(struct tb_header_memo *m, const char *s, size_t n, struct tb_header *h);

/* Function line: "pkg.Func(args)" (gc) or "pkg.Func" (gccgo). */
struct tb_func {
	struct slice name;
	struct slice args;      /* inside the parentheses; empty when none */
	bool has_args;          /* parentheses present */
	bool inlined;           /* args == "..." */
};
/* Returns false when s cannot be a function line (leading space, empty,
 * spaces in the name). */
bool tb_parse_func(const char *s, size_t n, struct tb_func *f);

/* File line: TAB or spaces, "file:line", optional " +0xOFF", optional
 * " fp=... sp=... pc=...". */
struct tb_file {
	struct slice file;
	uint32_t line;
	bool has_pcs;           /* fp=/sp=/pc= present (traceback level 2) */
	const char *pcs;        /* has_pcs: the value of fp=, up to the end of the line */
};
bool tb_parse_file(const char *s, size_t n, struct tb_file *f);

/* "created by F[ in goroutine N]". */
struct tb_created {
	struct slice func;
	uint64_t parent;
	bool has_parent;
};
bool tb_parse_created(const char *s, size_t n, struct tb_created *c);

/* First argument of a function line when it is a plain hex word that can
 * be an address (0x1000 or more: smaller ones are numbers such as a loop
 * index).
 * Returns false otherwise, also for "0x...?" (a possibly stale register
 * value, which cannot identify an object). */
bool tb_first_arg_word(struct slice args, uint64_t *out);

/* Decode a label key or value: Go-quoted ("..." with \" \\ \n \t \xNN \uNNNN
 * \UNNNNNNNN escapes) when quoted, else copied. Writes at most outsz bytes
 * (UTF-8) and returns the decoded length. */
size_t tb_unquote(struct slice s, bool quoted, char *out, size_t outsz);

/* A label set's pairs from s[*pi] (just after its '{') up to and past the
 * closing '}': "k":"v" Go-quoted (or bare) pairs joined by ", ". Keeps up to
 * max pairs in out (setting *truncated when there were more); returns how
 * many, and leaves *pi after the '}'. */
uint32_t tb_parse_labelset(const char *s, size_t n, size_t *pi, struct tb_label *out, uint32_t max,
			   bool *truncated);

#endif
