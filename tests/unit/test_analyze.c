/* Unit tests for src/analyze: grouping modes, filters, wait classes,
 * single-snapshot suspicion and leak patterns. */
#include "../../src/base/common.h"
#include "../../src/analyze/diff.h"
#include "../../src/analyze/filter.h"
#include "../../src/analyze/group.h"
#include "../../src/analyze/series.h"
#include "../../src/parse/debug1.h"
#include "../../src/parse/traceback.h"
#include "../../src/report/report.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

/* n goroutines per entry: state, frames (";"-separated func@line), creator */
struct gspec {
	int n;
	const char *state;
	const char *frames;
	const char *creator;
	int minutes;       /* -1 none */
	const char *arg0;  /* first argument of the first frame */
};

static char *build(const struct gspec *g, size_t ng)
{
	size_t cap = 1 << 20, o = 0;
	for (size_t i = 0; i < ng; i++)
		cap += (size_t)g[i].n * (256 + 2 * strlen(g[i].frames));
	char *t = malloc(cap);
	int id = 1;
	for (size_t i = 0; i < ng; i++) {
		for (int k = 0; k < g[i].n; k++) {
			o += (size_t)snprintf(t + o, cap - o, "goroutine %d [%s", id++, g[i].state);
			if (g[i].minutes >= 0)
				o += (size_t)snprintf(t + o, cap - o, ", %d minutes", g[i].minutes + k % 3);
			o += (size_t)snprintf(t + o, cap - o, "]:\n");
			char fr[512];
			snprintf(fr, sizeof(fr), "%s", g[i].frames);
			bool first = true;
			for (char *f = strtok(fr, ";"); f; f = strtok(NULL, ";")) {
				char *at = strchr(f, '@');
				*at = '\0';
				o += (size_t)snprintf(t + o, cap - o, "%s(%s)\n\t/src/%s.go:%s +0x1\n", f,
						      first && g[i].arg0 ? g[i].arg0 : "", f, at + 1);
				first = false;
			}
			if (g[i].creator)
				o += (size_t)snprintf(t + o, cap - o, "created by %s in goroutine 2\n\t/src/c.go:9\n", g[i].creator);
			o += (size_t)snprintf(t + o, cap - o, "\n");
		}
	}
	return t;
}

static struct snapset parse_specs(const struct gspec *g, size_t ng)
{
	char *t = build(g, ng);
	struct snapset set;
	snapset_init(&set);
	struct err e;
	assert_int_equal(traceback_parse_mem(t, strlen(t), "t", NULL, &set, NULL, &e), ST_OK);
	free(t);
	assert_int_equal(set.n, 1);
	return set;
}

static const struct gspec ZOO[] = {
	{1, "running", "main.main@10", NULL, -1, NULL},
	{40, "chan send", "main.handler.func1@88;main.handler@80", "main.handler", 30, "0xc000010000"},
	{12, "chan receive", "main.worker@40", "main.startPool", 2, NULL},
	{3, "chan receive", "main.worker@41", "main.startPool", -1, NULL},
	{5, "select", "main.loop@12", "main.main", -1, NULL},
	{2, "semacquire", "sync.runtime_Semacquire@1;sync.(*WaitGroup).Wait@2;main.wait@7", "main.main", 15, "0xc0000aa000"},
	{3, "sync.Mutex.Lock", "sync.(*Mutex).lockSlow@3;main.crit@20", "main.main", -1, "0xc0000bb000"},
	{2, "chan receive (nil chan)", "main.nilwait@5", "main.main", -1, NULL},
	{1, "select (no cases)", "main.main@30", NULL, -1, NULL},
	{4, "GC worker (idle)", "runtime.gopark@1;runtime.gcBgMarkWorker@2", "runtime.gcBgMarkStartWorkers", -1, NULL},
	{6, "IO wait", "internal/poll.runtime_pollWait@1;net/http.(*persistConn).readLoop@2", "net/http.(*Transport).dialConn", 20, NULL},
};

static const struct group *find(const struct analysis *a, const char *func)
{
	for (uint32_t i = 0; i < a->ngroups; i++) {
		const struct stack *st = &a->snap->stacks[a->groups[i].stack];
		for (uint32_t k = 0; k < st->nframes; k++)
			if (!strcmp(snapshot_str(a->snap, (*snapshot_frame(a->snap, st, k)).func), func))
				return &a->groups[i];
	}
	return NULL;
}

static void test_group_by_stack(void **st)
{
	(void)st;
	struct snapset set = parse_specs(ZOO, ARRAY_LEN(ZOO));
	struct group_options o;
	group_options_default(&o);
	struct analysis a;
	analysis_run(set.v[0], &o, &a);
	assert_int_equal(a.total, 79);
	assert_int_equal(a.hidden_system, 4); /* GC workers */
	assert_int_equal(a.shown, 75);
	assert_int_equal(a.ngroups, 10);
	assert_int_equal(a.groups[0].count, 40); /* largest first */
	const struct group *g = find(&a, "main.handler.func1");
	assert_int_equal(g->rec->min_minutes, 30);
	assert_int_equal(g->rec->max_minutes, 32);
	assert_int_equal(g->rec->median_minutes, 31);
	assert_int_equal(g->wclass, WC_CHANNEL);
	assert_int_equal(g->rec->distinct_objects, 1); /* all wait on one object */
	assert_int_equal(g->rec->top_object, 0xc000010000ULL);
	assert_int_equal(g->rec->distinct_parents, 1);
	assert_int_equal(g->rec->top_parent, 2);
	/* semacquire under WaitGroup.Wait is a WaitGroup wait (Go < 1.24) */
	assert_int_equal(find(&a, "main.wait")->wclass, WC_WAITGROUP);
	assert_true(find(&a, "main.wait")->rec->object_from_primitive);
	assert_int_equal(a.by_class[WC_CHANNEL], 40 + 12 + 3 + 2);
	assert_int_equal(a.by_class[WC_LOCK], 3);
	assert_int_equal(a.by_class[WC_IO], 6);
	assert_int_equal(a.nlongest, LONGEST_WAITS);
	assert_int_equal(a.longest[0].minutes, 32);
	analysis_free(&a);
	o.include_system = true;
	analysis_run(set.v[0], &o, &a);
	assert_int_equal(a.shown, 79);
	assert_int_equal(a.ngroups, 11);
	analysis_free(&a);
	snapset_free(&set);
}

