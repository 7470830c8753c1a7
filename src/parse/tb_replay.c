/* tb_replay.c: reading repeated goroutine blocks by comparison instead of
 * parsing.
 *
 * In a dump of 100,000 goroutines there are typically a few thousand
 * distinct stacks, and two goroutines with the same stack print the same
 * bytes except for argument values and the creator's goroutine number. So
 * once a stack has been read line by line its exact text is kept as a
 * template (per frame: the function line up to and with its '(', and the
 * whole file line; "created by F" likewise), and a later block is read in
 * two quick passes: one splits it into lines and computes a fingerprint of
 * its fixed parts, the other compares it with the templates of that
 * fingerprint. Only what varies is then looked at: the arguments (for the
 * object waited on) and "in goroutine N".
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
#include "../model/goname.h"
#include "tb_internal.h"
#include "tb_line.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Bounds: templates are a cache, so when it is full new stacks are simply
 * not learnt (they are still read correctly, line by line). Deeper blocks
 * are not replayed (Go prints at most 100 frames, plus elision lines). */
enum { MAX_TEMPLATES = 1u << 16, MAX_PAIRS_TOTAL = 1u << 20, MAX_TEXT = 8u << 20, MAX_PAIRS = 128 };
/* Replay pays off when blocks repeat; in a dump of distinct stacks it
 * would only add work. So it is judged on every window of attempts and
 * stops for the snapshot when fewer than one in eight were replayed (a
 * realistic dump replays about 30% of its first thousand blocks, 60% of its
 * first four thousand). */
enum { JUDGE_WINDOW = 1024 };
enum { NONE = UINT32_MAX };

enum pair_kind { K_FUNC, K_CREATOR };
enum pair_flag {
	P_INLINED = 1 << 0,    /* arguments printed as "..." */
	P_WAIT = 1 << 1,       /* a wait primitive: its first argument is the object */
	P_FIRST_USER = 1 << 2, /* the first frame outside the standard library */
	P_PARENT = 1 << 3,     /* creator line ends with " in goroutine N" */
};

/* A line of template text. Stacks share most of their lines, so each is
 * kept once: the texts a block is compared with stay in the cache. */
struct rtext {
	const char *p;
	uint32_t len;
	uint32_t next;        /* next text in the same hash slot */
	uint64_t hash;
};

/* A frame or creator of a template: its head and file line texts. */
struct tpair {
	uint32_t head, file;
	uint8_t kind, flags;
};

struct template {
	uint64_t fp;
	uint32_t first_pair, npairs;
	uint32_t stack;
	uint32_t next;        /* next template in the same hash slot */
};

/* A line pair as found in the input. */
struct pair {
	const char *head, *file;
	size_t head_len, file_len;
	const char *args;     /* function lines: the arguments */
	size_t args_len;
	const char *next;     /* start of the line after the file line */
	uint64_t parent;      /* creator lines with P_PARENT */
	uint8_t kind, flags;
};

struct tb_replay {
	uint32_t owner;               /* stack ids are per snapshot: t->nsnap of its snapshot */
	struct template *tmpl;
	uint32_t ntmpl, tmpl_cap;
	struct tpair *pairs;
	uint32_t npairs, pairs_cap;
	uint32_t *slots;              /* hash table of template indexes, NONE when empty */
	uint32_t nslots;
	struct rtext *texts;
	uint32_t ntexts, texts_cap;
	uint32_t *text_slots;         /* hash table of text indexes */
	uint32_t ntext_slots;
	struct arena text;
	size_t text_bytes;
	uint32_t attempts, hits;      /* in the current window */
	bool paused;
	/* The block pass 1 read without finding its template: learning it
	 * needs no second scan. */
	bool pending;
	uint64_t pending_off, pending_fp;
	uint32_t pending_n;
	struct pair scratch[MAX_PAIRS];
};

void tb_replay_free(struct tb_replay *r)
{
	if (!r)
		return;
	arena_free(&r->text);
	free(r->tmpl);
	free(r->pairs);
	free(r->slots);
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
		r->nslots = 4096;
		r->slots = xreallocarray(NULL, r->nslots, sizeof(*r->slots));
		memset(r->slots, 0xff, r->nslots * sizeof(*r->slots));
		r->ntext_slots = 4096;
		r->text_slots = xreallocarray(NULL, r->ntext_slots, sizeof(*r->text_slots));
		memset(r->text_slots, 0xff, r->ntext_slots * sizeof(*r->text_slots));
		r->owner = t->nsnap;
	}
	if (r->owner != t->nsnap) {
		arena_free(&r->text);
		arena_init(&r->text);
		r->text_bytes = 0;
		r->ntmpl = r->npairs = r->ntexts = 0;
		r->attempts = r->hits = 0;
		r->paused = r->pending = false;
		memset(r->slots, 0xff, r->nslots * sizeof(*r->slots));
		memset(r->text_slots, 0xff, r->ntext_slots * sizeof(*r->text_slots));
		r->owner = t->nsnap;
	}
	return r;
}

