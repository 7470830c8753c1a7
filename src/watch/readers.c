/* readers.c: the threads that read what the polls bring back.
 *
 * A target's bytes are never parsed on the polling thread: a hostile or
 * broken service could otherwise hold it (and every other target's polls,
 * the store's commits and SIGTERM) for as long as its body takes to read.
 * The polling thread hands each response to a queue; a reader decompresses
 * and parses it within the per-poll budget (poll_cpu, poll_memory: a spent
 * budget is a failed poll with the reason, and the target backs off),
 * groups it, and reduces it to what the polling thread needs: the count,
 * the largest groups with their keys, titles and stack text (sanitised and
 * capped), and the body compressed when it is to be kept. The polling
 * thread applies the result (rules, store, alerts) in the order results
 * arrive. A job knows the configuration generation it was made in: after
 * a reload its target index may name another target, so the result is
 * dropped.
 *
 * Readers are at least two, so that one slow body never holds every
 * reader; more on machines with more cores. */
#include "../base/common.h"
#include "watch_internal.h"
#include "../analyze/classify.h"
#include "../analyze/diff.h"
#include "../analyze/group.h"
#include "../base/gzip.h"
#include "../base/xalloc.h"
#include "../report/escape.h"
#include "../source/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Stack text kept per group: the frames a person reads to recognise a
 * stack, not a hostile target's megabytes of names. */
enum { STACK_FRAMES_KEPT = 64, FRAME_NAME_MAX = 512, STACK_TEXT_MAX = 8192 };

static void group_title(const struct snapshot *s, const struct group *g, char *out, size_t outsz)
{
	const struct stack *st = &s->stacks[g->stack];
	if (!st->nframes) {
		snprintf(out, outsz, "(no stack)");
		return;
	}
	const struct frame *f = snapshot_frame(s, st, first_user_frame(s, st));
	utf8_sanitize(out, outsz, snapshot_str(s, f->func), snapshot_len(s, f->func));
}

/* "func file:line" lines of g's stack, sanitised and capped. */
static void stack_text(const struct snapshot *s, const struct group *g, struct buf *out)
{
	const struct stack *st = &s->stacks[g->stack];
	char func[FRAME_NAME_MAX], file[FRAME_NAME_MAX];
	size_t start = out->len;
	for (uint32_t k = 0; k < st->nframes && k < STACK_FRAMES_KEPT; k++) {
		const struct frame *f = snapshot_frame(s, st, k);
		utf8_sanitize(func, sizeof(func), snapshot_str(s, f->func), snapshot_len(s, f->func));
		utf8_sanitize(file, sizeof(file), snapshot_str(s, f->file), snapshot_len(s, f->file));
		size_t before = out->len;
		buf_printf(out, "%s %s:%u\n", func, file, f->line);
		if (out->len - start > STACK_TEXT_MAX) {
			out->len = before;
			buf_adds(out, "...\n");
			break;
		}
	}
}

/* Read one job's body into its result fields. */
static void read_job(struct watch *w, struct poll_job *j)
{
	struct budget b = {.cpu_seconds = w->cfg.poll_cpu_s, .bytes = w->cfg.poll_memory, .cancel = &w->cancel};
	budget_start(&b);
	struct snapset set;
	snapset_init(&set);
	struct source_options so;
	source_options_default(&so);
	so.budget = &b;
	struct err err = {0};
	const struct target_state *t = &w->t[j->target]; /* its name and url only: fixed until a reload */
	j->st = source_load_mem(t->cfg.name, j->body.p ? j->body.p : "", j->body.len, &so, &set, NULL, &err);
	if (j->st != ST_OK) {
		snprintf(j->error, sizeof(j->error), "cannot read the profile: %.512s", err.msg);
	} else {
		struct group_options go;
		group_options_default(&go);
		go.include_system = true; /* the count is the runtime's, like go_goroutines */
		go.no_suspects = true;    /* judged by the leak analysis when an alert fires */
		struct analysis a;
		analysis_run(set.v[0], &go, &a);
		j->total = a.total;
		j->ngroups = MIN(a.ngroups, (uint32_t)RULES_GROUPS_KEPT);
		j->complete = j->ngroups == a.ngroups;
		buf_reset(&j->texts);
		for (uint32_t k = 0; k < j->ngroups; k++) {
			struct poll_group *g = &j->groups[k];
			g->key = diff_group_key(&a, &a.groups[k], false);
			g->count = a.groups[k].count;
			group_title(a.snap, &a.groups[k], g->title, sizeof(g->title));
			/* the text only of the groups the store keeps (top_groups) */
			g->text_off = (uint32_t)j->texts.len;
			if (k < w->cfg.top_groups)
				stack_text(a.snap, &a.groups[k], &j->texts);
			g->text_len = (uint32_t)(j->texts.len - g->text_off);
		}
		analysis_free(&a);
	}
	snapset_free(&set);
	if (j->st == ST_OK && j->keep) {
		buf_init(&j->gz);
		gzip_compress(j->body.p ? j->body.p : "", j->body.len, &j->gz);
		/* no room to spare: a thousand targets keep eight of these each */
		j->gz.p = xreallocarray(j->gz.p, j->gz.len + 1, 1);
		j->gz.cap = j->gz.len + 1;
	}
	buf_free(&j->body);
	j->cpu_seconds = budget_cpu_used(&b);
}