static void test_group_coarse(void **st)
{
	(void)st;
	struct snapset set = parse_specs(ZOO, ARRAY_LEN(ZOO));
	struct group_options o;
	group_options_default(&o);
	struct analysis a;
	o.by = GROUP_CREATOR;
	analysis_run(set.v[0], &o, &a);
	/* main.worker@40 and @41 share their creator */
	assert_int_equal(find(&a, "main.worker")->count, 15);
	assert_int_equal(find(&a, "main.worker")->nstacks, 2);
	analysis_free(&a);
	o.by = GROUP_STATE;
	analysis_run(set.v[0], &o, &a);
	assert_int_equal(a.ngroups, 9);
	analysis_free(&a);
	o.by = GROUP_TOP;
	o.top_n = 1;
	analysis_run(set.v[0], &o, &a);
	assert_int_equal(find(&a, "main.handler.func1")->count, 40);
	analysis_free(&a);
	struct err e;
	assert_int_equal(group_by_parse("top=0", &o, &e), ST_USAGE);
	assert_int_equal(group_by_parse("bogus", &o, &e), ST_USAGE);
	assert_int_equal(group_by_parse("top=5", &o, &e), ST_OK);
	assert_int_equal(o.top_n, 5);
	snapset_free(&set);
}

static void test_filters(void **st)
{
	(void)st;
	struct snapset set = parse_specs(ZOO, ARRAY_LEN(ZOO));
	struct group_options o;
	group_options_default(&o);
	struct filter f;
	struct err e;
	assert_int_equal(filter_compile(&f, "^main\\.worker$|select", NULL, &e), ST_OK);
	o.filter = &f;
	struct analysis a;
	analysis_run(set.v[0], &o, &a);
	/* 15 workers, 5 select loops, select{} in main */
	assert_int_equal(a.shown, 15 + 5 + 1);
	analysis_free(&a);
	filter_free(&f);
	assert_int_equal(filter_compile(&f, NULL, "net/http", &e), ST_OK);
	analysis_run(set.v[0], &o, &a);
	assert_int_equal(a.filtered_out, 6);
	analysis_free(&a);
	filter_free(&f);
	assert_int_equal(filter_compile(&f, "(", NULL, &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "-m"));
	snapset_free(&set);
}

static void test_suspects(void **st)
{
	(void)st;
	struct snapset set = parse_specs(ZOO, ARRAY_LEN(ZOO));
	struct group_options o;
	group_options_default(&o);
	struct analysis a;
	analysis_run(set.v[0], &o, &a);
	const struct group *send = find(&a, "main.handler.func1");
	assert_int_equal(send->suspicion, CONF_MEDIUM); /* 40 >= 10, waiting 30 min */
	assert_string_equal(send->pattern->id, "abandoned-send");
	assert_int_equal(find(&a, "main.nilwait")->suspicion, CONF_HIGH);
	assert_string_equal(find(&a, "main.nilwait")->pattern->id, "nil-channel");
	assert_int_equal(find(&a, "main.wait")->suspicion, CONF_MEDIUM); /* 2 goroutines, 15 min */
	assert_string_equal(find(&a, "main.wait")->pattern->id, "waitgroup-miscount");
	assert_int_equal(find(&a, "main.loop")->suspicion, CONF_NONE); /* 5 < 10, no minutes */
	/* select{} in the main goroutine is normal */
	const struct group *m = NULL;
	for (uint32_t i = 0; i < a.ngroups; i++)
		if (a.groups[i].rec->nids && a.groups[i].rec->ids[0] == 1)
			m = &a.groups[i];
	assert_non_null(m);
	assert_int_equal(m->suspicion, CONF_NONE);
	assert_string_equal(find(&a, "net/http.(*persistConn).readLoop")->pattern->id, "http-body-not-closed");
	/* most certain first */
	assert_true(a.nsuspects >= 3);
	assert_int_equal(a.suspects[0].confidence, CONF_HIGH);
	/* the site is the first frame in user code */
	const struct stack *wst = &a.snap->stacks[find(&a, "main.wait")->stack];
	assert_string_equal(snapshot_str(a.snap, (*snapshot_frame(a.snap, wst, find(&a, "main.wait")->site)).func), "main.wait");
	analysis_free(&a);
	snapset_free(&set);
}

static void test_sites_pooled(void **st)
{
	(void)st;
	/* 4 + 4 + 4 goroutines block at one site through three call paths:
	 * no group reaches 10, the site does. */
	static const struct gspec specs[] = {
		{1, "running", "main.main@10", NULL, -1, NULL},
		{4, "chan send", "main.reply@50;main.viaA@1", "main.serve", -1, NULL},
		{4, "chan send", "main.reply@50;main.viaB@2", "main.serve", -1, NULL},
		{4, "chan send", "main.reply@50;main.viaC@3", "main.serve", -1, NULL},
		{4, "chan send", "main.reply@51;main.viaC@3", "main.serve", -1, NULL},
	};
	struct snapset set = parse_specs(specs, ARRAY_LEN(specs));
	struct group_options o;
	group_options_default(&o);
	struct analysis a;
	analysis_run(set.v[0], &o, &a);
	assert_int_equal(a.ngroups, 5);
	assert_int_equal(a.nsuspects, 1);
	assert_int_equal(a.suspects[0].count, 12);
	assert_int_equal(a.suspects[0].ngroups, 3);
	assert_int_equal(a.suspects[0].confidence, CONF_LOW);
	assert_int_equal(find(&a, "main.viaA")->suspicion, CONF_LOW);
	/* line 51 is another site, with only 4 goroutines */
	uint32_t low = 0;
	for (uint32_t i = 0; i < a.ngroups; i++)
		low += a.groups[i].suspicion == CONF_LOW;
	assert_int_equal(low, 3);
	analysis_free(&a);
	snapset_free(&set);
}

/* The goroutine columns (snapshot.h) give back every record as it was
 * added: packed ids, ids too spread to pack (a chunk going 64-bit midway),
 * parents and objects only where the flags say, zeros that are values,
 * optional columns from their first use, chunks past the first. */
