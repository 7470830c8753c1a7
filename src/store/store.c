/* store.c: see store.h. Statements are prepared once per handle; a busy
 * database (a reader holding a lock during a checkpoint) is waited for up
 * to five seconds before an error. */
#include "../base/common.h"
#include "store.h"
#include "../base/xalloc.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

static const char SCHEMA[] =
	"CREATE TABLE IF NOT EXISTS targets(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, url TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS samples(target INTEGER NOT NULL, ts_ms INTEGER NOT NULL, count INTEGER NOT NULL,"
	" duration_ms REAL NOT NULL, error TEXT);"
	"CREATE INDEX IF NOT EXISTS samples_by_target ON samples(target, ts_ms);"
	"CREATE TABLE IF NOT EXISTS stacks(id INTEGER PRIMARY KEY, target INTEGER NOT NULL, key INTEGER NOT NULL,"
	" title TEXT NOT NULL, frames TEXT NOT NULL, UNIQUE(target, key));"
	"CREATE TABLE IF NOT EXISTS group_samples(target INTEGER NOT NULL, ts_ms INTEGER NOT NULL,"
	" stack INTEGER NOT NULL, count INTEGER NOT NULL);"
	"CREATE INDEX IF NOT EXISTS group_samples_by_target ON group_samples(target, ts_ms);"
	"CREATE TABLE IF NOT EXISTS alerts(id INTEGER PRIMARY KEY, target INTEGER NOT NULL, rule TEXT NOT NULL,"
	" started_ms INTEGER NOT NULL, resolved_ms INTEGER NOT NULL DEFAULT 0, value REAL NOT NULL,"
	" message TEXT NOT NULL, capture_dir TEXT, suspects TEXT);"
	"CREATE INDEX IF NOT EXISTS alerts_by_target ON alerts(target, started_ms);"
	"CREATE TABLE IF NOT EXISTS kept_profiles(target INTEGER NOT NULL, ts_ms INTEGER NOT NULL, gz BLOB NOT NULL);"
	"CREATE INDEX IF NOT EXISTS kept_profiles_by_target ON kept_profiles(target, ts_ms);";

enum stmt_id {
	S_BEGIN, S_COMMIT, S_TARGET_GET, S_TARGET_ADD, S_TARGET_URL, S_SAMPLE_ADD, S_STACK_GET, S_STACK_ADD,
	S_GROUP_ADD, S_ALERT_OPEN, S_ALERT_EVIDENCE, S_ALERT_RESOLVE, S_PRUNE_SAMPLES, S_PRUNE_GROUPS,
	S_PRUNE_ALERTS, S_KEPT_CLEAR, S_KEPT_ADD, S_PRUNE_KEPT, S_PRUNE_STACKS, S_SPAN,
	/* the daemon's own reads: also left unprepared on a read-only handle (a
	 * store written by an older daemon lacks their table) */
	S_KEPT,
	/* reads */
	S_TARGETS, S_SAMPLES, S_LAST_SAMPLES, S_GROUPS, S_ALERTS, N_STMTS
};

