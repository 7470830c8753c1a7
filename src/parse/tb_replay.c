/* tb_replay.c: reading repeated goroutine blocks by comparison instead of
 * parsing.
 *
 * In a dump of 100,000 goroutines there are typically a few thousand
 * distinct stacks, and two goroutines with the same stack print the same
 * bytes except for argument values and the creator's goroutine number. So
 * once a stack has been read line by line its exact text is kept, cut at
 * what varies: a segment of fixed text ends where a frame's arguments or the
 * creator's goroutine number begin, or where a file line's " fp=" ends (a
 * hole), and the next segment starts right after them. The segments of all
 * stacks form a trie: stacks that begin alike share their first segments,
 * and where they part, a crit-bit tree on the bytes of the following
 * segments says which one a block can only be, from a byte or two of it. A
 * later block is read in one walk: pick the segment, compare it whole (16
 * bytes at a time), skip the hole (to the first '\n', '(' or ')' for
 * arguments; the digits for a goroutine number; the rest of the line for
 * fp=, sp= and pc=), and go on until a segment ends the stack with its
 * blank line.
 * Nothing is split into lines or hashed, and only the arguments that tell
 * the object waited on and the parent's number are read.
 *
 * The contract is strict equivalence with the line-by-line path: a block is
 * replayed only when every line would have been read the same way there;
 * otherwise nothing is consumed and that path runs. The conditions each
 * check guards are named where it is made. */
#include "../base/common.h"
#include "../base/arena.h"
#include "../base/bytes.h"
#include "../base/hash.h"
#include "../base/xalloc.h"
#include "tb_internal.h"
#include "tb_line.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Bounds: templates are a cache, so when it is full new stacks are simply
 * not learnt (they are still read correctly, line by line). Deeper blocks
 * are not replayed (Go prints at most 100 frames, plus elision lines). */
enum { MAX_TEMPLATES = 1u << 16, MAX_SEGS = 1u << 20, MAX_TEXT = 8u << 20, MAX_PAIRS = 128 };
/* Replay pays off when blocks repeat; in a dump of distinct stacks it
 * would only add work. So it is judged on every window of attempts and
 * pauses when fewer than one in eight were replayed (a realistic dump
 * replays about 30% of its first thousand blocks, 60% of its first four
 * thousand).
 *
 * A pause is not for good. A service's first goroutines are often its
 * distinct long-lived ones, and the tens of thousands after them (the leak)
 * share a few stacks: replay paused for good there read such a dump four
 * times slower. While paused, every goroutine read says whether its stack
 * was seen before in the snapshot, which costs nothing; when at least half
 * of a window's goroutines repeat one, replay resumes. The n-th pause lasts
 * at least 2^(n-1) windows (up to 2^MAX_BACKOFF), so a dump whose stacks
 * repeat but cannot be replayed pays for a few windows of trials, not for
 * one window in two. */
enum { JUDGE_WINDOW = 1024, MAX_BACKOFF = 10 };
/* A reference in the trie: NONE, a segment (LEAF | index) or a branch. */
enum { NONE = UINT32_MAX, LEAF = 1u << 31 };
/* Segments are compared 16 bytes at a time, the last step reading past
 * their end: the kept text has this much after each segment, and a block
 * is replayed only with this much input after each segment. */
enum { SLACK = 16 };
/* A goroutine number of up to 19 digits always fits in 64 bits, as
 * tb_parse_created reads it; a longer one is left to that path. */
enum { MAX_PARENT_DIGITS = 19 };

enum pair_kind { K_FUNC, K_CREATOR };
enum pair_flag {
	P_INLINED = 1 << 0,    /* arguments printed as "..." */
	P_WAIT = 1 << 1,       /* a wait primitive: its first argument is the object */
	P_FIRST_USER = 1 << 2, /* the first frame outside the standard library */
	P_PARENT = 1 << 3,     /* creator line ends with " in goroutine N" */
};