static struct goroutine column_record(uint64_t i)
{
	struct goroutine g = {.stack = (uint32_t)(i % 7), .state = (uint32_t)(i % 3)};
	/* the second chunk's ids spread over 40 high parts after its 100th */
	g.id = i < G_CHUNK + 100 ? i * 7 : 0x9e3779b97f4a7c15ULL * i;
	if (i % 2 == 0) {
		g.flags |= G_HAS_PARENT;
		g.parent = i % 10 == 0 ? 0 : i * 3;
	}
	if (i % 5 == 0) {
		g.flags |= i % 3 ? G_HAS_OBJECT : G_OBJECT_ARG;
		g.object = 0xc000000000ULL + i * 4096;
	}
	if (i > 30000) {
		g.flags |= G_HAS_MINUTES;
		g.minutes = (uint32_t)(i % 100);
	}
	g.labels = i % 1000 == 999 ? 5 : 0;
	g.bubble = i == 39999 ? 2 : 0;
	return g;
}

static void test_goroutine_columns(void **st)
{
	(void)st;
	struct snapshot *s = snapshot_new("columns", 1);
	enum { N = 40000 };
	for (uint64_t i = 0; i < N; i++) {
		struct goroutine g = column_record(i);
		assert_true(snapshot_add_goroutine(s, &g));
	}
	assert_int_equal(s->ngoroutines, N);
	assert_null(s->gchunks[0].id.wide);       /* packed */
	assert_non_null(s->gchunks[1].id.wide);   /* too spread */
	assert_null(s->gchunks[0].minutes);       /* none before 30000 */
	for (uint64_t i = 0; i < N; i++) {
		struct goroutine want = column_record(i), got = snapshot_goroutine(s, i);
		if (memcmp(&got, &want, sizeof(got)))
			fail_msg("record %llu: id %llx/%llx parent %llx/%llx object %llx/%llx flags %x/%x", (unsigned long long)i,
				 (unsigned long long)got.id, (unsigned long long)want.id, (unsigned long long)got.parent,
				 (unsigned long long)want.parent, (unsigned long long)got.object,
				 (unsigned long long)want.object, got.flags, want.flags);
		assert_int_equal(snapshot_goroutine_id(s, i), want.id);
		assert_int_equal(snapshot_goroutine_stack(s, i), want.stack);
		assert_int_equal(snapshot_goroutine_labels(s, i), want.labels);
	}
	snapshot_free(s);
}

/* "0 minutes" sets the flag but leaves no column of minutes (a column is
 * made for the first non-zero value): the summary and the longest waits
 * read it as 0, where they once followed a null pointer. */
static void test_zero_minutes(void **st)
{
	(void)st;
	const char *t = "goroutine 1 [chan receive, 0 minutes]:\nmain.a()\n\t/p/a.go:9 +0x1\n\n"
			"goroutine 2 [chan receive, 0 minutes]:\nmain.a()\n\t/p/a.go:9 +0x1\n\n";
	struct snapset set;
	snapset_init(&set);
	struct err e;
	assert_int_equal(traceback_parse_mem(t, strlen(t), "t", NULL, &set, NULL, &e), ST_OK);
	assert_null(set.v[0]->gchunks[0].minutes);
	struct group_options o;
	group_options_default(&o);
	struct analysis a;
	analysis_run(set.v[0], &o, &a);
	assert_int_equal(a.ngroups, 1);
	assert_true(a.groups[0].rec->has_minutes);
	assert_int_equal(a.groups[0].rec->with_minutes, 2);
	assert_int_equal(a.groups[0].rec->max_minutes, 0);
	assert_int_equal(a.nlongest, 2);
	assert_int_equal(a.longest[0].minutes, 0);
	analysis_free(&a);
	snapset_free(&set);
}

/* The JSON report of one analysis. */
static void json_of(const struct analysis *a, struct buf *b)
{
	buf_init(b);
	report_json_begin(b, "t");
	report_json_snapshot(b, a, true, JSON_ALL_IDS);
	report_json_end(b, 0);
}

/* A snapshot of 65,536 members or more has its groups summarised on every
 * core; two snapshots analysed side by side are each summarised on one.
 * Both read the same, in every grouping: many groups of every size (so
 * the pieces part inside batches and across them), minutes, objects,
 * parents, labels. */
static void test_split_summaries(void **st)
{
	(void)st;
	enum { NSPEC = 9000 };
	static struct gspec g[NSPEC];
	static char frames[NSPEC][96], creators[NSPEC][32];
	static const char *states[] = {"chan send", "chan receive", "semacquire", "select", "IO wait"};
	int total = 0;
	for (int i = 0; i < NSPEC; i++) {
		snprintf(frames[i], sizeof(frames[i]), "main.leaf%d@%d;main.mid%d@%d;main.top@9", i % 7, 10 + i % 13,
			 i % 40, 20 + i / 40);
		snprintf(creators[i], sizeof(creators[i]), "main.spawn%d", i % 5);
		int n = i % 97 == 0 ? 900 : 1 + i % 9;
		g[i] = (struct gspec){n, states[i % 5], frames[i], creators[i], i % 3 ? -1 : i % 50,
				      i % 4 ? NULL : (i % 8 ? "0xc000010000" : "0xc000020000, 0x1")};
		total += n;
	}
	assert_true(total >= 65536);
	struct snapset set = parse_specs(g, NSPEC);
	const char *modes[] = {"stack", "creator", "top=2", "state"};
	for (size_t m = 0; m < ARRAY_LEN(modes); m++) {
		struct group_options o;
		group_options_default(&o);
		struct err e;
		assert_int_equal(group_by_parse(modes[m], &o, &e), ST_OK);
		struct analysis split, side[2];
		analysis_run(set.v[0], &o, &split);
		const struct snapshot *both[2] = {set.v[0], set.v[0]};
		analysis_run_all(both, 2, &o, side);
		assert_true(split.ngroups > 4096 || m > 0);
		struct buf a, b;
		json_of(&split, &a);
		json_of(&side[0], &b);
		if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)
			fail_msg("--by %s: the split summary differs", modes[m]);
		buf_free(&a);
		buf_free(&b);
		analysis_free(&split);
		analysis_free(&side[0]);
		analysis_free(&side[1]);
	}
	snapset_free(&set);
}

