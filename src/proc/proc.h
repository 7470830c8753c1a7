/* proc.h: local Go processes, found without any agent: every process whose
 * executable embeds Go build info (the ".go.buildinfo" data the Go linker
 * writes, as `go version -m` and gops read it), with its Go version, main
 * module and listening TCP sockets. Reads /proc (Linux); processes of other
 * users may be unreadable and are skipped. */
#ifndef GOROSCOPE_PROC_H
#define GOROSCOPE_PROC_H

#include <stdbool.h>
#include <stdint.h>

enum { PROC_MAX_PORTS = 16 };

struct proc_listen {
	char addr[64];       /* as bound: "127.0.0.1", "0.0.0.0", "::", "::1", ... */
	uint16_t port;
	bool loopback;       /* reachable on 127.0.0.1 / ::1 only */
	bool all_interfaces; /* 0.0.0.0 or :: */
};

struct proc_info {
	int pid;
	char name[64];       /* /proc/PID/comm */
	char exe[512];
	char go_version[32]; /* "go1.19.8"; "" when the build info has no inline version (Go < 1.18) */
	char module[256];    /* main module path, "" when unknown */
	struct proc_listen listens[PROC_MAX_PORTS];
	uint32_t nlistens;
};

/* Fill *out (malloc'd array, caller frees) with the Go processes running
 * now, by pid; returns their count. Never fails: what cannot be read is
 * skipped. */
uint32_t proc_list_go(struct proc_info **out);

/* When process pid started (clock ticks since boot, /proc/PID/stat), or 0
 * when there is no such process or it has exited (a zombie). A pid is
 * reused by a later process, which has another start time: comparing it
 * tells the process one watched from its successor. */
uint64_t proc_start_time(int pid);

/* The Go build info of an executable file: true when it is a Go program;
 * version and module filled when the format carries them inline (Go 1.18+). */
bool proc_go_buildinfo(const char *path, char *version, size_t vsz, char *module, size_t msz);

#endif
