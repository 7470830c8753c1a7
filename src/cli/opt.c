/* opt.c: see opt.h. The parser, the help printer and the lookups they
 * share. */
#include "../base/common.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

static const struct opt help_opt = {"help", 'h', OV_FLAG, NULL, "this help", NULL, NULL, 0};

/* ---- lookups ---- */

static const struct opt *find_long(const struct cli_command *cmd, const char *name, size_t n,
				   const struct opt_use **use)
{
	for (const struct opt_use *u = cmd->uses; u->group; u++)
		for (size_t i = 0; i < u->group->n; i++) {
			const struct opt *o = &u->group->opts[i];
			if (strlen(o->name) == n && !memcmp(o->name, name, n)) {
				*use = u;
				return o;
			}
		}
	if (n == 4 && !memcmp(name, "help", 4)) {
		*use = NULL;
		return &help_opt;
	}
	return NULL;
}

static const struct opt *find_short(const struct cli_command *cmd, char c, const struct opt_use **use)
{
	for (const struct opt_use *u = cmd->uses; u->group; u++)
		for (size_t i = 0; i < u->group->n; i++)
			if (u->group->opts[i].short_name == c) {
				*use = u;
				return &u->group->opts[i];
			}
	if (c == 'h') {
		*use = NULL;
		return &help_opt;
	}
	return NULL;
}

const struct cli_command *cli_find_command(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		if (!strcmp(cli_commands[i]->name, name))
			return cli_commands[i];
	return NULL;
}

void cli_each_option(const struct cli_command *cmd, void (*fn)(void *ctx, const struct opt *o), void *ctx)
{
	for (const struct opt_use *u = cmd->uses; u->group; u++)
		for (size_t i = 0; i < u->group->n; i++)
			fn(ctx, &u->group->opts[i]);
	fn(ctx, &help_opt);
}

/* The default of o as use gives it: its own override, else the table's. */
static const char *default_of(const struct opt_use *u, const struct opt *o)
{
	size_t n = strlen(o->name);
	for (const char *const *d = u->defaults; d && *d; d++)
		if (!strncmp(*d, o->name, n) && (*d)[n] == '=')
			return *d + n + 1;
	return o->def;
}

/* ---- the tokenizer both the parser and the scan use ---- */

struct tokens {
	const struct cli_command *cmd;
	int argc;
	char **argv;
	int i;              /* next argv element */
	const char *bundle; /* the rest of a group of short options (-qm...) */
	bool words_only;    /* after "--" */
	bool quiet;         /* the scan: errors are for the parse to report */
};

enum token { T_END, T_WORD, T_OPTION, T_BAD };

static enum token bad(const struct tokens *t, const char *fmt, const char *what)
{
	if (!t->quiet) {
		char msg[600];
		snprintf(msg, sizeof(msg), fmt, what);
		cli_error("%s (see 'goroscope %s --help')", msg, t->cmd->name);
	}
	return T_BAD;
}

/* The value of option o, given inline (after '=' or glued to a short
 * name) or as the next element. */
static enum token value_of(struct tokens *t, const struct opt *o, const char *inline_value, const char *spelt,
			   const char **value)
{
	if (o->value == OV_FLAG) {
		if (inline_value)
			return bad(t, "option '%s' takes no value", spelt);
		*value = NULL;
		return T_OPTION;
	}
	if (inline_value) {
		*value = inline_value;
		return T_OPTION;
	}
	if (t->i >= t->argc)
		return bad(t, "option '%s' needs a value", spelt);
	*value = t->argv[t->i++];
	return T_OPTION;
}

static enum token next(struct tokens *t, const struct opt **o, const struct opt_use **use, const char **value,
		       char **word)
{
	if (t->bundle && *t->bundle) {
		char spelt[3] = {'-', *t->bundle, 0};
		*o = find_short(t->cmd, *t->bundle++, use);
		if (!*o)
			return bad(t, "unknown option '%s'", spelt);
		const char *rest = *t->bundle && (*o)->value != OV_FLAG ? t->bundle : NULL;
		if (rest)
			t->bundle = NULL;
		return value_of(t, *o, rest, spelt, value);
	}
	t->bundle = NULL;
	if (t->i >= t->argc)
		return T_END;
	char *a = t->argv[t->i++];
	if (t->words_only || a[0] != '-' || a[1] == '\0') {
		*word = a;
		return T_WORD;
	}
	if (a[1] != '-') {
		t->bundle = a + 1;
		return next(t, o, use, value, word);
	}
	if (a[2] == '\0') {
		t->words_only = true;
		return next(t, o, use, value, word);
	}
	const char *name = a + 2, *eq = strchr(name, '=');
	size_t n = eq ? (size_t)(eq - name) : strlen(name);
	*o = find_long(t->cmd, name, n, use);
	if (!*o) {
		char spelt[200];
		snprintf(spelt, sizeof(spelt), "--%.*s", (int)MIN(n, (size_t)150), name);
		return bad(t, "unknown option '%s'", spelt);
	}
	char spelt[200];
	snprintf(spelt, sizeof(spelt), "--%s", (*o)->name);
	return value_of(t, *o, eq ? eq + 1 : NULL, spelt, value);
}