/* What follows a segment. */
enum hole {
	H_ARGS,   /* a frame's arguments, up to the ')' that ends its line */
	H_PARENT, /* the digits of "created by F in goroutine N" */
	H_PCS,    /* the values after "fp=" to the end of a file line (GOTRACEBACK=system,
	           * crash): the frame and stack pointers differ in every goroutine */
	H_END,    /* nothing: the segment ended the block with its blank line */
};

/* A segment of fixed text as the walk needs it: the text, and what
 * follows it. Segments of many stacks read the same (a few dozen kinds in a
 * dump of thousands of stacks), so each is kept once and stays in the
 * cache; the trie's nodes only point at their kind. */
struct kind {
	const char *text;     /* len bytes, then SLACK more */
	uint32_t len;
	uint32_t line_len;    /* H_ARGS, H_PARENT, H_PCS: bytes of the hole's line before the hole */
	uint32_t newlines;    /* lines the segment ends */
	uint8_t hole;
	uint8_t flags;        /* H_ARGS: P_WAIT, P_FIRST_USER of the hole's frame */
};

/* A node of the trie: a segment where it stands in the stacks. */
struct seg {
	uint32_t kind;
	uint32_t next;        /* what may follow the hole: NONE, LEAF | segment, or a
	                       * branch; for H_END, the stack of every block that ends here */
};

/* A crit-bit branch: the segments that may follow one hole, told apart by
 * one bit of one byte (bytes past a segment's end count as 0). */
struct branch {
	uint32_t byte;
	uint32_t child[2];
	uint8_t otherbits;    /* every bit set but the critical one */
};

/* A text kept once however many segments have it, and its kinds (by the
 * flags P_WAIT and P_FIRST_USER; NONE until used). */
struct rtext {
	const char *p;
	uint32_t len;
	uint32_t next;        /* next text in the same hash slot */
	uint64_t hash;
	uint32_t kind[4];
};

/* A line pair as found in the input (learning). */
struct pair {
	const char *head, *file;
	size_t head_len, file_len;
	const char *args;     /* function lines: the arguments */
	size_t args_len;
	const char *pcs;      /* function lines: the value of the file line's fp= (NULL: none) */
	const char *next;     /* start of the line after the file line */
	uint8_t kind, flags;
};

/* An argument text a replayed block offers as its object. */
struct note {
	const char *args;
	size_t len;
	uint8_t flags;
};

struct tb_replay {
	uint32_t owner;               /* stack ids are per snapshot: t->nsnap of its snapshot */
	uint32_t root;                /* the first segments of the stacks */
	struct kind *kinds;
	uint32_t nkinds, kinds_cap;
	struct seg *segs;
	uint32_t nsegs, segs_cap;
	struct branch *branches;
	uint32_t nbranches, branches_cap;
	uint32_t ntemplates;
	struct rtext *texts;
	uint32_t ntexts, texts_cap;
	uint32_t *text_slots;         /* hash table of text indexes */
	uint32_t ntext_slots;
	struct arena text;
	size_t text_bytes;
	uint32_t attempts, hits;      /* in the current window */
	bool paused;
	uint32_t pauses;              /* so far in the snapshot */
	uint32_t waited;              /* whole windows of the current pause */
	uint32_t seen, repeats;       /* paused: goroutines of the current window, and those
	                               * whose stack was seen before */
	struct pair scratch[MAX_PAIRS];
	struct note notes[MAX_PAIRS];
};

void tb_replay_free(struct tb_replay *r)
{
	if (!r)
		return;
	arena_free(&r->text);
	free(r->kinds);
	free(r->segs);
	free(r->branches);
	free(r->texts);
	free(r->text_slots);
	free(r);
}

