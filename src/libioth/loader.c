/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Plugin loader.
 *
 * Search path, first match wins: each directory of $IOTH_PLUGIN_PATH
 * (colon separated; for tests and development), then $HOME/.ioth, then
 * <the directory of libioth.so>/ioth (an installed copy, wherever it is;
 * for the libioth.so of a build tree, the build tree's plugins), then the
 * configured <libdir>/ioth. In each directory ioth_NAME-r.so (reentrant:
 * dlopen, one copy serves every stack) is tried before ioth_NAME.so (not
 * reentrant: dlmopen(LM_ID_NEWLM), a private copy with its own globals per
 * stack).
 *
 * errno on failure, as the original libioth: ENOTSUP no such plugin,
 * ENOENT plugin without ioth_NAME_newstack; and EINVAL for a name with a
 * '/', ENOEXEC for a plugin file that exists but does not load (missing
 * library, wrong architecture), EPERM for a license refusal. Set
 * IOTH_DEBUG=1 to have the reason printed on stderr. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

#ifndef IOTH_PLUGIN_DIR
#define IOTH_PLUGIN_DIR "/usr/local/lib/ioth"
#endif

__attribute__((format(printf, 1, 2)))
static void loader_debug(const char *fmt, ...) {
	const char *dbg = getenv("IOTH_DEBUG");
	if (dbg && *dbg && strcmp(dbg, "0") != 0) {
		va_list ap;
		va_start(ap, fmt);
		fprintf(stderr, "ioth: ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
}

/* Try one directory. Return the handle, or NULL; *found is set when a
 * plugin file exists there (even if it failed to load). */
static void *try_dir(const char *dir, size_t dirlen, const char *name, int *found) {
	static const struct {
		const char *suffix;
		int newlm;
	} kinds[] = {{"-r.so", 0}, {".so", 1}};
	char path[PATH_MAX];
	for (size_t k = 0; k < 2; k++) {
		int n = snprintf(path, sizeof(path), "%.*s/ioth_%s%s", (int) dirlen, dir, name,
				kinds[k].suffix);
		if (n < 0 || (size_t) n >= sizeof(path) || access(path, F_OK) != 0)
			continue;
		*found = 1;
		void *h = kinds[k].newlm ? dlmopen(LM_ID_NEWLM, path, RTLD_NOW | RTLD_LOCAL)
			: dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (h)
			return h;
		loader_debug("cannot load %s: %s", path, dlerror());
	}
	return NULL;
}

/* The plugins next to this libioth.so: <its directory>/ioth, or for the
 * library of a build tree that build tree's plugin directory. */
static int own_plugin_dir(char *dir, size_t size) {
	Dl_info info;
	if (dladdr((void *) own_plugin_dir, &info) == 0 || info.dli_fname == NULL)
		return 0;
	const char *slash = strrchr(info.dli_fname, '/');
	if (slash == NULL)
		return 0;
	int len = (int) (slash - info.dli_fname);
#if defined(IOTH_BUILD_LIBDIR) && defined(IOTH_BUILD_PLUGIN_DIR)
	char real[PATH_MAX], build[PATH_MAX];
	snprintf(dir, size, "%.*s", len, info.dli_fname);
	if (realpath(dir, real) && realpath(IOTH_BUILD_LIBDIR, build) && strcmp(real, build) == 0) {
		snprintf(dir, size, "%s", IOTH_BUILD_PLUGIN_DIR);
		return 1;
	}
#endif
	int n = snprintf(dir, size, "%.*s/ioth", len, info.dli_fname);
	return n > 0 && (size_t) n < size;
}

static void *plugin_open(const char *name) {
	int found = 0;
	void *h;
	const char *list = getenv("IOTH_PLUGIN_PATH");
	while (list && *list) {
		const char *colon = strchr(list, ':');
		size_t len = colon ? (size_t) (colon - list) : strlen(list);
		if (len > 0 && (h = try_dir(list, len, name, &found)))
			return h;
		list = colon ? colon + 1 : NULL;
	}
	const char *home = getenv("HOME");
	if (home && *home) {
		char dir[PATH_MAX];
		int n = snprintf(dir, sizeof(dir), "%s/.ioth", home);
		if (n > 0 && (size_t) n < sizeof(dir) && (h = try_dir(dir, (size_t) n, name, &found)))
			return h;
	}
	char own[PATH_MAX] = "";
	if (!own_plugin_dir(own, sizeof(own)))
		own[0] = '\0';
	if (own[0] && (h = try_dir(own, strlen(own), name, &found)))
		return h;
	if ((h = try_dir(IOTH_PLUGIN_DIR, strlen(IOTH_PLUGIN_DIR), name, &found)))
		return h;
	if (!found) {
		/* say where we looked: the usual mistake is a plugin path not set */
		char dirs[3 * PATH_MAX];
		const char *env = getenv("IOTH_PLUGIN_PATH");
		snprintf(dirs, sizeof(dirs), "%s%s%s%s/.ioth, %s%s%s", env && *env ? "" : "(IOTH_PLUGIN_PATH unset) ",
				env && *env ? env : "", env && *env ? ", " : "", home && *home ? home : "~",
				own, own[0] ? ", " : "", IOTH_PLUGIN_DIR);
		loader_debug("no plugin named %s (ioth_%s-r.so or ioth_%s.so) in: %s; "
				"set IOTH_PLUGIN_PATH to the directory of the plugins (in a build tree: build/plugins)",
				name, name, name, dirs);
	}
	errno = found ? ENOEXEC : ENOTSUP;
	return NULL;
}

/* With IOTH_DEBUG, why a plugin could not make a stack on its VNLs: the
 * usual case is a vde:// switch that is not running. */
void ioth_newstack_explain(const char *name, const char *vnlv[], int err) {
	for (int i = 0; vnlv && vnlv[i] && err == ENOENT; i++) {
		const char *vnl = vnlv[i], *colon = strchr(vnl, ':');
		/* "IFNAME:vde:///path" names the interface */
		if (colon && colon[1] != '/' && strstr(colon, "://"))
			vnl = colon + 1;
		const char *path = strncmp(vnl, "vde://", 6) == 0 ? vnl + 6 : vnl[0] == '/' ? vnl : NULL;
		struct stat sb;
		if (path && *path && stat(path, &sb) < 0)
			loader_debug("stack %s: no VDE switch at %s: start one, e.g. vde_plug null:// switch://%s &",
					name, path, path);
	}
}

static void *plugin_sym(void *handle, const char *name, const char *what) {
	char sym[256];
	int n = snprintf(sym, sizeof(sym), "ioth_%s_%s", name, what);
	if (n < 0 || (size_t) n >= sizeof(sym))
		return NULL;
	return dlsym(handle, sym);
}

int ioth_plugin_load(struct ioth *st, const char *name) {
	if (*name == '\0' || strchr(name, '/') || strlen(name) > 200)
		return errno = EINVAL, -1;
	void *h = plugin_open(name);
	if (h == NULL)
		return -1;
	const char *const *license = plugin_sym(h, name, "license");
	if (license && !ioth_license_compatible(ioth_program_license(), *license)) {
		loader_debug("plugin %s (%s) refused: declare a compatible license with ioth_set_license",
				name, *license);
		dlclose(h);
		return errno = EPERM, -1;
	}
	st->handle = h;
	/* The by-name lookup, in the order of struct ioth_functions. */
#define BYNAME(X) st->f.X = (typeof(st->f.X)) plugin_sym(h, name, #X)
	BYNAME(newstack);
	BYNAME(delstack);
	BYNAME(socket);
	BYNAME(close);
	BYNAME(bind);
	BYNAME(connect);
	BYNAME(listen);
	BYNAME(accept);
	BYNAME(getsockname);
	BYNAME(getpeername);
	BYNAME(setsockopt);
	BYNAME(getsockopt);
	BYNAME(shutdown);
	BYNAME(ioctl);
	BYNAME(fcntl);
	BYNAME(read);
	BYNAME(readv);
	BYNAME(recv);
	BYNAME(recvfrom);
	BYNAME(recvmsg);
	BYNAME(write);
	BYNAME(writev);
	BYNAME(send);
	BYNAME(sendto);
	BYNAME(sendmsg);
#undef BYNAME
	if (st->f.newstack == NULL) {
		loader_debug("plugin %s has no ioth_%s_newstack", name, name);
		dlclose(h);
		st->handle = NULL;
		return errno = ENOENT, -1;
	}
	return 0;
}

void ioth_plugin_unload(struct ioth *st) {
	if (st->handle)
		dlclose(st->handle);
	st->handle = NULL;
}
