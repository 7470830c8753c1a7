/* report.h: renderers of analysis results. Each writes into a buffer and
 * never prints; the CLI decides where the bytes go. All text taken from the
 * input is escaped (escape.h). */
#ifndef GOROSCOPE_REPORT_H
#define GOROSCOPE_REPORT_H

#include "../analyze/group.h"
#include "../base/buf.h"

struct text_options {
	bool color;
	bool full_paths;
	uint32_t max_groups; /* 0 = all */
	uint32_t max_frames; /* per group, 0 = all */
};

/* Human-readable explanation of one analysed snapshot. nsnaps > 1 adds a
 * "dump i of n" heading. */
void report_text(struct buf *b, const struct analysis *a, uint32_t nsnaps, const struct text_options *o);

/* JSON: report_json_begin, then report_json_snapshot per snapshot (the
 * caller passes first=true for the first), then report_json_end with the sum
 * of the snapshots' totals. The schema is docs/json.md. flags:
 *   JSON_ALL_IDS      every goroutine id of each group, not the first few;
 *   JSON_FRAME_TABLE  the HTML page's form: each distinct frame once, in the
 *                     snapshot's "frame_table", and the groups' "frames" as
 *                     indices into it. */
enum { JSON_ALL_IDS = 1, JSON_FRAME_TABLE = 2 };
void report_json_begin(struct buf *b, const char *command);
void report_json_snapshot(struct buf *b, const struct analysis *a, bool first, unsigned flags);
void report_json_end(struct buf *b, uint64_t total);

/* Folded stacks: one "outer;...;inner count" line per group. */
void report_folded(struct buf *b, const struct analysis *a);

/* A self-contained HTML page (no network) showing the JSON document json
 * (n bytes): the document of analyze, diff, leaks, contention, the watch
 * timeline, or web's {"command":"web","views":[...]}; the page's script
 * draws the view(s) its "command" names. Embedded gzip + base64. */
void report_html(struct buf *b, const char *title, const char *json, size_t n);
/* The same page written as its document comes: html_page_begin writes the
 * head through out, html_page_json takes the document in pieces (it is a
 * buf sink, buf.h), html_page_end writes the rest and frees the page.
 * False once out has failed. */
struct html_page;
struct html_page *html_page_begin(const char *title, bool (*out)(void *ctx, const char *p, size_t n), void *ctx);
bool html_page_json(void *page, const char *p, size_t n);
bool html_page_end(struct html_page *pg);

/* The snapshot as an uncompressed pprof Profile message (protobuf),
 * appended to b: every goroutine (system ones too) as samples, a text dump's
 * state and wait minutes as sample labels ("state", numeric "wait_minutes"),
 * pprof labels as they are. Gzip it (gzip_compress) for a .pb.gz file. */
void report_pprof(struct buf *b, const struct snapshot *s);

/* Diff of two snapshots (analyze/diff.h): text, and JSON (docs/json.md). */
struct diff;
struct order_result;
/* ord: how the old and the new were told apart (analyze/order.h), or NULL. */
void report_diff_text(struct buf *b, const struct diff *d, const struct order_result *ord,
		      const struct text_options *o);
void report_diff_json(struct buf *b, const struct diff *d, const struct order_result *ord);

/* Leaks over a series of snapshots (analyze/series.h). The scope says what
 * else the report tells: how the snapshots were put in time order
 * (analyze/order.h), and where they pass from one process to the next
 * (analyze/process.h), the series being one process's. NULL: a series
 * taken as given, one process. */
struct series_point;
struct series_result;
struct order_result;
struct process_break;
struct leaks_scope {
	const struct order_result *order;     /* NULL: taken as given */
	const struct snapshot *const *inputs; /* every snapshot, in time order */
	uint32_t ninputs;
	const struct process_break *breaks;   /* along inputs */
	uint32_t nbreaks;
	uint32_t process;                     /* the one analysed, 0-based among nbreaks + 1 */
	uint32_t first;                       /* its first snapshot among inputs */
	uint32_t recurring;                   /* its leaks that leaked in the process before too */
};
void report_leaks_text(struct buf *b, const struct series_point *pts, const struct series_result *r,
		       const struct leaks_scope *scope, const struct text_options *o);
void report_leaks_json(struct buf *b, const struct series_point *pts, const struct series_result *r,
		       const struct leaks_scope *scope);
/* The order part of a report: text lines, or the JSON member "order" (with
 * its leading comma). */
void report_order_text(struct buf *b, const struct order_result *ord);
void report_order_json(struct buf *b, const struct order_result *ord);

/* Contention sites of block/mutex profiles (analyze/contention.h). */
struct contention_result;
void report_contention_text(struct buf *b, const struct contention_result *r, const struct text_options *o);
void report_contention_json(struct buf *b, const struct contention_result *r);
/* Folded stacks of the block/mutex samples among snaps, weighted by the
 * nanoseconds blocked; the root frame is the profile kind. */
void report_contention_folded(struct buf *b, const struct contention_result *r, struct snapshot *const *snaps,
			      uint32_t n);

/* GODEBUG=schedtrace summary (parse/schedtrace.h). */
struct sched_trace;
void report_sched_text(struct buf *b, const struct sched_trace *t, bool color);
void report_sched_json(struct buf *b, const struct sched_trace *t);

/* Pieces shared by the renderers. */
void report_json_str(struct buf *b, const struct snapshot *s, uint32_t id);
/* {"func":..,"file":..,"line":..[,"inlined":true]} */
void report_json_frame(struct buf *b, const struct snapshot *s, const struct frame *f);
/* The stack's creator as a frame, or null. */
void report_json_creator(struct buf *b, const struct snapshot *s, const struct stack *st);
/* [frame, ...] of a stack, innermost first. */
void report_json_frames(struct buf *b, const struct snapshot *s, const struct stack *st);
const char *snap_kind_name(enum snap_kind k);
/* File path as shown in text: the last two elements unless full. */
void put_short_path(struct buf *b, const char *path, size_t n, bool full);

#endif
