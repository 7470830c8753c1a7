/* strtab.h: string interner. Function names, file paths, wait reasons and
 * label text are stored once and referred to by 32-bit ids; id 0 is always
 * the empty string. Strings live in the table's own arena and are
 * NUL-terminated, so strtab_str() results can be used as C strings (an
 * interned string may itself contain NUL bytes: use strtab_len()). */
#ifndef GOROSCOPE_STRTAB_H
#define GOROSCOPE_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct strtab {
	struct arena arena;
	const char **strs;  /* id -> bytes */
	uint32_t *lens;     /* id -> length */
	uint64_t *hashes;   /* id -> hash */
	uint32_t count, cap;
	uint32_t *slots;    /* open addressing: id+1, 0 = empty */
	uint32_t nslots;
};

void strtab_init(struct strtab *t);
void strtab_free(struct strtab *t);
/* Intern n bytes; returns the id (stable for the table's lifetime). */
uint32_t strtab_intern(struct strtab *t, const char *s, size_t n);
/* Same, when the caller already has hash_bytes(s, n, 0). */
uint32_t strtab_intern_hashed(struct strtab *t, const char *s, size_t n, uint64_t h);
/* Look up without inserting; returns 0 if absent (0 is also ""). */
uint32_t strtab_find(const struct strtab *t, const char *s, size_t n);
static inline const char *strtab_str(const struct strtab *t, uint32_t id) { return t->strs[id]; }
static inline uint32_t strtab_len(const struct strtab *t, uint32_t id) { return t->lens[id]; }

#endif
