/* alertmanager.c: see alertmanager.h. */
#include "../base/common.h"
#include "alertmanager.h"

#include <jansson.h>
#include <stdio.h>

static void copy_str(json_t *obj, const char *key, char *out, size_t outsz)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	snprintf(out, outsz, "%s", json_is_string(v) ? json_string_value(v) : "");
}

enum status am_parse(const char *body, size_t n, struct am_payload *out, struct err *err)
{
	memset(out, 0, sizeof(*out));
	json_error_t je;
	json_t *root = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return err_set(err, ST_FORMAT, (uint64_t)MAX(je.line, 0), (uint64_t)MAX(je.position, 0),
			       "not JSON at line %d, column %d: %s", je.line, je.column, je.text);
	enum status st = ST_OK;
	json_t *version = json_object_get(root, "version");
	json_t *alerts = json_object_get(root, "alerts");
	if (!json_is_object(root) || !json_is_string(version) || strcmp(json_string_value(version), "4") != 0 ||
	    !json_is_array(alerts)) {
		st = err_set(err, ST_FORMAT, 0, 0, "not an Alertmanager webhook payload of version 4 (needs \"version\":\"4\" and \"alerts\")");
		goto out;
	}
	size_t i;
	json_t *a;
	json_array_foreach(alerts, i, a)
	{
		json_t *status = json_object_get(a, "status");
		if (!json_is_object(a) || !json_is_string(status))
			continue;
		if (strcmp(json_string_value(status), "firing") != 0) {
			out->nresolved++;
			continue;
		}
		if (out->nfiring == AM_MAX_ALERTS)
			continue;
		struct am_alert *x = &out->firing[out->nfiring++];
		json_t *labels = json_object_get(a, "labels"), *ann = json_object_get(a, "annotations");
		copy_str(labels, "alertname", x->alertname, sizeof(x->alertname));
		copy_str(labels, "instance", x->instance, sizeof(x->instance));
		copy_str(labels, "goroscope_target", x->target, sizeof(x->target));
		if (!x->target[0])
			copy_str(labels, "target", x->target, sizeof(x->target));
		copy_str(ann, "summary", x->summary, sizeof(x->summary));
		if (!x->summary[0])
			copy_str(ann, "description", x->summary, sizeof(x->summary));
	}
out:
	json_decref(root);
	return st;
}

void am_authority(const char *url, char *out, size_t outsz)
{
	const char *p = strstr(url, "://");
	bool https = strncmp(url, "https://", 8) == 0;
	p = p ? p + 3 : url;
	size_t n = strcspn(p, "/?#");
	const char *at = memchr(p, '@', n); /* user:pass@ is not part of it */
	if (at) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	bool has_port = false;
	const char *close = p[0] == '[' ? memchr(p, ']', n) : NULL;
	const char *colon = close ? (close + 1 < p + n && close[1] == ':' ? close + 1 : NULL) : memchr(p, ':', n);
	has_port = colon != NULL;
	if (has_port)
		snprintf(out, outsz, "%.*s", (int)n, p);
	else
		snprintf(out, outsz, "%.*s:%s", (int)n, p, https ? "443" : "80");
}

bool am_top_leak(const char *leaks_json, struct am_leak *out)
{
	memset(out, 0, sizeof(*out));
	json_t *root = leaks_json ? json_loads(leaks_json, 0, NULL) : NULL;
	json_t *leak = json_array_get(json_object_get(root, "leaks"), 0);
	bool found = json_is_object(leak);
	if (found) {
		copy_str(json_object_get(leak, "blocking_site"), "func", out->function, sizeof(out->function));
		copy_str(leak, "confidence", out->confidence, sizeof(out->confidence));
		copy_str(json_object_get(leak, "pattern"), "cause", out->cause, sizeof(out->cause));
		copy_str(json_object_get(leak, "pattern"), "fix", out->fix, sizeof(out->fix));
	}
	json_decref(root);
	return found;
}
