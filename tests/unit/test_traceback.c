/* Unit tests for the traceback reader (traceback.c, tb_prefix.c, tb_race.c):
 * small inputs covering each wrapping and format feature, and bad input. */
#include "../../src/base/common.h"
#include "../../src/parse/traceback.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

static struct snapset parse(const char *text)
{
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	assert_int_equal(traceback_parse_mem(text, strlen(text), "t", NULL, &set, NULL, &err), ST_OK);
	return set;
}

static const char *fn(const struct snapshot *s, uint64_t gi, uint32_t fi)
{
	struct goroutine g_v = snapshot_goroutine(s, gi);
	const struct goroutine *g = &g_v;
	const struct stack *st = &s->stacks[g->stack];
	if (fi >= st->nframes)
		return NULL;
	return snapshot_str(s, (*snapshot_frame(s, st, fi)).func);
}

static uint32_t nframes(const struct snapshot *s, uint64_t gi)
{
	return s->stacks[snapshot_goroutine_stack(s, gi)].nframes;
}

static const char *state(const struct snapshot *s, uint64_t gi)
{
	return snapshot_str(s, snapshot_goroutine(s, gi).state);
}

static const char PLAIN[] =
	"goroutine 1 [running]:\n"
	"main.main()\n"
	"\t/src/app/main.go:22 +0x1d\n"
	"\n"
	"goroutine 6 [chan receive, 3 minutes]:\n"
	"main.worker(0x1, {0xc000012345, 0x2}, 0xc00001a0c0)\n"
	"\t/src/app/worker.go:40 +0x8a\n"
	"created by main.main in goroutine 1\n"
	"\t/src/app/main.go:18 +0x6f\n"
	"\n"
	"goroutine 7 [chan receive, 5 minutes]:\n"
	"main.worker(0x2, {0xc000012345, 0x2}, 0xc00001a0c0)\n"
	"\t/src/app/worker.go:40 +0x8a\n"
	"created by main.main in goroutine 1\n"
	"\t/src/app/main.go:18 +0x6f\n";

static void test_plain(void **st)
{
	(void)st;
	struct snapset set = parse(PLAIN);
	assert_int_equal(set.n, 1);
	struct snapshot *s = set.v[0];
	assert_int_equal(s->ngoroutines, 3);
	assert_int_equal(s->nstacks, 2); /* the two workers share a signature */
	assert_int_equal(s->kind, SNAP_STACKS);
	assert_string_equal(fn(s, 1, 0), "main.worker");
	assert_string_equal(state(s, 1), "chan receive");
	struct goroutine g_v = snapshot_goroutine(s, 2);
	const struct goroutine *g = &g_v;
	assert_int_equal(g->id, 7);
	assert_int_equal(g->minutes, 5);
	assert_true(g->flags & G_HAS_PARENT);
	assert_int_equal(g->parent, 1);
	const struct stack *stk = &s->stacks[g->stack];
	assert_true(stk->flags & STACK_HAS_CREATOR);
	assert_string_equal(snapshot_str(s, stk->creator.func), "main.main");
	assert_int_equal(stk->creator.line, 18);
	assert_false(s->truncated);
	snapset_free(&set);
}

/* The same dump through other wrappings must give the same result. */
static void check_like_plain(const char *text, enum snap_kind kind)
{
	struct snapset set = parse(text);
	assert_int_equal(set.n, 1);
	struct snapshot *s = set.v[0];
	assert_int_equal(s->ngoroutines, 3);
	assert_int_equal(s->nstacks, 2);
	assert_int_equal(s->kind, kind);
	assert_string_equal(fn(s, 0, 0), "main.main");
	assert_string_equal(fn(s, 2, 0), "main.worker");
	assert_int_equal(snapshot_goroutine(s, 2).minutes, 5);
	assert_string_equal(snapshot_str(s, s->stacks[snapshot_goroutine_stack(s, 2)].creator.func), "main.main");
	assert_false(s->truncated);
	snapset_free(&set);
}

