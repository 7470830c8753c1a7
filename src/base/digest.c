/* digest.c: see digest.h. */
#include "common.h"
#include "digest.h"
#include "map_guard.h"
#include "dynlib.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

/* libcrypto, loaded on first use (see dynlib.h). */
static struct {
	__typeof__(EVP_Digest) *digest;
	__typeof__(EVP_sha256) *sha256;
} crypto;

static const char *const crypto_names[] = {"EVP_Digest", "EVP_sha256"};

static void crypto_fill(void *const addrs[])
{
	memcpy(&crypto.digest, &addrs[0], sizeof(void *));
	memcpy(&crypto.sha256, &addrs[1], sizeof(void *));
}

static struct dynlib crypto_lib = DYNLIB_INIT("libcrypto.so.3", "libssl3", crypto_names, crypto_fill);

bool digest_sha256_hex(const void *p, size_t n, char hex[65], struct err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (!dynlib_load(&crypto_lib, err))
		return false;
	if (!crypto.digest(p, n, md, &len, crypto.sha256(), NULL) || len != 32) {
		err_set(err, ST_IO, 0, 0, "SHA-256 failed in libcrypto");
		return false;
	}
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return true;
}

bool digest_sha256_file_hex(const char *path, char hex[65], size_t *size, struct err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0) {
		err_set(err, ST_IO, 0, 0, "cannot read '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	*size = (size_t)sb.st_size;
	void *p = *size ? mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (*size && p == MAP_FAILED) {
		err_set(err, ST_IO, 0, 0, "cannot map '%s': %s", path, strerror(errno));
		return false;
	}
	int guard = *size ? map_guard_begin(p, *size) : -1;
	bool ok = digest_sha256_hex(*size ? p : "", *size, hex, err);
	if (map_guard_end(guard)) { /* the file shrank under the mapping */
		err_set(err, ST_IO, 0, 0, "'%s' changed while its checksum was computed", path);
		ok = false;
	}
	if (*size)
		munmap(p, *size);
	return ok;
}
