/* snapshot.h: the one model every parser fills and every analysis reads.
 *
 * A snapshot is one moment of one process: its goroutines (individually,
 * from text tracebacks) or its samples (aggregated, from debug=1/protobuf
 * profiles). A sample is stored as a goroutine record with G_SAMPLE set
 * that stands for weights[i] goroutines (or, in a block/mutex profile,
 * contention events), so every analysis reads both the same way; what a
 * sample does not carry (id, state, wait minutes, creator) is left empty. Stacks are de-duplicated: goroutines refer to a stack id, and a
 * stack is a run of frames whose strings are interned in the snapshot's
 * string table. A snapshot owns all its memory; snapshot_free() releases it.
 * Once a parser hands a snapshot over it is read-only. */
#ifndef GOROSCOPE_SNAPSHOT_H
#define GOROSCOPE_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/strtab.h"
#include "../base/u64map.h"

/* frame.flags */
enum {
	FRAME_INLINED = 1 << 0, /* printed with "(...)": inlined call */
	FRAME_NOFILE = 1 << 1,  /* no file line (cgo "non-Go function", cut dump) */
};

struct frame {
	uint32_t func; /* strtab id */
	uint32_t file; /* strtab id */
	uint32_t line; /* 0 = unknown */
	uint32_t flags;
};

/* stack.flags */
enum {
	STACK_ELIDED_OLD = 1 << 0,   /* "...additional frames elided..." (outermost frames lost) */
	STACK_ELIDED_MIDDLE = 1 << 1, /* "...N frames elided..." (Go 1.21+) */
	STACK_UNAVAILABLE = 1 << 2,  /* "stack unavailable" (running elsewhere, C code) */
	STACK_HAS_CREATOR = 1 << 3,
	STACK_SYSTEM = 1 << 4,       /* runtime-internal goroutine */
};

struct stack_slot {
	uint64_t hash;
	uint32_t id; /* stack id + 1; 0 = empty */
};

struct stack {
	uint64_t hash;       /* signature: function + line of every frame and of the
	                      * creator, and the elision flags (files are implied:
	                      * a function lives in one file) */
	uint32_t first;      /* its first frame in snapshot.frames, innermost first (snapshot_frames) */
	uint32_t nframes;
	uint32_t flags;
	uint32_t elided;     /* N of "...N frames elided..." (max seen) */
	struct frame creator; /* valid when STACK_HAS_CREATOR */
};

/* goroutine.flags */
enum {
	G_LOCKED = 1 << 0,     /* ", locked to thread" */
	G_LEAKED = 1 << 1,     /* " (leaked)" (Go 1.26+ leak GC) */
	G_DURABLE = 1 << 2,    /* " (durable)" synctest annotation */
	G_SCAN = 1 << 3,       /* " (scan)" */
	G_TRUNCATED = 1 << 4,  /* block cut off (end of input or foreign text) */
	G_HAS_PARENT = 1 << 5, /* parent id known ("in goroutine N" or ancestors) */
	G_HAS_MINUTES = 1 << 6,
	G_BUBBLE = 1 << 7,     /* in a synctest bubble/group */
	G_HAS_OBJECT = 1 << 8, /* object is the first argument of a wait primitive */
	G_OBJECT_ARG = 1 << 9, /* object is the first argument of the innermost user frame */
	G_SAMPLE = 1 << 10,    /* an aggregated profile sample: see snapshot.weights */
};

struct goroutine {
	uint64_t id;
	uint64_t parent;     /* creator goroutine id when G_HAS_PARENT */
	uint64_t object;     /* pointer the goroutine waits on, see G_HAS_OBJECT */
	uint32_t stack;      /* index into snapshot.stacks */
	uint32_t state;      /* strtab id: wait reason or status word, annotations removed */
	uint32_t minutes;    /* wait minutes when G_HAS_MINUTES */
	uint32_t labels;     /* labelset id (strtab id of its encoding), 0 = none */
	uint32_t flags;
	uint32_t bubble;     /* synctest bubble/group number when G_BUBBLE */
};

