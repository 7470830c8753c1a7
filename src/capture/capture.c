/* capture.c: see capture.h. The cheap encodings are fetched first, debug=2
 * (which stops the target's world) last of the three; block and mutex
 * together on two threads, since each takes the whole window. */
#include "../base/common.h"
#include "capture.h"
#include "../base/buf.h"
#include "../base/digest.h"
#include "../fetch/pprof_url.h"
#include "capture_dir.h"
#include "../parse/parse.h"
#include "../report/escape.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct item {
	const char *name;    /* file name in the directory */
	char url[PPROF_URL_MAX];
	bool optional;       /* a 404 is not a failure (goroutineleak before Go 1.26) */
	long timeout_ms;
	const struct fetch_options *fetch;
	/* results */
	struct buf body;
	enum status st;
	long status;
	char error[512];
	int64_t fetched_ns;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void fetch_item(struct item *it)
{
	struct fetch_options o = *it->fetch;
	o.timeout_ms = it->timeout_ms;
	struct err err = {0};
	buf_init(&it->body);
	it->st = fetch_get(it->url, &o, &it->body, &it->status, &err);
	it->fetched_ns = now_ns();
	if (it->st != ST_OK)
		snprintf(it->error, sizeof(it->error), "%s", err.msg);
}

static void *fetch_thread(void *arg)
{
	fetch_item(arg);
	return NULL;
}