/* A snapshot of 65,536 goroutines or more is grouped by stack (and by
 * creator, top=N) on every core: each part of the goroutines counts its
 * stacks, the groups are numbered by first appearance, each part writes
 * its members after the parts before it. It must read as the grouping on
 * one core: stacks in no order (so a group first met late in one part may
 * be met early in another), system goroutines and goroutine 0 hidden or
 * shown, a label filter leaving some out. */
static void test_split_grouping(void **st)
{
	(void)st;
	enum { N = 70000 };
	size_t cap = (size_t)N * 200, o = 0;
	char *t = malloc(cap);
	uint32_t x = 12345;
	for (int id = 0; id < N; id++) {
		x = x * 1103515245u + 12345u;
		uint32_t r = (x >> 8) % 3000;
		/* mostly popular stacks, a long tail of rare ones */
		uint32_t stack = r < 2000 ? r % 40 : r;
		o += (size_t)snprintf(t + o, cap - o, "goroutine %d [%s", id % 9000 == 0 ? 0 : id + 1,
				      stack % 3 ? "chan receive" : "select");
		if (id % 5 == 0)
			o += (size_t)snprintf(t + o, cap - o, " labels:{\"job\":\"j%u\"}", stack % 4);
		o += (size_t)snprintf(t + o, cap - o, "]:\n");
		if (id % 700 == 3)
			o += (size_t)snprintf(t + o, cap - o,
					      "runtime.gopark(0x0)\n\t/go/proc.go:1 +0x1\nruntime.gcBgMarkWorker()\n\t/go/mgc.go:2 "
					      "+0x1\ncreated by runtime.gcBgMarkStartWorkers\n\t/go/mgc.go:3 +0x1\n\n");
		else
			o += (size_t)snprintf(t + o, cap - o,
					      "main.leaf%u(0xc000010000)\n\t/src/l.go:%u +0x1\nmain.mid%u()\n\t/src/m.go:%u "
					      "+0x1\ncreated by main.spawn%u in goroutine 1\n\t/src/s.go:5 +0x1\n\n",
					      stack % 7, 10 + stack, stack % 11, 20 + stack % 5, stack % 6);
	}
	struct snapset set;
	snapset_init(&set);
	struct err e;
	assert_int_equal(traceback_parse_mem(t, o, "t", NULL, &set, NULL, &e), ST_OK);
	free(t);
	assert_int_equal(set.n, 1);
	assert_true(set.v[0]->ngoroutines == N);
	struct filter f;
	assert_int_equal(filter_compile(&f, NULL, NULL, &e), ST_OK);
	assert_int_equal(filter_add_label(&f, "job=j[12]", &e), ST_OK);
	const char *modes[] = {"stack", "creator", "top=1"};
	for (size_t m = 0; m < ARRAY_LEN(modes); m++) {
		for (int variant = 0; variant < 3; variant++) {
			struct group_options go;
			group_options_default(&go);
			assert_int_equal(group_by_parse(modes[m], &go, &e), ST_OK);
			go.include_system = variant == 1;
			go.filter = variant == 2 ? &f : NULL;
			struct analysis split, side[2];
			analysis_run(set.v[0], &go, &split);
			const struct snapshot *both[2] = {set.v[0], set.v[0]};
			analysis_run_all(both, 2, &go, side);
			assert_true(split.hidden_system > 0 || variant == 1);
			assert_true(split.filtered_out > 0 || variant != 2);
			struct buf a, b;
			json_of(&split, &a);
			json_of(&side[0], &b);
			if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)
				fail_msg("--by %s (variant %d): the grouping on every core differs", modes[m], variant);
			buf_free(&a);
			buf_free(&b);
			analysis_free(&split);
			analysis_free(&side[0]);
			analysis_free(&side[1]);
		}
	}
	filter_free(&f);
	snapset_free(&set);
}

/* Goroutines [from, to) of a dump whose records use every column: minutes,
 * labels, synctest bubbles, parents, objects (some of them 64-bit wide). */
static char *varied_dump(int from, int to)
{
	size_t cap = (size_t)(to - from) * 400 + 1024, o = 0;
	char *t = malloc(cap);
	for (int id = from; id < to; id++) {
		o += (size_t)snprintf(t + o, cap - o, "goroutine %d [%s", id, id % 4 ? "chan receive" : "select");
		if (id % 3 == 0)
			o += (size_t)snprintf(t + o, cap - o, ", %d minutes", id % 50);
		if (id % 7000 == 11)
			o += (size_t)snprintf(t + o, cap - o, ", synctest bubble %d", id % 5 + 1);
		if (id % 11 == 0)
			o += (size_t)snprintf(t + o, cap - o, " labels:{\"job\":\"j%d\"}", id % 4);
		o += (size_t)snprintf(t + o, cap - o, "]:\n");
		unsigned long long obj = id % 5 ? 0xc000010000ULL + (unsigned long long)id * 64
						: 0x7f0000000000ULL + (unsigned long long)id * 0x100000001ULL;
		o += (size_t)snprintf(t + o, cap - o, "runtime.chanrecv(0x%llx)\n\t/src/chan.go:%d +0x1\n", obj, 10 + id % 9);
		o += (size_t)snprintf(t + o, cap - o, "main.worker%d()\n\t/src/w.go:%d +0x1\n", id % 13, 20 + id % 3);
		if (id % 2)
			o += (size_t)snprintf(t + o, cap - o, "created by main.spawn in goroutine %d\n\t/src/s.go:5 +0x1\n",
					      id % 4 ? id / 2 : 0);
		o += (size_t)snprintf(t + o, cap - o, "\n");
	}
	return t;
}

/* Joining the parts of a dump read in parallel (snapshot_merge) appends a
 * part's records column by column, in runs that cross chunks on both
 * sides: the result reads as the dump read whole. */
