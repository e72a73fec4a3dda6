/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libiothrun: the preload library of iothrun(1). Its constructor makes the
 * process's stack from the iothconf string in $IOTHRUN_CONF; sockets.c and
 * names.c interpose libc's socket and name-resolution calls onto it.
 *
 * This file: the stack and the resolver, the libc functions underneath,
 * the set of ioth descriptors, the "is the caller one of ours" test. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ioth.h>
#include <iothconf.h>
#include <iothdns.h>
#include "iothrun_int.h"
#include "../../src/util/fdtab.h"

/* Exit status when the stack cannot be made: as env(1) and timeout(1) use
 * 125 for "the tool itself failed". The program must not run on the host's
 * network by mistake. */
#define IOTHRUN_EXIT_NOSTACK 125

struct ioth *iothrun_stack;
struct iothdns *iothrun_dns;
int iothrun_debug;
/* what sockets.c does at the end of the process, before the stack goes */
static void (*at_exit)(void);
__thread int iothrun_inside __attribute__((tls_model("initial-exec")));
struct libc_fns libc;

void iothrun_log(const char *fmt, ...) {
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t) n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	/* straight to libc: stderr may be anything, even a socket of ours */
	int saved = errno;
	if (libc.write)
		libc.write(STDERR_FILENO, buf, (size_t) n);
	errno = saved;
}

/* ------------------------------------------------------------ libc */

#define RESOLVE(field, name) libc.field = (__typeof__(libc.field)) dlsym(RTLD_NEXT, name)

static void resolve_libc_once(void) {
	RESOLVE(socket, "socket");
	RESOLVE(bind, "bind");
	RESOLVE(connect, "connect");
	RESOLVE(listen, "listen");
	RESOLVE(accept, "accept");
	RESOLVE(accept4, "accept4");
	RESOLVE(getsockname, "getsockname");
	RESOLVE(getpeername, "getpeername");
	RESOLVE(setsockopt, "setsockopt");
	RESOLVE(getsockopt, "getsockopt");
	RESOLVE(shutdown, "shutdown");
	RESOLVE(send, "send");
	RESOLVE(sendto, "sendto");
	RESOLVE(sendmsg, "sendmsg");
	RESOLVE(recv, "recv");
	RESOLVE(recvfrom, "recvfrom");
	RESOLVE(recvmsg, "recvmsg");
	RESOLVE(read, "read");
	RESOLVE(write, "write");
	RESOLVE(readv, "readv");
	RESOLVE(writev, "writev");
	RESOLVE(close, "close");
	RESOLVE(ioctl, "ioctl");
	RESOLVE(fcntl, "fcntl");
	RESOLVE(fcntl64, "fcntl64");
	RESOLVE(dup, "dup");
	RESOLVE(dup2, "dup2");
	RESOLVE(dup3, "dup3");
	RESOLVE(close_range, "close_range");
	RESOLVE(closefrom, "closefrom");
	RESOLVE(read_chk, "__read_chk");
	RESOLVE(recv_chk, "__recv_chk");
	RESOLVE(recvfrom_chk, "__recvfrom_chk");
	RESOLVE(getaddrinfo, "getaddrinfo");
	RESOLVE(getnameinfo, "getnameinfo");
	RESOLVE(gethostbyname, "gethostbyname");
	RESOLVE(gethostbyname2, "gethostbyname2");
	RESOLVE(gethostbyname_r, "gethostbyname_r");
	RESOLVE(gethostbyname2_r, "gethostbyname2_r");
	RESOLVE(getifaddrs, "getifaddrs");
	RESOLVE(freeifaddrs, "freeifaddrs");
	RESOLVE(if_nametoindex, "if_nametoindex");
	RESOLVE(if_indextoname, "if_indextoname");
	RESOLVE(if_nameindex, "if_nameindex");
	if (libc.fcntl64 == NULL)
		libc.fcntl64 = libc.fcntl;
}

void iothrun_resolve_libc(void) {
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, resolve_libc_once);
}

/* ------------------------------------------------------------ the stack */

static atomic_int ready;
static pid_t creator;
static void take_ranges(void);

