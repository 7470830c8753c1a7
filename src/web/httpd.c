/* httpd.c: see httpd.h. libmicrohttpd runs its own polling thread; a POST
 * body is gathered across callbacks in a per-request context. */
#include "../base/common.h"
#include "httpd.h"
#include "../base/dynlib.h"
#include "../base/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>

/* libmicrohttpd, loaded when a server first starts (see base/dynlib.h):
 * called as mhd.start_daemon(...) and so on. */
#define MHD_FUNCTIONS(X)            \
	X(start_daemon)             \
	X(stop_daemon)              \
	X(get_daemon_info)          \
	X(lookup_connection_value)  \
	X(create_response_from_buffer) \
	X(add_response_header)      \
	X(queue_response)           \
	X(destroy_response)

static struct {
#define MHD_FIELD(name) __typeof__(MHD_##name) *name;
	MHD_FUNCTIONS(MHD_FIELD)
#undef MHD_FIELD
} mhd;

#define MHD_NAME(name) "MHD_" #name,
static const char *const mhd_names[] = {MHD_FUNCTIONS(MHD_NAME)};
#undef MHD_NAME

static void mhd_fill(void *const addrs[])
{
	size_t i = 0;
#define MHD_SET(name) memcpy(&mhd.name, &addrs[i++], sizeof(void *));
	MHD_FUNCTIONS(MHD_SET)
#undef MHD_SET
}

static struct dynlib mhd_lib = DYNLIB_INIT("libmicrohttpd.so.12", "libmicrohttpd12", mhd_names, mhd_fill);

struct httpd {
	struct MHD_Daemon *d;
	char *token;
	const char *public_path;
	httpd_handler handler;
	void *ctx;
	int port;
	bool loopback;       /* listening on 127.0.0.0/8 or ::1: only loopback names may be asked for */
	char **hosts;        /* elsewhere: the names it may be asked for (NULL-terminated), besides addresses */
};

struct upload {
	struct buf body;
	bool too_big;
};

bool httpd_parse_listen(const char *listen, char *host, size_t hostsz, int *port)
{
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen)
		return false;
	const char *h = listen;
	size_t hn = (size_t)(colon - listen);
	if (h[0] == '[') {
		if (hn < 3 || h[hn - 1] != ']')
			return false;
		h++;
		hn -= 2;
	}
	if (hn + 1 > hostsz)
		return false;
	memcpy(host, h, hn);
	host[hn] = '\0';
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || p < 0 || p > 65535)
		return false;
	*port = (int)p;
	return true;
}