static void test_merge_columns(void **st)
{
	(void)st;
	const int cut = 20000, end = 60000; /* both over a chunk of 16,384 */
	char *a = varied_dump(1, cut), *b = varied_dump(cut, end);
	size_t la = strlen(a), lb = strlen(b);
	char *whole = malloc(la + lb + 1);
	memcpy(whole, a, la);
	memcpy(whole + la, b, lb + 1);
	struct tb_options opt;
	tb_options_default(&opt);
	opt.threads = 1;
	struct snapset sa, sb, sw;
	snapset_init(&sa);
	snapset_init(&sb);
	snapset_init(&sw);
	struct err e;
	assert_int_equal(traceback_parse_mem(a, la, "t", &opt, &sa, NULL, &e), ST_OK);
	assert_int_equal(traceback_parse_mem(b, lb, "t", &opt, &sb, NULL, &e), ST_OK);
	assert_int_equal(traceback_parse_mem(whole, la + lb, "t", &opt, &sw, NULL, &e), ST_OK);
	assert_int_equal(sa.n, 1);
	assert_int_equal(sb.n, 1);
	assert_int_equal(sw.n, 1);
	/* (line numbers: the second part's follow the first's, as the join
	 * shifts them) */
	uint64_t lines_a = 0;
	for (size_t i = 0; i < la; i++)
		lines_a += a[i] == '\n';
	sb.v[0]->first_line += lines_a;
	sb.v[0]->last_line += lines_a;
	snapshot_merge(sa.v[0], sb.v[0]);
	sb.n = 0; /* (the merge took it) */
	assert_int_equal(sa.v[0]->ngoroutines, (uint64_t)(end - 1));
	for (uint64_t i = 0; i < sw.v[0]->ngoroutines; i++) {
		struct goroutine x = snapshot_goroutine(sa.v[0], i), y = snapshot_goroutine(sw.v[0], i);
		assert_int_equal(x.id, y.id);
		assert_int_equal(x.flags, y.flags);
		assert_int_equal(x.parent, y.parent);
		assert_int_equal(x.object, y.object);
		assert_int_equal(x.minutes, y.minutes);
		assert_int_equal(x.bubble, y.bubble);
		assert_string_equal(snapshot_str(sa.v[0], x.state), snapshot_str(sw.v[0], y.state));
		assert_int_equal(sa.v[0]->stacks[x.stack].hash, sw.v[0]->stacks[y.stack].hash);
		assert_int_equal(!x.labels, !y.labels);
	}
	struct group_options o;
	group_options_default(&o);
	assert_int_equal(group_by_parse("label:job", &o, &e), ST_OK);
	struct analysis ma, wa;
	analysis_run(sa.v[0], &o, &ma);
	analysis_run(sw.v[0], &o, &wa);
	struct buf ja, jw;
	json_of(&ma, &ja);
	json_of(&wa, &jw);
	assert_int_equal(ja.len, jw.len);
	assert_memory_equal(ja.p, jw.p, ja.len);
	buf_free(&ja);
	buf_free(&jw);
	analysis_free(&ma);
	analysis_free(&wa);
	snapset_free(&sa);
	snapset_free(&sb);
	snapset_free(&sw);
	free(a);
	free(b);
	free(whole);
}

/* snapshot_parsed drops the index of stacks; finding and adding stacks
 * afterwards still works (the index is rebuilt), with no duplicate. */
static void test_parsed_indexes(void **st)
{
	(void)st;
	struct snapshot *s = snapshot_new("parsed", 1);
	enum { N = 1000 };
	struct frame f = {.func = strtab_intern(&s->strs, "main.f", 6), .file = 0};
	for (uint32_t i = 0; i < N; i++) {
		f.line = i + 1;
		uint64_t sig = snapshot_stack_signature(s, &f, 1, 0);
		assert_int_equal(snapshot_find_stack(s, sig), UINT32_MAX);
		assert_int_equal(snapshot_add_stack(s, sig, &f, 1, 0, NULL), i);
	}
	snapshot_parsed(s);
	assert_null(s->stack_slots);
	for (uint32_t i = 0; i < N; i++) {
		f.line = i + 1;
		assert_int_equal(snapshot_find_stack(s, snapshot_stack_signature(s, &f, 1, 0)), i);
	}
	f.line = N + 1;
	uint64_t sig = snapshot_stack_signature(s, &f, 1, 0);
	assert_int_equal(snapshot_find_stack(s, sig), UINT32_MAX);
	assert_int_equal(snapshot_add_stack(s, sig, &f, 1, 0, NULL), N);
	assert_int_equal(snapshot_find_stack(s, sig), N);
	assert_int_equal(s->nstacks, N + 1);
	snapshot_free(s);
}

/* Groups of profile samples share the one empty record and keep only
 * their own states; a group of goroutine records has its own record. */
static void test_sample_groups_lean(void **st)
{
	(void)st;
	struct snapshot *s = snapshot_new("samples", 1);
	s->profile = PROF_GOROUTINE;
	struct frame f = {.func = strtab_intern(&s->strs, "main.f", 6), .file = 0};
	for (uint32_t i = 0; i < 100; i++) {
		f.line = i + 1;
		uint64_t sig = snapshot_stack_signature(s, &f, 1, 0);
		uint32_t id = snapshot_add_stack(s, sig, &f, 1, 0, NULL);
		snapshot_add_sample(s, id, 0, (int64_t)i + 1, 0, false, i);
	}
	snapshot_parsed(s);
	struct group_options o;
	group_options_default(&o);
	struct analysis a;
	analysis_run(s, &o, &a);
	assert_int_equal(a.ngroups, 100);
	assert_int_equal(a.groups[0].count, 100); /* largest first */
	assert_int_equal(a.total, 5050);
	for (uint32_t g = 0; g < a.ngroups; g++) {
		assert_ptr_equal(a.groups[g].rec, &group_records_none);
		assert_int_equal(a.groups[g].nstates, 1);
		assert_int_equal(a.groups[g].states[0].count, a.groups[g].count);
	}
	assert_null(a.group_records);
	analysis_free(&a);
	snapshot_free(s);

	struct snapset set = parse_specs(ZOO, ARRAY_LEN(ZOO));
	analysis_run(set.v[0], &o, &a);
	assert_non_null(a.group_records);
	for (uint32_t g = 0; g < a.ngroups; g++) {
		assert_true(a.groups[g].rec != &group_records_none);
		assert_true(a.groups[g].rec->nids > 0);
	}
	analysis_free(&a);
	snapset_free(&set);
}