static struct iothdns *make_resolver(struct ioth *st) {
	const char *path = getenv("IOTHRUN_RESOLVCONF");
	if (path && *path)
		return iothdns_init(st, (char *) path);
	/* the servers the configuration gave (dns=, DHCP, RDNSS), else the
	 * host's /etc/resolv.conf, asked through the stack */
	char *text = ioth_resolvconf(st, NULL);
	struct iothdns *dns;
	if (text && *text)
		dns = iothdns_init_strcfg(st, text);
	else
		dns = iothdns_init(st, NULL);
	free(text);
	return dns;
}

/* Has every IPv6 address of the stack finished duplicate address detection?
 * A tentative address cannot be bound (EADDRNOTAVAIL, RFC 4862 5.4). */
static int dad_done(struct ioth *st) {
	struct ifaddrs *list;
	if (ioth_getifaddrs(st, &list) < 0)
		return 1;
	int done = 1;
	for (struct ifaddrs *ifa = list; ifa && done; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET6)
			continue;
		struct sockaddr_in6 sin6;
		memcpy(&sin6, ifa->ifa_addr, sizeof(sin6));
		sin6.sin6_port = 0;
		if (IN6_IS_ADDR_LINKLOCAL(&sin6.sin6_addr) && sin6.sin6_scope_id == 0) {
			int idx = ioth_if_nametoindex(st, ifa->ifa_name);
			sin6.sin6_scope_id = idx > 0 ? (uint32_t) idx : 0;
		}
		int fd = ioth_msocket(st, AF_INET6, SOCK_DGRAM, 0);
		if (fd < 0)
			break;
		if (ioth_bind(fd, (struct sockaddr *) &sin6, sizeof(sin6)) < 0 && errno == EADDRNOTAVAIL)
			done = 0;
		ioth_close(fd);
	}
	ioth_freeifaddrs(list);
	return done;
}

/* A program expects its addresses usable when it starts, as a host's are
 * once its network is "up": wait (up to $IOTHRUN_DADWAIT seconds, default
 * 5) for the IPv6 addresses to leave the tentative state. */
static void wait_dad(struct ioth *st) {
	const char *env = getenv("IOTHRUN_DADWAIT");
	int ticks = (int) ((env && *env ? atof(env) : 5.0) * 20);
	for (int i = 0; i < ticks && !dad_done(st); i++) {
		struct timespec tick = {0, 50 * 1000 * 1000};
		nanosleep(&tick, NULL);
	}
}

/* What to do about a stack that could not be made: the usual causes are a
 * switch that is not running and plugins that are not found. */
static void stack_hint(const char *conf, int err) {
	if (err == ENOENT) {
		const char *v = strstr(conf, "vnl=");
		if (v == NULL)
			return;
		v += 4;
		char vnl[512];
		snprintf(vnl, sizeof(vnl), "%.*s", (int) strcspn(v, ",; \t"), v);
		const char *path = strncmp(vnl, "vde://", 6) == 0 ? vnl + 6 : vnl[0] == '/' ? vnl : NULL;
		struct stat sb;
		if (path && *path && stat(path, &sb) < 0)
			iothrun_log("iothrun: no VDE switch at %s: start one, e.g. `vde_plug null:// switch://%s &`",
					path, path);
	} else if (err == EOPNOTSUPP)
		iothrun_log("iothrun: no such stack plugin: set IOTH_PLUGIN_PATH to the directory of the "
				"plugins (in a build tree: build/plugins); IOTH_DEBUG=1 lists the directories searched");
}

/* -d: the addresses the stack has (static, DHCP, SLAAC...). */
static void log_addrs(struct ioth *st) {
	struct ifaddrs *ifa;
	if (ioth_getifaddrs(st, &ifa) < 0)
		return;
	for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
		if (p->ifa_addr == NULL || (p->ifa_addr->sa_family != AF_INET &&
				p->ifa_addr->sa_family != AF_INET6))
			continue;
		char a[INET6_ADDRSTRLEN];
		int af = p->ifa_addr->sa_family, plen = 0;
		const void *addr = af == AF_INET ? (void *) &((struct sockaddr_in *) p->ifa_addr)->sin_addr
			: (void *) &((struct sockaddr_in6 *) p->ifa_addr)->sin6_addr;
		if (p->ifa_netmask) {
			const uint8_t *m = af == AF_INET ? (void *) &((struct sockaddr_in *) p->ifa_netmask)->sin_addr
				: (void *) &((struct sockaddr_in6 *) p->ifa_netmask)->sin6_addr;
			for (int i = 0; i < (af == AF_INET ? 4 : 16); i++)
				plen += __builtin_popcount(m[i]);
		}
		if (inet_ntop(af, addr, a, sizeof(a)))
			iothrun_log("iothrun[%d]: %s %s/%d", (int) getpid(), p->ifa_name ? p->ifa_name : "?", a, plen);
	}
	ioth_freeifaddrs(ifa);
}

