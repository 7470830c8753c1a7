/* xalloc.h: the one allocator wrapper. Out-of-memory is not recoverable in
 * goroscope (hostile input is bounded by explicit caps elsewhere), so these
 * abort with a message instead of returning NULL. */
#ifndef GOROSCOPE_XALLOC_H
#define GOROSCOPE_XALLOC_H

#include <stddef.h>

/* Return zeroed or uninitialised memory; never NULL (abort on OOM). */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
/* Resize p to count*size bytes, checking the multiplication. */
void *xreallocarray(void *p, size_t count, size_t size);
/* n zeroed bytes of their own pages (mmap), for big blocks that must go
 * back to the system the moment they are freed: the allocator keeps freed
 * blocks of one thread's arena from another thread (a part read on one
 * thread, merged and freed on another). Free with xpages_free(p, n). */
void *xpages(size_t n);
void xpages_free(void *p, size_t n);
/* Copy of a NUL-terminated string / of n bytes plus a NUL. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
