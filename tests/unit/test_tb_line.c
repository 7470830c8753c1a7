/* Unit tests for the single-line traceback grammar (tb_line.c). */
#include "../../src/base/common.h"
#include "../../src/parse/tb_line.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

static bool sl(struct slice s, const char *want) { return slice_eq(s, want); }

struct header_case {
	const char *line;
	bool ok;
	uint64_t id;
	const char *state, *state_text;
	int minutes; /* -1 none */
	bool locked, leaked, durable, gp;
	int bubble;  /* -1 none */
	int nlabels;
};

static const struct header_case header_cases[] = {
	{"goroutine 1 [running]:", true, 1, "running", "running", -1, 0, 0, 0, 0, -1, 0},
	{"goroutine 7 [chan receive, 12 minutes]:", true, 7, "chan receive", "chan receive", 12, 0, 0, 0, 0, -1, 0},
	{"goroutine 34 [select, 5 minutes, locked to thread]:", true, 34, "select", "select", 5, 1, 0, 0, 0, -1, 0},
	{"goroutine 0 gp=0x5c8280 m=0 mp=0x5c8ee0 [idle]:", true, 0, "idle", "idle", -1, 0, 0, 0, 1, -1, 0},
	{"goroutine 6 gp=0xc0000036c0 m=nil [chan receive]:", true, 6, "chan receive", "chan receive", -1, 0, 0, 0, 1, -1, 0},
	{"goroutine 14 [chan receive (durable), synctest bubble 1]:", true, 14, "chan receive (durable)",
	 "chan receive (durable)", -1, 0, 0, 1, 0, 1, 0},
	{"goroutine 15 [sleep (durable), synctest bubble 1]:", true, 15, "sleep", "sleep (durable)", -1, 0, 0, 1, 0, 1, 0},
	{"goroutine 16 [chan receive (nil chan) (durable), synctest bubble 3]:", true, 16, "chan receive (nil chan)",
	 "chan receive (nil chan) (durable)", -1, 0, 0, 1, 0, 3, 0},
	{"goroutine 9 [chan receive (synctest), synctest group 5]:", true, 9, "chan receive (synctest)",
	 "chan receive (synctest)", -1, 0, 0, 0, 0, 5, 0},
	{"goroutine 6 [chan receive (leaked)]:", true, 6, "chan receive", "chan receive (leaked)", -1, 0, 1, 0, 0, -1, 0},
	{"goroutine 6 [select (no cases) (leaked)]:", true, 6, "select (no cases)", "select (no cases) (leaked)", -1, 0, 1, 0, 0, -1, 0},
	{"goroutine 6 [chan receive labels:{\"req id\": \"4\\\"2\", \"worker\": \"alpha]\"}]:", true, 6, "chan receive",
	 "chan receive", -1, 0, 0, 0, 0, -1, 2},
	{"goroutine 83 [chan receive] {endpoint: /api/orders, trace_id: \"q\\\"7 x\"}:", true, 83, "chan receive",
	 "chan receive", -1, 0, 0, 0, 0, -1, 2},
	{"goroutine 5 [sync.Mutex.Lock, 8 minutes]:", true, 5, "sync.Mutex.Lock", "sync.Mutex.Lock", 8, 0, 0, 0, 0, -1, 0},
	{"goroutine 12 [running", true, 12, "running", "running", -1, 0, 0, 0, 0, -1, 0}, /* cut line */
	{"goroutine x [running]:", false, 0, NULL, NULL, -1, 0, 0, 0, 0, -1, 0},
	{"goroutine 12 running:", false, 0, NULL, NULL, -1, 0, 0, 0, 0, -1, 0},
	{"Goroutine 8 (running) created at:", false, 0, NULL, NULL, -1, 0, 0, 0, 0, -1, 0},
	{"goroutine 99999999999999999999999 [x]:", false, 0, NULL, NULL, -1, 0, 0, 0, 0, -1, 0},
};

static void test_headers(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(header_cases); i++) {
		const struct header_case *c = &header_cases[i];
		struct tb_header h;
		bool ok = tb_parse_header(c->line, strlen(c->line), &h);
		assert_int_equal(ok, c->ok);
		if (!ok)
			continue;
		assert_int_equal(h.id, c->id);
		assert_true(sl(h.state, c->state));
		assert_true(sl(h.state_text, c->state_text));
		assert_int_equal(h.has_minutes, c->minutes >= 0);
		if (c->minutes >= 0)
			assert_int_equal(h.minutes, c->minutes);
		assert_int_equal(h.locked, c->locked);
		assert_int_equal(h.leaked, c->leaked);
		assert_int_equal(h.durable, c->durable);
		assert_int_equal(h.has_gp, c->gp);
		assert_int_equal(h.has_bubble, c->bubble >= 0);
		if (c->bubble >= 0)
			assert_int_equal(h.bubble, c->bubble);
		assert_int_equal(h.nlabels, c->nlabels);
	}
}

/* Two headers read alike: every field, the slices at the same place in
 * their lines, the labels up to nlabels. */
