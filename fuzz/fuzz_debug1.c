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
	debug1_parse((const char *)data, size, "fuzz", NULL, &set, &err);
	analyse_all(&set);
	snapset_free(&set);
	return 0;
}
