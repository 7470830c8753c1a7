/* goname.c: see goname.h. */
#include "../base/common.h"
#include "goname.h"
#include "../base/bytes.h"
#include "../base/xalloc.h"

#include <stdlib.h>

bool goname_is_stdlib(const char *name, size_t n)
{
	const char *slash = bytes_chr(name, n, '/');
	if (slash)
		return bytes_chr(name, (size_t)(slash - name), '.') == NULL;
	const char *dot = bytes_chr(name, n, '.');
	if (!dot)
		return true; /* "panic", or gccgo's "main" */
	return !(n >= 5 && memcmp(name, "main.", 5) == 0);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

size_t goname_unescape(const char *name, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (name[i] == '%' && i + 2 < n && (hi = hex_value(name[i + 1])) >= 0 &&
		    (lo = hex_value(name[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = name[i];
		}
	}
	return o;
}

uint32_t goname_intern(struct strtab *t, const char *name, size_t n, uint64_t h)
{
	if (!memchr(name, '%', n))
		return strtab_intern_hashed(t, name, n, h);
	char stack_buf[512] = {0}; /* initialised: keeps -Wmaybe-uninitialized quiet under LTO */
	char *out = n <= sizeof(stack_buf) ? stack_buf : xmalloc(n);
	size_t len = goname_unescape(name, n, out);
	uint32_t id = strtab_intern(t, out, len);
	if (out != stack_buf)
		free(out);
	return id;
}