static const char *const SQL[N_STMTS] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_TARGET_GET] = "SELECT id, url FROM targets WHERE name = ?1",
	[S_TARGET_ADD] = "INSERT INTO targets(name, url) VALUES(?1, ?2)",
	[S_TARGET_URL] = "UPDATE targets SET url = ?2 WHERE id = ?1",
	[S_SAMPLE_ADD] = "INSERT INTO samples(target, ts_ms, count, duration_ms, error) VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_STACK_GET] = "SELECT id FROM stacks WHERE target = ?1 AND key = ?2",
	[S_STACK_ADD] = "INSERT INTO stacks(target, key, title, frames) VALUES(?1, ?2, ?3, ?4)",
	[S_GROUP_ADD] = "INSERT INTO group_samples(target, ts_ms, stack, count) VALUES(?1, ?2, ?3, ?4)",
	[S_ALERT_OPEN] = "INSERT INTO alerts(target, rule, started_ms, value, message) VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_ALERT_EVIDENCE] = "UPDATE alerts SET capture_dir = ?2, suspects = ?3 WHERE id = ?1",
	[S_ALERT_RESOLVE] = "UPDATE alerts SET resolved_ms = ?2 WHERE id = ?1",
	[S_PRUNE_SAMPLES] = "DELETE FROM samples WHERE ts_ms < ?1",
	[S_PRUNE_GROUPS] = "DELETE FROM group_samples WHERE ts_ms < ?1",
	[S_PRUNE_ALERTS] = "DELETE FROM alerts WHERE resolved_ms != 0 AND resolved_ms < ?1",
	[S_KEPT_CLEAR] = "DELETE FROM kept_profiles WHERE target = ?1",
	[S_KEPT_ADD] = "INSERT INTO kept_profiles(target, ts_ms, gz) VALUES(?1, ?2, ?3)",
	[S_PRUNE_KEPT] = "DELETE FROM kept_profiles WHERE ts_ms < ?1",
	/* (one pass over group_samples, every few minutes) */
	[S_PRUNE_STACKS] = "DELETE FROM stacks WHERE id NOT IN (SELECT DISTINCT stack FROM group_samples)",
	[S_SPAN] = "SELECT MIN(ts_ms), MAX(ts_ms) FROM samples",
	[S_KEPT] = "SELECT ts_ms, gz FROM kept_profiles WHERE target = ?1 AND ts_ms >= ?2 ORDER BY ts_ms",
	[S_TARGETS] = "SELECT id, name, url FROM targets ORDER BY name",
	[S_SAMPLES] = "SELECT ts_ms, count, duration_ms, error FROM samples WHERE target = ?1 AND ts_ms >= ?2 ORDER BY ts_ms",
	[S_LAST_SAMPLES] = "SELECT ts_ms, count, duration_ms, error FROM (SELECT * FROM samples WHERE target = ?1"
			   " ORDER BY ts_ms DESC LIMIT ?2) ORDER BY ts_ms",
	/* (not the frames: a row per poll and group, each would carry its text) */
	[S_GROUPS] = "SELECT g.stack, g.ts_ms, g.count, s.title FROM group_samples g JOIN stacks s ON s.id = g.stack"
		     " WHERE g.target = ?1 AND g.ts_ms >= ?2 ORDER BY g.ts_ms, g.stack",
	[S_ALERTS] = "SELECT id, target, rule, started_ms, resolved_ms, value, message, capture_dir, suspects FROM alerts"
		     " WHERE (?1 = 0 OR target = ?1) AND (started_ms >= ?2 OR resolved_ms = 0) ORDER BY started_ms DESC, id DESC",
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[N_STMTS];
};

static enum status db_error(struct store *s, struct err *err, const char *what)
{
	return err_set(err, ST_IO, 0, 0, "store: %s: %s", what, sqlite3_errmsg(s->db));
}

enum status store_open(const char *path, bool read_only, struct store **out, struct err *err)
{
	*out = NULL;
	struct store *s = xcalloc(1, sizeof(*s));
	int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	enum status st = ST_OK;
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		st = err_set(err, ST_IO, 0, 0, "cannot open store '%s': %s", path,
			     s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (!read_only) {
		char *msg = NULL;
		/* WAL: readers (history, web) never block the daemon's writes;
		 * NORMAL: a commit reaches the WAL file before returning, which is
		 * what survives the process being killed. */
		if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, &msg) != SQLITE_OK ||
		    sqlite3_exec(s->db, SCHEMA, NULL, NULL, &msg) != SQLITE_OK) {
			st = err_set(err, ST_IO, 0, 0, "cannot set up store '%s': %s", path, msg ? msg : "?");
			sqlite3_free(msg);
			goto out;
		}
	}
	for (int i = 0; i < N_STMTS; i++) {
		if (read_only && i < S_TARGETS)
			continue;
		if (sqlite3_prepare_v3(s->db, SQL[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) != SQLITE_OK) {
			st = err_set(err, ST_IO, 0, 0, "store '%s' is not a goroscope store (or too old): %s", path,
				     sqlite3_errmsg(s->db));
			goto out;
		}
	}
out:
	if (st != ST_OK) {
		store_close(s);
		return st;
	}
	*out = s;
	return ST_OK;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < N_STMTS; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close(s->db);
	free(s);
}

/* Reset statement i for a new run. */
static sqlite3_stmt *use(struct store *s, enum stmt_id i)
{
	sqlite3_reset(s->st[i]);
	sqlite3_clear_bindings(s->st[i]);
	return s->st[i];
}

