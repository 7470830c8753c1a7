/* fetch_pool.h: many GETs at once on one thread (libcurl's multi
 * interface), for the watch daemon's polling: each transfer has its own
 * options and timeout, and a callback when it finishes. No retries here:
 * the caller decides when to ask again (back-off for a target that is
 * down). */
#ifndef GOROSCOPE_FETCH_POOL_H
#define GOROSCOPE_FETCH_POOL_H

#include "fetch.h"

struct fetch_pool;

struct fetch_result {
	enum status st;          /* ST_OK on HTTP 200 */
	long status;             /* HTTP status, 0 when no response */
	struct buf *body;        /* valid during the callback, which may take it
	                          * over (moving it out and leaving a zeroed buf) */
	const char *error;       /* when st != ST_OK: why, as fetch_get says it */
	double seconds;          /* the transfer's duration */
};

typedef void (*fetch_done_fn)(void *ctx, const struct fetch_result *r);

/* A pool running at most max_parallel transfers (the rest wait their
 * turn) and keeping up to keep_connections idle connections open for
 * reuse (one per host polled is best). NULL, with err saying why, when
 * libcurl cannot start. */
struct fetch_pool *fetch_pool_new(unsigned max_parallel, unsigned keep_connections, struct err *err);
/* Abort what is running (without callbacks) and free. */
void fetch_pool_free(struct fetch_pool *p);

/* Queue a GET of url; done(ctx, result) is called from fetch_pool_run.
 * o is copied (its strings must outlive the transfer). */
void fetch_pool_add(struct fetch_pool *p, const char *url, const struct fetch_options *o, fetch_done_fn done,
		    void *ctx);

/* Move transfers on, waiting at most wait_ms for activity (the whole
 * wait_ms when nothing runs); calls the callbacks of those that finished.
 * Returns how many are queued or running. */
unsigned fetch_pool_run(struct fetch_pool *p, int wait_ms);

/* Make a fetch_pool_run that is waiting (or the next one) return at once.
 * The one call that any thread may make. */
void fetch_pool_wake(struct fetch_pool *p);

#endif
