/* actions.c: what happens when an alert fires or resolves, on a worker
 * thread of its own so that polling goes on meanwhile: capture the
 * evidence (within the target's time budget, not during cool-down), run
 * the leak analysis over the target's last profiles, record both in the
 * store, and notify: webhooks (JSON, POST) and a command, each with
 * retries. The polling thread is the store's only writer (a second writer
 * would wait for its lock while polling keeps it): the evidence goes back
 * to it through a queue (actions_take_evidence). */
#include "../base/common.h"
#include "watch_internal.h"
#include "../analyze/judge.h"
#include "../base/gzip.h"
#include "../base/xalloc.h"
#include "../capture/capture.h"
#include "../source/source.h"
#include "../report/escape.h"
#include "../report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct job *actions_job(struct watch *w, uint32_t i, enum job_kind kind)
{
	struct target_state *t = &w->t[i];
	struct job *j = xcalloc(1, sizeof(*j));
	j->kind = kind;
	j->target = i;
	snprintf(j->name, sizeof(j->name), "%s", t->cfg.name);
	/* oldest first */
	for (uint32_t k = 0; k < t->nkept; k++) {
		const struct kept_body *src = &t->kept[(t->kept_next + WATCH_KEEP_BODIES - t->nkept + k) % WATCH_KEEP_BODIES];
		struct kept_body *dst = &j->kept[j->nkept++];
		dst->ts_ms = src->ts_ms;
		buf_init(&dst->gz);
		buf_add(&dst->gz, src->gz.p, src->gz.len);
	}
	return j;
}

static void job_free(struct job *j)
{
	for (uint32_t k = 0; k < j->nkept; k++)
		buf_free(&j->kept[k].gz);
	free(j);
}

void actions_queue(struct watch *w, struct job *j)
{
	pthread_mutex_lock(&w->mu);
	if (w->jobs_tail)
		w->jobs_tail->next = j;
	else
		w->jobs = j;
	w->jobs_tail = j;
	pthread_cond_signal(&w->jobs_cv);
	pthread_mutex_unlock(&w->mu);
}

/* The leak analysis over the job's profiles and, when the alert captured
 * one, the capture's goroutine profile (debug=2 when it has it: states,
 * wait minutes and creators, so each leak gets its cause and fix), judged
 * as `goroscope leaks` judges (time order, one process, look-alikes
 * apart), as `goroscope leaks --json` writes it, into out; false when no
 * profile could be read. */
static bool analyse(struct watch *w, const struct job *j, const char *name, const char *sample_dir, struct buf *out)
{
	struct snapset set;
	snapset_init(&set);
	struct source_options src;
	source_options_default(&src);
	/* the profiles came from the target: each is read within a poll's
	 * budget, and all give up when the daemon stops */
	pthread_mutex_lock(&w->mu); /* a reload replaces w->cfg under it */
	struct budget b = {.cpu_seconds = w->cfg.poll_cpu_s, .bytes = w->cfg.poll_memory, .cancel = &w->cancel};
	pthread_mutex_unlock(&w->mu);
	src.budget = &b;
	for (uint32_t k = 0; k < j->nkept; k++) {
		char *raw = NULL;
		size_t raw_len = 0, trailing = 0;
		struct err err = {0};
		uint32_t before = set.n;
		const struct buf *gz = &j->kept[k].gz;
		budget_start(&b);
		if (gzip_decompress(gz->p, gz->len, gzip_cap(gz->len), &b, &raw, &raw_len, &trailing, &err) == ST_OK)
			(void)source_load_mem(name, raw ? raw : "", raw_len, &src, &set, NULL, &err); /* unreadable: left out */
		free(raw);
		/* one snapshot per profile: keep the first */
		while (set.n > before + 1)
			snapshot_free(set.v[--set.n]);
		/* polled at a known moment: its own time unless it carries one */
		if (set.n > before && set.v[before]->taken_from == TAKEN_UNKNOWN) {
			set.v[before]->taken_ns = j->kept[k].ts_ms * 1000000;
			set.v[before]->taken_from = TAKEN_FETCH;
		}
	}
	if (sample_dir) {
		struct err err = {0};
		uint32_t before = set.n;
		budget_start(&b);
		(void)source_load(sample_dir, &src, &set, NULL, &err); /* unreadable: the kept profiles alone */
		while (set.n > before + 1)
			snapshot_free(set.v[--set.n]);
	}
	if (!set.n) {
		snapset_free(&set);
		return false;
	}
	struct group_options go;
	group_options_default(&go);
	struct judge_options jo;
	judge_options_default(&jo, &go);
	struct judgement jd;
	judge_leaks((const struct snapshot *const *)set.v, set.n, &jo, &jd);
	struct leaks_scope scope = {&jd.ord, jd.inputs, jd.n, jd.breaks, jd.nbreaks, jd.process, jd.first, jd.recurring};
	report_leaks_json(out, jd.pts + jd.first, &jd.r, &scope);
	while (out->len && (out->p[out->len - 1] == '\n'))
		out->len--;
	judgement_free(&jd);
	snapset_free(&set);
	return true;
}

