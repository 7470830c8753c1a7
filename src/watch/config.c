/* config.c: see config.h. The document is loaded whole (libyaml's node
 * API) so that "defaults" applies to every target wherever it stands. */
#include "../base/common.h"
#include "config.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <yaml.h>

static void target_defaults(struct watch_target *t)
{
	memset(t, 0, sizeof(*t));
	t->interval_s = 15;
	t->timeout_s = 0; /* derived: see watch_target_timeout */
	t->format = WATCH_DEBUG1;
	t->th.warmup = 10;
	t->th.rate_window_s = 300;
	t->breaches = 3;
	t->resolve = 3;
	t->cooldown_s = 600;
	t->capture_max_time_s = 60;
}

void watch_config_init(struct watch_config *c)
{
	memset(c, 0, sizeof(*c));
	arena_init(&c->mem);
	c->listen = "127.0.0.1:9465";
	c->store = "goroscope-watch.db";
	c->retention_s = 7 * 86400.0;
	c->captures = "captures";
	c->top_groups = 10;
	c->poll_cpu_s = 2;
	c->poll_memory = (size_t)256 << 20;
	c->store_max = (size_t)1 << 30;
	c->am_resend_s = 60;
	target_defaults(&c->defaults);
}

void watch_config_free(struct watch_config *c)
{
	free(c->sd);
	free(c->targets);
	free(c->webhooks);
	arena_free(&c->mem);
	memset(c, 0, sizeof(*c));
}

bool watch_parse_duration(const char *s, double *seconds)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || v <= 0)
		return false;
	double unit;
	if (!*end || strcmp(end, "s") == 0)
		unit = 1;
	else if (strcmp(end, "ms") == 0)
		unit = 0.001;
	else if (strcmp(end, "m") == 0)
		unit = 60;
	else if (strcmp(end, "h") == 0)
		unit = 3600;
	else if (strcmp(end, "d") == 0)
		unit = 86400;
	else
		return false;
	*seconds = v * unit;
	return *seconds <= 366 * 86400.0;
}

/* ---- walking the document ---- */

struct walker {
	struct watch_config *c;
	yaml_document_t *doc;
	const char *name;
	struct err *err;
};

static uint32_t line_of(const yaml_node_t *n)
{
	return (uint32_t)n->start_mark.line + 1;
}

static enum status bad(struct walker *w, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static enum status bad(struct walker *w, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(w->err, ST_FORMAT, line_of(n), n->start_mark.index, "%s:%u: %s", w->name, line_of(n), msg);
}

static const char *scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static enum status get_string(struct walker *w, const yaml_node_t *n, const char *key, const char **out)
{
	const char *s = scalar(n);
	if (!s || !*s)
		return bad(w, n, "'%s' needs a text value", key);
	*out = arena_strndup(&w->c->mem, s, strlen(s));
	return ST_OK;
}

/* A list of at most max strings into out (NULL-ended: max + 1 slots). */
static enum status get_strings(struct walker *w, const yaml_node_t *v, const char *key, const char *what,
			       const char **out, uint32_t max)
{
	if (v->type != YAML_SEQUENCE_NODE)
		return bad(w, v, "'%s' must be a list: %s", key, what);
	uint32_t n = 0;
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		if (n == max)
			return bad(w, v, "'%s' has too many entries (at most %u)", key, max);
		enum status st = get_string(w, yaml_document_get_node(w->doc, *i), key, &out[n++]);
		if (st != ST_OK)
			return st;
	}
	out[n] = NULL;
	return ST_OK;
}

static enum status get_duration(struct walker *w, const yaml_node_t *n, const char *key, double *out)
{
	const char *s = scalar(n);
	if (!s || !watch_parse_duration(s, out))
		return bad(w, n, "'%s' needs a duration such as 10s, 5m, 2h, got '%s'", key, s ? s : "(not text)");
	return ST_OK;
}

static enum status get_number(struct walker *w, const yaml_node_t *n, const char *key, double lo, double hi, double *out)
{
	const char *s = scalar(n);
	char *end = NULL;
	double v = s ? strtod(s, &end) : NAN;
	if (!s || end == s || *end || !isfinite(v) || v < lo || v > hi)
		return bad(w, n, "'%s' needs a number from %g to %g, got '%s'", key, lo, hi, s ? s : "(not text)");
	*out = v;
	return ST_OK;
}

