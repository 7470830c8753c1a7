/* pprof_url.h: the one place where goroscope spells the URLs of a Go
 * service's net/http/pprof endpoints. A target is given either as a base URL
 * ("http://host:port", with or without a path prefix and trailing slashes)
 * or as a URL that already names an endpoint (it holds "/debug/pprof/"):
 * the latter is used as given where a command fetches one profile. */
#ifndef GOROSCOPE_PPROF_URL_H
#define GOROSCOPE_PPROF_URL_H

#include <stdbool.h>
#include <stddef.h>

/* URLs are refused beyond this length (libcurl takes far longer ones, but
 * no pprof base URL needs them). */
enum { PPROF_URL_MAX = 2048 };

/* Does u name an endpoint already (it holds "/debug/pprof/")? */
bool pprof_url_is_endpoint(const char *u);

/* base + "/debug/pprof/" + endpoint into out (endpoint as the server spells
 * it, with its query: "goroutine?debug=2", "block?seconds=10", "" for the
 * index). base's trailing slashes are dropped. False when the URL would
 * not fit in outsz (out is then empty): never a silently cut URL. */
bool pprof_url(char *out, size_t outsz, const char *base, const char *endpoint);

/* The goroutine profile's endpoint in one encoding: "goroutine?debug=2",
 * "goroutine?debug=1", or "goroutine" (protobuf). */
enum pprof_encoding { PPROF_DEBUG2, PPROF_DEBUG1, PPROF_PROTOBUF };
const char *pprof_goroutine_endpoint(enum pprof_encoding e);

#endif
