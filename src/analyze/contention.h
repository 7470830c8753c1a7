/* contention.h: block and mutex profiles turned into a ranked list of
 * contention sites. A site is where goroutines waited (the first frame in
 * user code) and on what (the wait primitive: lock, channel operation,
 * select, Cond, WaitGroup; in a mutex profile, the Unlock whose holder made
 * others wait). Idle waiting - a coordinator in WaitGroup.Wait, workers
 * parked on a queue (few long waits on a receive or select), profiling
 * requests - is set apart with the reason, so the top of the list is the
 * real bottleneck. One lock is one row: its waiters (block profile) and
 * the site where its holders unlock (mutex profile) are ranked together,
 * and so is a mutex-profile site at the very call where they wait,
 * each view with its share of its own profile kind (the two measure
 * different things and are never added). Pure: reads snapshots, allocates
 * only the result. */
#ifndef GOROSCOPE_CONTENTION_H
#define GOROSCOPE_CONTENTION_H

#include "group.h"

struct contention_options {
	double min_mean_ms;          /* flag sites whose mean delay per event is at least this (default 10) */
	uint64_t min_events;         /* ...or with at least this many events (default 1000) */
	double idle_mean_ms;         /* receive/select waits this long on average are idle (default 50) */
};

void contention_options_default(struct contention_options *o);

struct contention_site {
	const struct snapshot *snap; /* the profile it comes from */
	uint32_t stack;              /* representative stack (the largest delay) */
	uint32_t site;               /* frame index of the site in it */
	const char *via;             /* the primitive's function, e.g. "sync.(*Mutex).Lock" (snapshot string) */
	const char *what;            /* "lock", "rwlock read", "chan receive", ... (static) */
	uint64_t events, delay_ns;
	double mean_ns;
	double share;                /* of the contention (idle sites excluded) of its profile (its kind) */
	bool idle;
	const char *reason;          /* idle: why; else why it is flagged, or NULL */
	bool flagged;
	uint64_t parked_now;         /* goroutines at this site in the goroutine snapshots given */
	uint64_t top_delay;          /* delay of the representative sample */
	int32_t holder;              /* a lock's waiters: index of the mutex-profile site where the same
	                              * function unlocks (holders and waiters of one lock), -1 if none */
	bool absorbed;               /* a holder site shown in its waiters' row, not as a row of its own */
	bool owns_holder;            /* waiters whose row shows the holder's numbers (one row per holder) */
	int32_t same_call;           /* a block-profile site: the mutex-profile site at the same call (function
	                              * and line: the runtime's own lock taken in that Lock, a select's), shown
	                              * in this row (the first, if several), -1 if none */
	uint32_t call_sites;         /* mutex-profile sites at that call, all shown in this row, and their */
	uint64_t call_events, call_delay_ns; /* events and delay added up */
	double call_share;           /* ...and share of the mutex profile's delay */
	double rank_ns;              /* what ranks its row: its delay, or its holder's when larger */
};

struct contention_result {
	struct contention_site *sites; /* contention first (most delay first), then idle (most delay first) */
	uint32_t nsites, ncontention;  /* sites[0..ncontention) contention, the rest idle */
	uint32_t *rows, nrows;         /* the ranked list: contention sites not absorbed, most time first */
	uint64_t events, delay_ns, idle_delay_ns;
	uint32_t nprofiles;
	bool all_empty;              /* every profile had no samples: profiling off? */
	bool block_empty, mutex_empty; /* a block / mutex profile was given and had no samples */
	double block_window_s, mutex_window_s; /* the empty profile covered this window (seconds=N), 0: since start */
	int64_t mutex_sampling;      /* an empty debug=1 mutex profile's sampling period (0: off), -1 unknown */
};

/* Sites of the block/mutex snapshots among snaps; goroutine snapshots among
 * them (text dumps or goroutine profiles) give parked_now. */
void contention_run(struct snapshot *const *snaps, uint32_t n, const struct contention_options *o,
		    struct contention_result *r);
void contention_free(struct contention_result *r);

#endif
