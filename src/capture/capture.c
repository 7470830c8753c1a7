/* capture.c: see capture.h. The cheap encodings are fetched first, debug=2
 * (which stops the target's world) last of the three; block and mutex
 * together on two threads, since each takes the whole window. Each body
 * streams to NAME.part in the directory (never held in memory: a target
 * may send without end, up to the fetch cap) and is renamed to NAME once
 * complete and hashed; a failed or short write (a full disk) leaves no
 * file behind, and neither does a manifest that cannot be written. */
#include "../base/common.h"
#include "capture.h"
#include "../base/budget.h"
#include "../base/buf.h"
#include "../base/digest.h"
#include "../fetch/pprof_url.h"
#include "capture_dir.h"
#include "../source/source.h"
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

/* A file's path in the directory (the directory's own path, a slash, a
 * name) and the path it is written under first. */
enum { FILE_PATH_MAX = CAPTURE_PATH_MAX + 64, PART_PATH_MAX = FILE_PATH_MAX + 8 };

struct item {
	const char *name;    /* file name in the directory */
	char url[PPROF_URL_MAX];
	bool optional;       /* a 404 is not a failure (goroutineleak before Go 1.26) */
	long timeout_ms;
	const struct fetch_options *fetch;
	const char *dir;
	/* results */
	char part[PART_PATH_MAX];    /* where the body is being written */
	size_t bytes;
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
	snprintf(it->part, sizeof(it->part), "%s/%s.part", it->dir, it->name);
	int fd = open(it->part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		it->st = ST_IO;
		snprintf(it->error, sizeof(it->error), "cannot create %.400s: %s", it->part, strerror(errno));
		it->part[0] = '\0';
		return;
	}
	it->st = fetch_get_fd(it->url, &o, fd, &it->bytes, &it->status, &err);
	it->fetched_ns = now_ns();
	if (it->st != ST_OK)
		snprintf(it->error, sizeof(it->error), "%s", err.msg);
	/* a full disk may show only now */
	if (close(fd) != 0 && it->st == ST_OK) {
		it->st = ST_IO;
		snprintf(it->error, sizeof(it->error), "cannot write %.400s: %s", it->part, strerror(errno));
	}
	if (it->st != ST_OK) {
		unlink(it->part);
		it->part[0] = '\0';
	}
}

/* The body of a fetched item under its own name: false (and nothing left
 * behind) when it cannot be. */
static bool keep_item(struct item *it, char *why, size_t whysz)
{
	char path[FILE_PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", it->dir, it->name);
	if (rename(it->part, path) != 0) {
		snprintf(why, whysz, "cannot write %.400s: %s", path, strerror(errno));
		unlink(it->part);
		it->part[0] = '\0';
		return false;
	}
	it->part[0] = '\0';
	return true;
}

static void *fetch_thread(void *arg)
{
	fetch_item(arg);
	return NULL;
}

/* dir/name holding b, complete or not at all (written as name.part, then
 * renamed). */
static bool write_file(const char *dir, const char *name, const struct buf *b, char *why, size_t whysz)
{
	char path[FILE_PATH_MAX], part[PART_PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(part, sizeof(part), "%s.part", path);
	int fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(why, whysz, "cannot create %.400s: %s", part, strerror(errno));
		return false;
	}
	size_t off = 0;
	bool ok = true;
	while (ok && off < b->len) {
		ssize_t w = write(fd, b->p + off, b->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			ok = false;
		else
			off += (size_t)w;
	}
	if (close(fd) != 0)
		ok = false;
	if (ok && rename(part, path) != 0)
		ok = false;
	if (!ok) {
		snprintf(why, whysz, "cannot write %.400s: %s", path, strerror(errno));
		unlink(part);
	}
	return ok;
}

/* Lowest Go version the goroutine dump (the file at path) shows features
 * of, 0 if none or when it cannot tell within a few seconds: the target may
 * be hostile, and this is only a hint for the manifest. */
static uint32_t go_version_of(const char *path)
{
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	struct budget b = {.cpu_seconds = 5, .bytes = (size_t)256 << 20};
	budget_start(&b);
	struct source_options so;
	source_options_default(&so);
	so.budget = &b;
	uint32_t v = 0;
	if (source_load(path, &so, &set, NULL, &err) == ST_OK && set.n)
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
	for (int i = 0; i < N_ITEMS; i++) {
		items[i].fetch = &req->fetch;
		items[i].dir = res->dir;
	}
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
	/* the bodies under their names, hashed as they are on disk */
	char sums[N_ITEMS][65] = {{0}};
	char kept_why[N_ITEMS][600] = {{0}};
	for (int i = 0; i < N_ITEMS; i++) {
		struct item *it = &items[i];
		if (!wanted[i] || skipped[i] || it->st != ST_OK)
			continue;
		struct err derr = {0};
		size_t size = 0;
		if (!digest_sha256_file_hex(it->part, sums[i], &size, &derr) || size != it->bytes) {
			snprintf(kept_why[i], sizeof(kept_why[i]), "cannot read back %.400s: %.150s", it->part,
				 derr.msg[0] ? derr.msg : "its size changed");
			unlink(it->part);
			it->part[0] = '\0';
			continue;
		}
		keep_item(it, kept_why[i], sizeof(kept_why[i]));
	}
	char d2path[FILE_PATH_MAX];
	snprintf(d2path, sizeof(d2path), "%s/%s", res->dir, CAPTURE_GOROUTINE_DEBUG2);
	uint32_t gov = items[I_D2].st == ST_OK && !kept_why[I_D2][0] ? go_version_of(d2path) : 0;
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
		const char *why = kept_why[i];
		bool ok = !skipped[i] && it->st == ST_OK && !why[0];
		if (ok) {
			buf_printf(&m, ",\"bytes\":%zu,\"sha256\":\"%s\",", it->bytes, sums[i]);
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
	}
	buf_adds(&m, "]}\n");
	char why[600];
	st = ST_OK;
	if (!write_file(res->dir, CAPTURE_MANIFEST, &m, why, sizeof(why))) {
		/* files without their manifest are no capture: none is left */
		st = err_set(err, ST_IO, 0, 0, "%s", why);
		for (int i = 0; i < N_ITEMS; i++) {
			char path[FILE_PATH_MAX];
			snprintf(path, sizeof(path), "%s/%s", res->dir, items[i].name);
			unlink(path);
		}
		rmdir(res->dir);
	}
	buf_free(&m);
	return st;
}
