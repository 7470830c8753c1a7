/* capture_dir.c: see capture_dir.h. */
#include "../base/common.h"
#include "capture_dir.h"

#include <stdio.h>
#include <sys/stat.h>

/* dir/name into out when it exists and is not empty; false otherwise (out
 * is then ""). *too_long is set when the path does not fit. */
static bool present(const char *dir, const char *name, char *out, bool *too_long)
{
	int w = snprintf(out, CAPTURE_PATH_MAX, "%s/%s", dir, name);
	struct stat sb;
	if (w < 0 || w >= CAPTURE_PATH_MAX) {
		*too_long = true;
		out[0] = '\0';
		return false;
	}
	if (stat(out, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size == 0) {
		out[0] = '\0';
		return false;
	}
	return true;
}

enum status capture_dir_files(const char *dir, struct capture_files *out, struct err *err)
{
	static const char *const best_first[] = {CAPTURE_GOROUTINE_DEBUG2, CAPTURE_GOROUTINE_PB,
						 CAPTURE_GOROUTINE_DEBUG1};
	bool too_long = false;
	char manifest[CAPTURE_PATH_MAX];
	bool is_capture = present(dir, CAPTURE_MANIFEST, manifest, &too_long);
	if (too_long)
		return err_set(err, ST_LIMIT, 0, 0, "'%.200s...': path too long", dir);
	if (!is_capture)
		return err_set(err, ST_NOTFOUND, 0, 0,
			       "'%s' is a directory, not a dump file (nor a goroscope capture: no " CAPTURE_MANIFEST ")",
			       dir);
	out->goroutine[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(best_first) && !out->goroutine[0]; i++)
		present(dir, best_first[i], out->goroutine, &too_long);
	present(dir, CAPTURE_BLOCK, out->block, &too_long);
	present(dir, CAPTURE_MUTEX, out->mutex, &too_long);
	return ST_OK;
}
