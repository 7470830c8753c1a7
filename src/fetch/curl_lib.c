/* curl_lib.c: see curl_lib.h. */
#include "../base/common.h"
#include "curl_lib.h"
#include "../base/dynlib.h"

#include <string.h>

struct curl_lib curl_lib;

#define CURL_LIB_NAME(name) "curl_" #name,
static const char *const names[] = {CURL_LIB_FUNCTIONS(CURL_LIB_NAME)};
#undef CURL_LIB_NAME

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym addresses must fit function pointers");

static void fill(void *const addrs[])
{
	size_t i = 0;
#define CURL_LIB_SET(name) memcpy(&curl_lib.name, &addrs[i++], sizeof(void *));
	CURL_LIB_FUNCTIONS(CURL_LIB_SET)
#undef CURL_LIB_SET
	/* Here, once, under dynlib's lock: curl_global_init is not thread-safe. */
	if (curl_lib.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		curl_lib.global_init = NULL;
}

static struct dynlib lib = DYNLIB_INIT("libcurl.so.4", "libcurl4", names, fill);

bool curl_lib_load(struct err *err)
{
	if (!dynlib_load(&lib, err))
		return false;
	if (!curl_lib.global_init) {
		err_set(err, ST_IO, 0, 0, "libcurl could not start (curl_global_init failed)");
		return false;
	}
	return true;
}
