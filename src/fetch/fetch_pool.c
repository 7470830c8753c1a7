/* fetch_pool.c: see fetch_pool.h.
 *
 * Built on libcurl's socket interface with one epoll set. Transfers are
 * spread over several multi handles (shards) by host: each shard keeps the
 * idle connections of its hosts, so a target polled every few seconds
 * reuses its keep-alive connection, while each shard's connection cache
 * stays small (libcurl walks a multi's whole cache when a transfer is
 * removed: with a thousand targets in one cache that walk dominated).
 * Easy handles are kept and reused. */
#include "../base/common.h"
#include "fetch_pool.h"
#include "fetch_internal.h"
#include "../base/hash.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

enum { SHARDS = 16, MAX_EVENTS = 256 };

struct transfer {
	CURL *h;
	struct curl_slist *hdrs;
	char url[2048];
	struct fetch_options o;
	struct buf body;
	struct sink sink;
	char errbuf[CURL_ERROR_SIZE];
	fetch_done_fn done;
	void *ctx;
	struct timespec started;
	bool active;
	unsigned shard;
	struct transfer *next;    /* in the waiting queue or the free list */
};

struct fetch_pool;

struct shard {
	struct fetch_pool *pool;
	CURLM *multi;
	int64_t timer_ms;         /* when libcurl wants to be called, -1: never */
	bool activity;            /* a socket or timer moved: read its messages */
};

struct fetch_pool {
	struct shard shards[SHARDS];
	int epfd;
	int wakefd;               /* eventfd in the epoll set: fetch_pool_wake */
	unsigned max_parallel, running, keep;
	struct transfer *waiting, *waiting_tail, *idle;
	struct transfer **all;    /* every transfer ever made, for freeing */
	size_t nall;
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libcurl tells which sockets to watch: mirror that in the epoll set. The
 * event's data holds the shard and the socket. */
static int on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	(void)e;
	(void)socketp;
	struct shard *sh = userp;
	struct fetch_pool *p = sh->pool;
	struct epoll_event ev = {0};
	ev.data.u64 = (uint64_t)(sh - p->shards) << 32 | (uint32_t)s;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(p->epfd, EPOLL_CTL_DEL, s, &ev);
		return 0;
	}
	ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	if (epoll_ctl(p->epfd, EPOLL_CTL_MOD, s, &ev) != 0 && errno == ENOENT)
		epoll_ctl(p->epfd, EPOLL_CTL_ADD, s, &ev);
	return 0;
}

static int on_timer(CURLM *m, long timeout_ms, void *userp)
{
	(void)m;
	struct shard *sh = userp;
	sh->timer_ms = timeout_ms < 0 ? -1 : mono_ms() + timeout_ms;
	return 0;
}

struct fetch_pool *fetch_pool_new(unsigned max_parallel, unsigned keep_connections, struct err *err)
{
	if (!fetch_init(err))
		return NULL;
	struct fetch_pool *p = xcalloc(1, sizeof(*p));
	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd < 0) {
		err_set(err, ST_IO, 0, 0, "epoll_create1: %s", strerror(errno));
		free(p);
		return NULL;
	}
	p->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct epoll_event wev = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
	if (p->wakefd < 0 || epoll_ctl(p->epfd, EPOLL_CTL_ADD, p->wakefd, &wev) != 0) {
		err_set(err, ST_IO, 0, 0, "eventfd: %s", strerror(errno));
		if (p->wakefd >= 0)
			close(p->wakefd);
		close(p->epfd);
		free(p);
		return NULL;
	}
	p->max_parallel = max_parallel ? max_parallel : 1;
	p->keep = keep_connections;
	for (unsigned i = 0; i < SHARDS; i++) {
		struct shard *sh = &p->shards[i];
		sh->pool = p;
		sh->timer_ms = -1;
		sh->multi = curl_lib.multi_init();
		if (!sh->multi) {
			err_set(err, ST_IO, 0, 0, "curl_multi_init failed (out of memory?)");
			fetch_pool_free(p);
			return NULL;
		}
		multi_set_socket_callback(sh->multi, on_socket);
		MULTI_SET_PTR(sh->multi, CURLMOPT_SOCKETDATA, sh);
		multi_set_timer_callback(sh->multi, on_timer);
		MULTI_SET_PTR(sh->multi, CURLMOPT_TIMERDATA, sh);
		/* room for the idle connections of this shard's hosts */
		MULTI_SET_LONG(sh->multi, CURLMOPT_MAXCONNECTS, (long)MAX(keep_connections / SHARDS + 8, 8u));
	}
	return p;
}

void fetch_pool_free(struct fetch_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nall; i++) {
		struct transfer *t = p->all[i];
		if (t->active)
			curl_lib.multi_remove_handle(p->shards[t->shard].multi, t->h);
		curl_lib.easy_cleanup(t->h);
		curl_lib.slist_free_all(t->hdrs);
		buf_free(&t->body);
		free(t);
	}
	free(p->all);
	for (unsigned i = 0; i < SHARDS; i++)
		if (p->shards[i].multi)
			curl_lib.multi_cleanup(p->shards[i].multi);
	close(p->wakefd);
	close(p->epfd);
	free(p);
}

void fetch_pool_wake(struct fetch_pool *p)
{
	uint64_t one = 1;
	/* a full counter (EAGAIN) still wakes: nothing to handle */
	ssize_t r = write(p->wakefd, &one, sizeof(one));
	(void)r;
}

/* The shard of url: by scheme and authority, so that a host always goes to
 * the shard that holds its idle connection. */