/* What produced the dump, from its preamble. */
enum snap_kind {
	SNAP_STACKS = 0,     /* runtime.Stack / debug=2: no preamble */
	SNAP_PANIC,
	SNAP_FATAL,          /* fatal error: ... */
	SNAP_SIGNAL,         /* SIGQUIT / SIGABRT / ... */
	SNAP_TEST_TIMEOUT,   /* panic: test timed out after ... */
	SNAP_HTTP_PANIC,     /* net/http "http: panic serving ...", recovered */
	SNAP_RACE,           /* race-detector reports only */
};

struct race_access {
	char kind[24];        /* "Read", "Write", "Previous write", ... */
	uint64_t goroutine;   /* 0 for the main goroutine */
	bool main_goroutine;
	struct frame top;     /* innermost frame */
};

struct race {
	struct race_access a, b;
	uint32_t nframes_a, nframes_b;
};

/* A problem found in the input. The message does not repeat the position:
 * line (0 = none) and byte offset are reported next to it. */
struct warning {
	uint64_t line, offset;
	char *msg;
};

/* The profile a snapshot was read from. */
enum profile_kind {
	PROF_NONE = 0,       /* a text dump: every record is one goroutine */
	PROF_GOROUTINE,      /* goroutine profile (debug=1 or protobuf) */
	PROF_GOROUTINELEAK,  /* goroutines the GC proved leaked (Go 1.26+) */
	PROF_THREADCREATE,
	PROF_COUNT,          /* another count profile (pprof.NewProfile) */
	PROF_BLOCK,
	PROF_MUTEX,
	PROF_CONTENTION,     /* block or mutex: a protobuf profile does not say which */
};

/* How the moment a snapshot was taken is known, strongest first. */
enum taken_from {
	TAKEN_UNKNOWN = 0,
	TAKEN_PROFILE, /* the protobuf profile's own time */
	TAKEN_CAPTURE, /* the time in its capture directory's manifest */
	TAKEN_FETCH,   /* fetched live: when the response arrived */
	TAKEN_MTIME,   /* the file's modification time (copies change it) */
};
const char *taken_from_name(enum taken_from t);

/* Per-snapshot goroutines are stored in chunks so a million of them never
 * need one huge reallocation (that would double the peak memory), and by
 * column within a chunk, so each costs what it carries: stack, state and
 * flags always (10 bytes); id, parent and object packed in 32 bits (4
 * bytes each, see gcol64; 8 in a chunk whose values spread too far),
 * parent and object only in a chunk where a goroutine has one
 * (its flags say so: G_HAS_PARENT, G_HAS_OBJECT, G_OBJECT_ARG); minutes,
 * labels and bubble only in a chunk where one is not 0. A dump of a million parked
 * goroutines is then 14 to 22 bytes each instead of 48: the report, not
 * the input, decides the memory (docs/internals/memory.md). */
enum { G_CHUNK_BITS = 14, G_CHUNK = 1 << G_CHUNK_BITS };
/* A snapshot holds at most this many records (their indices are 32-bit);
 * a real process has a few million goroutines. */
#define G_MAX ((uint64_t)UINT32_MAX - 1)

/* One 64-bit column of a chunk: all 0 (neither array), wide[j], or packed
 * in narrow[j]: its top 4 bits pick one of the chunk's high parts (bits 28
 * and up; 16 at most), its low 28 bits are the value's. Goroutine ids of a
 * chunk share one or two high parts, pointers into a heap of a few GiB a
 * handful (and 0, for arguments that are not pointers, one more). */
enum { GCOL_LOW_BITS = 28, GCOL_HIGHS = 16 };
struct gcol64 {
	uint64_t high[GCOL_HIGHS];
	uint32_t nhigh, last; /* high parts in use; the one the last value had */
	uint32_t *narrow;
	uint64_t *wide;
};