/* A size: "256MiB", "1GiB", "512KiB" or a number of bytes. */
static enum status get_size(struct walker *w, const yaml_node_t *n, const char *key, size_t lo, size_t *out)
{
	const char *s = scalar(n);
	char *end = NULL;
	double v = s ? strtod(s, &end) : NAN;
	double unit = !end || !*end || !strcmp(end, "B")   ? 1
		      : !strcmp(end, "KiB") || !strcmp(end, "K") ? 1024.0
		      : !strcmp(end, "MiB") || !strcmp(end, "M") ? 1048576.0
		      : !strcmp(end, "GiB") || !strcmp(end, "G") ? 1073741824.0
								 : -1;
	if (!s || end == s || unit < 0 || !isfinite(v) || v * unit < (double)lo || v * unit > 1099511627776.0)
		return bad(w, n, "'%s' needs a size of at least %zu MiB such as 256MiB or 2GiB, got '%s'", key, lo >> 20,
			   s ? s : "(not text)");
	*out = (size_t)(v * unit);
	return ST_OK;
}

static enum status get_count(struct walker *w, const yaml_node_t *n, const char *key, uint32_t lo, uint32_t hi,
			     uint32_t *out)
{
	double v = 0;
	enum status st = get_number(w, n, key, lo, hi, &v);
	if (st != ST_OK)
		return st;
	if (v != floor(v))
		return bad(w, n, "'%s' needs a whole number", key);
	*out = (uint32_t)v;
	return ST_OK;
}

/* Call field() for each key of mapping n. */
typedef enum status (*field_fn)(struct walker *w, const char *key, yaml_node_t *v, void *ctx);
static enum status each_field(struct walker *w, yaml_node_t *n, const char *what, field_fn field, void *ctx)
{
	if (n->type != YAML_MAPPING_NODE)
		return bad(w, n, "%s must be a mapping (key: value)", what);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key), *v = yaml_document_get_node(w->doc, p->value);
		const char *key = k ? scalar(k) : NULL;
		if (!key || !v)
			return bad(w, k ? k : n, "keys of %s must be text", what);
		/* YAML forbids a key twice; libyaml keeps both, and the second
		 * would silently win (or, for targets, be read first) */
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *e = yaml_document_get_node(w->doc, q->key);
			if (e && scalar(e) && strcmp(scalar(e), key) == 0)
				return bad(w, k, "'%s' is given twice in %s (line %lu and here)", key, what,
					   (unsigned long)e->start_mark.line + 1);
		}
		enum status st = field(w, key, v, ctx);
		if (st != ST_OK)
			return st;
	}
	return ST_OK;
}

/* The value of key in mapping n, or NULL. */
static yaml_node_t *find_key(struct walker *w, yaml_node_t *n, const char *key)
{
	if (n->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		if (k && scalar(k) && strcmp(scalar(k), key) == 0)
			return yaml_document_get_node(w->doc, p->value);
	}
	return NULL;
}

static enum status threshold_field(struct walker *w, const char *key, yaml_node_t *v, void *ctx)
{
	struct watch_thresholds *th = ctx;
	if (strcmp(key, "count") == 0)
		return get_number(w, v, key, 0, 1e9, &th->count);
	if (strcmp(key, "factor") == 0)
		return get_number(w, v, key, 0, 1e6, &th->factor);
	if (strcmp(key, "warmup") == 0)
		return get_count(w, v, key, 1, 10000, &th->warmup);
	if (strcmp(key, "rate") == 0)
		return get_number(w, v, key, 0, 1e9, &th->rate);
	if (strcmp(key, "rate_window") == 0)
		return get_duration(w, v, key, &th->rate_window_s);
	if (strcmp(key, "group_growth") == 0)
		return get_number(w, v, key, 0, 1e9, &th->group_growth);
	return bad(w, v, "unknown threshold '%s' (count, factor, warmup, rate, rate_window, group_growth)", key);
}

