/* Unit tests for the input seam (src/source), the pprof URLs it builds
 * (src/fetch/pprof_url), the capture directory layout it reads
 * (src/capture/capture_dir) and pid:N specs (src/proc/pprof_port). Run from
 * the repository root (make unit): inputs come from tests/corpus/. */
#include "../../src/base/common.h"
#include "../../src/capture/capture_dir.h"
#include "../../src/fetch/pprof_url.h"
#include "../../src/proc/pprof_port.h"
#include "../../src/parse/traceback.h"
#include "../../src/base/map_guard.h"
#include "../../src/source/source.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static const char EMPTY_BLOCK[] = "tests/corpus/real/pprof/cdk_erigon_block_empty.pb.gz";
static const char DUMP[] = "tests/corpus/generated/go1.19/goroutine.debug2.txt";

static void test_pprof_url(void **st)
{
	(void)st;
	char out[64];
	assert_true(pprof_url(out, sizeof(out), "http://h:1//", "goroutine?debug=2"));
	assert_string_equal(out, "http://h:1/debug/pprof/goroutine?debug=2");
	assert_true(pprof_url(out, sizeof(out), "https://h/prefix", ""));
	assert_string_equal(out, "https://h/prefix/debug/pprof/");
	/* a URL that does not fit is refused whole, never cut */
	char longbase[80];
	memset(longbase, 'a', sizeof(longbase) - 1);
	longbase[sizeof(longbase) - 1] = '\0';
	assert_false(pprof_url(out, sizeof(out), longbase, "goroutine"));
	assert_string_equal(out, "");
	assert_true(pprof_url_is_endpoint("http://h/debug/pprof/heap"));
	assert_false(pprof_url_is_endpoint("http://h:6060"));
}

static void test_profile_url(void **st)
{
	(void)st;
	char out[128];
	assert_true(source_profile_url("http://h:1", SOURCE_FORMAT_AUTO, out, sizeof(out)));
	assert_string_equal(out, "http://h:1/debug/pprof/goroutine?debug=2");
	assert_true(source_profile_url("http://h:1/", SOURCE_FORMAT_DEBUG1, out, sizeof(out)));
	assert_string_equal(out, "http://h:1/debug/pprof/goroutine?debug=1");
	assert_true(source_profile_url("http://h:1", SOURCE_FORMAT_PPROF, out, sizeof(out)));
	assert_string_equal(out, "http://h:1/debug/pprof/goroutine");
	/* an endpoint is fetched as given, whatever the format */
	assert_true(source_profile_url("http://h:1/debug/pprof/block?seconds=5", SOURCE_FORMAT_DEBUG1, out, sizeof(out)));
	assert_string_equal(out, "http://h:1/debug/pprof/block?seconds=5");
}

/* Copy file src to dir/name. */
static void copy(const char *src, const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *in = fopen(src, "rb"), *out = fopen(path, "wb");
	assert_non_null(in);
	assert_non_null(out);
	char b[65536];
	size_t n;
	while ((n = fread(b, 1, sizeof(b), in)) > 0)
		assert_int_equal(fwrite(b, 1, n, out), n);
	fclose(in);
	fclose(out);
}