/* The templates of t's current snapshot, emptied when the snapshot changed. */
static struct tb_replay *templates_for(struct tb *t)
{
	struct tb_replay *r = t->replay;
	if (!r) {
		r = t->replay = xcalloc(1, sizeof(*r));
		arena_init(&r->text);
		r->ntext_slots = 4096;
		r->text_slots = xreallocarray(NULL, r->ntext_slots, sizeof(*r->text_slots));
		memset(r->text_slots, 0xff, r->ntext_slots * sizeof(*r->text_slots));
		r->root = NONE;
		r->owner = t->nsnap;
	}
	if (r->owner != t->nsnap) {
		arena_free(&r->text);
		arena_init(&r->text);
		r->text_bytes = 0;
		r->nkinds = r->nsegs = r->nbranches = r->ntemplates = r->ntexts = 0;
		r->root = NONE;
		r->attempts = r->hits = 0;
		r->paused = false;
		r->pauses = r->waited = r->seen = r->repeats = 0;
		memset(r->text_slots, 0xff, r->ntext_slots * sizeof(*r->text_slots));
		r->owner = t->nsnap;
	}
	return r;
}

/* ---- the walk ---- */

/* Byte i of a key of n bytes, 0 past its end. */
static inline uint8_t key_byte(const char *k, size_t n, uint32_t i)
{
	return i < n ? (uint8_t)k[i] : 0;
}

static inline uint32_t branch_dir(const struct branch *b, uint8_t c)
{
	return (1u + (b->otherbits | c)) >> 8;
}

/* The one segment of ref that the text at q (n bytes readable) can start
 * with: LEAF | index, or NONE. Whether it does is for the caller to check. */
static inline uint32_t pick(const struct tb_replay *r, uint32_t ref, const char *q, size_t n)
{
	while (!(ref & LEAF)) {
		const struct branch *b = &r->branches[ref];
		ref = b->child[branch_dir(b, key_byte(q, n, b->byte))];
	}
	return ref;
}

/* Are the n bytes at a and b equal? Both have SLACK readable bytes after n,
 * so the last step reads 16 bytes and masks, with no tail to handle
 * (bytes_equal, which may not read past n, made the walk 3 to 4% slower). */
static inline bool seg_equal(const char *a, const char *b, uint32_t n)
{
#ifdef __SSE2__
	uint32_t i = 0;
	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(a + i));
		__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		if (_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) != 0xffff)
			return false;
	}
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(a + i));
	__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
	unsigned need = (1u << (n - i)) - 1;
	return ((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) & need) == need;
#else
	return memcmp(a, b, n) == 0;
#endif
}

/* Length of the arguments at q: the bytes before the first '\n', '(' or
 * ')'. SIZE_MAX when that is more than max bytes away, or too near limit
 * to tell: the line-by-line path reads such a line. */
static inline size_t args_len(const char *q, const char *limit, size_t max)
{
	const char *a = q;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), open = _mm_set1_epi8('('), close = _mm_set1_epi8(')');
	for (; limit - a >= 16; a += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)a);
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, open)),
					   _mm_cmpeq_epi8(v, close));
		unsigned m = (unsigned)_mm_movemask_epi8(hit);
		if (m) {
			size_t k = (size_t)(a - q) + (unsigned)__builtin_ctz(m);
			return k <= max ? k : SIZE_MAX;
		}
		if ((size_t)(a - q) > max)
			return SIZE_MAX;
	}
#endif
	for (; a < limit && (size_t)(a - q) <= max; a++)
		if (*a == '\n' || *a == '(' || *a == ')')
			return (size_t)(a - q);
	return SIZE_MAX;
}

/* Length of the fp=, sp= and pc= values at q: the bytes before the '\n'
 * that ends the line. SIZE_MAX when they hold a ':' (the line's last ':'
 * would then not end the file name), end in '\r', are more than max bytes,
 * or end too near limit to tell: the line-by-line path reads such a line. */
static inline size_t pcs_len(const char *q, const char *limit, size_t max)
{
	const char *a = q;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), colon = _mm_set1_epi8(':');
	for (; limit - a >= 16; a += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)a);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, colon)));
		if (m) {
			a += __builtin_ctz(m);
			break;
		}
		if ((size_t)(a - q) > max)
			return SIZE_MAX;
	}
#endif
	while (a < limit && (size_t)(a - q) <= max && *a != '\n' && *a != ':')
		a++;
	size_t k = (size_t)(a - q);
	if (a == limit || *a != '\n' || k > max || (k && a[-1] == '\r'))
		return SIZE_MAX;
	return k;
}

