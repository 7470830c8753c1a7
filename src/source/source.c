/* source.c: see source.h. */
#include "../base/common.h"
#include "source.h"
#include "../base/buf.h"
#include "../base/xalloc.h"
#include "../capture/capture_dir.h"
#include "../fetch/pprof_url.h"
#include "../parse/parse.h"
#include "../proc/pprof_port.h"
#include "file_reader.h"
#include "../base/map_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void source_options_default(struct source_options *o)
{
	memset(o, 0, sizeof(*o));
	fetch_options_default(&o->fetch);
	o->format = SOURCE_FORMAT_AUTO;
	o->threads = 1;
	o->replay = true;
	o->capture = SOURCE_CAPTURE_GOROUTINES;
	o->contention_kind = PROF_CONTENTION;
}

bool source_profile_url(const char *base, enum source_format f, char *out, size_t outsz)
{
	if (pprof_url_is_endpoint(base)) {
		int w = snprintf(out, outsz, "%s", base);
		return w >= 0 && (size_t)w < outsz;
	}
	enum pprof_encoding e = f == SOURCE_FORMAT_DEBUG1 ? PPROF_DEBUG1 : f == SOURCE_FORMAT_PPROF ? PPROF_PROTOBUF : PPROF_DEBUG2;
	return pprof_url(out, outsz, base, pprof_goroutine_endpoint(e));
}

/* When the snapshots from index `from` on were taken, as `how` tells it,
 * unless they know it better already (a profile's own time). */
