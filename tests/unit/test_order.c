/* Unit tests for src/analyze/order: the time order of snapshots from the
 * evidence they carry, the same whatever order they are given in. */
#include "../../src/base/common.h"
#include "../../src/analyze/order.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

/* A snapshot from source src (index idx): goroutines with ids 1..max_id
 * (none when 0), taken at ns as how says (0: unknown). */
static struct snapshot *snap(const char *src, uint32_t idx, uint64_t max_id, int64_t ns, enum taken_from how)
{
	struct snapshot *s = snapshot_new(src, idx);
	for (uint64_t id = 1; id <= max_id; id++)
		snapshot_add_goroutine(s)->id = id;
	s->taken_ns = ns;
	s->taken_from = ns ? how : TAKEN_UNKNOWN;
	return s;
}

/* The sources in the order found, as "a b c". */
static void order_of(struct snapshot **v, uint32_t n, struct order_result *r, char *out, size_t outsz)
{
	order_snapshots((const struct snapshot *const *)v, n, r);
	out[0] = '\0';
	for (uint32_t k = 0; k < n; k++)
		snprintf(out + strlen(out), outsz - strlen(out), "%s%s", k ? " " : "", v[r->perm[k]]->source);
}

/* Every rotation of v gives the same order (and says whether it moved). */
static void expect(struct snapshot **v, uint32_t n, const char *want, enum order_basis basis, bool times)
{
	for (uint32_t rot = 0; rot < n; rot++) {
		struct snapshot *w[8];
		for (uint32_t i = 0; i < n; i++)
			w[i] = v[(i + rot) % n];
		struct order_result r;
		char got[256];
		order_of(w, n, &r, got, sizeof(got));
		if (strcmp(got, want))
			fail_msg("rotation %u: '%s', want '%s'", rot, got, want);
		assert_int_equal(r.basis, basis);
		assert_int_equal(r.times_known, times);
		order_free(&r);
	}
}

static void free_all(struct snapshot **v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		snapshot_free(v[i]);
}

static void test_by_own_times(void **st)
{
	(void)st;
	/* profile, capture and fetch times are all times: by time; the weakest
	 * names the basis */
	struct snapshot *v[] = {snap("c", 1, 0, 3000, TAKEN_PROFILE), snap("a", 1, 0, 1000, TAKEN_CAPTURE),
				snap("b", 1, 0, 2000, TAKEN_FETCH)};
	expect(v, 3, "a b c", ORDER_TIMES, true);
	struct order_result r;
	char got[64];
	order_of(v, 3, &r, got, sizeof(got));
	assert_string_equal(order_basis_name(&r), "fetch time");
	assert_true(r.reordered);
	assert_int_equal(r.when_ns[0], 1000);
	assert_string_equal(r.note, "");
	order_free(&r);
	free_all(v, 3);
}

static void test_by_ids_over_file_times(void **st)
{
	(void)st;
	/* copied files: their mtimes say nothing; the goroutine ids do */
	struct snapshot *v[] = {snap("snap-10", 1, 90, 5000, TAKEN_MTIME), snap("snap-2", 1, 20, 5000, TAKEN_MTIME),
				snap("snap-1", 1, 10, 5000, TAKEN_MTIME)};
	expect(v, 3, "snap-1 snap-2 snap-10", ORDER_GOROUTINE_IDS, false);
	free_all(v, 3);
	/* mtimes that rise along the ids give the times too */
	struct snapshot *w[] = {snap("x", 1, 30, 3000, TAKEN_MTIME), snap("y", 1, 10, 1000, TAKEN_MTIME)};
	expect(w, 2, "y x", ORDER_GOROUTINE_IDS, true);
	free_all(w, 2);
}

static void test_file_times_and_nothing(void **st)
{
	(void)st;
	/* profiles without their own time: file times */
	struct snapshot *v[] = {snap("p2", 1, 0, 2000, TAKEN_MTIME), snap("p1", 1, 0, 1000, TAKEN_MTIME)};
	expect(v, 2, "p1 p2", ORDER_FILE_TIMES, true);
	free_all(v, 2);
	/* nothing at all (stdin profiles): as given, and said */
	struct snapshot *w[] = {snap("-", 1, 0, 0, TAKEN_UNKNOWN), snap("-", 2, 0, 0, TAKEN_UNKNOWN)};
	struct order_result r;
	char got[64];
	order_of(w, 2, &r, got, sizeof(got));
	assert_int_equal(r.basis, ORDER_AS_GIVEN);
	assert_non_null(strstr(r.note, "taken in the order given"));
	order_free(&r);
	free_all(w, 2);
}

static void test_one_source_keeps_its_order(void **st)
{
	(void)st;
	/* a log with two dumps, the second after a restart (ids start again):
	 * its order stands, the restart is noted */
	struct snapshot *v[] = {snap("log", 2, 8, 1000, TAKEN_MTIME), snap("log", 1, 500, 1000, TAKEN_MTIME),
				snap("other", 1, 900, 500, TAKEN_MTIME)};
	struct order_result r;
	char got[64];
	order_of(v, 3, &r, got, sizeof(got));
	assert_int_equal(r.basis, ORDER_GOROUTINE_IDS);
	/* the log as a whole sorts by its least id (8): before "other" */
	assert_int_equal(v[r.perm[0]]->index, 1);
	assert_int_equal(v[r.perm[1]]->index, 2);
	assert_string_equal(v[r.perm[2]]->source, "other");
	order_free(&r);
	/* by times, ids that go backwards are noted */
	struct snapshot *w[] = {snap("a", 1, 500, 1000, TAKEN_PROFILE), snap("b", 1, 8, 2000, TAKEN_PROFILE)};
	w[0]->taken_from = w[1]->taken_from = TAKEN_CAPTURE;
	order_of(w, 2, &r, got, sizeof(got));
	assert_int_equal(r.basis, ORDER_TIMES);
	assert_non_null(strstr(r.note, "goroutine ids go backwards from a (newest id 500) to b (8)"));
	order_free(&r);
	free_all(w, 2);
	free_all(v, 3);
}

static void test_ties(void **st)
{
	(void)st;
	/* equal times: by source name, whatever the order given; times then
	 * do not rise, so they are not used for rates */
	struct snapshot *v[] = {snap("b", 1, 0, 1000, TAKEN_CAPTURE), snap("a", 1, 0, 1000, TAKEN_CAPTURE)};
	expect(v, 2, "a b", ORDER_TIMES, false);
	free_all(v, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_own_times),   cmocka_unit_test(test_by_ids_over_file_times),
		cmocka_unit_test(test_file_times_and_nothing), cmocka_unit_test(test_one_source_keeps_its_order),
		cmocka_unit_test(test_ties),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
