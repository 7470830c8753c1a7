/* capture_dir.c: see capture_dir.h. The manifest is JSON that capture.c
 * wrote, but a directory given as input may come from anywhere: it is read
 * with jansson, bounded, and only numbers and checksums are taken from it. */
#include "../base/common.h"
#include "capture_dir.h"
#include "../base/digest.h"

#include <jansson.h>
#include <stdio.h>
#include <sys/stat.h>

enum { MANIFEST_MAX = 1 << 20 };

/* What the manifest says of one file: its SHA-256 ("" when it says none). */
struct file_sum {
	const char *path; /* the file chosen, "" for none */
	char sha256[65];
};

static void take_sum(struct file_sum *sums, size_t n, const char *name, json_t *f)
{
	const char *hex = json_string_value(json_object_get(f, "sha256"));
	for (size_t k = 0; k < n; k++) {
		const char *slash = strrchr(sums[k].path, '/');
		if (hex && slash && !strcmp(slash + 1, name) && strlen(hex) == 64)
			memcpy(sums[k].sha256, hex, 65);
	}
}

/* The manifest's times (started_ns, and each file's fetched_ns by name)
 * and the checksums of the files chosen. */
static void read_manifest(const char *manifest, struct capture_files *out, struct file_sum *sums, size_t nsums)
{
	struct stat sb;
	if (stat(manifest, &sb) != 0 || sb.st_size > MANIFEST_MAX)
		return;
	json_t *m = json_load_file(manifest, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(m)) {
		json_decref(m);
		return;
	}
	json_t *started = json_object_get(m, "started_ns");
	int64_t start = json_is_integer(started) && json_integer_value(started) > 0 ? json_integer_value(started) : 0;
	out->goroutine_ns = out->block_ns = out->mutex_ns = start;
	json_t *files = json_object_get(m, "files");
	size_t i;
	json_t *f;
	json_array_foreach(files, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		if (name)
			take_sum(sums, nsums, name, f);
		json_t *t = json_object_get(f, "fetched_ns");
		if (!name || !json_is_integer(t) || json_integer_value(t) <= 0)
			continue;
		int64_t ns = json_integer_value(t);
		const char *path = strrchr(out->goroutine, '/');
		if (path && !strcmp(path + 1, name))
			out->goroutine_ns = ns;
		else if (!strcmp(name, CAPTURE_BLOCK))
			out->block_ns = ns;
		else if (!strcmp(name, CAPTURE_MUTEX))
			out->mutex_ns = ns;
	}
	json_decref(m);
}

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
	out->goroutine_ns = out->block_ns = out->mutex_ns = 0;
	struct file_sum sums[3] = {{out->goroutine, ""}, {out->block, ""}, {out->mutex, ""}};
	read_manifest(manifest, out, sums, ARRAY_LEN(sums));
	/* evidence that changed since it was captured is not read as it */
	for (size_t k = 0; k < ARRAY_LEN(sums); k++) {
		if (!sums[k].path[0] || !sums[k].sha256[0])
			continue;
		char hex[65];
		size_t size;
		struct err derr = {0};
		if (!digest_sha256_file_hex(sums[k].path, hex, &size, &derr))
			return err_set(err, ST_IO, 0, 0, "capture '%s': %s", dir, derr.msg);
		if (strcmp(hex, sums[k].sha256) != 0)
			return err_set(err, ST_FORMAT, 0, 0,
				       "capture '%s': %s does not match the SHA-256 in " CAPTURE_MANIFEST
				       " (changed, cut or damaged since it was captured)",
				       dir, strrchr(sums[k].path, '/') + 1);
	}
	return ST_OK;
}
