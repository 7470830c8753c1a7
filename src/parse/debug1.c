/* debug1.c: see debug1.h. A line-driven reader: a header opens a profile,
 * "COUNT @ PCS" (or "CYCLES COUNT @ PCS") opens a record, "# labels:" and
 * "#\tPC\tFUNC+OFF\tFILE:LINE" lines fill it, a blank line closes it. Columns
 * are separated by runs of TABs (Go's tabwriter pads with TABs). */
#include "../base/common.h"
#include "../model/goname.h"
#include "debug1.h"
#include "../base/arena.h"
#include "../base/bytes.h"
#include "../base/hash.h"
#include "../base/linereader.h"
#include "../base/u64map.h"
#include "../base/xalloc.h"
#include "tb_line.h"

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { MAX_FRAMES = 4096, MAX_LINE = 1024 * 1024 };

/* Frame lines repeat: the records of a profile share most of their
 * frames, and one program counter is one function, file and line. So a
 * '#' line is kept, by the text of its PC, with the frame it gave, and a
 * later line with the same PC and the same fields takes that frame without
 * being read again (the fields are compared: a profile naming one PC two
 * ways is read as it says). Per snapshot, as strtab ids are; at most
 * CACHE_LINES lines and CACHE_TEXT bytes of them, beyond which lines are
 * read each time. */
enum { CACHE_LINES = 1u << 18, CACHE_TEXT = 16u << 20 };

/* The TAB runs read_frame skips: after '#', after the PC, after the
 * function; what follows the third is the location, verbatim. */
enum { SEPARATORS = 3 };

struct cached_line {
	const char *raw;       /* the line as first seen */
	uint32_t raw_len;
	/* in raw: where field k ends and the field after its TABs starts */
	uint32_t field_end[SEPARATORS], next_start[SEPARATORS];
	uint32_t nsep;         /* separators the line has (a PC alone: 1) */
	struct frame f;
};

struct line_cache {
	struct u64map by_pc;
	struct cached_line *v;
	uint32_t n, cap;
	struct arena text;
	size_t text_bytes;
};

struct d1 {
	const char *source;
	struct snapset *out;
	struct snapshot *cur;
	bool contention;       /* block/mutex profile: records carry cycles */
	uint32_t nsnap;
	/* the record being read */
	bool in_rec;
	uint64_t rec_line, rec_offset;
	uint64_t count, cycles;
	uint32_t labels;
	struct frame *frames;
	uint32_t nframes, cap;
	bool dropped;
	struct slice pcs;      /* the record's "@ 0x.. 0x.." list */
	struct line_cache lines;
};

/* Empty c, its memory freed (a cleared cache is ready for use). */
static void cache_clear(struct line_cache *c)
{
	u64map_free(&c->by_pc);
	free(c->v);
	arena_free(&c->text);
	memset(c, 0, sizeof(*c));
	arena_init(&c->text);
}

/* The PC text's 16 bytes (zero past len) as one number: distinct texts
 * seldom share one, and a key is always checked against the line. */
static uint64_t pc_key(const uint64_t w[2], size_t len)
{
	return (w[0] ^ (w[1] * 0x9e3779b97f4a7c15ULL)) + len;
}

/* A key for the PC of "#\tPC\t...": its text (after "0x", at most 16
 * bytes, up to a TAB or the end) hashed; false when there is no such PC.
 * A key names the cached line to compare with, never a frame by itself. */