static enum status capture_field(struct walker *w, const char *key, yaml_node_t *v, void *ctx)
{
	struct watch_target *t = ctx;
	if (strcmp(key, "seconds") == 0) {
		uint32_t s = 0;
		enum status st = get_count(w, v, key, 0, 3600, &s);
		if (st == ST_OK)
			t->capture_seconds = s;
		return st;
	}
	if (strcmp(key, "max_time") == 0)
		return get_duration(w, v, key, &t->capture_max_time_s);
	return bad(w, v, "unknown capture setting '%s' (seconds, max_time)", key);
}

/* The first line of the file named by n's value, a bearer token. */
static enum status get_token_file(struct walker *w, const yaml_node_t *n, const char *key, const char **out)
{
	const char *path = NULL;
	enum status st = get_string(w, n, key, &path);
	if (st != ST_OK)
		return st;
	FILE *f = fopen(path, "r");
	char tok[512];
	if (!f || !fgets(tok, sizeof(tok), f)) {
		if (f)
			fclose(f);
		return bad(w, n, "cannot read the token from '%s'", path);
	}
	fclose(f);
	tok[strcspn(tok, "\r\n")] = '\0';
	if (!tok[0])
		return bad(w, n, "'%s' holds no token", path);
	*out = arena_strndup(&w->c->mem, tok, strlen(tok));
	return ST_OK;
}

static enum status get_bool(struct walker *w, const yaml_node_t *n, const char *key, bool *out)
{
	const char *s = scalar(n);
	if (s && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)) {
		*out = s[0] == 't';
		return ST_OK;
	}
	return bad(w, n, "'%s' is true or false, got '%s'", key, s ? s : "(not text)");
}

/* tls_config: as in a Prometheus scrape config. */
static enum status tls_field(struct walker *w, const char *key, yaml_node_t *v, void *ctx)
{
	struct fetch_auth *a = ctx;
	if (strcmp(key, "ca_file") == 0)
		return get_string(w, v, key, &a->cacert);
	if (strcmp(key, "cert_file") == 0)
		return get_string(w, v, key, &a->cert);
	if (strcmp(key, "key_file") == 0)
		return get_string(w, v, key, &a->key);
	if (strcmp(key, "insecure_skip_verify") == 0)
		return get_bool(w, v, key, &a->insecure);
	return bad(w, v, "unknown tls_config setting '%s' (ca_file, cert_file, key_file, insecure_skip_verify)", key);
}

/* headers: Name: value, sent with every request to the target. */
static enum status header_field(struct walker *w, const char *key, yaml_node_t *v, void *ctx)
{
	struct fetch_auth *a = ctx;
	const char *value = NULL;
	if (a->nheaders == FETCH_MAX_HEADERS)
		return bad(w, v, "too many headers (at most %d)", FETCH_MAX_HEADERS);
	if (!*key || strpbrk(key, ": \t\r\n"))
		return bad(w, v, "'%s' is not a header name", key);
	enum status st = get_string(w, v, key, &value);
	if (st != ST_OK)
		return st;
	if (strpbrk(value, "\r\n"))
		return bad(w, v, "the value of header '%s' holds a line break", key);
	size_t n = strlen(key) + 2 + strlen(value);
	char *h = arena_alloc(&w->c->mem, n + 1);
	snprintf(h, n + 1, "%s: %s", key, value);
	a->headers[a->nheaders++] = h;
	return ST_OK;
}

static enum status label_field(struct walker *w, const char *key, yaml_node_t *v, void *ctx)
{
	struct watch_target *t = ctx;
	if (t->nlabels == WATCH_MAX_LABELS)
		return bad(w, v, "too many labels (at most %d)", WATCH_MAX_LABELS);
	t->label_keys[t->nlabels] = arena_strndup(&w->c->mem, key, strlen(key));
	return get_string(w, v, key, &t->label_values[t->nlabels++]);
}

/* Who we are to a server (a target's, a discovery source's): bearer_token,
 * bearer_token_file, tls_config, headers. */
static bool is_auth_key(const char *key)
{
	return !strcmp(key, "bearer_token") || !strcmp(key, "bearer_token_file") || !strcmp(key, "tls_config") ||
	       !strcmp(key, "headers");
}