/* Length of the goroutine number at q, its value in *v; SIZE_MAX when
 * there is none or it is longer than MAX_PARENT_DIGITS. */
static inline size_t parent_digits(const char *q, const char *limit, uint64_t *v)
{
	size_t k = 0;
	uint64_t x = 0;
	while (k <= MAX_PARENT_DIGITS && k < (size_t)(limit - q) && is_digit(q[k]))
		x = x * 10 + (uint64_t)(q[k++] - '0');
	if (k == 0 || k > MAX_PARENT_DIGITS)
		return SIZE_MAX;
	*v = x;
	return k;
}

/* Count an attempt; judge the window when it is full. */
static void judge(struct tb_replay *r, bool hit)
{
	r->attempts++;
	r->hits += hit;
	if (r->attempts == JUDGE_WINDOW) {
		if (r->hits * 8 < r->attempts) {
			r->paused = true;
			r->pauses++;
			r->waited = r->seen = r->repeats = 0;
		}
		r->attempts = r->hits = 0;
	}
}

/* Paused: count a goroutine read line by line; resume when a window's
 * goroutines mostly repeat stacks and the pause has lasted long enough. */
static void watch_paused(struct tb_replay *r, bool seen_before)
{
	r->seen++;
	r->repeats += seen_before;
	if (r->seen < JUDGE_WINDOW)
		return;
	r->waited++;
	if (r->waited >= 1u << MIN(r->pauses - 1, (uint32_t)MAX_BACKOFF) && r->repeats * 2 >= r->seen)
		r->paused = false;
	r->seen = r->repeats = 0;
}

bool tb_replay_block(struct tb *t)
{
	struct tb_replay *r = t->replay;
	struct linereader *lr = t->lr;
	if (!r || r->owner != t->nsnap || r->root == NONE || r->paused || lr->pending_skip ||
	    (lr->release && lr->start - lr->released >= LR_RELEASE_STEP))
		return false;
	const char *start = lr->buf + lr->start, *limit = lr->buf + lr->end;
	const char *q = start;
	size_t max_line = t->opt->max_line;
	uint32_t nnotes = 0, ref = r->root, lines = 0;
	uint64_t parent = 0;
	bool has_parent = false;
	const struct seg *s;
	for (;;) {
		ref = pick(r, ref, q, (size_t)(limit - q));
		if (ref == NONE)
			goto miss;
		s = &r->segs[ref & ~LEAF];
		const struct kind *k = &r->kinds[s->kind];
		/* the fixed text, byte for byte: names, file lines, line ends,
		 * the blank line (so every line is whole, no '\r', no foreign
		 * line, and the block ends where the learnt one did) */
		if ((size_t)(limit - q) < (size_t)k->len + SLACK || !seg_equal(q, k->text, k->len))
			goto miss;
		q += k->len;
		lines += k->newlines;
		if (k->hole == H_END)
			break;
		if (k->hole == H_ARGS) {
			/* tb_parse_func: the arguments run from the last '(' to
			 * the ')' that ends the line (the next segment starts with
			 * ")\n"), so they hold no '(' and no '\n'; "..." would make
			 * an inlined frame; the line stays under max_line */
			size_t n = args_len(q, limit, max_line - 2 - k->line_len);
			if (n == SIZE_MAX || (n == 3 && memcmp(q, "...", 3) == 0))
				goto miss;
			if (k->flags)
				r->notes[nnotes++] = (struct note){q, n, k->flags};
			q += n;
		} else if (k->hole == H_PCS) {
			/* tb_parse_file: after " fp=" anything but a ':' to the
			 * end of the line (the next segment starts with '\n'); no
			 * '\r' before it, the line under max_line */
			size_t n = pcs_len(q, limit, max_line - 1 - k->line_len);
			if (n == SIZE_MAX)
				goto miss;
			q += n;
		} else {
			/* tb_parse_created: digits up to the end of the line (the
			 * next segment starts with '\n') */
			size_t n = parent_digits(q, limit, &parent);
			if (n == SIZE_MAX || k->line_len + n >= max_line)
				goto miss;
			has_parent = true;
			q += n;
		}
		ref = s->next;
	}
	judge(r, true);
	if (t->stats)
		t->stats->replayed++;
	/* What varies: the object argument, the parent goroutine. */
	for (uint32_t i = 0; i < nnotes; i++)
		tb_note_object(t, r->notes[i].flags & P_WAIT, r->notes[i].flags & P_FIRST_USER,
			       slice_make(r->notes[i].args, r->notes[i].len));
	if (has_parent) {
		t->g.parent = parent;
		t->g.flags |= G_HAS_PARENT;
	}
	lr->start += (size_t)(q - start);
	lr->lineno += lines;
	t->cur->last_line = lr->lineno;
	tb_commit_goroutine(t, s->next);
	return true;
miss:
	judge(r, false);
	if (t->stats)
		t->stats->replay_missed++;
	return false;
}

