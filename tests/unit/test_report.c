/* Unit tests for src/report: escaping of untrusted text, folded stacks,
 * text report contents. (The JSON document is checked end to end by the
 * corpus tests, which parse it.) */
#include "../../src/base/common.h"
#include "../../src/parse/traceback.h"
#include "../../src/report/escape.h"
#include "../../src/report/report.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>

static void test_put_text(void **st)
{
	(void)st;
	struct buf b;
	buf_init(&b);
	static const char in[] = "caf\xc3\xa9 \x1b[31mred\x7f\xff\xc2\x9b";
	put_text(&b, in, sizeof(in) - 1);
	assert_string_equal(buf_cstr(&b), "caf\xc3\xa9 \\x1b[31mred\\x7f\\xff\\xc2\\x9b");
	buf_free(&b);
}

static void test_put_json(void **st)
{
	(void)st;
	struct buf b;
	buf_init(&b);
	static const char in[] = "a\"b\\c\n\t\x01<script>\xe2\x82\xac\xff";
	put_json_str(&b, in, sizeof(in) - 1);
	assert_string_equal(buf_cstr(&b), "\"a\\\"b\\\\c\\n\\t\\u0001\\u003cscript\\u003e\xe2\x82\xac\\ufffd\"");
	buf_free(&b);
}

/* Printable ASCII is written as it is, except the five escaped. */
static void test_put_json_ascii(void **st)
{
	(void)st;
	char in[95], want[256];
	size_t w = 0;
	want[w++] = '"';
	for (int c = 0x20; c < 0x7f; c++) {
		in[c - 0x20] = (char)c;
		if (c == '"' || c == '\\')
			w += (size_t)snprintf(want + w, sizeof(want) - w, "\\%c", c);
		else if (c == '<' || c == '>' || c == '&')
			w += (size_t)snprintf(want + w, sizeof(want) - w, "\\u%04x", c);
		else
			want[w++] = (char)c;
	}
	want[w++] = '"';
	want[w] = '\0';
	struct buf b;
	buf_init(&b);
	put_json_str(&b, in, sizeof(in));
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

static bool collect(void *ctx, const char *p, size_t n)
{
	buf_add(ctx, p, n);
	return true;
}

/* The page written as its document comes, in pieces of every awkward size
 * (the base64 carry of one and two bytes, pieces bigger than the
 * compressor's output chunk), is the page written at once. */
static void test_html_page_stream(void **st)
{
	(void)st;
	struct buf doc;
	buf_init(&doc);
	uint64_t x = 42;
	buf_adds(&doc, "{\"groups\":[");
	for (int i = 0; i < 60000; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		buf_printf(&doc, "%s{\"id\":%d,\"count\":%llu,\"frames\":[%d,%d]}", i ? "," : "", i,
			   (unsigned long long)(x >> 40), (int)(x >> 20 & 1023), (int)(x & 511));
	}
	buf_adds(&doc, "]}");
	struct buf whole;
	buf_init(&whole);
	report_html(&whole, "t<i>tle", doc.p, doc.len);
	static const size_t pieces[] = {1, 2, 3, 7, 4093, 65537, 200003};
	for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
		struct buf streamed;
		buf_init(&streamed);
		struct html_page *pg = html_page_begin("t<i>tle", collect, &streamed);
		for (size_t at = 0; at < doc.len; at += pieces[k])
			assert_true(html_page_json(pg, doc.p + at, MIN(pieces[k], doc.len - at)));
		assert_true(html_page_end(pg));
		assert_int_equal(streamed.len, whole.len);
		assert_memory_equal(streamed.p, whole.p, whole.len);
		buf_free(&streamed);
	}
	assert_non_null(strstr(buf_cstr(&whole), "<title>t&lt;i&gt;tle</title>"));
	buf_free(&whole);
	buf_free(&doc);
}

/* RFC 4648's test vectors. */
static void test_base64(void **st)
{
	(void)st;
	static const char *const vec[][2] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
					     {"foo", "Zm9v"},  {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
					     {"foobar", "Zm9vYmFy"}};
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		struct buf b;
		buf_init(&b);
		put_base64(&b, vec[i][0], strlen(vec[i][0]));
		assert_string_equal(buf_cstr(&b), vec[i][1]);
		buf_free(&b);
	}
	struct buf b;
	buf_init(&b);
	put_base64(&b, "\xff\xfe\x00", 3);
	assert_string_equal(buf_cstr(&b), "//4A");
	buf_free(&b);
}

static void test_utf8(void **st)
{
	(void)st;
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xe2\x82\xac", 3), 3);
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xe2\x82", 2), 0);
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xc0\x80", 2), 0); /* overlong */
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xed\xa0\x80", 3), 0); /* surrogate */
	assert_int_equal(utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
}

static const char DUMP[] = "goroutine 1 [running]:\nmain.main()\n\t/src/app/main.go:3\n\n"
			   "goroutine 2 [chan send]:\ntype:.eq.struct { a;b int }(0x1)\n\t/src/app/x.go:5 +0x1\nmain.<script>()\n"
			   "\t/src/app/x.go:9 +0x1\ncreated by main.main in goroutine 1\n\t/src/app/main.go:2\n";

static void test_folded_and_text(void **st)
{
	(void)st;
	struct snapset set;
	snapset_init(&set);
	struct err e;
	assert_int_equal(traceback_parse_mem(DUMP, strlen(DUMP), "d", NULL, &set, NULL, &e), ST_OK);
	struct group_options o;
	group_options_default(&o);
	struct analysis a;
	analysis_run(set.v[0], &o, &a);
	struct buf b;
	buf_init(&b);
	report_folded(&b, &a);
	/* root first; ';' and ' ' inside names cannot break the format */
	assert_non_null(strstr(buf_cstr(&b), "main.<script>;type:.eq.struct_{_a:b_int_} 1\n"));
	assert_non_null(strstr(buf_cstr(&b), "main.main 1\n"));
	buf_reset(&b);
	struct text_options to = {.color = false, .max_groups = 0, .max_frames = 0};
	report_text(&b, &a, 1, &to);
	const char *t = buf_cstr(&b);
	assert_non_null(strstr(t, "2 goroutines in 2 groups"));
	assert_non_null(strstr(t, "app/x.go:5"));
	assert_null(strstr(t, "\033[")); /* no colour when off */
	buf_reset(&b);
	to.color = true;
	to.full_paths = true;
	report_text(&b, &a, 1, &to);
	assert_non_null(strstr(buf_cstr(&b), "\033[1m"));
	assert_non_null(strstr(buf_cstr(&b), "/src/app/x.go:5"));
	buf_reset(&b);
	report_json_begin(&b, "analyze");
	report_json_snapshot(&b, &a, true, false);
	report_json_end(&b, a.total);
	assert_non_null(strstr(buf_cstr(&b), "\"func\":\"main.\\u003cscript\\u003e\",\"file\":\"/src/app/x.go\",\"line\":9"));
	assert_non_null(strstr(buf_cstr(&b), "\"total\":2}"));
	buf_free(&b);
	analysis_free(&a);
	snapset_free(&set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_text),
		cmocka_unit_test(test_put_json),
		cmocka_unit_test(test_put_json_ascii),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_html_page_stream),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_folded_and_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