static enum status auth_field(struct walker *w, const char *key, yaml_node_t *v, struct fetch_auth *a)
{
	if (strcmp(key, "bearer_token") == 0)
		return get_string(w, v, key, &a->bearer);
	if (strcmp(key, "bearer_token_file") == 0)
		return get_token_file(w, v, key, &a->bearer);
	if (strcmp(key, "tls_config") == 0)
		return each_field(w, v, "tls_config", tls_field, a);
	a->nheaders = 0; /* headers: a target's own replace the defaults' */
	return each_field(w, v, "headers", header_field, a);
}

/* Fields a target and "defaults" share. */
static enum status target_field(struct walker *w, const char *key, yaml_node_t *v, void *ctx)
{
	struct watch_target *t = ctx;
	if (strcmp(key, "interval") == 0)
		return get_duration(w, v, key, &t->interval_s);
	if (strcmp(key, "timeout") == 0)
		return get_duration(w, v, key, &t->timeout_s);
	if (strcmp(key, "format") == 0) {
		const char *s = scalar(v);
		if (s && strcmp(s, "debug1") == 0)
			t->format = WATCH_DEBUG1;
		else if (s && strcmp(s, "pprof") == 0)
			t->format = WATCH_PPROF;
		else
			return bad(w, v, "'format' is debug1 or pprof (debug=2 is never polled: it stops the target's world)");
		return ST_OK;
	}
	if (is_auth_key(key))
		return auth_field(w, key, v, &t->auth);
	if (strcmp(key, "thresholds") == 0)
		return each_field(w, v, "thresholds", threshold_field, &t->th);
	if (strcmp(key, "breaches") == 0)
		return get_count(w, v, key, 1, 1000, &t->breaches);
	if (strcmp(key, "resolve") == 0)
		return get_count(w, v, key, 1, 1000, &t->resolve);
	if (strcmp(key, "cooldown") == 0)
		return get_duration(w, v, key, &t->cooldown_s);
	if (strcmp(key, "capture") == 0)
		return each_field(w, v, "capture", capture_field, t);
	if (strcmp(key, "labels") == 0)
		return each_field(w, v, "labels", label_field, t);
	return bad(w, v, "unknown setting '%s'", key);
}

static enum status one_target_field(struct walker *w, const char *key, yaml_node_t *v, void *ctx)
{
	struct watch_target *t = ctx;
	if (strcmp(key, "name") == 0)
		return get_string(w, v, key, &t->name);
	if (strcmp(key, "url") == 0)
		return get_string(w, v, key, &t->url);
	if (strcmp(key, "pid") == 0) {
		uint32_t pid;
		enum status st = get_count(w, v, key, 1, 4194304, &pid);
		char s[32];
		snprintf(s, sizeof(s), "pid:%u", pid);
		t->url = arena_strndup(&w->c->mem, s, strlen(s));
		return st;
	}
	return target_field(w, key, v, ctx);
}

static enum status webhook_field(struct walker *w, const char *key, yaml_node_t *v, void *ctx)
{
	struct watch_webhook *h = ctx;
	if (strcmp(key, "url") == 0)
		return get_string(w, v, key, &h->url);
	if (strcmp(key, "timeout") == 0)
		return get_duration(w, v, key, &h->timeout_s);
	if (strcmp(key, "retries") == 0)
		return get_count(w, v, key, 0, 20, &h->retries);
	if (strcmp(key, "bearer_token") == 0)
		return get_string(w, v, key, &h->bearer);
	return bad(w, v, "unknown webhook setting '%s' (url, timeout, retries, bearer_token)", key);
}

