/* libFuzzer target: the whole text path, bytes -> snapshots -> analysis ->
 * every report. The input goes through the in-memory reader, the streaming
 * reader with a tiny buffer (so refills and pinning are hit), and the
 * in-memory reader without replay of learnt stacks (tb_replay.c): all must
 * agree, the last one byte for byte in the JSON report. */
#include "../src/base/common.h"
#include "../src/analyze/group.h"
#include "../src/parse/traceback.h"
#include "../src/report/report.h"
#include "fuzz_common.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Every snapshot's JSON report, with all goroutine ids. */
static void json_of(struct snapset *set, struct buf *b)
{
	struct group_options o;
	group_options_default(&o);
	o.include_system = true;
	report_json_begin(b, "fuzz");
	for (uint32_t i = 0; i < set->n; i++) {
		struct analysis a;
		analysis_run(set->v[i], &o, &a);
		report_json_snapshot(b, &a, i == 0, true);
		analysis_free(&a);
	}
	report_json_end(b, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tb_options opt;
	tb_options_default(&opt);
	opt.max_line = 512;
	opt.max_frames = 64;
	struct snapset a, b;
	snapset_init(&a);
	snapset_init(&b);
	struct err err;
	traceback_parse_mem((const char *)data, size, "fuzz", &opt, &a, NULL, &err);
	analyse_all(&a);

	int fd = memfd_create("fuzz", 0);
	if (fd >= 0) {
		if (write(fd, data, size) == (ssize_t)size && lseek(fd, 0, SEEK_SET) == 0) {
			opt.buffer_size = 2048;
			traceback_parse_fd(fd, NULL, 0, "fuzz", &opt, &b, NULL, &err);
			if (a.n != b.n)
				abort();
			for (uint32_t i = 0; i < a.n; i++)
				if (a.v[i]->ngoroutines != b.v[i]->ngoroutines || a.v[i]->nstacks != b.v[i]->nstacks)
					abort();
		}
		close(fd);
	}
	struct snapset c;
	snapset_init(&c);
	opt.buffer_size = 0;
	opt.replay = false;
	traceback_parse_mem((const char *)data, size, "fuzz", &opt, &c, NULL, &err);
	struct buf ja, jc;
	buf_init(&ja);
	buf_init(&jc);
	json_of(&a, &ja);
	json_of(&c, &jc);
	if (ja.len != jc.len || memcmp(ja.p, jc.p, ja.len) != 0)
		abort(); /* replay changed the result */
	buf_free(&ja);
	buf_free(&jc);
	snapset_free(&a);
	snapset_free(&b);
	snapset_free(&c);
	return 0;
}
