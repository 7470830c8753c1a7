/* output.c: where a command's output goes: stdout, a file given with -o,
 * or an HTML page around the command's JSON document. */
#include "../base/common.h"
#include "cli.h"
#include "../report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

bool cli_redirect_stdout(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || dup2(fd, 1) < 0) {
		cli_error("cannot create '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	return true;
}

bool cli_write_html(const char *title, const struct buf *json)
{
	struct html_page *page = html_page_begin(title, cli_stdout_sink, NULL);
	html_page_json(page, json->p ? json->p : "{}", json->p ? json->len : 2);
	return html_page_end(page);
}

bool cli_stdout_sink(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	return cli_write_stdout(p, n);
}

bool cli_write_stdout(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(1, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EPIPE)
				cli_error("cannot write output: %s", strerror(errno));
			return false;
		}
		p += w;
		n -= (size_t)w;
	}
	return true;
}
