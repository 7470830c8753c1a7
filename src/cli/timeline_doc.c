/* timeline_doc.c: the watch store as one JSON document for the HTML
 * timeline view (`history --html`, `web --store`): per target its samples,
 * the series of its largest stack groups and its alerts. Times are
 * milliseconds since the epoch, ready to plot. */
#include "../base/common.h"
#include "cli.h"
#include "../base/u64map.h"
#include "../base/xalloc.h"
#include "../report/escape.h"
#include "../store/store.h"

#include <stdlib.h>
#include <time.h>

/* The groups drawn per target: the largest by their last count. */
enum { GROUPS_SHOWN = 8 };

struct target_list {
	struct store_target_row *v;
	size_t n;
};

static bool add_target(void *ctx, const struct store_target_row *r)
{
	struct target_list *l = ctx;
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = (struct store_target_row){r->id, xstrdup(r->name), xstrdup(r->url)};
	return true;
}

static bool put_sample(void *ctx, const struct store_sample_row *r)
{
	struct buf *b = ctx;
	if (b->p[b->len - 1] != '[')
		buf_addc(b, ',');
	if (r->count >= 0)
		buf_printf(b, "[%lld,%lld]", (long long)r->ts_ms, (long long)r->count);
	else
		buf_printf(b, "[%lld,null]", (long long)r->ts_ms);
	return true;
}

/* One stack group's series, gathered from the rows (oldest first). */
struct series {
	int64_t stack;
	char *title;
	uint64_t last;
	struct buf points;
};
struct series_list {
	struct series *v;
	size_t n, cap;
	struct u64map index; /* stack id -> v[] (a store may hold very many) */
};

static bool add_group_row(void *ctx, const struct store_group_row *r)
{
	struct series_list *l = ctx;
	bool inserted;
	uint32_t i = *u64map_upsert(&l->index, (uint64_t)r->stack, (uint32_t)l->n, &inserted);
	struct series *s;
	if (!inserted) {
		s = &l->v[i];
	} else {
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 64;
			l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
		}
		s = &l->v[l->n++];
		*s = (struct series){.stack = r->stack, .title = xstrdup(r->title ? r->title : "?")};
		buf_init(&s->points);
	}
	buf_printf(&s->points, "%s[%lld,%llu]", s->points.len ? "," : "", (long long)r->ts_ms, (unsigned long long)r->count);
	s->last = r->count;
	return true;
}

static int by_last_desc(const void *a, const void *b)
{
	const struct series *x = a, *y = b;
	return x->last < y->last ? 1 : x->last > y->last ? -1 : 0;
}

static bool put_alert(void *ctx, const struct store_alert_row *r)
{
	struct buf *b = ctx;
	if (b->p[b->len - 1] != '[')
		buf_addc(b, ',');
	buf_adds(b, "{\"rule\":");
	put_json_cstr(b, r->rule ? r->rule : "?");
	buf_printf(b, ",\"started_ms\":%lld,\"resolved_ms\":", (long long)r->started_ms);
	if (r->resolved_ms)
		buf_printf(b, "%lld", (long long)r->resolved_ms);
	else
		buf_adds(b, "null");
	buf_printf(b, ",\"value\":%.3f,\"message\":", r->value);
	put_json_cstr(b, r->message ? r->message : "");
	buf_adds(b, ",\"capture_dir\":");
	put_json_cstr_or_null(b, r->capture_dir);
	buf_addc(b, '}');
	return true;
}

static enum status put_target(struct buf *b, struct store *st, const struct store_target_row *t, int64_t since_ms,
			      struct err *err)
{
	buf_adds(b, "{\"name\":");
	put_json_cstr(b, t->name);
	buf_adds(b, ",\"url\":");
	put_json_cstr(b, t->url);
	buf_adds(b, ",\"samples\":[");
	enum status s = store_samples(st, t->id, since_ms, put_sample, b, err);
	buf_adds(b, "],\"groups\":[");
	struct series_list l = {0};
	if (s == ST_OK)
		s = store_group_samples(st, t->id, since_ms, add_group_row, &l, err);
	if (l.n) /* (qsort wants an array, even of none) */
		qsort(l.v, l.n, sizeof(*l.v), by_last_desc);
	for (size_t i = 0; i < l.n; i++) {
		if (i < GROUPS_SHOWN) {
			buf_adds(b, i ? ",{\"function\":" : "{\"function\":");
			put_json_cstr(b, l.v[i].title);
			buf_adds(b, ",\"series\":[");
			buf_add(b, l.v[i].points.p, l.v[i].points.len);
			buf_adds(b, "]}");
		}
		free(l.v[i].title);
		buf_free(&l.v[i].points);
	}
	free(l.v);
	u64map_free(&l.index);
	buf_adds(b, "],\"alerts\":[");
	if (s == ST_OK)
		s = store_alerts(st, t->id, since_ms, put_alert, b, err);
	buf_adds(b, "]}");
	return s;
}

int64_t cli_since_ms(double since_s)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	return (int64_t)now.tv_sec * 1000 - (int64_t)(since_s * 1000);
}

enum status cli_timeline_json(struct buf *b, const char *store_path, int64_t since_ms, struct err *err)
{
	struct store *st;
	enum status s = store_open(store_path, true, &st, err);
	if (s != ST_OK)
		return s;
	struct target_list tl = {0};
	s = store_targets(st, add_target, &tl, err);
	buf_adds(b, "{\"tool\":\"goroscope\",\"version\":\"" GOROSCOPE_VERSION "\",\"schema\":1,\"command\":\"timeline\",\"store\":");
	put_json_cstr(b, store_path);
	buf_printf(b, ",\"since_ms\":%lld,\"targets\":[", (long long)since_ms);
	for (size_t i = 0; i < tl.n; i++) {
		if (s == ST_OK) {
			if (i)
				buf_addc(b, ',');
			s = put_target(b, st, &tl.v[i], since_ms, err);
		}
		free((char *)tl.v[i].name);
		free((char *)tl.v[i].url);
	}
	free(tl.v);
	buf_adds(b, "]}\n");
	store_close(st);
	return s;
}