static void *reader_main(void *arg)
{
	struct watch *w = arg;
	pthread_mutex_lock(&w->readers_mu);
	for (;;) {
		while (!w->read_queue && !w->readers_stopping)
			pthread_cond_wait(&w->readers_cv, &w->readers_mu);
		if (w->readers_stopping)
			break;
		struct poll_job *j = w->read_queue;
		w->read_queue = j->next;
		if (!w->read_queue)
			w->read_queue_tail = NULL;
		pthread_mutex_unlock(&w->readers_mu);
		j->next = NULL;
		read_job(w, j);
		pthread_mutex_lock(&w->readers_mu);
		if (w->read_done_tail)
			w->read_done_tail->next = j;
		else
			w->read_done = j;
		w->read_done_tail = j;
		pthread_mutex_unlock(&w->readers_mu);
		fetch_pool_wake(w->pool);
		pthread_mutex_lock(&w->readers_mu);
	}
	pthread_mutex_unlock(&w->readers_mu);
	return NULL;
}

unsigned readers_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return (unsigned)MAX(2, MIN(n, (long)WATCH_MAX_READERS));
}

bool readers_start(struct watch *w)
{
	pthread_mutex_init(&w->readers_mu, NULL);
	pthread_cond_init(&w->readers_cv, NULL);
	w->readers_inited = true;
	unsigned want = readers_count();
	for (w->nreaders = 0; w->nreaders < want; w->nreaders++)
		if (pthread_create(&w->readers[w->nreaders], NULL, reader_main, w) != 0)
			break;
	return w->nreaders > 0;
}

void poll_job_free(struct poll_job *j)
{
	buf_free(&j->body);
	buf_free(&j->texts);
	buf_free(&j->gz);
	free(j);
}

void readers_stop(struct watch *w)
{
	if (!w->readers_inited)
		return;
	atomic_store(&w->cancel, true); /* a body being read gives up at its next tick */
	pthread_mutex_lock(&w->readers_mu);
	w->readers_stopping = true;
	pthread_cond_broadcast(&w->readers_cv);
	pthread_mutex_unlock(&w->readers_mu);
	for (unsigned i = 0; i < w->nreaders; i++)
		pthread_join(w->readers[i], NULL);
	w->nreaders = 0;
	/* the HTTP thread may still ask how far behind reading is */
	pthread_mutex_lock(&w->readers_mu);
	for (struct poll_job *lists[2] = {w->read_queue, w->read_done}, **l = lists; l < lists + 2; l++)
		while (*l) {
			struct poll_job *next = (*l)->next;
			poll_job_free(*l);
			*l = next;
		}
	w->read_queue = w->read_queue_tail = w->read_done = w->read_done_tail = NULL;
	w->reading = 0;
	pthread_mutex_unlock(&w->readers_mu);
}

void readers_free(struct watch *w)
{
	if (!w->readers_inited)
		return;
	pthread_mutex_destroy(&w->readers_mu);
	pthread_cond_destroy(&w->readers_cv);
	w->readers_inited = false;
}

void readers_submit(struct watch *w, struct poll_job *j)
{
	j->queued_ms = watch_now_ms();
	j->next = NULL;
	pthread_mutex_lock(&w->readers_mu);
	if (w->read_queue_tail)
		w->read_queue_tail->next = j;
	else
		w->read_queue = j;
	w->read_queue_tail = j;
	w->reading++;
	pthread_cond_signal(&w->readers_cv);
	pthread_mutex_unlock(&w->readers_mu);
}

struct poll_job *readers_take_done(struct watch *w)
{
	pthread_mutex_lock(&w->readers_mu);
	struct poll_job *done = w->read_done;
	w->read_done = w->read_done_tail = NULL;
	for (struct poll_job *j = done; j; j = j->next)
		w->reading--;
	pthread_mutex_unlock(&w->readers_mu);
	return done;
}

int64_t readers_oldest_queued_ms(struct watch *w)
{
	if (!w->readers_inited)
		return 0;
	pthread_mutex_lock(&w->readers_mu);
	int64_t t = w->read_queue ? w->read_queue->queued_ms : 0;
	pthread_mutex_unlock(&w->readers_mu);
	return t;
}