static char *transform(const char *in, const char *line_prefix, const char *eol, bool spaces)
{
	size_t cap = strlen(in) * 4 + 4096;
	char *out = malloc(cap), *o = out;
	const char *p = in;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		o += sprintf(o, "%s", line_prefix);
		if (spaces && n && p[0] == '\t') {
			o += sprintf(o, "        ");
			p++;
			n--;
		}
		memcpy(o, p, n);
		o += n;
		if (nl)
			o += sprintf(o, "%s", eol);
		p += n + (nl ? 1 : 0);
	}
	*o = '\0';
	return out;
}

/* in with a log prefix on every line whose timestamp changes from line to
 * line: style 0 as container runtimes write it (kubectl logs --timestamps,
 * nanoseconds), 1 the same in RFC 3339 (trailing zeros dropped, so its
 * width changes), 2 as journalctl prints it (seconds; "]: " after the last
 * digit). */
static char *stamped(const char *in, int style)
{
	char *out = malloc(strlen(in) * 4 + 4096), *o = out;
	const char *p = in;
	for (unsigned i = 1; *p; i++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		unsigned ns = i * 7919u % 1000000000u;
		if (style == 0) {
			o += sprintf(o, "2026-12-06T19:%02u:%02u.%09uZ stderr F ", i / 7 % 60, i % 60, ns);
		} else if (style == 1) {
			char frac[16];
			snprintf(frac, sizeof(frac), "%09u", i % 3 ? ns : ns / 1000 * 1000);
			for (size_t k = strlen(frac); k > 1 && frac[k - 1] == '0'; k--)
				frac[k - 1] = '\0';
			o += sprintf(o, "2026-12-06T19:00:%02u.%sZ stdout F ", i % 60, frac);
		} else {
			o += sprintf(o, "Dec 06 19:%02u:%02u web-7 app[4242]: ", i / 3 % 60, i % 60);
		}
		memcpy(o, p, n);
		o += n;
		if (nl)
			*o++ = '\n';
		p += n + (nl ? 1 : 0);
	}
	*o = '\0';
	return out;
}

static void test_wrappings(void **st)
{
	(void)st;
	char *t;
	t = transform(PLAIN, "", "\r\n", false);
	check_like_plain(t, SNAP_STACKS);
	free(t);
	t = transform(PLAIN, "", "\n", true);
	check_like_plain(t, SNAP_STACKS);
	free(t);
	t = transform(PLAIN, "2017/05/05 17:55:54 [DEBUG] plugin: terraform: ", "\n", false);
	check_like_plain(t, SNAP_STACKS);
	free(t);
	t = transform(PLAIN, "2021-05-27T10:46:33.875+0300 [DEBUG] plugin.x_v1.11.0_x4: ", "\r\n", true);
	check_like_plain(t, SNAP_STACKS);
	free(t);
	for (int style = 0; style < 3; style++) {
		t = stamped(PLAIN, style);
		check_like_plain(t, SNAP_STACKS);
		free(t);
	}
	/* glued to a shell prompt, with a preamble */
	char buf[4096];
	snprintf(buf, sizeof(buf), "user@host:~$ ./app\nstarting...\npanic: boom\n\n%s\nexit status 2\n", PLAIN);
	check_like_plain(buf, SNAP_PANIC);
	snprintf(buf, sizeof(buf), "dumping all stacks%s", PLAIN);
	check_like_plain(buf, SNAP_STACKS);
	/* markdown around it */
	snprintf(buf, sizeof(buf), "# Incident notes\n\nSaw this:\n\n```\n%s\n```\n\n## analysis\nthe worker leaks\n", PLAIN);
	check_like_plain(buf, SNAP_STACKS);
}