/* Shared objects among thousands of waits on objects of their own: the
 * prefilter by hash slot (group.c) must keep every object with three
 * waiters or more and nothing else may show. */
static void test_shared_among_many(void **st)
{
	(void)st;
	size_t cap = 1 << 23, o = 0;
	char *t = malloc(cap);
	static const char *const paths[] = {"main.pathA", "main.pathB", "main.pathC", "main.pathD", "main.pathE"};
	uint64_t id = 1;
	for (size_t p = 0; p < ARRAY_LEN(paths); p++) {
		for (int k = 0; k < 2000; k++) {
			uint64_t obj = 0xc001000000ULL + (id << 8); /* one of its own */
			if (k < 2 && p < 2)
				obj = 0xc0000aa000ULL; /* X: 4 waiters, 2 groups */
			else if (k >= 2 && k < 4 && p == 3)
				obj = 0xc0000bb000ULL; /* Y: 2 waiters, 1 group: not shared */
			else if (k == 5 && p >= 2)
				obj = 0xc0000cc000ULL; /* Z: 3 waiters, 3 groups */
			o += (size_t)snprintf(t + o, cap - o,
					      "goroutine %llu [sync.Mutex.Lock]:\nsync.(*Mutex).lockSlow(0x%llx)\n"
					      "\t/src/sync.go:3 +0x1\n%s()\n\t/src/m.go:%zu +0x1\n\n",
					      (unsigned long long)id, (unsigned long long)obj, paths[p], 10 * p + 10);
			id++;
		}
	}
	struct snapset set;
	snapset_init(&set);
	assert_int_equal(traceback_parse_mem(t, o, "many", NULL, &set, NULL, NULL), ST_OK);
	free(t);
	struct group_options opt;
	group_options_default(&opt);
	struct analysis a;
	analysis_run(set.v[0], &opt, &a);
	assert_int_equal(a.nshared, 2);
	assert_int_equal(a.shared[0].object, 0xc0000aa000ULL);
	assert_int_equal(a.shared[0].waiters, 4);
	assert_int_equal(a.shared[0].groups, 2);
	assert_int_equal(a.shared[1].object, 0xc0000cc000ULL);
	assert_int_equal(a.shared[1].waiters, 3);
	assert_int_equal(a.shared[1].groups, 3);
	analysis_free(&a);
	snapset_free(&set);
}

static void test_shared_lock(void **st)
{
	(void)st;
	/* one mutex, three call paths, two goroutines each, waiting minutes */
	static const struct gspec specs[] = {
		{1, "running", "main.main@10", NULL, -1, NULL},
		{2, "sync.Mutex.Lock", "sync.(*Mutex).lockSlow@3;main.pathA@20", "main.serve", 2, "0xc0000cc000"},
		{2, "sync.Mutex.Lock", "sync.(*Mutex).lockSlow@3;main.pathB@30", "main.serve", 2, "0xc0000cc000"},
		{2, "sync.Mutex.Lock", "sync.(*Mutex).lockSlow@3;main.pathC@40", "main.serve", 2, "0xc0000cc000"},
		{2, "sync.Mutex.Lock", "sync.(*Mutex).lockSlow@3;main.other@50", "main.serve", 2, "0xc0000dd000"},
	};
	struct snapset set = parse_specs(specs, ARRAY_LEN(specs));
	struct group_options o;
	group_options_default(&o);
	struct analysis a;
	analysis_run(set.v[0], &o, &a);
	assert_int_equal(a.nshared, 1); /* the other mutex has one group only */
	assert_int_equal(a.shared[0].object, 0xc0000cc000ULL);
	assert_int_equal(a.shared[0].waiters, 6);
	assert_int_equal(a.shared[0].groups, 3);
	assert_int_equal(a.shared[0].max_minutes, 3);
	assert_int_equal(a.nsuspects, 1);
	assert_true(a.suspects[0].shared_object);
	assert_int_equal(a.suspects[0].count, 6);
	assert_int_equal(a.suspects[0].ngroups, 3);
	assert_int_equal(a.suspects[0].confidence, CONF_MEDIUM);
	assert_string_equal(a.suspects[0].pattern->id, "lock-held-forever");
	assert_int_equal(find(&a, "main.pathB")->suspicion, CONF_MEDIUM);
	assert_int_equal(find(&a, "main.other")->suspicion, CONF_NONE);
	analysis_free(&a);
	snapset_free(&set);
}

static void test_classes(void **st)
{
	(void)st;
	assert_true(is_stdlib_func("sync.(*Mutex).Lock"));
	assert_true(is_stdlib_func("net/http.(*conn).serve"));
	assert_false(is_stdlib_func("main.main"));
	assert_false(is_stdlib_func("github.com/x/y.F"));
	assert_false(is_stdlib_func("golang.org/x/sync/errgroup.(*Group).Wait"));
	assert_true(state_blocks_forever("chan send (nil chan)"));
	assert_true(state_blocks_forever("select (no cases)"));
	assert_false(state_blocks_forever("select"));
	assert_true(wait_class_can_leak(WC_CHANNEL));
	assert_false(wait_class_can_leak(WC_IO));
	assert_string_equal(wait_class_name(WC_WAITGROUP), "waitgroup");
}

