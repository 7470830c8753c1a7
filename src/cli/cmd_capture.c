/* cmd_capture.c: `goroscope capture URL`: the incident procedure in one
 * command. A timestamped directory gets the goroutine profile in its three
 * encodings, block and mutex profiles over --seconds N (fetched at the same
 * time), the goroutineleak profile when served, and manifest.json (target,
 * times, Go version when known, size and sha256 of each file). Best effort
 * within --max-time: what fails is recorded and the rest goes on. */
#include "../base/common.h"
#include "cli.h"
#include "../analyze/group.h"
#include "../base/buf.h"
#include "../base/digest.h"
#include "../fetch/fetch.h"
#include "../parse/parse.h"
#include "../report/escape.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char usage_capture[] =
	"usage: goroscope capture [options] URL\n"
	"\n"
	"Capture the evidence of a live Go service in one timestamped directory:\n"
	"the goroutine profile as protobuf, debug=1 and debug=2 (goroutine.pb.gz,\n"
	"goroutine.debug1.txt, goroutine.debug2.txt), block and mutex profiles over\n"
	"--seconds N (taken at the same time), the goroutineleak profile when the\n"
	"target serves it (Go 1.26+), and manifest.json: target, times, the Go\n"
	"version when known, size and sha256 of each file, and what failed. URL is\n"
	"the service's base URL (http://host:port). Every goroscope command reads\n"
	"the directory (or several, in time order) as an input.\n"
	"\n"
	"  --out DIR            where to create the directory (default: .)\n"
	"  --seconds N          also block and mutex profiles over N seconds\n"
	"  --max-time S         give up on what is left after S seconds (default 120)\n"
	"  -q, --quiet          only print the directory\n"
	"  -h, --help           this help\n"
	"\n"
	"Exit status: 0 when the goroutine profile was captured in at least one\n"
	"encoding, 2 otherwise (or on a usage error).\n";

struct item {
	const char *name;    /* file name in the directory */
	char url[2048];
	bool optional;       /* a 404 is not a failure (goroutineleak before Go 1.26) */
	long timeout_ms;
	/* results */
	struct buf body;
	enum status st;
	long status;
	char error[512];
	int64_t fetched_ns;
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void fetch_item(struct item *it)
{
	struct fetch_options o = cli_fetch;
	o.timeout_ms = it->timeout_ms;
	struct err err = {0};
	buf_init(&it->body);
	it->st = fetch_get(it->url, &o, &it->body, &it->status, &err);
	it->fetched_ns = now_ns();
	if (it->st != ST_OK)
		snprintf(it->error, sizeof(it->error), "%s", err.msg);
}

static void *fetch_thread(void *arg)
{
	fetch_item(arg);
	return NULL;
}

static void put_time(struct buf *b, int64_t ns)
{
	time_t t = (time_t)(ns / 1000000000);
	struct tm tm;
	gmtime_r(&t, &tm);
	char s[40];
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(b, "\"%s.%03dZ\"", s, (int)(ns / 1000000 % 1000));
}

static bool write_file(const char *dir, const char *name, const struct buf *b, char *why, size_t whysz)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(why, whysz, "cannot create %s: %s", path, strerror(errno));
		return false;
	}
	size_t off = 0;
	while (off < b->len) {
		ssize_t w = write(fd, b->p + off, b->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			snprintf(why, whysz, "cannot write %s: %s", path, strerror(errno));
			close(fd);
			return false;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0) {
		snprintf(why, whysz, "cannot write %s: %s", path, strerror(errno));
		return false;
	}
	return true;
}

/* Lowest Go version the goroutine dump shows features of, 0 if none. */
static uint32_t go_version_of(const struct item *debug2)
{
	if (debug2->st != ST_OK || !debug2->body.len)
		return 0;
	struct snapset set;
	snapset_init(&set);
	struct err err = {0};
	uint32_t v = 0;
	if (parse_mem(debug2->body.p, debug2->body.len, sniff_format(debug2->body.p, MIN(debug2->body.len, (size_t)SNIFF_HEAD)),
		      "capture", NULL, &set, NULL, &err) == ST_OK && set.n)
		v = set.v[0]->go_version_min;
	snapset_free(&set);
	return v;
}