static void test_several_dumps(void **st)
{
	(void)st;
	char buf[8192];
	/* a repeated goroutine id starts a new dump; so does a new preamble */
	snprintf(buf, sizeof(buf), "%s\nlog line\n%s\npanic: again\n\n%s", PLAIN, PLAIN, PLAIN);
	struct snapset set = parse(buf);
	assert_int_equal(set.n, 3);
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(set.v[i]->ngoroutines, 3);
		assert_int_equal(set.v[i]->index, i + 1);
	}
	assert_int_equal(set.v[2]->kind, SNAP_PANIC);
	assert_string_equal(set.v[2]->preamble, "panic: again");
	snapset_free(&set);
}

static void test_truncated(void **st)
{
	(void)st;
	/* cut inside a frame: the function line has no file line */
	const char *t = "goroutine 1 [running]:\nmain.main()\n\t/a.go:1\n\ngoroutine 2 [select]:\nmain.loop(0x1)\n";
	struct snapset set = parse(t);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.v[0]->ngoroutines, 2);
	assert_true(set.v[0]->truncated);
	assert_true(snapshot_goroutine(set.v[0], 1).flags & G_TRUNCATED);
	assert_false(snapshot_goroutine(set.v[0], 0).flags & G_TRUNCATED);
	assert_true(set.v[0]->nwarnings >= 1);
	snapset_free(&set);
	/* cut inside the header line */
	t = "goroutine 1 [running]:\nmain.main()\n\t/a.go:1\n\ngoroutine 2 [sel";
	set = parse(t);
	assert_int_equal(set.v[0]->ngoroutines, 2);
	assert_true(set.v[0]->truncated);
	snapset_free(&set);
	/* the only goroutine ends in a function line without its file line */
	t = "goroutine 2 [select]:\nmain.loop(0x1)";
	set = parse(t);
	assert_int_equal(set.v[0]->ngoroutines, 1);
	assert_int_equal(nframes(set.v[0], 0), 1);
	assert_true(set.v[0]->truncated);
	snapset_free(&set);
	/* a header with no frames at the end of input */
	t = "goroutine 9 [chan send]:\n";
	set = parse(t);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.v[0]->ngoroutines, 1);
	assert_true(set.v[0]->truncated);
	snapset_free(&set);
}

static void test_frames_without_header(void **st)
{
	(void)st;
	/* frames with no goroutine header are not a dump */
	const char *t = "main.main()\n\t/a.go:1 +0x1\nmain.f()\n\t/a.go:2\n";
	struct snapset set = parse(t);
	assert_int_equal(set.n, 0);
	snapset_free(&set);
}