/* ---- learning ---- */

/* The '\n' that ends the line at p, or NULL when there is none before
 * limit; *paren is the last '(' before it (NULL if none). One pass, 16
 * bytes a step. */
static const char *scan_line(const char *p, const char *limit, const char **paren)
{
	const char *lp = NULL;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), open = _mm_set1_epi8('(');
	for (; limit - p >= 16; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m_nl = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl));
		unsigned m_open = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, open));
		if (m_nl) {
			unsigned k = (unsigned)__builtin_ctz(m_nl);
			unsigned before = m_open & ((1u << k) - 1);
			*paren = before ? p + 31 - __builtin_clz(before) : lp;
			return p + k;
		}
		if (m_open)
			lp = p + 31 - __builtin_clz(m_open);
	}
#endif
	for (; p < limit; p++) {
		if (*p == '\n') {
			*paren = lp;
			return p;
		}
		if (*p == '(')
			lp = p;
	}
	return NULL;
}

/* The line pair at p as the line-by-line path would read it, or false when
 * that path might read it otherwise (then the block is not learnt). */
static bool scan_pair(const struct tb *t, const char *p, const char *limit, struct pair *out)
{
	const char *paren, *nl = scan_line(p, limit, &paren);
	size_t len = nl ? (size_t)(nl - p) : 0;
	/* lr_take_simple: complete lines shorter than max_line; no '\r', which
	 * the line reader drops (a template holds a block's bytes as they are) */
	if (!nl || len >= t->opt->max_line || len < 3)
		return false;
	out->flags = 0;
	out->pcs = NULL;
	if (p[0] == 'c' && len > 11 && memcmp(p, "created by ", 11) == 0) {
		struct tb_created c;
		if (!tb_parse_created(p, len, &c))
			return false;
		out->kind = K_CREATOR;
		out->head_len = (size_t)(c.func.p + c.func.n - p);
		if (c.has_parent)
			out->flags = P_PARENT;
	} else {
		/* tb_parse_func: the name ends at the last '(' of a line ending
		 * in ')' */
		if (nl[-1] != ')' || !paren || paren == p || p[0] == '\t' || p[0] == ' ')
			return false;
		out->kind = K_FUNC;
		out->head_len = (size_t)(paren - p) + 1;
		out->args = paren + 1;
		out->args_len = (size_t)(nl - 1 - out->args);
		if (out->args_len == 3 && memcmp(out->args, "...", 3) == 0)
			out->flags = P_INLINED;
	}
	out->head = p;
	out->file = nl + 1;
	const char *fnl = out->file < limit ? bytes_chr(out->file, (size_t)(limit - out->file), '\n') : NULL;
	if (!fnl || fnl == out->file || fnl[-1] == '\r' || (size_t)(fnl - out->file) >= t->opt->max_line)
		return false;
	out->file_len = (size_t)(fnl - out->file);
	out->next = fnl + 1;
	return true;
}