static enum status notify_field(struct walker *w, const char *key, yaml_node_t *v, void *ctx)
{
	(void)ctx;
	struct watch_config *c = w->c;
	if (strcmp(key, "webhooks") == 0) {
		if (v->type != YAML_SEQUENCE_NODE)
			return bad(w, v, "'webhooks' must be a list");
		size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
		c->webhooks = xreallocarray(c->webhooks, n ? n : 1, sizeof(*c->webhooks));
		c->nwebhooks = 0;
		for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
			struct watch_webhook *h = &c->webhooks[c->nwebhooks++];
			*h = (struct watch_webhook){.timeout_s = 5, .retries = 3};
			yaml_node_t *e = yaml_document_get_node(w->doc, *i);
			enum status st = each_field(w, e, "a webhook", webhook_field, h);
			if (st != ST_OK)
				return st;
			if (!h->url)
				return bad(w, e, "a webhook needs 'url'");
		}
		return ST_OK;
	}
	if (strcmp(key, "alertmanager") == 0)
		return get_strings(w, v, key, "Alertmanager base URLs (http://host:9093)", c->alertmanagers,
				   WATCH_MAX_ALERTMANAGERS);
	if (strcmp(key, "alertmanager_resend") == 0)
		return get_duration(w, v, key, &c->am_resend_s);
	if (strcmp(key, "command") == 0)
		return get_strings(w, v, key, "the program and its arguments (no shell)", c->command, WATCH_MAX_ARGV);
	return bad(w, v, "unknown notify setting '%s' (webhooks, command, alertmanager, alertmanager_resend)", key);
}

static enum status read_discovery(struct walker *w, yaml_node_t *list);

static enum status top_field(struct walker *w, const char *key, yaml_node_t *v, void *ctx)
{
	(void)ctx;
	struct watch_config *c = w->c;
	if (strcmp(key, "listen") == 0)
		return get_string(w, v, key, &c->listen);
	if (strcmp(key, "bearer_token") == 0)
		return get_string(w, v, key, &c->token);
	if (strcmp(key, "hosts") == 0)
		return get_strings(w, v, key, "the names the endpoints are reached by", c->hosts, WATCH_MAX_HOSTS);
	if (strcmp(key, "bearer_token_file") == 0)
		return get_token_file(w, v, key, &c->token);
	if (strcmp(key, "store") == 0)
		return get_string(w, v, key, &c->store);
	if (strcmp(key, "retention") == 0)
		return get_duration(w, v, key, &c->retention_s);
	if (strcmp(key, "captures") == 0)
		return get_string(w, v, key, &c->captures);
	if (strcmp(key, "top_groups") == 0)
		return get_count(w, v, key, 0, 1000, &c->top_groups);
	if (strcmp(key, "external_url") == 0)
		return get_string(w, v, key, &c->external_url);
	if (strcmp(key, "shard") == 0) {
		const char *s = scalar(v);
		if (!s || !shard_parse(s, &c->shard))
			return bad(w, v, "'shard' is I/N, this watcher's share of N (0 <= I < N <= 4096), got '%s'",
				   s ? s : "(not text)");
		return ST_OK;
	}
	if (strcmp(key, "poll_cpu") == 0)
		return get_duration(w, v, key, &c->poll_cpu_s);
	if (strcmp(key, "poll_memory") == 0)
		return get_size(w, v, key, (size_t)16 << 20, &c->poll_memory);
	if (strcmp(key, "store_max") == 0)
		return get_size(w, v, key, (size_t)16 << 20, &c->store_max);
	if (strcmp(key, "notify") == 0)
		return each_field(w, v, "notify", notify_field, NULL);
	if (strcmp(key, "defaults") == 0 || strcmp(key, "targets") == 0)
		return ST_OK; /* read by watch_config_parse */
	if (strcmp(key, "discovery") == 0)
		return read_discovery(w, v);
	return bad(w, v, "unknown setting '%s' (listen, bearer_token, bearer_token_file, store, retention, captures,"
			 " hosts, external_url, top_groups, shard, poll_cpu, poll_memory, store_max, notify, discovery, defaults,"
			 " targets)", key);
}

