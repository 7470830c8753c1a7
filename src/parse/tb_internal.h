/* tb_internal.h: state shared by the traceback reader's files
 * (traceback.c, tb_prefix.c, tb_race.c). Not a public interface. */
#ifndef GOROSCOPE_TB_INTERNAL_H
#define GOROSCOPE_TB_INTERNAL_H

#include "../base/common.h"
#include "../base/linereader.h"
#include "../base/u64set.h"
#include "../model/snapshot.h"
#include "tb_line.h"
#include "traceback.h"

/* Per-line log prefix ("2017-05-05 17:55:54 [DEBUG] plugin: "), learnt from
 * a goroutine header that does not start its line, confirmed when the next
 * line carries the same prefix. */
struct tb_prefix {
	bool active;
	char text[256];
	size_t len;
	size_t tail;      /* bytes at the end of text matched on every line */
	bool cand;
	uint64_t cand_line;
};

void tb_prefix_reset(struct tb_prefix *p);
/* Offer the text before a header found inside line lineno. */
void tb_prefix_candidate(struct tb_prefix *p, const char *s, size_t n, uint64_t lineno);
/* Strip the prefix from the line (s, n). Returns false when a prefix is active and this
 * line does not carry it (then s and n are unchanged). */
bool tb_prefix_strip(struct tb_prefix *p, const char **s, size_t *n, uint64_t lineno);

/* A frame of the goroutine being read: views into the input (offsets, since
 * the line reader may move its buffer) until pinned into the string table. */
struct pframe {
	uint64_t func_off, file_off;
	uint64_t name_hash;
	uint32_t func_len, file_len;
	uint32_t func_id, file_id; /* valid when pinned */
	uint32_t line, flags;
	bool pinned;
	bool no_parens;  /* function line without "(args)": gccgo */
	/* (take_func_line) its arguments would name the object waited on; the
	 * goroutine's first frame outside the standard library */
	bool wait_primitive, first_user;
};

/* How a chunk ended, so a parallel parse can tell whether the next chunk
 * continues its last dump. */
struct tb_chunk_end {
	bool clean;      /* no preamble pending, no prefix/race/relay state */
	uint64_t lines;  /* line number of the chunk's last line */
	/* The goroutine ids seen in the chunk's first and last dumps kept (all
	 * of their records' ids, and perhaps a few more): for joining the
	 * parts, they say whether an id occurs on both sides. The owner frees
	 * them (tb_chunk_end_free). */
	const struct snapshot *first, *last;
	struct u64set first_ids, last_ids;
};
void tb_chunk_end_free(struct tb_chunk_end *end);

enum { TB_PARALLEL_MIN = 4 * 1024 * 1024 };

/* Parse n bytes at p as if they started at input offset base_offset and
 * after base_line lines; input_end says the chunk ends the input (only then
 * are end-of-input checks such as the 64 MiB cap made). */
enum status tb_parse_chunk(const char *p, size_t n, uint64_t base_offset, uint64_t base_line, bool input_end,
			   const char *source, const struct tb_options *opt, struct snapset *out,
			   struct tb_stats *stats, struct tb_chunk_end *end, struct err *err);
/* A whole input of n bytes: a block in memory (p), or else a regular file
 * read with pread (fd). */
struct tb_input {
	const char *p;
	int fd;
	size_t n;
};
/* Bytes [from, to) of in, as tb_parse_chunk (offsets from the input's start,
 * line numbers from 0). */
enum status tb_parse_input(const struct tb_input *in, size_t from, size_t to, bool input_end, const char *source,
			   const struct tb_options *opt, struct snapset *out, struct tb_stats *stats,
			   struct tb_chunk_end *end, struct err *err);
/* A whole input over several threads (tb_parallel.c); falls back to one
 * thread when the input cannot be split safely. */
enum status tb_parse_parallel(const struct tb_input *in, const char *source, const struct tb_options *opt,
			      struct snapset *out, struct tb_stats *stats, struct err *err);

/* Checks that need the end of the input (the 64 MiB debug=2 cap). */
void tb_check_input_end(struct snapshot *s);

/* State strings a reader keeps at hand (struct tb's states). */
enum { TB_STATE_CACHE = 8 };

enum tb_mode { M_NORMAL, M_RUNTIME_STACK, M_ANCESTORS, M_RACE };