static void assert_same_header(const struct tb_header *a, const char *la, const struct tb_header *b, const char *lb)
{
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->state.n, b->state.n);
	assert_int_equal(a->state.p - la, b->state.p - lb);
	assert_int_equal(a->state_text.n, b->state_text.n);
	assert_int_equal(a->state_text.p - la, b->state_text.p - lb);
	assert_int_equal(a->minutes, b->minutes);
	assert_int_equal(a->has_minutes, b->has_minutes);
	assert_int_equal(a->locked, b->locked);
	assert_int_equal(a->leaked, b->leaked);
	assert_int_equal(a->durable, b->durable);
	assert_int_equal(a->scan, b->scan);
	assert_int_equal(a->has_gp, b->has_gp);
	assert_int_equal(a->has_bubble, b->has_bubble);
	assert_int_equal(a->bubble_is_group, b->bubble_is_group);
	assert_int_equal(a->bubble, b->bubble);
	assert_int_equal(a->labels_in_brackets, b->labels_in_brackets);
	assert_int_equal(a->labels_after, b->labels_after);
	assert_int_equal(a->nlabels, b->nlabels);
	assert_int_equal(a->labels_truncated, b->labels_truncated);
	assert_int_equal(a->unterminated, b->unterminated);
	for (uint32_t i = 0; i < a->nlabels; i++) {
		assert_int_equal(a->labels[i].key.p - la, b->labels[i].key.p - lb);
		assert_int_equal(a->labels[i].val.n, b->labels[i].val.n);
	}
}

/* The memo reads every header as tb_parse_header does: the same forms
 * again under other numbers (more forms than it keeps, so entries are
 * replaced), labels (never kept), numbers too long, lines that are no
 * header. */
static void test_header_memo(void **state)
{
	(void)state;
	static const char *tails[] = {
		" [chan receive]:", " [chan receive, 5 minutes]:", " [select, 5 minutes, locked to thread]:",
		" [semacquire]:", " [sync.Mutex.Lock, 12 minutes]:", " [IO wait]:", " [running]:",
		" gp=0xc000007c00 m=nil [chan send]:", " [chan receive (nil chan)]:", " [select (no cases)]:",
		" [sleep]:", " [chan receive, 5 minutes", " [synctest bubble 7, chan receive]:",
		" [chan receive (leaked)]:", " [select labels:{\"k\":\"v\"}]:", " [select]: {\"k\": \"v\"}:", "",
	};
	static const char *ids[] = {"1", "77", "123456789", "0", "99999999999999999999", "18446744073709551615"};
	struct tb_header_memo *m = calloc(1, sizeof(*m));
	char line[256];
	for (int round = 0; round < 3; round++) {
		for (size_t t = 0; t < ARRAY_LEN(tails); t++) {
			for (size_t i = 0; i < ARRAY_LEN(ids); i++) {
				int n = snprintf(line, sizeof(line), "goroutine %s%s", ids[(i + t + (size_t)round) % ARRAY_LEN(ids)],
						 tails[t]);
				struct tb_header want, got;
				bool ok_want = tb_parse_header(line, (size_t)n, &want);
				bool ok_got = tb_parse_header_memo(m, line, (size_t)n, &got);
				assert_int_equal(ok_got, ok_want);
				if (ok_want)
					assert_same_header(&want, line, &got, line);
			}
		}
	}
	struct tb_header h;
	assert_false(tb_parse_header_memo(m, "goroutin 1 [x]:", 15, &h));
	assert_false(tb_parse_header_memo(m, "goroutine x [x]:", 16, &h));
	free(m);
}

static void test_labels_decoded(void **state)
{
	(void)state;
	const char *l = "goroutine 6 [chan receive labels:{\"req id\": \"4\\\"2\", \"worker\": \"alpha]\"}]:";
	struct tb_header h;
	assert_true(tb_parse_header(l, strlen(l), &h));
	char out[64];
	size_t n = tb_unquote(h.labels[0].key, h.labels[0].key_quoted, out, sizeof(out));
	assert_int_equal(n, 6);
	assert_memory_equal(out, "req id", 6);
	n = tb_unquote(h.labels[0].val, h.labels[0].val_quoted, out, sizeof(out));
	assert_int_equal(n, 3);
	assert_memory_equal(out, "4\"2", 3);
	n = tb_unquote(h.labels[1].val, h.labels[1].val_quoted, out, sizeof(out));
	assert_memory_equal(out, "alpha]", 6);
	/* \u escapes become UTF-8 */
	struct slice q = slice_make("caf\\u00e9\\x41", 13);
	n = tb_unquote(q, true, out, sizeof(out));
	assert_int_equal(n, 6);
	assert_memory_equal(out, "caf\xc3\xa9" "A", 6);
}

struct func_case {
	const char *line;
	bool ok;
	const char *name;
	bool inlined, has_args;
	const char *args;
};

