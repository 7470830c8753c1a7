/* fetch_internal.h: what fetch.c shares with fetch_pool.c. Inside
 * src/fetch only: the module that includes <curl/curl.h>. */
#ifndef GOROSCOPE_FETCH_INTERNAL_H
#define GOROSCOPE_FETCH_INTERNAL_H

#include "curl_lib.h"

#include "fetch.h"

/* Where a transfer's body goes: appended to out, at most max bytes; or,
 * when fd >= 0, written to fd (its first bytes also to out, for an error
 * message), the count in written, a failed write's errno in write_errno. */
struct sink {
	struct buf *out;
	size_t start, max;
	bool over;
	int fd;
	size_t written;
	int write_errno;
};

/* Set h up for a GET of url with o's options, the body into k; errbuf has
 * CURL_ERROR_SIZE bytes. Returns the header list to free after the
 * transfer (may be NULL). */
struct curl_slist *fetch_setup(CURL *h, const char *url, const struct fetch_options *o, struct sink *k, char *errbuf);

/* What a finished transfer means: ST_OK for HTTP 200, otherwise an error
 * in the terms of the problem (see fetch_get). */
enum status fetch_describe(const char *url, CURLcode rc, long status, const struct sink *k, const char *errbuf,
			   struct err *err);

#endif
