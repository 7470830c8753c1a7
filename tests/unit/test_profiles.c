/* Unit tests for the profile readers: debug1.c, pprof.c, gunzip.c, and the
 * label filter. Protobuf inputs are built here field by field. */
#include "../../src/base/common.h"
#include "../../src/analyze/filter.h"
#include "../../src/analyze/group.h"
#include "../../src/base/buf.h"
#include "../../src/parse/debug1.h"
#include "../../src/base/gzip.h"
#include "../../src/parse/pprof.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>
#include <cmocka.h>

/* ---- debug=1 ---- */

struct d1_case {
	const char *name, *text;
	uint32_t nsnaps;
	enum profile_kind kind;
	uint64_t samples, total;
	int64_t delay_ns;
	uint32_t warnings;
	bool truncated;
};

static const struct d1_case d1_cases[] = {
	{"count profile with labels and CRLF",
	 "goroutine profile: total 3\r\n2 @ 0x1 0x2\r\n# labels: {\"k\":\"v\\\"w\"}\r\n#\t0x1\tmain.f+0x10\t\t/a/b.go:7\r\n\r\n"
	 "1 @ 0x3\r\n#\t0x3\tmain.g+0x1\t/a/c.go:9\r\n\r\n",
	 1, PROF_GOROUTINE, 2, 3, 0, 0, false},
	{"total that does not add up", "goroutine profile: total 5\n2 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n", 1,
	 PROF_GOROUTINE, 1, 2, 0, 1, false},
	{"last record cut off", "goroutine profile: total 3\n2 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n1 @ 0x467ba1", 1,
	 PROF_GOROUTINE, 2, 3, 0, 1, true},
	{"threadcreate without stacks", "threadcreate profile: total 2\n1 @\n#\t0x0\n\n1 @ 0x0 0x0\n#\t0x0\n\n", 1,
	 PROF_THREADCREATE, 2, 2, 0, 0, false},
	{"custom count profile", "my.profile profile: total 1\n1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n", 1, PROF_COUNT,
	 1, 1, 0, 0, false},
	{"mutex with cycles", "--- mutex:\ncycles/second=1000000000\nsampling period=1\n5000 2 @ 0x1\n"
	 "#\t0x1\tsync.(*Mutex).Unlock+0x1\t/s.go:1\n\n",
	 1, PROF_MUTEX, 1, 2, 5000, 0, false},
	{"block profile, empty", "--- contention:\ncycles/second=2000000000\n", 1, PROF_BLOCK, 0, 0, 0, 0, false},
	/* the input ends inside the number: no read past it (the table parses
	 * exact-size copies, so ASan sees any) */
	{"cycles at the very end", "--- contention:\ncycles/second=2000000000", 1, PROF_BLOCK, 0, 0, 0, 0, false},
	{"delay beyond int64 nanoseconds", "--- contention:\ncycles/second=0.000001\n5000000000000 1 @ 0x1\n"
	 "#\t0x1\tmain.f+0x1\t/a.go:1\n\n",
	 1, PROF_BLOCK, 0, 0, 0, 1, false},
	{"two profiles in a row", "goroutine profile: total 1\n1 @ 0x1\n\ngoroutine profile: total 1\n1 @ 0x2\n\n", 2,
	 PROF_GOROUTINE, 1, 1, 0, 0, false},
	{"stray line is a warning", "goroutine profile: total 1\n1 @ 0x1\nnonsense here\n\n", 1, PROF_GOROUTINE, 1, 1,
	 0, 1, false},
};