static const char *query_of(const struct httpd_request *r, const char *name)
{
	return mhd.lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Compare without stopping at the first difference. */
static bool same_secret(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	unsigned char diff = (unsigned char)(na != nb);
	for (size_t i = 0; i < na; i++)
		diff |= (unsigned char)(a[i] ^ b[nb ? i % nb : 0]);
	return diff == 0;
}

static bool authorised(const struct httpd *s, struct MHD_Connection *c, const char *path)
{
	if (!s->token || (s->public_path && strcmp(path, s->public_path) == 0))
		return true;
	const char *auth = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	return auth && strncmp(auth, "Bearer ", 7) == 0 && same_secret(auth + 7, s->token);
}

/* What a Host header (name or address, maybe ":port") names. */
enum host_kind { HOST_BAD, HOST_LOOPBACK_IP, HOST_OTHER_IP, HOST_LOCALHOST, HOST_NAME };

static enum host_kind host_kind(const char *host, char *name, size_t namesz)
{
	size_t n = strlen(host);
	if (n >= namesz)
		return HOST_BAD;
	memcpy(name, host, n + 1);
	if (name[0] == '[') { /* [::1]:port */
		char *close = strchr(name, ']');
		if (!close)
			return HOST_BAD;
		*close = '\0';
		struct in6_addr a6;
		if (inet_pton(AF_INET6, name + 1, &a6) != 1)
			return HOST_BAD;
		return IN6_IS_ADDR_LOOPBACK(&a6) ? HOST_LOOPBACK_IP : HOST_OTHER_IP;
	}
	char *colon = strchr(name, ':');
	if (colon)
		*colon = '\0';
	struct in_addr a4;
	if (inet_pton(AF_INET, name, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127 ? HOST_LOOPBACK_IP : HOST_OTHER_IP;
	return strcasecmp(name, "localhost") == 0 ? HOST_LOCALHOST : HOST_NAME;
}

/* May a request name host? A page on another site that resolves its own
 * name to this machine (DNS rebinding) sends its own name: refused unless
 * the operator named it. */
static bool host_allowed(const struct httpd *s, const char *host)
{
	char name[256];
	enum host_kind k = host_kind(host, name, sizeof(name));
	if (s->loopback)
		return k == HOST_LOOPBACK_IP || k == HOST_LOCALHOST;
	if (k == HOST_LOOPBACK_IP || k == HOST_OTHER_IP)
		return true;
	for (char **h = s->hosts; h && *h; h++)
		if (k != HOST_BAD && strcasecmp(*h, name) == 0)
			return true;
	return false;
}

/* What a browser can be made to send that no client of ours would: a
 * loopback server asked for another name (DNS rebinding), a write from
 * another site (its Origin or Sec-Fetch-Site says so), a write that is not
 * JSON (a form or text/plain POST needs no CORS preflight; JSON does, and
 * none is ever answered). Returns the HTTP status to refuse with, or 0;
 * *why says what. */
static int forged(const struct httpd *s, struct MHD_Connection *c, const char *method, const char **why)
{
	const char *host = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (host && !host_allowed(s, host)) {
		*why = s->loopback ? "forbidden: this server answers only to loopback addresses and localhost in Host\n"
				   : "forbidden: this server answers to its addresses and the names it was given "
				     "(watch: hosts; web: --host) in Host\n";
		return MHD_HTTP_FORBIDDEN;
	}
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
		return 0;
	const char *site = mhd.lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
	if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) {
		*why = "forbidden: a write from another site\n";
		return MHD_HTTP_FORBIDDEN;
	}
	const char *origin = mhd.lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	if (origin) {
		const char *rest = !strncmp(origin, "http://", 7) ? origin + 7 : !strncmp(origin, "https://", 8) ? origin + 8 : NULL;
		if (!rest || !host || strcasecmp(rest, host) != 0) {
			*why = "forbidden: a write from another origin\n";
			return MHD_HTTP_FORBIDDEN;
		}
	}
	const char *type = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!type || strncasecmp(type, "application/json", 16) != 0) {
		*why = "unsupported media type: send Content-Type: application/json\n";
		return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
	}
	return 0;
}

static enum MHD_Result unauthorised(struct MHD_Connection *c)
{
	static const char msg[] = "unauthorized: send Authorization: Bearer TOKEN\n";
	struct MHD_Response *r = mhd.create_response_from_buffer(sizeof(msg) - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	mhd.add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	enum MHD_Result ok = mhd.queue_response(c, MHD_HTTP_UNAUTHORIZED, r);
	mhd.destroy_response(r);
	return ok;
}

static enum MHD_Result reply(struct MHD_Connection *c, int status, const char *type, const char *body, size_t n)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(n, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	mhd.add_response_header(r, "X-Content-Type-Options", "nosniff");
	mhd.add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result ok = mhd.queue_response(c, (unsigned)status, r);
	mhd.destroy_response(r);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	(void)version;
	struct httpd *s = cls;
	struct upload *u = *con_cls;
	if (!u) {
		/* first call: headers only. Refused before any body is read:
		 * what a browser can forge, and a missing token. */
		const char *why = NULL;
		int status = forged(s, c, method, &why);
		if (status)
			return reply(c, status, "text/plain; charset=utf-8", why, strlen(why));
		if (!authorised(s, c, url))
			return unauthorised(c);
		u = xcalloc(1, sizeof(*u));
		buf_init(&u->body);
		*con_cls = u;
		return MHD_YES;
	}
	if (*upload_size) {
		if (u->body.len + *upload_size > HTTPD_MAX_BODY)
			u->too_big = true;
		else
			buf_add(&u->body, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (u->too_big) {
		static const char msg[] = "request body too large\n";
		return reply(c, MHD_HTTP_CONTENT_TOO_LARGE, "text/plain; charset=utf-8", msg, sizeof(msg) - 1);
	}
	struct httpd_request req = {method, url, u->body.len ? u->body.p : NULL, u->body.len, query_of, c};
	struct httpd_response res = {200, "text/plain; charset=utf-8", {0}};
	buf_init(&res.body);
	s->handler(s->ctx, &req, &res);
	enum MHD_Result ok = reply(c, res.status, res.content_type, res.body.p ? res.body.p : "", res.body.len);
	buf_free(&res.body);
	return ok;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)c;
	(void)why;
	struct upload *u = *con_cls;
	if (u) {
		buf_free(&u->body);
		free(u);
		*con_cls = NULL;
	}
}

/* How many connections the server may hold. A browser holds up to 256
 * sockets to one machine (Chromium's pool), so a hostile page could keep
 * that many open and idle: the limit stays well above it, and the process's
 * descriptor limit is raised (to its hard limit) to make room, leaving a
 * quarter of it to the rest (the watch daemon's polls). */
static unsigned connection_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 256;
	rlim_t want = rl.rlim_max == RLIM_INFINITY ? 65536 : MIN(rl.rlim_max, (rlim_t)65536);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	rlim_t have = rl.rlim_cur == RLIM_INFINITY ? 65536 : rl.rlim_cur;
	return (unsigned)MAX(MIN(have / 4, (rlim_t)HTTPD_MAX_CONNECTIONS), (rlim_t)64);
}

static void free_server(struct httpd *s)
{
	for (char **h = s->hosts; h && *h; h++)
		free(*h);
	free(s->hosts);
	free(s->token);
	free(s);
}

bool httpd_listen_is_loopback(const char *listen)
{
	char host[128], name[256], scratch[256];
	int port;
	if (!httpd_parse_listen(listen, host, sizeof(host), &port))
		return false;
	bool v6 = strchr(host, ':') != NULL;
	snprintf(name, sizeof(name), v6 ? "[%s]" : "%s", host);
	return host_kind(name, scratch, sizeof(scratch)) == HOST_LOOPBACK_IP;
}

struct httpd *httpd_start(const char *listen, const char *token, const char *public_path,
			  const char *const *hosts, httpd_handler h, void *ctx, struct err *err)
{
	char host[128];
	int port;
	if (!httpd_parse_listen(listen, host, sizeof(host), &port)) {
		err_set(err, ST_USAGE, 0, 0, "cannot listen on '%s': give HOST:PORT with a numeric address", listen);
		return NULL;
	}
	struct sockaddr_storage sa;
	memset(&sa, 0, sizeof(sa));
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&sa;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		flags |= MHD_USE_IPv6;
	} else {
		err_set(err, ST_USAGE, 0, 0, "cannot listen on '%s': '%s' is not a numeric IP address", listen, host);
		return NULL;
	}
	if (!dynlib_load(&mhd_lib, err))
		return NULL;
	struct httpd *s = xcalloc(1, sizeof(*s));
	s->token = token ? xstrdup(token) : NULL;
	s->public_path = public_path;
	size_t nh = 0;
	while (hosts && hosts[nh])
		nh++;
	s->hosts = xcalloc(nh + 1, sizeof(*s->hosts));
	for (size_t i = 0; i < nh; i++)
		s->hosts[i] = xstrdup(hosts[i]);
	s->handler = h;
	s->ctx = ctx;
	s->loopback = (v4->sin_family == AF_INET && (ntohl(v4->sin_addr.s_addr) >> 24) == 127) ||
		      (v6->sin6_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr));
	/* an idle connection (no complete request) is closed after 10 s */
	s->d = mhd.start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, &sa,
				MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				MHD_OPTION_CONNECTION_LIMIT, connection_limit(), MHD_OPTION_END);
	if (!s->d) {
		err_set(err, ST_IO, 0, 0, "cannot listen on %s: %s", listen, strerror(errno ? errno : EADDRINUSE));
		free_server(s);
		return NULL;
	}
	const union MHD_DaemonInfo *info = mhd.get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : port;
	return s;
}

int httpd_port(const struct httpd *s)
{
	return s->port;
}

void httpd_stop(struct httpd *s)
{
	if (!s)
		return;
	mhd.stop_daemon(s->d);
	free_server(s);
}
