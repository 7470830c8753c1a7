/* Unit tests for src/watch (configuration, thresholds and alert
 * convergence) and src/store (SQLite store, reopened as after a restart). */
#include "../../src/base/common.h"
#include "../../src/store/store.h"
#include "../../src/watch/config.h"
#include "../../src/watch/discovery.h"
#include "../../src/watch/rules.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

static enum status parse(struct watch_config *c, const char *yaml, struct err *err)
{
	watch_config_init(c);
	return watch_config_parse(c, yaml, strlen(yaml), "test.yaml", err);
}

/* YAML that must not parse, and what the error must say (with the line). */
struct bad_yaml {
	const char *yaml, *want;
};

static void expect_errors(const struct bad_yaml *bad, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct watch_config c;
		struct err err = {0};
		assert_int_not_equal(parse(&c, bad[i].yaml, &err), ST_OK);
		if (!strstr(err.msg, bad[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].want);
		watch_config_free(&c);
	}
}

static void test_config(void **st)
{
	(void)st;
	struct watch_config c;
	struct err err = {0};
	const char *yaml = "listen: 127.0.0.1:9999\n"
			   "store: /tmp/x.db\n"
			   "retention: 2d\n"
			   "defaults:\n"
			   "  interval: 10s\n"
			   "  thresholds: {count: 5000, factor: 2, rate: 10, rate_window: 5m}\n"
			   "notify:\n"
			   "  webhooks:\n"
			   "    - url: http://127.0.0.1:9000/hook\n"
			   "      retries: 5\n"
			   "  command: [/bin/echo, fired]\n"
			   "targets:\n"
			   "  - name: api\n"
			   "    url: http://127.0.0.1:6060\n"
			   "    labels: {team: pay}\n"
			   "    thresholds: {count: 100}\n"
			   "    breaches: 2\n"
			   "  - pid: 42\n"
			   "    format: pprof\n";
	assert_int_equal(parse(&c, yaml, &err), ST_OK);
	assert_string_equal(c.listen, "127.0.0.1:9999");
	assert_true(c.retention_s == 2 * 86400.0);
	assert_int_equal(c.ntargets, 2);
	const struct watch_target *a = &c.targets[0], *b = &c.targets[1];
	assert_string_equal(a->name, "api");
	assert_true(a->interval_s == 10 && a->th.count == 100 && a->th.factor == 2 && a->th.rate == 10);
	assert_int_equal(a->breaches, 2);
	assert_int_equal(a->resolve, 3);
	assert_int_equal(a->nlabels, 1);
	assert_string_equal(a->label_values[0], "pay");
	assert_string_equal(b->url, "pid:42");
	assert_string_equal(b->name, "pid:42");
	assert_int_equal(b->format, WATCH_PPROF);
	assert_true(b->th.count == 5000 && b->th.rate_window_s == 300);
	assert_int_equal(c.nwebhooks, 1);
	assert_int_equal(c.webhooks[0].retries, 5);
	assert_string_equal(c.command[1], "fired");
	assert_null(c.command[2]);
	assert_int_equal(watch_config_check(&c, &err), ST_OK);
	watch_config_free(&c);

	/* errors name the line */
	static const struct bad_yaml bad[] = {
		{"targets:\n  - url: http://x:1\n    thresholds: {cuont: 5}\n", "test.yaml:3: unknown threshold 'cuont'"},
		{"targets:\n  - url: http://x:1\n    interval: soon\n", "test.yaml:3: 'interval' needs a duration"},
		{"targets:\n  - name: x\n", "test.yaml:2: a target needs 'url'"},
		{"targets: [\n", "test.yaml:2: not valid YAML"},
		{"target:\n  - url: http://x:1\n", "test.yaml:2: unknown setting 'target'"},
		{"targets:\n  - url: http://x:1\n    format: debug2\n", "'format' is debug1 or pprof"},
	};
	expect_errors(bad, ARRAY_LEN(bad));
	/* checks across fields */
	assert_int_equal(parse(&c, "targets:\n  - url: ftp://x\n", &err), ST_OK);
	assert_int_equal(watch_config_check(&c, &err), ST_USAGE);
	watch_config_free(&c);
	assert_int_equal(parse(&c, "targets:\n  - {name: a, url: 'http://x:1'}\n  - {name: a, url: 'http://x:2'}\n", &err),
			 ST_OK);
	assert_int_equal(watch_config_check(&c, &err), ST_USAGE);
	assert_non_null(strstr(err.msg, "two targets are called 'a'"));
	watch_config_free(&c);

	/* an interval below 100ms or a timeout below 1ms is refused */
	assert_int_equal(parse(&c, "targets:\n  - {url: 'http://x:1', interval: 1ms}\n", &err), ST_OK);
	assert_int_equal(watch_config_check(&c, &err), ST_USAGE);
	assert_non_null(strstr(err.msg, "interval 0.001s is below 100ms"));
	watch_config_free(&c);
	assert_int_equal(parse(&c, "targets:\n  - {url: 'http://x:1', interval: 1s, timeout: 0.5ms}\n", &err), ST_OK);
	assert_int_equal(watch_config_check(&c, &err), ST_USAGE);
	assert_non_null(strstr(err.msg, "timeout 0.0005s is below 1ms"));
	watch_config_free(&c);
	/* a short interval needs no timeout of its own: it is derived */
	assert_int_equal(parse(&c, "targets:\n  - {url: 'http://x:1', interval: 3s}\n", &err), ST_OK);
	assert_int_equal(watch_config_check(&c, &err), ST_OK);
	assert_true(watch_target_timeout(&c.targets[0]) == 3);
	watch_config_free(&c);
	assert_int_equal(parse(&c, "targets:\n  - {url: 'http://x:1', interval: 3s, timeout: 4s}\n", &err), ST_OK);
	assert_int_equal(watch_config_check(&c, &err), ST_USAGE);
	assert_non_null(strstr(err.msg, "timeout (4s) is longer than the interval (3s)"));
	watch_config_free(&c);
	assert_int_equal(parse(&c, "targets:\n  - {url: 'http://x:1'}\n", &err), ST_OK);
	assert_true(watch_target_timeout(&c.targets[0]) == 5);
	watch_config_free(&c);

	double s;
	assert_true(watch_parse_duration("250ms", &s) && s == 0.25);
	assert_true(watch_parse_duration("90", &s) && s == 90);
	assert_false(watch_parse_duration("-1s", &s));
	assert_false(watch_parse_duration("5 min", &s));
}

