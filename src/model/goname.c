/* goname.c: see goname.h. */
#include "../base/common.h"
#include "goname.h"

bool goname_is_stdlib(const char *name, size_t n)
{
	const char *slash = memchr(name, '/', n);
	if (slash)
		return memchr(name, '.', (size_t)(slash - name)) == NULL;
	const char *dot = memchr(name, '.', n);
	if (!dot)
		return true; /* "panic", or gccgo's "main" */
	return !(n >= 5 && memcmp(name, "main.", 5) == 0);
}