struct tb {
	struct linereader *lr;
	const struct tb_options *opt;
	struct snapset *out;
	struct tb_stats *stats;
	struct tb_chunk_end *end; /* optional: filled at the end */
	bool input_end;      /* this chunk ends the input */
	const char *source;
	struct snapshot *cur;
	uint32_t nsnap;
	uint64_t cap_line, cap_offset; /* where the dump past TB_MAX_DUMPS began */
	struct u64set ids;   /* goroutine ids of cur: a repeated id starts a new dump */
	bool saw_g0;         /* goroutine 0 (a thread's g0) seen in cur */
	bool relay;          /* cur continues with GOTRACEBACK=crash thread dumps */
	enum tb_mode mode;
	uint64_t foreign_in_g;

	/* the goroutine being read */
	bool in_g;
	struct goroutine g;
	uint64_t g_line, g_offset;
	uint64_t g_body_off;  /* offset of the line after the header, UINT64_MAX if unknown */
	bool g_moved;         /* the line reader moved its buffer while the goroutine was read */
	struct pframe *frames;
	uint32_t nframes, frames_cap, dropped_frames;
	struct frame *scratch;
	uint32_t scratch_cap;
	bool have_creator;
	struct pframe creator;
	uint32_t sflags, elided;
	uint64_t sig;
	bool have_object;
	bool seen_user_frame; /* a frame outside the standard library was read */
	uint64_t object;
	uint64_t keep;       /* earliest input offset still referenced */
	bool cand;           /* a function line waits for its file line */
	bool cand_is_creator;
	struct pframe cand_f;

	struct tb_replay *replay; /* stacks learnt byte for byte (tb_replay.c) */
	struct tb_header_memo headers; /* the forms of header met last */

	/* the state strings of cur met last, with their ids: goroutines of a
	 * dump come in a handful of states, in no order */
	struct {
		char text[48];
		uint32_t len, id;
	} states[TB_STATE_CACHE];
	uint32_t nstates, next_state;
	const struct snapshot *states_snap;

	/* preamble of the next dump */
	bool pre_pending, pre_weak, pre_relay;
	enum snap_kind pre_kind;
	uint64_t pre_line;
	char pre_text[256];
	char pre_detail[160];
	bool after_regdump;
	uint32_t regdump_gap; /* foreign lines since the last register line */

	struct tb_prefix prefix;

	/* race report being read */
	struct race race;
	int race_access;     /* 0 none yet, 1 first access, 2 second */
	bool race_want_file;
	uint64_t race_line;
};

/* Wait primitives whose first argument (receiver or channel) identifies the
 * object a goroutine waits on. */
bool tb_is_wait_primitive(struct slice name);
/* Offer the arguments of a frame (not inlined, with an argument list) as the
 * object the goroutine waits on: the first argument of the innermost wait
 * primitive, else of the first frame in user code (first_user). */
void tb_note_object(struct tb *t, bool wait_primitive, bool first_user, struct slice args);
/* Add the goroutine being read (t->g, its object) with this stack and start
 * afresh. */
void tb_commit_goroutine(struct tb *t, uint32_t stack);

/* ---- replay of learnt stacks (tb_replay.c) ----
 * Most goroutines of a dump repeat a stack already seen, byte for byte
 * except for argument values and the creator's goroutine number. The replay
 * keeps a trie of the exact text of every stack read so far in the current
 * snapshot and reads a repeating block by comparing it against the trie
 * instead of parsing each line; the result is exactly what the line-by-line
 * path would have produced (docs/internals/traceback-reader.md). */
struct tb_replay;
void tb_replay_free(struct tb_replay *r);
/* Right after a goroutine header taken by the fast path (lr positioned at
 * the next line): when the whole block up to its blank line repeats a learnt
 * stack, commit the goroutine, move the line reader past the blank line and
 * return true. Otherwise change nothing and return false. */
bool tb_replay_block(struct tb *t);
/* The goroutine being read is complete with this stack id (not at the end
 * of input), which an earlier goroutine of the snapshot had when
 * seen_before: when its block is plain text (frames on consecutive lines
 * right after the header, ended by a blank line) learn it for replay. */
void tb_replay_learn(struct tb *t, uint32_t stack, bool seen_before);

/* Race reports: returns true when the line was consumed. Starts M_RACE on
 * "WARNING: DATA RACE"; in M_RACE, reads until the closing "=====" line. */
bool tb_race_line(struct tb *t, const struct line *l, const char *s, size_t n);
/* End of input inside a race report: keep what was read. */
void tb_race_flush(struct tb *t);

/* Close the current dump (if any) and open the next, starting at l. */
struct snapshot *tb_open_snapshot(struct tb *t, const struct line *l);

#endif
