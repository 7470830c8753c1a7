/* libFuzzer target: the pprof protobuf reader on arbitrary bytes (and,
 * through parse_mem, gzip when the bytes are gzip), then every analysis and
 * report. */
#include "../src/base/common.h"
#include "../src/parse/parse.h"
#include "../src/parse/pprof.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapset set;
	snapset_init(&set);
	struct err err;
	const char *p = (const char *)data;
	/* odd sizes read under a small memory budget: the paths that give up
	 * midway must free what they built */
	struct budget b = {.bytes = 64 << 10, .check_every = 1};
	budget_start(&b);
	struct tb_options o;
	tb_options_default(&o);
	o.budget = size % 2 ? &b : NULL;
	if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b)
		parse_mem(p, size, FMT_GZIP, "fuzz", &o, &set, NULL, &err);
	else
		pprof_parse(p, size, "fuzz", PROF_CONTENTION, o.budget, &set, &err);
	analyse_all(&set);
	snapset_free(&set);
	/* generic-shape elision never grows a name */
	char out[256];
	size_t n = size < sizeof(out) ? size : sizeof(out);
	if (pprof_elide_shapes(p, n, out) > n)
		abort();
	return 0;
}