static void bind_text(sqlite3_stmt *q, int k, const char *v)
{
	if (v)
		sqlite3_bind_text(q, k, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(q, k);
}

/* Run a statement that returns no rows. */
static enum status exec(struct store *s, sqlite3_stmt *q, struct err *err, const char *what)
{
	int rc = sqlite3_step(q);
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? ST_OK : db_error(s, err, what);
}

static const char *col_text(sqlite3_stmt *q, int k)
{
	return (const char *)sqlite3_column_text(q, k);
}

enum status store_begin(struct store *s, struct err *err)
{
	return exec(s, use(s, S_BEGIN), err, "begin");
}

enum status store_commit(struct store *s, struct err *err)
{
	return exec(s, use(s, S_COMMIT), err, "commit");
}

enum status store_target(struct store *s, const char *name, const char *url, int64_t *id, struct err *err)
{
	sqlite3_stmt *q = use(s, S_TARGET_GET);
	bind_text(q, 1, name);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		bool same = col_text(q, 1) && strcmp(col_text(q, 1), url) == 0;
		sqlite3_reset(q);
		if (same)
			return ST_OK;
		q = use(s, S_TARGET_URL);
		sqlite3_bind_int64(q, 1, *id);
		bind_text(q, 2, url);
		return exec(s, q, err, "update target");
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return db_error(s, err, "find target");
	q = use(s, S_TARGET_ADD);
	bind_text(q, 1, name);
	bind_text(q, 2, url);
	enum status st = exec(s, q, err, "add target");
	*id = sqlite3_last_insert_rowid(s->db);
	return st;
}

enum status store_add_sample(struct store *s, int64_t target, int64_t ts_ms, int64_t count, double duration_ms,
			     const char *error, struct err *err)
{
	sqlite3_stmt *q = use(s, S_SAMPLE_ADD);
	sqlite3_bind_int64(q, 1, target);
	sqlite3_bind_int64(q, 2, ts_ms);
	sqlite3_bind_int64(q, 3, count);
	sqlite3_bind_double(q, 4, duration_ms);
	bind_text(q, 5, error);
	return exec(s, q, err, "add sample");
}

enum status store_stack(struct store *s, int64_t target, uint64_t key, const char *title, const char *frames,
			size_t frames_len, int64_t *id, struct err *err)
{
	sqlite3_stmt *q = use(s, S_STACK_GET);
	sqlite3_bind_int64(q, 1, target);
	sqlite3_bind_int64(q, 2, (int64_t)key);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		sqlite3_reset(q);
		return ST_OK;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return db_error(s, err, "find stack");
	q = use(s, S_STACK_ADD);
	sqlite3_bind_int64(q, 1, target);
	sqlite3_bind_int64(q, 2, (int64_t)key);
	bind_text(q, 3, title);
	sqlite3_bind_text64(q, 4, frames, frames_len, SQLITE_TRANSIENT, SQLITE_UTF8);
	enum status st = exec(s, q, err, "add stack");
	*id = sqlite3_last_insert_rowid(s->db);
	return st;
}

enum status store_add_group_sample(struct store *s, int64_t target, int64_t ts_ms, int64_t stack, uint64_t count,
				   struct err *err)
{
	sqlite3_stmt *q = use(s, S_GROUP_ADD);
	sqlite3_bind_int64(q, 1, target);
	sqlite3_bind_int64(q, 2, ts_ms);
	sqlite3_bind_int64(q, 3, stack);
	sqlite3_bind_int64(q, 4, (int64_t)count);
	return exec(s, q, err, "add group sample");
}

enum status store_alert_open(struct store *s, int64_t target, const char *rule, int64_t ts_ms, double value,
			     const char *message, int64_t *id, struct err *err)
{
	sqlite3_stmt *q = use(s, S_ALERT_OPEN);
	sqlite3_bind_int64(q, 1, target);
	bind_text(q, 2, rule);
	sqlite3_bind_int64(q, 3, ts_ms);
	sqlite3_bind_double(q, 4, value);
	bind_text(q, 5, message);
	enum status st = exec(s, q, err, "open alert");
	*id = sqlite3_last_insert_rowid(s->db);
	return st;
}

enum status store_alert_evidence(struct store *s, int64_t alert, const char *capture_dir, const char *suspects_json,
				 struct err *err)
{
	sqlite3_stmt *q = use(s, S_ALERT_EVIDENCE);
	sqlite3_bind_int64(q, 1, alert);
	bind_text(q, 2, capture_dir);
	bind_text(q, 3, suspects_json);
	return exec(s, q, err, "record alert evidence");
}

enum status store_alert_resolve(struct store *s, int64_t alert, int64_t ts_ms, struct err *err)
{
	sqlite3_stmt *q = use(s, S_ALERT_RESOLVE);
	sqlite3_bind_int64(q, 1, alert);
	sqlite3_bind_int64(q, 2, ts_ms);
	return exec(s, q, err, "resolve alert");
}

enum status store_prune(struct store *s, int64_t before_ms, bool *stacks_pruned, struct err *err)
{
	static const enum stmt_id which[] = {S_PRUNE_SAMPLES, S_PRUNE_GROUPS, S_PRUNE_ALERTS, S_PRUNE_KEPT};
	for (size_t i = 0; i < ARRAY_LEN(which); i++) {
		sqlite3_stmt *q = use(s, which[i]);
		sqlite3_bind_int64(q, 1, before_ms);
		enum status st = exec(s, q, err, "prune");
		if (st != ST_OK)
			return st;
	}
	enum status st = exec(s, use(s, S_PRUNE_STACKS), err, "prune stacks");
	if (st == ST_OK && sqlite3_changes(s->db) > 0)
		*stacks_pruned = true;
	return st;
}

static enum status pragma_int(struct store *s, const char *sql, int64_t *v, struct err *err)
{
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		return db_error(s, err, sql);
	int rc = sqlite3_step(q);
	*v = rc == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	return rc == SQLITE_ROW ? ST_OK : db_error(s, err, sql);
}

enum status store_used_bytes(struct store *s, uint64_t *bytes, struct err *err)
{
	int64_t pages = 0, free_pages = 0, page_size = 0;
	enum status st = pragma_int(s, "PRAGMA page_count", &pages, err);
	if (st == ST_OK)
		st = pragma_int(s, "PRAGMA freelist_count", &free_pages, err);
	if (st == ST_OK)
		st = pragma_int(s, "PRAGMA page_size", &page_size, err);
	*bytes = st == ST_OK ? (uint64_t)MAX(pages - free_pages, (int64_t)0) * (uint64_t)page_size : 0;
	return st;
}

enum status store_enforce_budget(struct store *s, uint64_t max_bytes, int64_t *cut_ms, bool *stacks_pruned,
				 struct err *err)
{
	*cut_ms = 0;
	for (int round = 0; round < 8; round++) {
		uint64_t used;
		enum status st = store_used_bytes(s, &used, err);
		if (st != ST_OK || used <= max_bytes)
			return st;
		sqlite3_stmt *q = use(s, S_SPAN);
		if (sqlite3_step(q) != SQLITE_ROW || sqlite3_column_type(q, 0) == SQLITE_NULL) {
			sqlite3_reset(q);
			return ST_OK; /* no samples: nothing of age to remove */
		}
		int64_t lo = sqlite3_column_int64(q, 0), hi = sqlite3_column_int64(q, 1);
		sqlite3_reset(q);
		int64_t cut = lo + MAX((hi - lo) / 4, (int64_t)1);
		if ((st = store_prune(s, cut, stacks_pruned, err)) != ST_OK)
			return st;
		*cut_ms = cut;
	}
	return ST_OK;
}

enum status store_keep_profiles(struct store *s, int64_t target, const struct store_profile *p, uint32_t n,
				struct err *err)
{
	sqlite3_stmt *q = use(s, S_KEPT_CLEAR);
	sqlite3_bind_int64(q, 1, target);
	enum status st = exec(s, q, err, "keep profiles");
	for (uint32_t i = 0; i < n && st == ST_OK; i++) {
		q = use(s, S_KEPT_ADD);
		sqlite3_bind_int64(q, 1, target);
		sqlite3_bind_int64(q, 2, p[i].ts_ms);
		sqlite3_bind_blob64(q, 3, p[i].gz, p[i].len, SQLITE_STATIC);
		st = exec(s, q, err, "keep profiles");
	}
	return st;
}

enum status store_kept_profiles(struct store *s, int64_t target, int64_t since_ms,
				bool (*cb)(void *, const struct store_profile *), void *ctx, struct err *err)
{
	if (!s->st[S_KEPT])
		return ST_OK; /* a read-only handle: none */
	sqlite3_stmt *q = use(s, S_KEPT);
	sqlite3_bind_int64(q, 1, target);
	sqlite3_bind_int64(q, 2, since_ms);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct store_profile p = {sqlite3_column_int64(q, 0), sqlite3_column_blob(q, 1),
					  (size_t)sqlite3_column_bytes(q, 1)};
		if (!p.gz)
			p.len = 0;
		if (!cb(ctx, &p))
			break;
	}
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? ST_OK : db_error(s, err, "read kept profiles");
}