static enum status sd_field(struct walker *w, const char *key, yaml_node_t *v, void *ctx)
{
	struct watch_sd *d = ctx;
	if (strcmp(key, "file_sd") == 0) {
		d->kind = SD_FILE;
		return get_strings(w, v, key, "files or globs of Prometheus target groups", d->paths, WATCH_MAX_SD_PATHS);
	}
	if (strcmp(key, "http_sd") == 0 || strcmp(key, "prometheus") == 0) {
		d->kind = key[0] == 'h' ? SD_HTTP : SD_PROMETHEUS;
		enum status st = get_string(w, v, key, &d->url);
		if (st == ST_OK && !fetch_is_url(d->url))
			return bad(w, v, "'%s' needs an http(s) URL, got '%s'", key, d->url);
		return st;
	}
	if (strcmp(key, "job") == 0)
		return get_string(w, v, key, &d->job);
	if (strcmp(key, "refresh") == 0)
		return get_duration(w, v, key, &d->refresh_s);
	if (strcmp(key, "scheme") == 0) {
		enum status st = get_string(w, v, key, &d->scheme);
		if (st == ST_OK && strcmp(d->scheme, "http") != 0 && strcmp(d->scheme, "https") != 0)
			return bad(w, v, "'scheme' is http or https");
		return st;
	}
	if (strcmp(key, "path_prefix") == 0)
		return get_string(w, v, key, &d->path_prefix);
	if (strcmp(key, "port") == 0)
		return get_count(w, v, key, 1, 65535, &d->port);
	if (strcmp(key, "port_label") == 0)
		return get_string(w, v, key, &d->port_label);
	if (is_auth_key(key))
		return auth_field(w, key, v, &d->auth);
	return bad(w, v, "unknown discovery setting '%s' (file_sd, http_sd, prometheus, job, refresh, scheme, path_prefix,"
			 " port, port_label, bearer_token, bearer_token_file, tls_config, headers)", key);
}

static enum status read_discovery(struct walker *w, yaml_node_t *list)
{
	struct watch_config *c = w->c;
	if (list->type != YAML_SEQUENCE_NODE)
		return bad(w, list, "'discovery' must be a list of sources (file_sd, http_sd, prometheus)");
	size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
	c->sd = xcalloc(n + 1, sizeof(*c->sd));
	for (yaml_node_item_t *i = list->data.sequence.items.start; i < list->data.sequence.items.top; i++) {
		yaml_node_t *e = yaml_document_get_node(w->doc, *i);
		struct watch_sd *d = &c->sd[c->nsd];
		*d = (struct watch_sd){.kind = (enum watch_sd_kind)-1, .refresh_s = 30, .scheme = "http", .line = line_of(e)};
		enum status st = each_field(w, e, "a discovery source", sd_field, d);
		if (st != ST_OK)
			return st;
		if ((int)d->kind < 0)
			return bad(w, e, "a discovery source needs one of file_sd, http_sd, prometheus");
		if (d->job && d->kind != SD_PROMETHEUS)
			return bad(w, e, "'job' filters a prometheus source's targets only");
		c->nsd++;
	}
	return ST_OK;
}

static enum status read_targets(struct walker *w, yaml_node_t *list, const struct watch_target *defaults)
{
	struct watch_config *c = w->c;
	if (list->type != YAML_SEQUENCE_NODE)
		return bad(w, list, "'targets' must be a list");
	size_t n = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
	c->targets = xreallocarray(c->targets, c->ntargets + n + 1, sizeof(*c->targets));
	for (yaml_node_item_t *i = list->data.sequence.items.start; i < list->data.sequence.items.top; i++) {
		yaml_node_t *e = yaml_document_get_node(w->doc, *i);
		struct watch_target *t = &c->targets[c->ntargets];
		*t = *defaults;
		t->line = line_of(e);
		enum status st = each_field(w, e, "a target", one_target_field, t);
		if (st != ST_OK)
			return st;
		if (!t->url)
			return bad(w, e, "a target needs 'url' (its pprof base URL) or 'pid'");
		if (!t->name)
			t->name = t->url;
		c->ntargets++;
	}
	return ST_OK;
}

/* Parse text (n bytes) into doc; on failure err says where ("NAME:LINE:
 * not valid WHAT") and nothing is left to delete. */
