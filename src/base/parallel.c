/* parallel.c: see parallel.h. */
#include "common.h"
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

enum { PARALLEL_MAX_THREADS = 64 };

struct parallel_work {
	uint32_t n;
	void (*fn)(void *, uint32_t);
	void *ctx;
	atomic_uint next;
};

static void *worker(void *arg)
{
	struct parallel_work *w = arg;
	for (uint32_t i; (i = atomic_fetch_add(&w->next, 1)) < w->n;)
		w->fn(w->ctx, i);
	return NULL;
}

unsigned parallel_threads(uint32_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return (unsigned)MAX(1L, MIN((long)n, MIN(cpus, (long)PARALLEL_MAX_THREADS)));
}

void parallel_for(uint32_t n, void (*fn)(void *ctx, uint32_t i), void *ctx)
{
	struct parallel_work w = {n, fn, ctx, 0};
	pthread_t th[PARALLEL_MAX_THREADS];
	unsigned started = 0, want = parallel_threads(n) - 1; /* and this thread */
	for (; started < want; started++)
		if (pthread_create(&th[started], NULL, worker, &w) != 0)
			break; /* fewer threads: the same work, more of it here */
	worker(&w);
	for (unsigned k = 0; k < started; k++)
		pthread_join(th[k], NULL);
}
