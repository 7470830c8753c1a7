/* cli.h: what the subcommands share: the command table entry type, exit
 * codes, input loading and error printing. Only cli/ prints and exits. */
#ifndef GOROSCOPE_CLI_H
#define GOROSCOPE_CLI_H

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

/* Read every input (files, or "-" for stdin; none = stdin) and append the
 * snapshots found to set. On an input that cannot be read or holds no
 * goroutine dump, prints why and returns false. quiet suppresses warnings. */
bool cli_load_inputs(int n, char **paths, struct snapset *set, bool quiet);

/* Write all bytes to stdout; false on error (e.g. EPIPE). */
bool cli_write_stdout(const char *p, size_t n);

int cmd_analyze(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_leaks(int argc, char **argv);
extern const char usage_leaks[];
extern const char usage_diff[];
extern const char usage_analyze[];
extern const char usage_convert[];
extern const char usage_help[];

#endif
