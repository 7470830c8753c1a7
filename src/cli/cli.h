/* cli.h: what the subcommands share: exit codes, the option groups
 * several of them accept (opt_groups.c), loading inputs through the input
 * seam and printing what it says (input.c), output (output.c). Only cli/
 * prints and exits; the commands' option tables are in opt.h's terms. */
#ifndef GOROSCOPE_CLI_H
#define GOROSCOPE_CLI_H

#include "../analyze/filter.h"
#include "../analyze/group.h"
#include "../base/err.h"
#include "../model/snapshot.h"
#include "../report/report.h"
#include "../source/source.h"
#include "opt.h"

enum exit_code { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_ERROR = 2 };

/* Print "goroscope: <msg>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the option groups several commands accept (opt_groups.c) ----
 * Each takes its values into the struct named after it. */

/* Live sources: -H, --bearer, --cacert, --cert, --key, --insecure into a
 * struct fetch_auth; --connect-timeout, --timeout, --retries into a struct
 * fetch_options; --format into an enum source_format. CLI_USE_LIVE names
 * the three for a command whose arguments hold a struct source_options. */
extern const struct opt_group opt_group_auth, opt_group_transfer, opt_group_format;
#define CLI_USE_LIVE(type, src)                                                            \
	{&opt_group_auth, offsetof(type, src.fetch.auth), NULL},                           \
		{&opt_group_transfer, offsetof(type, src.fetch), NULL},                    \
		{&opt_group_format, offsetof(type, src.format), NULL}

/* -m, -f, --label as given; compiled by cli_build_filter. */
struct cli_filter_args {
	const char *match, *drop;
	const char *labels[FILTER_MAX_LABELS];
	uint32_t nlabels;
};
extern const struct opt_group opt_group_filter;
/* Compile into *f (filter_free it later); prints why and returns false. */
bool cli_build_filter(const struct cli_filter_args *fa, struct filter *f);

/* --by, --all into a struct group_options. */
extern const struct opt_group opt_group_grouping;
/* --limit, --full-path into a struct text_options; --frames likewise. */
extern const struct opt_group opt_group_text, opt_group_frames;
/* --color into an int: -1 auto, 0 never, 1 always. */
extern const struct opt_group opt_group_color;
/* Colour for stdout in mode: auto means a terminal and no NO_COLOR. */
bool cli_want_color(int mode);
/* -o, --output FILE into a const char *. */
extern const struct opt_group opt_group_output;
/* -q, --quiet into a bool: no warnings on stderr. */
extern const struct opt_group opt_group_quiet;

/* The groups of a command that prints groups or sites as text, for an
 * arguments struct with members output, color and text; then -m, -f,
 * --label, --by and --all for one with members filters and group. */
#define CLI_USE_TEXT_OUTPUT(type)                                                                           \
	{&opt_group_output, offsetof(type, output), NULL}, {&opt_group_color, offsetof(type, color), NULL}, \
		{&opt_group_text, offsetof(type, text), NULL}
#define CLI_USE_GROUPING(type) \
	{&opt_group_filter, offsetof(type, filters), NULL}, {&opt_group_grouping, offsetof(type, group), NULL}

/* Values of options, for the groups' take() functions: print why and
 * return false when s is not one. */
bool cli_parse_count(const char *opt, const char *s, uint32_t lo, uint32_t hi, uint32_t *out);
bool cli_parse_seconds(const char *opt, const char *s, double lo, double hi, double *out);
bool cli_parse_number(const char *opt, const char *s, double lo, double hi, double *out);
/* "500ms", "10s", "5m", "2h", "7d", or seconds. */
bool cli_parse_duration(const char *opt, const char *s, double *seconds);
/* --pick, --process: a number from 1, or "last" (-1). */
bool cli_parse_pick(const char *opt, const char *s, long *pick);

/* ---- inputs (input.c) ---- */

/* Read every source (none: stdin) through the input seam (source.h) and
 * append the snapshots to set. Prints what goes wrong and, unless quiet,
 * the snapshots' warnings; with GOROSCOPE_TIMING set, how each text input
 * was read. False after the first source that cannot be read. */
bool cli_load_inputs(const struct source_options *o, int n, char **specs, struct snapset *set, bool quiet);
/* The same, each input's snapshots into sets[i] of its own (n sets). */
bool cli_load_inputs_apart(const struct source_options *o, int n, char **specs, struct snapset *sets, bool quiet);

/* Print the warnings a snapshot carries (what its reader noticed). */
void cli_print_warnings(const struct snapshot *s);

/* The source options a command starts from: the defaults, and replay off
 * when GOROSCOPE_NO_REPLAY is set (the tests compare both ways). */
void cli_source_defaults(struct source_options *o);

/* ---- output (output.c) ---- */

/* Write all bytes to stdout; false on error (e.g. EPIPE). */
bool cli_write_stdout(const char *p, size_t n);
/* cli_write_stdout as a buf sink (buf.h); ctx is unused. */
bool cli_stdout_sink(void *ctx, const char *p, size_t n);
/* -o FILE: send stdout to path (created or truncated). False after
 * printing the error. */
bool cli_redirect_stdout(const char *path);
/* --html: write the self-contained page (report_html) showing json, a
 * command's JSON document, to stdout. False on a write error. */
struct buf;
bool cli_write_html(const char *title, const struct buf *json);

/* Run handler on signal sig, without SA_RESTART: a blocking call such as
 * pause() returns, so a daemon's loop sees the flag the handler sets. */
void cli_on_signal(int sig, void (*handler)(int));

/* The watch store at store_path as the timeline view's JSON document
 * (targets, their samples and largest groups' series since since_ms, their
 * alerts), appended to b. Reads only; works while the daemon writes. */
enum status cli_timeline_json(struct buf *b, const char *store_path, int64_t since_ms, struct err *err);
/* The wall-clock time since_s seconds ago, in ms since the epoch (the
 * start of a --since window over the store). */
int64_t cli_since_ms(double since_s);

/* ---- the commands (cmd_<name>.c), listed by main.c ---- */
extern const struct cli_command command_analyze, command_leaks, command_contention, command_schedtrace,
	command_capture, command_watch, command_history, command_web, command_ps, command_diff, command_convert,
	command_completion, command_help;

/* Parse a command's arguments (cli_parse) and turn the outcome into the
 * exit status to return: -1 means go on. */
int cli_parse_or_exit(const struct cli_command *cmd, int argc, char **argv, void *args, int *nwords);

#endif
