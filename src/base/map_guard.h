/* map_guard.h: a file mapping that survives the file shrinking under it.
 *
 * Reading a page of a mapping that lies past the end of its file raises
 * SIGBUS: a dump truncated while goroscope reads it (a log rotated, a
 * copy being rewritten) would kill the process instead of being reported.
 * While a mapping is guarded, a SIGBUS inside it puts a page of zeros over
 * the faulting page and the read goes on; map_guard_end then says that it
 * happened, and the caller reports the file as changed while read instead
 * of trusting what it parsed. A SIGBUS anywhere else is left to kill the
 * process as it would have.
 *
 * The guarded ranges are the one process-wide state here, because a
 * signal handler can reach nothing else: at most MAP_GUARD_SLOTS mappings
 * at once (a file read by each of `diff`'s or `leaks`' inputs in
 * parallel); beyond, a mapping is simply not guarded. */
#ifndef GOROSCOPE_MAP_GUARD_H
#define GOROSCOPE_MAP_GUARD_H

#include <stdbool.h>
#include <stddef.h>

enum { MAP_GUARD_SLOTS = 64 };

/* Guard [map, map + size): returns a slot for map_guard_end, or -1 when
 * every slot is taken (then the mapping is read unguarded). */
int map_guard_begin(const void *map, size_t size);
/* Stop guarding slot (-1: nothing); true when a page of the mapping was
 * past the end of its file while guarded (it read as zeros). */
bool map_guard_end(int slot);

#endif
