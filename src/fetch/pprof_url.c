/* pprof_url.c: see pprof_url.h. */
#include "../base/common.h"
#include "pprof_url.h"

#include <limits.h>
#include <stdio.h>

bool pprof_url_is_endpoint(const char *u)
{
	return strstr(u, "/debug/pprof/") != NULL;
}

bool pprof_url(char *out, size_t outsz, const char *base, const char *endpoint)
{
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	int w = n > (size_t)INT_MAX ? -1 : snprintf(out, outsz, "%.*s/debug/pprof/%s", (int)n, base, endpoint);
	if (w < 0 || (size_t)w >= outsz) {
		if (outsz)
			out[0] = '\0';
		return false;
	}
	return true;
}

const char *pprof_goroutine_endpoint(enum pprof_encoding e)
{
	switch (e) {
	case PPROF_DEBUG1: return "goroutine?debug=1";
	case PPROF_PROTOBUF: return "goroutine";
	case PPROF_DEBUG2: break;
	}
	return "goroutine?debug=2";
}