static bool line_key(struct slice l, uint64_t *key)
{
	size_t i = 1;
	while (i < l.n && l.p[i] == '\t')
		i++;
	if (i + 2 >= l.n || l.p[i] != '0' || l.p[i + 1] != 'x')
		return false;
	const char *pc = l.p + i;
	size_t room = l.n - i, len;
	uint64_t w[2] = {0, 0};
#ifdef __SSE2__
	if (room >= 16) {
		/* the usual line: the PC and its TAB within 16 bytes, found at once */
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)pc);
		unsigned tabs = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));
		len = tabs ? (size_t)__builtin_ctz(tabs) : 16;
		if (!tabs && room > 16 && pc[16] != '\t')
			return false; /* longer than 16 bytes */
		memcpy(w, pc, 16);
		if (len < 8) {
			w[0] &= ((uint64_t)1 << (8 * len)) - 1;
			w[1] = 0;
		} else if (len < 16) {
			w[1] &= len == 8 ? 0 : ((uint64_t)1 << (8 * (len - 8))) - 1;
		}
		*key = pc_key(w, len);
		return true;
	}
#endif
	const char *tab = memchr(pc, '\t', room);
	len = tab ? (size_t)(tab - pc) : room;
	if (len > 16)
		return false;
	memcpy(w, pc, len);
	*key = pc_key(w, len);
	return true;
}

/* How many bytes from p (avail of them there) have the fields of e, or 0
 * when they do not: the same bytes, except that each of the SEPARATORS
 * runs of TABs may have another length (tabwriter pads a column to the
 * widest entry of its record, so one frame line is printed with one TAB
 * or several). read_frame reads such lines alike. */
static size_t fields_at(const struct cached_line *e, const char *p, size_t avail)
{
	const char *r = e->raw;
	if (avail >= e->raw_len && bytes_equal(p, r, e->raw_len))
		return e->raw_len; /* as first seen: the usual case */
	size_t i = 0, j = 0;
	for (uint32_t k = 0; k <= e->nsep; k++) {
		size_t end = k < e->nsep ? e->field_end[k] : e->raw_len;
		if (avail - j < end - i || !bytes_equal(p + j, r + i, end - i))
			return 0;
		j += end - i;
		if (k == e->nsep)
			break;
		/* a run of TABs here too */
		if (j >= avail || p[j] != '\t')
			return 0;
		while (j < avail && p[j] == '\t')
			j++;
		i = e->next_start[k];
	}
	return j;
}

/* Does line l have the fields of e? */
static bool same_fields(const struct cached_line *e, struct slice l)
{
	size_t j = fields_at(e, l.p, l.n);
	return j && j == l.n;
}

static const struct frame *cache_find(const struct line_cache *c, uint64_t key, struct slice l)
{
	uint32_t i;
	if (!u64map_get(&c->by_pc, key, &i))
		return NULL;
	return same_fields(&c->v[i], l) ? &c->v[i].f : NULL;
}

static void cache_keep(struct line_cache *c, uint64_t key, struct slice l, const struct frame *f)
{
	uint32_t known;
	if (c->n == CACHE_LINES || c->text_bytes + l.n > CACHE_TEXT || u64map_get(&c->by_pc, key, &known))
		return; /* full, or a PC named another way before (that one stays) */
	c->text_bytes += l.n;
	char *raw = arena_alloc(&c->text, l.n ? l.n : 1);
	memcpy(raw, l.p, l.n);
	struct cached_line e = {.raw = raw, .raw_len = (uint32_t)l.n, .f = *f};
	for (size_t k = 0; e.nsep < SEPARATORS;) {
		while (k < l.n && l.p[k] != '\t')
			k++;
		if (k == l.n)
			break;
		e.field_end[e.nsep] = (uint32_t)k;
		while (k < l.n && l.p[k] == '\t')
			k++;
		e.next_start[e.nsep++] = (uint32_t)k;
	}
	bool inserted;
	u64map_upsert(&c->by_pc, key, c->n, &inserted);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	c->v[c->n++] = e;
}

static bool parse_dec(struct slice s, uint64_t *out)
{
	if (!s.n || s.n > 19)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (!is_digit(s.p[i]))
			return false;
		v = v * 10 + (uint64_t)(s.p[i] - '0');
	}
	*out = v;
	return true;
}

