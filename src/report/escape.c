/* escape.c: see escape.h. */
#include "../base/common.h"
#include "escape.h"

#include <time.h>

bool utf8_is_bidi_control(const unsigned char *s, size_t len)
{
	/* U+202A..U+202E: E2 80 AA..AE; U+2066..U+2069: E2 81 A6..A9 */
	return len == 3 && s[0] == 0xe2 &&
	       ((s[1] == 0x80 && s[2] >= 0xaa && s[2] <= 0xae) || (s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9));
}

size_t utf8_sanitize(char *out, size_t outsz, const char *s, size_t n)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;
	if (!outsz)
		return 0;
	for (size_t i = 0; i < n;) {
		size_t k = u[i] >= 0x20 && u[i] < 0x7f ? 1 : u[i] >= 0x80 ? utf8_seq_len(u + i, n - i) : 0;
		bool safe = k && !(k == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0) && !utf8_is_bidi_control(u + i, k);
		const char *piece = safe ? s + i : replacement;
		size_t len = safe ? k : 3;
		if (o + len >= outsz)
			break;
		memcpy(out + o, piece, len);
		o += len;
		i += k ? k : 1;
	}
	out[o] = '\0';
	return o;
}

size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t min;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		len = 2;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	uint32_t r = c & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		r = r << 6 | (s[i] & 0x3f);
	}
	if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
		return 0;
	return len;
}

void put_text(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < n) {
		unsigned char c = u[i];
		size_t k = (c >= 0x20 && c < 0x7f) ? 1 : (c >= 0x80 ? utf8_seq_len(u + i, n - i) : 0);
		/* C1 controls (U+0080-U+009F) can also drive terminals */
		if (k == 2 && c == 0xc2 && u[i + 1] < 0xa0)
			k = 0;
		bool bidi = utf8_is_bidi_control(u + i, k);
		if (k && !bidi) {
			i += k;
			run += k;
			continue;
		}
		buf_add(b, s + i - run, run);
		run = 0;
		if (bidi) { /* shown, not obeyed: it would reorder the line */
			unsigned cp = (unsigned)(u[i] & 0x0f) << 12 | (unsigned)(u[i + 1] & 0x3f) << 6 | (u[i + 2] & 0x3f);
			buf_printf(b, "\\u%04x", cp);
			i += 3;
			continue;
		}
		buf_printf(b, "\\x%02x", c);
		i++;
	}
	buf_add(b, s + i - run, run);
}

/* Bytes written as they are inside a JSON string: printable ASCII but the
 * quote, the backslash and < > & (kept harmless should the JSON ever be
 * embedded in HTML: no "</script>"). Names from dumps are nearly always
 * all plain, so one table lookup per byte decides. */
static const bool json_plain[256] = {
	/* 0x20 to 0x7e without " (0x22) & (0x26) < (0x3c) > (0x3e) \\ (0x5c) */
	[0x20 ... 0x21] = true, [0x23 ... 0x25] = true, [0x27 ... 0x3b] = true, [0x3d] = true,
	[0x3f ... 0x5b] = true, [0x5d ... 0x7e] = true,
};

void put_json_str(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	buf_addc(b, '"');
	size_t i = 0, run = 0;
	while (i < n) {
		if (json_plain[u[i]]) {
			i++;
			run++;
			continue;
		}
		unsigned char c = u[i];
		size_t k = c >= 0x80 ? utf8_seq_len(u + i, n - i) : 0;
		if (k) {
			i += k;
			run += k;
			continue;
		}
		buf_add(b, s + i - run, run);
		run = 0;
		switch (c) {
		case '"': buf_adds(b, "\\\""); break;
		case '\\': buf_adds(b, "\\\\"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\t': buf_adds(b, "\\t"); break;
		default:
			if (c >= 0x80)
				buf_adds(b, "\\ufffd");
			else
				buf_printf(b, "\\u%04x", c);
		}
		i++;
	}
	buf_add(b, s + i - run, run);
	buf_addc(b, '"');
}

void put_json_utc(struct buf *b, int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char s[40];
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(b, "\"%s.%03dZ\"", s, (int)(ns / 1000000 % 1000));
}

void put_html_text(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		switch (s[i]) {
		case '&': buf_adds(b, "&amp;"); i++; continue;
		case '<': buf_adds(b, "&lt;"); i++; continue;
		case '>': buf_adds(b, "&gt;"); i++; continue;
		case '"': buf_adds(b, "&quot;"); i++; continue;
		case '\'': buf_adds(b, "&#39;"); i++; continue;
		default: break;
		}
		/* invalid bytes, controls and bidi controls: U+FFFD */
		size_t k = (u[i] >= 0x20 && u[i] < 0x7f) || u[i] == '\t' || u[i] == '\n' ? 1
			   : u[i] >= 0x80						   ? utf8_seq_len(u + i, n - i)
										   : 0;
		if (!k || (k == 2 && u[i] == 0xc2 && u[i + 1] < 0xa0) || utf8_is_bidi_control(u + i, k)) {
			buf_adds(b, "\xef\xbf\xbd");
			i += k ? k : 1;
			continue;
		}
		buf_add(b, s + i, k);
		i += k;
	}
}

void put_base64(struct buf *b, const void *p, size_t n)
{
	static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *s = p;
	char quad[4];
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		quad[0] = digits[v >> 18];
		quad[1] = digits[(v >> 12) & 63];
		quad[2] = digits[(v >> 6) & 63];
		quad[3] = digits[v & 63];
		buf_add(b, quad, 4);
	}
	if (i < n) {
		uint32_t v = (uint32_t)s[i] << 16 | (i + 1 < n ? (uint32_t)s[i + 1] << 8 : 0);
		quad[0] = digits[v >> 18];
		quad[1] = digits[(v >> 12) & 63];
		quad[2] = i + 1 < n ? digits[(v >> 6) & 63] : '=';
		quad[3] = '=';
		buf_add(b, quad, 4);
	}
}
