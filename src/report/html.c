/* html.c: the self-contained HTML report: the JSON document of a command
 * (analyze --json...) embedded in a page with its own stylesheet and
 * script (src/report/html/, built into the binary by scripts/embed.py).
 * Nothing is fetched: a Content-Security-Policy forbids every network
 * request, so the page can be attached to a ticket and opened offline.
 *
 * The document is embedded gzip-compressed, in base64: a 100,000-goroutine
 * dump's 9 MB of JSON (mostly repeated frames) becomes 330 KB, which the
 * browser reads and parses in a fraction of the time, and no byte of it can
 * close the element or start markup. The script inflates it with the
 * browser's DecompressionStream. */
#include "../base/common.h"
#include "report.h"
#include "escape.h"
#include "../base/gzip.h"

extern const char html_report_js[], html_report_css[];

void report_html(struct buf *b, const char *title, const char *json, size_t n)
{
	buf_adds(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		    "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	put_html_text(b, title, strlen(title));
	buf_adds(b, "</title>\n<style>\n");
	buf_adds(b, html_report_css);
	buf_adds(b, "</style>\n</head>\n<body>\n<div id=\"app\"></div>\n"
		    "<script type=\"application/x-goroscope+gzip+base64\" id=\"goroscope-data\">");
	struct buf z;
	buf_init(&z);
	gzip_compress(json, n, &z);
	put_base64(b, z.p, z.len);
	buf_free(&z);
	buf_adds(b, "</script>\n<script>\n");
	buf_adds(b, html_report_js);
	buf_adds(b, "</script>\n</body>\n</html>\n");
}