static void put_target(struct buf *b, const struct target_state *t)
{
	buf_adds(b, "{\"name\":");
	put_json_cstr(b, t->cfg.name);
	buf_adds(b, ",\"url\":");
	put_json_cstr(b, t->url);
	buf_adds(b, ",\"labels\":{");
	for (uint32_t k = 0; k < t->cfg.nlabels; k++) {
		if (k)
			buf_addc(b, ',');
		put_json_cstr(b, t->cfg.label_keys[k]);
		buf_addc(b, ':');
		put_json_cstr(b, t->cfg.label_values[k]);
	}
	buf_adds(b, "}}");
}

static void payload(struct buf *b, const struct job *j, const struct target_state *t, const struct capture_result *cap,
		    bool captured, const char *capture_error, const struct buf *analysis)
{
	static const char *const kinds[] = {"firing", "resolved", "requested", "firing"};
	buf_adds(b, "{\"tool\":\"goroscope\",\"version\":\"" GOROSCOPE_VERSION "\",\"kind\":\"alert\",\"status\":");
	put_json_cstr(b, kinds[j->kind]);
	buf_printf(b, ",\"alert_id\":%lld,\"target\":", (long long)j->alert_id);
	put_target(b, t);
	buf_adds(b, ",\"rule\":");
	put_json_cstr(b, j->rule);
	buf_printf(b, ",\"value\":%.3f,\"limit\":%.3f,\"message\":", j->value, j->limit);
	put_json_cstr(b, j->message);
	buf_adds(b, ",\"at\":");
	put_json_utc(b, j->ts_ms * 1000000);
	buf_adds(b, ",\"capture_dir\":");
	if (captured)
		put_json_cstr(b, cap->dir);
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"capture_error\":");
	put_json_cstr_or_null(b, capture_error);
	buf_adds(b, ",\"analysis\":");
	if (analysis && analysis->len)
		buf_add(b, analysis->p, analysis->len);
	else
		buf_adds(b, "null");
	buf_adds(b, "}\n");
}

static void sleep_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

bool actions_post(struct watch *w, const struct watch_webhook *h, const struct buf *body)
{
	struct fetch_options fo;
	fetch_options_default(&fo);
	fo.timeout_ms = (long)(h->timeout_s * 1000);
	fo.connect_timeout_ms = MIN(fo.connect_timeout_ms, fo.timeout_ms);
	fo.retries = 0; /* retried here, 4xx included: a receiver being deployed may 404 for a while */
	fo.auth.bearer = h->bearer;
	fo.max_bytes = 1 << 20;
	double backoff = 1;
	for (uint32_t attempt = 0;; attempt++) {
		struct buf answer;
		buf_init(&answer);
		long status = 0;
		struct err err = {0};
		enum status st = fetch_post_json(h->url, &fo, body, &answer, &status, &err);
		buf_free(&answer);
		if (st == ST_OK)
			return true;
		watch_log(w, "webhook %s: %s%s", h->url, err.msg, attempt < h->retries ? " (will retry)" : "");
		if (attempt >= h->retries)
			return false;
		sleep_s(backoff);
		backoff = MIN(backoff * 2, 30.0);
	}
}

/* Run the command with the payload on its standard input and the alert in
 * its environment; wait at most 60 seconds. */
static bool run_command_once(struct watch *w, const struct watch_config *cfg, const struct job *j,
			     const struct target_state *t, const char *dir, const struct buf *body)
{
	int fds[2];
	if (pipe(fds) != 0)
		return false;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		static const char *const kinds[] = {"firing", "resolved", "requested"};
		setenv("GOROSCOPE_ALERT_STATUS", kinds[j->kind], 1);
		setenv("GOROSCOPE_TARGET", t->cfg.name, 1);
		setenv("GOROSCOPE_TARGET_URL", t->url, 1);
		setenv("GOROSCOPE_RULE", j->rule, 1);
		setenv("GOROSCOPE_MESSAGE", j->message, 1);
		setenv("GOROSCOPE_CAPTURE_DIR", dir ? dir : "", 1);
		execvp(cfg->command[0], (char *const *)cfg->command);
		_exit(127);
	}
	close(fds[0]);
	/* the payload is small; a command that does not read it gets EPIPE */
	signal(SIGPIPE, SIG_IGN);
	size_t off = 0;
	while (off < body->len) {
		ssize_t n = write(fds[1], body->p + off, body->len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fds[1]);
	int status = 0;
	for (int waited = 0;; waited++) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0)
			return false;
		if (waited == 600) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			watch_log(w, "command %s: killed after 60 s", cfg->command[0]);
			return false;
		}
		sleep_s(0.1);
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	watch_log(w, "command %s: %s %d", cfg->command[0], WIFEXITED(status) ? "exit status" : "killed by signal",
		  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return false;
}

