/* SPDX-License-Identifier: GPL-2.0-or-later
 * iothrun: run an unmodified program on an ioth stack.
 *
 *   iothrun [-s STACK] [-v VNL] [-c CONFIG] [-r RESOLVCONF] [-l LIB] [-d] [--] PROGRAM [ARG...]
 *   iothrun CONFIG PROGRAM [ARG...]
 *
 * CONFIG is an iothconf string ("stack=ustack,vnl=vde:///tmp/sw,eth,
 * ip=198.18.0.5/24,gw=198.18.0.1,dns=198.18.0.1"); -s and -v add its
 * stack= and vnl=. iothrun puts the preload library libiothrun.so in
 * LD_PRELOAD, the configuration in IOTHRUN_CONF, and executes PROGRAM: the
 * library makes the stack when the program starts and moves its sockets
 * and name lookups there. See iothrun(1) and docs/iothrun.md.
 *
 * Exit status: PROGRAM's; 1 usage; 125 the stack could not be made (by
 * the library, in the program's process); 126/127 PROGRAM could not be
 * executed / found (as env(1)). */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LIBNAME "libiothrun.so"

static void usage(void) {
	fprintf(stderr,
			"usage: iothrun [-s STACK] [-v VNL] [-c CONFIG] [-r RESOLVCONF] [-l LIB] [-o OPTIONS] [-d] [--] PROGRAM [ARG...]\n"
			"       iothrun CONFIG PROGRAM [ARG...]\n"
			"  CONFIG  an iothconf string, e.g. stack=ustack,vnl=vde:///tmp/sw,eth,ip=198.18.0.5/24,dns=198.18.0.1\n"
			"  -s STACK       the stack plugin (adds stack=STACK)\n"
			"  -v VNL         the VDE network (adds vnl=VNL)\n"
			"  -c CONFIG      the rest of the configuration (eth, dhcp, ip=, gw=, dns=...)\n"
			"  -r RESOLVCONF  resolver configuration file (default: from CONFIG, else /etc/resolv.conf)\n"
			"  -l LIB         the preload library (default: $IOTHRUN_LIB, else next to iothrun)\n"
			"  -o OPTIONS     the stack's own options, e.g. pcap=FILE for ustack (IOTHRUN_STACKOPTS)\n"
			"  -d             trace on stderr what goes to the stack (IOTHRUN_DEBUG=1)\n");
	exit(1);
}

static int readable(const char *path) {
	return path && access(path, R_OK) == 0;
}

/* The preload library: -l, $IOTHRUN_LIB, our own directory (the build
 * tree), then the installed place relative to our own (so a moved
 * installation works), then the configured absolute one. */
static char *find_lib(const char *opt) {
	static char path[PATH_MAX];
	if (opt)
		return readable(opt) ? realpath(opt, NULL) : NULL;
	const char *env = getenv("IOTHRUN_LIB");
	if (env && *env)
		return readable(env) ? realpath(env, NULL) : NULL;
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		char *dir = dirname(self);
		snprintf(path, sizeof(path), "%s/%s", dir, LIBNAME);
		if (readable(path))
			return realpath(path, NULL);
		snprintf(path, sizeof(path), "%s/%s/%s", dir, IOTHRUN_RELLIB, LIBNAME);
		if (readable(path))
			return realpath(path, NULL);
	}
	snprintf(path, sizeof(path), "%s/%s", IOTHRUN_LIBDIR, LIBNAME);
	return readable(path) ? strdup(path) : NULL;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
/* A sanitizer build of iothrun runs a sanitizer build of the library: its
 * runtime must come first in the program too. Preload the ones we run on. */
static int add_runtime(struct dl_phdr_info *info, size_t size, void *arg) {
	char **list = arg;
	const char *name = info->dlpi_name;
	if (name == NULL || *name == '\0')
		return 0;
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (strncmp(base, "libasan.so", 10) && strncmp(base, "libubsan.so", 11) &&
			strncmp(base, "libtsan.so", 10))
		return 0;
	size_t len = (*list ? strlen(*list) + 1 : 0) + strlen(name) + 1;
	char *s = malloc(len);
	if (s == NULL)
		return 1;
	snprintf(s, len, "%s%s%s", *list ? *list : "", *list ? ":" : "", name);
	free(*list);
	*list = s;
	return 0;
}
#endif

