/* dynlib.c: see dynlib.h. */
#include "common.h"
#include "dynlib.h"

#include <dlfcn.h>
#include <stdlib.h>

static void load(struct dynlib *lib)
{
#ifdef GOROSCOPE_LINKED
	/* Built with DLOPEN=0: the library is linked, its symbols are in the
	 * program's own namespace. */
	void *h = RTLD_DEFAULT;
	const bool linked = true;
#else
	/* RTLD_LOCAL: the library's symbols stay out of the global namespace;
	 * RTLD_NOW: a missing dependency shows here, not at a first call. */
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	const bool linked = false;
#endif
	if (!h && !linked) {
		const char *why = dlerror();
		err_set(&lib->err, ST_IO, 0, 0, "cannot load %s (Debian package %s): %s", lib->soname, lib->package,
			why ? why : "unknown reason");
		return;
	}
	void **addrs = calloc(lib->n, sizeof(*addrs));
	if (!addrs)
		abort();
	for (size_t i = 0; i < lib->n; i++) {
		addrs[i] = dlsym(h, lib->names[i]);
		if (!addrs[i]) {
			err_set(&lib->err, ST_IO, 0, 0, "%s has no function %s: a version too old (Debian package %s)",
				lib->soname, lib->names[i], lib->package);
			free(addrs);
			if (!linked)
				dlclose(h);
			return;
		}
	}
	lib->fill(addrs);
	free(addrs);
	lib->ok = true; /* the handle stays open for the life of the process */
}

bool dynlib_load(struct dynlib *lib, struct err *err)
{
	pthread_mutex_lock(&lib->lock);
	if (!lib->tried) {
		load(lib);
		lib->tried = true;
	}
	bool ok = lib->ok;
	if (!ok && err)
		*err = lib->err;
	pthread_mutex_unlock(&lib->lock);
	return ok;
}
