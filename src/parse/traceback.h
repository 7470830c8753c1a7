/* traceback.h: reader for Go text tracebacks in all their forms: debug=2
 * and runtime.Stack output, panics, fatal errors, signal dumps with register
 * trailers, GOTRACEBACK=crash, tracebackancestors, gccgo dumps, race-detector
 * reports; wrapped in logs (per-line prefixes, glued headers, CRLF, 8-space
 * indentation, markdown), several per input. Streams its input: memory grows
 * with the number of distinct stacks and goroutines, not with input size. */
#ifndef GOROSCOPE_TRACEBACK_H
#define GOROSCOPE_TRACEBACK_H

#include "../base/budget.h"
#include "../base/err.h"
#include "../model/snapshot.h"

/* Dumps read from one input, at most (the rest is left unread, with a
 * warning on the last one kept). Every other bound: each goroutine keeps
 * max_frames frames, a line max_line bytes; memory grows with distinct
 * stacks and goroutines, time linearly with the input. */
enum { TB_MAX_DUMPS = 1000 };

struct tb_options {
	size_t max_line;     /* longer lines are cut and skipped (default 1 MiB) */
	uint32_t max_frames; /* frames kept per goroutine (default 4096) */
	size_t buffer_size;  /* read buffer (default 0 = 8 MiB); tests make it small */
	bool mapped;         /* parse_mem's block is a file mapping: the text and debug=1 readers release its pages */
	int threads;         /* parse_mem of a large block splits it over this many */
	bool replay;         /* read repeated stacks by comparison (default; same result, faster) */
	/* parse_mem of a protobuf block or mutex profile, which does not say
	 * which of the two it is: PROF_BLOCK or PROF_MUTEX when the caller
	 * knows (the endpoint it fetched), PROF_CONTENTION (default) to guess
	 * from the stacks. */
	enum profile_kind contention_kind;
	/* Work allowed (budget.h), NULL for none: a spent budget ends the parse
	 * with its error. The watch daemon's polls and captures set one. */
	struct budget *budget;
};

/* What a parse saw besides snapshots, so callers can explain an empty
 * result ("found 'panic: x' at line 3 but no goroutine stacks"). */
struct tb_stats {
	uint64_t lines;
	uint64_t bytes;
	uint64_t preamble_line;   /* first preamble seen, 0 = none */
	char preamble[160];
	uint64_t binary_lines;    /* lines with NUL bytes */
	uint64_t long_lines;
	uint32_t parts;           /* pieces read in parallel (1: sequentially) */
	uint64_t replayed;        /* goroutines read by replaying a learnt stack (tb_replay.c) */
	uint64_t replay_missed;   /* goroutines replay was tried on and then read line by line */
};

void tb_options_default(struct tb_options *o);

/* Parse everything readable from fd (after the head_len bytes at head, which
 * were already read from it, as by sniff_read_head) and append one snapshot per dump found
 * to out (possibly none: the caller decides whether that is an error).
 * Returns ST_OK, or ST_IO on a read error (snapshots read so far are kept).
 * Anomalies (cut lines, truncated goroutines) become snapshot warnings.
 * stats (optional) receives counters about the whole input. */
enum status traceback_parse_fd(int fd, const char *head, size_t head_len, const char *source,
			       const struct tb_options *opt, struct snapset *out, struct tb_stats *stats,
			       struct err *err);
/* Same over the size bytes of a regular file, read with pread (in parts, on
 * opt->threads threads, as parse_mem reads a block): the same result as
 * mapping the file, without its page faults. */
enum status traceback_parse_file(int fd, size_t size, const char *source, const struct tb_options *opt,
				 struct snapset *out, struct tb_stats *stats, struct err *err);
/* Same over a memory block. */
enum status traceback_parse_mem(const char *p, size_t n, const char *source,
				const struct tb_options *opt, struct snapset *out,
				struct tb_stats *stats, struct err *err);

#endif
