/* curl_lib.h: the libcurl functions goroscope calls, loaded on first use
 * (see base/dynlib.h for why). Inside src/fetch only.
 *
 * Call them through the table: curl_lib.easy_setopt(h, CURLOPT_URL, url).
 * The fields drop the "curl_" prefix because <curl/curl.h> defines some
 * names (curl_easy_setopt...) as type-checking macros. */
#ifndef GOROSCOPE_CURL_LIB_H
#define GOROSCOPE_CURL_LIB_H

#include <curl/curl.h>
#include <stdbool.h>

#include "../base/err.h"

#define CURL_LIB_FUNCTIONS(X) \
	X(global_init)        \
	X(easy_init)          \
	X(easy_reset)         \
	X(easy_setopt)        \
	X(easy_perform)       \
	X(easy_getinfo)       \
	X(easy_cleanup)       \
	X(easy_strerror)      \
	X(multi_init)         \
	X(multi_setopt)       \
	X(multi_add_handle)   \
	X(multi_remove_handle) \
	X(multi_socket_action) \
	X(multi_info_read)    \
	X(multi_cleanup)      \
	X(slist_append)       \
	X(slist_free_all)

struct curl_lib {
#define CURL_LIB_FIELD(name) __typeof__(curl_##name) *name;
	CURL_LIB_FUNCTIONS(CURL_LIB_FIELD)
#undef CURL_LIB_FIELD
};

/* Filled by curl_lib_load; read-only afterwards. */
extern struct curl_lib curl_lib;

/* Load libcurl once and call curl_global_init. False, with err saying
 * why, when the library is missing or cannot start. Thread-safe. */
bool curl_lib_load(struct err *err);

#endif
