/* fetch_pool.c: see fetch_pool.h. Easy handles are kept and reused (their
 * connections too: a target polled every few seconds keeps its keep-alive
 * connection). */
#include "../base/common.h"
#include "fetch_pool.h"
#include "fetch_internal.h"
#include "../base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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
	struct transfer *next;    /* in the waiting queue or the free list */
};

struct fetch_pool {
	CURLM *multi;
	unsigned max_parallel, running, keep;
	struct transfer *waiting, *waiting_tail, *idle;
	struct transfer **all;    /* every transfer ever made, for freeing */
	size_t nall;
};

struct fetch_pool *fetch_pool_new(unsigned max_parallel, unsigned keep_connections)
{
	if (!fetch_init())
		return NULL;
	struct fetch_pool *p = xcalloc(1, sizeof(*p));
	p->multi = curl_multi_init();
	if (!p->multi) {
		free(p);
		return NULL;
	}
	p->max_parallel = max_parallel ? max_parallel : 1;
	p->keep = keep_connections;
	/* parallelism is limited by the waiting queue above; the cache keeps
	 * one idle connection per target, so that a poll every few seconds
	 * does not pay a new connection each time */
	curl_multi_setopt(p->multi, CURLMOPT_MAXCONNECTS, (long)MAX(keep_connections, p->max_parallel));
	return p;
}

void fetch_pool_free(struct fetch_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nall; i++) {
		struct transfer *t = p->all[i];
		if (t->active)
			curl_multi_remove_handle(p->multi, t->h);
		curl_easy_cleanup(t->h);
		curl_slist_free_all(t->hdrs);
		buf_free(&t->body);
		free(t);
	}
	free(p->all);
	curl_multi_cleanup(p->multi);
	free(p);
}

void fetch_pool_add(struct fetch_pool *p, const char *url, const struct fetch_options *o, fetch_done_fn done,
		    void *ctx)
{
	struct transfer *t = p->idle;
	if (t) {
		p->idle = t->next;
	} else {
		t = xcalloc(1, sizeof(*t));
		t->h = curl_easy_init();
		buf_init(&t->body);
		p->all = xreallocarray(p->all, p->nall + 1, sizeof(*p->all));
		p->all[p->nall++] = t;
	}
	snprintf(t->url, sizeof(t->url), "%s", url);
	t->o = *o;
	t->done = done;
	t->ctx = ctx;
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

/* Start waiting transfers while there is room. */
static void start_waiting(struct fetch_pool *p)
{
	while (p->waiting && p->running < p->max_parallel) {
		struct transfer *t = p->waiting;
		p->waiting = t->next;
		if (!p->waiting)
			p->waiting_tail = NULL;
		t->body.len = 0;
		t->sink = (struct sink){&t->body, 0, t->o.max_bytes, false};
		curl_slist_free_all(t->hdrs);
		t->hdrs = fetch_setup(t->h, t->url, &t->o, &t->sink, t->errbuf);
		curl_easy_setopt(t->h, CURLOPT_PRIVATE, t);
		if (!p->keep)
			curl_easy_setopt(t->h, CURLOPT_FORBID_REUSE, 1L);
		/* no DNS cache: libcurl prunes it by walking every entry (one per
		 * host:port) on each transfer, which costs more than it saves when
		 * a thousand targets are polled; numeric addresses need no lookup */
		curl_easy_setopt(t->h, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
		clock_gettime(CLOCK_MONOTONIC, &t->started);
		if (curl_multi_add_handle(p->multi, t->h) != CURLM_OK) {
			struct fetch_result r = {ST_IO, 0, &t->body, "cannot start the transfer (libcurl)", 0};
			t->done(t->ctx, &r);
			t->next = p->idle;
			p->idle = t;
			continue;
		}
		t->active = true;
		p->running++;
	}
}

unsigned fetch_pool_run(struct fetch_pool *p, int wait_ms)
{
	start_waiting(p);
	int still = 0;
	curl_multi_perform(p->multi, &still);
	/* waits wait_ms even with nothing running: the caller's loop paces
	 * itself on this call */
	curl_multi_poll(p->multi, NULL, 0, wait_ms, NULL);
	curl_multi_perform(p->multi, &still);
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(p->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct transfer *t = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		CURLcode rc = m->data.result;
		curl_multi_remove_handle(p->multi, t->h);
		t->active = false;
		p->running--;
		long status = 0;
		curl_easy_getinfo(t->h, CURLINFO_RESPONSE_CODE, &status);
		struct err err = {0};
		enum status st = fetch_describe(t->url, rc, status, &t->sink, t->errbuf, &err);
		struct fetch_result r = {st, status, &t->body, st == ST_OK ? NULL : err.msg, since(&t->started)};
		t->done(t->ctx, &r);
		/* an idle transfer keeps a usual body's room, not a huge one's */
		if (t->body.cap > ((size_t)1 << 20)) {
			buf_free(&t->body);
			buf_init(&t->body);
		}
		t->next = p->idle;
		p->idle = t;
	}
	start_waiting(p);
	unsigned queued = 0;
	for (struct transfer *t = p->waiting; t; t = t->next)
		queued++;
	return p->running + queued;
}
