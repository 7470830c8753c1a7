/* budget.h: a bound on the work one job may do, checked by the job itself.
 *
 * The watch daemon reads profiles from services it does not control: a
 * small body can claim enough work to keep a thread busy for minutes. The
 * parsers therefore call budget_tick() at the head of their loops; it is a
 * counter increment, and once every BUDGET_TICKS calls it reads the
 * thread's CPU clock, compares the memory the caller says it holds with
 * the limit, and looks at the cancel flag another thread may set (the
 * daemon stopping). Once spent, a budget stays spent: every later tick
 * fails too, so a parser unwinds at its next loop head.
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

/* The slow half of budget_tick: every field checked now. */
enum status budget_check(struct budget *b, size_t bytes_held);

/* ST_OK while the job may go on; ST_LIMIT (or ST_IO when cancelled) once
 * the budget is spent. bytes_held is what the caller holds now (its
 * input, the structures it built). */
static inline enum status budget_tick(struct budget *b, size_t bytes_held)
{
	if (!b)
		return ST_OK;
	if (b->spent != ST_OK || ++b->ticks >= (b->check_every ? b->check_every : (uint32_t)BUDGET_TICKS))
		return budget_check(b, bytes_held);
	return ST_OK;
}

/* Thread CPU seconds used since budget_start. */
double budget_cpu_used(const struct budget *b);

/* err set from a spent budget: "<what> exceeded its budget: <why>". */
enum status budget_error(const struct budget *b, const char *what, struct err *err);

#endif
