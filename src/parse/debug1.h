/* debug1.h: reader for the legacy text form of runtime/pprof profiles
 * (`/debug/pprof/NAME?debug=1`): count profiles (goroutine, goroutineleak,
 * threadcreate, custom) with their pprof labels, and block/mutex profiles
 * ("--- contention:", "--- mutex:"). See go-formats.md §2. */
#ifndef GOROSCOPE_DEBUG1_H
#define GOROSCOPE_DEBUG1_H

#include "../base/budget.h"
#include "../base/err.h"
#include "../model/snapshot.h"

/* Parse the n bytes at p (the whole profile text, CRLF allowed) and append
 * one snapshot per profile found to out. Records that cannot be read are
 * skipped with a warning naming their line; a profile cut off at the end is
 * kept and flagged. Returns ST_OK, or ST_FORMAT (err filled: what and
 * where) when p holds no profile header at all.
 * Bounds (tests/hostile/check_bombs.py): one pass, time linear in n; a
 * line is at most 1 MiB (longer: skipped with a warning), a record keeps
 * at most 4096 frames, and a frame costs at least its line; a record
 * repeated (same program counters and labels) is one sample; counts and
 * delays add up to at most 2^62 (snapshot.h). budget (may be NULL) is
 * ticked per line: a spent one fails the parse with nothing appended.
 * mapped says p is a read-only file mapping: the pages read are then
 * handed back every 4 MiB, so a file of any size costs what is parsed of
 * it, not its size (a page touched again is read back from the cache). */
enum status debug1_parse(const char *p, size_t n, const char *source, struct budget *budget, bool mapped,
			 struct snapset *out, struct err *err);

#endif
