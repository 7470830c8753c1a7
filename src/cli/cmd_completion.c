/* cmd_completion.c: `goroscope completion bash|zsh`: a shell completion
 * script written from the commands' option tables (opt.h), so it knows
 * exactly the options each command accepts and what their values are.
 * `make install` writes both scripts where bash-completion and zsh look. */
#include "../base/common.h"
#include "cli.h"
#include "../base/buf.h"

#include <stdio.h>

/* Every command's name, separated by spaces. */
static void put_command_names(struct buf *b)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		buf_printf(b, "%s%s", i ? " " : "", cli_commands[i]->name);
}

/* A command's fixed words (the commands, or its choices), between before
 * and after. */
static void put_word_list(struct buf *b, const struct cli_command *cmd, const char *before, const char *after)
{
	buf_adds(b, before);
	if (cmd->words == WORDS_COMMANDS)
		put_command_names(b);
	else
		buf_adds(b, cmd->word_choices);
	buf_adds(b, after);
}

/* ---- bash ---- */

struct bash_ctx {
	struct buf *b;
	int pass; /* 0: the option list, 1: files, 2: directories, 3: other values */
};

static void bash_names(struct buf *b, const struct opt *o)
{
	buf_printf(b, " --%s", o->name);
	if (o->short_name)
		buf_printf(b, " -%c", o->short_name);
}

static void bash_option(void *ctx, const struct opt *o)
{
	struct bash_ctx *c = ctx;
	bool want = c->pass == 0 || (c->pass == 1 && o->value == OV_FILE) || (c->pass == 2 && o->value == OV_DIR) ||
		    (c->pass == 3 && (o->value == OV_OTHER || o->value == OV_CHOICE));
	if (want)
		bash_names(c->b, o);
}

static void bash_choices(void *ctx, const struct opt *o)
{
	struct buf *b = ctx;
	if (o->value != OV_CHOICE)
		return;
	buf_printf(b, "        --%s", o->name);
	if (o->short_name)
		buf_printf(b, "|-%c", o->short_name);
	buf_printf(b, ") COMPREPLY=($(compgen -W '%s' -- \"$cur\")); return ;;\n", o->choices);
}

/* A case pattern of the options of one kind: " --a -b --c" as "--a|-b|--c". */
static void bash_pattern(struct buf *b, const struct cli_command *cmd, int pass, const char *action)
{
	struct buf names;
	buf_init(&names);
	struct bash_ctx c = {&names, pass};
	cli_each_option(cmd, bash_option, &c);
	if (names.len) {
		buf_adds(b, "        ");
		for (size_t i = 1; i < names.len; i++)
			buf_addc(b, names.p[i] == ' ' ? '|' : names.p[i]);
		buf_printf(b, ") %s ;;\n", action);
	}
	buf_free(&names);
}

static void bash_script(struct buf *b)
{
	buf_adds(b, "# bash completion for goroscope, written by `goroscope completion bash` from\n"
		    "# the commands' option tables: it offers exactly what each command accepts.\n"
		    "_goroscope() {\n"
		    "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
		    "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
		    "        COMPREPLY=($(compgen -W '");
	put_command_names(b);
	buf_adds(b, " --help --version' -- \"$cur\"))\n"
		    "        return\n"
		    "    fi\n"
		    "    local opts words=files\n"
		    "    case ${COMP_WORDS[1]} in\n");
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cli_command *cmd = cli_commands[i];
		buf_printf(b, "    %s)\n        case $prev in\n", cmd->name);
		cli_each_option(cmd, bash_choices, b);
		bash_pattern(b, cmd, 1, "compopt -o filenames; COMPREPLY=($(compgen -f -- \"$cur\")); return");
		bash_pattern(b, cmd, 2, "compopt -o filenames; COMPREPLY=($(compgen -d -- \"$cur\")); return");
		bash_pattern(b, cmd, 3, "return");
		buf_adds(b, "        esac\n        opts='");
		struct buf names;
		buf_init(&names);
		struct bash_ctx c = {&names, 0};
		cli_each_option(cmd, bash_option, &c);
		buf_add(b, names.p + 1, names.len - 1);
		buf_free(&names);
		buf_adds(b, "'\n");
		if (cmd->words == WORDS_NONE)
			buf_adds(b, "        words=none\n");
		else if (cmd->words != WORDS_FILES)
			put_word_list(b, cmd, "        words='", "'\n");
		buf_adds(b, "        ;;\n");
	}
	buf_adds(b, "    *) return ;;\n"
		    "    esac\n"
		    "    if [[ $cur == -* ]]; then\n"
		    "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
		    "    elif [ \"$words\" = files ]; then\n"
		    "        compopt -o filenames\n"
		    "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
		    "    elif [ \"$words\" != none ]; then\n"
		    "        COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
		    "    fi\n"
		    "}\n"
		    "complete -F _goroscope goroscope\n");
}

/* ---- zsh ---- */

/* s for a single-quoted _arguments spec, inside [...]: no quote, bracket
 * or colon left bare; the first clause only, to keep the menu short. */
