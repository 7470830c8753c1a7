/* goname.h: facts about Go symbol names as printed in tracebacks. */
#ifndef GOROSCOPE_GONAME_H
#define GOROSCOPE_GONAME_H

#include <stdbool.h>
#include <stddef.h>

/* Is the function part of Go's standard library (or the runtime)? Module
 * paths start with a domain ("github.com/x/y.F"); the standard library's
 * first path element has no dot ("net/http.F", "sync.(*Mutex).Lock");
 * package main is the program. */
bool goname_is_stdlib(const char *name, size_t n);

#endif
