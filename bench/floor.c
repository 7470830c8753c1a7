/* floor.c: the least any reader of a dump costs on this machine, for
 * `make bench`. It reads the file exactly as `goroscope analyze` does
 * (mapped, cut into one part per thread, consumed pages handed back every
 * 4 MiB so memory stays flat) and does the smallest useful work on every
 * byte: counting its newlines (as `wc -l` does), 16 bytes at a time. Whatever goroscope takes
 * beyond this is parsing and analysis; whatever this takes beyond `wc -l`
 * is the price of the mapping and the threads.
 *
 * With "read", each thread instead copies its part into a small buffer
 * (16 KiB, which stays in the core's first-level cache) with pread, as `wc -l` does
 * with read: no mapping, no page faults.
 *
 * usage: floor FILE [THREADS [map|read]]   (prints the line count) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

enum { RELEASE_STEP = 4 << 20, READ_CHUNK = 16 << 10, MAX_THREADS = 16 };

struct part {
	const char *base;     /* the mapping, or NULL to read from fd */
	int fd;
	size_t from, to;
	uint64_t lines;
};

/* Newlines in [p, p + n), 16 bytes at a time where SSE2 is there. */
static uint64_t count_newlines(const char *p, size_t n)
{
	uint64_t c = 0;
	size_t i = 0;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n');
	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		c += (uint64_t)__builtin_popcount((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)));
	}
#endif
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}

static void *read_part(struct part *pt)
{
	static __thread char buf[READ_CHUNK];
	for (size_t at = pt->from; at < pt->to; at += READ_CHUNK) {
		size_t want = at + READ_CHUNK < pt->to ? READ_CHUNK : pt->to - at;
		ssize_t got = pread(pt->fd, buf, want, (off_t)at);
		if (got <= 0)
			break;
		pt->lines += count_newlines(buf, (size_t)got);
	}
	return NULL;
}

static void *count_part(void *arg)
{
	struct part *pt = arg;
	if (!pt->base)
		return read_part(pt);
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	size_t released = pt->from;
	for (size_t at = pt->from; at < pt->to; at += RELEASE_STEP) {
		size_t end = at + RELEASE_STEP < pt->to ? at + RELEASE_STEP : pt->to;
		pt->lines += count_newlines(pt->base + at, end - at);
		uintptr_t lo = ((uintptr_t)pt->base + released + page - 1) & ~(page - 1);
		uintptr_t hi = ((uintptr_t)pt->base + end) & ~(page - 1);
		if (hi > lo)
			(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
		released = end;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: floor FILE [THREADS]\n");
		return 2;
	}
	int nthreads = argc > 2 ? atoi(argv[2]) : 2;
	if (nthreads < 1 || nthreads > MAX_THREADS)
		nthreads = 2;
	int fd = open(argv[1], O_RDONLY);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_size <= 0) {
		perror(argv[1]);
		return 2;
	}
	size_t n = (size_t)sb.st_size;
	const char *map = NULL;
	if (argc <= 3 || strcmp(argv[3], "read") != 0) {
		map = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			perror("mmap");
			return 2;
		}
		(void)madvise((void *)map, n, MADV_SEQUENTIAL);
	}
	struct part parts[MAX_THREADS];
	pthread_t tids[MAX_THREADS];
	for (int i = 0; i < nthreads; i++)
		parts[i] = (struct part){map, fd, n / (size_t)nthreads * (size_t)i,
					 i + 1 == nthreads ? n : n / (size_t)nthreads * (size_t)(i + 1), 0};
	for (int i = 1; i < nthreads; i++)
		if (pthread_create(&tids[i], NULL, count_part, &parts[i]) != 0)
			return 2;
	count_part(&parts[0]);
	uint64_t lines = parts[0].lines;
	for (int i = 1; i < nthreads; i++) {
		pthread_join(tids[i], NULL);
		lines += parts[i].lines;
	}
	printf("%llu %s\n", (unsigned long long)lines, argv[1]);
	return 0;
}