/* Next field of a '#' line: text up to a run of TABs. */
static struct slice next_field(struct slice *rest)
{
	size_t i = 0;
	while (i < rest->n && rest->p[i] != '\t')
		i++;
	struct slice f = slice_make(rest->p, i);
	while (i < rest->n && rest->p[i] == '\t')
		i++;
	rest->p += i;
	rest->n -= i;
	return f;
}

static void push_frame(struct d1 *d, struct frame f)
{
	if (d->nframes >= MAX_FRAMES) {
		d->dropped = true;
		return;
	}
	if (d->nframes == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->frames = xreallocarray(d->frames, d->cap, sizeof(*d->frames));
	}
	d->frames[d->nframes++] = f;
}

/* A record without '#' lines (not symbolized, or cut off): its return
 * addresses are all there is; 0x0 means "no stack" (threadcreate). */
static void frames_from_pcs(struct d1 *d)
{
	struct slice r = d->pcs;
	while (r.n) {
		size_t i = 0;
		while (i < r.n && r.p[i] == ' ')
			i++;
		size_t j = i;
		while (j < r.n && r.p[j] != ' ')
			j++;
		struct slice pc = slice_make(r.p + i, j - i);
		if (pc.n > 2 && pc.p[0] == '0' && pc.p[1] == 'x' && !slice_eq(pc, "0x0"))
			push_frame(d, (struct frame){strtab_intern(&d->cur->strs, pc.p, pc.n), 0, 0, FRAME_NOFILE});
		r.p += j;
		r.n -= j;
	}
}

static void close_record(struct d1 *d)
{
	if (!d->in_rec)
		return;
	struct snapshot *s = d->cur;
	if (d->dropped)
		snapshot_warn(s, d->rec_line, d->rec_offset, "record has more than %u frames; the rest were dropped",
			      MAX_FRAMES);
	if (d->nframes == 0)
		frames_from_pcs(d);
	uint64_t sig = snapshot_stack_signature(s, d->frames, d->nframes, 0);
	uint32_t id = snapshot_find_stack(s, sig);
	if (id == UINT32_MAX)
		id = snapshot_add_stack(s, sig, d->frames, d->nframes, 0, NULL);
	if (d->count > INT64_MAX || d->cycles > INT64_MAX) {
		snapshot_warn(s, d->rec_line, d->rec_offset, "record count is out of range: skipped");
	} else {
		double delay = 0;
		if (d->contention && s->cycles_per_second > 0)
			delay = (double)d->cycles / s->cycles_per_second * 1e9;
		if (!(delay < 9.2e18)) /* beyond int64 nanoseconds (290 years): said, not wrapped */
			snapshot_warn(s, d->rec_line, d->rec_offset, "record delay is out of range: skipped");
		else
			snapshot_add_sample(s, id, d->labels, (int64_t)d->count, (int64_t)delay, d->contention,
					    hash_bytes(d->pcs.p, d->pcs.n, 0));
	}
	d->in_rec = false;
}

static void close_profile(struct d1 *d)
{
	close_record(d);
	struct snapshot *s = d->cur;
	if (!s)
		return;
	if (s->has_reported_total && s->profile != PROF_THREADCREATE && s->reported_total != s->total_weight)
		snapshot_warn(s, 0, 0,
			      "the header says total %llu but the records add up to %llu: the profile is incomplete",
			      (unsigned long long)s->reported_total, (unsigned long long)s->total_weight);
	snapshot_parsed(s);
	snapset_push(d->out, s);
	d->cur = NULL;
}

static void open_profile(struct d1 *d, uint64_t lineno, uint64_t offset, enum profile_kind kind, struct slice name)
{
	close_profile(d);
	cache_clear(&d->lines); /* its frames are the last snapshot's */
	struct snapshot *s = d->cur = snapshot_new(d->source, ++d->nsnap);
	s->format = "debug=1";
	s->profile = kind;
	s->profile_name = arena_strndup(&s->arena, name.p, name.n);
	s->first_line = lineno;
	s->first_offset = offset;
	d->contention = kind == PROF_BLOCK || kind == PROF_MUTEX;
}

