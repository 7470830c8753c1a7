/* curl_lib.h: the libcurl functions goroscope calls, loaded on first use
 * (see base/dynlib.h for why). Inside src/fetch only.
 *
 * Call them through the table: curl_lib.easy_perform(h); set options with
 * the typed setters below: EASY_SET_TEXT(h, CURLOPT_URL, url).
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

/* Typed option setters: use these, not easy_setopt and multi_setopt.
 * Those are variadic, so a value must have exactly the type the option
 * takes (a long, not an int; a curl_off_t for sizes), and the macro of
 * <curl/curl.h> that checks it does not reach calls through the table.
 * Each setter takes one type, and an option of another type does not
 * compile (libcurl numbers options by type, 10000 apart). */
#define CURL_OPTION_IS(opt, type) ((void)sizeof(char[(opt) >= (type) && (opt) < (type) + 10000 ? 1 : -1]))
#define EASY_SET_LONG(h, opt, v) (CURL_OPTION_IS(opt, CURLOPTTYPE_LONG), easy_set_long((h), (opt), (v)))
#define EASY_SET_TEXT(h, opt, v) (CURL_OPTION_IS(opt, CURLOPTTYPE_STRINGPOINT), easy_set_text((h), (opt), (v)))
#define EASY_SET_PTR(h, opt, v) (CURL_OPTION_IS(opt, CURLOPTTYPE_OBJECTPOINT), easy_set_ptr((h), (opt), (v)))
#define EASY_SET_OFF(h, opt, v) (CURL_OPTION_IS(opt, CURLOPTTYPE_OFF_T), easy_set_off((h), (opt), (v)))
#define MULTI_SET_LONG(m, opt, v) (CURL_OPTION_IS(opt, CURLOPTTYPE_LONG), multi_set_long((m), (opt), (v)))
#define MULTI_SET_PTR(m, opt, v) (CURL_OPTION_IS(opt, CURLOPTTYPE_OBJECTPOINT), multi_set_ptr((m), (opt), (v)))

static inline CURLcode easy_set_long(CURL *h, CURLoption opt, long v)
{
	return curl_lib.easy_setopt(h, opt, v);
}
static inline CURLcode easy_set_text(CURL *h, CURLoption opt, const char *v)
{
	return curl_lib.easy_setopt(h, opt, v);
}
static inline CURLcode easy_set_ptr(CURL *h, CURLoption opt, void *v)
{
	return curl_lib.easy_setopt(h, opt, v);
}
static inline CURLcode easy_set_off(CURL *h, CURLoption opt, curl_off_t v)
{
	return curl_lib.easy_setopt(h, opt, v);
}
static inline CURLcode easy_set_writer(CURL *h, curl_write_callback f)
{
	return curl_lib.easy_setopt(h, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLMcode multi_set_long(CURLM *m, CURLMoption opt, long v)
{
	return curl_lib.multi_setopt(m, opt, v);
}
static inline CURLMcode multi_set_ptr(CURLM *m, CURLMoption opt, void *v)
{
	return curl_lib.multi_setopt(m, opt, v);
}
static inline CURLMcode multi_set_socket_callback(CURLM *m, curl_socket_callback f)
{
	return curl_lib.multi_setopt(m, CURLMOPT_SOCKETFUNCTION, f);
}
static inline CURLMcode multi_set_timer_callback(CURLM *m, curl_multi_timer_callback f)
{
	return curl_lib.multi_setopt(m, CURLMOPT_TIMERFUNCTION, f);
}

#endif
