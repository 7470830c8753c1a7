/* schedtrace.c: see schedtrace.h. */
#include "../base/common.h"
#include "schedtrace.h"
#include "../base/xalloc.h"

#include <stdlib.h>

/* The integer after "key=" in line s (n bytes), or -1. Booleans read as 0/1. */
static int64_t field(const char *s, size_t n, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = s; p + kl < s + n; p++) {
		if (memcmp(p, key, kl) != 0 || (p > s && p[-1] != ' '))
			continue;
		const char *v = p + kl;
		size_t left = (size_t)(s + n - v);
		if (left >= 4 && !memcmp(v, "true", 4))
			return 1;
		if (left >= 5 && !memcmp(v, "false", 5))
			return 0;
		if (v >= s + n || !is_digit(*v))
			return -1;
		int64_t x = 0;
		while (v < s + n && is_digit(*v) && x < (INT64_MAX - 9) / 10)
			x = x * 10 + (*v++ - '0');
		return x;
	}
	return -1;
}

static void take_sched(struct sched_trace *t, const char *s, size_t n, uint64_t lineno)
{
	/* "SCHED 1004ms: gomaxprocs=..." */
	const char *p = s + 6, *end = s + n;
	if (p >= end || !is_digit(*p)) {
		t->skipped++;
		return;
	}
	int64_t ms = 0;
	while (p < end && is_digit(*p) && ms < INT64_MAX / 10)
		ms = ms * 10 + (*p++ - '0');
	if (end - p < 4 || memcmp(p, "ms: ", 4) != 0) {
		t->skipped++;
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	struct sched_record *r = &t->v[t->n++];
	memset(r, 0, sizeof(*r));
	r->line = lineno;
	r->t_ms = ms;
	r->gomaxprocs = field(s, n, "gomaxprocs=");
	r->idleprocs = field(s, n, "idleprocs=");
	r->threads = field(s, n, "threads=");
	r->spinning = field(s, n, "spinningthreads=");
	r->needspinning = field(s, n, "needspinning=");
	r->idlethreads = field(s, n, "idlethreads=");
	r->runqueue = field(s, n, "runqueue=");
	r->detail = field(s, n, "gcwaiting=") >= 0;
	r->local_runq = -1;
	/* "[0 1]" or "[ 0 1 ]" after runqueue=: the per-P local queues */
	const char *rq = memmem(s, n, "runqueue=", 9);
	const char *br = rq ? memchr(rq, '[', (size_t)(end - rq)) : NULL;
	if (br) {
		int64_t sum = 0;
		const char *q = br + 1;
		while (q < end && *q != ']') {
			if (is_digit(*q)) {
				int64_t x = 0;
				while (q < end && is_digit(*q) && x < INT64_MAX / 10)
					x = x * 10 + (*q++ - '0');
				sum = x > INT64_MAX - sum ? INT64_MAX : sum + x;
			} else {
				q++;
			}
		}
		r->local_runq = sum;
	}
}

static void take_detail(struct sched_trace *t, const char *s, size_t n)
{
	if (!t->n || !t->v[t->n - 1].detail)
		return;
	struct sched_record *r = &t->v[t->n - 1];
	if (s[0] == 'P') {
		r->p_lines++;
		int64_t q = field(s, n, "runqsize=");
		if (q >= 0) {
			int64_t have = r->local_runq < 0 ? 0 : r->local_runq;
			r->local_runq = q > INT64_MAX - have ? INT64_MAX : have + q;
		}
	} else if (s[0] == 'M') {
		r->m_lines++;
	} else if (s[0] == 'G') {
		r->g_lines++;
		int64_t st = field(s, n, "status=");
		if (st >= 0) {
			st &= 0xfff; /* without the "being scanned" bit */
			r->g_by_status[st < SCHED_G_STATUSES ? st : SCHED_G_STATUSES - 1]++;
			if (st == 4)
				r->g_waiting_reasons++;
		}
	}
}

void sched_parse(const char *p, size_t n, struct sched_trace *out)
{
	memset(out, 0, sizeof(*out));
	size_t off = 0;
	while (off < n) {
		const char *nl = memchr(p + off, '\n', n - off);
		size_t len = nl ? (size_t)(nl - (p + off)) : n - off;
		const char *s = p + off;
		if (len && s[len - 1] == '\r')
			len--;
		out->lines++;
		const char *sched = len >= 6 ? memmem(s, len, "SCHED ", 6) : NULL;
		if (sched) {
			take_sched(out, sched, len - (size_t)(sched - s), out->lines);
		} else if (len > 3 && s[0] == ' ' && s[1] == ' ' && (s[2] == 'P' || s[2] == 'M' || s[2] == 'G') &&
			   len > 3 && is_digit(s[3])) {
			take_detail(out, s + 2, len - 2);
		}
		off = nl ? (size_t)(nl - p) + 1 : n;
	}
}

void sched_free(struct sched_trace *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}
