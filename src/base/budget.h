/* budget.h: a bound on the work one job may do, checked by the job itself.
 *
 * The watch daemon reads profiles from services it does not control: a
 * small body can claim enough work to keep a thread busy for minutes. The
 * parsers ask budget_due() at the head of their loops; it is a counter
 * increment, and once every BUDGET_TICKS calls it says a check is due:
 * budget_check() then reads the thread's CPU clock, compares the memory
 * the caller says it holds (counted only then) with the limit, and looks at
 * the cancel flag another thread may set (the daemon stopping):
 *
 *     if (budget_due(b) && budget_check(b, bytes_held_now()) != ST_OK) ...
 *
 * Once spent, a budget stays spent: every later call is due and fails, so
 * a parser unwinds at its next loop head.
 *
 * A budget belongs to one thread at a time (the CPU clock is that
 * thread's). A NULL budget is no bound at all: the command-line tools read
 * what the operator chose to read. */
#ifndef GOROSCOPE_BUDGET_H
#define GOROSCOPE_BUDGET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum { BUDGET_TICKS = 4096 };

struct budget {
	double cpu_seconds;          /* thread CPU the job may use; 0: no bound */
	size_t bytes;                /* memory the job may hold; 0: no bound */
	const atomic_bool *cancel;   /* set elsewhere: stop now (may be NULL) */
	uint32_t check_every;        /* ticks between checks; 0: BUDGET_TICKS (tests use 1) */
	/* kept by budget_start and the checks */
	int64_t start_ns;
	uint32_t ticks;
	enum status spent;           /* ST_OK until the budget is spent */
	char why[160];               /* what was exceeded, once spent */
};

/* Start counting CPU from now (the limits are already set). */
void budget_start(struct budget *b);

/* ST_OK while the job may go on; ST_LIMIT (or ST_IO when cancelled) once
 * the budget is spent. bytes_held is what the caller holds now (its
 * input, the structures it built). */
enum status budget_check(struct budget *b, size_t bytes_held);

/* Is a check due (b may be NULL: never)? Cheap: call it at every loop head. */
static inline bool budget_due(struct budget *b)
{
	return b && (b->spent != ST_OK || ++b->ticks >= (b->check_every ? b->check_every : (uint32_t)BUDGET_TICKS));
}

/* Thread CPU seconds used since budget_start. */
double budget_cpu_used(const struct budget *b);

/* err set from a spent budget: "<what> exceeded its budget: <why>". */
enum status budget_error(const struct budget *b, const char *what, struct err *err);

#endif
