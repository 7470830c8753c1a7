/* err.c: see err.h. */
#include "common.h"
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

enum status err_set(struct err *e, enum status code, uint64_t line, uint64_t offset,
		    const char *fmt, ...)
{
	if (!e)
		return code;
	e->code = code;
	e->line = line;
	e->offset = offset;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void err_quote(char *out, size_t outsz, const char *s, size_t n, size_t max)
{
	size_t o = 0;
	if (outsz < 8) {
		if (outsz)
			out[0] = '\0';
		return;
	}
	out[o++] = '"';
	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (o + 6 >= outsz)
			break;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			out[o++] = (char)c;
		} else {
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
		}
	}
	if (n > max && o + 5 < outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
}
