/* fetch.c: see fetch.h. Also what fetch_pool.c shares (fetch_internal.h):
 * setting a handle up and saying what a finished transfer means. */
#include "../base/common.h"
#include "fetch.h"
#include "fetch_internal.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

void fetch_options_default(struct fetch_options *o)
{
	memset(o, 0, sizeof(*o));
	o->connect_timeout_ms = 3000;
	o->timeout_ms = 30000;
	o->retries = 2;
	o->max_bytes = (size_t)256 << 20;
}

bool fetch_is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* A body that goes to a file keeps this much of its start in memory: what
 * an error message quotes. */
enum { SINK_HEAD = 512 };

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct sink *k = ctx;
	size_t len = size * n;
	size_t have = k->fd >= 0 ? k->written : k->out->len - k->start;
	if (have + len > k->max) {
		k->over = true;
		return 0; /* abort the transfer */
	}
	if (k->fd < 0) {
		buf_add(k->out, p, len);
		return len;
	}
	if (k->out->len - k->start < SINK_HEAD)
		buf_add(k->out, p, MIN(len, SINK_HEAD - (k->out->len - k->start)));
	for (size_t off = 0; off < len;) {
		ssize_t w = write(k->fd, p + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			k->write_errno = errno;
			return 0; /* abort: a full disk must not look like a short body */
		}
		off += (size_t)w;
	}
	k->written += len;
	return len;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