static bool run_command(struct watch *w, const struct watch_config *cfg, const struct job *j,
			const struct target_state *t, const char *dir, const struct buf *body)
{
	for (int attempt = 0; attempt < 3; attempt++) {
		if (run_command_once(w, cfg, j, t, dir, body))
			return true;
		sleep_s(1 << attempt);
	}
	return false;
}

static void capture_log(void *ctx, const char *msg)
{
	const struct watch *w = ctx;
	watch_log(w, "capture: %s", msg);
}

/* The target job j was made for, or NULL when a reload removed it (targets
 * may move in the array on a reload: found by name). Under w->mu. */
static struct target_state *target_of(struct watch *w, const struct job *j)
{
	if (j->target < w->n && strcmp(w->t[j->target].cfg.name, j->name) == 0)
		return &w->t[j->target];
	for (uint32_t i = 0; i < w->n; i++)
		if (strcmp(w->t[i].cfg.name, j->name) == 0)
			return &w->t[i];
	return NULL;
}

/* Alertmanager: the alert sent again while it fires, or once more when it
 * resolves (ending now); its labels are those of the first sending. */
static void am_repeat(struct watch *w, struct job *j)
{
	pthread_mutex_lock(&w->mu);
	struct target_state *live = target_of(w, j);
	char *cores[2] = {NULL, NULL};
	int64_t started = 0;
	for (int k = 0; live && k < 2; k++) {
		if (!live->am_core[k])
			continue;
		started = live->am_started_ms;
		if (j->kind == JOB_RESOLVE) {
			cores[k] = live->am_core[k]; /* taken over: the alert is over */
			live->am_core[k] = NULL;
		} else {
			cores[k] = xstrdup(live->am_core[k]);
		}
	}
	const struct watch_config cfg = w->cfg;
	pthread_mutex_unlock(&w->mu);
	int64_t now = watch_now_ms();
	int64_t hold = (int64_t)(cfg.am_resend_s * 4000);
	bool ok = (!cores[0] && !cores[1]) ||
		  am_send(w, &cfg, (const char *const *)cores, started, j->kind == JOB_RESOLVE ? now : now + hold);
	free(cores[0]);
	free(cores[1]);
	pthread_mutex_lock(&w->mu);
	live = target_of(w, j);
	if (live && j->kind == JOB_AM_RESEND) {
		live->am_resend_queued = false;
		live->am_sent_ms = now;
	}
	if (!ok)
		w->notify_errors++;
	pthread_mutex_unlock(&w->mu);
}

