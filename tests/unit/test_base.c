/* Unit tests for src/base: interner, buffer, id set, arena, line reader. */
#include "../../src/base/common.h"
#include "../../src/base/arena.h"
#include "../../src/base/buf.h"
#include "../../src/base/bytes.h"
#include "../../src/base/hash.h"
#include "../../src/base/linereader.h"
#include "../../src/base/parallel.h"
#include "../../src/base/sort.h"
#include "../../src/base/strtab.h"
#include "../../src/base/u64set.h"
#include "../../src/base/u64map.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static void test_strtab(void **st)
{
	(void)st;
	struct strtab t;
	strtab_init(&t);
	assert_int_equal(strtab_intern(&t, "", 0), 0);
	uint32_t a = strtab_intern(&t, "main.main", 9);
	uint32_t b = strtab_intern(&t, "main.f", 6);
	assert_int_not_equal(a, b);
	assert_int_equal(strtab_intern(&t, "main.main", 9), a);
	assert_int_equal(strtab_find(&t, "main.f", 6), b);
	assert_int_equal(strtab_find(&t, "nope", 4), 0);
	char tmp[32];
	for (int i = 0; i < 100000; i++) {
		int n = snprintf(tmp, sizeof(tmp), "s%d", i);
		strtab_intern(&t, tmp, (size_t)n);
	}
	assert_int_equal(t.count, 100003);
	assert_string_equal(strtab_str(&t, a), "main.main");
	assert_int_equal(strtab_find(&t, "s99999", 6), 100002);
	/* embedded NUL bytes are part of the string */
	uint32_t c = strtab_intern(&t, "a\0b", 3);
	assert_int_equal(strtab_len(&t, c), 3);
	assert_int_not_equal(c, strtab_intern(&t, "a", 1));
	strtab_free(&t);
}

static void test_buf(void **st)
{
	(void)st;
	struct buf b;
	buf_init(&b);
	buf_adds(&b, "goroutines: ");
	buf_add_u64(&b, 18446744073709551615ULL);
	buf_printf(&b, " %s=%d", "x", 42);
	assert_string_equal(buf_cstr(&b), "goroutines: 18446744073709551615 x=42");
	buf_reset(&b);
	b.limit = 8;
	buf_adds(&b, "12345");
	buf_adds(&b, "6789"); /* over the cap: dropped, flagged */
	assert_true(b.overflow);
	assert_int_equal(b.len, 5);
	buf_free(&b);
}

static void test_u64set(void **st)
{
	(void)st;
	struct u64set s;
	u64set_init(&s);
	for (uint64_t i = 0; i < 50000; i++)
		assert_true(u64set_add(&s, i * 3));
	assert_false(u64set_add(&s, 300));
	assert_true(u64set_has(&s, 0));
	assert_false(u64set_has(&s, 1));
	assert_int_equal(s.count, 50000);
	/* values far apart, and the extremes */
	assert_true(u64set_add(&s, UINT64_MAX));
	assert_false(u64set_add(&s, UINT64_MAX));
	assert_true(u64set_add(&s, 1ULL << 63));
	assert_true(u64set_has(&s, UINT64_MAX));
	assert_false(u64set_has(&s, UINT64_MAX - 1));
	assert_int_equal(s.count, 50002);
	u64set_clear(&s);
	assert_false(u64set_has(&s, 3));
	u64set_free(&s);

	/* intersection: values in the same word of 64 but not the same bit
	 * share nothing; one common value, of either set's, is found */
	struct u64set a, b, c;
	u64set_init(&a);
	u64set_init(&b);
	u64set_init(&c);
	assert_false(u64set_intersects(&a, &b));
	for (uint64_t i = 0; i < 40000; i++) {
		u64set_add(&a, 2 * i);     /* evens */
		if (i < 100)
			u64set_add(&b, 2 * i + 1); /* a few odds */
	}
	assert_false(u64set_intersects(&a, &b));
	assert_false(u64set_intersects(&b, &a));
	u64set_add(&b, 79998);
	assert_true(u64set_intersects(&a, &b));
	assert_true(u64set_intersects(&b, &a));
	u64set_copy(&c, &b);
	assert_int_equal(c.count, b.count);
	assert_true(u64set_has(&c, 79998) && u64set_has(&c, 1) && !u64set_has(&c, 2));
	u64set_move(&c, &a);
	assert_null(a.slots);
	assert_int_equal(c.count, 40000);
	assert_true(u64set_intersects(&c, &b));
	u64set_free(&a);
	u64set_free(&b);
	u64set_free(&c);
}