static void test_debug1_table(void **st)
{
	(void)st;
	for (size_t i = 0; i < ARRAY_LEN(d1_cases); i++) {
		const struct d1_case *c = &d1_cases[i];
		struct snapset set;
		snapset_init(&set);
		struct err err = {0};
		size_t n = strlen(c->text);
		char *exact = malloc(n ? n : 1); /* no NUL after it */
		memcpy(exact, c->text, n);
		assert_int_equal(debug1_parse(exact, n, "t", NULL, false, &set, &err), ST_OK);
		free(exact);
		if (set.n != c->nsnaps)
			fail_msg("%s: %u snapshots", c->name, set.n);
		const struct snapshot *s = set.v[0];
		if (s->profile != c->kind || s->ngoroutines != c->samples || s->total_weight != c->total ||
		    s->total_delay != c->delay_ns || s->nwarnings != c->warnings || s->truncated != c->truncated)
			fail_msg("%s: kind %d samples %llu total %llu delay %lld warnings %u truncated %d", c->name,
				 s->profile, (unsigned long long)s->ngoroutines, (unsigned long long)s->total_weight,
				 (long long)s->total_delay, s->nwarnings, s->truncated);
		snapset_free(&set);
	}
}

static void test_debug1_frames_and_labels(void **st)
{
	(void)st;
	const char *text = "goroutine profile: total 2\n2 @ 0x1 0x2\n# labels: {\"req id\":\"4\\\"2\", \"w\":\"a\"}\n"
			   "#\t0x1\tmain.(*T[...]).f+0x10\t/a b/c.go:21\n#\t0x2\n\n";
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	assert_int_equal(debug1_parse(text, strlen(text), "t", NULL, false, &set, &err), ST_OK);
	const struct snapshot *s = set.v[0];
	const struct stack *stk = &s->stacks[snapshot_goroutine_stack(s, 0)];
	assert_int_equal(stk->nframes, 2);
	const struct frame_view f = snapshot_frames(s, stk);
	assert_string_equal(snapshot_str(s, FRAME(f, 0).func), "main.(*T[...]).f");
	assert_string_equal(snapshot_str(s, FRAME(f, 0).file), "/a b/c.go");
	assert_int_equal(FRAME(f, 0).line, 21);
	assert_string_equal(snapshot_str(s, FRAME(f, 1).func), "0x2"); /* no symbol */
	uint32_t kv[8];
	assert_int_equal(snapshot_labels(s, snapshot_goroutine_labels(s, 0), kv, 4), 2);
	assert_string_equal(snapshot_str(s, kv[0]), "req id");
	assert_string_equal(snapshot_str(s, kv[1]), "4\"2");
	snapset_free(&set);

	assert_int_equal(debug1_parse("hello\n", 6, "t", NULL, false, &set, &err), ST_FORMAT);
}

/* Frame lines read again by their PC (debug1.c's cache): one line padded
 * with one TAB or with several is one frame; a PC named two ways is read
 * as each line says; a line with a trailing TAB or a field too many is
 * read as the line-by-line path reads it. */
static void check_repeated_lines(const char *text)
{
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	assert_int_equal(debug1_parse(text, strlen(text), "t", NULL, false, &set, &err), ST_OK);
	const struct snapshot *s = set.v[0];
	assert_int_equal(s->total_weight, 6);
	const char *want[5][2] = {{"main.f", "main.g"},
				  {"main.f", "main.longer_name"},
				  {"main.other", NULL},
				  {"main.h", "main.h"},
				  {"main.f", NULL}};
	/* a trailing TAB leaves "4\t" as the line number: no file; the extra
	 * field makes "/a.go:4\tx" the file */
	const uint32_t want_line[5][2] = {{1, 2}, {1, 3}, {9, 0}, {0, 5}, {1, 0}};
	for (uint32_t g = 0; g < 5; g++) {
		const struct stack *stk = &s->stacks[snapshot_goroutine_stack(s, g)];
		assert_int_equal(stk->nframes, want[g][1] ? 2 : 1);
		const struct frame_view f = snapshot_frames(s, stk);
		for (uint32_t k = 0; k < stk->nframes; k++) {
			assert_string_equal(snapshot_str(s, FRAME(f, k).func), want[g][k]);
			assert_int_equal(FRAME(f, k).line, want_line[g][k]);
		}
	}
	/* the same stack, padded differently: one stack, one record */
	assert_int_equal(s->ngoroutines, 5);
	assert_int_equal(snapshot_weight(s, 4), 2);
	snapset_free(&set);
}