static void test_features(void **st)
{
	(void)st;
	const char *t =
		"SIGQUIT: quit\n"
		"PC=0x47328e m=0 sigcode=0\n"
		"\n"
		"goroutine 0 gp=0x5c8280 m=0 mp=0x5c8ee0 [idle]:\n"
		"runtime.futex()\n"
		"\t/go/src/runtime/sys_linux_amd64.s:557 +0x21 fp=0x7ffd sp=0x7ffc pc=0x46fd81\n"
		"\n"
		"goroutine 5 gp=0xc000 m=nil [chan receive (nil chan) (leaked), 7 minutes, locked to thread]:\n"
		"main.inl(...)\n"
		"\t/p/main.go:23\n"
		"main.outer(0x0?)\n"
		"\t/p/main.go:26 +0x15 fp=0x1 sp=0x2 pc=0x3\n"
		"...51 frames elided...\n"
		"main.rec(0x1)\n"
		"\t/p/main.go:30 +0x15\n"
		"created by main.main in goroutine 1\n"
		"\t/p/main.go:9 +0x5\n"
		"[originating from goroutine 1]:\n"
		"main.main(...)\n"
		"\t/p/main.go:9 +0x5\n"
		"\n"
		"goroutine 8 [running]:\n"
		"\tgoroutine running on other thread; stack unavailable\n"
		"created by main.main\n"
		"\t/p/main.go:10 +0x5\n"
		"\n"
		"rax    0xfffffffffffffffc\n"
		"rbx    0x0\n"
		"gs     0x0\n"
		"\n"
		"SIGQUIT: quit\n"
		"PC=0x4e3cbd m=2 sigcode=0\n"
		"\n"
		"goroutine 0 [idle]:\n"
		"runtime.usleep()\n"
		"\t/go/src/runtime/sys_linux_amd64.s:135 +0x3d\n"
		"rax    0xca\n"
		"gs     0x0\n";
	struct snapset set = parse(t);
	assert_int_equal(set.n, 1); /* the second SIGQUIT is a relayed thread dump */
	struct snapshot *s = set.v[0];
	assert_int_equal(s->kind, SNAP_SIGNAL);
	assert_string_equal(s->preamble, "SIGQUIT: quit");
	assert_string_equal(s->signal_detail, "PC=0x47328e m=0 sigcode=0");
	assert_int_equal(s->ngoroutines, 4);
	assert_true(s->register_dump);
	assert_int_equal(s->threads, 2);
	assert_true(s->gp_headers);
	assert_true(s->level2);
	struct goroutine g_v = snapshot_goroutine(s, 1);
	const struct goroutine *g = &g_v;
	assert_string_equal(state(s, 1), "chan receive (nil chan)");
	assert_true(g->flags & G_LEAKED);
	assert_true(g->flags & G_LOCKED);
	assert_int_equal(g->minutes, 7);
	assert_int_equal(nframes(s, 1), 3);
	assert_string_equal(fn(s, 1, 0), "main.inl");
	const struct stack *stk = &s->stacks[g->stack];
	assert_true((*snapshot_frame(s, stk, 0)).flags & FRAME_INLINED);
	assert_true(stk->flags & STACK_ELIDED_MIDDLE);
	assert_int_equal(stk->elided, 51);
	assert_int_equal(g->parent, 1);
	g_v = snapshot_goroutine(s, 2);
	assert_true(s->stacks[g->stack].flags & STACK_UNAVAILABLE);
	assert_int_equal(s->stacks[g->stack].nframes, 0);
	assert_true(s->stacks[g->stack].flags & STACK_HAS_CREATOR);
	assert_true(s->stacks[snapshot_goroutine_stack(s, 0)].flags & STACK_SYSTEM);
	snapset_free(&set);
}

static void test_labels_in_header(void **st)
{
	(void)st;
	const char *t = "goroutine 83 [chan receive] {endpoint: /api/orders, trace_id: \"q\\\"7 x\"}:\n"
			"main.f()\n\t/a.go:1\n";
	struct snapset set = parse(t);
	struct snapshot *s = set.v[0];
	uint32_t kv[8];
	assert_int_equal(snapshot_labels(s, snapshot_goroutine_labels(s, 0), kv, 4), 2);
	assert_string_equal(snapshot_str(s, kv[0]), "endpoint");
	assert_string_equal(snapshot_str(s, kv[1]), "/api/orders");
	assert_string_equal(snapshot_str(s, kv[3]), "q\"7 x");
	assert_int_equal(s->go_version_min, 27);
	snapset_free(&set);
}

/* The linker's escapes in package paths are shown as Go writes the import
 * path; a '%' without two hex digits stays as it is. */
static void test_escaped_package_path(void **st)
{
	(void)st;
	const char *t = "goroutine 7 [select]:\n"
			"gopkg.in/natefinch/lumberjack%2ev2.(*Logger).millRun(0xc000123400)\n"
			"\t/go/pkg/mod/gopkg.in/natefinch/lumberjack.v2@v2.2.1/lumberjack.go:379 +0x45\n"
			"main.odd%zz()\n\t/a.go:1\n";
	struct snapset set = parse(t);
	assert_string_equal(fn(set.v[0], 0, 0), "gopkg.in/natefinch/lumberjack.v2.(*Logger).millRun");
	assert_string_equal(fn(set.v[0], 0, 1), "main.odd%zz");
	snapset_free(&set);
}

