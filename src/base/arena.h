/* arena.h: bump allocator. Everything allocated from an arena is freed at
 * once by arena_free(); used by snapshots so that dropping one is O(blocks). */
#ifndef GOROSCOPE_ARENA_H
#define GOROSCOPE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used_bytes; /* total handed out, for reporting */
	size_t next_block; /* size of the next block: small first, so that a
	                    * tiny snapshot costs little, doubling to 64 KiB */
};

void arena_init(struct arena *a);
/* n bytes aligned to 8; never NULL. Valid until arena_free(). */
void *arena_alloc(struct arena *a, size_t n);
/* Copy of n bytes plus a terminating NUL, inside the arena. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

#endif
