/* html.c: the self-contained HTML report: the JSON document of a command
 * (analyze --json) embedded in a page with its own stylesheet and script
 * (src/report/html/, built into the binary by scripts/embed.py). Nothing
 * is fetched: a Content-Security-Policy forbids every network request, so
 * the page can be attached to a ticket and opened offline. */
#include "../base/common.h"
#include "report.h"
#include "escape.h"

extern const char html_report_js[], html_report_css[];

/* The JSON inside <script type="application/json">: "<" written as \u003c
 * so that no function name can close the element ("</script>") or open a
 * comment; JSON.parse reads it back unchanged. */
static void put_embedded_json(struct buf *b, const char *json, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		if (json[i] != '<')
			continue;
		buf_add(b, json + from, i - from);
		buf_adds(b, "\\u003c");
		from = i + 1;
	}
	buf_add(b, json + from, n - from);
}

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
		    "<script type=\"application/json\" id=\"goroscope-data\">");
	put_embedded_json(b, json, n);
	buf_adds(b, "</script>\n<script>\n");
	buf_adds(b, html_report_js);
	buf_adds(b, "</script>\n</body>\n</html>\n");
}
