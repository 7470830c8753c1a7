/* signals.c: see cli_on_signal in cli.h. */
#include "../base/common.h"
#include "cli.h"

#include <signal.h>

void cli_on_signal(int sig, void (*handler)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = handler;
	sigaction(sig, &sa, NULL);
}