static void test_race(void **st)
{
	(void)st;
	const char *t = "==================\n"
			"WARNING: DATA RACE\n"
			"Read at 0x0000005da5c0 by goroutine 8:\n"
			"  main.main.func2()\n"
			"      /tmp/race/main.go:14 +0x6a\n"
			"\n"
			"Previous write at 0x0000005da5c0 by main goroutine:\n"
			"  main.main.func1()\n"
			"      /tmp/race/main.go:13 +0x84\n"
			"\n"
			"Goroutine 8 (running) created at:\n"
			"  main.main()\n"
			"      /tmp/race/main.go:14 +0x136\n"
			"==================\n"
			"Found 1 data race(s)\n";
	struct snapset set = parse(t);
	assert_int_equal(set.n, 1);
	struct snapshot *s = set.v[0];
	assert_int_equal(s->kind, SNAP_RACE);
	assert_int_equal(s->ngoroutines, 0); /* races are not goroutines */
	assert_int_equal(s->nraces, 1);
	assert_int_equal(s->races_reported, 1);
	assert_string_equal(s->races[0].a.kind, "Read");
	assert_int_equal(s->races[0].a.goroutine, 8);
	assert_string_equal(snapshot_str(s, s->races[0].a.top.func), "main.main.func2");
	assert_int_equal(s->races[0].a.top.line, 14);
	assert_string_equal(s->races[0].b.kind, "Previous write");
	assert_true(s->races[0].b.main_goroutine);
	snapset_free(&set);
}

static void test_bad_input(void **st)
{
	(void)st;
	/* NUL bytes, invalid UTF-8 and garbage around a real dump */
	static const char t[] = "\x01\x02\xff\xfe garbage\n\0\0\0\ngoroutine 1 [running]:\nmain.\xff\xfe()\n\t/a\0b.go:1\n\n\xc3(";
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	assert_int_equal(traceback_parse_mem(t, sizeof(t) - 1, "t", NULL, &set, NULL, &err), ST_OK);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.v[0]->ngoroutines, 1);
	assert_int_equal(nframes(set.v[0], 0), 1);
	snapset_free(&set);
	/* pure binary: nothing, and the stats say why */
	char bin[4096];
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (char)(i * 7919 % 251);
	struct tb_stats stats;
	snapset_init(&set);
	assert_int_equal(traceback_parse_mem(bin, sizeof(bin), "t", NULL, &set, &stats, &err), ST_OK);
	assert_int_equal(set.n, 0);
	assert_true(stats.binary_lines > 0);
	snapset_free(&set);
	/* a preamble with no goroutines */
	const char *p = "panic: boom\n\nsome text\n";
	snapset_init(&set);
	assert_int_equal(traceback_parse_mem(p, strlen(p), "t", NULL, &set, &stats, &err), ST_OK);
	assert_int_equal(set.n, 0);
	assert_int_equal(stats.preamble_line, 1);
	assert_string_equal(stats.preamble, "panic: boom");
	snapset_free(&set);
}

static void test_long_line(void **st)
{
	(void)st;
	/* A 10 MB line inside a dump is cut and skipped with a warning; the
	 * goroutines around it survive. Read through a pipe to exercise the
	 * streaming reader. */
	size_t big = 10 * 1024 * 1024;
	size_t n = big + 1024;
	char *t = malloc(n);
	size_t o = (size_t)sprintf(t, "goroutine 1 [running]:\nmain.main()\n\t/a.go:1\n\n");
	memset(t + o, 'x', big);
	o += big;
	o += (size_t)sprintf(t + o, "\ngoroutine 2 [select]:\nmain.f()\n\t/a.go:2\n");
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		size_t w = 0;
		while (w < o) {
			ssize_t r = write(fds[1], t + w, o - w);
			if (r <= 0)
				_exit(1);
			w += (size_t)r;
		}
		_exit(0);
	}
	close(fds[1]);
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	struct tb_stats stats;
	assert_int_equal(traceback_parse_fd(fds[0], NULL, 0, "pipe", NULL, &set, &stats, &err), ST_OK);
	close(fds[0]);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.v[0]->ngoroutines, 2);
	assert_int_equal(stats.long_lines, 1);
	assert_true(set.v[0]->nwarnings >= 1);
	assert_non_null(strstr(set.v[0]->warnings[0].msg, "longer than"));
	assert_int_equal(set.v[0]->warnings[0].line, 5);
	snapset_free(&set);
	free(t);
}

