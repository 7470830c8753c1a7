/* tb_race.c: race-detector reports (ThreadSanitizer text, go-formats.md
 * §1.11). They describe two conflicting accesses, not goroutine states, so
 * they are summarised as races and never counted as goroutines. */
#include "../base/common.h"
#include "../base/hash.h"
#include "../model/goname.h"
#include "tb_internal.h"
#include "tb_line.h"

#include <stdio.h>
#include <stdlib.h>

static struct snapshot *ensure_snapshot(struct tb *t, const struct line *l)
{
	if (!t->cur)
		tb_open_snapshot(t, l)->kind = SNAP_RACE;
	return t->cur;
}

static void end_race(struct tb *t)
{
	if (t->race_access && t->cur)
		snapshot_add_race(t->cur, &t->race);
	memset(&t->race, 0, sizeof(t->race));
	t->race_access = 0;
	t->race_want_file = false;
	t->mode = M_NORMAL;
}

void tb_race_flush(struct tb *t)
{
	if (t->mode == M_RACE)
		end_race(t);
}

/* "Read at 0x00c000012345 by goroutine 7:" / "... by main goroutine:" */
static bool parse_access(const char *s, size_t n, struct race_access *a)
{
	const char *at = memmem(s, n, " at 0x", 6);
	const char *by = memmem(s, n, " by ", 4);
	if (!at || !by || by < at || s[n - 1] != ':')
		return false;
	memset(a, 0, sizeof(*a));
	size_t k = MIN((size_t)(at - s), sizeof(a->kind) - 1);
	memcpy(a->kind, s, k);
	a->kind[k] = '\0';
	struct slice rest = slice_make(by + 4, n - (size_t)(by + 4 - s) - 1);
	if (slice_starts(rest, "main goroutine")) {
		a->main_goroutine = true;
		return true;
	}
	if (slice_starts(rest, "goroutine ")) {
		uint64_t v = 0;
		for (size_t i = 10; i < rest.n && is_digit(rest.p[i]); i++)
			v = v * 10 + (uint64_t)(rest.p[i] - '0');
		a->goroutine = v;
	}
	return true;
}

bool tb_race_line(struct tb *t, const struct line *l, const char *s, size_t n)
{
	struct slice x = slice_make(s, n);
	if (t->mode != M_RACE) {
		if (!slice_starts(x, "WARNING: DATA RACE")) {
			if (slice_starts(x, "Found ") && slice_ends(x, " data race(s)")) {
				unsigned long v = strtoul(s + 6, NULL, 10);
				ensure_snapshot(t, l)->races_reported = (uint32_t)v;
				return true;
			}
			return false;
		}
		ensure_snapshot(t, l);
		memset(&t->race, 0, sizeof(t->race));
		t->race_access = 0;
		t->mode = M_RACE;
		t->race_line = l->lineno;
		return true;
	}
	if (slice_starts(x, "==================")) {
		end_race(t);
		return true;
	}
	if (n == 0)
		return true;
	if (s[0] != ' ') {
		struct race_access a;
		if (parse_access(s, n, &a)) {
			if (t->race_access == 0) {
				t->race.a = a;
				t->race_access = 1;
			} else if (t->race_access == 1) {
				t->race.b = a;
				t->race_access = 2;
			}
			t->race_want_file = false;
		} else {
			t->race_access = t->race_access ? 3 : 0; /* "Goroutine N (running) created at:" */
		}
		return true;
	}
	/* "  pkg.func()" then "      /path/file.go:12 +0x1a" */
	struct race_access *a = t->race_access == 1 ? &t->race.a : t->race_access == 2 ? &t->race.b : NULL;
	uint32_t *count = t->race_access == 1 ? &t->race.nframes_a : &t->race.nframes_b;
	if (!a)
		return true;
	size_t i = 0;
	while (i < n && s[i] == ' ')
		i++;
	if (i <= 3) {
		struct tb_func fn;
		if (tb_parse_func(s + i, n - i, &fn)) {
			if (*count == 0)
				a->top.func = goname_intern(&t->cur->strs, fn.name.p, fn.name.n, hash_bytes(fn.name.p, fn.name.n, 0));
			(*count)++;
			t->race_want_file = *count == 1;
		}
	} else if (t->race_want_file) {
		struct tb_file fl;
		if (tb_parse_file(s, n, &fl)) {
			a->top.file = strtab_intern(&t->cur->strs, fl.file.p, fl.file.n);
			a->top.line = fl.line;
		}
		t->race_want_file = false;
	}
	return true;
}