/* bytes_equal, bytes_chr and bytes_rchr say what memcmp, memchr and
 * memrchr say: every length up to 200 (the vector steps, the tail, past
 * the first or last 64 bytes), the byte sought at every place, at two
 * places or nowhere, a difference at every place. */
static void test_bytes(void **st)
{
	(void)st;
	char a[256], b[256];
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = b[i] = (char)('a' + i % 26);
	for (size_t n = 0; n <= 200; n++) {
		assert_true(bytes_equal(a, b, n));
		assert_ptr_equal(bytes_chr(a, n, '\n'), memchr(a, '\n', n));
		assert_ptr_equal(bytes_rchr(a, n, '\n'), NULL);
		for (size_t at = 0; at < n; at++) {
			b[at] = '\n';
			assert_false(bytes_equal(a, b, n));
			assert_ptr_equal(bytes_chr(b, n, '\n'), b + at);
			assert_ptr_equal(bytes_rchr(b, n, '\n'), b + at);
			for (size_t at2 = at + 1; at2 < n; at2++) {
				b[at2] = '\n';
				assert_ptr_equal(bytes_rchr(b, n, '\n'), memrchr(b, '\n', n));
				assert_ptr_equal(bytes_chr(b, n, '\n'), b + at);
				b[at2] = a[at2];
			}
			b[at] = a[at];
		}
	}
}

static void test_arena(void **st)
{
	(void)st;
	struct arena a;
	arena_init(&a);
	char *p = arena_strndup(&a, "hello", 5);
	void *big = arena_alloc(&a, 1 << 20);
	memset(big, 1, 1 << 20);
	char *q = arena_strndup(&a, "world", 5);
	assert_string_equal(p, "hello");
	assert_string_equal(q, "world");
	assert_int_equal(((uintptr_t)arena_alloc(&a, 3)) % 8, 0);
	arena_free(&a);
}

/* hash_bytes as first written: the tail copied into a zeroed word. Its
 * values name strings in tables and signatures, so they must not change. */
static uint64_t hash_reference(const void *data, size_t n, uint64_t seed)
{
	const uint64_t K1 = 0x9e3779b97f4a7c15ULL, K2 = 0xbf58476d1ce4e5b9ULL;
	const unsigned char *p = data;
	uint64_t h = seed ^ (n * K1), a, b;
	for (; n >= 16; p += 16, n -= 16) {
		memcpy(&a, p, 8);
		memcpy(&b, p + 8, 8);
		h = (h ^ a) * K1;
		h = (h ^ (h >> 32) ^ b) * K2;
	}
	if (n >= 8) {
		memcpy(&a, p, 8);
		h = (h ^ a) * K1;
		h ^= h >> 32;
		p += 8;
		n -= 8;
	}
	if (n) {
		uint64_t t = 0;
		memcpy(&t, p, n);
		h = (h ^ t) * K2;
	}
	h ^= h >> 31;
	h *= K2;
	h ^= h >> 29;
	return h;
}

static void test_hash(void **st)
{
	(void)st;
	/* every length to 100, every offset in a word, from a buffer of
	 * varied bytes */
	unsigned char buf[128];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 37 + 11);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n <= 100; n++)
			assert_int_equal(hash_bytes(buf + off, n, 7), hash_reference(buf + off, n, 7));
	assert_int_equal(hash_bytes("abc", 3, 0), hash_bytes("abc", 3, 0));
	assert_int_not_equal(hash_bytes("abc", 3, 0), hash_bytes("abd", 3, 0));
	assert_int_not_equal(hash_bytes("abc", 3, 0), hash_bytes("abc", 3, 1));
	assert_int_not_equal(hash_bytes("", 0, 0), hash_bytes("\0", 1, 0));
}