struct curl_slist *fetch_setup(CURL *h, const char *url, const struct fetch_options *o, struct sink *k, char *errbuf)
{
	curl_lib.easy_reset(h);
	k->out->len = k->start;
	k->over = false;
	if (k->fd >= 0 && k->written) { /* a retry starts the file over */
		if (ftruncate(k->fd, 0) != 0 || lseek(k->fd, 0, SEEK_SET) != 0)
			k->write_errno = errno;
		k->written = 0;
	}
	EASY_SET_TEXT(h, CURLOPT_URL, url);
	EASY_SET_PTR(h, CURLOPT_ERRORBUFFER, errbuf);
	EASY_SET_LONG(h, CURLOPT_NOSIGNAL, 1L);
	EASY_SET_TEXT(h, CURLOPT_PROTOCOLS_STR, "http,https");
	EASY_SET_LONG(h, CURLOPT_FOLLOWLOCATION, 0L);
	EASY_SET_LONG(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	EASY_SET_LONG(h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	EASY_SET_TEXT(h, CURLOPT_USERAGENT, "goroscope/" GOROSCOPE_VERSION);
	/* pprof bodies are gzip already or plain text: no transfer encoding */
	easy_set_writer(h, on_data);
	EASY_SET_PTR(h, CURLOPT_WRITEDATA, k);
	if (o->auth.cacert)
		EASY_SET_TEXT(h, CURLOPT_CAINFO, o->auth.cacert);
	if (o->auth.cert)
		EASY_SET_TEXT(h, CURLOPT_SSLCERT, o->auth.cert);
	if (o->auth.key)
		EASY_SET_TEXT(h, CURLOPT_SSLKEY, o->auth.key);
	if (o->auth.insecure) {
		EASY_SET_LONG(h, CURLOPT_SSL_VERIFYPEER, 0L);
		EASY_SET_LONG(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	struct curl_slist *hdrs = NULL;
	for (unsigned i = 0; i < o->auth.nheaders; i++)
		hdrs = curl_lib.slist_append(hdrs, o->auth.headers[i]);
	char auth[1024];
	if (o->auth.bearer) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", o->auth.bearer);
		hdrs = curl_lib.slist_append(hdrs, auth);
	}
	if (hdrs)
		EASY_SET_PTR(h, CURLOPT_HTTPHEADER, hdrs);
	errbuf[0] = '\0';
	return hdrs;
}

/* One attempt. Returns the curl result; *status the HTTP status. */
static CURLcode attempt(CURL *h, const char *url, const struct fetch_options *o, struct sink *k, long *status,
			char *errbuf, const struct buf *post)
{
	struct curl_slist *hdrs = fetch_setup(h, url, o, k, errbuf);
	if (post) {
		hdrs = curl_lib.slist_append(hdrs, "Content-Type: application/json");
		EASY_SET_PTR(h, CURLOPT_HTTPHEADER, hdrs);
		EASY_SET_PTR(h, CURLOPT_POSTFIELDS, post->p);
		EASY_SET_OFF(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)post->len);
	}
	CURLcode rc = curl_lib.easy_perform(h);
	*status = 0;
	curl_lib.easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curl_lib.slist_free_all(hdrs);
	return rc;
}

static bool worth_retrying(CURLcode rc, long status)
{
	if (rc == CURLE_OK)
		return status >= 500;
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT || rc == CURLE_RECV_ERROR ||
	       rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE;
}

/* The first line of an error body, for the message (Go's pprof errors are
 * one short line). */
static void first_line(const struct buf *b, size_t start, char *out, size_t outsz)
{
	size_t n = 0;
	for (size_t i = start; i < b->len && n + 1 < outsz; i++) {
		char c = b->p[i];
		if (c == '\n' || c == '\r')
			break;
		out[n++] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	out[n] = '\0';
}

bool fetch_init(struct err *err)
{
	return curl_lib_load(err);
}

enum status fetch_describe(const char *url, CURLcode rc, long status, const struct sink *k, const char *errbuf,
			   struct err *err)
{
	enum status st = ST_OK;
	char body[160];
	if (k->over) {
		st = err_set(err, ST_LIMIT, 0, 0, "%s: the response is larger than %zu MiB: refused", url, k->max >> 20);
	} else if (k->write_errno) {
		st = err_set(err, ST_IO, 0, 0, "%s: cannot write the response: %s", url, strerror(k->write_errno));
	} else if (rc == CURLE_COULDNT_CONNECT) {
		st = err_set(err, ST_IO, 0, 0, "%s: connection refused: is the service running, and listening on this port?",
			     url);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		st = err_set(err, ST_IO, 0, 0, "%s: timed out (%s)", url, errbuf[0] ? errbuf : curl_lib.easy_strerror(rc));
	} else if (rc == CURLE_COULDNT_RESOLVE_HOST) {
		st = err_set(err, ST_IO, 0, 0, "%s: cannot resolve the host name", url);
	} else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CERTPROBLEM ||
		   rc == CURLE_SSL_CACERT_BADFILE) {
		st = err_set(err, ST_IO, 0, 0, "%s: TLS failed: %s (see --cacert, --cert/--key, --insecure)", url,
			     errbuf[0] ? errbuf : curl_lib.easy_strerror(rc));
	} else if (rc == CURLE_RECV_ERROR && strstr(errbuf, "certificate")) {
		/* TLS 1.3: a server that refuses the client's certificate (or
		 * its absence) says so after the handshake, at the first read */
		st = err_set(err, ST_IO, 0, 0,
			     "%s: TLS failed: the server refused our client certificate, or wants one: %s (see --cert/--key)",
			     url, errbuf);
	} else if (rc != CURLE_OK) {
		st = err_set(err, ST_IO, 0, 0, "%s: %s", url, errbuf[0] ? errbuf : curl_lib.easy_strerror(rc));
	} else if (status != 200) {
		first_line(k->out, k->start, body, sizeof(body));
		if (status == 404)
			st = err_set(err, ST_IO, 0, 0,
				     "%s: 404 not found: is net/http/pprof mounted at this path (import _ \"net/http/pprof\" "
				     "on this server's mux)?%s%s",
				     url, body[0] ? " The server said: " : "", body);
		else if (status == 401 || status == 403)
			st = err_set(err, ST_IO, 0, 0, "%s: %ld %s: the endpoint needs credentials (--bearer TOKEN or -H)%s%s",
				     url, status, status == 401 ? "unauthorized" : "forbidden",
				     body[0] ? ". The server said: " : "", body);
		else if (status >= 300 && status < 400)
			st = err_set(err, ST_IO, 0, 0, "%s: %ld redirect: not followed; give the final URL", url, status);
		else
			st = err_set(err, ST_IO, 0, 0, "%s: HTTP %ld%s%s", url, status, body[0] ? ": " : "", body);
	}
	return st;
}

static enum status request(const char *url, const struct fetch_options *o, const struct buf *post, struct buf *out,
			   int fd, size_t *written, long *status, struct err *err)
{
	if (!fetch_init(err))
		return ST_IO;
	*status = 0;
	if (!fetch_is_url(url))
		return err_set(err, ST_USAGE, 0, 0, "'%s' is not an http:// or https:// URL", url);
	CURL *h = curl_lib.easy_init();
	if (!h)
		return err_set(err, ST_IO, 0, 0, "cannot start the HTTP client (libcurl)");
	struct sink k = {out, out->len, o->max_bytes, false, fd, 0, 0};
	char errbuf[CURL_ERROR_SIZE];
	CURLcode rc = CURLE_OK;
	long backoff = 200;
	for (unsigned i = 0;; i++) {
		rc = attempt(h, url, o, &k, status, errbuf, post);
		if (!worth_retrying(rc, *status) || i >= o->retries || k.write_errno)
			break;
		sleep_ms(backoff);
		backoff *= 2;
	}
	enum status st = fetch_describe(url, rc, *status, &k, errbuf, err);
	if (st != ST_OK || fd >= 0)
		out->len = k.start;
	if (written)
		*written = k.written;
	curl_lib.easy_cleanup(h);
	return st;
}

enum status fetch_get(const char *url, const struct fetch_options *o, struct buf *out, long *status,
		      struct err *err)
{
	return request(url, o, NULL, out, -1, NULL, status, err);
}

enum status fetch_get_fd(const char *url, const struct fetch_options *o, int fd, size_t *written, long *status,
			 struct err *err)
{
	struct buf head;
	buf_init(&head);
	enum status st = request(url, o, NULL, &head, fd, written, status, err);
	buf_free(&head);
	return st;
}

enum status fetch_post_json(const char *url, const struct fetch_options *o, const struct buf *json, struct buf *out,
			    long *status, struct err *err)
{
	enum status st = request(url, o, json, out, -1, NULL, status, err);
	/* a receiver may answer 202 Accepted or 204 No Content */
	if (st != ST_OK && *status >= 200 && *status < 300) {
		if (err)
			memset(err, 0, sizeof(*err));
		return ST_OK;
	}
	return st;
}
