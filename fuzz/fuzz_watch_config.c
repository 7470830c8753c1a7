/* libFuzzer target: the watch configuration reader (YAML), the Alertmanager
 * payload reader (JSON), and the discovery readers (target groups, a
 * Prometheus targets answer) on arbitrary bytes: the inputs the daemon
 * takes from outside. A configuration that reads must also pass or fail its
 * checks cleanly, and every target must have a URL and a name; every
 * discovered target an address and a name. */
#include "../src/base/common.h"
#include "../src/watch/alertmanager.h"
#include "../src/watch/config.h"
#include "../src/watch/discovery.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct watch_config c;
	watch_config_init(&c);
	struct err err = {0};
	if (watch_config_parse(&c, (const char *)data, size, "fuzz.yaml", &err) == ST_OK) {
		for (uint32_t i = 0; i < c.ntargets; i++)
			if (!c.targets[i].url || !c.targets[i].name)
				abort();
		watch_config_check(&c, &err);
	} else if (!err.msg[0]) {
		abort(); /* a failure says why */
	}
	watch_config_free(&c);

	struct am_payload *p = malloc(sizeof(*p));
	if (!p)
		return 0;
	memset(&err, 0, sizeof(err));
	if (am_parse((const char *)data, size, p, &err) == ST_OK) {
		if (p->nfiring > AM_MAX_ALERTS)
			abort();
	} else if (!err.msg[0]) {
		abort();
	}
	free(p);

	for (int k = 0; k < 2; k++) {
		struct sd_list l = {0};
		arena_init(&l.mem);
		memset(&err, 0, sizeof(err));
		enum status st = k ? prom_sd_parse((const char *)data, size, size % 2 ? "api" : NULL, &l, &err)
				   : watch_parse_target_groups((const char *)data, size, "fuzz.json", &l, &err);
		if (st != ST_OK && !err.msg[0])
			abort();
		for (uint32_t i = 0; i < l.n; i++)
			if (!l.v[i].address || !l.v[i].name || l.v[i].nlabels > WATCH_MAX_LABELS)
				abort();
		sd_list_free(&l);
	}
	return 0;
}