/* $IOTHRUN_STACKOPTS (iothrun -o): the stack's own options (ustack: pcap=FILE,
 * mtu=N...), which an iothconf string cannot carry: the stack is made with
 * ioth_newstack("NAME,OPTIONS", VNL), then configured with the rest of the
 * string, as ioth_newstackc does. */
static struct ioth *newstack_opts(const char *conf, const char *opts) {
	char *dup = strdup(conf), *rest = malloc(strlen(conf) + 1);
	char *name = NULL, *vnl = NULL, *save = NULL;
	struct ioth *st = NULL;
	if (dup == NULL || rest == NULL) {
		errno = ENOMEM;
		goto out;
	}
	rest[0] = 0;
	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strncmp(t, "stack=", 6) == 0)
			name = t + 6;
		else if (strncmp(t, "vnl=", 4) == 0)
			vnl = t + 4;
		else {
			if (rest[0])
				strcat(rest, ",");
			strcat(rest, t);
		}
	}
	if (name == NULL) {
		errno = EINVAL;
		goto out;
	}
	size_t n = strlen(name) + strlen(opts) + 2;
	char *full = malloc(n);
	if (full == NULL) {
		errno = ENOMEM;
		goto out;
	}
	snprintf(full, n, "%s,%s", name, opts);
	st = ioth_newstack(full, vnl);
	free(full);
	if (st && rest[0] && ioth_config(st, rest) < 0) {
		int e = errno;
		ioth_delstack(st);
		st = NULL;
		errno = e;
	}
out:
	free(dup);
	free(rest);
	return st;
}

static void make_stack(void) {
	iothrun_resolve_libc();
	const char *conf = getenv("IOTHRUN_CONF");
	if (conf == NULL || *conf == '\0')
		return;
	iothrun_debug = getenv("IOTHRUN_DEBUG") && *getenv("IOTHRUN_DEBUG") && strcmp(getenv("IOTHRUN_DEBUG"), "0");
	/* before the stack registers its fork handlers (ustack's child handler
	 * frees): in a sanitizer build, libasan's locks are held around fork
	 * by the first handler registered, released before any other runs */
	iothrun_asan_fork_init();
	if (iothrun_attach(conf) == 0) {
		/* exec'd by a process on a shared stack: that one */
		take_ranges();
		atomic_store_explicit(&ready, 1, memory_order_release);
		return;
	}
	/* the descriptors the stack makes are its own (closefrom keeps them) */
	enum { SCAN = 1024 };
	static unsigned char before[SCAN];
	for (int fd = 0; fd < SCAN; fd++)
		before[fd] = libc.fcntl(fd, F_GETFD) >= 0;
	iothrun_inside++;
	const char *opts = getenv("IOTHRUN_STACKOPTS");
	struct ioth *st = opts && *opts ? newstack_opts(conf, opts) : ioth_newstackc(conf);
	if (st == NULL) {
		int err = errno;
		iothrun_inside--;
		iothrun_log("iothrun: cannot create the stack \"%s\": %s", conf, strerror(err));
		stack_hint(conf, err);
		_exit(IOTHRUN_EXIT_NOSTACK);
	}
	wait_dad(st);
	struct iothdns *dns = make_resolver(st);
	if (iothrun_debug)
		log_addrs(st);
	iothrun_inside--;
	if (dns == NULL)
		iothrun_log("iothrun: no resolver (%s): names will not resolve", strerror(errno));
	take_ranges();
	for (int fd = 0; fd < SCAN; fd++)
		if (!before[fd] && libc.fcntl(fd, F_GETFD) >= 0 && !fdset_get(fd))
			iothrun_protect(fd, 1);
	creator = getpid();
	iothrun_stack = st;
	iothrun_dns = dns;
	/* for the programs a forked child executes (shared.c, iothrun_attach) */
	{
		const char *door = iothrun_shared_door();
		size_t n = strlen(conf) + strlen(door) + 32;
		char *v = malloc(n);
		if (v) {
			snprintf(v, n, "%d %s %s", (int) creator, *door ? door : "-", conf);
			setenv("IOTHRUN_SHARED", v, 1);
			free(v);
		}
	}
	if (iothrun_debug)
		iothrun_log("iothrun[%d]: stack \"%s\" ready", (int) getpid(), conf);
	atomic_store_explicit(&ready, 1, memory_order_release);
}