/* ---- parsing ---- */

static bool take(const struct opt_use *u, const struct opt *o, void *args, const char *value)
{
	return u->group->take((char *)args + u->offset, o->id, value);
}

enum cli_parsed cli_parse(const struct cli_command *cmd, int argc, char **argv, void *args, int *nwords)
{
	for (const struct opt_use *u = cmd->uses; u->group; u++)
		for (size_t i = 0; i < u->group->n; i++) {
			const char *def = default_of(u, &u->group->opts[i]);
			if (def && !take(u, &u->group->opts[i], args, def))
				return CLI_BAD; /* a table's own mistake: the tests catch it */
		}
	struct tokens t = {.cmd = cmd, .argc = argc, .argv = argv, .i = 1};
	int words = 0;
	for (;;) {
		const struct opt *o = NULL;
		const struct opt_use *u = NULL;
		const char *value = NULL;
		char *word = NULL;
		switch (next(&t, &o, &u, &value, &word)) {
		case T_END: *nwords = words; return CLI_PARSED;
		case T_BAD: return CLI_BAD;
		case T_WORD: argv[words++] = word; break; /* never ahead of t.i */
		case T_OPTION:
			if (o == &help_opt) {
				cli_print_help(cmd, stdout);
				return CLI_HELP_SHOWN;
			}
			if (!take(u, o, args, value))
				return CLI_BAD;
			break;
		}
	}
}

const char *cli_scan_option(const struct cli_command *cmd, int argc, char **argv, const char *name, bool *help)
{
	struct tokens t = {.cmd = cmd, .argc = argc, .argv = argv, .i = 1, .quiet = true};
	const char *last = NULL;
	*help = false;
	for (;;) {
		const struct opt *o = NULL;
		const struct opt_use *u = NULL;
		const char *value = NULL;
		char *word = NULL;
		enum token k = next(&t, &o, &u, &value, &word);
		if (k == T_END || k == T_BAD)
			return last;
		if (k == T_OPTION && o == &help_opt)
			*help = true;
		else if (k == T_OPTION && !strcmp(o->name, name))
			last = value;
	}
}

/* ---- help ---- */

enum { HELP_WIDTH = 79, HELP_INDENT = 23 };

/* text wrapped into lines of HELP_WIDTH, each after indent spaces; the
 * first line continues at column col. */
static void put_wrapped(FILE *f, const char *text, int col, int indent)
{
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		int wl = (int)(end - p);
		if (!wl)
			break;
		if (col > indent && col + 1 + wl > HELP_WIDTH) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", wl, p);
		col += wl;
		p = end;
	}
	fputc('\n', f);
}

static void put_option(FILE *f, const struct opt_use *u, const struct opt *o)
{
	char label[96];
	int n;
	if (o->short_name)
		n = snprintf(label, sizeof(label), "  -%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
			     o->arg ? o->arg : "");
	else
		n = snprintf(label, sizeof(label), "  --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	fputs(label, f);
	int col = n;
	if (col > HELP_INDENT - 2) {
		fprintf(f, "\n%*s", HELP_INDENT, "");
	} else {
		fprintf(f, "%*s", HELP_INDENT - col, "");
	}
	const char *def = u ? default_of(u, o) : NULL;
	char text[600];
	size_t hn = strlen(o->help);
	if (!def)
		snprintf(text, sizeof(text), "%s", o->help);
	else if (hn && o->help[hn - 1] == ')') /* "(0: all)" becomes "(0: all; default 20)" */
		snprintf(text, sizeof(text), "%.*s; default %s)", (int)(hn - 1), o->help, def);
	else
		snprintf(text, sizeof(text), "%s (default %s)", o->help, def);
	put_wrapped(f, text, HELP_INDENT, HELP_INDENT);
}

void cli_print_help(const struct cli_command *cmd, FILE *f)
{
	fprintf(f, "%s\n", cmd->synopsis);
	if (cmd->description && *cmd->description)
		fprintf(f, "\n%s", cmd->description);
	fputc('\n', f);
	for (const struct opt_use *u = cmd->uses; u->group; u++) {
		if (u->group->title)
			fprintf(f, "%s\n", u->group->title);
		for (size_t i = 0; i < u->group->n; i++)
			put_option(f, u, &u->group->opts[i]);
	}
	put_option(f, NULL, &help_opt);
	if (cmd->epilogue && *cmd->epilogue)
		fprintf(f, "\n%s", cmd->epilogue);
}