/* What a target needs to be reached: headers, a token (or its file), TLS,
 * from defaults or its own; files checked at start. */
static void test_config_auth(void **st)
{
	(void)st;
	char token[] = "/tmp/goroscope-unit-token-XXXXXX";
	int fd = mkstemp(token);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "s3cret\n", 7), 7);
	close(fd);
	char yaml[2048];
	snprintf(yaml, sizeof(yaml),
		 "defaults:\n"
		 "  headers: {X-Org: shop}\n"
		 "  tls_config: {ca_file: %s}\n"
		 "targets:\n"
		 "  - name: a\n"
		 "    url: https://x:1\n"
		 "    bearer_token_file: %s\n"
		 "  - name: b\n"
		 "    url: https://x:2\n"
		 "    headers: {X-Org: pay, X-Env: prod}\n"
		 "    tls_config: {cert_file: %s, key_file: %s, insecure_skip_verify: true}\n",
		 token, token, token, token);
	struct watch_config c;
	struct err err = {0};
	assert_int_equal(parse(&c, yaml, &err), ST_OK);
	const struct fetch_auth *a = &c.targets[0].auth, *b = &c.targets[1].auth;
	assert_string_equal(a->bearer, "s3cret");
	assert_int_equal(a->nheaders, 1);
	assert_string_equal(a->headers[0], "X-Org: shop");
	assert_string_equal(a->cacert, token);
	assert_false(a->insecure);
	/* a target's own headers replace the defaults' */
	assert_int_equal(b->nheaders, 2);
	assert_string_equal(b->headers[0], "X-Org: pay");
	assert_string_equal(b->headers[1], "X-Env: prod");
	assert_true(b->insecure && b->cert && b->key);
	assert_string_equal(b->cacert, token); /* the rest of tls_config stays the defaults' */
	assert_int_equal(watch_config_check(&c, &err), ST_OK);
	watch_config_free(&c);

	static const struct bad_yaml bad[] = {
		{"targets:\n  - url: http://x:1\n    tls_config: {ca: x}\n", "test.yaml:3: unknown tls_config setting 'ca'"},
		{"targets:\n  - url: http://x:1\n    tls_config: {insecure_skip_verify: yes}\n", "is true or false"},
		{"targets:\n  - url: http://x:1\n    headers: {'A: B': c}\n", "'A: B' is not a header name"},
		{"targets:\n  - url: http://x:1\n    headers: {A: \"b\\nc\"}\n", "holds a line break"},
		{"targets:\n  - url: http://x:1\n    bearer_token_file: /nonexistent/t\n", "cannot read the token"},
	};
	expect_errors(bad, ARRAY_LEN(bad));
	/* said at start: a key without its certificate, a file that cannot be read */
	assert_int_equal(parse(&c, "targets:\n  - url: https://x:1\n    tls_config: {key_file: /etc/hostname}\n", &err), ST_OK);
	assert_int_equal(watch_config_check(&c, &err), ST_USAGE);
	assert_non_null(strstr(err.msg, "needs both its certificate and its key"));
	watch_config_free(&c);
	assert_int_equal(parse(&c, "targets:\n  - url: https://x:1\n    tls_config: {ca_file: /nonexistent/ca.pem}\n", &err),
			 ST_OK);
	assert_int_equal(watch_config_check(&c, &err), ST_USAGE);
	assert_non_null(strstr(err.msg, "cannot read '/nonexistent/ca.pem'"));
	watch_config_free(&c);
	unlink(token);
}