/* Step through q's rows, calling row() for each until it returns false. */
static enum status each_row(struct store *s, sqlite3_stmt *q, bool (*row)(sqlite3_stmt *, void *, void *), void *cb,
			    void *ctx, struct err *err)
{
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		if (!row(q, cb, ctx))
			break;
	sqlite3_reset(q);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? ST_OK : db_error(s, err, "read");
}

static bool target_row(sqlite3_stmt *q, void *cb, void *ctx)
{
	struct store_target_row r = {sqlite3_column_int64(q, 0), col_text(q, 1), col_text(q, 2)};
	return ((bool (*)(void *, const struct store_target_row *))cb)(ctx, &r);
}

static bool sample_row(sqlite3_stmt *q, void *cb, void *ctx)
{
	struct store_sample_row r = {sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1), sqlite3_column_double(q, 2),
				     col_text(q, 3)};
	return ((bool (*)(void *, const struct store_sample_row *))cb)(ctx, &r);
}

static bool group_row(sqlite3_stmt *q, void *cb, void *ctx)
{
	struct store_group_row r = {sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1),
				    (uint64_t)sqlite3_column_int64(q, 2), col_text(q, 3)};
	return ((bool (*)(void *, const struct store_group_row *))cb)(ctx, &r);
}

static bool alert_row(sqlite3_stmt *q, void *cb, void *ctx)
{
	struct store_alert_row r = {
		.id = sqlite3_column_int64(q, 0), .target = sqlite3_column_int64(q, 1), .rule = col_text(q, 2),
		.started_ms = sqlite3_column_int64(q, 3), .resolved_ms = sqlite3_column_int64(q, 4),
		.value = sqlite3_column_double(q, 5), .message = col_text(q, 6), .capture_dir = col_text(q, 7),
		.suspects_json = col_text(q, 8),
	};
	return ((bool (*)(void *, const struct store_alert_row *))cb)(ctx, &r);
}

