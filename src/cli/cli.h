/* cli.h: what the subcommands share: the command table entry type, exit
 * codes, input loading and error printing. Only cli/ prints and exits. */
#ifndef GOROSCOPE_CLI_H
#define GOROSCOPE_CLI_H

#include "../analyze/filter.h"
#include "../base/err.h"
#include "../model/snapshot.h"

enum exit_code { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_ERROR = 2 };

struct command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	const char *usage;
};

extern const struct command commands[];
extern const size_t ncommands;

/* Print "goroscope: <msg>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_print_err(const char *what, const struct err *e);

/* Threads used to read one large file (set by the commands' --threads). */
extern int cli_threads;
/* What a capture directory given as input yields besides its goroutine
 * profile: nothing (the default), its block and mutex profiles when it has
 * them (web), or those profiles, an error when it has none (contention). */
enum cli_capture_profiles { CAPTURE_GOROUTINES, CAPTURE_CONTENTION_TOO, CAPTURE_CONTENTION_REQUIRED };
extern enum cli_capture_profiles cli_capture_contention;

/* Live sources: inputs may be URLs. A base URL ("http://host:port") gets
 * the goroutine profile path in the encoding cli_format asks for; a URL
 * with "/debug/pprof/" in it is fetched as given. */
enum cli_format { CLI_FORMAT_AUTO, CLI_FORMAT_DEBUG2, CLI_FORMAT_DEBUG1, CLI_FORMAT_PPROF };
struct fetch_options;
extern struct fetch_options cli_fetch;
extern enum cli_format cli_format;

/* The options every command that reads inputs accepts for live sources. */
enum {
	O_NET_HEADER = 900, O_NET_BEARER, O_NET_CACERT, O_NET_CERT, O_NET_KEY, O_NET_INSECURE,
	O_NET_CONNECT_TIMEOUT, O_NET_TIMEOUT, O_NET_RETRIES, O_NET_FORMAT,
};
#define CLI_NET_OPTIONS                                                                                     \
	{"header", required_argument, 0, O_NET_HEADER}, {"bearer", required_argument, 0, O_NET_BEARER},     \
	{"cacert", required_argument, 0, O_NET_CACERT}, {"cert", required_argument, 0, O_NET_CERT},         \
	{"key", required_argument, 0, O_NET_KEY}, {"insecure", no_argument, 0, O_NET_INSECURE},             \
	{"connect-timeout", required_argument, 0, O_NET_CONNECT_TIMEOUT},                                   \
	{"timeout", required_argument, 0, O_NET_TIMEOUT}, {"retries", required_argument, 0, O_NET_RETRIES}, \
	{"format", required_argument, 0, O_NET_FORMAT}
/* Print a command's usage, and the live-source options for commands that
 * read inputs. */
void cli_print_usage(const char *usage);
/* Handle option c (getopt's result; 'H' is --header) if it is one of
 * them: returns 1 when handled, 0 when not one of them, -1 after printing
 * an error. */
int cli_net_option(int c, const char *arg);
/* The URL to fetch for input u (a URL) in format f (AUTO: debug=2). */
void cli_profile_url(const char *u, enum cli_format f, char *out, size_t outsz);

/* Read every input (files, or "-" for stdin; none = stdin) and append the
 * snapshots found to set. On an input that cannot be read or holds no
 * goroutine dump, prints why and returns false. quiet suppresses warnings. */
bool cli_load_inputs(int n, char **paths, struct snapset *set, bool quiet);

/* Fetch one live source (a URL, see cli_profile_url) and append its
 * snapshots; on failure print why unless !report_errors, and return false. */
bool cli_load_url(const char *url, struct snapset *set, bool quiet, bool report_errors);

/* ---- options shared by the commands (options.c) ---- */

/* A number 0..100000000 for option opt; prints why and returns false. */
bool cli_parse_count(const char *opt, const char *s, uint32_t *out);
/* --color=auto|always|never into *mode (-1, 1, 0). */
bool cli_parse_color(const char *s, int *mode);
/* Colour for stdout in mode: auto means a terminal and no NO_COLOR. */
bool cli_want_color(int mode);