static enum status load_document(const char *text, size_t n, const char *name, const char *what, yaml_parser_t *parser,
				 yaml_document_t *doc, struct err *err)
{
	if (!yaml_parser_initialize(parser))
		return err_set(err, ST_FORMAT, 0, 0, "%s: cannot start the YAML parser", name);
	yaml_parser_set_input_string(parser, (const unsigned char *)text, n);
	if (!yaml_parser_load(parser, doc)) {
		enum status st = err_set(err, ST_FORMAT, parser->problem_mark.line + 1, parser->problem_mark.index,
					 "%s:%zu: not valid %s: %s", name, parser->problem_mark.line + 1, what,
					 parser->problem ? parser->problem : "?");
		yaml_parser_delete(parser);
		return st;
	}
	return ST_OK;
}

enum status watch_config_parse(struct watch_config *c, const char *text, size_t n, const char *name, struct err *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	enum status st = load_document(text, n, name, "YAML", &parser, &doc, err);
	if (st != ST_OK)
		return st;
	struct walker w = {c, &doc, name, err};
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		st = err_set(err, ST_FORMAT, 0, 0, "%s: the configuration is empty", name);
		goto out;
	}
	st = each_field(&w, root, "the configuration", top_field, NULL);
	if (st != ST_OK)
		goto out;
	yaml_node_t *d = find_key(&w, root, "defaults");
	if (d) {
		st = each_field(&w, d, "defaults", target_field, &c->defaults);
		if (st != ST_OK)
			goto out;
	}
	yaml_node_t *list = find_key(&w, root, "targets");
	if (list)
		st = read_targets(&w, list, &c->defaults);
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return st;
}

void sd_list_free(struct sd_list *l)
{
	free(l->v);
	arena_free(&l->mem);
	memset(l, 0, sizeof(*l));
}

/* One target group: its targets, each with the group's labels. */
static enum status read_group(struct walker *w, yaml_node_t *g, struct sd_list *out)
{
	if (g->type != YAML_MAPPING_NODE)
		return bad(w, g, "a target group is a mapping with 'targets' and 'labels'");
	yaml_node_t *targets = find_key(w, g, "targets"), *labels = find_key(w, g, "labels");
	if (!targets || targets->type != YAML_SEQUENCE_NODE)
		return bad(w, g, "a target group needs 'targets', a list of host:port");
	if (labels && labels->type != YAML_MAPPING_NODE)
		return bad(w, labels, "'labels' must be a mapping of names to values");
	for (yaml_node_pair_t *p = g->data.mapping.pairs.start; p < g->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(w->doc, p->key));
		if (!k || (strcmp(k, "targets") != 0 && strcmp(k, "labels") != 0))
			return bad(w, g, "a target group has 'targets' and 'labels' only, not '%s'", k ? k : "?");
	}
	for (yaml_node_item_t *i = targets->data.sequence.items.start; i < targets->data.sequence.items.top; i++) {
		const char *addr = scalar(yaml_document_get_node(w->doc, *i));
		if (!addr || !*addr || strlen(addr) > 255 || strchr(addr, '/'))
			return bad(w, targets, "a target is host:port, got '%s'", addr ? addr : "(not text)");
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 64;
			out->v = xreallocarray(out->v, out->cap, sizeof(*out->v));
		}
		struct sd_target *t = &out->v[out->n++];
		memset(t, 0, sizeof(*t));
		t->address = t->name = arena_strndup(&out->mem, addr, strlen(addr));
		for (yaml_node_pair_t *p = labels ? labels->data.mapping.pairs.start : NULL;
		     labels && p < labels->data.mapping.pairs.top && t->nlabels < WATCH_MAX_LABELS; p++) {
			const char *k = scalar(yaml_document_get_node(w->doc, p->key));
			const char *v = scalar(yaml_document_get_node(w->doc, p->value));
			if (!k || !v || !strncmp(k, "__", 2)) /* Prometheus's internal labels */
				continue;
			t->keys[t->nlabels] = arena_strndup(&out->mem, k, strlen(k));
			t->values[t->nlabels++] = arena_strndup(&out->mem, v, strlen(v));
		}
	}
	return ST_OK;
}

