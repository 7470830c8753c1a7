/* libFuzzer target: the single-line parsers of tb_line.c on arbitrary bytes,
 * with invariants: every view they return lies inside the input. */
#include "../src/base/common.h"
#include "../src/parse/tb_line.h"

#include <stdlib.h>

static void inside(struct slice s, const char *p, size_t n)
{
	if (s.n && (s.p < p || s.p + s.n > p + n))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct tb_header h;
	if (tb_parse_header(p, size, &h)) {
		inside(h.state, p, size);
		for (uint32_t i = 0; i < h.nlabels; i++) {
			inside(h.labels[i].key, p, size);
			inside(h.labels[i].val, p, size);
			char out[64];
			if (tb_unquote(h.labels[i].val, h.labels[i].val_quoted, out, sizeof(out)) > sizeof(out))
				abort();
		}
	}
	struct tb_func f;
	if (tb_parse_func(p, size, &f)) {
		inside(f.name, p, size);
		inside(f.args, p, size);
		uint64_t v;
		tb_first_arg_word(f.args, &v);
	}
	struct tb_file fl;
	if (tb_parse_file(p, size, &fl))
		inside(fl.file, p, size);
	struct tb_created c;
	if (tb_parse_created(p, size, &c))
		inside(c.func, p, size);
	return 0;
}
