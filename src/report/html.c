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
#include "../base/xalloc.h"

#include <stdlib.h>

extern const char html_report_js[], html_report_css[];

/* The page up to where the document begins. */
static void page_head(struct buf *b, const char *title)
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
}

static void page_tail(struct buf *b)
{
	buf_adds(b, "</script>\n<script>\n");
	buf_adds(b, html_report_js);
	buf_adds(b, "</script>\n</body>\n</html>\n");
}

/* A page on its way out: the document is compressed as it comes, and the
 * compressed bytes are turned into base64 three at a time, the one or two
 * left over carried to the next piece. */
struct html_page {
	bool (*out)(void *ctx, const char *p, size_t n);
	void *ctx;
	struct gzip_writer *gz;
	unsigned char carry[3];
	size_t ncarry;
	struct buf text;
	bool failed;
};

static bool send(struct html_page *pg)
{
	if (pg->text.len && !pg->failed && !pg->out(pg->ctx, pg->text.p, pg->text.len))
		pg->failed = true;
	buf_reset(&pg->text);
	return !pg->failed;
}

/* gzip_writer's output: compressed bytes, into base64. */
static bool compressed(void *ctx, const char *p, size_t n)
{
	struct html_page *pg = ctx;
	while (pg->ncarry && pg->ncarry < 3 && n) {
		pg->carry[pg->ncarry++] = (unsigned char)*p++;
		n--;
	}
	if (pg->ncarry == 3) {
		put_base64(&pg->text, pg->carry, 3);
		pg->ncarry = 0;
	}
	/* here either n is 0 or nothing is carried */
	size_t whole = n / 3 * 3;
	put_base64(&pg->text, p, whole);
	memcpy(pg->carry + pg->ncarry, p + whole, n - whole);
	pg->ncarry += n - whole;
	return send(pg);
}

struct html_page *html_page_begin(const char *title, bool (*out)(void *ctx, const char *p, size_t n), void *ctx)
{
	struct html_page *pg = xcalloc(1, sizeof(*pg));
	pg->out = out;
	pg->ctx = ctx;
	buf_init(&pg->text);
	page_head(&pg->text, title);
	send(pg);
	pg->gz = gzip_writer_new(compressed, pg);
	return pg;
}

bool html_page_json(void *page, const char *p, size_t n)
{
	struct html_page *pg = page;
	return gzip_writer_add(pg->gz, p, n) && !pg->failed;
}

bool html_page_end(struct html_page *pg)
{
	gzip_writer_end(pg->gz);
	put_base64(&pg->text, pg->carry, pg->ncarry);
	page_tail(&pg->text);
	bool ok = send(pg);
	buf_free(&pg->text);
	free(pg);
	return ok;
}

static bool to_buf(void *ctx, const char *p, size_t n)
{
	buf_add(ctx, p, n);
	return true;
}

void report_html(struct buf *b, const char *title, const char *json, size_t n)
{
	struct html_page *pg = html_page_begin(title, to_buf, b);
	html_page_json(pg, json, n);
	html_page_end(pg);
}
