/* schedtrace.h: reader for GODEBUG=schedtrace=N output (and scheddetail=1),
 * found anywhere in a log (lines may carry prefixes). go-formats.md §5. */
#ifndef GOROSCOPE_SCHEDTRACE_H
#define GOROSCOPE_SCHEDTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* G status words of scheddetail G lines, by number */
enum { SCHED_G_STATUSES = 12 };

struct sched_record {
	uint64_t line;
	int64_t t_ms;
	int64_t gomaxprocs, idleprocs, threads, spinning, needspinning, idlethreads, runqueue; /* -1: absent */
	int64_t local_runq;          /* sum of the per-P queues ([..] or P lines' runqsize), -1: absent */
	bool detail;                 /* scheddetail=1 record */
	uint32_t p_lines, m_lines, g_lines;
	uint64_t g_by_status[SCHED_G_STATUSES]; /* status & 0xfff < 12; others in [11] */
	uint64_t g_waiting_reasons;  /* distinct wait reasons are not kept: count of status-4 lines */
};

struct sched_trace {
	struct sched_record *v;
	uint32_t n, cap;
	uint64_t lines, skipped;     /* lines read; SCHED lines that did not parse */
};

/* Parse n bytes of text; every "SCHED Tms:" line starts a record, the
 * indented P/M/G lines after it belong to it. Never fails: other text is
 * ignored, malformed SCHED lines are counted in skipped.
 * Bounds (tests/hostile/check_bombs.py): one pass, time linear in n; one
 * record (about 200 bytes) per SCHED line, nothing per P, M or G line but
 * counters; sums saturate at INT64_MAX. */
void sched_parse(const char *p, size_t n, struct sched_trace *out);
void sched_free(struct sched_trace *t);

#endif
