/* watch_internal.h: the daemon's state, shared by watch.c (polling loop),
 * readers.c (parsing on reader threads), discovery.c (its thread),
 * actions.c and am_notify.c (captures, analysis, notifications on a worker
 * thread) and endpoints.c (HTTP handlers on the server's thread). Fields
 * marked [mu] are read by other threads and change only under watch.mu. */
#ifndef GOROSCOPE_WATCH_INTERNAL_H
#define GOROSCOPE_WATCH_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/u64map.h"
#include "../fetch/fetch_pool.h"
#include "../store/store.h"
#include "../web/httpd.h"
#include "config.h"
#include "discovery.h"
#include "rules.h"
#include "schedule.h"
#include "watch.h"

/* The last raw profiles of a target (gzip-compressed), for the leak
 * analysis when an alert fires: bounded per target. */
enum { WATCH_KEEP_BODIES = 8, WATCH_TOP = 10 };
struct kept_body {
	int64_t ts_ms;
	struct buf gz;
};

struct top_group {
	uint64_t key;
	uint64_t count;
	char title[160];          /* first user frame */
};

struct target_state {
	struct watch *w;          /* for the fetch callback */
	bool window_said;         /* the log said that the rate rules now judge */
	uint32_t index;
	struct watch_target cfg;  /* copy; strings live in watch.cfg's arena */
	char url[2048];           /* resolved base URL, no trailing '/' */
	int pid;                  /* pid:N targets: the process, and when it started */
	uint64_t pid_started;
	int64_t id;               /* in the store */
	struct rules_state rules;
	int64_t next_poll_ms;
	uint32_t failures;        /* consecutive failed scrapes (back-off) */
	bool breaching;           /* the last sample breached a threshold */
	struct kept_body kept[WATCH_KEEP_BODIES];
	uint32_t nkept, kept_next;
	int64_t last_kept_ms;
	struct u64map stacks;     /* group key -> stack id in the store */
	/* [mu] for /metrics */
	bool up, scraped;
	uint64_t count;
	double scrape_seconds, baseline, rate_per_min;
	uint64_t scrapes, scrape_errors, alerts_fired, captures;
	struct top_group top[WATCH_TOP];
	uint32_t ntop;
	bool firing;
	char rule[32];
	int64_t alert_id;
	int64_t last_capture_ms;  /* 0: never (also set by the Alertmanager handler) */
	bool capture_running;
	char last_error[256];      /* cut to fit */
	/* [mu] the alert as Alertmanager knows it (am_notify.c), while firing */
	char *am_core[2];         /* threshold and leak alerts (JSON members), or NULL */
	int64_t am_started_ms, am_sent_ms;
	bool am_resend_queued;
};

/* A poll's response on its way through a reader (readers.c) and back to
 * the polling thread. */
struct poll_group {
	uint64_t key, count;
	char title[160];             /* first user frame, sanitised */
	uint32_t text_off, text_len; /* its stack text in poll_job.texts (top_groups only) */
};

struct poll_job {
	/* in */
	uint32_t target;             /* index in watch.t */
	uint64_t generation;         /* watch.generation when made */
	int64_t ts_ms, queued_ms;
	double fetch_seconds;
	bool keep;                   /* compress the body for the kept profiles */
	struct buf body;             /* the response, freed by the reader */
	/* out */
	enum status st;
	char error[600];             /* when st != ST_OK */
	double cpu_seconds;
	uint64_t total;
	struct poll_group groups[RULES_GROUPS_KEPT]; /* largest first */
	uint32_t ngroups;
	bool complete;               /* every group is listed */
	struct buf texts;
	struct buf gz;               /* when keep: the body, compressed */
	struct poll_job *next;
};

enum { WATCH_MAX_READERS = 8 };

/* A discovery source's state, for /metrics. */
struct sd_status {
	char source[12], kind[16];
	bool up;
	uint32_t targets;
};

enum job_kind { JOB_FIRE, JOB_RESOLVE, JOB_EXTERNAL, JOB_AM_RESEND };

struct job {
	enum job_kind kind;
	uint32_t target;          /* index when made; the name finds it after a reload */
	char name[256];
	int64_t alert_id, ts_ms;
	char rule[32];
	char message[512];
	double value, limit;
	bool capture;             /* not in cool-down */
	struct kept_body kept[WATCH_KEEP_BODIES]; /* copies, oldest first */
	uint32_t nkept;
	struct job *next;
};

/* What an alert's actions found, for the store (written by the polling
 * thread). */
struct evidence {
	int64_t alert_id;
	char *capture_dir, *analysis; /* may be NULL */
	struct evidence *next;
};

