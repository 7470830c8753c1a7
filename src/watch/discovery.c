/* discovery.c: see discovery.h. */
#include "../base/common.h"
#include "discovery.h"
#include "watch_internal.h"
#include "../base/hash.h"
#include "../base/u64map.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A file or answer of target groups larger than this is refused: a fleet
 * of 100,000 targets with labels fits in a few MB. */
enum { SD_MAX_BYTES = 16 << 20, FILE_SD_LOOK_MS = 5000 };

/* What the thread keeps of one source between rounds. */
struct sd_state {
	struct sd_list last;   /* the last good list */
	bool ok, ever;
	char error[300];
	int64_t next_ms;
	uint64_t files_sig;    /* file_sd: names, sizes and times of the files last read */
};

void disc_targets_free(struct disc_targets *d)
{
	if (!d)
		return;
	free(d->v);
	arena_free(&d->mem);
	free(d);
}

static bool read_small_file(const char *path, struct buf *out, char *why, size_t whysz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whysz, "cannot open %.200s: %s", path, strerror(errno));
		return false;
	}
	char chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 && out->len <= SD_MAX_BYTES)
		buf_add(out, chunk, (size_t)n);
	close(fd);
	if (n < 0 || out->len > SD_MAX_BYTES) {
		snprintf(why, whysz, "%.200s: %s", path, n < 0 ? strerror(errno) : "larger than 16 MiB");
		return false;
	}
	return true;
}

/* file_sd: the files its globs name now, and whether they changed since
 * the last read (their names, sizes and modification times). */
static bool refresh_files(const struct watch_sd *d, struct sd_state *s, struct sd_list *out, char *why, size_t whysz)
{
	glob_t g;
	memset(&g, 0, sizeof(g));
	for (uint32_t k = 0; d->paths[k]; k++)
		glob(d->paths[k], k ? GLOB_APPEND : 0, NULL, &g);
	uint64_t sig = hash_u64(0, g.gl_pathc);
	for (size_t k = 0; k < g.gl_pathc; k++) {
		struct stat sb;
		sig = hash_bytes(g.gl_pathv[k], strlen(g.gl_pathv[k]), sig);
		if (stat(g.gl_pathv[k], &sb) == 0)
			sig = hash_u64(hash_u64(hash_u64(sig, (uint64_t)sb.st_size), (uint64_t)sb.st_mtim.tv_sec),
				       (uint64_t)sb.st_mtim.tv_nsec);
	}
	bool ok = true;
	if (s->ever && sig == s->files_sig) {
		globfree(&g);
		return false; /* nothing new: the caller keeps the last list */
	}
	for (size_t k = 0; ok && k < g.gl_pathc; k++) {
		struct buf text;
		buf_init(&text);
		struct err err = {0};
		ok = read_small_file(g.gl_pathv[k], &text, why, whysz) &&
		     watch_parse_target_groups(text.p ? text.p : "", text.len, g.gl_pathv[k], out, &err) == ST_OK;
		if (!ok && err.msg[0])
			snprintf(why, whysz, "%.290s", err.msg);
		buf_free(&text);
	}
	globfree(&g);
	if (ok)
		s->files_sig = sig;
	return ok;
}

/* http_sd and prometheus: ask the URL. */
static bool refresh_url(const struct watch_sd *d, struct sd_list *out, char *why, size_t whysz)
{
	char url[2200];
	if (d->kind == SD_PROMETHEUS) {
		size_t n = strlen(d->url);
		while (n && d->url[n - 1] == '/')
			n--;
		snprintf(url, sizeof(url), "%.*s/api/v1/targets?state=active", (int)MIN(n, (size_t)2000), d->url);
	} else {
		snprintf(url, sizeof(url), "%s", d->url);
	}
	struct fetch_options fo;
	fetch_options_default(&fo);
	fo.auth = d->auth;
	fo.timeout_ms = 10000;
	fo.retries = 0; /* asked again at the next refresh */
	fo.max_bytes = SD_MAX_BYTES;
	struct buf body;
	buf_init(&body);
	long status = 0;
	struct err err = {0};
	enum status st = fetch_get(url, &fo, &body, &status, &err);
	if (st == ST_OK)
		st = d->kind == SD_PROMETHEUS ? prom_sd_parse(body.p ? body.p : "", body.len, d->job, out, &err)
					      : watch_parse_target_groups(body.p ? body.p : "", body.len, url, out, &err);
	buf_free(&body);
	if (st != ST_OK)
		snprintf(why, whysz, "%.290s", err.msg);
	return st == ST_OK;
}