int cmd_capture(int argc, char **argv)
{
	enum { O_OUT = 256, O_SECONDS, O_MAXTIME };
	static const struct option opts[] = {
		{"out", required_argument, 0, O_OUT},       {"seconds", required_argument, 0, O_SECONDS},
		{"max-time", required_argument, 0, O_MAXTIME}, {"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},              CLI_NET_OPTIONS,
		{0, 0, 0, 0},
	};
	const char *out_dir = ".";
	long seconds = 0;
	double max_time = 120;
	bool quiet = false;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":qhH:", opts, NULL)) != -1) {
		switch (c) {
		case O_OUT: out_dir = optarg; break;
		case O_SECONDS: {
			char *end;
			seconds = strtol(optarg, &end, 10);
			if (!*optarg || *end || seconds < 1 || seconds > 3600) {
				cli_error("--seconds needs 1 to 3600, got '%s'", optarg);
				return EXIT_ERROR;
			}
			break;
		}
		case O_MAXTIME: {
			char *end;
			max_time = strtod(optarg, &end);
			if (end == optarg || *end || !(max_time > 0) || max_time > 86400) {
				cli_error("--max-time needs seconds (0 < S <= 86400), got '%s'", optarg);
				return EXIT_ERROR;
			}
			break;
		}
		case 'q': quiet = true; break;
		case 'h': cli_print_usage(usage_capture); return EXIT_OK;
		default:
			if (!cli_other_option(c, optarg, argv, "capture"))
				return EXIT_ERROR;
			break;
		}
	}
	if (argc - optind != 1 || !fetch_is_url(argv[optind])) {
		cli_error("capture needs one base URL such as http://127.0.0.1:6060 (see 'goroscope capture --help')");
		return EXIT_ERROR;
	}
	const char *target = argv[optind];
	size_t tlen = strlen(target);
	while (tlen && target[tlen - 1] == '/')
		tlen--;
	if (!fetch_init()) {
		cli_error("cannot start the HTTP client (libcurl)");
		return EXIT_ERROR;
	}

	/* goroscope-HOST_PORT-20261127T030000Z */
	int64_t started = now_ns();
	char stamp[32], host[256], dir[4096];
	time_t t0 = (time_t)(started / 1000000000);
	struct tm tm;
	gmtime_r(&t0, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	const char *h = strstr(target, "://") + 3;
	size_t hn = 0;
	for (; h[hn] && h[hn] != '/' && hn + 1 < sizeof(host); hn++)
		host[hn] = (h[hn] == ':' || h[hn] == '[' || h[hn] == ']') ? '_' : h[hn];
	host[hn] = '\0';
	snprintf(dir, sizeof(dir), "%s/goroscope-%s-%s", out_dir, host, stamp);
	if (mkdir(dir, 0755) != 0) {
		cli_error("cannot create '%s': %s", dir, strerror(errno));
		return EXIT_ERROR;
	}

	enum { I_PB, I_D1, I_D2, I_BLOCK, I_MUTEX, I_LEAK, N_ITEMS };
	struct item items[N_ITEMS] = {
		[I_PB] = {.name = "goroutine.pb.gz"},       [I_D1] = {.name = "goroutine.debug1.txt"},
		[I_D2] = {.name = "goroutine.debug2.txt"},  [I_BLOCK] = {.name = "block.pb.gz"},
		[I_MUTEX] = {.name = "mutex.pb.gz"},        [I_LEAK] = {.name = "goroutineleak.pb.gz", .optional = true},
	};
	snprintf(items[I_PB].url, sizeof(items[I_PB].url), "%.*s/debug/pprof/goroutine", (int)tlen, target);
	snprintf(items[I_D1].url, sizeof(items[I_D1].url), "%.*s/debug/pprof/goroutine?debug=1", (int)tlen, target);
	snprintf(items[I_D2].url, sizeof(items[I_D2].url), "%.*s/debug/pprof/goroutine?debug=2", (int)tlen, target);
	snprintf(items[I_BLOCK].url, sizeof(items[I_BLOCK].url), "%.*s/debug/pprof/block?seconds=%ld", (int)tlen, target,
		 seconds);
	snprintf(items[I_MUTEX].url, sizeof(items[I_MUTEX].url), "%.*s/debug/pprof/mutex?seconds=%ld", (int)tlen, target,
		 seconds);
	snprintf(items[I_LEAK].url, sizeof(items[I_LEAK].url), "%.*s/debug/pprof/goroutineleak", (int)tlen, target);
	bool wanted[N_ITEMS] = {true, true, true, seconds > 0, seconds > 0, true};
	bool skipped[N_ITEMS] = {false};
	int64_t deadline = started + (int64_t)(max_time * 1e9);

	/* The cheap encodings first, debug=2 (stops the target's world) last of
	 * the three; block and mutex together; then goroutineleak. */
	static const int order[][2] = {{I_PB, -1}, {I_D1, -1}, {I_D2, -1}, {I_BLOCK, I_MUTEX}, {I_LEAK, -1}};
	for (size_t k = 0; k < ARRAY_LEN(order); k++) {
		int a = order[k][0], b = order[k][1];
		if (!wanted[a])
			continue;
		int64_t left_ms = (deadline - now_ns()) / 1000000;
		if (left_ms < 100) {
			skipped[a] = true;
			if (b >= 0)
				skipped[b] = true;
			continue;
		}
		for (int x = 0; x < 2; x++) {
			int i = x ? b : a;
			if (i >= 0)
				items[i].timeout_ms = MIN(left_ms, (long)MAX(cli_fetch.timeout_ms, seconds * 1000 + 10000));
		}
		if (!quiet)
			fprintf(stderr, "goroscope: fetching %s%s%s\n", items[a].url, b >= 0 ? " and " : "",
				b >= 0 ? items[b].url : "");
		if (b < 0) {
			fetch_item(&items[a]);
			continue;
		}
		pthread_t tid;
		bool threaded = pthread_create(&tid, NULL, fetch_thread, &items[b]) == 0;
		fetch_item(&items[a]);
		if (threaded)
			pthread_join(tid, NULL);
		else
			fetch_item(&items[b]);
	}
	int64_t finished = now_ns();

	/* files and manifest */
	struct buf m;
	buf_init(&m);
	buf_adds(&m, "{\"tool\":\"goroscope\",\"version\":\"" GOROSCOPE_VERSION "\",\"kind\":\"capture\",\"target\":");
	put_json_str(&m, target, tlen);
	buf_adds(&m, ",\"started\":");
	put_time(&m, started);
	buf_adds(&m, ",\"finished\":");
	put_time(&m, finished);
	buf_printf(&m, ",\"started_ns\":%lld,\"seconds\":%ld", (long long)started, seconds);
	uint32_t gov = go_version_of(&items[I_D2]);
	buf_adds(&m, ",\"go_version_min\":");
	if (gov)
		buf_printf(&m, "\"1.%u\"", gov);
	else
		buf_adds(&m, "null");
	buf_adds(&m, ",\"files\":[");
	bool any_goroutine = false, first = true;
	uint32_t failures = 0;
	for (int i = 0; i < N_ITEMS; i++) {
		struct item *it = &items[i];
		if (!wanted[i])
			continue;
		if (!first)
			buf_addc(&m, ',');
		first = false;
		buf_adds(&m, "{\"name\":");
		put_json_cstr(&m, it->name);
		buf_adds(&m, ",\"url\":");
		put_json_cstr(&m, it->url);
		char why[600] = "";
		bool ok = !skipped[i] && it->st == ST_OK && write_file(dir, it->name, &it->body, why, sizeof(why));
		if (ok) {
			char hex[65];
			digest_sha256_hex(it->body.p, it->body.len, hex);
			buf_printf(&m, ",\"bytes\":%zu,\"sha256\":\"%s\",\"fetched\":", it->body.len, hex);
			put_time(&m, it->fetched_ns);
			if (i <= I_D2)
				any_goroutine = true;
		} else {
			const char *msg = skipped[i] ? "skipped: --max-time reached" : why[0] ? why : it->error;
			bool absent = it->optional && it->status == 404;
			buf_adds(&m, absent ? ",\"absent\":" : ",\"error\":");
			put_json_cstr(&m, absent ? "not served (Go 1.26+ serves goroutineleak)" : msg);
			if (!absent) {
				failures++;
				cli_error("%s: %s", it->name, msg);
			}
		}
		buf_addc(&m, '}');
		buf_free(&it->body);
	}
	buf_adds(&m, "]}\n");
	char why[600];
	if (!write_file(dir, "manifest.json", &m, why, sizeof(why))) {
		cli_error("%s", why);
		buf_free(&m);
		return EXIT_ERROR;
	}
	buf_free(&m);
	printf("%s\n", dir);
	if (!quiet)
		fprintf(stderr, "goroscope: captured into %s%s\n", dir,
			failures ? " (some files failed: see manifest.json)" : "");
	return any_goroutine ? EXIT_OK : EXIT_ERROR;
}