/* ---- scanning ---- */

/* The '\n' that ends the line at p, or NULL when there is none before
 * limit; *paren is the last '(' before it (NULL if none). */
static inline const char *scan_line(const char *p, const char *limit, const char **paren)
{
	const char *lp = NULL;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), open = _mm_set1_epi8('(');
	while (limit - p >= 16) {
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
		p += 16;
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

/* The '\n' that ends the line at p, or NULL. */
static inline const char *scan_nl(const char *p, const char *limit)
{
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n');
	while (limit - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl));
		if (m)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	return p < limit ? memchr(p, '\n', (size_t)(limit - p)) : NULL;
}

/* 8 bytes at the start or the end of a string (fewer when shorter). */
static inline uint64_t word_at(const char *p, size_t n, bool end)
{
	uint64_t v = 0;
	if (n >= 8)
		memcpy(&v, end ? p + n - 8 : p, 8);
	else
		memcpy(&v, p, n);
	return v;
}

/* Fingerprint of a line pair, folded into the block's: its lengths and
 * the words where stacks usually differ (the start and end of the name,
 * the line number and offset at the end of the file line). Equal text,
 * equal fingerprint. A pair's own value does not depend on the blocks's so
 * far, and folding it in is a rotate and a xor: the pairs' multiplications
 * overlap instead of waiting on each other (fp_slot mixes the result). */
static inline uint64_t pair_fp(uint64_t h, const struct pair *p)
{
	uint64_t v = word_at(p->head, p->head_len, false) * 0x9e3779b97f4a7c15ULL;
	v ^= word_at(p->head, p->head_len, true) + ((uint64_t)p->head_len << 32 | p->file_len << 8 | p->kind);
	v ^= word_at(p->file, p->file_len, true) * 0xc2b2ae3d27d4eb4fULL;
	return (h << 7 | h >> 57) ^ v;
}

/* The block's fingerprint once every pair is folded in: mixed, so that its
 * low bits pick a hash slot. */
static inline uint64_t fp_final(uint64_t h)
{
	return hash_u64(0, h);
}

/* The line pair at p as the line-by-line path would read it, or false when
 * that path might read it otherwise (then the block is not replayed). */