int iothrun_ready(void) {
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	if (atomic_load_explicit(&ready, memory_order_acquire))
		return 1;
	/* a call made while the stack is being made (by the ioth libraries,
	 * in this thread) is the kernel's: pthread_once would deadlock */
	if (iothrun_inside)
		return 0;
	pthread_once(&once, make_stack);
	return atomic_load_explicit(&ready, memory_order_acquire);
}

int iothrun_ready_quiet(void) {
	return atomic_load_explicit(&ready, memory_order_acquire);
}

void iothrun_on_exit(void (*fn)(void)) {
	at_exit = fn;
}

int iothrun_is_creator(void) {
	return getpid() == creator;
}

__attribute__((constructor)) static void iothrun_init(void) {
	if (iothrun_ready())
		iothrun_shared_init();
}

/* At exit the stack is deleted, its sockets first: vdestack's helper process
 * would otherwise outlive the program. Only in the process that made it: a
 * forked child shares the parent's vdestack helper. (A program that ends
 * with _exit or a signal skips this.) */
__attribute__((destructor)) static void iothrun_fini(void) {
	if (!atomic_load(&ready) || getpid() != creator)
		return;
	/* exit() from a signal handler that interrupted one of our calls: the
	 * stack may be locked by this very thread, leave it to the kernel */
	if (iothrun_inside)
		return;
	iothrun_shared_fini();
	if (at_exit)
		at_exit();
	iothrun_inside++;
	if (iothrun_dns)
		iothdns_fini(iothrun_dns);
	iothrun_dns = NULL;
	if (ioth_delstack(iothrun_stack) == 0)
		iothrun_stack = NULL;
	else if (iothrun_debug)
		iothrun_log("iothrun: delstack at exit: %s", strerror(errno));
	iothrun_inside--;
}

/* ------------------------------------------------------------ callers */

static const char *const internal_objects[] = {
	"libioth.so", "libiothconf.so", "libiothdns.so", "ioth_", "libvdestack.so",
	"libvdeplug.so", "libvdeplug_",
};

static int name_in(const char *path, const char *const *list, size_t n);

static int internal_name(const char *path) {
	return name_in(path, internal_objects, sizeof(internal_objects) / sizeof(internal_objects[0]));
}

/* The code segments of the ioth libraries, taken once the stack is made
 * (its plugin and their libraries are loaded by then): checking a return
 * address is then a few comparisons, cheap enough for every read. */
#define MAX_RANGES 64
static struct range {
	uintptr_t start, end;
} ranges[MAX_RANGES];
static atomic_int nranges;

/* Sanitizer builds: the sanitizer runtime comes before us in LD_PRELOAD, so
 * every call reaches us through its interceptor, and the return address is
 * the interceptor's. There the caller is found by unwinding past the
 * runtime's frames and ours. */
static const char *const passthrough_objects[] = {
	"libasan.so", "libubsan.so", "libtsan.so", "libiothrun.so",
};
static struct range passranges[MAX_RANGES];
static atomic_int npassranges;

static int name_in(const char *path, const char *const *list, size_t n) {
	if (path == NULL)
		return 0;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	for (size_t i = 0; i < n; i++)
		if (strncmp(base, list[i], strlen(list[i])) == 0)
			return 1;
	return 0;
}

static int code_ranges(struct dl_phdr_info *info, struct range *r, int n) {
	for (int i = 0; i < info->dlpi_phnum && n < MAX_RANGES; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		r[n].start = info->dlpi_addr + ph->p_vaddr;
		r[n].end = r[n].start + ph->p_memsz;
		n++;
	}
	return n;
}