static struct watch_target target_with(double count, double factor, double rate, double group_growth)
{
	struct watch_config c;
	watch_config_init(&c);
	struct watch_target t = c.defaults;
	watch_config_free(&c);
	t.interval_s = 10;
	t.th.count = count;
	t.th.factor = factor;
	t.th.rate = rate;
	t.th.group_growth = group_growth;
	t.th.rate_window_s = 60;
	return t;
}

/* Feed counts 10 s apart; return the events as a string: '.' none, 'F'
 * fire, 'R' resolve. */
static void feed(struct rules_state *s, const struct watch_target *t, const uint64_t *counts, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		struct rules_sample x = {.ts_ms = (int64_t)i * 10000, .count = counts[i]};
		struct rules_verdict v;
		rules_feed(s, t, &x, &v);
		out[i] = v.event == RULES_FIRE ? 'F' : v.event == RULES_RESOLVE ? 'R' : '.';
	}
	out[n] = '\0';
}

static void test_rules_convergence(void **st)
{
	(void)st;
	struct watch_target t = target_with(100, 0, 0, 0);
	struct rules_state s;
	rules_init(&s, &t);
	/* fires on the third consecutive breach, not before; an interruption
	 * restarts the count; resolves after three clean samples */
	static const uint64_t counts[] = {50, 150, 150, 50, 150, 150, 150, 150, 50, 50, 150, 50, 50, 50};
	char ev[32];
	feed(&s, &t, counts, ARRAY_LEN(counts), ev);
	assert_string_equal(ev, "......F......R");
	rules_free(&s);
}

static void test_rules_baseline(void **st)
{
	(void)st;
	struct watch_target t = target_with(0, 2, 0, 0);
	t.th.warmup = 3;
	struct rules_state s;
	rules_init(&s, &t);
	/* baseline 100 after three samples; 250 breaches it; the breaching
	 * samples do not raise it, so the alert still fires */
	static const uint64_t counts[] = {100, 100, 100, 250, 260, 270, 100, 100, 100};
	char ev[32];
	feed(&s, &t, counts, ARRAY_LEN(counts), ev);
	assert_string_equal(ev, ".....F..R");
	rules_free(&s);
}

static void test_rules_rate(void **st)
{
	(void)st;
	/* 60 s window, 10 s apart: +20 per sample is 120 per minute */
	struct watch_target t = target_with(0, 0, 100, 0);
	struct rules_state s;
	rules_init(&s, &t);
	uint64_t counts[20];
	for (int i = 0; i < 20; i++)
		counts[i] = i < 12 ? 1000 + 20 * (uint64_t)i : 1220;
	char ev[32];
	feed(&s, &t, counts, ARRAY_LEN(counts), ev);
	/* ready at the fourth sample (30 s span); breaches from there, fires at
	 * the sixth; the flat tail brings the slope down and resolves */
	assert_int_equal(ev[5], 'F');
	assert_int_equal(strchr(ev, 'F') - ev, 5);
	assert_non_null(strchr(ev, 'R'));
	rules_free(&s);
}