static const struct func_case func_cases[] = {
	{"main.main()", true, "main.main", false, true, ""},
	{"main.(*T).Method(0xc000010000, {0x1, 0x2})", true, "main.(*T).Method", false, true, "0xc000010000, {0x1, 0x2}"},
	{"main.inl(...)", true, "main.inl", true, true, "..."},
	{"main.(*Box[...]).Wait(0x0?)", true, "main.(*Box[...]).Wait", false, true, "0x0?"},
	{"panic({0x4b2f40, 0xc0000a6000})", true, "panic", false, true, "{0x4b2f40, 0xc0000a6000}"},
	{"main.loadConfig..func1", true, "main.loadConfig..func1", false, false, ""},
	{"github.com/x/y.F.func1.1()", true, "github.com/x/y.F.func1.1", false, true, ""},
	{"\t/src/main.go:12 +0x1d", false, NULL, false, false, NULL},
	{"exit status 2", false, NULL, false, false, NULL},
	{"", false, NULL, false, false, NULL},
};

static void test_funcs(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(func_cases); i++) {
		const struct func_case *c = &func_cases[i];
		struct tb_func f;
		assert_int_equal(tb_parse_func(c->line, strlen(c->line), &f), c->ok);
		if (!c->ok)
			continue;
		assert_true(sl(f.name, c->name));
		assert_int_equal(f.inlined, c->inlined);
		assert_int_equal(f.has_args, c->has_args);
		assert_true(sl(f.args, c->args));
	}
}

struct file_case {
	const char *line;
	bool ok;
	const char *file;
	unsigned lineno;
	bool pcs;
};

static const struct file_case file_cases[] = {
	{"\t/src/app/main.go:14", true, "/src/app/main.go", 14, false},
	{"\t/src/app/main.go:22 +0x1d", true, "/src/app/main.go", 22, false},
	{"\t/usr/local/go/src/runtime/proc.go:424 +0xce fp=0xc00006ad18 sp=0xc00006acf8 pc=0x46b2ee", true,
	 "/usr/local/go/src/runtime/proc.go", 424, true},
	{"        /usr/lib/go/src/runtime/os_linux.go:69 +0x30", true, "/usr/lib/go/src/runtime/os_linux.go", 69, false},
	{"\tC:/Program Files/Go/src/runtime/proc.go:435 +0xce", true, "C:/Program Files/Go/src/runtime/proc.go", 435, false},
	{"\t<autogenerated>:1 +0x2a", true, "<autogenerated>", 1, false},
	{"\t:0", true, "", 0, false},
	{"\tgithub.com/x/y@v1.2.3/z.go:1012", true, "github.com/x/y@v1.2.3/z.go", 1012, false},
	{"/src/app/main.go:14", false, NULL, 0, false}, /* no indentation */
	{"\tgoroutine running on other thread; stack unavailable", false, NULL, 0, false},
	{"\tmain.go:abc", false, NULL, 0, false},
};

static void test_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(file_cases); i++) {
		const struct file_case *c = &file_cases[i];
		struct tb_file f;
		assert_int_equal(tb_parse_file(c->line, strlen(c->line), &f), c->ok);
		if (!c->ok)
			continue;
		assert_true(sl(f.file, c->file));
		assert_int_equal(f.line, c->lineno);
		assert_int_equal(f.has_pcs, c->pcs);
	}
}

static void test_created(void **state)
{
	(void)state;
	struct tb_created c;
	const char *a = "created by main.main in goroutine 1";
	assert_true(tb_parse_created(a, strlen(a), &c));
	assert_true(sl(c.func, "main.main"));
	assert_true(c.has_parent);
	assert_int_equal(c.parent, 1);
	const char *b = "created by net/http.(*Server).Serve";
	assert_true(tb_parse_created(b, strlen(b), &c));
	assert_true(sl(c.func, "net/http.(*Server).Serve"));
	assert_false(c.has_parent);
	const char *d = "created by main.(*Box[...]).Start in goroutine 123456";
	assert_true(tb_parse_created(d, strlen(d), &c));
	assert_true(sl(c.func, "main.(*Box[...]).Start"));
	assert_int_equal(c.parent, 123456);
	assert_false(tb_parse_created("created by ", 11, &c));
}

static void test_first_arg(void **state)
{
	(void)state;
	uint64_t v;
	assert_true(tb_first_arg_word(slice_make("0xc000012345, 0x1", 17), &v));
	assert_int_equal(v, 0xc000012345ULL);
	assert_false(tb_first_arg_word(slice_make("0xc000012345?", 13), &v));
	assert_false(tb_first_arg_word(slice_make("0x0, 0x1", 8), &v));
	assert_false(tb_first_arg_word(slice_make("0x2, 0x1", 8), &v)); /* a loop index, not an object */
	assert_false(tb_first_arg_word(slice_make("{0x1, 0x2}", 10), &v));
	assert_false(tb_first_arg_word(slice_make("...", 3), &v));
	assert_false(tb_first_arg_word(slice_make("0x12345678901234567", 19), &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers), cmocka_unit_test(test_header_memo), cmocka_unit_test(test_labels_decoded), cmocka_unit_test(test_funcs),
		cmocka_unit_test(test_files),   cmocka_unit_test(test_created),         cmocka_unit_test(test_first_arg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
