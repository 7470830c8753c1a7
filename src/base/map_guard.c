/* map_guard.c: see map_guard.h. */
#include "common.h"
#include "map_guard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* A slot is taken by setting begin (non-zero) last, and freed by clearing
 * begin first: the handler reads a slot whole only while it is taken. */
struct guarded {
	_Atomic uintptr_t begin, end;
	atomic_bool faulted;
	atomic_bool used;
};

static struct guarded slots[MAP_GUARD_SLOTS];
static struct sigaction previous;
static uintptr_t page_size; /* set before the handler is: sysconf is not for handlers */

static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t addr = (uintptr_t)si->si_addr;
	for (int i = 0; i < MAP_GUARD_SLOTS; i++) {
		uintptr_t b = atomic_load(&slots[i].begin), e = atomic_load(&slots[i].end);
		if (!b || addr < b || addr >= e)
			continue;
		uintptr_t page = addr & ~(page_size - 1);
		/* zeros where the file ended; the faulting read is retried on return */
		if (mmap((void *)page, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			break;
		atomic_store(&slots[i].faulted, true);
		return;
	}
	/* not ours: as it would have been without this handler */
	if (previous.sa_flags & SA_SIGINFO && previous.sa_sigaction) {
		previous.sa_sigaction(sig, si, uctx);
		return;
	}
	if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN && previous.sa_handler) {
		previous.sa_handler(sig);
		return;
	}
	signal(SIGBUS, SIG_DFL);
	/* returning retries the access, which now takes the default action */
}

/* Put the handler in place unless it is there: checked at every guard,
 * as a library or a test harness may have set its own since. */
static void ensure_installed(void)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&mu);
	if (!page_size)
		page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
	struct sigaction now;
	if (sigaction(SIGBUS, NULL, &now) == 0 && !((now.sa_flags & SA_SIGINFO) && now.sa_sigaction == on_sigbus)) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGBUS, &sa, &previous);
	}
	pthread_mutex_unlock(&mu);
}

int map_guard_begin(const void *map, size_t size)
{
	if (!map || !size)
		return -1;
	ensure_installed();
	for (int i = 0; i < MAP_GUARD_SLOTS; i++) {
		bool free_slot = false;
		if (!atomic_compare_exchange_strong(&slots[i].used, &free_slot, true))
			continue;
		atomic_store(&slots[i].faulted, false);
		atomic_store(&slots[i].end, (uintptr_t)map + size);
		atomic_store(&slots[i].begin, (uintptr_t)map);
		return i;
	}
	return -1;
}

bool map_guard_end(int slot)
{
	if (slot < 0 || slot >= MAP_GUARD_SLOTS)
		return false;
	atomic_store(&slots[slot].begin, 0);
	atomic_store(&slots[slot].end, 0);
	bool faulted = atomic_load(&slots[slot].faulted);
	atomic_store(&slots[slot].used, false);
	return faulted;
}
