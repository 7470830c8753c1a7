/* dynlib.h: shared libraries loaded when first used, not at start.
 *
 * Why: linking libcurl brings in some thirty libraries (TLS, Kerberos,
 * LDAP, IDN...) and libmicrohttpd brings GnuTLS; loading them costs about
 * 9 ms at every start, more than reading a 10,000-goroutine dump. Commands
 * that never touch the network should not pay for it, and a host without
 * those libraries can still analyse files.
 *
 * A module that needs such a library describes it with a struct dynlib
 * (its soname, the Debian package that ships it, the functions wanted and a
 * callback that stores their addresses in the module's typed table) and
 * calls dynlib_load before each use; only the first call does the work.
 *
 * Built with -DGOROSCOPE_LINKED (make DLOPEN=0), the libraries are linked
 * as usual and the same calls find the symbols in the program itself: one
 * code path, and packaging tools see the dependencies in the ELF file. */
#ifndef GOROSCOPE_DYNLIB_H
#define GOROSCOPE_DYNLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct dynlib {
	const char *soname;        /* e.g. "libcurl.so.4" */
	const char *package;       /* the Debian package that ships it, for the message */
	const char *const *names;  /* the symbols wanted */
	size_t n;
	/* Called once, with the n addresses in the order of names, when all
	 * were found. */
	void (*fill)(void *const addrs[]);
	/* private */
	pthread_mutex_t lock;
	bool tried, ok;
	struct err err;
};

#define DYNLIB_INIT(soname, package, names, fill) \
	{ (soname), (package), (names), sizeof(names) / sizeof((names)[0]), (fill), PTHREAD_MUTEX_INITIALIZER, false, false, { 0 } }

/* Load lib once (thread-safe). True when every symbol was found and fill
 * has run; false, with err naming the library, the package to install and
 * the loader's reason, otherwise (and on every later call). */
bool dynlib_load(struct dynlib *lib, struct err *err);

#endif