static void touch(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_capture_dir(void **st)
{
	(void)st;
	char dir[] = "/tmp/goroscope-unit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct capture_files f;
	struct err err = {0};
	/* a directory without a manifest is not a capture */
	assert_int_equal(capture_dir_files(dir, &f, &err), ST_NOTFOUND);
	assert_non_null(strstr(err.msg, "not a dump file"));
	touch(dir, CAPTURE_MANIFEST, "{}\n");
	touch(dir, CAPTURE_GOROUTINE_DEBUG2, ""); /* empty: as good as absent */
	copy(DUMP, dir, CAPTURE_GOROUTINE_DEBUG1);
	assert_int_equal(capture_dir_files(dir, &f, &err), ST_OK);
	assert_non_null(strstr(f.goroutine, CAPTURE_GOROUTINE_DEBUG1));
	assert_string_equal(f.block, "");
	/* the most detailed goroutine profile wins */
	copy(DUMP, dir, CAPTURE_GOROUTINE_DEBUG2);
	assert_int_equal(capture_dir_files(dir, &f, &err), ST_OK);
	assert_non_null(strstr(f.goroutine, CAPTURE_GOROUTINE_DEBUG2));

	/* through the seam: asked for, the block and mutex profiles come too,
	 * each of the kind its file name says (an empty protobuf profile cannot
	 * say it), and the goroutine dump last */
	struct source_options o;
	source_options_default(&o);
	struct snapset set;
	snapset_init(&set);
	assert_int_equal(source_load(dir, &o, &set, NULL, &err), ST_OK);
	assert_int_equal(set.n, 1);
	o.capture = SOURCE_CAPTURE_CONTENTION_REQUIRED;
	assert_int_equal(source_load(dir, &o, &set, NULL, &err), ST_NOTFOUND);
	assert_non_null(strstr(err.msg, "no block or mutex profile"));
	assert_int_equal(set.n, 1); /* nothing appended on failure */
	copy(EMPTY_BLOCK, dir, CAPTURE_BLOCK);
	copy(EMPTY_BLOCK, dir, CAPTURE_MUTEX);
	struct source_report rep;
	assert_int_equal(source_load(dir, &o, &set, &rep, &err), ST_OK);
	assert_int_equal(set.n, 4);
	assert_int_equal(set.v[1]->profile, PROF_BLOCK);
	assert_int_equal(set.v[2]->profile, PROF_MUTEX);
	assert_int_equal(set.v[3]->profile, PROF_NONE);
	assert_int_equal(rep.snapshots, 3);
	assert_int_equal(rep.cut.code, ST_OK);
	snapset_free(&set);
	const char *names[] = {CAPTURE_MANIFEST, CAPTURE_GOROUTINE_DEBUG1, CAPTURE_GOROUTINE_DEBUG2, CAPTURE_BLOCK,
			       CAPTURE_MUTEX};
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void test_sources_that_fail(void **st)
{
	(void)st;
	struct source_options o;
	source_options_default(&o);
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	assert_int_equal(source_load("/nonexistent/dump.txt", &o, &set, NULL, &err), ST_IO);
	assert_non_null(strstr(err.msg, "cannot open '/nonexistent/dump.txt'"));
	static const char html[] = "\n  <!DOCTYPE html><html>sign in</html>";
	assert_int_equal(source_load_mem("http://h/x", html, sizeof(html) - 1, &o, &set, NULL, &err), ST_NOTFOUND);
	assert_non_null(strstr(err.msg, "http://h/x: the response is HTML"));
	static const char words[] = "nothing\nto see\n";
	assert_int_equal(source_load_mem("body", words, sizeof(words) - 1, &o, &set, NULL, &err), ST_NOTFOUND);
	assert_non_null(strstr(err.msg, "body: "));
	/* the entry points take NULL for what the caller does not want */
	assert_int_equal(source_load_mem("body", words, sizeof(words) - 1, &o, &set, NULL, NULL), ST_NOTFOUND);
	assert_int_equal(set.n, 0);
	assert_int_equal(proc_pprof_url("pid:x", (char[64]){0}, 64, &err), ST_USAGE);
	assert_int_equal(proc_pprof_url("pid:", (char[64]){0}, 64, &err), ST_USAGE);
	assert_true(proc_is_pid_spec("pid:12"));
	assert_false(proc_is_pid_spec("12"));
	snapset_free(&set);
}

static void test_threads_same_result(void **st)
{
	(void)st;
	/* the options reach the reader: one thread or four, the same snapshot */
	struct source_options o;
	source_options_default(&o);
	struct snapset a, b;
	snapset_init(&a);
	snapset_init(&b);
	assert_int_equal(source_load(DUMP, &o, &a, NULL, NULL), ST_OK);
	o.threads = 4;
	o.replay = false;
	struct source_report rep;
	assert_int_equal(source_load(DUMP, &o, &b, &rep, NULL), ST_OK);
	assert_int_equal(a.n, b.n);
	assert_int_equal(a.v[0]->ngoroutines, b.v[0]->ngoroutines);
	assert_true(rep.lines > 0);
	snapset_free(&a);
	snapset_free(&b);
}

/* A mapped file cut short reads as zeros past its new end, and the guard
 * says so, instead of the process dying of SIGBUS; untouched, it says
 * nothing. The pread reader, given more bytes than the file has, stops
 * with an error instead of taking the short read for the end. */
static void test_file_cut_while_read(void **st)
{
	(void)st;
	long page = sysconf(_SC_PAGESIZE);
	char path[] = "/tmp/goroscope-cut-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char *bytes = malloc((size_t)page * 3);
	memset(bytes, 'x', (size_t)page * 3);
	assert_int_equal(write(fd, bytes, (size_t)page * 3), page * 3);
	const char *map = mmap(NULL, (size_t)page * 3, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(map != MAP_FAILED);

	int g = map_guard_begin(map, (size_t)page * 3);
	assert_true(g >= 0);
	assert_int_equal(map[page * 2 + 5], 'x');
	assert_false(map_guard_end(g));

	g = map_guard_begin(map, (size_t)page * 3);
	assert_int_equal(ftruncate(fd, page), 0);
	assert_int_equal(map[0], 'x');
	assert_int_equal(map[page * 2 + 5], 0); /* past the end: zeros, no SIGBUS */
	assert_true(map_guard_end(g));
	munmap((void *)map, (size_t)page * 3);

	/* the pread reader: 3 pages promised, 1 there */
	struct tb_options o;
	tb_options_default(&o);
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	assert_int_equal(traceback_parse_file(fd, (size_t)page * 3, path, &o, &set, NULL, &err), ST_IO);
	assert_non_null(strstr(err.msg, "changed while being read"));
	snapset_free(&set);
	close(fd);
	unlink(path);
	free(bytes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pprof_url),           cmocka_unit_test(test_profile_url),
		cmocka_unit_test(test_capture_dir),         cmocka_unit_test(test_sources_that_fail),
		cmocka_unit_test(test_threads_same_result), cmocka_unit_test(test_file_cut_while_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