/* Fill out from frame f, which the line-by-line path read at p. */
static bool frame_at(struct tb *t, const struct pframe *f, const char *p, const char *limit, struct pair *out)
{
	if (f->no_parens || (f->flags & ~(uint32_t)FRAME_INLINED) || lr_at(t->lr, f->func_off) != p)
		return false;
	if (!scan_pair(t, p, limit, out) || out->kind != K_FUNC || out->head_len != f->func_len + 1)
		return false;
	/* the parsed file name lies in the file line, after its indentation */
	const char *name = lr_at(t->lr, f->file_off);
	if (name <= out->file || name >= out->file + out->file_len)
		return false;
	/* fp=, sp= and pc= (only in a snapshot where some file line had them) */
	struct tb_file fl;
	if (t->cur->level2 && tb_parse_file(out->file, out->file_len, &fl))
		out->pcs = fl.pcs;
	return true;
}

/* The creator, which the line-by-line path read at p. */
static bool creator_at(struct tb *t, const struct pframe *f, const char *p, const char *limit, struct pair *out)
{
	if (f->flags || lr_at(t->lr, f->func_off) != p + 11)
		return false;
	if (!scan_pair(t, p, limit, out) || out->kind != K_CREATOR || out->head_len != 11 + f->func_len)
		return false;
	const char *name = lr_at(t->lr, f->file_off);
	return name > out->file && name < out->file + out->file_len;
}

/* Index of the kept copy of the text (p, n), with SLACK zero bytes after
 * it, added if new; NONE when the store is full. */
static uint32_t intern_text(struct tb_replay *r, const char *p, size_t n)
{
	uint64_t h = hash_bytes(p, n, 0);
	for (uint32_t i = r->text_slots[h & (r->ntext_slots - 1)]; i != NONE; i = r->texts[i].next)
		if (r->texts[i].hash == h && r->texts[i].len == n && memcmp(r->texts[i].p, p, n) == 0)
			return i;
	if (r->text_bytes + n > MAX_TEXT)
		return NONE;
	if (r->ntexts == r->texts_cap) {
		r->texts_cap = r->texts_cap ? r->texts_cap * 2 : 1024;
		r->texts = xreallocarray(r->texts, r->texts_cap, sizeof(*r->texts));
	}
	char *copy = arena_alloc(&r->text, n + SLACK);
	memcpy(copy, p, n);
	memset(copy + n, 0, SLACK);
	r->text_bytes += n;
	uint32_t slot = (uint32_t)(h & (r->ntext_slots - 1));
	r->texts[r->ntexts] = (struct rtext){copy, (uint32_t)n, r->text_slots[slot], h, {NONE, NONE, NONE, NONE}};
	r->text_slots[slot] = r->ntexts++;
	if (r->ntexts > r->ntext_slots / 2) {
		r->ntext_slots *= 2;
		r->text_slots = xreallocarray(r->text_slots, r->ntext_slots, sizeof(*r->text_slots));
		memset(r->text_slots, 0xff, r->ntext_slots * sizeof(*r->text_slots));
		for (uint32_t i = 0; i < r->ntexts; i++) {
			uint32_t sl = (uint32_t)(r->texts[i].hash & (r->ntext_slots - 1));
			r->texts[i].next = r->text_slots[sl];
			r->text_slots[sl] = i;
		}
	}
	return r->ntexts - 1;
}

/* The kind of a segment of text (p, n) followed by hole, with flags
 * (P_WAIT, P_FIRST_USER); line_len and newlines follow from the text.
 * NONE when the store is full. */
static uint32_t kind_of(struct tb_replay *r, const char *p, size_t n, enum hole hole, uint8_t flags)
{
	uint32_t ti = intern_text(r, p, n);
	if (ti == NONE)
		return NONE;
	uint32_t *k = &r->texts[ti].kind[(flags & P_WAIT ? 1 : 0) | (flags & P_FIRST_USER ? 2 : 0)];
	if (*k != NONE) /* (a text's last byte tells its hole: '(', ' ' or '\n') */
		return r->kinds[*k].hole == hole ? *k : NONE;
	if (r->nkinds == r->kinds_cap) {
		r->kinds_cap = r->kinds_cap ? r->kinds_cap * 2 : 256;
		r->kinds = xreallocarray(r->kinds, r->kinds_cap, sizeof(*r->kinds));
	}
	const char *line = p + n;
	uint32_t newlines = 0;
	while (line > p && line[-1] != '\n')
		line--;
	for (const char *c = p; (c = memchr(c, '\n', (size_t)(p + n - c))) != NULL; c++)
		newlines++;
	r->kinds[r->nkinds] = (struct kind){r->texts[ti].p, (uint32_t)n, (uint32_t)(p + n - line), newlines, (uint8_t)hole,
					    (uint8_t)(flags & (P_WAIT | P_FIRST_USER))};
	return *k = r->nkinds++;
}

