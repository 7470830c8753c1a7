/* file_reader.h: how to read a large regular file holding a text dump:
 * through its mapping or with pread into a small buffer per thread. Both
 * give the same snapshots byte for byte (the traceback reader takes either,
 * tb_parallel.c); what differs is the cost, and it depends on how the file
 * sits in the page cache:
 *
 *   - a file written in many small writes (the Go runtime writing a crash
 *     dump, a service writing debug=2 to disk) sits in 4 KiB pages: every
 *     16 pages of a mapping cost a page fault, and copying with pread is
 *     cheaper;
 *   - a file read back after being evicted sits in large folios, which a
 *     fault maps many pages at a time: then the mapping is cheaper;
 *   - a file not in the cache at all is read from the disk either way:
 *     pread in big parts, which never waits on a fault.
 *
 * The choice is made from what can be measured in well under a millisecond
 * (0.3 to 0.5 ms): the share of the file in the cache (mincore, over 32
 * windows of 32 pages spread over a big file), and the cost of touching
 * 256 KiB of the mapping against reading as many bytes with pread (the
 * same moment, the same machine: no absolute threshold).
 * GOROSCOPE_READER=map or =read forces one (tests read every input both
 * ways; benchmarks compare them). Small files are always mapped. */
#ifndef GOROSCOPE_FILE_READER_H
#define GOROSCOPE_FILE_READER_H

#include <stdbool.h>
#include <stddef.h>

enum file_reader { FILE_READER_MAP, FILE_READER_PREAD };

/* Files below this are mapped: the probe would cost more than it saves. */
enum { FILE_READER_PROBE_MIN = 32 << 20 };

/* The reader for the size bytes of fd, mapped (read-only) at map. */
enum file_reader file_reader_choose(int fd, const char *map, size_t size);
const char *file_reader_name(enum file_reader r);

#endif