static void test_streaming_many(void **st)
{
	(void)st;
	/* Many goroutines through a small-buffer stream: every goroutine is
	 * kept, stacks are shared, a giant goroutine crossing refills is
	 * pinned correctly. */
	FILE *f = tmpfile();
	for (int i = 1; i <= 20000; i++)
		fprintf(f, "goroutine %d [chan send]:\nmain.w%d(0x%x)\n\t/src/w.go:%d +0x1\ncreated by main.main\n\t/src/m.go:5\n\n",
			i, i % 7, i, 10 + i % 7);
	fprintf(f, "goroutine 999999 [select]:\n");
	for (int i = 0; i < 5000; i++)
		fprintf(f, "main.deep%d(0x1)\n\t/src/deep/a/very/long/path/to/make/this/goroutine/big/file%d.go:%d +0x1\n", i % 3, i % 3, i);
	rewind(f);
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	struct tb_options opt;
	tb_options_default(&opt);
	opt.max_line = 4096;
	opt.buffer_size = 16384; /* forces hundreds of refills and pins */
	assert_int_equal(traceback_parse_fd(fileno(f), NULL, 0, "tmp", &opt, &set, NULL, &err), ST_OK);
	fclose(f);
	assert_int_equal(set.n, 1);
	struct snapshot *s = set.v[0];
	assert_int_equal(s->ngoroutines, 20001);
	assert_int_equal(s->nstacks, 8);
	assert_int_equal(nframes(s, 20000), 4096); /* capped, with a warning */
	assert_string_equal(fn(s, 20000, 4095), "main.deep0");
	assert_string_equal(snapshot_str(s, (*snapshot_frame(s, &s->stacks[snapshot_goroutine_stack(s, 20000)], 4095)).file),
			    "/src/deep/a/very/long/path/to/make/this/goroutine/big/file0.go");
	snapset_free(&set);
}

/* Sequential and parallel reads of the same large input must agree on
 * everything: dumps, goroutines, stacks, line numbers, warnings. */
static void compare_parallel(const char *t, size_t n, uint32_t want_dumps, bool want_split)
{
	struct tb_options seq, par;
	tb_options_default(&seq);
	tb_options_default(&par);
	par.threads = 4;
	struct snapset a, b;
	snapset_init(&a);
	snapset_init(&b);
	struct err e;
	struct tb_stats sa, sb;
	assert_int_equal(traceback_parse_mem(t, n, "t", &seq, &a, &sa, &e), ST_OK);
	assert_int_equal(traceback_parse_mem(t, n, "t", &par, &b, &sb, &e), ST_OK);
	assert_int_equal(a.n, want_dumps);
	assert_int_equal(b.n, a.n);
	assert_int_equal(sa.lines, sb.lines);
	assert_int_equal(sa.parts, 1);
	if (want_split)
		assert_int_equal(sb.parts, 4);
	else
		assert_int_equal(sb.parts, 1);
	for (uint32_t i = 0; i < a.n; i++) {
		struct snapshot *x = a.v[i], *y = b.v[i];
		assert_int_equal(x->ngoroutines, y->ngoroutines);
		assert_int_equal(x->nstacks, y->nstacks);
		assert_int_equal(x->index, y->index);
		assert_int_equal(x->first_line, y->first_line);
		assert_int_equal(x->last_line, y->last_line);
		assert_int_equal(x->unique_ids, y->unique_ids);
		assert_int_equal(x->nwarnings, y->nwarnings);
		for (uint32_t w = 0; w < x->nwarnings; w++) {
			assert_int_equal(x->warnings[w].line, y->warnings[w].line);
			assert_string_equal(x->warnings[w].msg, y->warnings[w].msg);
		}
		for (uint64_t g = 0; g < x->ngoroutines; g += 997) {
			const struct goroutine gxv = snapshot_goroutine(x, g), gyv = snapshot_goroutine(y, g), *gx = &gxv, *gy = &gyv;
			assert_int_equal(gx->id, gy->id);
			assert_string_equal(snapshot_str(x, gx->state), snapshot_str(y, gy->state));
			assert_int_equal(x->stacks[gx->stack].hash, y->stacks[gy->stack].hash);
			assert_string_equal(fn(x, g, 0), fn(y, g, 0));
		}
	}
	snapset_free(&a);
	snapset_free(&b);
}

