/* filter.c: see filter.h. */
#include "../base/common.h"
#include "filter.h"
#include "../base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>

enum status filter_compile(struct filter *f, const char *match, const char *drop, struct err *err)
{
	memset(f, 0, sizeof(*f));
	const char *pats[2] = {match, drop};
	regex_t *res[2] = {&f->match, &f->drop};
	bool *has[2] = {&f->has_match, &f->has_drop};
	for (int i = 0; i < 2; i++) {
		if (!pats[i])
			continue;
		int rc = regcomp(res[i], pats[i], REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char msg[200];
			regerror(rc, res[i], msg, sizeof(msg));
			filter_free(f);
			return err_set(err, ST_USAGE, 0, 0, "bad regular expression for %s '%s': %s",
				       i == 0 ? "-m" : "-f", pats[i], msg);
		}
		*has[i] = true;
	}
	return ST_OK;
}

void filter_free(struct filter *f)
{
	if (f->has_match)
		regfree(&f->match);
	if (f->has_drop)
		regfree(&f->drop);
	f->has_match = f->has_drop = false;
	for (uint32_t i = 0; i < f->nlabels; i++) {
		free(f->labels[i].key);
		regfree(&f->labels[i].value);
	}
	f->nlabels = 0;
}

enum status filter_add_label(struct filter *f, const char *kv, struct err *err)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return err_set(err, ST_USAGE, 0, 0, "bad --label '%s': expected KEY=VALUE", kv);
	if (f->nlabels == FILTER_MAX_LABELS)
		return err_set(err, ST_USAGE, 0, 0, "too many --label options (at most %d)", FILTER_MAX_LABELS);
	size_t vl = strlen(eq + 1);
	char *anchored = xmalloc(vl + 5);
	snprintf(anchored, vl + 5, "^(%s)$", eq + 1);
	struct label_match *m = &f->labels[f->nlabels];
	int rc = regcomp(&m->value, anchored, REG_EXTENDED | REG_NOSUB);
	free(anchored);
	if (rc) {
		char msg[200];
		regerror(rc, &m->value, msg, sizeof(msg));
		return err_set(err, ST_USAGE, 0, 0, "bad regular expression in --label '%s': %s", kv, msg);
	}
	m->key = xstrndup(kv, (size_t)(eq - kv));
	f->nlabels++;
	return ST_OK;
}

bool filter_labels_match(const struct filter *f, const struct snapshot *s, uint32_t labels)
{
	if (!f->nlabels)
		return true;
	uint32_t kv[2 * 64];
	uint32_t n = labels ? snapshot_labels(s, labels, kv, 64) : 0;
	for (uint32_t i = 0; i < f->nlabels; i++) {
		bool ok = false;
		for (uint32_t k = 0; k < n && !ok; k++)
			ok = !strcmp(snapshot_str(s, kv[2 * k]), f->labels[i].key) &&
			     regexec(&f->labels[i].value, snapshot_str(s, kv[2 * k + 1]), 0, NULL, 0) == 0;
		if (!ok)
			return false;
	}
	return true;
}

bool filter_group_matches(const regex_t *re, const struct snapshot *s, const struct stack *st,
			  const uint32_t *states, uint32_t nstates)
{
	for (uint32_t i = 0; i < nstates; i++)
		if (regexec(re, snapshot_str(s, states[i]), 0, NULL, 0) == 0)
			return true;
	const struct frame_view f = snapshot_frames(s, st);
	for (uint32_t i = 0; i < st->nframes; i++)
		if (regexec(re, snapshot_str(s, FRAME(f, i).func), 0, NULL, 0) == 0)
			return true;
	if ((st->flags & STACK_HAS_CREATOR) && regexec(re, snapshot_str(s, st->creator.func), 0, NULL, 0) == 0)
		return true;
	return false;
}