struct gchunk {
	uint32_t cap; /* entries each column has room for: grows to G_CHUNK */
	uint32_t *stack, *state;
	uint16_t *flags;
	uint32_t *minutes, *labels, *bubble; /* NULL: all 0 */
	struct gcol64 id, parent, object;
};

struct snapshot {
	struct strtab strs;
	struct arena arena;

	struct gchunk *gchunks;
	uint32_t ngchunks;
	uint64_t ngoroutines;
	size_t gbytes;          /* what the chunks hold */
	uint64_t dropped_goroutines; /* beyond G_MAX: counted, not kept (with a warning) */

	/* Frames: each distinct one once (ftab), and the stacks' frames as
	 * indices into it (frames[stack.first..+nframes)): a profile of many
	 * deep stacks repeats a few hundred frames millions of times, 4 bytes
	 * each instead of 16. */
	struct frame *ftab;
	uint32_t nftab, ftab_cap;
	struct u64map ftab_index; /* frame key -> ftab index */
	uint32_t ftab_recent[256]; /* by func and line: an ftab index + 1 most likely the frame's */
	uint32_t *frames;
	uint32_t nframes, frames_cap;
	struct stack *stacks;
	uint32_t nstacks, stacks_cap;
	struct stack_slot *stack_slots; /* hash table over stacks (hash kept inline) */
	uint32_t nstack_slots;

	struct race *races;
	uint32_t nraces, races_cap;
	uint32_t races_reported;  /* "Found N data race(s)" */

	struct warning *warnings;
	uint32_t nwarnings, warnings_cap, warnings_dropped;

	/* Where it came from. */
	const char *source;     /* file name or "-" (arena) */
	uint32_t index;         /* 1-based among the snapshots of one source */
	enum snap_kind kind;
	const char *format;     /* "traceback", ... (static) */
	const char *preamble;   /* first preamble line, e.g. "panic: boom" (arena) */
	const char *signal_detail; /* "[signal SIGSEGV: ...]" or "PC=... m=..." */
	uint64_t first_line, last_line;
	uint64_t first_offset, end_offset;
	bool truncated;          /* ended mid-goroutine */
	bool at_pprof_cap;       /* ~64 MiB: pprof debug=2 cut-off */
	bool register_dump;
	bool level2;             /* runtime frames / fp= shown (GOTRACEBACK>=2) */
	bool gp_headers;         /* "gp=... m=..." headers (Go 1.22+) */
	bool gccgo;
	uint32_t threads;        /* register dumps seen (GOTRACEBACK=crash: one per M) */
	uint64_t unique_ids;     /* distinct goroutine ids */
	uint64_t max_id;         /* the highest goroutine id kept (0: none) */
	uint32_t go_version_min; /* minor version lower bound inferred from features, 0 = unknown */
	int64_t taken_ns;        /* when it was taken (Unix ns), 0 when unknown; taken_from says how it is known */
	enum taken_from taken_from;

	/* Profiles (profile != PROF_NONE): records are samples. */
	enum profile_kind profile;
	const char *profile_name;  /* "goroutine", a custom profile's name... (arena) */
	int64_t *weights;          /* per record: goroutines, or contention events */
	int64_t *delays;           /* per record: nanoseconds blocked (block/mutex), else NULL */
	uint64_t weights_cap;
	struct u64map sample_index; /* sample identity -> record: repeats are added up */
	uint64_t total_weight;     /* sum of weights (at most 2^62, see snapshot_add_sample) */
	int64_t total_delay;
	bool sums_capped;          /* samples beyond 2^62 were cut (with a warning) */
	bool has_reported_total;   /* debug=1 "total N" header */
	uint64_t reported_total;
	int64_t time_nanos, duration_nanos, period; /* protobuf; 0 = not given */
	double cycles_per_second;  /* debug=1 block/mutex header, 0 = not given */
	int64_t sampling_period;   /* debug=1 mutex header (0: mutex profiling off) */
	bool has_sampling_period;  /* ...when the header was there */
	uint64_t dropped_negative; /* delta-profile samples below zero, not counted */
	const char *binary;        /* protobuf: the main mapping's file name (arena), or NULL */
	const char *build_id;      /* and its build id */
};

