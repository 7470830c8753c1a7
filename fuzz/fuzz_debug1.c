/* libFuzzer target: the debug=1 profile reader (count and block/mutex
 * profiles) on arbitrary bytes, then every analysis and report. */
#include "../src/base/common.h"
#include "../src/parse/debug1.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapset set;
	snapset_init(&set);
	struct err err;
	/* odd sizes read under a small memory budget, checked at every line:
	 * giving up midway must free what was built */
	struct budget b = {.bytes = 16 << 10, .check_every = 1};
	budget_start(&b);
	debug1_parse((const char *)data, size, "fuzz", size % 2 ? &b : NULL, false, &set, &err);
	analyse_all(&set);
	snapset_free(&set);
	return 0;
}
