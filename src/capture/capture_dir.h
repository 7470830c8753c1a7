/* capture_dir.h: the layout of a capture directory (what capture.c writes)
 * and how it is read back: which file stands for the goroutines, and which
 * hold the block and mutex profiles. Reads names, sizes and the files'
 * checksums; the contents are the input seam's (source/) to parse. Prints
 * nothing. */
#ifndef GOROSCOPE_CAPTURE_DIR_H
#define GOROSCOPE_CAPTURE_DIR_H

#include <stdint.h>

#include "../base/err.h"

/* The files' names, as written. */
#define CAPTURE_MANIFEST "manifest.json"
#define CAPTURE_GOROUTINE_PB "goroutine.pb.gz"
#define CAPTURE_GOROUTINE_DEBUG1 "goroutine.debug1.txt"
#define CAPTURE_GOROUTINE_DEBUG2 "goroutine.debug2.txt"
#define CAPTURE_BLOCK "block.pb.gz"
#define CAPTURE_MUTEX "mutex.pb.gz"
#define CAPTURE_GOROUTINELEAK "goroutineleak.pb.gz"

enum { CAPTURE_PATH_MAX = 4096 };

/* The files of one capture directory, as paths; "" for one that is absent
 * or empty; and when each was fetched (Unix ns; the capture's start when
 * the manifest does not say, 0 when it says neither). */
struct capture_files {
	char goroutine[CAPTURE_PATH_MAX]; /* the most detailed goroutine profile: debug=2, protobuf, debug=1 */
	char block[CAPTURE_PATH_MAX];
	char mutex[CAPTURE_PATH_MAX];
	int64_t goroutine_ns, block_ns, mutex_ns;
};

/* Look into dir. ST_NOTFOUND when it has no manifest.json (a directory, but
 * not a capture), ST_LIMIT when a path would not fit; err says which. A
 * capture without any goroutine profile is ST_OK with goroutine "": the
 * caller decides whether the block and mutex profiles are enough. The
 * manifest is read for the times and checksums (at most 1 MiB; a manifest
 * that does not read gives no times, not an error: the profiles are the
 * evidence). A file chosen whose SHA-256 is not the manifest's is
 * ST_FORMAT, naming it: changed or damaged evidence is not read as such. */
enum status capture_dir_files(const char *dir, struct capture_files *out, struct err *err);

#endif