static void test_debug1_repeated_lines(void **st)
{
	(void)st;
	const char *text = "goroutine profile: total 6\n"
			   "1 @ 0x1 0x2\n#\t0x1\tmain.f+0x1\t/a.go:1\n#\t0x2\tmain.g+0x1\t/a.go:2\n\n"
			   "1 @ 0x1 0x3\n#\t0x1\tmain.f+0x1\t\t/a.go:1\n#\t0x3\tmain.longer_name+0x1\t/a.go:3\n\n"
			   "1 @ 0x1\n#\t0x1\tmain.other+0x1\t/b.go:9\n\n"
			   "1 @ 0x4 0x4\n#\t0x4\tmain.h+0x1\t/a.go:4\t\n#\t0x4\tmain.h+0x1\t/a.go:4\tx:5\n\n"
			   "1 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n"
			   "1 @ 0x1\n#\t0x1\tmain.f+0x1\t\t\t/a.go:1\n\n";
	check_repeated_lines(text);
	/* the same with CRLF line ends, which the repeat path leaves to the
	 * general one */
	char crlf[1024];
	size_t o = 0;
	for (const char *c = text; *c; c++) {
		if (*c == '\n')
			crlf[o++] = '\r';
		crlf[o++] = *c;
	}
	crlf[o] = '\0';
	check_repeated_lines(crlf);
}

/* ---- protobuf, built field by field ---- */

struct pbuf {
	uint8_t b[4096];
	size_t n;
};

static void varint(struct pbuf *p, uint64_t v)
{
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		p->b[p->n++] = c | (v ? 0x80 : 0);
	} while (v);
}

static void fnum(struct pbuf *p, uint32_t field, uint64_t v)
{
	varint(p, (uint64_t)field << 3);
	varint(p, v);
}

static void fbytes(struct pbuf *p, uint32_t field, const void *data, size_t n)
{
	varint(p, (uint64_t)field << 3 | 2);
	varint(p, n);
	memcpy(p->b + p->n, data, n);
	p->n += n;
}

static void fmsg(struct pbuf *p, uint32_t field, const struct pbuf *m)
{
	fbytes(p, field, m->b, m->n);
}

static void fstr(struct pbuf *p, const char *s)
{
	fbytes(p, 6, s, strlen(s));
}

/* A goroutine profile: strings, function 1 (main.F[go.shape.int]) in a.go,
 * location 1 with two lines (inlined g then F), samples as given. */
static void goroutine_profile(struct pbuf *p, uint64_t loc_ref, bool packed, int64_t count, bool label)
{
	memset(p, 0, sizeof(*p));
	struct pbuf vt = {0}, s = {0}, l = {0}, ln1 = {0}, ln2 = {0}, fn = {0}, fn2 = {0}, lab = {0}, pk = {0};
	fnum(&vt, 1, 1);
	fnum(&vt, 2, 2);
	fmsg(p, 11, &vt); /* period_type first, as Go often writes */
	fmsg(p, 1, &vt);
	if (packed) {
		varint(&pk, loc_ref);
		varint(&pk, loc_ref);
		fmsg(&s, 1, &pk);
	} else {
		fnum(&s, 1, loc_ref);
		fnum(&s, 1, loc_ref);
	}
	fnum(&s, 2, (uint64_t)count);
	if (label) {
		fnum(&lab, 1, 5);
		fnum(&lab, 2, 6);
		fmsg(&s, 3, &lab);
	}
	fmsg(p, 2, &s);
	fnum(&ln1, 1, 2);
	fnum(&ln1, 2, 3);
	fnum(&ln2, 1, 1);
	fnum(&ln2, 2, 9);
	fnum(&l, 1, 1);
	fmsg(&l, 4, &ln1);
	fmsg(&l, 4, &ln2);
	fmsg(p, 4, &l);
	fnum(&fn, 1, 1);
	fnum(&fn, 2, 3);
	fnum(&fn, 4, 4);
	fmsg(p, 5, &fn);
	fnum(&fn2, 1, 2);
	fnum(&fn2, 2, 7);
	fnum(&fn2, 4, 4);
	fmsg(p, 5, &fn2);
	fnum(p, 12, 1);
	const char *strs[] = {"", "goroutine", "count", "main.F[go.shape.int]", "/a.go", "k", "v", "main.g"};
	for (size_t i = 0; i < ARRAY_LEN(strs); i++)
		fstr(p, strs[i]);
}