/* Put segment leaf, of text (k, n), in the crit-bit tree at *slot (a
 * segment's next or r->root). False when a segment already there reads
 * the same (bytes past the end count as 0, so a NUL could hide a
 * difference): then it is not added. */
static bool crit_insert(struct tb_replay *r, uint32_t *slot, uint32_t leaf, const char *k, size_t n)
{
	if (*slot == NONE) {
		*slot = LEAF | leaf;
		return true;
	}
	const struct kind *near = &r->kinds[r->segs[pick(r, *slot, k, n) & ~LEAF].kind];
	uint32_t byte = 0, end = (uint32_t)MAX(n, near->len);
	uint8_t diff = 0;
	for (; byte < end; byte++)
		if ((diff = key_byte(k, n, byte) ^ key_byte(near->text, near->len, byte)) != 0)
			break;
	if (!diff)
		return false;
	/* the highest bit that differs */
	diff |= (uint8_t)(diff >> 1);
	diff |= (uint8_t)(diff >> 2);
	diff |= (uint8_t)(diff >> 4);
	uint8_t otherbits = (uint8_t)((diff & ~(diff >> 1)) ^ 0xff);
	uint32_t near_dir = branch_dir(&(struct branch){.otherbits = otherbits}, key_byte(near->text, near->len, byte));
	if (r->nbranches == r->branches_cap) {
		r->branches_cap = r->branches_cap ? r->branches_cap * 2 : 256;
		r->branches = xreallocarray(r->branches, r->branches_cap, sizeof(*r->branches));
	}
	/* the branches on the way are ordered by the bit they test */
	uint32_t *where = slot;
	while (!(*where & LEAF)) {
		struct branch *b = &r->branches[*where];
		if (b->byte > byte || (b->byte == byte && b->otherbits > otherbits))
			break;
		where = &b->child[branch_dir(b, key_byte(k, n, b->byte))];
	}
	struct branch *nb = &r->branches[r->nbranches];
	nb->byte = byte;
	nb->otherbits = otherbits;
	nb->child[near_dir] = *where;
	nb->child[1 - near_dir] = LEAF | leaf;
	*where = r->nbranches++;
	return true;
}

/* Where the segments that may follow parent hang (the first segments of
 * the stacks for NONE). */
static uint32_t *slot_of(struct tb_replay *r, uint32_t parent)
{
	return parent == NONE ? &r->root : &r->segs[parent].next;
}

/* The segment after parent of text (p, n) followed by hole, added if new
 * (NONE when the store is full or it cannot be told apart from another).
 * A new H_END segment ends the stack. */
static uint32_t segment(struct tb_replay *r, uint32_t parent, const char *p, size_t n, enum hole hole, uint8_t flags,
			uint32_t stack)
{
	uint32_t first = *slot_of(r, parent);
	if (first != NONE) {
		uint32_t i = pick(r, first, p, n) & ~LEAF;
		const struct kind *k = &r->kinds[r->segs[i].kind];
		if (k->len == n && k->hole == hole && k->flags == flags && memcmp(k->text, p, n) == 0)
			return i;
	}
	if (r->nsegs >= MAX_SEGS || n > UINT32_MAX - SLACK)
		return NONE;
	uint32_t kind = kind_of(r, p, n, hole, flags);
	if (kind == NONE)
		return NONE;
	if (r->nsegs == r->segs_cap) {
		r->segs_cap = r->segs_cap ? r->segs_cap * 2 : 1024;
		r->segs = xreallocarray(r->segs, r->segs_cap, sizeof(*r->segs));
	}
	r->segs[r->nsegs] = (struct seg){kind, hole == H_END ? stack : NONE};
	if (!crit_insert(r, slot_of(r, parent), r->nsegs, r->kinds[kind].text, n))
		return NONE;
	if (hole == H_END)
		r->ntemplates++;
	return r->nsegs++;
}