static size_t gen(char *t, size_t o, int from, int count, const char *state)
{
	for (int i = from; i < from + count; i++)
		o += (size_t)sprintf(t + o,
				     "goroutine %d [%s, %d minutes]:\nmain.f%d(0x%x)\n\t/src/f.go:%d +0x1\n"
				     "main.g()\n\t/src/g.go:7\ncreated by main.main in goroutine 1\n\t/src/m.go:3\n\n",
				     i, state, i % 9, i % 13, i, i % 17);
	return o;
}

static void test_parallel(void **st)
{
	(void)st;
	size_t cap = 64u << 20;
	char *t = malloc(cap);
	/* one big dump with a cut line in the middle */
	size_t o = gen(t, 0, 1, 150000, "chan receive");
	o += (size_t)sprintf(t + o, "goroutine 999999 [select]:\nmain.h(0x1)\n");
	memset(t + o, 'y', 2 << 20);
	o += 2 << 20;
	o += (size_t)sprintf(t + o, "\n\t/src/h.go:1\n\n");
	o = gen(t, o, 150001, 150000, "select");
	compare_parallel(t, o, 1, true);
	/* the same with CRLF line ends: cut at "\r\n\r\ngoroutine " too */
	char *crlf = malloc(2 * o);
	size_t c = 0;
	for (size_t i = 0; i < o; i++) {
		if (t[i] == '\n')
			crlf[c++] = '\r';
		crlf[c++] = t[i];
	}
	compare_parallel(crlf, c, 1, true);
	free(crlf);
	/* several dumps: ids repeat (no preamble), then a panic */
	o = gen(t, 0, 1, 120000, "chan send");
	o = gen(t, o, 1, 120000, "chan send");
	o += (size_t)sprintf(t + o, "panic: boom\n\n");
	o = gen(t, o, 1, 120000, "sleep");
	compare_parallel(t, o, 3, false); /* a part starts inside the second dump's ids */
	/* log-prefixed lines: the split cannot be made, one thread reads it */
	o = 0;
	for (int i = 1; i < 100000; i++)
		o += (size_t)sprintf(t + o,
				     "2017/05/05 17:55:54 [DEBUG] p: goroutine %d [chan receive]:\n"
				     "2017/05/05 17:55:54 [DEBUG] p: main.f()\n2017/05/05 17:55:54 [DEBUG] p: \t/a.go:%d\n"
				     "2017/05/05 17:55:54 [DEBUG] p: \n",
				     i, i % 5);
	compare_parallel(t, o, 1, false);
	free(t);
}

/* One goroutine of a service: a distinct long-lived one when distinct >= 0,
 * else one of four leaked stacks; cr puts a '\r' at the end of its first
 * file line (read alike line by line, never replayed). */
