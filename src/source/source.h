/* source.h: the input seam. Every command that reads goroutine data gets
 * it here, whatever the source:
 *
 *   a file          mapped when regular (pages handed back as they are read),
 *                   or, for a large text dump that is cheaper to copy than
 *                   to map, read with pread in parts (file_reader.h: the
 *                   same snapshots); streamed otherwise; "-" is stdin;
 *   a URL           http(s)://: a base URL stands for the goroutine profile
 *                   in the encoding asked for, a URL holding /debug/pprof/
 *                   is fetched as given (fetch/);
 *   pid:N           a local Go process: the port that serves pprof is found
 *                   on loopback (proc/pprof_port.h), then as a URL;
 *   a directory     a goroscope capture (capture/capture_dir.h): its most
 *                   detailed goroutine profile, and on request its block
 *                   and mutex profiles.
 *
 * The format is sniffed from the bytes (parse/sniff.h) and the snapshots
 * found are appended to a set; they are complete when appended and never
 * changed afterwards (the kind of a contention profile is told to the
 * parser, not patched in). Each carries when it was taken, as well as the
 * source can tell (snapshot.h, taken_from): a profile's own time, else the
 * capture manifest's, the moment a response arrived, a file's mtime. Nothing here prints or exits: the result is a
 * status, an error that is a whole sentence naming the source (and the line
 * where it applies), and a report of what was read. Warnings about the data
 * travel in the snapshots themselves (snapshot.h). Options are passed in
 * explicitly; there is no state between calls. */
#ifndef GOROSCOPE_SOURCE_H
#define GOROSCOPE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/err.h"
#include "../fetch/fetch.h"
#include "../model/snapshot.h"

/* Which goroutine profile a base URL stands for. */
enum source_format {
	SOURCE_FORMAT_AUTO,   /* the caller did not say: debug=2 */
	SOURCE_FORMAT_DEBUG2,
	SOURCE_FORMAT_DEBUG1,
	SOURCE_FORMAT_PPROF,
};

/* What a capture directory yields besides its goroutine profile. */
enum source_capture {
	SOURCE_CAPTURE_GOROUTINES,           /* nothing else (the default) */
	SOURCE_CAPTURE_CONTENTION_TOO,       /* its block and mutex profiles when it has them */
	SOURCE_CAPTURE_CONTENTION_REQUIRED,  /* those, and an error when it has neither */
};

struct source_options {
	struct fetch_options fetch;   /* live sources: headers, token, TLS, timeouts, retries */
	enum source_format format;
	int threads;                  /* readers of one large text file, 1..16 (default 1) */
	bool replay;                  /* read repeated stacks by comparison (default; same result) */
	enum source_capture capture;
	/* What a contention profile that does not say whether it is block or
	 * mutex (protobuf) is: PROF_BLOCK or PROF_MUTEX when the caller knows
	 * (the endpoint it asked), PROF_CONTENTION to let the parser guess
	 * from the stacks (the default). */
	enum profile_kind contention_kind;
	/* Work allowed per source (budget.h), NULL for none. Once spent, the
	 * load fails with the budget's error and appends nothing: a partial
	 * count would read as goroutines that exited. */
	struct budget *budget;
};

void source_options_default(struct source_options *o);

/* What one source_load read, for the caller to show if it wishes. */
struct source_report {
	uint64_t lines;      /* text lines read (0 for profiles) */
	uint32_t parts;      /* pieces read in parallel (1: sequentially) */
	uint64_t replayed;   /* goroutines read by replaying a stack seen before */
	uint64_t replay_missed; /* goroutines replay was tried on in vain */
	uint32_t snapshots;  /* appended to the set */
	const char *reader;  /* how a file was read: "map", "pread", "stream"; NULL: bytes in memory */
	/* Reading stopped early (a read error, a cut protobuf...) but the dumps
	 * read before were kept: cut.msg says why (cut.code is ST_OK when
	 * nothing was cut). */
	struct err cut;
};

/* Read the source spec (see above) and append its snapshots to set.
 * ST_OK when at least one snapshot was appended. Otherwise set is as it
 * was and err says what is wrong: the source cannot be opened or fetched
 * (ST_IO), holds no goroutine data (ST_NOTFOUND, with what it holds
 * instead: empty, binary, a panic message without stacks, an HTML page),
 * or is malformed (ST_FORMAT, ST_LIMIT, with the line). rep is optional. */
enum status source_load(const char *spec, const struct source_options *o, struct snapset *set,
			struct source_report *rep, struct err *err);

/* The same for bytes already in memory (an HTTP response the caller
 * fetched itself, such as the watch daemon's polls): name is what messages
 * and the snapshots call the source. */
enum status source_load_mem(const char *name, const char *p, size_t n, const struct source_options *o,
			    struct snapset *set, struct source_report *rep, struct err *err);

/* The URL of what base (a URL, see above) stands for in format f, into
 * out. False when it does not fit. */
bool source_profile_url(const char *base, enum source_format f, char *out, size_t outsz);

#endif