static int add_ranges(struct dl_phdr_info *info, size_t size, void *arg) {
	int *n = arg;
	if (internal_name(info->dlpi_name))
		n[0] = code_ranges(info, ranges, n[0]);
	else if (name_in(info->dlpi_name, passthrough_objects,
				sizeof(passthrough_objects) / sizeof(passthrough_objects[0])))
		n[1] = code_ranges(info, passranges, n[1]);
	return 0;
}

static void take_ranges(void) {
	int n[2] = {0, 0};
	dl_iterate_phdr(add_ranges, n);
	atomic_store_explicit(&npassranges, n[1], memory_order_release);
	atomic_store_explicit(&nranges, n[0], memory_order_release);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	void *frames[2];
	backtrace(frames, 2);   /* load the unwinder now, not inside a wrapper */
#endif
}

static int in_ranges(const struct range *r, int n, uintptr_t a) {
	for (int i = 0; i < n; i++)
		if (a >= r[i].start && a < r[i].end)
			return 1;
	return 0;
}

int iothrun_internal_caller(const void *ret) {
	int n = atomic_load_explicit(&nranges, memory_order_acquire);
	if (n > 0) {
		uintptr_t a = (uintptr_t) ret;
		int np = atomic_load_explicit(&npassranges, memory_order_acquire);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
		if (in_ranges(passranges, np, a)) {
			void *frames[12];
			int depth = backtrace(frames, 12);
			for (int i = 0; i < depth; i++) {
				a = (uintptr_t) frames[i];
				if (!in_ranges(passranges, np, a))
					break;
			}
		}
#else
		(void) np;
#endif
		return in_ranges(ranges, n, a);
	}
	/* before the stack is made */
	Dl_info info;
	return dladdr(ret, &info) != 0 && internal_name(info.dli_fname);
}

/* ------------------------------------------------------------ fd set */

/* A struct fdtab (src/util/fdtab.h) of kinds: a lookup (on every
 * read/write of the program) is two loads. Never freed: the program's
 * threads may still call in after our destructor. */
static struct fdtab fdset;

int fdset_get(int fd) {
	return (int) fdtab_get(&fdset, fd);
}

void fdset_set(int fd, int kind) {
	fdtab_set(&fdset, fd, (uintptr_t) (unsigned char) kind);
}

void fdset_clear(int fd) {
	fdtab_take(&fdset, fd);
}

static void foreach_call(int fd, uintptr_t kind, void *arg) {
	(void) kind;
	void (**fn)(int) = arg;
	(*fn)(fd);
}

void fdset_foreach(unsigned int lo, unsigned int hi, void (*fn)(int fd)) {
	fdtab_foreach(&fdset, lo, hi, foreach_call, &fn);
}

/* ------------------------------------------------------------ protected
 * The stack's own descriptors and the shared stack's connections, which
 * closefrom and close_range leave open (sockets.c). */

static pthread_mutex_t protect_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *protected_fds;
static size_t nprotected;

void iothrun_protect(int fd, int on) {
	if (fd < 0)
		return;
	pthread_mutex_lock(&protect_lock);
	if ((size_t) fd >= nprotected && on) {
		size_t n = nprotected ? nprotected : 256;
		while (n <= (size_t) fd)
			n *= 2;
		unsigned char *p = realloc(protected_fds, n);
		if (p) {
			memset(p + nprotected, 0, n - nprotected);
			protected_fds = p;
			nprotected = n;
		}
	}
	if ((size_t) fd < nprotected)
		protected_fds[fd] = (unsigned char) on;
	pthread_mutex_unlock(&protect_lock);
}

/* A child forked by the owner of a ustack: the stack's own descriptors
 * (copies of the owner's: its event loop, its VDE connection...) are closed
 * but keep (the child's connection). The child has one thread: the lock,
 * which another thread of the owner may have held at fork, is made anew. */
void iothrun_close_protected(int keep) {
	pthread_mutex_init(&protect_lock, NULL);
	for (size_t fd = 0; fd < nprotected; fd++)
		if (protected_fds[fd] && (int) fd != keep) {
			protected_fds[fd] = 0;
			libc.close((int) fd);
		}
}

int iothrun_protected(int fd) {
	pthread_mutex_lock(&protect_lock);
	int r = (size_t) fd < nprotected && protected_fds[fd];
	pthread_mutex_unlock(&protect_lock);
	return r;
}