/* -m, -f and --label as given, compiled by cli_build_filter. */
struct cli_filter_args {
	const char *match, *drop;
	const char *labels[FILTER_MAX_LABELS];
	uint32_t nlabels;
};
bool cli_add_label(struct cli_filter_args *fa, const char *kv);
/* Compile into *f (filter_free it later); prints why and returns false. */
bool cli_build_filter(const struct cli_filter_args *fa, struct filter *f);

/* The display and filter options of the commands that show groups
 * (diff, leaks): -m, -f, --label, --limit, --frames, --full-path, --color. */
enum { O_VIEW_LABEL = 950, O_VIEW_LIMIT, O_VIEW_FRAMES, O_VIEW_FULL, O_VIEW_COLOR };
#define CLI_VIEW_OPTIONS                                                                                   \
	{"match", required_argument, 0, 'm'}, {"filter", required_argument, 0, 'f'},                         \
	{"label", required_argument, 0, O_VIEW_LABEL}, {"limit", required_argument, 0, O_VIEW_LIMIT},        \
	{"frames", required_argument, 0, O_VIEW_FRAMES}, {"full-path", no_argument, 0, O_VIEW_FULL},         \
	{"color", required_argument, 0, O_VIEW_COLOR}, {"colour", required_argument, 0, O_VIEW_COLOR}
struct text_options;
/* Handle option c if it is one of them: 1 handled, 0 not one of them, -1
 * after printing an error. */
int cli_view_option(int c, const char *arg, struct text_options *to, int *color, struct cli_filter_args *fa);

/* --by MODE and --all, for the commands that group goroutines. */
enum { O_GROUP_BY = 970, O_GROUP_ALL };
#define CLI_GROUP_OPTIONS {"by", required_argument, 0, O_GROUP_BY}, {"all", no_argument, 0, O_GROUP_ALL}
struct group_options;
/* Handle option c if it is one of them: 1 handled, 0 not one of them, -1
 * after printing an error. */
int cli_group_option(int c, const char *arg, struct group_options *go);

/* getopt's result c is none of the command's own options: take it when it
 * is a live-source option, else print the error (unknown option, or ':'
 * for a missing value) and return false. */
bool cli_other_option(int c, const char *arg, char **argv, const char *command);

/* Run handler on signal sig, without SA_RESTART: a blocking call such as
 * pause() returns, so a daemon's loop sees the flag the handler sets. */
void cli_on_signal(int sig, void (*handler)(int));

/* Write all bytes to stdout; false on error (e.g. EPIPE). */
bool cli_write_stdout(const char *p, size_t n);

/* -o FILE: send stdout to path (created or truncated). False after
 * printing the error. */
bool cli_redirect_stdout(const char *path);

/* --html: write the self-contained page (report_html) showing json, a
 * command's JSON document, to stdout. False on a write error. */
struct buf;
bool cli_write_html(const char *title, const struct buf *json);

/* The watch store at store_path as the timeline view's JSON document
 * (targets, their samples and largest groups' series since since_ms, their
 * alerts), appended to b. Reads only; works while the daemon writes. */
enum status cli_timeline_json(struct buf *b, const char *store_path, int64_t since_ms, struct err *err);
/* The wall-clock time since_s seconds ago, in ms since the epoch (the
 * start of a --since window over the store). */
int64_t cli_since_ms(double since_s);

int cmd_analyze(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_leaks(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_web(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_contention(int argc, char **argv);
int cmd_schedtrace(int argc, char **argv);
extern const char usage_schedtrace[];
extern const char usage_contention[];
extern const char usage_ps[];
/* "pid:N": the pprof base URL of local Go process N (see ps); prints why
 * and returns false when it has none. */
bool cli_resolve_pid(const char *spec, char *url, size_t urlsz);
extern const char usage_capture[];
extern const char usage_watch[];
extern const char usage_history[];
extern const char usage_web[];
extern const char usage_leaks[];
extern const char usage_diff[];
extern const char usage_analyze[];
extern const char usage_convert[];
extern const char usage_help[];

#endif