static bool write_file(const char *dir, const char *name, const struct buf *b, char *why, size_t whysz)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(why, whysz, "cannot create %.400s: %s", path, strerror(errno));
		return false;
	}
	size_t off = 0;
	while (off < b->len) {
		ssize_t w = write(fd, b->p + off, b->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			snprintf(why, whysz, "cannot write %.400s: %s", path, strerror(errno));
			close(fd);
			return false;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0) {
		snprintf(why, whysz, "cannot write %.400s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

/* Lowest Go version the goroutine dump shows features of, 0 if none. */
static uint32_t go_version_of(const struct item *debug2)
{
	if (debug2->st != ST_OK || !debug2->body.len)
		return 0;
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	uint32_t v = 0;
	if (parse_mem(debug2->body.p, debug2->body.len, sniff_format(debug2->body.p, MIN(debug2->body.len, (size_t)SNIFF_HEAD)),
		      "capture", NULL, &set, NULL, &err) == ST_OK && set.n)
		v = set.v[0]->go_version_min;
	snapset_free(&set);
	return v;
}

/* "goroscope-HOST_PORT-20261127T030000Z" under out_dir, made unique with a
 * "-2", "-3"... suffix when two captures fall in the same second. */
static enum status make_dir(const struct capture_request *req, int64_t started, char *dir, size_t dirsz,
			    struct err *err)
{
	char stamp[32], host[256];
	time_t t0 = (time_t)(started / 1000000000);
	struct tm tm;
	gmtime_r(&t0, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	const char *h = strstr(req->target, "://");
	h = h ? h + 3 : req->target;
	size_t hn = 0;
	for (; h[hn] && h[hn] != '/' && hn + 1 < sizeof(host); hn++) {
		char c = h[hn];
		host[hn] = (c == ':' || c == '[' || c == ']' || c == '@') ? '_' : c;
	}
	host[hn] = '\0';
	for (int k = 1; k < 100; k++) {
		if (k == 1)
			snprintf(dir, dirsz, "%s/goroscope-%s-%s", req->out_dir, host, stamp);
		else
			snprintf(dir, dirsz, "%s/goroscope-%s-%s-%d", req->out_dir, host, stamp, k);
		if (mkdir(dir, 0755) == 0)
			return ST_OK;
		if (errno != EEXIST)
			break;
	}
	return err_set(err, ST_IO, 0, 0, "cannot create '%s': %s", dir, strerror(errno));
}

static void logf_(const struct capture_request *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(const struct capture_request *req, const char *fmt, ...)
{
	if (!req->log)
		return;
	char msg[4800];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	req->log(req->log_ctx, msg);
}

enum status capture_run(const struct capture_request *req, struct capture_result *res, struct err *err)
{
	memset(res, 0, sizeof(*res));
	size_t tlen = strlen(req->target);
	while (tlen && req->target[tlen - 1] == '/')
		tlen--; /* the manifest's target, as pprof_url reads it */
	int64_t started = now_ns();
	enum status st = make_dir(req, started, res->dir, sizeof(res->dir), err);
	if (st != ST_OK)
		return st;

	enum { I_PB, I_D1, I_D2, I_BLOCK, I_MUTEX, I_LEAK, N_ITEMS };
	struct item items[N_ITEMS] = {
		[I_PB] = {.name = CAPTURE_GOROUTINE_PB},      [I_D1] = {.name = CAPTURE_GOROUTINE_DEBUG1},
		[I_D2] = {.name = CAPTURE_GOROUTINE_DEBUG2},  [I_BLOCK] = {.name = CAPTURE_BLOCK},
		[I_MUTEX] = {.name = CAPTURE_MUTEX},          [I_LEAK] = {.name = CAPTURE_GOROUTINELEAK, .optional = true},
	};
	const char *t = req->target;
	long secs = req->seconds;
	char window[64];
	const char *endpoints[N_ITEMS] = {
		[I_PB] = pprof_goroutine_endpoint(PPROF_PROTOBUF), [I_D1] = pprof_goroutine_endpoint(PPROF_DEBUG1),
		[I_D2] = pprof_goroutine_endpoint(PPROF_DEBUG2),   [I_LEAK] = "goroutineleak",
	};
	for (int i = 0; i < N_ITEMS; i++) {
		if (i == I_BLOCK || i == I_MUTEX) {
			snprintf(window, sizeof(window), "%s?seconds=%ld", i == I_BLOCK ? "block" : "mutex", secs);
			endpoints[i] = window;
		}
		if (!pprof_url(items[i].url, sizeof(items[i].url), t, endpoints[i])) {
			rmdir(res->dir);
			return err_set(err, ST_USAGE, 0, 0, "'%.200s...': URL too long", t);
		}
	}
	for (int i = 0; i < N_ITEMS; i++)
		items[i].fetch = &req->fetch;
	bool wanted[N_ITEMS] = {true, true, true, secs > 0, secs > 0, true};
	bool skipped[N_ITEMS] = {false};
	int64_t deadline = started + (int64_t)(req->max_time * 1e9);

	static const int order[][2] = {{I_PB, -1}, {I_D1, -1}, {I_D2, -1}, {I_BLOCK, I_MUTEX}, {I_LEAK, -1}};
	for (size_t k = 0; k < ARRAY_LEN(order); k++) {
		int a = order[k][0], b = order[k][1];
		if (!wanted[a])
			continue;
		int64_t left_ms = (deadline - now_ns()) / 1000000;
		if (left_ms < 100) {
			skipped[a] = true;
			if (b >= 0)
				skipped[b] = true;
			continue;
		}
		for (int x = 0; x < 2; x++) {
			int i = x ? b : a;
			if (i >= 0)
				items[i].timeout_ms = MIN(left_ms, (long)MAX(req->fetch.timeout_ms, secs * 1000 + 10000));
		}
		logf_(req, "fetching %s%s%s", items[a].url, b >= 0 ? " and " : "", b >= 0 ? items[b].url : "");
		if (b < 0) {
			fetch_item(&items[a]);
			continue;
		}
		pthread_t tid;
		bool threaded = pthread_create(&tid, NULL, fetch_thread, &items[b]) == 0;
		fetch_item(&items[a]);
		if (threaded)
			pthread_join(tid, NULL);
		else
			fetch_item(&items[b]);
	}
	int64_t finished = now_ns();

	/* files and manifest */
	struct buf m;
	buf_init(&m);
	buf_adds(&m, "{\"tool\":\"goroscope\",\"version\":\"" GOROSCOPE_VERSION "\",\"kind\":\"capture\",\"target\":");
	put_json_str(&m, t, tlen);
	buf_adds(&m, ",\"reason\":");
	if (req->reason)
		put_json_cstr(&m, req->reason);
	else
		buf_adds(&m, "null");
	buf_adds(&m, ",\"started\":");
	put_json_utc(&m, started);
	buf_adds(&m, ",\"finished\":");
	put_json_utc(&m, finished);
	buf_printf(&m, ",\"started_ns\":%lld,\"seconds\":%ld", (long long)started, secs);
	uint32_t gov = go_version_of(&items[I_D2]);
	buf_adds(&m, ",\"go_version_min\":");
	if (gov)
		buf_printf(&m, "\"1.%u\"", gov);
	else
		buf_adds(&m, "null");
	buf_adds(&m, ",\"files\":[");
	bool first = true;
	for (int i = 0; i < N_ITEMS; i++) {
		struct item *it = &items[i];
		if (!wanted[i])
			continue;
		if (!first)
			buf_addc(&m, ',');
		first = false;
		buf_adds(&m, "{\"name\":");
		put_json_cstr(&m, it->name);
		buf_adds(&m, ",\"url\":");
		put_json_cstr(&m, it->url);
		char why[600] = "";
		bool ok = !skipped[i] && it->st == ST_OK && write_file(res->dir, it->name, &it->body, why, sizeof(why));
		if (ok) {
			char hex[65];
			struct err derr;
			buf_printf(&m, ",\"bytes\":%zu,", it->body.len);
			if (digest_sha256_hex(it->body.p, it->body.len, hex, &derr))
				buf_printf(&m, "\"sha256\":\"%s\",", hex);
			else {
				buf_adds(&m, "\"sha256_error\":");
				put_json_cstr(&m, derr.msg);
				buf_adds(&m, ",");
			}
			buf_adds(&m, "\"fetched\":");
			put_json_utc(&m, it->fetched_ns);
			buf_printf(&m, ",\"fetched_ns\":%lld", (long long)it->fetched_ns);
			if (i <= I_D2)
				res->any_goroutine = true;
		} else {
			const char *msg = skipped[i] ? "skipped: time budget reached" : why[0] ? why : it->error;
			bool absent = it->optional && it->status == 404;
			buf_adds(&m, absent ? ",\"absent\":" : ",\"error\":");
			put_json_cstr(&m, absent ? "not served (Go 1.26+ serves goroutineleak)" : msg);
			if (!absent) {
				if (!res->failures++)
					snprintf(res->first_error, sizeof(res->first_error), "%s: %.500s", it->name, msg);
				logf_(req, "%s: %s", it->name, msg);
			}
		}
		buf_addc(&m, '}');
		buf_free(&it->body);
	}
	buf_adds(&m, "]}\n");
	char why[600];
	st = ST_OK;
	if (!write_file(res->dir, CAPTURE_MANIFEST, &m, why, sizeof(why)))
		st = err_set(err, ST_IO, 0, 0, "%s", why);
	buf_free(&m);
	return st;
}