static void stamp(struct snapset *set, uint32_t from, int64_t ns, enum taken_from how)
{
	if (ns <= 0)
		return;
	for (uint32_t i = from; i < set->n; i++) {
		struct snapshot *s = set->v[i];
		if (s->taken_from == TAKEN_UNKNOWN || how < s->taken_from) {
			s->taken_ns = ns;
			s->taken_from = how;
		}
	}
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void parse_options(const struct source_options *o, struct tb_options *t)
{
	tb_options_default(t);
	t->threads = o->threads < 1 ? 1 : o->threads;
	t->replay = o->replay;
	t->contention_kind = o->contention_kind;
	t->budget = o->budget;
}

/* A parse error as a whole sentence: "NAME: line N: what". */
static enum status named(struct err *err, const char *name)
{
	char msg[sizeof(err->msg) + 320];
	if (err->line)
		snprintf(msg, sizeof(msg), "%.256s: line %llu: %s", name, (unsigned long long)err->line, err->msg);
	else
		snprintf(msg, sizeof(msg), "%.256s: %s", name, err->msg);
	size_t n = MIN(strlen(msg), sizeof(err->msg) - 1);
	memcpy(err->msg, msg, n);
	err->msg[n] = '\0';
	return err->code ? err->code : ST_FORMAT;
}

/* A spent budget fails the load, whatever was read before it ran out. */
static enum status unless_spent(const struct source_options *o, enum status st, struct snapset *set, uint32_t before,
				const char *name, struct err *err)
{
	while (set->n > before)
		snapshot_free(set->v[--set->n]);
	if (st == ST_OK || !strstr(err->msg, "budget"))
		budget_error(o->budget, "reading the profile", err);
	return named(err, name);
}

/* Why a text input gave no dump, from what the reader saw. */
static enum status explain_empty(const char *name, const struct tb_stats *st, struct err *err)
{
	if (st->lines == 0)
		return err_set(err, ST_NOTFOUND, 0, 0, "%s: empty input: no goroutine dump found", name);
	if (st->binary_lines * 2 > st->lines)
		return err_set(err, ST_NOTFOUND, 0, 0,
			       "%s: no goroutine dump found: the input looks binary (%llu of %llu lines hold NUL bytes)",
			       name, (unsigned long long)st->binary_lines, (unsigned long long)st->lines);
	if (st->preamble_line)
		return err_set(err, ST_NOTFOUND, st->preamble_line, 0,
			       "%s: line %llu: found \"%s\" but no goroutine stacks after it", name,
			       (unsigned long long)st->preamble_line, st->preamble);
	return err_set(err, ST_NOTFOUND, 0, 0,
		       "%s: no goroutine dump found in %llu lines (expected lines like \"goroutine 1 [running]:\")", name,
		       (unsigned long long)st->lines);
}

/* After a parse: ST_OK when snapshots were appended (an error after some
 * is a cut, kept in rep); else the error, or why there was nothing. */
static enum status settle(enum status st, const char *name, uint32_t appended, const struct tb_stats *stats,
			  struct source_report *rep, struct err *err)
{
	rep->lines = stats->lines;
	rep->parts = stats->parts ? stats->parts : 1;
	rep->replayed = stats->replayed;
	rep->replay_missed = stats->replay_missed;
	rep->snapshots = appended;
	if (st != ST_OK) {
		if (!appended)
			return named(err, name);
		rep->cut = *err;
		named(&rep->cut, name);
		rep->cut.code = st;
		return ST_OK;
	}
	return appended ? ST_OK : explain_empty(name, stats, err);
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

/* Is the file behind fd now shorter than size, the size it was opened at? */
static bool shrank(int fd, size_t size)
{
	struct stat now;
	return fstat(fd, &now) == 0 && (uint64_t)now.st_size < (uint64_t)size;
}

/* What was read of a file that changed under the reader is no snapshot of
 * anything: dropped (from set->v[before] on), and said. */
static enum status changed_while_read(int fd, size_t size, struct snapset *set, uint32_t before, struct err *err)
{
	while (set->n > before)
		snapshot_free(set->v[--set->n]);
	struct stat now;
	if (fstat(fd, &now) != 0 || (uint64_t)now.st_size >= (uint64_t)size)
		return err_set(err, ST_IO, 0, 0,
			       "a page of it could not be read through its mapping (an I/O error?); nothing of it "
			       "is reported");
	return err_set(err, ST_IO, 0, 0,
		       "it was cut short while being read (%lld bytes when opened, %lld now): nothing of it is "
		       "reported; read it again once it is complete",
		       (long long)size, (long long)now.st_size);
}

/* Regular files are mapped (no copy, pages handed back as they are
 * parsed), except large text dumps that are cheaper to read with pread
 * (file_reader.h); text dumps from pipes and terminals are streamed;
 * profiles from pipes are read whole. */
static enum status parse_fd(int fd, const struct stat *sb, const char *name, const struct tb_options *base,
			    struct snapset *set, struct tb_stats *stats, const char **reader, struct err *err)
{
	struct tb_options opt = *base;
	if (S_ISREG(sb->st_mode) && sb->st_size > 0) {
		size_t size = (size_t)sb->st_size;
		void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map != MAP_FAILED) {
			/* a file cut short while mapped reads as zeros, then is refused */
			int guard = map_guard_begin(map, size);
			enum input_format fmt = sniff_format(map, MIN(size, (size_t)SNIFF_HEAD));
			enum file_reader how = fmt == FMT_TRACEBACK ? file_reader_choose(fd, map, size) : FILE_READER_MAP;
			*reader = file_reader_name(how);
			uint32_t before = set->n;
			enum status st;
			if (how == FILE_READER_PREAD) {
				bool faulted = map_guard_end(guard);
				munmap(map, size);
				if (faulted)
					return changed_while_read(fd, size, set, before, err);
				st = traceback_parse_file(fd, size, name, &opt, set, stats, err);
				/* (a read past the new end is an error of the line reader) */
				return st != ST_OK && shrank(fd, size) ? changed_while_read(fd, size, set, before, err) : st;
			}
			(void)madvise(map, size, MADV_SEQUENTIAL);
			/* the readers that hand back the pages they have read */
			opt.mapped = fmt == FMT_TRACEBACK || fmt == FMT_DEBUG1 || fmt == FMT_CONTENTION;
			st = parse_mem(map, size, fmt, name, &opt, set, stats, err);
			/* past the new end the reader read zeros, not the file */
			bool faulted = map_guard_end(guard);
			munmap(map, size);
			return faulted ? changed_while_read(fd, size, set, before, err) : st;
		}
	}
	char *head = xmalloc(SNIFF_HEAD);
	enum status st = ST_OK;
	*reader = "stream";
	long n = sniff_read_head(fd, head, name, err);
	if (n < 0) {
		st = ST_IO;
	} else {
		enum input_format fmt = sniff_format(head, (size_t)n);
		if (fmt == FMT_TRACEBACK || fmt == FMT_EMPTY) {
			st = traceback_parse_fd(fd, head, (size_t)n, name, &opt, set, stats, err);
		} else if (fmt == FMT_HEAP || fmt == FMT_JSON_LOG) {
			st = parse_mem(head, (size_t)n, fmt, name, &opt, set, stats, err); /* refused on sight */
		} else {
			char *all = NULL;
			size_t len = 0;
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

static enum status load_file(const char *path, const struct source_options *o, struct snapset *set,
			     struct source_report *rep, struct err *err);

/* A capture directory: on request its block and mutex profiles (their
 * kind known from their names), then its most detailed goroutine profile. */
static enum status load_capture(const char *dir, const struct source_options *o, struct snapset *set,
				struct source_report *rep, struct err *err)
{
	struct capture_files f;
	enum status st = capture_dir_files(dir, &f, err);
	if (st != ST_OK)
		return st;
	uint32_t before = set->n;
	struct source_report part;
	if (o->capture != SOURCE_CAPTURE_GOROUTINES) {
		if (!f.block[0] && !f.mutex[0] && o->capture == SOURCE_CAPTURE_CONTENTION_REQUIRED)
			return err_set(err, ST_NOTFOUND, 0, 0,
				       "capture '%s' holds no block or mutex profile (capture --seconds N takes them)", dir);
		const char *files[2] = {f.block, f.mutex};
		const int64_t times[2] = {f.block_ns, f.mutex_ns};
		for (int i = 0; i < 2; i++) {
			if (!files[i][0])
				continue;
			struct source_options one = *o;
			one.contention_kind = i ? PROF_MUTEX : PROF_BLOCK;
			uint32_t first = set->n;
			st = load_file(files[i], &one, set, &part, err);
			if (st != ST_OK)
				goto fail;
			stamp(set, first, times[i], TAKEN_CAPTURE);
			if (part.cut.code != ST_OK && rep->cut.code == ST_OK)
				rep->cut = part.cut;
		}
	}
	if (!f.goroutine[0]) {
		st = err_set(err, ST_NOTFOUND, 0, 0, "capture '%s' holds no goroutine profile (see its " CAPTURE_MANIFEST ")",
			     dir);
		goto fail;
	}
	struct err cut = rep->cut;
	uint32_t first = set->n;
	st = load_file(f.goroutine, o, set, &part, err);
	if (st != ST_OK)
		goto fail;
	stamp(set, first, f.goroutine_ns, TAKEN_CAPTURE);
	*rep = part;
	rep->snapshots = set->n - before;
	if (cut.code != ST_OK)
		rep->cut = cut;
	return ST_OK;
fail:
	while (set->n > before)
		snapshot_free(set->v[--set->n]);
	return st;
}

static enum status load_file(const char *path, const struct source_options *o, struct snapset *set,
			     struct source_report *rep, struct err *err)
{
	memset(rep, 0, sizeof(*rep));
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "<stdin>" : path;
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, ST_IO, 0, 0, "cannot open '%s': %s", path, strerror(errno));
	struct stat sb;
	enum status st;
	if (fstat(fd, &sb) != 0) {
		st = err_set(err, ST_IO, 0, 0, "cannot stat '%s': %s", name, strerror(errno));
	} else if (S_ISDIR(sb.st_mode)) {
		st = load_capture(path, o, set, rep, err);
	} else {
		struct tb_options opt;
		parse_options(o, &opt);
		struct tb_stats stats;
		memset(&stats, 0, sizeof(stats));
		uint32_t before = set->n;
		const char *reader = NULL;
		st = parse_fd(fd, &sb, name, &opt, set, &stats, &reader, err);
		st = settle(st, name, set->n - before, &stats, rep, err);
		rep->reader = reader;
		if (st == ST_OK && S_ISREG(sb.st_mode))
			stamp(set, before, (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec, TAKEN_MTIME);
	}
	if (!is_stdin)
		close(fd);
	return st;
}

/* source_load_mem with rep and err never NULL. */
static enum status load_mem(const char *name, const char *p, size_t n, const struct source_options *o,
			    struct snapset *set, struct source_report *rep, struct err *err)
{
	memset(rep, 0, sizeof(*rep));
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t'))
		i++;
	if (i < n && p[i] == '<')
		return err_set(err, ST_NOTFOUND, 0, 0,
			       "%s: the response is HTML, not a goroutine profile (an index or login page?); "
			       "give the profile's URL, e.g. .../debug/pprof/goroutine?debug=2",
			       name);
	struct tb_options opt;
	parse_options(o, &opt);
	struct tb_stats stats;
	memset(&stats, 0, sizeof(stats));
	uint32_t before = set->n;
	enum status st = parse_mem(p, n, sniff_format(p, MIN(n, (size_t)SNIFF_HEAD)), name, &opt, set, &stats, err);
	if (o->budget && o->budget->spent != ST_OK)
		return unless_spent(o, st, set, before, name, err);
	if (st == ST_OK && set->n == before)
		return err_set(err, ST_NOTFOUND, 0, 0, "%s: the response (%zu bytes) holds no goroutine profile", name, n);
	return settle(st, name, set->n - before, &stats, rep, err);
}

static enum status load_url(const char *spec, const struct source_options *o, struct snapset *set,
			    struct source_report *rep, struct err *err)
{
	char url[PPROF_URL_MAX];
	if (!source_profile_url(spec, o->format, url, sizeof(url)))
		return err_set(err, ST_USAGE, 0, 0, "'%.200s...': URL too long", spec);
	struct buf body;
	buf_init(&body);
	long status;
	enum status st = fetch_get(url, &o->fetch, &body, &status, err);
	int64_t arrived = now_ns();
	uint32_t before = set->n;
	if (st == ST_OK)
		st = load_mem(url, body.p ? body.p : "", body.len, o, set, rep, err);
	if (st == ST_OK)
		stamp(set, before, arrived, TAKEN_FETCH);
	buf_free(&body);
	return st;
}

/* The entry points take NULL for rep and err; the rest of the file always
 * has both. */
enum status source_load_mem(const char *name, const char *p, size_t n, const struct source_options *o,
			    struct snapset *set, struct source_report *rep, struct err *err)
{
	struct source_report r;
	struct err e;
	return load_mem(name, p, n, o, set, rep ? rep : &r, err ? err : &e);
}

enum status source_load(const char *spec, const struct source_options *o, struct snapset *set,
			struct source_report *rep, struct err *err)
{
	struct source_report r;
	struct err e;
	if (!rep)
		rep = &r;
	if (!err)
		err = &e;
	memset(rep, 0, sizeof(*rep));
	if (fetch_is_url(spec))
		return load_url(spec, o, set, rep, err);
	if (proc_is_pid_spec(spec)) {
		char url[64];
		enum status st = proc_pprof_url(spec, url, sizeof(url), err);
		return st == ST_OK ? load_url(url, o, set, rep, err) : st;
	}
	return load_file(spec, o, set, rep, err);
}