static void test_linereader_mem(void **st)
{
	(void)st;
	const char *t = "one\r\ntwo\n\nlast";
	struct linereader lr;
	lr_open_mem(&lr, t, strlen(t), 100);
	struct line l;
	struct err e;
	assert_int_equal(lr_next(&lr, &l, &e), 1);
	assert_int_equal(l.n, 3);
	assert_true(l.had_cr);
	assert_memory_equal(l.p, "one", 3);
	assert_int_equal(lr_next(&lr, &l, &e), 1);
	assert_int_equal(l.offset, 5);
	assert_int_equal(l.lineno, 2);
	assert_int_equal(lr_next(&lr, &l, &e), 1);
	assert_int_equal(l.n, 0);
	assert_int_equal(lr_next(&lr, &l, &e), 1);
	assert_true(l.no_newline);
	assert_memory_equal(l.p, "last", 4);
	assert_int_equal(lr_next(&lr, &l, &e), 0);
	lr_close(&lr);
}

static void test_linereader_cap(void **st)
{
	(void)st;
	/* A line over max_line is cut to max_line, flagged, and the rest of it
	 * skipped, across buffer refills of a file stream. */
	FILE *f = tmpfile();
	fputs("short\n", f);
	for (int i = 0; i < 300000; i++)
		fputc('x', f);
	fputs("\nafter\n", f);
	rewind(f);
	struct linereader lr;
	lr_open_fd(&lr, fileno(f), 1000, 4096);
	struct line l;
	struct err e;
	assert_int_equal(lr_next(&lr, &l, &e), 1);
	assert_memory_equal(l.p, "short", 5);
	assert_int_equal(lr_next(&lr, &l, &e), 1);
	assert_true(l.too_long);
	assert_int_equal(l.n, 1000);
	assert_int_equal(l.lineno, 2);
	assert_int_equal(lr_next(&lr, &l, &e), 1);
	assert_false(l.too_long);
	assert_int_equal(l.lineno, 3);
	assert_int_equal(l.offset, 6 + 300000 + 1);
	assert_memory_equal(l.p, "after", 5);
	assert_int_equal(lr_next(&lr, &l, &e), 0);
	lr_close(&lr);
	fclose(f);
}

/* A range of a file read with pread gives the lines of that range, with
 * their offsets in the file, across many refills of a small buffer; the
 * file offset is left where it was. */
static void test_linereader_range(void **st)
{
	(void)st;
	FILE *f = tmpfile();
	for (int i = 0; i < 20000; i++)
		fprintf(f, "line %05d\n", i); /* 11 bytes each */
	fflush(f);
	off_t before = lseek(fileno(f), 0, SEEK_CUR);
	struct linereader lr;
	lr_open_range(&lr, fileno(f), 11 * 100, 11 * 15000, 64, 4096);
	struct line l;
	struct err e;
	for (int i = 100; i < 15000; i++) {
		assert_int_equal(lr_next(&lr, &l, &e), 1);
		char want[32];
		snprintf(want, sizeof(want), "line %05d", i);
		assert_int_equal(l.n, 10);
		assert_memory_equal(l.p, want, 10);
		assert_int_equal(l.offset, (uint64_t)i * 11);
		assert_int_equal(l.lineno, (uint64_t)(i - 99));
	}
	assert_int_equal(lr_next(&lr, &l, &e), 0);
	lr_close(&lr);
	assert_int_equal(lseek(fileno(f), 0, SEEK_CUR), before);
	fclose(f);
}

struct sink_log {
	struct buf got;
	int calls;
	bool fail;
};

