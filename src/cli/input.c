/* input.c: loading inputs for any subcommand: open, sniff the format, parse,
 * and explain clearly when an input holds nothing usable. */
#include "../base/common.h"
#include "cli.h"
#include "../base/xalloc.h"
#include "../parse/parse.h"
#include "../fetch/fetch.h"
#include "../base/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("goroscope: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void cli_print_err(const char *what, const struct err *e)
{
	if (e->line)
		cli_error("%s: line %llu: %s", what, (unsigned long long)e->line, e->msg);
	else
		cli_error("%s: %s", what, e->msg);
}

bool cli_write_stdout(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(1, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EPIPE)
				cli_error("cannot write output: %s", strerror(errno));
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}

int cli_threads = 1;
enum cli_capture_profiles cli_capture_contention = CAPTURE_GOROUTINES;

static void print_warnings(const struct snapshot *s, const char *name)
{
	for (uint32_t i = 0; i < s->nwarnings; i++) {
		const struct warning *w = &s->warnings[i];
		if (w->line)
			fprintf(stderr, "goroscope: %s: line %llu (byte %llu): warning: %s\n", name,
				(unsigned long long)w->line, (unsigned long long)w->offset, w->msg);
		else
			fprintf(stderr, "goroscope: %s: warning: %s\n", name, w->msg);
	}
	if (s->warnings_dropped)
		fprintf(stderr, "goroscope: %s: warning: %u more warnings not shown\n", name, s->warnings_dropped);
}

static bool explain_empty(const char *name, const struct tb_stats *st)
{
	if (st->lines == 0) {
		cli_error("%s: empty input: no goroutine dump found", name);
	} else if (st->binary_lines * 2 > st->lines) {
		cli_error("%s: no goroutine dump found: the input looks binary (%llu of %llu lines hold NUL bytes)",
			  name, (unsigned long long)st->binary_lines, (unsigned long long)st->lines);
	} else if (st->preamble_line) {
		cli_error("%s: line %llu: found \"%s\" but no goroutine stacks after it", name,
			  (unsigned long long)st->preamble_line, st->preamble);
	} else {
		cli_error("%s: no goroutine dump found in %llu lines (expected lines like \"goroutine 1 [running]:\")",
			  name, (unsigned long long)st->lines);
	}
	return false;
}

/* Profiles read from a pipe are held whole (they are small next to text
 * dumps, which are streamed); this caps what a pipe can make us hold. */
enum { MAX_PIPED_PROFILE = 1024 * 1024 * 1024 };

/* The rest of fd after the n bytes already in head, all in one block. */
static enum status read_all(int fd, const char *head, size_t n, const char *name, char **out, size_t *len,
			    struct err *err)
{
	size_t cap = MAX(n * 2, (size_t)1 << 20), used = n;
	char *buf = xmalloc(cap);
	memcpy(buf, head, n);
	for (;;) {
		if (used == cap) {
			if (cap >= MAX_PIPED_PROFILE) {
				free(buf);
				return err_set(err, ST_LIMIT, 0, used, "'%s': profile larger than %d MiB: refused", name,
					       MAX_PIPED_PROFILE >> 20);
			}
			cap = MIN(cap * 2, (size_t)MAX_PIPED_PROFILE);
			buf = xreallocarray(buf, cap, 1);
		}
		ssize_t r = read(fd, buf + used, cap - used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return err_set(err, ST_IO, 0, used, "cannot read '%s': %s", name, strerror(errno));
		}
		if (r == 0)
			break;
		used += (size_t)r;
	}
	*out = buf;
	*len = used;
	return ST_OK;
}

/* Regular files are mapped (no copy, pages handed back as they are
 * parsed); text dumps from pipes and terminals are streamed; profiles from
 * pipes are read whole. */
static enum status parse_input(int fd, const struct stat *sb, const char *name, struct snapset *set,
			       struct tb_stats *stats, struct err *err)
{
	struct tb_options opt;
	tb_options_default(&opt);
	opt.threads = cli_threads;
	/* GOROSCOPE_NO_REPLAY=1 reads every line one by one: the tests compare
	 * both ways (docs/internals/traceback-reader.md). */
	opt.replay = getenv("GOROSCOPE_NO_REPLAY") == NULL;
	if (S_ISREG(sb->st_mode) && sb->st_size > 0) {
		size_t size = (size_t)sb->st_size;
		void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map != MAP_FAILED) {
			(void)madvise(map, size, MADV_SEQUENTIAL);
			enum input_format fmt = sniff_format(map, MIN(size, (size_t)SNIFF_HEAD));
			opt.mapped = fmt == FMT_TRACEBACK;
			enum status st = parse_mem(map, size, fmt, name, &opt, set, stats, err);
			munmap(map, size);
			return st;
		}
	}
	char *head = xmalloc(SNIFF_HEAD);
	enum status st = ST_OK;
	long n = sniff_read_head(fd, head, name, err);
	if (n < 0) {
		st = ST_IO;
	} else {
		enum input_format fmt = sniff_format(head, (size_t)n);
		if (fmt == FMT_TRACEBACK || fmt == FMT_EMPTY) {
			st = traceback_parse_fd(fd, head, (size_t)n, name, &opt, set, stats, err);
		} else {
			char *all;
			size_t len;
			st = read_all(fd, head, (size_t)n, name, &all, &len, err);
			if (st == ST_OK) {
				st = parse_mem(all, len, fmt, name, &opt, set, stats, err);
				free(all);
			}
		}
	}
	free(head);
	return st;
}