static char *preload_list(const char *lib) {
	char *runtimes = NULL;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	/* the shim that lets libvdeplug load its modules (tools/iothrun/
	 * CMakeLists.txt) must come before the runtime, which then may not
	 * check that it is first */
	char shim[PATH_MAX];
	snprintf(shim, sizeof(shim), "%s", lib);
	char *slash = strrchr(shim, '/');
	if (slash) {
		snprintf(slash + 1, sizeof(shim) - (size_t) (slash + 1 - shim), "libiothrun-nodeepbind.so");
		if (readable(shim)) {
			runtimes = strdup(shim);
			const char *old = getenv("ASAN_OPTIONS");
			char opts[4096];
			snprintf(opts, sizeof(opts), "%s%sverify_asan_link_order=0", old ? old : "",
					old && *old ? ":" : "");
			setenv("ASAN_OPTIONS", opts, 1);
		}
	}
	dl_iterate_phdr(add_runtime, &runtimes);
#endif
	const char *old = getenv("LD_PRELOAD");
	size_t len = strlen(lib) + (runtimes ? strlen(runtimes) + 1 : 0) +
		(old && *old ? strlen(old) + 1 : 0) + 1;
	char *s = malloc(len);
	if (s == NULL)
		return NULL;
	snprintf(s, len, "%s%s%s%s%s", runtimes ? runtimes : "", runtimes ? ":" : "", lib,
			old && *old ? ":" : "", old && *old ? old : "");
	free(runtimes);
	return s;
}

/* stack=, vnl= and the rest, comma separated */
static char *make_config(const char *stack, const char *vnl, const char *config) {
	size_t len = 32 + (stack ? strlen(stack) : 0) + (vnl ? strlen(vnl) : 0) +
		(config ? strlen(config) : 0);
	char *s = malloc(len);
	if (s == NULL)
		return NULL;
	s[0] = '\0';
	if (stack)
		snprintf(s + strlen(s), len - strlen(s), "stack=%s", stack);
	if (vnl)
		snprintf(s + strlen(s), len - strlen(s), "%svnl=%s", *s ? "," : "", vnl);
	if (config && *config)
		snprintf(s + strlen(s), len - strlen(s), "%s%s", *s ? "," : "", config);
	return s;
}

int main(int argc, char *argv[]) {
	const char *stack = NULL, *vnl = NULL, *config = NULL, *resolvconf = NULL, *lib = NULL, *stackopts = NULL;
	int debug = 0, opt;
	while ((opt = getopt(argc, argv, "+s:v:c:r:l:o:dh")) != -1) {
		switch (opt) {
		case 's': stack = optarg; break;
		case 'v': vnl = optarg; break;
		case 'c': config = optarg; break;
		case 'r': resolvconf = optarg; break;
		case 'l': lib = optarg; break;
		case 'd': debug = 1; break;
		case 'o': stackopts = optarg; break;
		default: usage();
		}
	}
	/* iothrun CONFIG PROGRAM ...: a first word with '=' is the configuration */
	if (config == NULL && stack == NULL && optind < argc && strchr(argv[optind], '=') &&
			argv[optind][0] != '/' && argv[optind][0] != '.')
		config = argv[optind++];
	if (optind >= argc)
		usage();
	char *conf = make_config(stack, vnl, config);
	if (conf == NULL || strstr(conf, "stack=") == NULL) {
		fprintf(stderr, "iothrun: no stack: give -s STACK or stack= in CONFIG\n");
		return 1;
	}
	char *libpath = find_lib(lib);
	if (libpath == NULL) {
		fprintf(stderr, "iothrun: cannot find %s (use -l or IOTHRUN_LIB)\n", lib ? lib : LIBNAME);
		return 1;
	}
	char *preload = preload_list(libpath);
	if (preload == NULL || setenv("LD_PRELOAD", preload, 1) < 0 ||
			setenv("IOTHRUN_CONF", conf, 1) < 0 ||
			(resolvconf && setenv("IOTHRUN_RESOLVCONF", resolvconf, 1) < 0) ||
			(debug && setenv("IOTHRUN_DEBUG", "1", 1) < 0) ||
			(stackopts && setenv("IOTHRUN_STACKOPTS", stackopts, 1) < 0)) {
		perror("iothrun");
		return 1;
	}
	if (debug)
		fprintf(stderr, "iothrun: LD_PRELOAD=%s IOTHRUN_CONF=%s\n", preload, conf);
	execvp(argv[optind], argv + optind);
	int err = errno;
	fprintf(stderr, "iothrun: %s: %s\n", argv[optind], strerror(err));
	return err == ENOENT ? 127 : 126;
}