enum status watch_parse_target_groups(const char *text, size_t n, const char *name, struct sd_list *out,
				      struct err *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	enum status st = load_document(text, n, name, "JSON or YAML", &parser, &doc, err);
	if (st != ST_OK)
		return st;
	struct watch_config scratch; /* for the walker's messages only */
	watch_config_init(&scratch);
	struct walker w = {&scratch, &doc, name, err};
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_SEQUENCE_NODE)
		st = bad(&w, root, "target groups are a list: [{\"targets\": [...], \"labels\": {...}}]");
	for (yaml_node_item_t *i = root && st == ST_OK ? root->data.sequence.items.start : NULL;
	     root && st == ST_OK && i < root->data.sequence.items.top; i++)
		st = read_group(&w, yaml_document_get_node(&doc, *i), out);
	watch_config_free(&scratch);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return st;
}

void watch_config_add_target(struct watch_config *c, const char *url)
{
	c->targets = xreallocarray(c->targets, c->ntargets + 1, sizeof(*c->targets));
	struct watch_target *t = &c->targets[c->ntargets++];
	*t = c->defaults;
	t->url = t->name = arena_strndup(&c->mem, url, strlen(url));
}

/* TLS files that cannot be read, or a key without its certificate, would
 * fail every poll: better said once, at start, with the file. */
static enum status check_auth(const struct watch_target *t, struct err *err)
{
	const struct fetch_auth *a = &t->auth;
	if ((a->key != NULL) != (a->cert != NULL))
		return err_set(err, ST_USAGE, t->line, 0,
			       "target '%s': a client certificate needs both its certificate and its key (cert_file and "
			       "key_file, or --cert and --key)",
			       t->name);
	const char *files[] = {a->cacert, a->cert, a->key};
	for (size_t i = 0; i < ARRAY_LEN(files); i++)
		if (files[i] && access(files[i], R_OK) != 0)
			return err_set(err, ST_USAGE, t->line, 0, "target '%s': cannot read '%s': %s", t->name, files[i],
				       strerror(errno));
	return ST_OK;
}

enum status watch_config_check(const struct watch_config *c, struct err *err)
{
	for (uint32_t k = 0; c->alertmanagers[k]; k++)
		if (!fetch_is_url(c->alertmanagers[k]) || strlen(c->alertmanagers[k]) > 2000)
			return err_set(err, ST_USAGE, 0, 0, "notify: alertmanager '%.200s' is not an http(s) URL",
				       c->alertmanagers[k]);
	if (!c->ntargets && !c->nsd)
		return err_set(err, ST_USAGE, 0, 0,
			       "nothing to watch: give targets or discovery in the configuration, or targets as arguments");
	for (uint32_t i = 0; i < c->ntargets; i++) {
		const struct watch_target *t = &c->targets[i];
		if (strlen(t->name) > WATCH_MAX_NAME || strlen(t->url) > 2000)
			return err_set(err, ST_USAGE, t->line, 0, "target '%.40s...': the name may have %d bytes, the URL 2000",
				       t->name, WATCH_MAX_NAME);
		bool url = strncmp(t->url, "http://", 7) == 0 || strncmp(t->url, "https://", 8) == 0;
		if (!url && strncmp(t->url, "pid:", 4) != 0)
			return err_set(err, ST_USAGE, t->line, 0, "target '%s': '%s' is not an http(s) URL or pid:N", t->name,
				       t->url);
		/* a poll takes its target's time: ten a second at most; a timeout
		 * under a millisecond would read as none at all (libcurl's 0) */
		if (t->interval_s < 0.1)
			return err_set(err, ST_USAGE, t->line, 0,
				       "target '%s': interval %gs is below 100ms (a poll costs the target: at most ten "
				       "a second)",
				       t->name, t->interval_s);
		if (t->timeout_s != 0 && t->timeout_s < 0.001)
			return err_set(err, ST_USAGE, t->line, 0, "target '%s': timeout %gs is below 1ms", t->name,
				       t->timeout_s);
		if (t->timeout_s > 0 && t->timeout_s > t->interval_s)
			return err_set(err, ST_USAGE, t->line, 0, "target '%s': timeout (%gs) is longer than the interval (%gs)",
				       t->name, t->timeout_s, t->interval_s);
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(c->targets[j].name, t->name) == 0)
				return err_set(err, ST_USAGE, t->line, 0, "two targets are called '%s'", t->name);
		enum status st = check_auth(t, err);
		if (st != ST_OK)
			return st;
	}
	return ST_OK;
}
