/* main.c: goroscope's entry point: the list of commands (each declared in
 * its cmd_<name>.c as a struct cli_command, see opt.h), `goroscope help`,
 * and the global options (--help, --version). */
#include "../base/common.h"
#include "cli.h"

#include <signal.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>

const struct cli_command *const cli_commands[] = {
	&command_analyze, &command_leaks,   &command_contention, &command_schedtrace, &command_capture,
	&command_watch,   &command_history, &command_web,        &command_ps,         &command_diff,
	&command_convert, &command_completion, &command_help,
};
const size_t cli_ncommands = ARRAY_LEN(cli_commands);

static void print_main_usage(FILE *f)
{
	fprintf(f, "usage: goroscope COMMAND [options] [args]\n"
		   "       goroscope --version | --help\n\n"
		   "goroscope finds goroutine leaks in Go services: it reads what the Go runtime\n"
		   "prints (tracebacks, crash and SIGQUIT dumps, debug=2 output, debug=1 and\n"
		   "protobuf profiles) and explains it.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < cli_ncommands; i++)
		fprintf(f, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fprintf(f, "\nRun 'goroscope help COMMAND' or 'goroscope COMMAND --help' for details.\n"
		   "Exit status: 0 ok, 1 findings (when asked with --fail-on-...), 2 usage or input error.\n");
}

static int run_help(int argc, char **argv)
{
	int n;
	int rc = cli_parse_or_exit(&command_help, argc, argv, NULL, &n);
	if (rc >= 0)
		return rc;
	if (n == 0) {
		print_main_usage(stdout);
		return EXIT_OK;
	}
	const struct cli_command *c = n == 1 ? cli_find_command(argv[0]) : NULL;
	if (!c) {
		cli_error(n == 1 ? "no such command '%s' (see 'goroscope help')" : "help takes one command (got '%s' and more)",
			  argv[0]);
		return EXIT_ERROR;
	}
	cli_print_help(c, stdout);
	return EXIT_OK;
}

static const struct opt_use no_options[] = {{NULL, 0, NULL}};

const struct cli_command command_help = {
	.name = "help",
	.summary = "show help for goroscope or for a command",
	.synopsis = "usage: goroscope help [COMMAND]",
	.description = "Show the list of commands, or one command's options.\n",
	.uses = no_options,
	.words = WORDS_COMMANDS,
	.run = run_help,
};

int main(int argc, char **argv)
{
	/* Output to a closed pipe (| head) is an ordinary end, not a crash. */
	signal(SIGPIPE, SIG_IGN);
#ifdef __GLIBC__
	/* Blocks from 128 KiB on are mapped and handed back when freed. Left
	 * to itself glibc raises that bound to the size of each mapped block
	 * freed, so the next temporaries of that size come from the heap and
	 * stay resident after their free: 13 MB more at the peak of a profile
	 * of 267k stacks (docs/internals/memory.md). */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
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
	const struct cli_command *c = cli_find_command(cmd);
	if (c)
		return c->run(argc - 1, argv + 1);
	cli_error("unknown command '%s' (see 'goroscope help')", cmd);
	return EXIT_ERROR;
}
