/* group.h: grouping and single-snapshot explanation. Groups goroutines by
 * stack signature (or coarser: top N frames, creator, state), summarises
 * each group (states, wait-time spread, creator and parents, shared wait
 * object), totals the snapshot by state and wait class, lists the longest
 * waits, and flags groups that look like leaks on this one snapshot. Pure:
 * reads the snapshot, allocates only the result. */
#ifndef GOROSCOPE_GROUP_H
#define GOROSCOPE_GROUP_H

#include "../base/err.h"
#include "../model/snapshot.h"
#include "classify.h"
#include "filter.h"

enum group_by { GROUP_STACK, GROUP_TOP, GROUP_CREATOR, GROUP_STATE, GROUP_LABEL };

struct group_options {
	enum group_by by;
	uint32_t top_n;            /* for GROUP_TOP */
	const char *label_key;     /* for GROUP_LABEL */
	bool include_system;       /* --all */
	const struct filter *filter;
	uint32_t leak_min_count;   /* suspect when at least this many wait at one site */
	uint32_t leak_min_minutes; /* ...or when the median wait is at least this long */
	bool no_suspects;          /* groups and totals only, no leak suspicion (watch's polling) */
	uint32_t threads;          /* at most this many summarise a big snapshot; 0: one a core */
};

void group_options_default(struct group_options *o);
/* Parse "stack", "top=N", "creator", "state", "label:KEY" (KEY is kept
 * as a pointer into s). */
enum status group_by_parse(const char *s, struct group_options *o, struct err *err);

struct state_count {
	uint32_t state;
	uint64_t count;
};

enum confidence { CONF_NONE, CONF_LOW, CONF_MEDIUM, CONF_HIGH, CONF_PROOF };
const char *confidence_name(enum confidence c);

enum { GROUP_MAX_STATES = 6, GROUP_SAMPLE_IDS = 5 };

/* What a group's goroutine records tell beyond their stacks and states:
 * sample ids, wait times, creators, wait objects, thread and synctest
 * flags. Profile samples carry none of it, so every group of samples
 * points at the one empty record (group_records_none) instead of carrying
 * 200 bytes of zeros: a profile of 267k distinct stacks is 267k groups. */
struct group_records {
	uint64_t ids[GROUP_SAMPLE_IDS];
	uint32_t nids;
	bool has_minutes;
	uint32_t min_minutes, median_minutes, max_minutes;
	uint64_t with_minutes;
	uint64_t locked, durable, truncated, bubbled;
	uint64_t with_parent, distinct_parents, top_parent, top_parent_count;
	uint64_t with_object, distinct_objects, top_object, top_object_count;
	bool object_from_primitive; /* object is a channel/lock argument, not just the top frame's */
};

extern const struct group_records group_records_none;

struct group {
	uint32_t stack;             /* representative: the first goroutine's stack */
	uint32_t nstacks;           /* distinct stacks in the group */
	uint64_t count;             /* goroutines (profiles: the samples' counts added up) */
	uint32_t nmembers;          /* records: analysis.members[first_member..+nmembers) */
	uint32_t first_member;      /* see nmembers (both < G_MAX) */
	uint64_t delay_ns;          /* block/mutex profiles: time blocked */
	uint32_t label_value;       /* --by label:KEY: the value's strtab id, 0 when KEY is not set */
	uint32_t nstates;           /* at most GROUP_MAX_STATES */
	struct state_count *states; /* most common first (in analysis.group_states) */
	uint64_t other_states;      /* goroutines in states beyond the listed ones */
	enum wait_class wclass;     /* of the most common state */
	uint32_t labels;            /* labelset shared by all members, 0 when none or mixed */
	uint64_t labelled;
	uint64_t leaked;            /* " (leaked)", or a goroutineleak profile's samples */
	const struct group_records *rec; /* never NULL: group_records_none when empty */
	/* single-snapshot suspicion, judged per blocking site (suspect.c) */
	const struct leak_pattern *pattern;
	enum confidence suspicion;  /* of the group's site */
	uint32_t site;              /* frame index of the blocking site in user code */
	bool system;
};

