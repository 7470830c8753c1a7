/* httpd.h: a small HTTP server for goroscope's own endpoints (watch's
 * /metrics, /healthz and Alertmanager receiver; the web UI later). The
 * only module that includes <microhttpd.h>. It listens on a numeric address
 * (127.0.0.1 unless told otherwise; never a host name to resolve), answers
 * from its own thread, bounds request bodies, and checks an optional bearer
 * token in constant time before any handler runs. */
#ifndef GOROSCOPE_HTTPD_H
#define GOROSCOPE_HTTPD_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/buf.h"
#include "../base/err.h"

struct httpd_request {
	const char *method;     /* "GET", "POST", ... */
	const char *path;       /* without the query */
	const char *body;       /* POST body (not NUL-terminated), may be NULL */
	size_t body_len;
	/* the value of query parameter name, or NULL */
	const char *(*query)(const struct httpd_request *r, const char *name);
	void *conn;             /* for query() */
};

struct httpd_response {
	int status;             /* default 200 */
	const char *content_type; /* default text/plain; charset=utf-8 */
	struct buf body;
};

/* Called on the server's thread, one request at a time per connection but
 * possibly several at once: the handler locks what it shares. */
typedef void (*httpd_handler)(void *ctx, const struct httpd_request *req, struct httpd_response *res);

struct httpd;

/* Bodies and connections, at most: more connections than a browser can
 * hold open (256) so that a hostile page cannot lock the endpoints out;
 * idle ones close after 10 s. */
enum { HTTPD_MAX_BODY = 1 << 20, HTTPD_MAX_CONNECTIONS = 2048 };

/* Listen on "HOST:PORT" ("[::1]:PORT" for IPv6; PORT 0 picks a free one).
 * token (may be NULL) is required as "Authorization: Bearer TOKEN" on every
 * path except public_path (may be NULL, e.g. "/healthz"). The Host a
 * request names must be a loopback address or localhost on a loopback
 * listen; elsewhere an IP address or one of hosts (NULL-terminated, may be
 * NULL): a name the operator did not give is what DNS rebinding sends.
 * NULL with err on failure (bad address, port in use). */
struct httpd *httpd_start(const char *listen, const char *token, const char *public_path,
			  const char *const *hosts, httpd_handler h, void *ctx, struct err *err);
/* Whether listen ("HOST:PORT") is a loopback address. */
bool httpd_listen_is_loopback(const char *listen);
/* The port listened on. */
int httpd_port(const struct httpd *s);
/* Stop listening, wait for running handlers, free. */
void httpd_stop(struct httpd *s);

/* Split "HOST:PORT" into a numeric address; false when malformed. */
bool httpd_parse_listen(const char *listen, char *host, size_t hostsz, int *port);

#endif
