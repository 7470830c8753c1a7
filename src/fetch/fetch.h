/* fetch.h: HTTP(S) GET of pprof endpoints into memory, with the options an
 * operator needs (headers, bearer token, TLS, timeouts, bounded retries) and
 * errors that say what went wrong in the terms of the problem (is pprof
 * mounted? is a token needed?). The only module that includes <curl/curl.h>
 * (fetch.c, fetch_pool.c).
 * Never follows redirects to other hosts. */
#ifndef GOROSCOPE_FETCH_H
#define GOROSCOPE_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"

enum { FETCH_MAX_HEADERS = 16 };

/* Who we are to the server and whom we trust: what a live source needs
 * beyond its URL (the same for a one-off fetch and a watched target). */
struct fetch_auth {
	const char *headers[FETCH_MAX_HEADERS]; /* "Name: value" */
	unsigned nheaders;
	const char *bearer;     /* sent as "Authorization: Bearer TOKEN" */
	const char *cacert;     /* CA bundle file for https */
	const char *cert, *key; /* client certificate and key (PEM) */
	bool insecure;          /* do not verify the server's certificate */
};

struct fetch_options {
	struct fetch_auth auth;
	long connect_timeout_ms; /* default 3000 */
	long timeout_ms;        /* whole transfer, default 30000 */
	unsigned retries;       /* more attempts after a failure that may pass (default 2) */
	size_t max_bytes;       /* body cap, default 256 MiB */
};

void fetch_options_default(struct fetch_options *o);

/* Start the HTTP client: load libcurl (on first use, see base/dynlib.h)
 * and initialise it. fetch_get and fetch_pool_new call it; thread-safe.
 * False, with err saying why, when libcurl is missing or cannot start. */
bool fetch_init(struct err *err);

/* GET url into out (appended). ST_OK on HTTP 200. Otherwise ST_IO (err says
 * what: connection refused, timed out, TLS failure, HTTP status with advice
 * for 404 and 401/403, body over the cap); *status receives the HTTP status
 * (0 when no response). Connection failures, timeouts and 5xx are retried
 * with a short back-off; 4xx are not. */
enum status fetch_get(const char *url, const struct fetch_options *o, struct buf *out, long *status,
		      struct err *err);

/* The same, the body written to fd (from its start, again on a retry)
 * instead of memory: *written bytes. A failed write ends the transfer with
 * ST_IO and the reason (a full disk). */
enum status fetch_get_fd(const char *url, const struct fetch_options *o, int fd, size_t *written, long *status,
			 struct err *err);
/* POST json (Content-Type: application/json) to url, the answer's body into
 * out; ST_OK on any 2xx status. Errors and retries as fetch_get. */
enum status fetch_post_json(const char *url, const struct fetch_options *o, const struct buf *json, struct buf *out,
			    long *status, struct err *err);

/* Is s an http:// or https:// URL? */
bool fetch_is_url(const char *s);

#endif