struct watch {
	struct watch_config cfg;
	struct watch_config *retired; /* replaced by reloads, freed at the end */
	uint32_t nretired;
	const struct watch_options *opt;
	struct target_state *t;
	uint32_t n;
	struct schedule due;      /* targets not in flight, by next poll */
	struct store *store;
	struct fetch_pool *pool;
	struct httpd *http;
	pthread_mutex_t mu;
	pthread_cond_t jobs_cv;
	struct job *jobs, *jobs_tail; /* [mu] */
	struct evidence *evidence; /* [mu] */
	bool stopping;            /* [mu] */
	pthread_t worker;
	int64_t started_ms;
	atomic_bool cancel;       /* the daemon is stopping: budgets give up */
	uint64_t generation;      /* bumped by each reload (polling thread) */
	/* readers.c: queues under readers_mu */
	pthread_t readers[WATCH_MAX_READERS];
	unsigned nreaders;
	bool readers_inited, readers_stopping;
	pthread_mutex_t readers_mu;
	pthread_cond_t readers_cv;
	struct poll_job *read_queue, *read_queue_tail, *read_done, *read_done_tail;
	uint32_t reading;         /* submitted, not yet taken back */
	int64_t last_round_ms;    /* [mu] the polling loop's last turn, for /healthz */
	int64_t am_checked_ms;    /* when the Alertmanager resends were last looked at */
	/* discovery.c: its thread, what it found, what the polling thread set up */
	pthread_t discovery;
	bool discovery_started;
	pthread_cond_t disc_cv;   /* wakes the discovery thread to stop */
	struct disc_targets *disc_next; /* [mu] a new list, not yet taken */
	struct disc_targets *disc;      /* the list the targets were set up from (polling thread) */
	struct disc_targets *disc_retired;
	struct sd_status *sd_status;    /* [mu] */
	uint32_t nsd_status;
	/* [mu] the daemon's own figures */
	uint64_t rounds, store_errors, notify_errors, alertmanager_requests;
	double poll_cpu_seconds;
};

void watch_log(const struct watch *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int64_t watch_now_ms(void);

/* actions.c: the worker thread and its queue. */
void *actions_worker(void *w);
/* Queue a job (w->mu must NOT be held). */
void actions_queue(struct watch *w, struct job *j);
/* Write the evidence the worker left into the store (polling thread, in
 * its transaction). */
void actions_store_evidence(struct watch *w);
/* A job for target i, with copies of its kept profiles. */
struct job *actions_job(struct watch *w, uint32_t i, enum job_kind kind);

/* readers.c: the threads that read poll responses. */
unsigned readers_count(void);
bool readers_start(struct watch *w);
/* Cancel what is being read, join the threads, free every job (again:
 * nothing). readers_free then releases the queues' lock, once no other
 * thread (HTTP) can ask. */
void readers_stop(struct watch *w);
void readers_free(struct watch *w);
void readers_submit(struct watch *w, struct poll_job *j);
/* Every finished job, in order (a list through next); the caller frees
 * them with poll_job_free. */
struct poll_job *readers_take_done(struct watch *w);
/* When the oldest job still waiting for a reader was queued, 0: none. */
int64_t readers_oldest_queued_ms(struct watch *w);
void poll_job_free(struct poll_job *j);

/* POST body to a webhook, with its retries; false when every attempt failed. */
bool actions_post(struct watch *w, const struct watch_webhook *h, const struct buf *body);

/* am_notify.c: Alertmanager's API v2. Alertmanager drops an alert nobody
 * repeats: a firing one is sent every alertmanager_resend, ending four
 * times that on. */
/* The labels and annotations (JSON members, malloc'd) of t's threshold
 * alert, and of its leak alert when the analysis names a leak (else NULL). */
char *am_threshold_core(const struct target_state *t, const struct job *j, const char *capture_dir,
			const char *external_url);
char *am_leak_core(const struct target_state *t, const char *analysis, const char *capture_dir,
		   const char *external_url);
/* Post the alerts (cores, either may be NULL) to every configured
 * Alertmanager; false when one could not be reached. */
bool am_send(struct watch *w, const struct watch_config *cfg, const char *const cores[2], int64_t starts_ms,
	     int64_t ends_ms);

/* endpoints.c: the HTTP handler. */
/* A label name made valid ([a-zA-Z_][a-zA-Z0-9_]*); a name in ours (the
 * labels goroscope sets itself, NULL-ended) is prefixed with label_ so
 * that a configured label cannot clash. */
void put_label_name(struct buf *b, const char *s, const char *const *ours);
void endpoints_handle(void *w, const struct httpd_request *req, struct httpd_response *res);

#endif
