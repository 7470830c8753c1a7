/* schedule.c: see schedule.h. */
#include "../base/common.h"
#include "schedule.h"
#include "../base/xalloc.h"

#include <stdlib.h>

void schedule_init(struct schedule *s)
{
	memset(s, 0, sizeof(*s));
}

void schedule_free(struct schedule *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

void schedule_clear(struct schedule *s)
{
	s->n = 0;
}

static bool before(const struct schedule_entry *a, const struct schedule_entry *b)
{
	return a->due_ms < b->due_ms || (a->due_ms == b->due_ms && a->target < b->target);
}

void schedule_add(struct schedule *s, int64_t due_ms, uint32_t target)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
	}
	uint32_t i = s->n++;
	struct schedule_entry e = {due_ms, target};
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!before(&e, &s->v[parent]))
			break;
		s->v[i] = s->v[parent];
		i = parent;
	}
	s->v[i] = e;
}

bool schedule_pop_due(struct schedule *s, int64_t now_ms, struct schedule_entry *out)
{
	if (!s->n || s->v[0].due_ms > now_ms)
		return false;
	*out = s->v[0];
	struct schedule_entry last = s->v[--s->n];
	uint32_t i = 0;
	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= s->n)
			break;
		if (c + 1 < s->n && before(&s->v[c + 1], &s->v[c]))
			c++;
		if (!before(&s->v[c], &last))
			break;
		s->v[i] = s->v[c];
		i = c;
	}
	if (s->n)
		s->v[i] = last;
	return true;
}

int64_t schedule_next(const struct schedule *s)
{
	return s->n ? s->v[0].due_ms : INT64_MAX;
}