static bool scan_pair(const struct tb *t, const char *p, const char *limit, struct pair *out)
{
	const char *paren, *nl = scan_line(p, limit, &paren);
	size_t len = nl ? (size_t)(nl - p) : 0;
	/* lr_take_simple: complete lines shorter than max_line, no '\r' */
	if (!nl || len >= t->opt->max_line || len < 3)
		return false;
	out->flags = 0;
	if (p[0] == 'c' && len > 11 && memcmp(p, "created by ", 11) == 0) {
		struct tb_created c;
		if (!tb_parse_created(p, len, &c))
			return false;
		out->kind = K_CREATOR;
		out->head_len = (size_t)(c.func.p + c.func.n - p);
		if (c.has_parent) {
			out->flags = P_PARENT;
			out->parent = c.parent;
		}
	} else {
		/* tb_parse_func: the name ends at the last '(' of a line ending
		 * in ')' (spaces in the name are checked by comparison with the
		 * template, learnt from a line that passed) */
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
	const char *fnl = scan_nl(out->file, limit);
	if (!fnl || fnl == out->file || fnl[-1] == '\r' || (size_t)(fnl - out->file) >= t->opt->max_line)
		return false;
	out->file_len = (size_t)(fnl - out->file);
	out->next = fnl + 1;
	return true;
}

/* Does the block read into r->scratch repeat template m? */
static bool block_matches(const struct tb_replay *r, const struct template *m, uint32_t n)
{
	if (m->npairs != n)
		return false;
	const struct tpair *tp = &r->pairs[m->first_pair];
	for (uint32_t i = 0; i < n; i++) {
		const struct pair *p = &r->scratch[i];
		/* flags: inlined and creator's parent form must agree; wait and
		 * first-user follow from the name */
		const struct rtext *head = &r->texts[tp[i].head], *file = &r->texts[tp[i].file];
		if (head->len != p->head_len || file->len != p->file_len || tp[i].kind != p->kind ||
		    (tp[i].flags & (P_INLINED | P_PARENT)) != p->flags)
			return false;
		if (!bytes_equal(p->file, file->p, p->file_len) || !bytes_equal(p->head, head->p, p->head_len))
			return false;
	}
	return true;
}

static const struct template *find_template(const struct tb_replay *r, uint64_t fp, uint32_t n)
{
	for (uint32_t i = r->slots[fp & (r->nslots - 1)]; i != NONE; i = r->tmpl[i].next)
		if (r->tmpl[i].fp == fp && block_matches(r, &r->tmpl[i], n))
			return &r->tmpl[i];
	return NULL;
}

bool tb_replay_block(struct tb *t)
{
	struct tb_replay *r = t->replay;
	struct linereader *lr = t->lr;
	if (!r || r->owner != t->nsnap || !r->ntmpl || r->paused || lr->pending_skip ||
	    (lr->release && lr->start - lr->released >= LR_RELEASE_STEP))
		return false;
	r->pending = false;
	const char *start = lr->buf + lr->start, *limit = lr->buf + lr->end;
	const char *p = start;
	uint32_t n = 0;
	uint64_t fp = 0;
	/* Pass 1: line pairs up to the blank line, and their fingerprint. */
	for (;;) {
		if (p >= limit)
			return false;
		if (*p == '\n')
			break;
		/* after "created by" only the blank line */
		if (n == MAX_PAIRS || (n && r->scratch[n - 1].kind == K_CREATOR))
			return false;
		if (!scan_pair(t, p, limit, &r->scratch[n]))
			return false;
		fp = pair_fp(fp, &r->scratch[n]);
		p = r->scratch[n++].next;
	}
	/* Pass 2: a template with exactly this text. */
	if (!n)
		return false;
	fp = fp_final(fp);
	const struct template *m = find_template(r, fp, n);
	r->attempts++;
	if (m)
		r->hits++;
	if (r->attempts == JUDGE_WINDOW) {
		r->paused = r->hits * 8 < r->attempts;
		r->attempts = r->hits = 0;
	}
	if (!m) {
		r->pending = true;
		r->pending_off = lr->base + lr->start;
		r->pending_fp = fp;
		r->pending_n = n;
		return false;
	}
	/* What varies: the object argument, the parent goroutine. */
	const struct tpair *tp = &r->pairs[m->first_pair];
	for (uint32_t i = 0; i < n; i++) {
		const struct pair *q = &r->scratch[i];
		if (q->kind == K_CREATOR) {
			if (q->flags & P_PARENT) {
				t->g.parent = q->parent;
				t->g.flags |= G_HAS_PARENT;
			}
		} else if (!(q->flags & P_INLINED) && (tp[i].flags & (P_WAIT | P_FIRST_USER))) {
			tb_note_object(t, tp[i].flags & P_WAIT, tp[i].flags & P_FIRST_USER,
				       slice_make(q->args, q->args_len));
		}
	}
	p++; /* the blank line */
	lr->start += (size_t)(p - start);
	lr->lineno += 2 * (uint64_t)n + 1;
	t->cur->last_line = lr->lineno;
	tb_commit_goroutine(t, m->stack);
	return true;
}

/* ---- learning ---- */

/* Fill out from frame f, which the line-by-line path read at p. */
static bool frame_at(struct tb *t, const struct pframe *f, const char *p, const char *limit, struct pair *out)
{
	if (f->no_parens || (f->flags & ~(uint32_t)FRAME_INLINED) || lr_at(t->lr, f->func_off) != p)
		return false;
	if (!scan_pair(t, p, limit, out) || out->kind != K_FUNC || out->head_len != f->func_len + 1)
		return false;
	/* the parsed file name lies in the file line, after its indentation */
	const char *name = lr_at(t->lr, f->file_off);
	return name > out->file && name < out->file + out->file_len;
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

/* Index of the text (p, n), added if new; NONE when the store is full. */
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
	char *copy = arena_alloc(&r->text, n ? n : 1);
	memcpy(copy, p, n);
	r->text_bytes += n;
	uint32_t slot = (uint32_t)(h & (r->ntext_slots - 1));
	r->texts[r->ntexts] = (struct rtext){copy, (uint32_t)n, r->text_slots[slot], h};
	r->text_slots[slot] = r->ntexts++;
	if (r->ntexts > r->ntext_slots / 2) {
		r->ntext_slots *= 2;
		r->text_slots = xreallocarray(r->text_slots, r->ntext_slots, sizeof(*r->text_slots));
		memset(r->text_slots, 0xff, r->ntext_slots * sizeof(*r->text_slots));
		for (uint32_t i = 0; i < r->ntexts; i++) {
			uint32_t s = (uint32_t)(r->texts[i].hash & (r->ntext_slots - 1));
			r->texts[i].next = r->text_slots[s];
			r->text_slots[s] = i;
		}
	}
	return r->ntexts - 1;
}

static void add_template(struct tb_replay *r, uint64_t fp, uint32_t n, uint32_t stack)
{
	if (r->ntmpl >= MAX_TEMPLATES || r->npairs + n > MAX_PAIRS_TOTAL)
		return;
	if (r->ntmpl == r->tmpl_cap) {
		r->tmpl_cap = r->tmpl_cap ? r->tmpl_cap * 2 : 256;
		r->tmpl = xreallocarray(r->tmpl, r->tmpl_cap, sizeof(*r->tmpl));
	}
	if (r->npairs + n > r->pairs_cap) {
		r->pairs_cap = MAX(r->pairs_cap * 2, r->npairs + n + 1024);
		r->pairs = xreallocarray(r->pairs, r->pairs_cap, sizeof(*r->pairs));
	}
	for (uint32_t i = 0; i < n; i++) {
		const struct pair *p = &r->scratch[i];
		uint32_t head = intern_text(r, p->head, p->head_len), file = intern_text(r, p->file, p->file_len);
		if (head == NONE || file == NONE)
			return;
		r->pairs[r->npairs + i] = (struct tpair){head, file, p->kind, p->flags};
	}
	uint32_t slot = (uint32_t)(fp & (r->nslots - 1));
	r->tmpl[r->ntmpl] = (struct template){fp, r->npairs, n, stack, r->slots[slot]};
	r->slots[slot] = r->ntmpl++;
	r->npairs += n;
	if (r->ntmpl > r->nslots / 2) {
		/* keep chains short: double the table and rehash */
		r->nslots *= 2;
		r->slots = xreallocarray(r->slots, r->nslots, sizeof(*r->slots));
		memset(r->slots, 0xff, r->nslots * sizeof(*r->slots));
		for (uint32_t i = 0; i < r->ntmpl; i++) {
			uint32_t s = (uint32_t)(r->tmpl[i].fp & (r->nslots - 1));
			r->tmpl[i].next = r->slots[s];
			r->slots[s] = i;
		}
	}
}

/* Do the pairs pass 1 left in r->scratch stand where the line-by-line
 * path read t's frames? */
static bool pending_is(struct tb *t, const struct tb_replay *r, uint32_t n)
{
	if (!r->pending || r->pending_off != t->g_body_off || r->pending_n != n)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		const struct pair *pr = &r->scratch[i];
		bool creator = i == t->nframes;
		const struct pframe *f = creator ? &t->creator : &t->frames[i];
		const char *name = lr_at(t->lr, f->file_off);
		if (pr->kind != (creator ? K_CREATOR : K_FUNC) || name <= pr->file || name >= pr->file + pr->file_len)
			return false;
		if (creator) {
			if (f->flags || lr_at(t->lr, f->func_off) != pr->head + 11 || pr->head_len != 11 + f->func_len ||
			    !!(pr->flags & P_PARENT) != !!(t->g.flags & G_HAS_PARENT))
				return false;
		} else if (f->no_parens || (f->flags & ~(uint32_t)FRAME_INLINED) || lr_at(t->lr, f->func_off) != pr->head ||
			   pr->head_len != f->func_len + 1 || !!(pr->flags & P_INLINED) != !!(f->flags & FRAME_INLINED)) {
			return false;
		}
	}
	return true;
}