static unsigned shard_of(const char *url)
{
	const char *a = strstr(url, "://");
	a = a ? a + 3 : url;
	size_t n = strcspn(a, "/?#");
	return (unsigned)(hash_bytes(url, (size_t)(a - url) + n, 0) % SHARDS);
}

void fetch_pool_add(struct fetch_pool *p, const char *url, const struct fetch_options *o, fetch_done_fn done,
		    void *ctx)
{
	struct transfer *t = p->idle;
	if (t) {
		p->idle = t->next;
	} else {
		t = xcalloc(1, sizeof(*t));
		t->h = curl_lib.easy_init();
		buf_init(&t->body);
		p->all = xreallocarray(p->all, p->nall + 1, sizeof(*p->all));
		p->all[p->nall++] = t;
	}
	snprintf(t->url, sizeof(t->url), "%s", url);
	t->o = *o;
	t->done = done;
	t->ctx = ctx;
	t->shard = shard_of(t->url);
	t->next = NULL;
	if (p->waiting_tail)
		p->waiting_tail->next = t;
	else
		p->waiting = t;
	p->waiting_tail = t;
}

static double since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void recycle(struct fetch_pool *p, struct transfer *t)
{
	/* an idle transfer keeps a usual body's room, not a huge one's */
	if (t->body.cap > ((size_t)1 << 20)) {
		buf_free(&t->body);
		buf_init(&t->body);
	}
	t->next = p->idle;
	p->idle = t;
}

/* Start waiting transfers while there is room. */
static void start_waiting(struct fetch_pool *p)
{
	while (p->waiting && p->running < p->max_parallel) {
		struct transfer *t = p->waiting;
		p->waiting = t->next;
		if (!p->waiting)
			p->waiting_tail = NULL;
		t->body.len = 0;
		t->sink = (struct sink){&t->body, 0, t->o.max_bytes, false, -1, 0, 0};
		curl_lib.slist_free_all(t->hdrs);
		t->hdrs = fetch_setup(t->h, t->url, &t->o, &t->sink, t->errbuf);
		EASY_SET_PTR(t->h, CURLOPT_PRIVATE, t);
		if (!p->keep)
			EASY_SET_LONG(t->h, CURLOPT_FORBID_REUSE, 1L);
		/* no DNS cache: libcurl prunes it by walking every entry (one per
		 * host:port) on each transfer, which costs more than it saves when
		 * a thousand targets are polled; numeric addresses need no lookup */
		EASY_SET_LONG(t->h, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
		/* a profile in few reads: fewer system calls and wake-ups */
		EASY_SET_LONG(t->h, CURLOPT_BUFFERSIZE, 256L * 1024);
		clock_gettime(CLOCK_MONOTONIC, &t->started);
		if (curl_lib.multi_add_handle(p->shards[t->shard].multi, t->h) != CURLM_OK) {
			struct fetch_result r = {ST_IO, 0, &t->body, "cannot start the transfer (libcurl)", 0};
			t->done(t->ctx, &r);
			recycle(p, t);
			continue;
		}
		t->active = true;
		p->running++;
	}
}

/* Report the transfers of shard sh that finished. */
static void finish_done(struct fetch_pool *p, struct shard *sh)
{
	CURLMsg *m;
	int left;
	while ((m = curl_lib.multi_info_read(sh->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct transfer *t = NULL;
		curl_lib.easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		CURLcode rc = m->data.result;
		curl_lib.multi_remove_handle(sh->multi, t->h);
		t->active = false;
		p->running--;
		long status = 0;
		curl_lib.easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &status);
		struct err err = {0};
		enum status st = fetch_describe(t->url, rc, status, &t->sink, t->errbuf, &err);
		struct fetch_result r = {st, status, &t->body, st == ST_OK ? NULL : err.msg, since(&t->started)};
		t->done(t->ctx, &r);
		recycle(p, t);
	}
}

unsigned fetch_pool_run(struct fetch_pool *p, int wait_ms)
{
	start_waiting(p);
	int64_t now = mono_ms(), wake = now + MAX(wait_ms, 0);
	for (unsigned i = 0; i < SHARDS; i++)
		if (p->shards[i].timer_ms >= 0)
			wake = MIN(wake, p->shards[i].timer_ms);
	struct epoll_event ev[MAX_EVENTS];
	int n = epoll_wait(p->epfd, ev, MAX_EVENTS, (int)MAX(wake - now, (int64_t)0));
	int running;
	for (int k = 0; k < n; k++) {
		if (ev[k].data.u64 == UINT64_MAX) {
			uint64_t count;
			ssize_t r = read(p->wakefd, &count, sizeof(count));
			(void)r;
			continue;
		}
		struct shard *sh = &p->shards[ev[k].data.u64 >> 32];
		curl_socket_t s = (curl_socket_t)(uint32_t)ev[k].data.u64;
		int flags = (ev[k].events & EPOLLIN ? CURL_CSELECT_IN : 0) | (ev[k].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
			    (ev[k].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
		curl_lib.multi_socket_action(sh->multi, s, flags, &running);
		sh->activity = true;
	}
	now = mono_ms();
	for (unsigned i = 0; i < SHARDS; i++) {
		struct shard *sh = &p->shards[i];
		if (sh->timer_ms >= 0 && sh->timer_ms <= now) {
			sh->timer_ms = -1;
			curl_lib.multi_socket_action(sh->multi, CURL_SOCKET_TIMEOUT, 0, &running);
			sh->activity = true;
		}
		if (sh->activity) {
			sh->activity = false;
			finish_done(p, sh);
		}
	}
	start_waiting(p);
	unsigned queued = 0;
	for (struct transfer *t = p->waiting; t; t = t->next)
		queued++;
	return p->running + queued;
}
