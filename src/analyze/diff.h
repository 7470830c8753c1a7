/* diff.h: what changed between two snapshots of one process. Groups of the
 * two analyses are matched by what they are, not by their ids in either
 * snapshot: the function names and lines of their stacks from the first
 * frame outside the runtime (debug=1 hides the runtime frames that protobuf
 * and debug=2 show), and the creator when both snapshots have creators. So
 * a debug=2 dump can be compared with a protobuf profile. When both
 * snapshots carry goroutine ids (text dumps), goroutines are also followed
 * by id: which persisted, which are new, which exited. Pure: reads the two
 * analyses, allocates only the result. */
#ifndef GOROSCOPE_DIFF_H
#define GOROSCOPE_DIFF_H

#include "group.h"

enum diff_status { DIFF_NEW, DIFF_GONE, DIFF_GROWN, DIFF_SHRUNK, DIFF_SAME };

enum { DIFF_SAMPLE_IDS = 20 };

struct diff_entry {
	enum diff_status status;
	uint64_t old_count, new_count;
	int64_t delta;
	uint32_t old_group, new_group; /* representative group in each, UINT32_MAX if none */
	uint32_t old_groups, new_groups; /* groups of each analysis merged here */
	/* by id (when diff.by_id): of the new snapshot's goroutines here, how many
	 * were here already in the old snapshot, and how many were in another
	 * group there (a goroutine that moved on: not new, and not this group's) */
	uint64_t persisted, moved_in;
};

struct diff {
	const struct analysis *old, *new;
	struct diff_entry *v; /* largest change first (|delta|, then new count) */
	uint32_t n;
	uint64_t old_total, new_total; /* shown goroutines (after hiding and filters) */
	bool by_id;                    /* both snapshots carry goroutine ids */
	uint64_t persisted, created, exited; /* by id, over shown goroutines: alive in both, new, gone */
	uint64_t moved;                      /* of the persisted, those in another group now */
	uint64_t created_ids[DIFF_SAMPLE_IDS], exited_ids[DIFF_SAMPLE_IDS]; /* the first few, ascending */
	uint32_t ncreated_ids, nexited_ids;
	uint32_t counts[DIFF_SAME + 1];      /* entries by status */
};

/* Compare two analyses made with the same group options. */
void diff_run(const struct analysis *old, const struct analysis *new, struct diff *d);
void diff_free(struct diff *d);
const char *diff_status_name(enum diff_status s);

/* The key diff matches groups by (see above): exposed for the tests and for
 * later series analyses. with_creator: include the creator frame. */
uint64_t diff_group_key(const struct analysis *a, const struct group *g, bool with_creator);

#endif