struct snapshot *snapshot_new(const char *source, uint32_t index);
void snapshot_free(struct snapshot *s);

/* Append a copy of g. False (and counted in dropped_goroutines, with a
 * warning) when the snapshot already holds G_MAX. */
bool snapshot_add_goroutine(struct snapshot *s, const struct goroutine *g);

static inline uint64_t gcol64_get(const struct gcol64 *c, uint32_t j)
{
	if (c->wide)
		return c->wide[j];
	if (!c->narrow)
		return 0;
	uint32_t n = c->narrow[j];
	return c->high[n >> GCOL_LOW_BITS] << GCOL_LOW_BITS | (n & ((1u << GCOL_LOW_BITS) - 1));
}

/* Record i, i < ngoroutines, as a value; or one of its fields. */
static inline struct goroutine snapshot_goroutine(const struct snapshot *s, uint64_t i)
{
	const struct gchunk *c = &s->gchunks[i >> G_CHUNK_BITS];
	uint32_t j = (uint32_t)(i & (G_CHUNK - 1));
	struct goroutine g;
	g.flags = c->flags[j];
	g.id = gcol64_get(&c->id, j);
	g.parent = g.flags & G_HAS_PARENT ? gcol64_get(&c->parent, j) : 0;
	g.object = g.flags & (G_HAS_OBJECT | G_OBJECT_ARG) ? gcol64_get(&c->object, j) : 0;
	g.stack = c->stack[j];
	g.state = c->state[j];
	g.minutes = c->minutes ? c->minutes[j] : 0;
	g.labels = c->labels ? c->labels[j] : 0;
	g.bubble = c->bubble ? c->bubble[j] : 0;
	return g;
}
static inline uint64_t snapshot_goroutine_id(const struct snapshot *s, uint64_t i)
{
	return gcol64_get(&s->gchunks[i >> G_CHUNK_BITS].id, (uint32_t)(i & (G_CHUNK - 1)));
}
static inline uint32_t snapshot_goroutine_stack(const struct snapshot *s, uint64_t i)
{
	return s->gchunks[i >> G_CHUNK_BITS].stack[i & (G_CHUNK - 1)];
}
static inline uint32_t snapshot_goroutine_flags(const struct snapshot *s, uint64_t i)
{
	return s->gchunks[i >> G_CHUNK_BITS].flags[i & (G_CHUNK - 1)];
}
static inline uint32_t snapshot_goroutine_minutes(const struct snapshot *s, uint64_t i)
{
	const struct gchunk *c = &s->gchunks[i >> G_CHUNK_BITS];
	return c->minutes ? c->minutes[i & (G_CHUNK - 1)] : 0;
}
static inline uint32_t snapshot_goroutine_labels(const struct snapshot *s, uint64_t i)
{
	const struct gchunk *c = &s->gchunks[i >> G_CHUNK_BITS];
	return c->labels ? c->labels[i & (G_CHUNK - 1)] : 0;
}

/* Append a profile sample on stack with labels (labelset id, 0 = none),
 * standing for weight goroutines or events, and delay nanoseconds (block and
 * mutex profiles; pass delays=true for the first sample of such a profile).
 * Negative weights (delta profiles: goroutines that went away) are not
 * stored but counted in dropped_negative. identity is a hash of what the
 * profile says the sample is (its location ids or program counters): a
 * sample with the identity, stack and labels of an earlier one is added to
 * that record. The runtime never repeats one (two samples on one stack
 * differ in their program counters and stay apart); a hostile profile of
 * millions of copies of one sample then costs one record. The weights and
 * the delays each add up to at most 2^62 (beyond is cut, with a warning),
 * so no sum over a snapshot's samples overflows. */
void snapshot_add_sample(struct snapshot *s, uint32_t stack, uint32_t labels, int64_t weight, int64_t delay,
			 bool delays, uint64_t identity);
