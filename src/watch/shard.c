/* shard.c: see shard.h. */
#include "../base/common.h"
#include "shard.h"
#include "alertmanager.h"

#include <stdio.h>
#include <stdlib.h>

bool shard_parse(const char *s, struct watch_shard *out)
{
	char *end;
	unsigned long i = strtoul(s, &end, 10);
	if (end == s || *end != '/' || !is_digit(s[0]))
		return false;
	const char *n_at = end + 1;
	unsigned long n = strtoul(n_at, &end, 10);
	if (end == n_at || *end || !is_digit(n_at[0]) || n < 1 || n > 4096 || i >= n)
		return false;
	*out = (struct watch_shard){(uint32_t)i, (uint32_t)n};
	return true;
}

void shard_address(const char *url, char *out, size_t outsz)
{
	if (strncmp(url, "pid:", 4) == 0) {
		snprintf(out, outsz, "%s", url);
		return;
	}
	am_authority(url, out, outsz);
	/* host names are case-insensitive; the port part is digits */
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

uint64_t shard_hash(const char *address)
{
	uint64_t h = 14695981039346656037ull;
	for (const unsigned char *p = (const unsigned char *)address; *p; p++) {
		h ^= *p;
		h *= 1099511628211ull;
	}
	return h;
}

bool shard_owns(const struct watch_shard *s, const char *address)
{
	return !s->count || shard_hash(address) % s->count == s->index;
}