/* Learn the block whose n line pairs are in r->scratch, ended by the blank
 * line before end, as a path of segments ending in stack. */
static void add_template(struct tb_replay *r, uint32_t n, const char *end, uint32_t stack)
{
	if (r->ntemplates >= MAX_TEMPLATES)
		return;
	uint32_t at = NONE;
	const char *from = r->scratch[0].head;
	for (uint32_t i = 0; i < n; i++) {
		const struct pair *p = &r->scratch[i];
		/* (an inlined frame, a creator without number: fixed text;
		 * at is NONE before the first segment, an error after) */
		if (p->kind == K_FUNC && !(p->flags & P_INLINED)) {
			at = segment(r, at, from, (size_t)(p->args - from), H_ARGS, p->flags & (P_WAIT | P_FIRST_USER), 0);
			from = p->args + p->args_len;
			if (at == NONE)
				return;
		} else if (p->kind == K_CREATOR && (p->flags & P_PARENT)) {
			const char *eol = p->file - 1, *digits = eol;
			while (is_digit(digits[-1]))
				digits--;
			at = segment(r, at, from, (size_t)(digits - from), H_PARENT, 0, 0);
			from = eol;
			if (at == NONE)
				return;
		}
		if (p->pcs) {
			at = segment(r, at, from, (size_t)(p->pcs - from), H_PCS, 0, 0);
			from = p->file + p->file_len;
			if (at == NONE)
				return;
		}
	}
	segment(r, at, from, (size_t)(end - from), H_END, 0, stack);
}
void tb_replay_learn(struct tb *t, uint32_t stack, bool seen_before)
{
	struct linereader *lr = t->lr;
	/* Only blocks the fast path reads whole: plain dump text, nothing
	 * between the lines, no annotation that changes the stack. */
	uint32_t n = t->nframes + (t->have_creator ? 1 : 0);
	if (t->g_body_off == UINT64_MAX || t->g_moved || t->g_body_off < lr->base || t->mode != M_NORMAL ||
	    t->prefix.active || t->prefix.cand || t->nframes == 0 || n > MAX_PAIRS || t->dropped_frames ||
	    t->sflags || t->elided || (t->g.flags & G_TRUNCATED))
		return;
	struct tb_replay *r = templates_for(t);
	if (r->paused) {
		watch_paused(r, seen_before);
		return;
	}
	/* Find every line where the block says it is ... */
	const char *limit = lr->buf + lr->end;
	const char *p = lr_at(lr, t->g_body_off);
	for (uint32_t i = 0; i < n; i++) {
		struct pair *pr = &r->scratch[i];
		if (i == t->nframes) {
			if (!creator_at(t, &t->creator, p, limit, pr) ||
			    !!(pr->flags & P_PARENT) != !!(t->g.flags & G_HAS_PARENT))
				return;
		} else {
			const struct pframe *f = &t->frames[i];
			if (!frame_at(t, f, p, limit, pr) || !!(pr->flags & P_INLINED) != !!(f->flags & FRAME_INLINED))
				return;
		}
		p = pr->next;
	}
	/* ... and that a blank line ended it. */
	if (p >= limit || *p != '\n')
		return;
	/* What the names say about the object waited on, as the line-by-line
	 * path found it (take_func_line) */
	for (uint32_t i = 0; i < t->nframes; i++) {
		if (t->frames[i].wait_primitive)
			r->scratch[i].flags |= P_WAIT;
		if (t->frames[i].first_user)
			r->scratch[i].flags |= P_FIRST_USER;
	}
	add_template(r, n, p + 1, stack);
}