/* diff: the same first groups (same ids), one grown, one gone, one new. */
static void test_diff(void **st)
{
	(void)st;
	static const struct gspec OLD[] = {
		{1, "running", "main.main@10", NULL, -1, NULL},
		{10, "chan send", "main.leak@88", "main.handler", 3, NULL},
		{4, "chan receive", "main.worker@40", "main.startPool", -1, NULL},
		{2, "select", "main.gone@12", "main.main", -1, NULL},
	};
	static const struct gspec NEW[] = {
		{1, "running", "main.main@10", NULL, -1, NULL},
		{25, "chan send", "main.leak@88", "main.handler", 5, NULL},
		{4, "chan receive", "main.worker@40", "main.startPool", -1, NULL},
		{3, "sleep", "main.fresh@7", "main.main", -1, NULL},
	};
	struct snapset a = parse_specs(OLD, ARRAY_LEN(OLD)), b = parse_specs(NEW, ARRAY_LEN(NEW));
	struct group_options o;
	group_options_default(&o);
	struct analysis x, y;
	analysis_run(a.v[0], &o, &x);
	analysis_run(b.v[0], &o, &y);
	struct diff d;
	diff_run(&x, &y, &d);
	assert_true(d.by_id);
	assert_int_equal(d.counts[DIFF_NEW], 1);
	assert_int_equal(d.counts[DIFF_GONE], 1);
	assert_int_equal(d.counts[DIFF_GROWN], 1);
	assert_int_equal(d.counts[DIFF_SAME], 2);
	/* largest change first: the leak, +15. Ids are numbered in order here,
	 * so the new leak group (ids 2..26) holds every old id from 2 to 17:
	 * 2..11 were leak goroutines already (persisted), 12..17 were workers
	 * and others (moved in from other groups: neither new nor persisted). */
	assert_int_equal(d.v[0].status, DIFF_GROWN);
	assert_int_equal(d.v[0].delta, 15);
	assert_int_equal(d.v[0].persisted, 10);
	assert_int_equal(d.v[0].moved_in, 6);
	assert_int_equal(d.new_total - d.old_total, 16);
	/* ids: 1..17 in old; 1..33 in new, all of 1..17 present again */
	assert_int_equal(d.persisted, 17);
	assert_int_equal(d.moved, 6); /* old workers and gone ones, in the leak group now */
	assert_int_equal(d.created, 16);
	assert_int_equal(d.exited, 0);
	/* matching is by content: equal keys for the same stack in two snapshots */
	const struct group *g1 = find(&x, "main.worker"), *g2 = find(&y, "main.worker");
	assert_true(diff_group_key(&x, g1, true) == diff_group_key(&y, g2, true));
	assert_true(diff_group_key(&x, g1, true) != diff_group_key(&x, find(&x, "main.leak"), true));
	diff_free(&d);
	analysis_free(&x);
	analysis_free(&y);
	snapset_free(&a);
	snapset_free(&b);
}

/* One snapshot, honestly: a pool started by main is parked, not suspected;
 * one goroutine waiting an hour on a lock is a strong suspect; many parked
 * goroutines alone are a suspicion without strong evidence. */
static void test_one_snapshot(void **st)
{
	(void)st;
	static const struct gspec specs[] = {
		{1, "running", "main.main@10", NULL, -1, NULL},
		{64, "chan receive", "main.poolWorker@40", "main.main", 90, NULL},
		{30, "chan receive", "main.burst@50", "main.serve", -1, NULL},
		{1, "sync.Mutex.Lock", "sync.runtime_SemacquireMutex@1;sync.(*Mutex).lockSlow@2;main.crit@20", "main.serve",
		 120, "0xc0000bb000"},
	};
	struct snapset set = parse_specs(specs, ARRAY_LEN(specs));
	struct group_options o;
	group_options_default(&o);
	struct analysis a;
	analysis_run(set.v[0], &o, &a);
	assert_int_equal(find(&a, "main.poolWorker")->suspicion, CONF_NONE);
	assert_int_equal(a.nparked, 1);
	assert_int_equal(a.parked[0].count, 64);
	assert_non_null(strstr(a.parked[0].reason, "started by main"));
	assert_int_equal(a.nsuspects, 2);
	assert_int_equal(a.strong_suspects, 1);
	const struct suspect *lock = &a.suspects[0];
	assert_int_equal(lock->count, 1);
	assert_true(lock->strong);
	assert_int_equal(lock->confidence, CONF_HIGH); /* two hours on a lock */
	assert_non_null(strstr(lock->reason, "one goroutine has waited for a lock"));
	assert_false(a.suspects[1].strong); /* 30 parked, no wait times */
	assert_int_equal(a.suspects[1].in_state, 30);
	assert_int_equal(a.suspects[1].confidence, CONF_LOW);
	analysis_free(&a);
	snapset_free(&set);
}

/* A dump of runs of goroutines: ids from..from+n-1 parked in func. */
struct run {
	int from, n;
	const char *state, *func;
};

/* The runs as a dump, their ids offset by id_base (a big one makes the
 * ids sparse, so series keeps them in a hash set, not a bit per id). */
static struct snapset dump_at(const struct run *r, size_t nr, unsigned long long id_base)
{
	size_t cap = 1 << 20, o = 0;
	char *t = malloc(cap);
	for (size_t i = 0; i < nr; i++)
		for (int k = 0; k < r[i].n; k++)
			o += (size_t)snprintf(t + o, cap - o,
					      "goroutine %llu [%s]:\n%s()\n\t/src/a.go:7 +0x1\ncreated by main.main\n\t/src/m.go:3 +0x2\n\n",
					      id_base + (unsigned long long)(r[i].from + k), r[i].state, r[i].func);
	struct snapset set;
	snapset_init(&set);
	struct err e;
	assert_int_equal(traceback_parse_mem(t, o, "t", NULL, &set, NULL, &e), ST_OK);
	free(t);
	return set;
}

static struct snapset dump_of(const struct run *r, size_t nr)
{
	return dump_at(r, nr, 0);
}

/* A series of up to 8 parsed snapshots, a minute apart, analysed and
 * followed with the default options: fill sets[0..n), then series_follow. */
struct series_case {
	struct snapset sets[8];
	struct analysis an[8];
	struct series_point pts[8];
	uint32_t n;
	struct series_result r;
};

static void series_follow(struct series_case *c, uint32_t n)
{
	struct group_options o;
	group_options_default(&o);
	c->n = n;
	for (uint32_t i = 0; i < n; i++) {
		analysis_run(c->sets[i].v[0], &o, &c->an[i]);
		c->pts[i] = (struct series_point){&c->an[i], 1000000000LL * 60 * (i + 1)};
	}
	struct series_options so;
	series_options_default(&so);
	series_run(c->pts, n, &so, &c->r);
}

static void series_case_free(struct series_case *c)
{
	series_free(&c->r);
	for (uint32_t i = 0; i < c->n; i++) {
		analysis_free(&c->an[i]);
		snapset_free(&c->sets[i]);
	}
}

