/* goname.h: facts about Go symbol names as printed in tracebacks. */
#ifndef GOROSCOPE_GONAME_H
#define GOROSCOPE_GONAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/strtab.h"

/* Is the function part of Go's standard library (or the runtime)? Module
 * paths start with a domain ("github.com/x/y.F"); the standard library's
 * first path element has no dot ("net/http.F", "sync.(*Mutex).Lock");
 * package main is the program. */
bool goname_is_stdlib(const char *name, size_t n);

/* The linker escapes a package path's dots, percent signs and quotes in its
 * last element ("gopkg.in/natefinch/lumberjack%2ev2.(*Logger).Write"):
 * shown as Go writes the import path ("lumberjack.v2"). Decodes each %XX
 * of name[0..n) into out (n bytes at least); returns the length. A '%' not
 * followed by two hex digits is kept. */
size_t goname_unescape(const char *name, size_t n, char *out);

/* Intern a function name, unescaped when it has a '%'. h: the interner's
 * hash of the raw bytes (hash_bytes(name, n, 0)), used when nothing
 * changes. */
uint32_t goname_intern(struct strtab *t, const char *name, size_t n, uint64_t h);

#endif
