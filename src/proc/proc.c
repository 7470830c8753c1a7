/* proc.c: see proc.h. */
#include "../base/common.h"
#include "proc.h"
#include "../base/xalloc.h"

#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char BUILDINFO_MAGIC[] = "\xff Go buildinf:";

/* varint-prefixed string at *p (Go 1.18+ inline build info) */
static bool read_string(const unsigned char **p, const unsigned char *end, char *out, size_t outsz)
{
	uint64_t n = 0;
	int shift = 0;
	while (*p < end) {
		unsigned char c = *(*p)++;
		n |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			break;
		if ((shift += 7) > 63)
			return false;
	}
	if (n > (uint64_t)(end - *p))
		return false;
	size_t k = MIN((size_t)n, outsz - 1);
	memcpy(out, *p, k);
	out[k] = '\0';
	*p += n;
	return true;
}

/* The ".go.buildinfo" section of a 64-bit ELF file mapped at m (n bytes). */
static const unsigned char *elf_buildinfo(const unsigned char *m, size_t n, size_t *len)
{
	if (n < sizeof(Elf64_Ehdr) || memcmp(m, ELFMAG, SELFMAG) != 0 || m[EI_CLASS] != ELFCLASS64)
		return NULL;
	const Elf64_Ehdr *eh = (const void *)m;
	if (eh->e_shoff == 0 || eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > n ||
	    (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > n - eh->e_shoff || eh->e_shstrndx >= eh->e_shnum)
		return NULL;
	const Elf64_Shdr *sh = (const void *)(m + eh->e_shoff);
	const Elf64_Shdr *strs = &sh[eh->e_shstrndx];
	if (strs->sh_offset > n || strs->sh_size > n - strs->sh_offset)
		return NULL;
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_name >= strs->sh_size)
			continue;
		const char *name = (const char *)m + strs->sh_offset + sh[i].sh_name;
		size_t room = strs->sh_size - sh[i].sh_name;
		if (strnlen(name, room) == 13 && !memcmp(name, ".go.buildinfo", 13) && sh[i].sh_offset <= n &&
		    sh[i].sh_size <= n - sh[i].sh_offset && sh[i].sh_type != SHT_NOBITS) {
			*len = sh[i].sh_size;
			return m + sh[i].sh_offset;
		}
	}
	return NULL;
}

bool proc_go_buildinfo(const char *path, char *version, size_t vsz, char *module, size_t msz)
{
	version[0] = module[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat sb;
	bool go = false;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 64) {
		size_t n = (size_t)sb.st_size;
		unsigned char *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			size_t len = 0;
			const unsigned char *bi = elf_buildinfo(m, n, &len);
			if (bi && len >= 32 && !memcmp(bi, BUILDINFO_MAGIC, 14)) {
				go = true;
				/* flags & 2: version and module info follow inline */
				if (bi[15] & 2) {
					const unsigned char *p = bi + 32, *end = bi + len;
					char mod[4096];
					if (read_string(&p, end, version, vsz) && read_string(&p, end, mod, sizeof(mod))) {
						/* "path\tcommand-line-arguments\nmod\tleakzoo\t(devel)\t\n..." */
						const char *line = strstr(mod, "\nmod\t");
						if (line) {
							line += 5;
							size_t k = strcspn(line, "\t\n");
							snprintf(module, msz, "%.*s", (int)k, line);
						}
					}
				}
			}
			munmap(m, n);
		}
	}
	close(fd);
	return go;
}

/* ---- listening sockets ---- */

struct sock {
	uint64_t inode;
	struct proc_listen l;
};

static void parse_addr(const char *hex, bool v6, struct proc_listen *l)
{
	/* /proc/net/tcp: "0100007F:1F90" (little-endian words) */
	const char *colon = strchr(hex, ':');
	l->port = colon ? (uint16_t)strtoul(colon + 1, NULL, 16) : 0;
	if (!v6) {
		unsigned long a = strtoul(hex, NULL, 16);
		snprintf(l->addr, sizeof(l->addr), "%lu.%lu.%lu.%lu", a & 255, (a >> 8) & 255, (a >> 16) & 255, (a >> 24) & 255);
		l->all_interfaces = a == 0;
		l->loopback = (a & 255) == 127;
		return;
	}
	/* four 32-bit words, each in host (little-endian) byte order */
	bool zero = !strncmp(hex, "00000000000000000000000000000000", 32);
	bool loop = !strncmp(hex, "00000000000000000000000001000000", 32);
	if (zero)
		snprintf(l->addr, sizeof(l->addr), "::");
	else if (loop)
		snprintf(l->addr, sizeof(l->addr), "::1");
	else
		snprintf(l->addr, sizeof(l->addr), "%.32s", hex);
	l->all_interfaces = zero;
	l->loopback = loop;
	/* ::ffff:127.x.x.x mapped addresses count as loopback too */
	if (!strncmp(hex, "0000000000000000FFFF0000", 24) && !strncmp(hex + 30, "7F", 2))
		l->loopback = true;
}