static size_t service_g(char *t, size_t o, int gid, int distinct, bool cr)
{
	if (distinct >= 0)
		return o + (size_t)sprintf(t + o,
					   "goroutine %d [select]:\nmain.loop%d(0xc000%06x)\n\t/src/loops.go:%d +0x1\n"
					   "created by main.main in goroutine 1\n\t/src/main.go:9 +0x2\n\n",
					   gid, distinct, distinct, 100 + distinct);
	return o + (size_t)sprintf(t + o,
				   "goroutine %d [chan send]:\nmain.leak%d(0xc%09x)\n\t/src/leak.go:%d +0x1%s\n"
				   "main.handle(0x%x, 0x0?)\n\t/src/handle.go:55 +0x2\n"
				   "created by main.serve in goroutine %d\n\t/src/serve.go:7 +0x3\n\n",
				   gid, gid % 4, gid * 7, 10 + gid % 4, cr ? "\r" : "", gid, gid / 3 + 1);
}

static struct snapshot *parse_replaying(const char *t, size_t n, bool replay, struct tb_stats *stats)
{
	struct tb_options opt;
	tb_options_default(&opt);
	opt.threads = 1;
	opt.replay = replay;
	struct snapset set;
	snapset_init(&set);
	struct err e;
	assert_int_equal(traceback_parse_mem(t, n, "t", &opt, &set, stats, &e), ST_OK);
	assert_int_equal(set.n, 1);
	struct snapshot *s = set.v[0];
	free(set.v);
	return s;
}

static void test_replay_resumes(void **st)
{
	(void)st;
	char *t = malloc(64u << 20);
	/* 1,500 distinct long-lived goroutines, then a leak of 20,000 on four
	 * stacks: the judge pauses replay on the first and must resume on the
	 * second, with the same result as line by line. */
	size_t o = 0;
	int gid = 1;
	for (int i = 0; i < 1500; i++)
		o = service_g(t, o, gid++, i, false);
	for (int i = 0; i < 20000; i++)
		o = service_g(t, o, gid++, -1, false);
	struct tb_stats with, without;
	struct snapshot *a = parse_replaying(t, o, true, &with), *b = parse_replaying(t, o, false, &without);
	assert_true(with.replayed >= 19000);
	assert_int_equal(without.replayed, 0);
	assert_int_equal(a->ngoroutines, b->ngoroutines);
	assert_int_equal(a->nstacks, 1504);
	assert_int_equal(b->nstacks, 1504);
	for (uint64_t g = 0; g < a->ngoroutines; g += 101) {
		struct goroutine x = snapshot_goroutine(a, g), y = snapshot_goroutine(b, g);
		assert_int_equal(x.id, y.id);
		assert_int_equal(x.parent, y.parent);
		assert_int_equal(x.object, y.object);
		assert_int_equal(a->stacks[x.stack].hash, b->stacks[y.stack].hash);
	}
	snapshot_free(a);
	snapshot_free(b);
	/* Stacks that repeat but whose blocks cannot be replayed (a '\r'):
	 * each pause waits twice as long as the one before, so the tries in
	 * vain stay a few windows of 1,024, not one goroutine in two. */
	o = 0;
	for (gid = 1; gid <= 4; gid++)
		o = service_g(t, o, gid, -1, false);
	for (; gid <= 100000; gid++)
		o = service_g(t, o, gid, -1, true);
	a = parse_replaying(t, o, true, &with);
	assert_int_equal(a->nstacks, 4);
	assert_int_equal(with.replayed, 0);
	assert_true(with.replay_missed > 3 * 1024); /* it did resume */
	assert_true(with.replay_missed < 12 * 1024);
	snapshot_free(a);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_wrappings),
		cmocka_unit_test(test_several_dumps),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_frames_without_header),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_labels_in_header),
		cmocka_unit_test(test_escaped_package_path),
		cmocka_unit_test(test_race),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_streaming_many),
		cmocka_unit_test(test_parallel),
		cmocka_unit_test(test_replay_resumes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