static void test_rules_group_growth(void **st)
{
	(void)st;
	struct watch_target t = target_with(0, 0, 0, 50);
	struct rules_state s;
	rules_init(&s, &t);
	/* the total stays at 1000 while group 7 grows and group 8 shrinks */
	char ev[16];
	for (int i = 0; i < 8; i++) {
		struct group_count g[2] = {{7, 100 + 30 * (uint64_t)i}, {8, 900 - 30 * (uint64_t)i}};
		struct rules_sample x = {.ts_ms = i * 10000, .count = 1000, .groups = g, .ngroups = 2, .groups_complete = true};
		struct rules_verdict v;
		rules_feed(&s, &t, &x, &v);
		ev[i] = v.event == RULES_FIRE ? 'F' : '.';
		if (v.breached)
			assert_int_equal(v.group_key, 7);
	}
	ev[8] = '\0';
	assert_string_equal(ev, ".....F..");
	rules_free(&s);
}

static bool last_count(void *ctx, const struct store_sample_row *r)
{
	*(int64_t *)ctx = r->count;
	return true;
}

static bool count_rows(void *ctx, const struct store_sample_row *r)
{
	(void)r;
	(*(int *)ctx)++;
	return true;
}

static bool first_alert(void *ctx, const struct store_alert_row *r)
{
	*(int64_t *)ctx = r->resolved_ms;
	return false;
}

struct kept_rows {
	int n;
	int64_t ts[8];
	size_t len[8];
	bool same_bytes;
};

static bool collect_kept(void *ctx, const struct store_profile *p)
{
	struct kept_rows *k = ctx;
	if (k->n < 8) {
		k->ts[k->n] = p->ts_ms;
		k->len[k->n] = p->len;
		k->same_bytes = p->len == 5 ? memcmp(p->gz, "\x1f\x8b" "ccc", 5) == 0 : k->same_bytes;
		k->n++;
	}
	return true;
}

/* The shard hash is part of the interface (docs/watch.md): these values
 * must never change, or targets would move between watchers. */
static void test_shard(void **st)
{
	(void)st;
	assert_true(shard_hash("") == 14695981039346656037ull);
	assert_true(shard_hash("10.0.0.7:6060") == 15437892223792949971ull);
	assert_true(shard_hash("api.example.internal:443") == 8197175200946623821ull);
	assert_true(shard_hash("pid:42") == 3003486733274997042ull);
	char a[300];
	shard_address("https://API.Example.internal/debug", a, sizeof(a));
	assert_string_equal(a, "api.example.internal:443");
	shard_address("http://u:p@10.0.0.7:6060/x", a, sizeof(a));
	assert_string_equal(a, "10.0.0.7:6060");
	shard_address("pid:42", a, sizeof(a));
	assert_string_equal(a, "pid:42");
	struct watch_shard s;
	assert_true(shard_parse("0/2", &s) && s.index == 0 && s.count == 2);
	assert_true(shard_parse("4095/4096", &s));
	assert_false(shard_parse("2/2", &s));
	assert_false(shard_parse("0/0", &s));
	assert_false(shard_parse("0/4097", &s));
	assert_false(shard_parse("-1/2", &s));
	assert_false(shard_parse("1/2x", &s));
	assert_false(shard_parse(" 1/2", &s));
	s = (struct watch_shard){1, 2};
	assert_true(shard_owns(&s, "10.0.0.7:6060"));
	assert_false(shard_owns(&s, "pid:42"));
	s = (struct watch_shard){0, 0};
	assert_true(shard_owns(&s, "pid:42"));
}

/* Discovery's readers: target groups (JSON and YAML), Prometheus's active
 * targets (one job's), and what they refuse, with the line. */