static void test_pprof_goroutine(void **st)
{
	(void)st;
	for (int packed = 0; packed < 2; packed++) {
		struct pbuf p;
		goroutine_profile(&p, 1, packed, 5, true);
		struct snapset set;
		snapset_init(&set);
		struct err err = {0};
		assert_int_equal(pprof_parse((const char *)p.b, p.n, "t", PROF_CONTENTION, NULL, &set, &err), ST_OK);
		const struct snapshot *s = set.v[0];
		assert_int_equal(s->profile, PROF_GOROUTINE);
		assert_int_equal(s->total_weight, 5);
		assert_int_equal(s->period, 1);
		const struct stack *stk = &s->stacks[snapshot_goroutine_stack(s, 0)];
		/* two locations of two lines each, the inlined callee first */
		assert_int_equal(stk->nframes, 4);
		const struct frame_view f = snapshot_frames(s, stk);
		assert_string_equal(snapshot_str(s, FRAME(f, 0).func), "main.g");
		assert_string_equal(snapshot_str(s, FRAME(f, 1).func), "main.F[...]");
		assert_int_equal(FRAME(f, 1).line, 9);
		uint32_t kv[4];
		assert_int_equal(snapshot_labels(s, snapshot_goroutine_labels(s, 0), kv, 2), 1);
		assert_string_equal(snapshot_str(s, kv[1]), "v");
		snapset_free(&set);
	}
}

static void test_pprof_bad(void **st)
{
	(void)st;
	struct pbuf p;
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	goroutine_profile(&p, 9, false, 1, false); /* location 9 is not defined */
	assert_int_equal(pprof_parse((const char *)p.b, p.n, "t", PROF_CONTENTION, NULL, &set, &err), ST_FORMAT);
	assert_non_null(strstr(err.msg, "location 9"));
	goroutine_profile(&p, 1, false, 1, false);
	for (size_t cut = 1; cut < p.n; cut += 7) /* every truncation fails cleanly or reads less */
		pprof_parse((const char *)p.b, cut, "t", PROF_CONTENTION, NULL, &set, &err);
	snapset_free(&set);
	snapset_init(&set);
	goroutine_profile(&p, 1, false, -3, false); /* delta profile: negative */
	assert_int_equal(pprof_parse((const char *)p.b, p.n, "t", PROF_CONTENTION, NULL, &set, &err), ST_OK);
	assert_int_equal(set.v[0]->dropped_negative, 1);
	assert_int_equal(set.v[0]->total_weight, 0);
	snapset_free(&set);
}

static void test_elide_shapes(void **st)
{
	(void)st;
	static const char *const cases[][2] = {
		{"main.F[go.shape.int]", "main.F[...]"},
		{"main.(*Box[go.shape.string]).Wait", "main.(*Box[...]).Wait"},
		{"main.F[go.shape.[]int,go.shape.map[string]int]", "main.F[...]"},
		{"main.F[...]", "main.F[...]"},
		{"type:.eq.[2]int", "type:.eq.[2]int"},
		{"main.f[", "main.f["},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char out[128];
		size_t n = pprof_elide_shapes(cases[i][0], strlen(cases[i][0]), out);
		out[n] = '\0';
		assert_string_equal(out, cases[i][1]);
	}
}

