/* Unit tests for src/analyze/order: the time order of snapshots from the
 * evidence they carry, the same whatever order they are given in. */
#include "../../src/base/common.h"
#include "../../src/analyze/order.h"
#include "../../src/analyze/process.h"

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
		snapshot_add_goroutine(s, &(struct goroutine){.id = id});
	s->taken_ns = ns;
	s->taken_from = ns ? how : TAKEN_UNKNOWN;
	return s;
}

/* The same with the main goroutine (id 1) and ids lo..hi: what a process
 * that has run for a while shows, its early goroutines gone. */
static struct snapshot *snap_range(const char *src, uint32_t idx, uint64_t lo, uint64_t hi, int64_t ns,
				   enum taken_from how)
{
	struct snapshot *s = snap(src, idx, 1, ns, how);
	for (uint64_t id = lo > 1 ? lo : 2; id <= hi; id++)
		snapshot_add_goroutine(s, &(struct goroutine){.id = id});
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

/* The order of v says part in its note, and rests on basis. */
static void expect_note(struct snapshot **v, uint32_t n, enum order_basis basis, const char *part)
{
	struct order_result r;
	char got[256];
	order_of(v, n, &r, got, sizeof(got));
	assert_int_equal(r.basis, basis);
	if (!strstr(r.note, part))
		fail_msg("note '%s' lacks '%s'", r.note, part);
	order_free(&r);
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
	order_snapshots((const struct snapshot *const *)v, 3, &r);
	assert_string_equal(order_basis_name(&r), "fetch time");
	assert_true(r.reordered && r.when_ns[0] == 1000 && !r.note[0]);
	order_free(&r);
	free_all(v, 3);
}

static void test_by_ids_over_file_times(void **st)
{
	(void)st;
	/* copied in glob order: the files' times put snap-10 before snap-2, but
	 * the goroutines new in snap-2 (5..14) all have ids below snap-10's
	 * newest: they would be in snap-10 had they come after it. The ids
	 * deny that order and not the other, nothing shows another process:
	 * the ids decide */
	struct snapshot *v[] = {snap_range("snap-10", 1, 15, 90, 2000, TAKEN_MTIME),
				snap_range("snap-2", 1, 5, 20, 3000, TAKEN_MTIME),
				snap_range("snap-1", 1, 1, 10, 1000, TAKEN_MTIME)};
	expect(v, 3, "snap-1 snap-2 snap-10", ORDER_GOROUTINE_IDS, false);
	expect_note(v, 3, ORDER_GOROUTINE_IDS,
		    "the files' times put snap-2 after snap-10, but goroutines new in it (5 among them) have ids "
		    "below the other's newest (90), as if it came first");
	free_all(v, 3);
	/* a newest id that falls along the files' times denies nothing: the
	 * newest goroutines exited (here 21..90), and the file times hold */
	struct snapshot *u[] = {snap("late", 1, 20, 3000, TAKEN_MTIME), snap("early", 1, 90, 2000, TAKEN_MTIME)};
	expect(u, 2, "early late", ORDER_FILE_TIMES, true);
	expect_note(u, 2, ORDER_FILE_TIMES, "the newest goroutine id falls from 90 (early) to 20 (late) along the files' "
					     "times");
	free_all(u, 2);
	/* without file times, the newest id is a first guess that the ids
	 * correct: p (ids 1, 2..80) then q (1, 60..70), a burst that ended
	 * with nothing new started: q's newest is lower, but q before p would
	 * make p's new goroutines (2..59 most of them) older than q's newest */
	struct snapshot *w2[] = {snap_range("q", 1, 60, 70, 0, TAKEN_UNKNOWN), snap_range("p", 1, 2, 80, 0, TAKEN_UNKNOWN)};
	expect(w2, 2, "p q", ORDER_GOROUTINE_IDS, false);
	free_all(w2, 2);
	/* file times that rise with the ids hold, and give the times */
	struct snapshot *w[] = {snap("x", 1, 30, 3000, TAKEN_MTIME), snap("y", 1, 10, 1000, TAKEN_MTIME)};
	expect(w, 2, "y x", ORDER_FILE_TIMES, true);
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
	expect_note(w, 2, ORDER_AS_GIVEN, "taken in the order given");
	free_all(w, 2);
}

static void test_one_source_keeps_its_order(void **st)
{
	(void)st;
	/* a log with two dumps, the second after a restart (ids start again),
	 * and a dump whose file time puts it before the log's first although
	 * that one's new goroutines (400..500) are all older than its newest.
	 * The log keeps its order */
	struct snapshot *v[] = {snap("log", 2, 8, 1000, TAKEN_MTIME), snap_range("log", 1, 400, 500, 1000, TAKEN_MTIME),
				snap_range("other", 1, 800, 900, 500, TAKEN_MTIME)};
	struct order_result r;
	char got[64];
	order_of(v, 3, &r, got, sizeof(got));
	assert_int_equal(r.basis, ORDER_GOROUTINE_IDS);
	/* the log as a whole sorts by its least id (8): before "other" */
	assert_int_equal(v[r.perm[0]]->index, 1);
	assert_int_equal(v[r.perm[1]]->index, 2);
	assert_string_equal(v[r.perm[2]]->source, "other");
	order_free(&r);
	free_all(v, 3);
}

/* A goroutine created by fn at line with this id, in s. */
static void add_created(struct snapshot *s, uint64_t id, const char *fn, uint32_t line)
{
	struct frame f = {0};
	f.func = strtab_intern(&s->strs, fn, strlen(fn));
	f.line = line;
	uint32_t st = snapshot_add_stack(s, id * 31 + line, NULL, 0, STACK_HAS_CREATOR, &f);
	snapshot_add_goroutine(s, &(struct goroutine){.id = id, .stack = st});
}

static void test_restarts(void **st)
{
	(void)st;
	/* by their own times, ids handed out again are a new process: the
	 * goroutines new in c (2..8) all have ids below the newest of b (long
	 * running: 1, 600..900) */
	struct snapshot *v[] = {snap_range("a", 1, 300, 500, 1000, TAKEN_CAPTURE),
				snap_range("b", 1, 600, 900, 2000, TAKEN_CAPTURE), snap("c", 1, 8, 3000, TAKEN_CAPTURE)};
	struct process_break br[4];
	assert_int_equal(process_breaks((const struct snapshot *const *)v, 3, br, 4), 1);
	assert_int_equal(br[0].at, 2);
	assert_non_null(strstr(br[0].why, "from snapshot 3 (c): goroutine ids handed out again: goroutine 2 and others "
					  "new here have ids below the newest before (900), as if this came first"));
	free_all(v, 3);
	/* a newest id that falls is no restart: the newest goroutines exited */
	struct snapshot *dip[] = {snap("d1", 1, 343, 1000, TAKEN_CAPTURE), snap("d2", 1, 336, 2000, TAKEN_CAPTURE)};
	assert_int_equal(process_breaks((const struct snapshot *const *)dip, 2, br, 4), 0);
	free_all(dip, 2);
	/* nor are a few goroutines new here from a P's batch of ids taken
	 * before the earlier dump's newest (411..416 below 430), when the
	 * other order fits worse (every goroutine gone since, 317..430, would
	 * have had to come after the later dump's newest) */
	struct snapshot *batch[] = {snap_range("e1", 1, 317, 430, 1000, TAKEN_CAPTURE),
				    snap_range("e2", 1, 400, 410, 2000, TAKEN_CAPTURE)};
	for (uint64_t id = 411; id <= 416; id++)
		snapshot_add_goroutine(batch[1], &(struct goroutine){.id = id});
	for (uint64_t id = 443; id <= 445; id++)
		snapshot_add_goroutine(batch[1], &(struct goroutine){.id = id});
	assert_int_equal(process_breaks((const struct snapshot *const *)batch, 2, br, 4), 0);
	free_all(batch, 2);
	/* nor even when the other order fits better: two dumps of a service
	 * (its fixture, CI, December 2026), the later one's new goroutines all
	 * a little below the earlier one's newest (406..417 under 432: the rest
	 * of a P's batch), the earlier one's lost goroutines partly far below
	 * the later one's newest (309..313 under 420). The files' times hold;
	 * before, the ids overruled them, and a burst that drained read as a
	 * leak in the reversed order */
	static const uint64_t early_ids[] = {309, 310, 311, 312, 313, 418, 419, 420, 421, 426, 427, 428, 429, 430, 431, 432};
	static const uint64_t late_ids[] = {406, 407, 408, 409, 411, 412, 416, 417, 418, 419, 420};
	struct snapshot *svc[] = {snap_range("svc-6", 1, 380, 400, 2000, TAKEN_MTIME),
				  snap_range("svc-5", 1, 380, 400, 1000, TAKEN_MTIME)};
	for (size_t i = 0; i < ARRAY_LEN(late_ids); i++)
		snapshot_add_goroutine(svc[0], &(struct goroutine){.id = late_ids[i]});
	for (size_t i = 0; i < ARRAY_LEN(early_ids); i++)
		snapshot_add_goroutine(svc[1], &(struct goroutine){.id = early_ids[i]});
	expect(svc, 2, "svc-5 svc-6", ORDER_FILE_TIMES, true);
	const struct snapshot *svc_in_order[] = {svc[1], svc[0]};
	assert_int_equal(process_breaks(svc_in_order, 2, br, 4), 0);
	free_all(svc, 2);

	/* the same ids created elsewhere: another process, whatever the ids */
	struct snapshot *x = snapshot_new("x", 1), *y = snapshot_new("y", 1), *z = snapshot_new("z", 1);
	for (uint64_t id = 10; id < 15; id++) {
		add_created(x, id, "main.serve", 40);
		add_created(y, id, "main.serve", 40);
		add_created(z, id, "main.other", 7);
	}
	add_created(z, 99, "main.other", 7); /* newer ids too: ids alone would see nothing */
	assert_int_equal(process_same(x, y, NULL, 0), PROCESS_SAME);
	char why[200];
	assert_int_equal(process_same(y, z, why, sizeof(why)), PROCESS_OTHER);
	assert_non_null(strstr(why, "created by main.serve in one and by main.other in the other"));
	const struct snapshot *seq[] = {x, y, z};
	assert_int_equal(process_breaks(seq, 3, br, 4), 1);
	assert_int_equal(br[0].at, 2);
	/* with file times, a fall of the ids where the goroutines are plainly
	 * another process's (zz restarted: ids from 10 again, created
	 * elsewhere) is a restart that only the times can place */
	x->taken_ns = 1000, y->taken_ns = 2000;
	x->taken_from = y->taken_from = TAKEN_MTIME;
	struct snapshot *zz = snapshot_new("zz", 1);
	for (uint64_t id = 10; id < 13; id++)
		add_created(zz, id, "main.other", 7);
	zz->taken_ns = 3000, zz->taken_from = TAKEN_MTIME;
	const struct snapshot *all[] = {zz, y, x};
	struct order_result r;
	order_snapshots(all, 3, &r);
	assert_int_equal(r.basis, ORDER_FILE_TIMES);
	assert_string_equal(all[r.perm[0]]->source, "x");
	assert_string_equal(all[r.perm[2]]->source, "zz");
	const struct snapshot *ordered[] = {all[r.perm[0]], all[r.perm[1]], all[r.perm[2]]};
	assert_int_equal(process_breaks(ordered, 3, br, 4), 1);
	assert_non_null(strstr(br[0].why, "from snapshot 3 (zz): goroutine 10 was created by main.serve in one and by "
					  "main.other in the other"));
	order_free(&r);
	snapshot_free(x);
	snapshot_free(y);
	snapshot_free(z);
	snapshot_free(zz);
}

/* A goroutine with a given creator, waiting minutes (G_HAS_MINUTES). */
static void add_waiting(struct snapshot *s, uint64_t id, uint32_t minutes)
{
	struct frame f = {0};
	f.func = strtab_intern(&s->strs, "main.serve", 10);
	f.line = 40;
	uint32_t st = snapshot_add_stack(s, 77, NULL, 0, STACK_HAS_CREATOR, &f);
	snapshot_add_goroutine(s, &(struct goroutine){.id = id, .stack = st, .minutes = minutes, .flags = G_HAS_MINUTES});
}

static void test_breaks_by_wait(void **st)
{
	(void)st;
	/* six dumps of goroutines 10..19 created alike; in the third and the
	 * fifth, goroutine 12 waits less than it did before: not the same
	 * goroutine, so a new process each time (a minute less is the
	 * runtime rounding down, no sign). Every pair of neighbours is judged
	 * on its own core; the breaks come out in order, and no more than
	 * asked for. */
	struct snapshot *v[6];
	const uint32_t waits[6] = {30, 31, 5, 6, 2, 1};
	for (unsigned k = 0; k < 6; k++) {
		char name[16];
		snprintf(name, sizeof(name), "w%u", k);
		v[k] = snapshot_new(name, 1);
		for (uint64_t id = 10; id < 20; id++)
			add_waiting(v[k], id, id == 12 ? waits[k] : 40 + (uint32_t)k);
	}
	struct process_break br[4];
	const struct snapshot *const *all = (const struct snapshot *const *)v;
	assert_int_equal(process_breaks(all, 6, br, 4), 2);
	assert_int_equal(br[0].at, 2);
	assert_non_null(strstr(br[0].why, "from snapshot 3 (w2): goroutine 12 waited 31 minutes, then 5: not the same "
					  "goroutine"));
	assert_int_equal(br[1].at, 4);
	assert_non_null(strstr(br[1].why, "goroutine 12 waited 6 minutes, then 2"));
	assert_int_equal(process_breaks(all, 6, br, 1), 1);
	assert_int_equal(br[0].at, 2);
	free_all(v, 6);
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
		cmocka_unit_test(test_ties),             cmocka_unit_test(test_restarts),
		cmocka_unit_test(test_breaks_by_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
