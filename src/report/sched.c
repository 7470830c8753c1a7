/* sched.c: `goroscope schedtrace`: a summary of GODEBUG=schedtrace records
 * over time (run queues, idle Ps, threads, spinning; goroutines by status
 * with scheddetail=1) and flags for what an operator should look at. */
#include "../base/common.h"
#include "report.h"
#include "../parse/schedtrace.h"

struct stat_ {
	int64_t first, last, min, max;
	double mean;
	uint32_t n;
};

static struct stat_ stat_of(const struct sched_trace *t, int64_t (*get)(const struct sched_record *))
{
	struct stat_ s = {-1, -1, INT64_MAX, INT64_MIN, 0, 0};
	double sum = 0;
	for (uint32_t i = 0; i < t->n; i++) {
		int64_t v = get(&t->v[i]);
		if (v < 0)
			continue;
		if (s.n == 0)
			s.first = v;
		s.last = v;
		s.min = MIN(s.min, v);
		s.max = MAX(s.max, v);
		sum += (double)v;
		s.n++;
	}
	s.mean = s.n ? sum / s.n : 0;
	return s;
}

static int64_t get_procs(const struct sched_record *r) { return r->gomaxprocs; }
static int64_t get_idle(const struct sched_record *r) { return r->idleprocs; }
static int64_t get_threads(const struct sched_record *r) { return r->threads; }
static int64_t get_spin(const struct sched_record *r) { return r->spinning; }
static int64_t get_runq(const struct sched_record *r) { return r->runqueue; }
static int64_t get_local(const struct sched_record *r) { return r->local_runq; }
static int64_t get_live(const struct sched_record *r)
{
	if (!r->detail || !r->g_lines)
		return -1;
	return (int64_t)(r->g_lines - r->g_by_status[6]); /* without dead goroutines */
}

static const struct {
	const char *key, *label;
	int64_t (*get)(const struct sched_record *);
} FIELDS[] = {
	{"gomaxprocs", "GOMAXPROCS", get_procs},       {"idleprocs", "idle Ps", get_idle},
	{"threads", "threads (Ms)", get_threads},      {"spinningthreads", "spinning threads", get_spin},
	{"runqueue", "global run queue", get_runq},    {"local_runqueues", "local run queues (sum)", get_local},
	{"goroutines", "goroutines (scheddetail)", get_live},
};

/* What stands out, as sentences; returns how many (at most max). */
static uint32_t flags(const struct sched_trace *t, const char **out, uint32_t max)
{
	uint32_t n = 0;
	struct stat_ th = stat_of(t, get_threads), rq = stat_of(t, get_runq), lq = stat_of(t, get_local);
	struct stat_ procs = stat_of(t, get_procs), idle = stat_of(t, get_idle), live = stat_of(t, get_live);
	if (th.n > 1 && th.last >= th.first + 10 && th.last * 2 >= th.first * 3 && n < max)
		out[n++] = "threads keep growing: goroutines blocked in system calls or cgo make the runtime start "
			   "new threads (look for goroutines in syscall)";
	double runnable = (rq.n ? rq.mean : 0) + (lq.n ? lq.mean : 0);
	if (procs.n && runnable > procs.mean && n < max)
		out[n++] = "more goroutines are runnable than there are Ps, on average: the CPU is saturated "
			   "(or GOMAXPROCS is too low)";
	if (idle.n && rq.n && idle.mean >= 1 && rq.mean >= 1 && n < max)
		out[n++] = "idle Ps while the global run queue is not empty: work is not being picked up (scheduler "
			   "latency, or Ps held in syscalls)";
	if (live.n > 1 && live.last >= live.first + 10 && n < max)
		out[n++] = "the number of live goroutines keeps growing (scheddetail): see 'goroscope leaks' over "
			   "goroutine snapshots";
	return n;
}