/* Whether a group set aside starts at func and says why. */
static bool set_aside(const struct series_case *c, const char *func, const char *why)
{
	for (uint32_t i = 0; i < c->r.nignored; i++) {
		const struct series_ignored *ig = &c->r.ignored[i];
		const struct analysis *a = &c->an[ig->point];
		const struct stack *st = &a->snap->stacks[a->groups[ig->group].stack];
		if (!strcmp(snapshot_str(a->snap, (*snapshot_frame(a->snap, st, 0)).func), func) && strstr(ig->reason, why))
			return true;
	}
	return false;
}

/* leaks over time: a leak keeps its ids and grows; a pool is stable; a
 * group that grows with new ids each time churns; a burst drains. */
static void test_series(void **st)
{
	(void)st;
	static const struct run S[3][4] = {
		{{100, 5, "chan send", "main.leak"}, {200, 4, "chan receive", "main.pool"}, {300, 2, "IO wait", "main.conn"},
		 {400, 1, "select", "main.burst"}},
		{{100, 12, "chan send", "main.leak"}, {200, 4, "chan receive", "main.pool"}, {310, 6, "IO wait", "main.conn"},
		 {400, 30, "select", "main.burst"}},
		{{100, 20, "chan send", "main.leak"}, {200, 4, "chan receive", "main.pool"}, {320, 9, "IO wait", "main.conn"},
		 {400, 4, "select", "main.burst"}},
	};
	/* ids dense (a bit per id) and sparse (a hash set): the same */
	const unsigned long long bases[] = {0, 1000000000000ULL};
	for (size_t b = 0; b < ARRAY_LEN(bases); b++) {
		struct series_case c;
		for (int i = 0; i < 3; i++)
			c.sets[i] = dump_at(S[i], 4, bases[b]);
		series_follow(&c, 3);
		const struct series_result *r = &c.r;
		assert_true(r->ids);
		assert_true(r->times_known);
		assert_int_equal(r->nleaks, 1);
		const struct leak *l = &r->leaks[0];
		assert_int_equal(l->confidence, CONF_HIGH);
		assert_int_equal(l->counts[0], 5);
		assert_int_equal(l->counts[2], 20);
		assert_true(l->growth_per_min > 7.4 && l->growth_per_min < 7.6); /* 15 over 2 minutes */
		assert_string_equal(l->state, "chan send");
		assert_non_null(l->pattern);
		assert_string_equal(l->pattern->id, "abandoned-send");
		/* the connection group grew but its goroutines never persist */
		assert_true(set_aside(&c, "main.conn", "do not persist"));
		series_case_free(&c);
	}
}

/* Look-alikes over seven snapshots: a group that fills up and holds level
 * (a pool, a fixed number of clients) and one that falls back on the way
 * are not leaks, even with ids that persist; a steady leak's evidence says
 * exactly what the counts and ids show. */
static void test_series_lookalikes(void **st)
{
	(void)st;
	static const int LEAK[7] = {2, 4, 6, 8, 10, 12, 14}, SAT[7] = {2, 6, 10, 12, 12, 12, 12},
			 DIP[7] = {4, 8, 12, 4, 12, 13, 14};
	struct series_case c;
	for (int i = 0; i < 7; i++) {
		const struct run r[3] = {{100, LEAK[i], "chan send", "main.leak"},
					 {500, SAT[i], "IO wait", "main.conn"},
					 {900, DIP[i], "select", "main.poll"}};
		c.sets[i] = dump_of(r, 3);
	}
	series_follow(&c, 7);
	assert_int_equal(c.r.nleaks, 1);
	const struct leak *l = &c.r.leaks[0];
	assert_int_equal(l->counts[6], 14);
	assert_int_equal(l->nevidence, 2);
	assert_string_equal(l->evidence[0], "the count never fell and rose from 2 to 14 over 7 snapshots");
	assert_string_equal(l->evidence[1],
			    "goroutine ids persist: every snapshot's goroutines are still there in the next");
	assert_true(set_aside(&c, "main.conn", "held level"));
	assert_true(set_aside(&c, "main.poll", "fell back"));
	series_case_free(&c);
}

/* Goroutines created and not yet run (a debug=1 record of their exit
 * address alone) grow when the machine is busy: set aside, not a leak,
 * while a symbolized group growing beside them is one. */
static void test_series_unstarted(void **st)
{
	(void)st;
	static const int UNSTARTED[3] = {1, 6, 12}, LEAK[3] = {10, 20, 30};
	struct series_case c;
	for (int i = 0; i < 3; i++) {
		char text[512];
		int n = snprintf(text, sizeof(text),
				 "goroutine profile: total %d\n%d @ 0x46b1c1\n\n%d @ 0x43b296 0x671225 0x46b1c1\n"
				 "#\t0x671224\tmain.leak+0x24\t/src/a.go:7\n\n",
				 UNSTARTED[i] + LEAK[i], UNSTARTED[i], LEAK[i]);
		snapset_init(&c.sets[i]);
		struct err e;
		assert_int_equal(debug1_parse(text, (size_t)n, "t", NULL, false, &c.sets[i], &e), ST_OK);
	}
	series_follow(&c, 3);
	assert_int_equal(c.r.nleaks, 1);
	assert_int_equal(c.r.leaks[0].counts[2], 30);
	assert_true(set_aside(&c, "0x46b1c1", "not started yet"));
	series_case_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_by_stack), cmocka_unit_test(test_group_coarse), cmocka_unit_test(test_filters),
		cmocka_unit_test(test_suspects),       cmocka_unit_test(test_sites_pooled),
		cmocka_unit_test(test_shared_lock), cmocka_unit_test(test_shared_among_many), cmocka_unit_test(test_goroutine_columns), cmocka_unit_test(test_zero_minutes), cmocka_unit_test(test_split_summaries), cmocka_unit_test(test_split_grouping), cmocka_unit_test(test_merge_columns), cmocka_unit_test(test_parsed_indexes), cmocka_unit_test(test_sample_groups_lean),
		cmocka_unit_test(test_classes),        cmocka_unit_test(test_diff), cmocka_unit_test(test_series),
		cmocka_unit_test(test_series_lookalikes), cmocka_unit_test(test_one_snapshot),
		cmocka_unit_test(test_series_unstarted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
