/* store.h: the watch daemon's embedded store (SQLite in WAL mode): targets,
 * one sample per poll (goroutine count or the scrape error), the per-group
 * series of the largest stack groups, and alerts with their capture
 * directories and suspected stacks. The only file that includes
 * <sqlite3.h>.
 *
 * Durability: every write happens inside a transaction the caller commits
 * (one per polling round); WAL with synchronous=NORMAL keeps every committed
 * transaction across a kill -9 of the process (only a power loss may lose
 * the last ones). One handle per thread; several processes may read while
 * the daemon writes. */
#ifndef GOROSCOPE_STORE_H
#define GOROSCOPE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/err.h"

struct store;

/* Open (creating when absent, unless read_only) the store at path. On
 * failure *out is NULL and err says why. */
enum status store_open(const char *path, bool read_only, struct store **out, struct err *err);
void store_close(struct store *s);

enum status store_begin(struct store *s, struct err *err);
enum status store_commit(struct store *s, struct err *err);

/* The id of the target called name (created, or its url updated). */
enum status store_target(struct store *s, const char *name, const char *url, int64_t *id, struct err *err);

/* One poll: count < 0 with error when the scrape failed. */
enum status store_add_sample(struct store *s, int64_t target, int64_t ts_ms, int64_t count, double duration_ms,
			     const char *error, struct err *err);

/* The id of a stack group of target, by its content key (see
 * diff_group_key); title (the first user frame) and frames ("func file:line"
 * lines, frames_len bytes) are stored the first time. The caller bounds
 * both (the daemon's readers cap a stack's text at 8 KiB). */
enum status store_stack(struct store *s, int64_t target, uint64_t key, const char *title, const char *frames,
			size_t frames_len, int64_t *id, struct err *err);
enum status store_add_group_sample(struct store *s, int64_t target, int64_t ts_ms, int64_t stack, uint64_t count,
				   struct err *err);

/* Alerts: opened when a rule fires, given their evidence later, resolved
 * when the rule clears. */
enum status store_alert_open(struct store *s, int64_t target, const char *rule, int64_t ts_ms, double value,
			     const char *message, int64_t *id, struct err *err);
enum status store_alert_evidence(struct store *s, int64_t alert, const char *capture_dir, const char *suspects_json,
				 struct err *err);
enum status store_alert_resolve(struct store *s, int64_t alert, int64_t ts_ms, struct err *err);

/* Delete samples, group samples, kept profiles and resolved alerts older
 * than before_ms, and the stacks no group sample refers to any more (stack
 * ids cached by the caller may then be gone: *stacks_pruned says so). */
enum status store_prune(struct store *s, int64_t before_ms, bool *stacks_pruned, struct err *err);

/* Bytes the store's data takes (pages in use, free pages not counted:
 * SQLite reuses them before it grows the file). */
enum status store_used_bytes(struct store *s, uint64_t *bytes, struct err *err);

/* Keep the store within max_bytes: while its data takes more, prune the
 * oldest quarter of the time its samples span (at most 8 rounds: a store
 * that is mostly something else keeps its newest data). *cut_ms is the
 * time before which data was deleted, 0 when nothing was; *stacks_pruned
 * as store_prune. */
enum status store_enforce_budget(struct store *s, uint64_t max_bytes, int64_t *cut_ms, bool *stacks_pruned,
				 struct err *err);

/* A raw profile the daemon keeps for the leak analysis of a later alert
 * (gzip-compressed), so that the analysis still has them after a restart. */
struct store_profile {
	int64_t ts_ms;
	const void *gz;
	size_t len;
};
/* Replace target's kept profiles with these n. */
enum status store_keep_profiles(struct store *s, int64_t target, const struct store_profile *p, uint32_t n,
				struct err *err);
/* Target's kept profiles taken at or after since_ms, oldest first (none on a
 * read-only handle). The bytes live only for the call; cb returns false to
 * stop early. */
enum status store_kept_profiles(struct store *s, int64_t target, int64_t since_ms,
				bool (*cb)(void *, const struct store_profile *), void *ctx, struct err *err);

/* ---- reading ---- */

struct store_target_row {
	int64_t id;
	const char *name, *url;
};
struct store_sample_row {
	int64_t ts_ms, count; /* count < 0: failed scrape */
	double duration_ms;
	const char *error;    /* NULL when ok */
};
struct store_group_row {
	int64_t stack, ts_ms;
	uint64_t count;
	const char *title;
};
struct store_alert_row {
	int64_t id, target, started_ms, resolved_ms; /* resolved_ms 0 while firing */
	const char *rule, *message, *capture_dir, *suspects_json; /* may be NULL */
	double value;
};

/* Each callback returns false to stop early. Rows' strings live only for
 * the call. Samples and group rows come oldest first, alerts newest first. */
enum status store_targets(struct store *s, bool (*cb)(void *, const struct store_target_row *), void *ctx,
			  struct err *err);
enum status store_samples(struct store *s, int64_t target, int64_t since_ms, bool (*cb)(void *, const struct store_sample_row *),
			  void *ctx, struct err *err);
/* The last n samples of target (oldest first): to continue a series after a
 * restart. */
enum status store_last_samples(struct store *s, int64_t target, uint32_t n,
			       bool (*cb)(void *, const struct store_sample_row *), void *ctx, struct err *err);
enum status store_group_samples(struct store *s, int64_t target, int64_t since_ms,
				bool (*cb)(void *, const struct store_group_row *), void *ctx, struct err *err);
/* Alerts of target (0: every target) started at or after since_ms, or
 * still firing. */
enum status store_alerts(struct store *s, int64_t target, int64_t since_ms, bool (*cb)(void *, const struct store_alert_row *),
			 void *ctx, struct err *err);

#endif