/* ---- gzip ---- */

static size_t gz(const char *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)n;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	size_t len = cap - zs.avail_out;
	deflateEnd(&zs);
	return len;
}

static void test_gzip_decompress(void **st)
{
	(void)st;
	static uint8_t packed[1 << 16];
	char *zeros = calloc(1, 1 << 20);
	size_t n = gz(zeros, 1 << 20, packed, sizeof(packed));
	size_t n2 = gz("hello", 5, packed + n, sizeof(packed) - n); /* a second member */
	packed[n + n2] = 0;
	packed[n + n2 + 1] = 0; /* and padding */
	char *out;
	size_t len, trailing;
	struct err err = {0};
	assert_int_equal(gzip_decompress((char *)packed, n + n2 + 2, 4 << 20, NULL, &out, &len, &trailing, &err), ST_OK);
	assert_int_equal(len, (1 << 20) + 5);
	assert_int_equal(trailing, 2);
	assert_memory_equal(out + (1 << 20), "hello", 5);
	free(out);
	/* over the cap */
	assert_int_equal(gzip_decompress((char *)packed, n, 1 << 19, NULL, &out, &len, &trailing, &err), ST_LIMIT);
	/* cut off */
	assert_int_equal(gzip_decompress((char *)packed, n / 2, 4 << 20, NULL, &out, &len, &trailing, &err), ST_FORMAT);
	assert_non_null(strstr(err.msg, "cut off"));
	/* the cap follows the input size, within bounds */
	assert_int_equal(gzip_cap(1000), (size_t)64 << 20);
	assert_int_equal(gzip_cap((size_t)1 << 30), (size_t)512 << 20);
	free(zeros);
}

/* ---- label filter ---- */

static void test_label_filter(void **st)
{
	(void)st;
	const char *text = "goroutine profile: total 3\n1 @ 0x1\n# labels: {\"endpoint\":\"/api/users\"}\n\n"
			   "1 @ 0x1\n# labels: {\"endpoint\":\"/api/users/x\"}\n\n1 @ 0x1\n\n";
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	assert_int_equal(debug1_parse(text, strlen(text), "t", NULL, false, &set, &err), ST_OK);
	const struct snapshot *s = set.v[0];
	struct filter f;
	assert_int_equal(filter_compile(&f, NULL, NULL, &err), ST_OK);
	assert_int_equal(filter_add_label(&f, "endpoint=/api/users", &err), ST_OK);
	/* anchored: the exact value only */
	assert_true(filter_labels_match(&f, s, snapshot_goroutine_labels(s, 0)));
	assert_false(filter_labels_match(&f, s, snapshot_goroutine_labels(s, 1)));
	assert_false(filter_labels_match(&f, s, snapshot_goroutine_labels(s, 2)));
	assert_int_equal(filter_add_label(&f, "novalue", &err), ST_USAGE);
	assert_int_equal(filter_add_label(&f, "k=(", &err), ST_USAGE);
	struct group_options o;
	group_options_default(&o);
	o.filter = &f;
	struct analysis a;
	analysis_run(s, &o, &a);
	assert_int_equal(a.shown, 1);
	assert_int_equal(a.filtered_out, 2);
	analysis_free(&a);
	assert_int_equal(group_by_parse("label:endpoint", &o, &err), ST_OK);
	o.filter = NULL;
	analysis_run(s, &o, &a);
	assert_int_equal(a.ngroups, 3); /* two values and "not set" */
	analysis_free(&a);
	filter_free(&f);
	snapset_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debug1_table), cmocka_unit_test(test_debug1_frames_and_labels),
		cmocka_unit_test(test_debug1_repeated_lines),
		cmocka_unit_test(test_pprof_goroutine), cmocka_unit_test(test_pprof_bad),
		cmocka_unit_test(test_elide_shapes), cmocka_unit_test(test_gzip_decompress),
		cmocka_unit_test(test_label_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