/* Ask source d if it is due; true when its list changed. */
static bool refresh(struct watch *w, const struct watch_sd *d, uint32_t index, struct sd_state *s, int64_t now)
{
	if (now < s->next_ms)
		return false;
	s->next_ms = now + (d->kind == SD_FILE ? FILE_SD_LOOK_MS : (int64_t)(d->refresh_s * 1000));
	struct sd_list fresh = {0};
	arena_init(&fresh.mem);
	char why[300] = "";
	bool got = d->kind == SD_FILE ? refresh_files(d, s, &fresh, why, sizeof(why)) : refresh_url(d, &fresh, why,
												  sizeof(why));
	bool failed = !got && why[0];
	if (failed) {
		if (s->ok || !s->ever || strcmp(why, s->error) != 0)
			watch_log(w, "discovery %u: %s (keeping the last %u targets it gave)", index + 1, why, s->last.n);
		snprintf(s->error, sizeof(s->error), "%s", why);
		s->ok = false;
		s->ever = true;
		sd_list_free(&fresh);
		return false;
	}
	if (!got) { /* file_sd, unchanged */
		sd_list_free(&fresh);
		if (!s->ok && s->ever)
			s->ok = true;
		return false;
	}
	if (!s->ok && s->ever)
		watch_log(w, "discovery %u: answering again (%u targets)", index + 1, fresh.n);
	sd_list_free(&s->last);
	s->last = fresh;
	s->ok = s->ever = true;
	s->error[0] = '\0';
	return true;
}

/* host:port with the pprof port the source says. */
static void pprof_address(const struct watch_sd *d, const struct sd_target *t, char *out, size_t outsz)
{
	const char *a = t->address;
	const char *colon = a[0] == '[' ? strstr(a, "]:") : strrchr(a, ':');
	size_t host_len = colon ? (size_t)(colon - a) + (a[0] == '[') : strlen(a);
	const char *port = colon ? colon + 1 + (a[0] == '[') : NULL;
	char fixed[16];
	if (d->port) {
		snprintf(fixed, sizeof(fixed), "%u", d->port);
		port = fixed;
	}
	for (uint32_t k = 0; d->port_label && k < t->nlabels; k++)
		if (!strcmp(t->keys[k], d->port_label) && t->values[k][0] && strspn(t->values[k], "0123456789") ==
										   strlen(t->values[k]))
			port = t->values[k];
	snprintf(out, outsz, "%.*s%s%s", (int)host_len, a, port ? ":" : "", port ? port : "");
}

/* The union of every source's last list, as targets. */
static struct disc_targets *compose(const struct watch_config *cfg, struct sd_state *states)
{
	struct disc_targets *out = xcalloc(1, sizeof(*out));
	arena_init(&out->mem);
	uint32_t total = 0;
	for (uint32_t i = 0; i < cfg->nsd; i++)
		total += states[i].last.n;
	out->v = xcalloc(MAX(total, 1u), sizeof(*out->v));
	struct u64map taken = {0};
	bool inserted;
	for (uint32_t i = 0; i < cfg->ntargets; i++)
		u64map_upsert(&taken, hash_bytes(cfg->targets[i].name, strlen(cfg->targets[i].name), 0), 1, &inserted);
	for (uint32_t i = 0; i < cfg->nsd; i++) {
		const struct watch_sd *d = &cfg->sd[i];
		for (uint32_t k = 0; k < states[i].last.n; k++) {
			const struct sd_target *s = &states[i].last.v[k];
			u64map_upsert(&taken, hash_bytes(s->name, strlen(s->name), 0), 1, &inserted);
			if (!inserted)
				continue; /* another source, or the configuration, has it */
			char addr[300], url[2100];
			pprof_address(d, s, addr, sizeof(addr));
			snprintf(url, sizeof(url), "%s://%s%s%s", d->scheme, addr,
				 d->path_prefix && d->path_prefix[0] != '/' ? "/" : "", d->path_prefix ? d->path_prefix : "");
			struct watch_target *t = &out->v[out->n++];
			*t = cfg->defaults;
			t->name = arena_strndup(&out->mem, s->name, strlen(s->name));
			t->url = arena_strndup(&out->mem, url, strlen(url));
			t->nlabels = 0;
			for (uint32_t l = 0; l < s->nlabels && l < WATCH_MAX_LABELS; l++) {
				t->label_keys[t->nlabels] = arena_strndup(&out->mem, s->keys[l], strlen(s->keys[l]));
				t->label_values[t->nlabels++] = arena_strndup(&out->mem, s->values[l], strlen(s->values[l]));
			}
			t->line = 0;
		}
	}
	u64map_free(&taken);
	return out;
}