void report_sched_text(struct buf *b, const struct sched_trace *t, bool color)
{
	const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
	if (!t->n) {
		buf_printf(b, "no GODEBUG=schedtrace records (\"SCHED Tms: ...\") in %llu lines\n",
			   (unsigned long long)t->lines);
		return;
	}
	buf_printf(b, "%s== schedtrace: %u records from %lldms to %lldms%s%s\n", bold, t->n, (long long)t->v[0].t_ms,
		   (long long)t->v[t->n - 1].t_ms, t->v[0].detail ? " (scheddetail)" : "", reset);
	buf_printf(b, "   %-26s %8s %8s %8s %8s %8s\n", "", "first", "last", "min", "max", "mean");
	for (size_t i = 0; i < ARRAY_LEN(FIELDS); i++) {
		struct stat_ s = stat_of(t, FIELDS[i].get);
		if (!s.n)
			continue;
		buf_printf(b, "   %-26s %8lld %8lld %8lld %8lld %8.1f\n", FIELDS[i].label, (long long)s.first,
			   (long long)s.last, (long long)s.min, (long long)s.max, s.mean);
	}
	const char *f[8];
	uint32_t nf = flags(t, f, ARRAY_LEN(f));
	for (uint32_t i = 0; i < nf; i++)
		buf_printf(b, "   ! %s\n", f[i]);
	if (!nf)
		buf_adds(b, "   nothing stands out\n");
	if (t->skipped)
		buf_printf(b, "   (%llu SCHED lines could not be read)\n", (unsigned long long)t->skipped);
}

void report_sched_json(struct buf *b, const struct sched_trace *t)
{
	buf_printf(b, "{\"tool\":\"goroscope\",\"version\":\"" GOROSCOPE_VERSION "\",\"schema\":1,\"command\":\"schedtrace\""
		      ",\"records\":%u,\"skipped\":%llu,\"detail\":%s,\"summary\":{",
		   t->n, (unsigned long long)t->skipped, t->n && t->v[0].detail ? "true" : "false");
	bool any = false;
	for (size_t i = 0; i < ARRAY_LEN(FIELDS); i++) {
		struct stat_ s = stat_of(t, FIELDS[i].get);
		if (!s.n)
			continue;
		buf_printf(b, "%s\"%s\":{\"first\":%lld,\"last\":%lld,\"min\":%lld,\"max\":%lld,\"mean\":%.3f}", any ? "," : "",
			   FIELDS[i].key, (long long)s.first, (long long)s.last, (long long)s.min, (long long)s.max, s.mean);
		any = true;
	}
	buf_adds(b, "},\"flags\":[");
	const char *f[8];
	uint32_t nf = flags(t, f, ARRAY_LEN(f));
	for (uint32_t i = 0; i < nf; i++)
		buf_printf(b, "%s\"%s\"", i ? "," : "", f[i]);
	buf_adds(b, "],\"series\":[");
	for (uint32_t i = 0; i < t->n; i++) {
		const struct sched_record *r = &t->v[i];
		buf_printf(b, "%s{\"line\":%llu,\"t_ms\":%lld,\"gomaxprocs\":%lld,\"idleprocs\":%lld,\"threads\":%lld,"
			      "\"spinningthreads\":%lld,\"idlethreads\":%lld,\"runqueue\":%lld,\"local_runqueues\":%lld",
			   i ? "," : "", (unsigned long long)r->line, (long long)r->t_ms, (long long)r->gomaxprocs,
			   (long long)r->idleprocs, (long long)r->threads, (long long)r->spinning, (long long)r->idlethreads,
			   (long long)r->runqueue, (long long)r->local_runq);
		if (r->detail) {
			buf_printf(b, ",\"p_lines\":%u,\"m_lines\":%u,\"g_lines\":%u,\"g_by_status\":{", r->p_lines, r->m_lines,
				   r->g_lines);
			bool first = true;
			for (int k = 0; k < SCHED_G_STATUSES; k++) {
				if (!r->g_by_status[k])
					continue;
				buf_printf(b, "%s\"%d\":%llu", first ? "" : ",", k, (unsigned long long)r->g_by_status[k]);
				first = false;
			}
			buf_addc(b, '}');
		}
		buf_addc(b, '}');
	}
	buf_adds(b, "]}\n");
}