/* "goroutine profile: total 7" */
static bool take_header(struct d1 *d, struct slice l, uint64_t lineno, uint64_t offset)
{
	if (slice_eq(l, "--- contention:") || slice_eq(l, "--- mutex:")) {
		bool mutex = slice_eq(l, "--- mutex:");
		open_profile(d, lineno, offset, mutex ? PROF_MUTEX : PROF_BLOCK,
			     slice_make(mutex ? "mutex" : "block", mutex ? 5 : 5));
		return true;
	}
	const char *m = memmem(l.p, l.n, " profile: total ", 16);
	if (!m || m == l.p || memchr(l.p, ' ', (size_t)(m - l.p)))
		return false;
	uint64_t total;
	struct slice num = slice_make(m + 16, l.n - (size_t)(m + 16 - l.p));
	if (!parse_dec(num, &total))
		return false;
	struct slice name = slice_make(l.p, (size_t)(m - l.p));
	enum profile_kind k = slice_eq(name, "goroutine")       ? PROF_GOROUTINE
			      : slice_eq(name, "goroutineleak") ? PROF_GOROUTINELEAK
			      : slice_eq(name, "threadcreate")  ? PROF_THREADCREATE
								: PROF_COUNT;
	open_profile(d, lineno, offset, k, name);
	d->cur->has_reported_total = true;
	d->cur->reported_total = total;
	return true;
}

/* "COUNT @ 0x.. 0x.." or, in block/mutex profiles, "CYCLES COUNT @ ..." */
static bool take_record(struct d1 *d, struct slice l, uint64_t lineno, uint64_t offset)
{
	const char *at = memmem(l.p, l.n, " @", 2);
	if (!at)
		return false;
	struct slice nums = slice_make(l.p, (size_t)(at - l.p));
	uint64_t a, b = 0;
	const char *sp = memchr(nums.p, ' ', nums.n);
	if (d->contention) {
		if (!sp || !parse_dec(slice_make(nums.p, (size_t)(sp - nums.p)), &a) ||
		    !parse_dec(slice_make(sp + 1, nums.n - (size_t)(sp + 1 - nums.p)), &b))
			return false;
	} else if (sp || !parse_dec(nums, &a)) {
		return false;
	}
	close_record(d);
	d->in_rec = true;
	d->rec_line = lineno;
	d->rec_offset = offset;
	d->count = d->contention ? b : a;
	d->cycles = d->contention ? a : 0;
	d->labels = 0;
	d->nframes = 0;
	d->dropped = false;
	/* only the views into the input are kept: the line outlives the record */
	d->pcs = slice_make(at + 2, l.n - (size_t)(at + 2 - l.p));
	return true;
}

static void take_labels(struct d1 *d, struct slice l)
{
	struct tb_label labels[TB_MAX_LABELS];
	bool truncated = false;
	size_t i = 11; /* after "# labels: {" */
	uint32_t n = tb_parse_labelset(l.p, l.n, &i, labels, TB_MAX_LABELS, &truncated);
	uint32_t kv[2 * TB_MAX_LABELS];
	char tmp[1024];
	for (uint32_t k = 0; k < n; k++) {
		size_t len = tb_unquote(labels[k].key, labels[k].key_quoted, tmp, sizeof(tmp));
		kv[2 * k] = strtab_intern(&d->cur->strs, tmp, len);
		len = tb_unquote(labels[k].val, labels[k].val_quoted, tmp, sizeof(tmp));
		kv[2 * k + 1] = strtab_intern(&d->cur->strs, tmp, len);
	}
	d->labels = snapshot_intern_labels(d->cur, kv, n);
	if (truncated)
		snapshot_warn(d->cur, d->rec_line, d->rec_offset, "more than %u labels: the rest were dropped",
			      TB_MAX_LABELS);
}