static bool log_sink(void *ctx, const char *p, size_t n)
{
	struct sink_log *s = ctx;
	s->calls++;
	buf_add(&s->got, p, n);
	return !s->fail;
}

/* A buffer with a sink hands over what it holds at a mebibyte (drain) or at
 * the end (flush), and says when the sink failed. */
static void test_buf_sink(void **st)
{
	(void)st;
	struct sink_log log = {0};
	struct buf b;
	buf_init(&b);
	buf_set_sink(&b, log_sink, &log);
	buf_adds(&b, "small");
	assert_true(buf_drain(&b));
	assert_int_equal(log.calls, 0); /* under a mebibyte: kept */
	buf_pad(&b, 'x', 1 << 20);
	assert_true(buf_drain(&b));
	assert_int_equal(log.calls, 1);
	assert_int_equal(b.len, 0);
	buf_adds(&b, "tail");
	assert_true(buf_flush(&b));
	assert_int_equal(log.got.len, 5 + (1 << 20) + 4);
	assert_memory_equal(log.got.p + log.got.len - 4, "tail", 4);
	log.fail = true;
	buf_adds(&b, "lost");
	assert_false(buf_flush(&b));
	assert_false(buf_drain(&b));
	buf_free(&b);
	buf_free(&log.got);
}

static int cmp_keyed_ref(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->val < y->val ? -1 : x->val > y->val;
}

/* sort_keyed gives qsort's order on random, sorted and reversed keys, one
 * key for all and a few keys for many, short and long. */
static void test_sort_keyed(void **st)
{
	(void)st;
	enum { N = 20000 };
	struct keyed *v = malloc(N * sizeof(*v)), *ref = malloc(N * sizeof(*ref));
	assert_non_null(v);
	assert_non_null(ref);
	const size_t sizes[] = {0, 1, 2, 3, 31, 32, 33, 100, 1000, N};
	uint64_t x = 88172645463325252ull;
	for (int kind = 0; kind < 5; kind++) {
		for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
			size_t n = sizes[si];
			for (size_t i = 0; i < n; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				uint64_t key = kind == 0   ? x
					       : kind == 1 ? i
					       : kind == 2 ? n - i
					       : kind == 3 ? 42
							   : x % 7; /* many equal keys */
				v[i] = (struct keyed){key, (uint32_t)(kind == 3 ? n - i : x >> 40)};
			}
			memcpy(ref, v, n * sizeof(*v));
			qsort(ref, n, sizeof(*ref), cmp_keyed_ref);
			sort_keyed(v, n);
			for (size_t i = 0; i < n; i++) {
				assert_int_equal(v[i].key, ref[i].key);
				assert_int_equal(v[i].val, ref[i].val);
			}
		}
	}
	free(v);
	free(ref);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Short arrays (insertion) and long ones (quicksort), equal values
 * included; long ones against qsort: random, few values, sorted, reversed,
 * all equal. */