enum status store_targets(struct store *s, bool (*cb)(void *, const struct store_target_row *), void *ctx,
			  struct err *err)
{
	return each_row(s, use(s, S_TARGETS), target_row, (void *)cb, ctx, err);
}

enum status store_samples(struct store *s, int64_t target, int64_t since_ms, bool (*cb)(void *, const struct store_sample_row *),
			  void *ctx, struct err *err)
{
	sqlite3_stmt *q = use(s, S_SAMPLES);
	sqlite3_bind_int64(q, 1, target);
	sqlite3_bind_int64(q, 2, since_ms);
	return each_row(s, q, sample_row, (void *)cb, ctx, err);
}

enum status store_last_samples(struct store *s, int64_t target, uint32_t n,
			       bool (*cb)(void *, const struct store_sample_row *), void *ctx, struct err *err)
{
	sqlite3_stmt *q = use(s, S_LAST_SAMPLES);
	sqlite3_bind_int64(q, 1, target);
	sqlite3_bind_int64(q, 2, n);
	return each_row(s, q, sample_row, (void *)cb, ctx, err);
}

enum status store_group_samples(struct store *s, int64_t target, int64_t since_ms,
				bool (*cb)(void *, const struct store_group_row *), void *ctx, struct err *err)
{
	sqlite3_stmt *q = use(s, S_GROUPS);
	sqlite3_bind_int64(q, 1, target);
	sqlite3_bind_int64(q, 2, since_ms);
	return each_row(s, q, group_row, (void *)cb, ctx, err);
}

enum status store_alerts(struct store *s, int64_t target, int64_t since_ms, bool (*cb)(void *, const struct store_alert_row *),
			 void *ctx, struct err *err)
{
	sqlite3_stmt *q = use(s, S_ALERTS);
	sqlite3_bind_int64(q, 1, target);
	sqlite3_bind_int64(q, 2, since_ms);
	return each_row(s, q, alert_row, (void *)cb, ctx, err);
}
