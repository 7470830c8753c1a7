/* file_reader.c: see file_reader.h. */
#include "../base/common.h"
#include "file_reader.h"
#include "../base/xalloc.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

const char *file_reader_name(enum file_reader r)
{
	return r == FILE_READER_PREAD ? "pread" : "map";
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Residency is sampled: RESIDENCY_WINDOWS windows of RESIDENCY_PAGES
 * pages spread evenly over the file (the whole file when it is smaller).
 * mincore over all of a 1.4 GB file takes some 20 ms, the kernel looking
 * up each of its 350,000 pages; the sample of 1,024 pages (0.1 to 0.2 ms;
 * 4,096 took 0.6 ms the first time) says as well whether most of it is in
 * the cache. */
enum { RESIDENCY_WINDOWS = 32, RESIDENCY_PAGES = 32 };

/* Share of the file's pages in the page cache, 0 to 1. */
static double resident_share(const char *map, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t pages = (size + page - 1) / page;
	size_t windows = pages > RESIDENCY_WINDOWS * RESIDENCY_PAGES ? RESIDENCY_WINDOWS : 1;
	size_t span = windows == 1 ? pages : RESIDENCY_PAGES;
	unsigned char *vec = xmalloc(span);
	size_t in = 0, seen = 0;
	for (size_t w = 0; w < windows; w++) {
		/* window w starts at page w * (pages - span) / (windows - 1) */
		size_t first = windows == 1 ? 0 : w * (pages - span) / (windows - 1);
		size_t len = MIN(span * page, size - first * page);
		if (mincore((void *)(uintptr_t)(map + first * page), len, vec) != 0)
			continue;
		size_t n = (len + page - 1) / page;
		for (size_t i = 0; i < n; i++)
			in += vec[i] & 1;
		seen += n;
	}
	free(vec);
	return seen ? (double)in / (double)seen : 1;
}

/* As many bytes as the pread path reads at a time (linereader.c's range
 * buffer): a probe of each kind costs some 50 to 100 microseconds. */
enum { PROBE_BYTES = 256 << 10 };

/* Nanoseconds to fault in and read PROBE_BYTES of the mapping at off. */
static double touch_cost(const char *map, size_t off)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	volatile const char *p = map + off;
	unsigned sum = 0;
	double t0 = now_ns();
	for (size_t i = 0; i < PROBE_BYTES; i += page)
		sum += (unsigned char)p[i];
	double t = now_ns() - t0;
	(void)sum;
	/* the probe's pages are not kept: the parse maps them again as it goes */
	(void)madvise((void *)(uintptr_t)(map + off), PROBE_BYTES, MADV_DONTNEED);
	return t;
}

/* Nanoseconds to pread PROBE_BYTES at off. */
static double pread_cost(int fd, size_t off, char *buf)
{
	double t0 = now_ns();
	ssize_t got = pread(fd, buf, PROBE_BYTES, (off_t)off);
	double t = now_ns() - t0;
	return got == PROBE_BYTES ? t : -1;
}

enum file_reader file_reader_choose(int fd, const char *map, size_t size)
{
	const char *force = getenv("GOROSCOPE_READER");
	if (force && !strcmp(force, "map"))
		return FILE_READER_MAP;
	if (force && !strcmp(force, "read"))
		return FILE_READER_PREAD;
	if (size < FILE_READER_PROBE_MIN)
		return FILE_READER_MAP;
	/* Mostly on disk: pread reads ahead in big parts, a mapping waits on
	 * each fault. */
	if (resident_share(map, size) < 0.9)
		return FILE_READER_PREAD;
	/* In the cache: compare the two on regions the parse reads anyway
	 * (each measured twice, the cheaper kept, so a stray interruption does
	 * not decide). */
	char *buf = xmalloc(PROBE_BYTES);
	/* the parse reuses its buffer: its first-touch faults are not part
	 * of what pread costs */
	memset(buf, 0, PROBE_BYTES);
	double touch = 1e18, copy = 1e18;
	for (int k = 0; k < 2; k++) {
		size_t a = size / 4 * (size_t)(1 + 2 * k) / 2 & ~(size_t)(PROBE_BYTES - 1);
		size_t b = a + PROBE_BYTES;
		touch = MIN(touch, touch_cost(map, a));
		double c = pread_cost(fd, b, buf);
		if (c >= 0)
			copy = MIN(copy, c);
	}
	free(buf);
	return touch <= copy ? FILE_READER_MAP : FILE_READER_PREAD;
}
