/* budget.c: see budget.h. */
#include "common.h"
#include "budget.h"

#include <stdio.h>
#include <time.h>

static int64_t thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void budget_start(struct budget *b)
{
	b->start_ns = thread_cpu_ns();
	b->ticks = 0;
	b->spent = ST_OK;
	b->why[0] = '\0';
}

double budget_cpu_used(const struct budget *b)
{
	return (double)(thread_cpu_ns() - b->start_ns) / 1e9;
}

enum status budget_check(struct budget *b, size_t bytes_held)
{
	b->ticks = 0;
	if (b->spent != ST_OK)
		return b->spent;
	if (b->cancel && atomic_load(b->cancel)) {
		snprintf(b->why, sizeof(b->why), "cancelled (the daemon is stopping)");
		return b->spent = ST_IO;
	}
	if (b->bytes && bytes_held > b->bytes) {
		snprintf(b->why, sizeof(b->why), "it needed more than %zu MiB of memory", b->bytes >> 20);
		return b->spent = ST_LIMIT;
	}
	double used = budget_cpu_used(b);
	if (b->cpu_seconds > 0 && used > b->cpu_seconds) {
		snprintf(b->why, sizeof(b->why), "it took more than %.3g s of CPU", b->cpu_seconds);
		return b->spent = ST_LIMIT;
	}
	return ST_OK;
}

enum status budget_error(const struct budget *b, const char *what, struct err *err)
{
	return err_set(err, b->spent != ST_OK ? b->spent : ST_LIMIT, 0, 0, "%s exceeded its budget: %s", what, b->why);
}