/* A blocking site that looks like a leak: the groups whose first frame in
 * user code and whose state are the same, taken together (as LeakProf does:
 * one channel operation can be reached through many call paths); or the
 * groups waiting on one shared lock or WaitGroup (shared_object). */
struct suspect {
	bool shared_object;         /* pooled by the object waited on, not by site */
	uint64_t object;            /* when shared_object */
	uint32_t group;             /* the largest group at the site (its representative) */
	uint32_t first, ngroups;    /* its groups: analysis.suspect_groups[first..+ngroups) */
	uint64_t count;             /* goroutines at the site */
	uint64_t in_state;          /* of them, in the representative's main state (sites; 0 for objects) */
	uint64_t leaked;
	bool has_minutes;
	uint32_t min_minutes, median_minutes, max_minutes;
	enum confidence confidence;
	bool strong;                /* proof, an operation that can never complete, long waits: --fail-on-leak */
	const char *reason;         /* also why a parked site is not suspected */
	const struct leak_pattern *pattern;
};

/* An object (channel, lock, WaitGroup...) that goroutines of several groups
 * wait on: the first argument of their wait primitive is the same pointer.
 * Many waiters on one lock for minutes is the signature of a lock held
 * forever, whatever call paths led there. */
struct shared_object {
	uint64_t object;
	uint64_t waiters;
	uint32_t groups;            /* distinct groups among the waiters */
	uint32_t first_group;       /* group index of the first waiter */
	uint32_t state;             /* the first waiter's state */
	uint32_t max_minutes;
	bool has_minutes;
	uint32_t group_list[16];    /* the first groups (indices), up to 16 */
	uint32_t nlisted;
};

enum { SHARED_OBJECTS = 5, PARKED_LISTED = 8 };

struct longest_wait {
	uint64_t id;
	uint32_t minutes, state, stack;
};

enum { LONGEST_WAITS = 5 };

struct analysis {
	const struct snapshot *snap;
	struct group_options opt;
	struct group *groups;       /* count descending */
	uint32_t ngroups;
	uint64_t total;             /* every goroutine of the snapshot */
	uint64_t shown;             /* after hiding system goroutines and filters */
	uint64_t hidden_system, filtered_out;
	uint64_t total_delay_ns;    /* block/mutex profiles */
	uint32_t label_key;         /* --by label:KEY: the key's strtab id (0: no goroutine has it) */
	bool suspects_judged;       /* false: leak suspicion does not apply (contention profile, --by state/label) */
	uint64_t by_class[WC_COUNT];
	struct state_count *states; /* shown goroutines by state, descending */
	uint32_t nstates;
	struct longest_wait longest[LONGEST_WAITS];
	uint32_t nlongest;
	struct shared_object shared[SHARED_OBJECTS]; /* most waiters first; 3 waiters at least */
	uint32_t nshared;
	uint32_t *members;          /* goroutine indices, grouped (see group.first_member; < G_MAX) */
	struct state_count *group_states;     /* what groups[].states point into */
	struct group_records *group_records;  /* what groups[].rec point into, when not empty */
	struct suspect *suspects;   /* most certain first */
	uint32_t nsuspects;
	uint32_t strong_suspects;   /* of them, with strong evidence (suspect.strong) */
	struct suspect *parked;     /* sites parked by design, not suspected (confidence none, reason why) */
	uint32_t nparked;
	uint32_t *suspect_groups;   /* group indices, by suspect, largest first */
};

void analysis_run(const struct snapshot *s, const struct group_options *o, struct analysis *out);
/* analysis_run of snaps[i] into out[i] for every i < n, each snapshot on a
 * core of its own (base/parallel.h): the same results as one by one. */
void analysis_run_all(const struct snapshot *const *snaps, uint32_t n, const struct group_options *o,
		      struct analysis *out);
/* Fill a->suspects (called by analysis_run once groups are final). */
void suspects_find(struct analysis *a);
void analysis_free(struct analysis *a);

#endif
