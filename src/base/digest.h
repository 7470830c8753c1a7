/* digest.h: SHA-256 of a block of memory, as lowercase hex (capture
 * manifests). The only file that includes OpenSSL's headers. */
#ifndef GOROSCOPE_DIGEST_H
#define GOROSCOPE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Write the SHA-256 of n bytes at p into hex (65 bytes: 64 digits and a
 * NUL). False, with err saying why, when libcrypto (loaded on first use)
 * is missing. */
bool digest_sha256_hex(const void *p, size_t n, char hex[65], struct err *err);
/* The same for the file at path (mapped, not read into memory), and its
 * size in *size. False, with err saying why, when it cannot be read. */
bool digest_sha256_file_hex(const char *path, char hex[65], size_t *size, struct err *err);

#endif
