/* opt.h: commands and their options, declared once as data.
 *
 * Each command is a struct cli_command: its name, synopsis, description,
 * and the option groups it accepts. A group (struct opt_group) is a table
 * of options and one function that takes their values into a struct of
 * the group's own (a filter, fetch options, a command's arguments). Groups
 * that several commands accept (live sources, filters, grouping, output
 * file) are declared once in opt_groups.c; a command names them with the
 * offset of that struct inside its own arguments.
 *
 * Everything the user sees about options comes from these tables: the
 * parser (cli_parse), the help text (cli_print_help), the shell
 * completions (`goroscope completion`), and through the help text the
 * tests that check the man page and try every option listed. Defaults
 * given in a table are applied by the parser before the arguments and
 * shown by the help, so the two cannot disagree.
 *
 * The parser takes --name VALUE, --name=VALUE, -x VALUE, -xVALUE and
 * bundled short flags (-qH 'N: V'); options and other words may come in
 * any order; "--" ends the options; "-" is a word (stdin). Long names must
 * be given whole: an abbreviation is an unknown option, since a prefix
 * that is unambiguous today stops being so when an option is added. */
#ifndef GOROSCOPE_OPT_H
#define GOROSCOPE_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What an option's value is: the completions offer files, directories or
 * the choices; the help and the tests read the value's name. */
enum opt_value {
	OV_FLAG,      /* no value */
	OV_FILE,      /* a path to a file */
	OV_DIR,       /* a path to a directory */
	OV_CHOICE,    /* one of opt.choices */
	OV_OTHER,     /* a number, a duration, a regex, a URL, a header... */
};

struct opt {
	const char *name;     /* long name, without "--" */
	char short_name;      /* 0: none */
	enum opt_value value;
	const char *arg;      /* the value's name in help: "FILE", "N", "D"; NULL for a flag */
	const char *help;     /* one sentence or two; the help wraps it */
	const char *choices;  /* OV_CHOICE: the words, separated by spaces */
	const char *def;      /* default value, applied before parsing and shown; NULL: none to apply */
	int id;               /* passed to the group's take() */
	bool repeat;          /* may be given more than once, each adding a value */
};

struct opt_group {
	const char *title;    /* help heading ("Live sources:"); NULL continues the previous one */
	const struct opt *opts;
	size_t n;
	/* Take option id with its value (NULL for a flag) into target, the
	 * group's struct. False after printing why (cli_error). */
	bool (*take)(void *target, int id, const char *value);
};

/* A group as one command accepts it: where its struct lies in the
 * command's arguments, and defaults of its own ("frames=8") that replace
 * the table's. */
struct opt_use {
	const struct opt_group *group;
	size_t offset;
	const char *const *defaults; /* NULL-ended "name=value", or NULL */
};

/* What the words of a command (its arguments that are not options) are,
 * for the completions. */
enum cli_words { WORDS_FILES, WORDS_NONE, WORDS_COMMANDS, WORDS_CHOICES };

struct cli_command {
	const char *name;
	const char *summary;      /* one line, for the list of commands */
	const char *synopsis;     /* the "usage:" lines */
	const char *description;  /* paragraphs before the options, wrapped already */
	const struct opt_use *uses; /* ended by {NULL} */
	const char *epilogue;     /* after the options: exit status, notes */
	enum cli_words words;     /* default: files (inputs); URLs and pid:N are typed */
	const char *word_choices; /* WORDS_CHOICES: the words, separated by spaces */
	int (*run)(int argc, char **argv);
};

/* The commands, in the order `goroscope help` lists them. */
extern const struct cli_command *const cli_commands[];
extern const size_t cli_ncommands;

enum cli_parsed {
	CLI_PARSED,     /* go on: the options are taken, the words are in argv[0..*nwords) */
	CLI_HELP_SHOWN, /* -h or --help: the help was printed; exit 0 */
	CLI_BAD,        /* an unknown option, a missing or bad value: printed; exit 2 */
};

/* Apply cmd's defaults to args, then parse argv[1..argc) (argv[0] is the
 * command's name) into args, a struct laid out as cmd's uses say. The
 * words that are not options are moved, in order, to argv[0..*nwords). */
enum cli_parsed cli_parse(const struct cli_command *cmd, int argc, char **argv, void *args, int *nwords);

/* The last value given to option --name in argv (without taking
 * anything), or NULL; *help is set when -h or --help is among the options.
 * For a command whose options depend on a file named by one of them
 * (watch --config): read the file first, then cli_parse. */
const char *cli_scan_option(const struct cli_command *cmd, int argc, char **argv, const char *name, bool *help);

/* The command's help, generated from its tables. */
void cli_print_help(const struct cli_command *cmd, FILE *f);

/* The command called name, or NULL. */
const struct cli_command *cli_find_command(const char *name);

/* Calls fn for each option cmd accepts (with its group), -h/--help last
 * (group NULL). For the completions. */
void cli_each_option(const struct cli_command *cmd, void (*fn)(void *ctx, const struct opt *o), void *ctx);

#endif