static void run_job(struct watch *w, struct job *j)
{
	if (j->kind == JOB_AM_RESEND) {
		am_repeat(w, j);
		return;
	}
	if (j->kind == JOB_RESOLVE)
		am_repeat(w, j);
	pthread_mutex_lock(&w->mu);
	struct target_state *live = target_of(w, j);
	if (!live) {
		pthread_mutex_unlock(&w->mu);
		watch_log(w, "%s: no longer watched: alert actions dropped", j->name);
		return;
	}
	/* a copy for the strings and settings: the live state moves on */
	struct target_state snapshot_of_target = *live;
	/* and of the configuration, which a reload replaces while the job
	 * runs (what it points to stays: old configurations are retired, not
	 * freed) */
	const struct watch_config cfg = w->cfg;
	bool capture = j->capture && !live->capture_running;
	if (capture)
		live->capture_running = true;
	pthread_mutex_unlock(&w->mu);
	const struct target_state *t = &snapshot_of_target;

	struct capture_result cap = {0};
	bool captured = false;
	char capture_error[700] = "";
	if (capture) {
		mkdir(cfg.captures, 0755);
		char reason[700];
		snprintf(reason, sizeof(reason), "%s alert (%s): %s", j->kind == JOB_EXTERNAL ? "Alertmanager" : "goroscope",
			 j->rule, j->message);
		struct capture_request req = {
			.target = t->url, .out_dir = cfg.captures, .reason = reason,
			.seconds = t->cfg.capture_seconds, .max_time = t->cfg.capture_max_time_s,
			.log = capture_log, .log_ctx = w,
		};
		fetch_options_default(&req.fetch);
		req.fetch.auth = t->cfg.auth;
		req.fetch.timeout_ms = (long)(t->cfg.capture_max_time_s * 1000);
		struct err err = {0};
		if (capture_run(&req, &cap, &err) != ST_OK)
			snprintf(capture_error, sizeof(capture_error), "%s", err.msg);
		else if (!cap.any_goroutine)
			snprintf(capture_error, sizeof(capture_error), "no goroutine profile captured: %s", cap.first_error);
		else
			captured = true;
		pthread_mutex_lock(&w->mu);
		live = target_of(w, j);
		if (live) {
			live->capture_running = false;
			if (captured)
				live->captures++;
		}
		pthread_mutex_unlock(&w->mu);
		watch_log(w, "%s: capture %s", t->cfg.name, captured ? cap.dir : capture_error);
	}
	struct buf analysis, body;
	buf_init(&analysis);
	buf_init(&body);
	if (j->kind != JOB_RESOLVE)
		analyse(w, j, t->cfg.name, captured ? cap.dir : NULL, &analysis);
	const char *analysis_text = analysis.len ? buf_cstr(&analysis) : NULL;
	payload(&body, j, t, &cap, captured, capture_error[0] ? capture_error : NULL, &analysis);
	if (j->alert_id && j->kind == JOB_FIRE) {
		struct evidence *e = xcalloc(1, sizeof(*e));
		e->alert_id = j->alert_id;
		e->capture_dir = captured ? xstrdup(cap.dir) : NULL;
		e->analysis = analysis_text ? xstrdup(analysis_text) : NULL;
		pthread_mutex_lock(&w->mu);
		e->next = w->evidence;
		w->evidence = e;
		pthread_mutex_unlock(&w->mu);
	}
	bool all_ok = true;
	/* Alertmanager learns of goroscope's own alerts (not of those it sent) */
	if (j->kind == JOB_FIRE && cfg.alertmanagers[0]) {
		const char *dir = captured ? cap.dir : NULL;
		char *cores[2] = {am_threshold_core(t, j, dir, cfg.external_url),
				  am_leak_core(t, analysis_text, dir, cfg.external_url)};
		int64_t now = watch_now_ms();
		all_ok &= am_send(w, &cfg, (const char *const *)cores, j->ts_ms, now + (int64_t)(cfg.am_resend_s * 4000));
		pthread_mutex_lock(&w->mu);
		live = target_of(w, j);
		bool still = live && live->firing;
		for (int k = 0; still && k < 2; k++) {
			free(live->am_core[k]);
			live->am_core[k] = cores[k];
		}
		if (still) {
			live->am_started_ms = j->ts_ms;
			live->am_sent_ms = now;
		}
		pthread_mutex_unlock(&w->mu);
		if (!still) { /* resolved while this ran: said at once */
			all_ok &= am_send(w, &cfg, (const char *const *)cores, j->ts_ms, watch_now_ms());
			free(cores[0]);
			free(cores[1]);
		}
	}
	for (uint32_t k = 0; k < cfg.nwebhooks; k++)
		all_ok &= actions_post(w, &cfg.webhooks[k], &body);
	if (cfg.command[0])
		all_ok &= run_command(w, &cfg, j, t, captured ? cap.dir : NULL, &body);
	if (!all_ok) {
		pthread_mutex_lock(&w->mu);
		w->notify_errors++;
		pthread_mutex_unlock(&w->mu);
	}
	buf_free(&analysis);
	buf_free(&body);
}

void *actions_worker(void *arg)
{
	struct watch *w = arg;
	for (;;) {
		pthread_mutex_lock(&w->mu);
		while (!w->jobs && !w->stopping)
			pthread_cond_wait(&w->jobs_cv, &w->mu);
		struct job *j = w->jobs;
		if (j) {
			w->jobs = j->next;
			if (!w->jobs)
				w->jobs_tail = NULL;
		}
		bool stop = !j && w->stopping;
		pthread_mutex_unlock(&w->mu);
		if (stop)
			break;
		run_job(w, j);
		job_free(j);
	}
	return NULL;
}

void actions_store_evidence(struct watch *w)
{
	pthread_mutex_lock(&w->mu);
	struct evidence *e = w->evidence;
	w->evidence = NULL;
	pthread_mutex_unlock(&w->mu);
	while (e) {
		struct err err = {0};
		if (store_alert_evidence(w->store, e->alert_id, e->capture_dir, e->analysis, &err) != ST_OK)
			watch_log(w, "store: %s", err.msg);
		struct evidence *next = e->next;
		free(e->capture_dir);
		free(e->analysis);
		free(e);
		e = next;
	}
}