static uint32_t read_listens(struct sock **out)
{
	uint32_t n = 0, cap = 0;
	*out = NULL;
	static const char *const files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
	for (int f = 0; f < 2; f++) {
		FILE *fp = fopen(files[f], "re");
		if (!fp)
			continue;
		char line[512];
		if (!fgets(line, sizeof(line), fp)) { /* header */
			fclose(fp);
			continue;
		}
		while (fgets(line, sizeof(line), fp)) {
			char local[64], remote[64], st[8];
			unsigned long long inode = 0;
			/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
			if (sscanf(line, "%*s %63s %63s %7s %*s %*s %*s %*s %*s %llu", local, remote, st, &inode) != 4)
				continue;
			if (strcmp(st, "0A") || !inode) /* LISTEN */
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				*out = xreallocarray(*out, cap, sizeof(**out));
			}
			memset(&(*out)[n], 0, sizeof(**out));
			(*out)[n].inode = inode;
			parse_addr(local, f == 1, &(*out)[n].l);
			n++;
		}
		fclose(fp);
	}
	return n;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

uint64_t proc_start_time(int pid)
{
	char path[64], text[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold spaces and ')', so the
	 * fields are counted from its last ')'; state is field 3, starttime 22 */
	const char *p = strrchr(text, ')');
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0;
	p += 2;
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return 0;
		p++;
	}
	char *end;
	unsigned long long v = strtoull(p, &end, 10);
	return end != p ? (uint64_t)v : 0;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct proc_info *x = a, *y = b;
	return x->pid - y->pid;
}

uint32_t proc_list_go(struct proc_info **out)
{
	struct sock *socks;
	uint32_t nsocks = read_listens(&socks);
	uint32_t n = 0, cap = 0;
	*out = NULL;
	DIR *d = opendir("/proc");
	if (!d) {
		free(socks);
		return 0;
	}
	struct dirent *e;
	char path[512];
	while ((e = readdir(d))) {
		if (!all_digits(e->d_name))
			continue;
		int pid = atoi(e->d_name);
		snprintf(path, sizeof(path), "/proc/%d/exe", pid);
		struct proc_info pi;
		memset(&pi, 0, sizeof(pi));
		pi.pid = pid;
		if (!proc_go_buildinfo(path, pi.go_version, sizeof(pi.go_version), pi.module, sizeof(pi.module)))
			continue;
		ssize_t k = readlink(path, pi.exe, sizeof(pi.exe) - 1);
		pi.exe[k > 0 ? k : 0] = '\0';
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		FILE *fp = fopen(path, "re");
		if (fp) {
			if (fgets(pi.name, sizeof(pi.name), fp))
				pi.name[strcspn(pi.name, "\n")] = '\0';
			fclose(fp);
		}
		/* its sockets: fd links "socket:[INODE]" matched with the listeners */
		snprintf(path, sizeof(path), "/proc/%d/fd", pid);
		DIR *fd = opendir(path);
		struct dirent *f;
		while (fd && (f = readdir(fd))) {
			char link[64], target[64];
			snprintf(link, sizeof(link), "/proc/%d/fd/%.20s", pid, f->d_name);
			ssize_t t = readlink(link, target, sizeof(target) - 1);
			if (t <= 0)
				continue;
			target[t] = '\0';
			unsigned long long inode;
			if (sscanf(target, "socket:[%llu]", &inode) != 1)
				continue;
			for (uint32_t s = 0; s < nsocks && pi.nlistens < PROC_MAX_PORTS; s++)
				if (socks[s].inode == inode)
					pi.listens[pi.nlistens++] = socks[s].l;
		}
		if (fd)
			closedir(fd);
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xreallocarray(*out, cap, sizeof(**out));
		}
		(*out)[n++] = pi;
	}
	closedir(d);
	free(socks);
	if (n)
		qsort(*out, n, sizeof(**out), cmp_pid);
	return n;
}