static void test_discovery_readers(void **st)
{
	(void)st;
	struct sd_list l = {0};
	arena_init(&l.mem);
	struct err err = {0};
	const char *json = "[{\"targets\": [\"10.0.0.1:6060\", \"b:1\"], \"labels\": {\"team\": \"x\", \"__meta_k\": \"y\"}},\n"
			   " {\"targets\": [\"c:2\"]}]";
	assert_int_equal(watch_parse_target_groups(json, strlen(json), "t.json", &l, &err), ST_OK);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[1].address, "b:1");
	assert_string_equal(l.v[1].name, "b:1");
	assert_int_equal(l.v[1].nlabels, 1); /* __meta_k is Prometheus's own */
	assert_string_equal(l.v[1].keys[0], "team");
	assert_int_equal(l.v[2].nlabels, 0);
	const char *yaml = "- targets: ['d:3']\n  labels: {env: prod}\n";
	assert_int_equal(watch_parse_target_groups(yaml, strlen(yaml), "t.yml", &l, &err), ST_OK);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[3].values[0], "prod");
	static const struct {
		const char *text, *says;
	} bad[] = {
		{"{\"targets\": []}", "are a list"},
		{"[{\"labels\": {}}]", "needs 'targets'"},
		{"[{\"targets\": [\"http://a:1/x\"]}]", "host:port"},
		{"[{\"targets\": [\"a:1\"], \"tagets\": 1}]", "not 'tagets'"},
		{"[{\"targets\": [\"a:1\"]", "not valid JSON or YAML"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(watch_parse_target_groups(bad[i].text, strlen(bad[i].text), "t.json", &l, &err), ST_FORMAT);
		if (!strstr(err.msg, bad[i].says) || !strstr(err.msg, "t.json:"))
			fail_msg("%s: %s", bad[i].text, err.msg);
	}
	sd_list_free(&l);
	arena_init(&l.mem);
	const char *prom = "{\"status\":\"success\",\"data\":{\"activeTargets\":["
			   "{\"labels\":{\"instance\":\"api-1\",\"job\":\"api\",\"team\":\"t\"},\"scrapeUrl\":\"http://10.0.0.5:8080/metrics\"},"
			   "{\"labels\":{\"instance\":\"o:1\",\"job\":\"other\"},\"scrapeUrl\":\"http://o:1/metrics\"}]}}";
	assert_int_equal(prom_sd_parse(prom, strlen(prom), "api", &l, &err), ST_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].address, "10.0.0.5:8080"); /* polled where Prometheus scrapes */
	assert_string_equal(l.v[0].name, "api-1");            /* called what its alerts call it */
	assert_int_equal(l.v[0].nlabels, 2);                  /* job and team, not instance */
	assert_int_equal(prom_sd_parse("{\"status\":\"error\"}", 19, NULL, &l, &err), ST_FORMAT);
	sd_list_free(&l);
}

/* A new store at path (a mkstemp template) with one target called name. */
static struct store *temp_store(char *path, const char *name, int64_t *target)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct store *s;
	struct err err = {0};
	assert_int_equal(store_open(path, false, &s, &err), ST_OK);
	assert_int_equal(store_target(s, name, "http://127.0.0.1:1", target, &err), ST_OK);
	return s;
}

/* The size budget: a store filled far past it is brought back under it,
 * the oldest data first. */
static void test_store_budget(void **st)
{
	(void)st;
	char path[] = "/tmp/goroscope-test-budget-XXXXXX";
	struct err err = {0};
	int64_t t;
	struct store *s = temp_store(path, "bomb", &t);
	char text[8192];
	memset(text, 'f', sizeof(text));
	assert_int_equal(store_begin(s, &err), ST_OK);
	for (int i = 0; i < 2000; i++) { /* 16 MB of ever-new stacks */
		int64_t stack;
		assert_int_equal(store_add_sample(s, t, 1000 * (i + 1), i, 1, NULL, &err), ST_OK);
		assert_int_equal(store_stack(s, t, (uint64_t)i, "main.f", text, sizeof(text), &stack, &err), ST_OK);
		assert_int_equal(store_add_group_sample(s, t, 1000 * (i + 1), stack, 1, &err), ST_OK);
	}
	assert_int_equal(store_commit(s, &err), ST_OK);
	uint64_t used;
	assert_int_equal(store_used_bytes(s, &used, &err), ST_OK);
	assert_true(used > (16u << 20));
	int64_t cut;
	bool pruned = false;
	assert_int_equal(store_begin(s, &err), ST_OK);
	assert_int_equal(store_enforce_budget(s, 4u << 20, &cut, &pruned, &err), ST_OK);
	assert_int_equal(store_commit(s, &err), ST_OK);
	assert_int_equal(store_used_bytes(s, &used, &err), ST_OK);
	assert_true(used <= (4u << 20));
	assert_true(pruned);
	assert_true(cut > 1000);
	/* the newest samples are the ones left */
	int64_t last = -1;
	assert_int_equal(store_last_samples(s, t, 1, last_count, &last, &err), ST_OK);
	assert_int_equal(last, 1999);
	int n = 0;
	assert_int_equal(store_samples(s, t, 0, count_rows, &n, &err), ST_OK);
	assert_true(n < 2000 / 4 + 1);
	store_close(s);
	unlink(path);
}