bool cli_load_url(const char *u, struct snapset *set, bool quiet, bool report_errors)
{
	char url[2048];
	cli_profile_url(u, cli_format, url, sizeof(url));
	struct buf body;
	buf_init(&body);
	struct err err = {0};
	long status;
	bool ok = false;
	if (fetch_get(url, &cli_fetch, &body, &status, &err) != ST_OK) {
		if (report_errors)
			cli_error("%s", err.msg);
		goto out;
	}
	size_t i = 0;
	while (i < body.len && (body.p[i] == ' ' || body.p[i] == '\n' || body.p[i] == '\r' || body.p[i] == '\t'))
		i++;
	if (i < body.len && body.p[i] == '<') {
		if (report_errors)
			cli_error("%s: the response is HTML, not a goroutine profile (an index or login page?); "
			  "give the profile's URL, e.g. .../debug/pprof/goroutine?debug=2",
			  url);
		goto out;
	}
	struct tb_options opt;
	tb_options_default(&opt);
	opt.threads = cli_threads;
	struct tb_stats stats;
	memset(&stats, 0, sizeof(stats));
	uint32_t before = set->n;
	enum status st = parse_mem(body.p, body.len, sniff_format(body.p, MIN(body.len, (size_t)SNIFF_HEAD)), url, &opt,
				   set, &stats, &err);
	if (st != ST_OK) {
		if (report_errors)
			cli_print_err(url, &err);
		goto out;
	}
	if (set->n == before) {
		if (report_errors)
			cli_error("%s: the response (%zu bytes) holds no goroutine profile", url, body.len);
		goto out;
	}
	for (uint32_t k = before; k < set->n && !quiet; k++)
		print_warnings(set->v[k], url);
	ok = true;
out:
	buf_free(&body);
	return ok;
}

static bool load_one(const char *path, struct snapset *set, bool quiet);

/* A capture directory (goroscope capture): its most detailed goroutine
 * profile. */
static bool load_capture(const char *dir, struct snapset *set, bool quiet)
{
	static const char *const best_first[] = {"goroutine.debug2.txt", "goroutine.pb.gz", "goroutine.debug1.txt"};
	char path[4096];
	struct stat sb;
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if (stat(path, &sb) != 0) {
		cli_error("'%s' is a directory, not a dump file (nor a goroscope capture: no manifest.json)", dir);
		return false;
	}
	if (cli_capture_contention != CAPTURE_GOROUTINES) {
		/* block and mutex (and the goroutine dump, for parked counts) */
		static const char *const cont[] = {"block.pb.gz", "mutex.pb.gz"};
		bool any = false;
		for (size_t i = 0; i < ARRAY_LEN(cont); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, cont[i]);
			if (stat(path, &sb) == 0 && sb.st_size > 0) {
				uint32_t before = set->n;
				if (!load_one(path, set, quiet))
					return false;
				for (uint32_t k = before; k < set->n; k++)
					if (set->v[k]->profile == PROF_CONTENTION) {
						set->v[k]->profile = i ? PROF_MUTEX : PROF_BLOCK;
						set->v[k]->profile_name = i ? "mutex" : "block";
					}
				any = true;
			}
		}
		if (!any && cli_capture_contention == CAPTURE_CONTENTION_REQUIRED) {
			cli_error("capture '%s' holds no block or mutex profile (capture --seconds N takes them)", dir);
			return false;
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(best_first); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, best_first[i]);
		if (stat(path, &sb) == 0 && sb.st_size > 0)
			return load_one(path, set, quiet);
	}
	cli_error("capture '%s' holds no goroutine profile (see its manifest.json)", dir);
	return false;
}

static bool load_one(const char *path, struct snapset *set, bool quiet)
{
	if (fetch_is_url(path))
		return cli_load_url(path, set, quiet, true);
	if (!strncmp(path, "pid:", 4)) {
		char url[64];
		return cli_resolve_pid(path, url, sizeof(url)) && cli_load_url(url, set, quiet, true);
	}
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "<stdin>" : path;
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_error("cannot open '%s': %s", path, strerror(errno));
		return false;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0) {
		cli_error("cannot stat '%s': %s", name, strerror(errno));
		if (!is_stdin)
			close(fd);
		return false;
	}
	if (S_ISDIR(sb.st_mode)) {
		close(fd);
		return load_capture(path, set, quiet);
	}
	struct err err = {0};
	struct tb_stats stats;
	memset(&stats, 0, sizeof(stats));
	bool ok = false;
	uint32_t before = set->n;
	enum status st = parse_input(fd, &sb, name, set, &stats, &err);
	/* GOROSCOPE_TIMING=1 (see cmd_analyze.c): how the text was read, for
	 * the tests of the parallel reader and for benchmark work */
	if (getenv("GOROSCOPE_TIMING") && stats.lines)
		fprintf(stderr, "goroscope: timing: %s: %llu lines in %u part(s)\n", name,
			(unsigned long long)stats.lines, stats.parts ? stats.parts : 1);
	if (st != ST_OK) {
		cli_print_err(name, &err);
		if (set->n == before)
			goto out;
		cli_error("%s: keeping the %u dump(s) read before the error", name, set->n - before);
	}
	if (set->n == before) {
		explain_empty(name, &stats);
		goto out;
	}
	if (!quiet)
		for (uint32_t i = before; i < set->n; i++)
			print_warnings(set->v[i], name);
	ok = true;
out:
	if (!is_stdin)
		close(fd);
	return ok;
}

bool cli_load_inputs(int n, char **paths, struct snapset *set, bool quiet)
{
	if (n == 0)
		return load_one("-", set, quiet);
	for (int i = 0; i < n; i++)
		if (!load_one(paths[i], set, quiet))
			return false;
	return true;
}
