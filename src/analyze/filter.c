/* filter.c: see filter.h. */
#include "../base/common.h"
#include "filter.h"

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
}

bool filter_group_matches(const regex_t *re, const struct snapshot *s, const struct stack *st,
			  const uint32_t *states, uint32_t nstates)
{
	for (uint32_t i = 0; i < nstates; i++)
		if (regexec(re, snapshot_str(s, states[i]), 0, NULL, 0) == 0)
			return true;
	const struct frame *f = snapshot_frames(s, st);
	for (uint32_t i = 0; i < st->nframes; i++)
		if (regexec(re, snapshot_str(s, f[i].func), 0, NULL, 0) == 0)
			return true;
	if ((st->flags & STACK_HAS_CREATOR) && regexec(re, snapshot_str(s, st->creator.func), 0, NULL, 0) == 0)
		return true;
	return false;
}