/* "#\t0x4e1f5a\tmain.worker+0x1a\t/app/main.go:21" or "#\t0x4e1f5a". */
enum frame_line { NOT_A_FRAME, NO_STACK, A_FRAME };
static enum frame_line read_frame(struct d1 *d, struct slice l, struct frame *out);

static bool take_frame(struct d1 *d, struct slice l)
{
	uint64_t key = 0;
	bool has_key = line_key(l, &key);
	const struct frame *known = has_key ? cache_find(&d->lines, key, l) : NULL;
	if (known) {
		push_frame(d, *known);
		return true;
	}
	struct frame f;
	enum frame_line k = read_frame(d, l, &f);
	if (k == A_FRAME) {
		push_frame(d, f);
		if (has_key)
			cache_keep(&d->lines, key, l, &f);
	}
	return k != NOT_A_FRAME;
}

/* Read the frame of a '#' line into *out. */
static enum frame_line read_frame(struct d1 *d, struct slice l, struct frame *out)
{
	struct slice rest = slice_make(l.p + 1, l.n - 1);
	while (rest.n && rest.p[0] == '\t') {
		rest.p++;
		rest.n--;
	}
	struct slice pc = next_field(&rest);
	if (pc.n < 3 || pc.p[0] != '0' || pc.p[1] != 'x')
		return NOT_A_FRAME;
	struct slice fn = next_field(&rest);
	struct slice loc = rest;
	struct frame f = {0};
	if (!fn.n) {
		/* a PC without symbol; "0x0" is threadcreate's missing stack */
		if (slice_eq(pc, "0x0"))
			return NO_STACK;
		f.func = goname_intern(&d->cur->strs, pc.p, pc.n, hash_bytes(pc.p, pc.n, 0));
		f.flags = FRAME_NOFILE;
	} else {
		const char *plus = NULL;
		for (size_t i = fn.n; i > 0; i--)
			if (fn.p[i - 1] == '+') {
				plus = fn.p + i - 1;
				break;
			}
		if (plus && plus > fn.p)
			fn.n = (size_t)(plus - fn.p);
		f.func = goname_intern(&d->cur->strs, fn.p, fn.n, hash_bytes(fn.p, fn.n, 0));
		const char *colon = NULL;
		for (size_t i = loc.n; i > 0; i--)
			if (loc.p[i - 1] == ':') {
				colon = loc.p + i - 1;
				break;
			}
		uint64_t line = 0;
		if (colon && parse_dec(slice_make(colon + 1, loc.n - (size_t)(colon + 1 - loc.p)), &line)) {
			f.file = strtab_intern(&d->cur->strs, loc.p, (size_t)(colon - loc.p));
			f.line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
		} else {
			f.flags = FRAME_NOFILE;
		}
	}
	*out = f;
	return A_FRAME;
}

static void take_line(struct d1 *d, struct slice l, uint64_t lineno, uint64_t offset)
{
	if (!d->cur || !d->in_rec) {
		if (l.n == 0 || take_header(d, l, lineno, offset))
			return;
		if (!d->cur)
			return; /* text before the first header */
	}
	struct snapshot *s = d->cur;
	s->last_line = lineno;
	if (l.n == 0) {
		close_record(d);
		return;
	}
	if (d->contention && !d->in_rec) {
		if (slice_starts(l, "cycles/second=")) {
			/* the line is not NUL-terminated: strtod reads a copy */
			char num[64];
			size_t k = MIN(l.n - 14, sizeof(num) - 1);
			memcpy(num, l.p + 14, k);
			num[k] = '\0';
			double cps = strtod(num, NULL);
			s->cycles_per_second = isfinite(cps) && cps > 0 ? cps : 0;
			return;
		}
		if (slice_starts(l, "sampling period=")) {
			uint64_t v;
			if (parse_dec(slice_make(l.p + 16, l.n - 16), &v) && v <= INT64_MAX)
				s->sampling_period = (int64_t)v, s->has_sampling_period = true;
			return;
		}
	}
	if (l.p[0] != '#') {
		if (take_record(d, l, lineno, offset))
			return;
		if (take_header(d, l, lineno, offset))
			return;
	} else if (d->in_rec) {
		if (slice_starts(l, "# labels: {")) {
			take_labels(d, l);
			return;
		}
		if (l.n > 1 && l.p[1] == '\t' && take_frame(d, l))
			return;
	}
	snapshot_warn(s, lineno, offset, "line is not part of a %s profile: skipped", s->profile_name);
}

