/* main.c: goroscope's entry point: the table of subcommands and the global
 * options (--help, --version). Each subcommand lives in cmd_<name>.c. */
#include "../base/common.h"
#include "cli.h"

#include <signal.h>
#include <stdio.h>

const struct command commands[] = {
	{"analyze", "group and explain a goroutine dump or profile (any Go format)", cmd_analyze, usage_analyze},
	{"leaks", "name the goroutines that leak, from snapshots in time order", cmd_leaks, usage_leaks},
	{"contention", "rank contention sites of block and mutex profiles, idle waiting apart", cmd_contention,
	 usage_contention},
	{"schedtrace", "summarise GODEBUG=schedtrace output: run queues, threads, idle Ps", cmd_schedtrace,
	 usage_schedtrace},
	{"capture", "save a live service's goroutine, block, mutex profiles and a manifest", cmd_capture, usage_capture},
	{"watch", "watch many services: poll, store, alert on leaks, capture the evidence", cmd_watch, usage_watch},
	{"history", "show what watch stored: series, groups, alerts (also as an HTML page)", cmd_history, usage_history},
	{"web", "browse every view (groups, diff, leaks, contention, history) on 127.0.0.1", cmd_web, usage_web},
	{"ps", "list local Go processes, their Go version and pprof ports", cmd_ps, usage_ps},
	{"diff", "what changed between two snapshots: groups new, gone, grown, shrunk", cmd_diff, usage_diff},
	{"convert", "write a dump or profile as pprof protobuf, JSON or folded stacks", cmd_convert, usage_convert},
	{"help", "show help for goroscope or for a command", cmd_help, usage_help},
};
const size_t ncommands = ARRAY_LEN(commands);

static void print_main_usage(FILE *f)
{
	fprintf(f, "usage: goroscope COMMAND [options] [args]\n"
		   "       goroscope --version | --help\n\n"
		   "goroscope finds goroutine leaks in Go services: it reads what the Go runtime\n"
		   "prints (tracebacks, crash and SIGQUIT dumps, debug=2 output, debug=1 and\n"
		   "protobuf profiles) and explains it.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < ncommands; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nRun 'goroscope help COMMAND' or 'goroscope COMMAND --help' for details.\n"
		   "Exit status: 0 ok, 1 findings (when asked with --fail-on-...), 2 usage or input error.\n");
}

int cmd_help(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		print_main_usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ncommands; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			cli_print_usage(commands[i].usage);
			return EXIT_OK;
		}
	}
	cli_error("no such command '%s' (see 'goroscope help')", argv[1]);
	return EXIT_ERROR;
}

const char usage_help[] = "usage: goroscope help [COMMAND]\n\nShow the list of commands, or one command's options.\n";

int main(int argc, char **argv)
{
	/* Output to a closed pipe (| head) is an ordinary end, not a crash. */
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		print_main_usage(stderr);
		return EXIT_ERROR;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V") || !strcmp(cmd, "version")) {
		printf("goroscope %s\n", GOROSCOPE_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		print_main_usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ncommands; i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	cli_error("unknown command '%s' (see 'goroscope help')", cmd);
	return EXIT_ERROR;
}
