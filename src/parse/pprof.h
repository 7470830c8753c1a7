/* pprof.h: reader for pprof protobuf profiles (`perftools.profiles.Profile`,
 * go-formats.md §3): goroutine, goroutineleak, threadcreate and other count
 * profiles, and block/mutex (contentions, delay). Heap and CPU profiles are
 * recognised and refused: they are not goroutine data. */
#ifndef GOROSCOPE_PPROF_H
#define GOROSCOPE_PPROF_H

#include "../base/budget.h"
#include "../base/err.h"
#include "../model/snapshot.h"

/* Parse the uncompressed Profile message at p (n bytes) into one snapshot
 * appended to out. Every id and string index is checked. Fails with
 * ST_FORMAT (err: what, at which byte) on a malformed message, a dangling
 * reference, or a profile of another kind (err says which). A block or
 * mutex profile does not say which it is: contention_kind does when the
 * caller knows (PROF_BLOCK, PROF_MUTEX); PROF_CONTENTION guesses from the
 * stacks (a mutex profile's end at an Unlock).
 *
 * Bounds, whatever the profile claims (tests/hostile/check_bombs.py):
 * - time: linear in n; a sample keeps at most 4096 frames, and all samples
 *   together expand to at most 4 frames per byte of the profile (plus
 *   2^20; no real profile of the corpora reaches 2); past that each sample keeps 8,
 *   with a warning. A sample naming one location of thousands of lines,
 *   again and again, costs what its bytes cost.
 * - memory: the tables hold a small multiple of n (a location or function
 *   costs at least a few bytes of it); nothing is kept per sample between
 *   the two passes; a sample repeated (same locations and labels) is one
 *   record; so records and stacks grow with distinct samples, frames with
 *   the bound above (16 bytes each).
 * - budget (may be NULL) is ticked per field and per sample: a spent one
 *   fails the parse (ST_LIMIT) with nothing appended. */
enum status pprof_parse(const char *p, size_t n, const char *source, enum profile_kind contention_kind,
			struct budget *budget, struct snapset *out, struct err *err);

/* Go 1.21+ writes generic functions with their shapes
 * ("main.(*Box[go.shape.string]).Wait"); tracebacks write "[...]". Write
 * name (n bytes) with shape lists replaced by "[...]" into out (at least n
 * bytes); returns the new length. */
size_t pprof_elide_shapes(const char *name, size_t n, char *out);

#endif