/* A frame line of the record being read that repeats, byte for byte and
 * up to its '\n', a line kept in the cache: its frame is added and *len
 * is its length. The common line of a big profile then costs a PC, a
 * lookup and one comparison, not a search for its end, a split and a
 * comparison per field. False: read it the general way. */
static bool repeated_frame_line(struct d1 *d, const char *p, size_t avail, size_t *len)
{
	if (avail < 4 || p[0] != '#' || p[1] != '\t' || !d->cur)
		return false;
	uint64_t key;
	uint32_t i;
	if (!line_key(slice_make(p, MIN(avail, (size_t)64)), &key) || !u64map_get(&d->lines.by_pc, key, &i))
		return false;
	const struct cached_line *e = &d->lines.v[i];
	size_t j = fields_at(e, p, avail);
	if (!j || j >= avail || p[j] != '\n')
		return false; /* (a '\r' before the '\n' too: the general way drops it) */
	push_frame(d, e->f);
	*len = j;
	return true;
}

enum status debug1_parse(const char *p, size_t n, const char *source, struct budget *budget, bool mapped,
			 struct snapset *out, struct err *err)
{
	struct d1 d = {.source = source, .out = out};
	arena_init(&d.lines.text);
	size_t off = 0, released = 0;
	uint64_t lineno = 0;
	bool last_complete = true;
	uint32_t before = out->n;
	while (off < n) {
		if (budget_due(budget) && budget_check(budget, n + (d.cur ? snapshot_bytes(d.cur) : 0)) != ST_OK) {
			/* nothing half-read is handed back */
			snapshot_free(d.cur);
			free(d.frames);
			cache_clear(&d.lines);
			while (out->n > before)
				snapshot_free(out->v[--out->n]);
			return budget_error(budget, "reading the debug=1 profile", err);
		}
		if (mapped && off - released >= LR_RELEASE_STEP) {
			lr_release_pages(p, released, off);
			released = off;
		}
		size_t known;
		if (d.in_rec && repeated_frame_line(&d, p + off, n - off, &known)) {
			/* as take_line would have taken it, without looking for its end */
			lineno++;
			d.cur->last_line = lineno;
			off += known + 1;
			last_complete = true;
			continue;
		}
		const char *nl = memchr(p + off, '\n', n - off);
		size_t len = nl ? (size_t)(nl - (p + off)) : n - off;
		struct slice l = slice_make(p + off, len);
		if (l.n && l.p[l.n - 1] == '\r')
			l.n--;
		lineno++;
		if (l.n > MAX_LINE) {
			if (d.cur)
				snapshot_warn(d.cur, lineno, off, "line is longer than %u bytes: skipped", MAX_LINE);
		} else {
			take_line(&d, l, lineno, off);
		}
		last_complete = nl != NULL;
		off += len + (nl ? 1 : 0);
	}
	if (d.cur && d.in_rec && !last_complete)
		snapshot_warn(d.cur, lineno, off, "the profile is cut off: its last record may be incomplete");
	if (d.cur) {
		d.cur->end_offset = n;
		if (d.in_rec && !last_complete)
			d.cur->truncated = true;
	}
	bool any = d.nsnap > 0;
	close_profile(&d);
	free(d.frames);
	cache_clear(&d.lines);
	if (!any)
		return err_set(err, ST_FORMAT, 1, 0, "no profile header (\"NAME profile: total N\", \"--- mutex:\") found");
	return ST_OK;
}
