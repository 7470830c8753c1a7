/* prom_sd.c: see discovery.h (prom_sd_parse). A Prometheus server's
 * /api/v1/targets answer, read with jansson, bounded like any input. */
#include "../base/common.h"
#include "discovery.h"
#include "alertmanager.h"
#include "../base/xalloc.h"

#include <jansson.h>
#include <stdio.h>

enum status prom_sd_parse(const char *body, size_t n, const char *job, struct sd_list *out, struct err *err)
{
	json_error_t je;
	json_t *root = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return err_set(err, ST_FORMAT, (uint64_t)MAX(je.line, 0), (uint64_t)MAX(je.position, 0),
			       "the targets answer is not JSON at line %d, column %d: %s", je.line, je.column, je.text);
	json_t *active = json_object_get(json_object_get(root, "data"), "activeTargets");
	const char *status = json_string_value(json_object_get(root, "status"));
	if (!status || strcmp(status, "success") != 0 || !json_is_array(active)) {
		json_decref(root);
		return err_set(err, ST_FORMAT, 0, 0,
			       "not a Prometheus /api/v1/targets answer (\"status\": \"success\", data.activeTargets)");
	}
	size_t i;
	json_t *t;
	json_array_foreach(active, i, t) {
		json_t *labels = json_object_get(t, "labels");
		const char *scrape = json_string_value(json_object_get(t, "scrapeUrl"));
		const char *tjob = json_string_value(json_object_get(labels, "job"));
		const char *instance = json_string_value(json_object_get(labels, "instance"));
		if (!json_is_object(labels) || !scrape || (job && (!tjob || strcmp(tjob, job) != 0)))
			continue;
		char address[300];
		am_authority(scrape, address, sizeof(address));
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 64;
			out->v = xreallocarray(out->v, out->cap, sizeof(*out->v));
		}
		struct sd_target *s = &out->v[out->n++];
		memset(s, 0, sizeof(*s));
		/* known by Prometheus's instance (what its alerts name), polled at
		 * the address it scrapes */
		s->address = arena_strndup(&out->mem, address, strlen(address));
		s->name = instance ? arena_strndup(&out->mem, instance, strlen(instance)) : s->address;
		const char *key;
		json_t *value;
		json_object_foreach(labels, key, value) {
			if (s->nlabels == WATCH_MAX_LABELS || !json_is_string(value) || !strcmp(key, "instance") ||
			    !strncmp(key, "__", 2))
				continue;
			s->keys[s->nlabels] = arena_strndup(&out->mem, key, strlen(key));
			s->values[s->nlabels++] = arena_strndup(&out->mem, json_string_value(value),
								 strlen(json_string_value(value)));
		}
	}
	json_decref(root);
	return ST_OK;
}