/* Bytes the snapshot holds (its arrays at capacity, strings, arena): what
 * a parser compares with a memory budget. */
size_t snapshot_bytes(const struct snapshot *s);
/* How many goroutines (events) record i stands for. */
static inline uint64_t snapshot_weight(const struct snapshot *s, uint64_t i)
{
	return s->weights ? (uint64_t)s->weights[i] : 1;
}
static inline bool snapshot_is_profile(const struct snapshot *s)
{
	return s->profile != PROF_NONE;
}
const char *profile_kind_name(enum profile_kind k);

/* Find the stack with this signature hash, or return UINT32_MAX. Hashes are
 * 64-bit over all signature bytes; equal hashes are taken as equal stacks.
 * (Rebuilds the index of stacks if snapshot_parsed dropped it.) */
uint32_t snapshot_find_stack(struct snapshot *s, uint64_t hash);
/* The parser is done with s: drop the indexes only adding needs (stacks
 * by signature, samples by identity), a third of a big profile's memory
 * while it is analysed. Stacks can still be added and found (the index is
 * rebuilt); a sample added later is not merged with an equal earlier one. */
void snapshot_parsed(struct snapshot *s);
/* The signature of a stack of these frames (interned in s) and flags, as
 * the text reader computes it: equal frames give equal signatures in every
 * snapshot and every format. */
uint64_t snapshot_stack_signature(const struct snapshot *s, const struct frame *frames, uint32_t n,
				  uint32_t flags);
/* Add a stack with nframes frames copied from frames[]; returns its id. */
uint32_t snapshot_add_stack(struct snapshot *s, uint64_t hash, const struct frame *frames,
			    uint32_t nframes, uint32_t flags, const struct frame *creator);

/* The frames of a stack, innermost first: FRAME(v, k) is frame k (k <
 * st->nframes), &FRAME(v, k) points into the snapshot's table. */
struct frame_view {
	const struct frame *tab;
	const uint32_t *ids;
};
static inline struct frame_view snapshot_frames(const struct snapshot *s, const struct stack *st)
{
	/* frames is NULL while no stack has frames (NULL + 0 is undefined) */
	return (struct frame_view){s->ftab, s->frames ? s->frames + st->first : NULL};
}
#define FRAME(v, k) ((v).tab[(v).ids[k]])
/* Frame k of stack st. */
static inline const struct frame *snapshot_frame(const struct snapshot *s, const struct stack *st, uint32_t k)
{
	return &s->ftab[s->frames[st->first + k]];
}
static inline const char *snapshot_str(const struct snapshot *s, uint32_t id)
{
	return strtab_str(&s->strs, id);
}
static inline uint32_t snapshot_len(const struct snapshot *s, uint32_t id)
{
	return strtab_len(&s->strs, id);
}

void snapshot_add_race(struct snapshot *s, const struct race *r);
/* Record a warning (kept up to a cap; further ones are only counted). */
void snapshot_warn(struct snapshot *s, uint64_t line, uint64_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Label sets: a list of key/value pairs interned as one string id. */
uint32_t snapshot_intern_labels(struct snapshot *s, const uint32_t *kv, uint32_t npairs);
/* Decode a labelset id into up to max pairs (key,value ids); returns npairs. */
uint32_t snapshot_labels(const struct snapshot *s, uint32_t labels, uint32_t *kv, uint32_t max);

#endif

#ifndef GOROSCOPE_SNAPSET
#define GOROSCOPE_SNAPSET
/* An ordered list of snapshots (all dumps found in the inputs). Owns them. */
struct snapset {
	struct snapshot **v;
	uint32_t n, cap;
};
void snapset_init(struct snapset *set);
void snapset_push(struct snapset *set, struct snapshot *s);
void snapset_free(struct snapset *set);
#endif

/* Append everything of src (a later part of the same dump) to dst and free
 * src: strings, stacks and label sets are re-interned, goroutines appended in
 * order, races and warnings carried over, flags combined. */
void snapshot_merge(struct snapshot *dst, struct snapshot *src);