void tb_replay_learn(struct tb *t, uint32_t stack)
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
	if (r->paused)
		return;
	uint64_t fp = 0;
	if (pending_is(t, r, n)) {
		/* pass 1 read this block and found no template */
		fp = r->pending_fp;
		r->pending = false;
	} else {
		/* First find every line where the block says it is ... */
		r->pending = false;
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
				if (!frame_at(t, f, p, limit, pr) ||
				    !!(pr->flags & P_INLINED) != !!(f->flags & FRAME_INLINED))
					return;
			}
			fp = pair_fp(fp, pr);
			p = pr->next;
		}
		/* ... that a blank line ended it, and that it is new. */
		fp = fp_final(fp);
		if (p >= limit || *p != '\n' || find_template(r, fp, n))
			return;
	}
	/* What the names say about the object waited on. */
	bool seen_user = false;
	for (uint32_t i = 0; i < t->nframes; i++) {
		struct pair *pr = &r->scratch[i];
		struct slice name = slice_make(pr->head, pr->head_len - 1);
		if (tb_is_wait_primitive(name))
			pr->flags |= P_WAIT;
		if (!seen_user && !goname_is_stdlib(name.p, name.n)) {
			seen_user = true;
			pr->flags |= P_FIRST_USER;
		}
	}
	add_template(r, fp, n, stack);
}