/* What the last published list was, to publish only a change. */
static uint64_t list_hash(const struct disc_targets *d)
{
	uint64_t h = hash_u64(0, d->n);
	for (uint32_t i = 0; i < d->n; i++) {
		const struct watch_target *t = &d->v[i];
		h = hash_bytes(t->name, strlen(t->name) + 1, h);
		h = hash_bytes(t->url, strlen(t->url) + 1, h);
		for (uint32_t l = 0; l < t->nlabels; l++) {
			h = hash_bytes(t->label_keys[l], strlen(t->label_keys[l]) + 1, h);
			h = hash_bytes(t->label_values[l], strlen(t->label_values[l]) + 1, h);
		}
	}
	return h;
}

static void publish_status(struct watch *w, const struct watch_config *cfg, const struct sd_state *states)
{
	pthread_mutex_lock(&w->mu);
	w->sd_status = xreallocarray(w->sd_status, MAX(cfg->nsd, 1u), sizeof(*w->sd_status));
	w->nsd_status = cfg->nsd;
	for (uint32_t i = 0; i < cfg->nsd; i++) {
		static const char *const kinds[] = {"file_sd", "http_sd", "prometheus"};
		const struct watch_sd *d = &cfg->sd[i];
		struct sd_status *st = &w->sd_status[i];
		snprintf(st->source, sizeof(st->source), "%u", i + 1);
		snprintf(st->kind, sizeof(st->kind), "%s", kinds[d->kind]);
		st->up = states[i].ok;
		st->targets = states[i].last.n;
	}
	pthread_mutex_unlock(&w->mu);
}

void *discovery_main(void *arg)
{
	struct watch *w = arg;
	struct sd_state *states = NULL;
	const struct watch_sd *sources = NULL; /* which configuration the states are of */
	uint32_t nstates = 0;
	uint64_t published = 0;
	bool any_published = false;
	pthread_mutex_lock(&w->mu);
	while (!w->stopping) {
		/* the configuration as it is now (a reload may replace it; the
		 * old one stays allocated until the end) */
		struct watch_config cfg = w->cfg;
		pthread_mutex_unlock(&w->mu);
		if (cfg.sd != sources || cfg.nsd != nstates) {
			for (uint32_t i = 0; i < nstates; i++)
				sd_list_free(&states[i].last);
			free(states);
			states = xcalloc(MAX(cfg.nsd, 1u), sizeof(*states));
			sources = cfg.sd;
			nstates = cfg.nsd;
			any_published = false;
		}
		int64_t now = watch_now_ms();
		bool changed = false;
		for (uint32_t i = 0; i < cfg.nsd; i++)
			changed |= refresh(w, &cfg.sd[i], i, &states[i], now);
		publish_status(w, &cfg, states);
		if (changed || !any_published) {
			struct disc_targets *d = compose(&cfg, states);
			uint64_t h = list_hash(d);
			if (any_published && h == published) {
				disc_targets_free(d);
			} else {
				pthread_mutex_lock(&w->mu);
				disc_targets_free(w->disc_next); /* not taken yet: this one is newer */
				w->disc_next = d;
				pthread_mutex_unlock(&w->mu);
				published = h;
				any_published = true;
			}
		}
		pthread_mutex_lock(&w->mu);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		if (!w->stopping)
			pthread_cond_timedwait(&w->disc_cv, &w->mu, &until);
	}
	pthread_mutex_unlock(&w->mu);
	for (uint32_t i = 0; i < nstates; i++)
		sd_list_free(&states[i].last);
	free(states);
	return NULL;
}
