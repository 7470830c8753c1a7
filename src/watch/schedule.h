/* schedule.h: which target to poll next: a binary min-heap of (due time,
 * target index), so that a round of the polling loop costs O(log n) per due
 * target instead of a scan of every target (a thousand targets polled every
 * ten seconds wake the loop a few hundred times a second). Pure. */
#ifndef GOROSCOPE_WATCH_SCHEDULE_H
#define GOROSCOPE_WATCH_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

struct schedule_entry {
	int64_t due_ms;
	uint32_t target;
};

struct schedule {
	struct schedule_entry *v;
	uint32_t n, cap;
};

void schedule_init(struct schedule *s);
void schedule_free(struct schedule *s);
void schedule_clear(struct schedule *s);
void schedule_add(struct schedule *s, int64_t due_ms, uint32_t target);
/* The earliest entry, if any is due at or before now: removed into *out. */
bool schedule_pop_due(struct schedule *s, int64_t now_ms, struct schedule_entry *out);
/* When the earliest entry is due; INT64_MAX when empty. */
int64_t schedule_next(const struct schedule *s);

#endif
