/* libFuzzer target: the GODEBUG=schedtrace reader on arbitrary bytes, then
 * both renderings of its summary. */
#include "../src/base/common.h"
#include "../src/parse/schedtrace.h"
#include "../src/report/report.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sched_trace t;
	sched_parse((const char *)data, size, &t);
	for (uint32_t i = 0; i < t.n; i++)
		if (t.v[i].line == 0 || t.v[i].line > t.lines)
			abort(); /* every record names a line of the input */
	struct buf b;
	buf_init(&b);
	report_sched_text(&b, &t, true);
	report_sched_json(&b, &t);
	buf_free(&b);
	sched_free(&t);
	return 0;
}