static void test_store(void **st)
{
	(void)st;
	char path[] = "/tmp/goroscope-test-store-XXXXXX";
	struct err err = {0};
	int64_t t, t2, stack, alert;
	struct store *s = temp_store(path, "api", &t);
	assert_int_equal(store_begin(s, &err), ST_OK);
	for (int i = 0; i < 5; i++)
		assert_int_equal(store_add_sample(s, t, 1000 * i, 10 * i, 1.5, NULL, &err), ST_OK);
	assert_int_equal(store_add_sample(s, t, 5000, -1, 3, "connection refused", &err), ST_OK);
	assert_int_equal(store_stack(s, t, 0xfeedULL << 48, "main.leak", "main.leak x.go:1", 16, &stack, &err), ST_OK);
	assert_int_equal(store_add_group_sample(s, t, 4000, stack, 40, &err), ST_OK);
	assert_int_equal(store_alert_open(s, t, "count", 4000, 40, "too many", &alert, &err), ST_OK);
	assert_int_equal(store_commit(s, &err), ST_OK);
	store_close(s);

	/* reopened: everything committed is there, ids are stable */
	assert_int_equal(store_open(path, false, &s, &err), ST_OK);
	assert_int_equal(store_target(s, "api", "http://127.0.0.1:1", &t2, &err), ST_OK);
	assert_int_equal(t2, t);
	int64_t again;
	assert_int_equal(store_stack(s, t, 0xfeedULL << 48, "x", "y", 1, &again, &err), ST_OK);
	assert_int_equal(again, stack);
	int n = 0;
	assert_int_equal(store_samples(s, t, 0, count_rows, &n, &err), ST_OK);
	assert_int_equal(n, 6);
	n = 0;
	assert_int_equal(store_last_samples(s, t, 2, count_rows, &n, &err), ST_OK);
	assert_int_equal(n, 2);
	int64_t resolved = -1;
	assert_int_equal(store_alerts(s, t, 0, first_alert, &resolved, &err), ST_OK);
	assert_int_equal(resolved, 0);
	assert_int_equal(store_alert_resolve(s, alert, 9000, &err), ST_OK);
	assert_int_equal(store_alerts(s, 0, 0, first_alert, &resolved, &err), ST_OK);
	assert_int_equal(resolved, 9000);
	/* kept profiles: replaced as a whole, read back oldest first from a time on */
	struct store_profile three[] = {{1000, "\x1f\x8b" "a", 3}, {2000, "\x1f\x8b" "bb", 4}, {3000, "\x1f\x8b" "ccc", 5}};
	assert_int_equal(store_keep_profiles(s, t, three, 2, &err), ST_OK);
	assert_int_equal(store_keep_profiles(s, t, three, 3, &err), ST_OK);
	struct kept_rows k = {0};
	assert_int_equal(store_kept_profiles(s, t, 1500, collect_kept, &k, &err), ST_OK);
	assert_int_equal(k.n, 2);
	assert_int_equal(k.ts[0], 2000);
	assert_int_equal(k.ts[1], 3000);
	assert_int_equal(k.len[1], 5);
	assert_true(k.same_bytes);
	/* retention */
	bool pruned = false;
	assert_int_equal(store_prune(s, 2500, &pruned, &err), ST_OK);
	assert_false(pruned); /* its group sample at 4000 still refers to the stack */
	n = 0;
	assert_int_equal(store_samples(s, t, 0, count_rows, &n, &err), ST_OK);
	assert_int_equal(n, 3);
	k = (struct kept_rows){0};
	assert_int_equal(store_kept_profiles(s, t, 0, collect_kept, &k, &err), ST_OK);
	assert_int_equal(k.n, 1);
	/* once no group sample refers to it, the stack goes too */
	assert_int_equal(store_prune(s, 4500, &pruned, &err), ST_OK);
	assert_true(pruned);
	store_close(s);
	/* a read-only handle (history, web) reads none, without an error */
	assert_int_equal(store_open(path, true, &s, &err), ST_OK);
	k = (struct kept_rows){0};
	assert_int_equal(store_kept_profiles(s, t, 0, collect_kept, &k, &err), ST_OK);
	assert_int_equal(k.n, 0);
	store_close(s);

	/* not a store */
	FILE *f = fopen(path, "w");
	fputs("this is not sqlite", f);
	fclose(f);
	assert_int_not_equal(store_open(path, false, &s, &err), ST_OK);
	assert_null(s);
	unlink(path);
	char wal[64];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),      cmocka_unit_test(test_config_auth), cmocka_unit_test(test_rules_convergence),
		cmocka_unit_test(test_rules_baseline), cmocka_unit_test(test_rules_rate),
		cmocka_unit_test(test_rules_group_growth), cmocka_unit_test(test_store), cmocka_unit_test(test_store_budget),
		cmocka_unit_test(test_shard), cmocka_unit_test(test_discovery_readers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