static void test_sort(void **st)
{
	(void)st;
	enum { N = 20000 };
	uint32_t *a32 = malloc(N * sizeof(*a32)), *r32 = malloc(N * sizeof(*r32));
	uint64_t *a64 = malloc(N * sizeof(*a64)), *r64 = malloc(N * sizeof(*r64));
	assert_true(a32 && r32 && a64 && r64);
	uint64_t x = 88172645463325252ULL;
	for (int shape = 0; shape < 5; shape++) {
		for (size_t n = 33; n <= N; n = n * 3 + 1) {
			for (size_t i = 0; i < n; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				uint64_t v = shape == 0 ? x : shape == 1 ? x % 5 : shape == 2 ? i : shape == 3 ? n - i : 7;
				a64[i] = r64[i] = v;
				a32[i] = r32[i] = (uint32_t)v;
			}
			sort_u32(a32, n);
			sort_u64(a64, n);
			qsort(r32, n, sizeof(*r32), cmp_u32);
			qsort(r64, n, sizeof(*r64), cmp_u64);
			assert_memory_equal(a32, r32, n * sizeof(*a32));
			assert_memory_equal(a64, r64, n * sizeof(*a64));
		}
	}
	free(a32);
	free(r32);
	free(a64);
	free(r64);
	for (size_t n = 0; n < 200; n += 7) {
		uint64_t v64[200];
		uint32_t v32[200];
		/* value counts before and after: a permutation, nothing lost */
		uint32_t seen64[39] = {0}, seen32[11] = {0};
		for (size_t i = 0; i < n; i++) {
			v64[i] = (i * 2654435761u) % 13 + ((uint64_t)1 << 40) * (i % 3);
			v32[i] = (uint32_t)((i * 40503u) % 11);
			seen64[(v64[i] & 0xff) + 13 * (v64[i] >> 40)]++;
			seen32[v32[i]]++;
		}
		sort_u64(v64, n);
		sort_u32(v32, n);
		for (size_t i = 0; i < n; i++) {
			if (i) {
				assert_true(v64[i - 1] <= v64[i]);
				assert_true(v32[i - 1] <= v32[i]);
			}
			seen64[(v64[i] & 0xff) + 13 * (v64[i] >> 40)]--;
			seen32[v32[i]]--;
		}
		for (size_t k = 0; k < 39; k++)
			assert_int_equal(seen64[k], 0);
		for (size_t k = 0; k < 11; k++)
			assert_int_equal(seen32[k], 0);
	}
}

static void test_u64map(void **st)
{
	(void)st;
	struct u64map m = {0};
	uint32_t v = 0;
	assert_false(u64map_get(&m, 7, &v));
	bool ins;
	/* keys of any value, 0 included; growth keeps every entry */
	for (uint64_t k = 0; k < 100000; k++) {
		assert_int_equal(*u64map_upsert(&m, k * 0x10001, (uint32_t)k, &ins), (uint32_t)k);
		assert_true(ins);
	}
	assert_int_equal(*u64map_upsert(&m, 5 * 0x10001, 99, &ins), 5);
	assert_false(ins);
	*u64map_upsert(&m, 5 * 0x10001, 0, &ins) = 42; /* update through the slot */
	assert_true(u64map_get(&m, 5 * 0x10001, &v));
	assert_int_equal(v, 42);
	assert_true(u64map_get(&m, 0, &v));
	assert_int_equal(v, 0);
	assert_false(u64map_get(&m, 3, &v));
	assert_int_equal(m.count, 100000);
	u64map_free(&m);
	assert_false(u64map_get(&m, 0, &v));
}

/* parallel_for: every i once, each result in its slot, for any n
 * (including none), whichever thread ran it. */
static void square(void *ctx, uint32_t i)
{
	uint64_t *out = ctx;
	out[i] += (uint64_t)i * i; /* += : a second run of i would show */
}

static void test_parallel_for(void **st)
{
	(void)st;
	static uint64_t out[10000];
	for (uint32_t n = 0; n <= 10000; n = n ? n * 10 : 1) {
		memset(out, 0, sizeof(out));
		parallel_for(n, square, out);
		for (uint32_t i = 0; i < 10000; i++)
			assert_true(out[i] == (i < n ? (uint64_t)i * i : 0));
	}
	assert_int_equal(parallel_threads(0), 1);
	assert_int_equal(parallel_threads(1), 1);
	assert_true(parallel_threads(1000) >= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strtab),         cmocka_unit_test(test_buf),  cmocka_unit_test(test_u64set),
		cmocka_unit_test(test_arena),          cmocka_unit_test(test_hash), cmocka_unit_test(test_linereader_mem),
		cmocka_unit_test(test_linereader_cap), cmocka_unit_test(test_linereader_range), cmocka_unit_test(test_buf_sink), cmocka_unit_test(test_u64map),  cmocka_unit_test(test_sort), cmocka_unit_test(test_bytes), cmocka_unit_test(test_sort_keyed),
		cmocka_unit_test(test_parallel_for),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