static void zsh_help(struct buf *b, const char *s)
{
	size_t n = strcspn(s, ";(:");
	if (n > 70)
		n = 70;
	while (n && s[n - 1] == ' ')
		n--;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\'')
			buf_adds(b, "'\\''");
		else if (c == '[' || c == ']' || c == '\\')
			buf_printf(b, "\\%c", c);
		else
			buf_addc(b, c);
	}
}

static void zsh_option(void *ctx, const struct opt *o)
{
	struct buf *b = ctx;
	const char *rep = o->repeat ? "*" : "";
	const char *eq = o->value == OV_FLAG ? "" : "=";
	buf_adds(b, "      '");
	if (o->short_name)
		buf_printf(b, "(-%c --%s)'%s{-%c%s,--%s%s}'", o->short_name, o->name, rep, o->short_name,
			   o->value == OV_FLAG ? "" : "+", o->name, eq);
	else
		buf_printf(b, "%s--%s%s", rep, o->name, eq);
	buf_addc(b, '[');
	zsh_help(b, o->help);
	buf_addc(b, ']');
	if (o->value != OV_FLAG) {
		buf_printf(b, ":%s:", o->arg ? o->arg : "value");
		if (o->value == OV_FILE)
			buf_adds(b, "_files");
		else if (o->value == OV_DIR)
			buf_adds(b, "_files -/");
		else if (o->value == OV_CHOICE)
			buf_printf(b, "(%s)", o->choices);
	}
	buf_adds(b, "' \\\n");
}

static void zsh_script(struct buf *b)
{
	buf_adds(b, "#compdef goroscope\n"
		    "# zsh completion for goroscope, written by `goroscope completion zsh` from\n"
		    "# the commands' option tables: it offers exactly what each command accepts.\n"
		    "_goroscope() {\n"
		    "  local -a commands\n"
		    "  commands=(\n");
	for (size_t i = 0; i < cli_ncommands; i++) {
		buf_printf(b, "    '%s:", cli_commands[i]->name);
		zsh_help(b, cli_commands[i]->summary);
		buf_adds(b, "'\n");
	}
	buf_adds(b, "  )\n"
		    "  if (( CURRENT == 2 )); then\n"
		    "    _describe -t commands 'goroscope command' commands\n"
		    "    return\n"
		    "  fi\n"
		    "  local cmd=$words[2]\n"
		    "  shift words\n"
		    "  (( CURRENT-- ))\n"
		    "  case $cmd in\n");
	for (size_t i = 0; i < cli_ncommands; i++) {
		const struct cli_command *cmd = cli_commands[i];
		buf_printf(b, "    %s)\n      _arguments -s -S \\\n", cmd->name);
		cli_each_option(cmd, zsh_option, b);
		if (cmd->words == WORDS_NONE)
			buf_adds(b, "      ''");
		else if (cmd->words == WORDS_FILES)
			buf_adds(b, "      '*:input:_files'");
		else
			put_word_list(b, cmd, "      '1:word:(", ")'");
		buf_adds(b, "\n      ;;\n");
	}
	/* autoloaded from fpath, the file is _goroscope's body: run it; sourced,
	 * register it */
	buf_adds(b, "  esac\n"
		    "}\n"
		    "if [ \"$funcstack[1]\" = _goroscope ]; then\n"
		    "  _goroscope \"$@\"\n"
		    "else\n"
		    "  compdef _goroscope goroscope\n"
		    "fi\n");
}

/* ---- the command ---- */

static const struct opt_use uses[] = {{NULL, 0, NULL}};

static int run(int argc, char **argv)
{
	int n;
	int rc = cli_parse_or_exit(&command_completion, argc, argv, NULL, &n);
	if (rc >= 0)
		return rc;
	if (n != 1 || (strcmp(argv[0], "bash") && strcmp(argv[0], "zsh"))) {
		cli_error("completion needs the shell: bash or zsh (see 'goroscope completion --help')");
		return EXIT_ERROR;
	}
	struct buf b;
	buf_init(&b);
	if (!strcmp(argv[0], "bash"))
		bash_script(&b);
	else
		zsh_script(&b);
	bool ok = cli_write_stdout(b.p, b.len);
	buf_free(&b);
	return ok ? EXIT_OK : EXIT_ERROR;
}

const struct cli_command command_completion = {
	.name = "completion",
	.summary = "print a bash or zsh completion script (make install puts both in place)",
	.synopsis = "usage: goroscope completion bash|zsh",
	.description =
		"Print the completion script for the shell, written from the same option\n"
		"tables the commands parse. To try it in the running shell:\n"
		"  bash: source <(goroscope completion bash)\n"
		"  zsh:  source <(goroscope completion zsh)   (after compinit)\n"
		"make install puts both where bash-completion and zsh look for them.\n",
	.uses = uses,
	.epilogue = "Exit status: 0 ok, 2 usage error.\n",
	.words = WORDS_CHOICES,
	.word_choices = "bash zsh",
	.run = run,
};
