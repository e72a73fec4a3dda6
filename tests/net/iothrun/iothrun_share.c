/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A program of plain libc calls that forks, run under iothrun on ustack by
 * test_iothrun_share.sh: its forked children use the stack their parent
 * (the stack's owner) serves them (tools/iothrun/shared.c). It knows
 * nothing of ioth. Exit status 0 when every check passed.
 *
 *   iothrun_share restart PORT   a child's blocking recv and a repeating
 *                                SIGALRM: with SA_RESTART it goes on and gets
 *                                the datagram the parent sends later;
 *                                without, EINTR; with SA_RESTART and
 *                                SO_RCVTIMEO set, EINTR (Linux, signal(7))
 *   iothrun_share connect PORT   a child's blocking connect (its SYN dropped
 *                                until the parent makes room) and a
 *                                repeating SIGALRM: SA_RESTART goes on and
 *                                connects; without, EINTR, then EALREADY,
 *                                then 0 once connected, then EISCONN; with
 *                                SA_RESTART and SO_SNDTIMEO, EINTR
 *   iothrun_share ioctl PORT     a child's socket ioctls (FIONREAD,
 *                                SIOCOUTQ, SIOCINQ, SIOCGIFCONF with and
 *                                without a buffer, SIOCGIFINDEX, SIOCGSTAMP,
 *                                SIOCATMARK, SIOCGARP (another shape),
 *                                FIOCLEX/FIONCLEX, FIONBIO, and bad
 *                                argument pointers: NULL, an unmapped page;
 *                                bind, connect, setsockopt with them too;
 *                                read-only memory to the requests that
 *                                write their answer)
 *                                give what its parent's give; the child's
 *                                SIOCGSTAMPNS after its recv: the arrival
 *   iothrun_share orphan PORT    the owner exits while its child waits in a
 *                                blocking recv: the child's calls fail with
 *                                ENETDOWN (no hang, no SIGPIPE); another
 *                                child waiting in its own poll is woken
 *                                (POLLHUP), its recv is ENETDOWN
 *   iothrun_share ifaddrs        a child's getifaddrs, if_nametoindex,
 *                                if_nameindex and if_indextoname give what
 *                                its parent's give (the links of getifaddrs)
 *   iothrun_share resolve NAME ADDR UNKNOWN
 *                                a child's getaddrinfo, getnameinfo and
 *                                gethostbyname through the stack's resolver:
 *                                NAME is ADDR; UNKNOWN fails as in the parent
 *   iothrun_share cmsg PORT SRC  a child's recvmsg gets IP_PKTINFO (and
 *                                MSG_CTRUNC), its sendmsg's IP_PKTINFO sets
 *                                the source address SRC (a local one)
 *   iothrun_share data PORT      bad data buffers in a child (unmapped,
 *                                NULL, read-only, half read-only) given to
 *                                send, sendto, sendmsg, writev, recv,
 *                                recvfrom, recvmsg, readv on its parent's UDP
 *                                and TCP sockets: EFAULT (a datagram that
 *                                could not be written is lost, a stream's
 *                                data stays), then the data that follows
 *                                arrives whole; the child's lines are
 *                                printed, to be compared with the same
 *                                program's on Linux's own sockets */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>

#include "iothrun_test.h"

/* a socket of type bound to a (127.0.0.1 and a port) */
static int bound(int type, const struct sockaddr_in *a) {
	int fd = socket(AF_INET, type, 0);
	CHECK(fd >= 0);
	CHECK(bind(fd, (const struct sockaddr *) a, sizeof(*a)) == 0);
	return fd;
}

static volatile sig_atomic_t ticks;
static void on_alarm(int sig) {
	(void) sig;
	ticks++;
}

enum { RESTART, NO_RESTART, RESTART_TIMEOUT };
static const char *const case_name[] = {"SA_RESTART", "no SA_RESTART", "SA_RESTART + SO_RCVTIMEO"};

/* One case: the parent's UDP socket on 127.0.0.1:port, its forked child
 * blocks in recv on it under a 100 ms SIGALRM; the child tells the parent
 * (a pipe) it is about to wait; the parent sends a datagram a second later
 * when the call should go on. The child's exit status: 0 as Linux. */
static void restart_case(int kind, int port) {
	struct sockaddr_in a = ipv4("127.0.0.1", port);
	int u = bound(SOCK_DGRAM, &a);
	int go[2];
	pid_t pid = fork_writer(go);
	if (pid == 0) {
		struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = kind == NO_RESTART ? 0 : SA_RESTART};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		if (kind == RESTART_TIMEOUT) {
			struct timeval tv = {.tv_sec = 20};
			CHECK(setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0);
		}
		struct itimerval it = {.it_interval = {0, 100000}, .it_value = {0, 100000}};
		setitimer(ITIMER_REAL, &it, NULL);
		char b[16] = "";
		CHECK(write(go[1], "g", 1) == 1);
		ssize_t n = recv(u, b, sizeof(b), 0);
		int e = errno;
		struct itimerval off = {{0, 0}, {0, 0}};
		setitimer(ITIMER_REAL, &off, NULL);
		int good;
		if (kind == RESTART)
			good = n == 5 && memcmp(b, "later", 5) == 0 && ticks > 0;
		else
			good = n < 0 && e == EINTR;
		printf("%s: recv -> %zd (%s), %d handler runs: %s\n", case_name[kind], n,
				n < 0 ? strerror(e) : "data", (int) ticks, good ? "as Linux" : "NOT as Linux");
		fflush(stdout);
		_exit(good ? 0 : 1);
	}
	close(go[1]);
	char g;
	CHECK(read(go[0], &g, 1) == 1);
	close(go[0]);
	if (kind == RESTART) {
		sleep(1);
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		CHECK(s >= 0);
		CHECK(sendto(s, "later", 5, 0, (struct sockaddr *) &a, sizeof(a)) == 5);
		close(s);
	}
	child_done(pid);
	close(u);
}

/* A child's blocking connect under a 100 ms SIGALRM. Its SYN is dropped
 * (the parent's listener, backlog 0, has a connection in its accept queue
 * already: Linux drops the SYN, ustack too) until the parent accepts that
 * one, and the SYN sent again (1 s later) connects.
 *  - SA_RESTART: the call goes on and gives 0;
 *  - none: EINTR; a non-blocking connect then: EALREADY; once the parent has
 *    made room a blocking connect waits and gives 0, another EISCONN;
 *  - SA_RESTART and SO_SNDTIMEO: EINTR. */
static const char *const connect_name[] = {"SA_RESTART", "no SA_RESTART", "SA_RESTART + SO_SNDTIMEO"};
static void connect_case(int kind, int port) {
	struct sockaddr_in a = ipv4("127.0.0.1", port);
	int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	CHECK(l >= 0);
	CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	CHECK(bind(l, (struct sockaddr *) &a, sizeof(a)) == 0);
	CHECK(listen(l, 0) == 0);
	int filler = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(filler >= 0);
	CHECK(connect(filler, (struct sockaddr *) &a, sizeof(a)) == 0);
	/* the filler is in the accept queue: the queue is full */
	struct pollfd pl = {.fd = l, .events = POLLIN};
	CHECK(poll(&pl, 1, 5000) == 1);
	int go[2], room[2];
	CHECK(pipe(go) == 0 && pipe(room) == 0);
	ticks = 0;
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(go[0]);
		close(room[1]);
		struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = kind == NO_RESTART ? 0 : SA_RESTART};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		int c = socket(AF_INET, SOCK_STREAM, 0);
		CHECK(c >= 0);
		if (kind == RESTART_TIMEOUT) {
			struct timeval tv = {.tv_sec = 20};
			CHECK(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0);
		}
		struct itimerval it = {.it_interval = {0, 100000}, .it_value = {0, 100000}};
		setitimer(ITIMER_REAL, &it, NULL);
		CHECK(write(go[1], "g", 1) == 1);
		int n = connect(c, (struct sockaddr *) &a, sizeof(a));
		int e = errno;
		struct itimerval off = {{0, 0}, {0, 0}};
		setitimer(ITIMER_REAL, &off, NULL);
		int good;
		if (kind == RESTART)
			good = n == 0 && ticks > 0;
		else
			good = n < 0 && e == EINTR;
		printf("%s: connect -> %d (%s), %d handler runs: %s\n", connect_name[kind], n,
				n < 0 ? strerror(e) : "connected", (int) ticks, good ? "as Linux" : "NOT as Linux");
		if (kind == NO_RESTART && good) {
			/* the connection goes on: EALREADY while it does */
			int fl = fcntl(c, F_GETFL);
			CHECK(fcntl(c, F_SETFL, fl | O_NONBLOCK) == 0);
			n = connect(c, (struct sockaddr *) &a, sizeof(a));
			e = errno;
			int g2 = n < 0 && e == EALREADY;
			printf("%s: non-blocking connect again -> %d (%s): %s\n", connect_name[kind], n,
					n < 0 ? strerror(e) : "connected", g2 ? "as Linux" : "NOT as Linux");
			CHECK(fcntl(c, F_SETFL, fl) == 0);
			CHECK(write(go[1], "r", 1) == 1);   /* the parent makes room */
			n = connect(c, (struct sockaddr *) &a, sizeof(a));
			e = errno;
			int g3 = n == 0;
			printf("%s: blocking connect again -> %d (%s): %s\n", connect_name[kind], n,
					n < 0 ? strerror(e) : "connected", g3 ? "as Linux" : "NOT as Linux");
			n = connect(c, (struct sockaddr *) &a, sizeof(a));
			e = errno;
			int g4 = n < 0 && e == EISCONN;
			printf("%s: connect once connected -> %d (%s): %s\n", connect_name[kind], n,
					n < 0 ? strerror(e) : "connected", g4 ? "as Linux" : "NOT as Linux");
			good = g2 && g3 && g4;
		}
		if (good && (kind == RESTART || kind == NO_RESTART)) {
			/* connected for real: a byte through it */
			CHECK(write(c, "x", 1) == 1);
			char b;
			good = read(room[0], &b, 1) == 1 && b == 'x';
		}
		fflush(stdout);
		_exit(good ? 0 : 1);
	}
	close(go[1]);
	close(room[0]);
	char g;
	CHECK(read(go[0], &g, 1) == 1);
	if (kind == NO_RESTART)
		CHECK(read(go[0], &g, 1) == 1 && g == 'r');
	else if (kind == RESTART)
		usleep(500000);
	if (kind != RESTART_TIMEOUT) {
		/* room in the accept queue: the child's SYN, sent again, connects */
		int f = accept(l, NULL, NULL);
		CHECK(f >= 0);
		close(f);
		pl.revents = 0;
		int c = -1;
		if (poll(&pl, 1, 10000) == 1)
			c = accept(l, NULL, NULL);
		CHECK(c >= 0);
		char b = 0;
		CHECK(c < 0 || (read(c, &b, 1) == 1 && b == 'x'));
		CHECK(write(room[1], &b, 1) == 1);
		if (c >= 0)
			close(c);
	}
	child_done(pid);
	close(go[0]);
	close(room[1]);
	close(filler);
	close(l);
}

/* the three kinds of a case, on ports PORT, PORT + 1, PORT + 2 */
static void three_cases(void (*one)(int kind, int port), int p) {
	one(RESTART, p);
	one(NO_RESTART, p + 1);
	one(RESTART_TIMEOUT, p + 2);
}

static void cmd_connect(const char *port) {
	int p = atoi(port);
	three_cases(connect_case, p);
	/* a port nobody listens on: the blocking connect's error */
	fflush(stdout);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		struct sockaddr_in a = ipv4("127.0.0.1", p + 3);
		int c = socket(AF_INET, SOCK_STREAM, 0);
		int n = connect(c, (struct sockaddr *) &a, sizeof(a));
		int e = errno;
		int good = n < 0 && e == ECONNREFUSED;
		printf("no listener: connect -> %d (%s): %s\n", n, n < 0 ? strerror(e) : "connected",
				good ? "as Linux" : "NOT as Linux");
		fflush(stdout);
		_exit(!good);
	}
	child_done(pid);
}

static void cmd_restart(const char *port) {
	three_cases(restart_case, atoi(port));
}

/* One line per entry: name, family, address, netmask, flags. */
static size_t list_ifaddrs(char *out, size_t cap) {
	struct ifaddrs *ifa;
	size_t off = 0;
	out[0] = '\0';
	if (getifaddrs(&ifa) < 0) {
		perror("getifaddrs");
		return 0;
	}
	for (struct ifaddrs *i = ifa; i && off + 200 < cap; i = i->ifa_next) {
		char addr[INET6_ADDRSTRLEN] = "-", mask[INET6_ADDRSTRLEN] = "-";
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : -1;
		if (fam == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *) i->ifa_addr)->sin_addr, addr, sizeof(addr));
			if (i->ifa_netmask)
				inet_ntop(AF_INET, &((struct sockaddr_in *) i->ifa_netmask)->sin_addr, mask, sizeof(mask));
		} else if (fam == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr, addr, sizeof(addr));
			if (i->ifa_netmask)
				inet_ntop(AF_INET6, &((struct sockaddr_in6 *) i->ifa_netmask)->sin6_addr, mask, sizeof(mask));
		}
		off += (size_t) snprintf(out + off, cap - off, "%s %d %s %s %#x\n", i->ifa_name, fam,
				addr, mask, i->ifa_flags);
	}
	freeifaddrs(ifa);
	/* and if_nametoindex of each name seen, and of one that is not there */
	unsigned int lo = if_nametoindex("lo"), vde = if_nametoindex("vde0");
	errno = 0;
	unsigned int none = if_nametoindex("nosuch0");
	int e = errno;
	off += (size_t) snprintf(out + off, cap - off, "index lo %u vde0 %u nosuch0 %u %s\n", lo, vde,
			none, none ? "-" : strerror(e));
	/* if_nameindex: the links of getifaddrs (its AF_PACKET entries), each
	 * name and index as if_nametoindex and if_indextoname give them */
	struct if_nameindex *ni = if_nameindex();
	int consistent = ni != NULL, links = 0, listed = 0;
	if (getifaddrs(&ifa) == 0) {
		for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
			if (i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET) {
				links++;
				int found = 0;
				for (struct if_nameindex *p = ni; p && p->if_name; p++)
					found |= strcmp(p->if_name, i->ifa_name) == 0;
				consistent &= found;
			}
		freeifaddrs(ifa);
	} else
		consistent = 0;
	off += (size_t) snprintf(out + off, cap - off, "nameindex");
	for (struct if_nameindex *p = ni; p && p->if_name && off + 64 < cap; p++) {
		char nm[IF_NAMESIZE] = "";
		char *r = if_indextoname(p->if_index, nm);
		consistent &= r == nm && strcmp(nm, p->if_name) == 0 &&
			if_nametoindex(p->if_name) == p->if_index;
		listed++;
		off += (size_t) snprintf(out + off, cap - off, " %u %s", p->if_index, p->if_name);
	}
	if (ni)
		if_freenameindex(ni);
	char nm[IF_NAMESIZE] = "";
	errno = 0;
	char *r = if_indextoname(9999, nm);
	e = errno;
	off += (size_t) snprintf(out + off, cap - off, ", %s getifaddrs (%d links)\nindextoname 9999 %s %s\n",
			consistent && listed == links ? "as" : "NOT as", links, r ? r : "NULL",
			r ? "-" : strerror(e));
	return off;
}

static void *hole;   /* an unmapped page */
static void *ro_ifr; /* a read-only page holding an ifreq for "lo" */

static int64_t now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The socket ioctls of a process, one line each: u a UDP socket with a
 * 7-byte datagram queued, l a TCP listener. */
static size_t list_ioctls(int u, int l, char *out, size_t cap) {
	size_t off = 0;
	int n = -1, r;
#define LINE(...) (off += (size_t) snprintf(out + off, off < cap ? cap - off : 0, __VA_ARGS__))
#define RES(r) (r) < 0 ? strerror(errno) : "ok"
	r = ioctl(u, FIONREAD, &n);
	LINE("FIONREAD %d %d %s\n", r, n, RES(r));
	n = -1;
	r = ioctl(u, SIOCOUTQ, &n);
	LINE("SIOCOUTQ %d %d %s\n", r, n, RES(r));
	n = -1;
	r = ioctl(l, SIOCINQ, &n);
	LINE("listener SIOCINQ %d %s\n", r, RES(r));
	/* SIOCGIFCONF: the list, its length alone, a room for one entry */
	struct ifreq reqs[32];
	struct ifconf ifc = {.ifc_len = sizeof(reqs), .ifc_req = reqs};
	r = ioctl(u, SIOCGIFCONF, &ifc);
	LINE("SIOCGIFCONF %d %s len %d:", r, RES(r), ifc.ifc_len);
	for (int i = 0; r == 0 && i < ifc.ifc_len / (int) sizeof(struct ifreq); i++) {
		char a[INET_ADDRSTRLEN] = "-";
		if (reqs[i].ifr_addr.sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *) &reqs[i].ifr_addr)->sin_addr, a, sizeof(a));
		LINE(" %s %s", reqs[i].ifr_name, a);
	}
	LINE("\n");
	struct ifconf q = {.ifc_len = 0, .ifc_buf = NULL};
	r = ioctl(u, SIOCGIFCONF, &q);
	LINE("SIOCGIFCONF NULL %d %s len %d\n", r, RES(r), q.ifc_len);
	struct ifconf one = {.ifc_len = sizeof(struct ifreq) + 8, .ifc_req = reqs};
	memset(reqs, 0, sizeof(reqs));
	r = ioctl(u, SIOCGIFCONF, &one);
	LINE("SIOCGIFCONF room for one %d %s len %d %s\n", r, RES(r), one.ifc_len, reqs[0].ifr_name);
	struct ifreq ir = {0};
	snprintf(ir.ifr_name, sizeof(ir.ifr_name), "vde0");
	r = ioctl(u, SIOCGIFINDEX, &ir);
	LINE("SIOCGIFINDEX vde0 %d %d %s\n", r, ir.ifr_ifindex, RES(r));
	/* nothing read yet: ENOENT (Linux) */
	struct timeval tv;
	r = ioctl(u, SIOCGSTAMP, &tv);
	LINE("SIOCGSTAMP %d %s\n", r, RES(r));
	/* no urgent mark on TCP: 0; UDP has no SIOCATMARK */
	n = -1;
	r = ioctl(l, SIOCATMARK, &n);
	LINE("listener SIOCATMARK %d %d %s\n", r, n, RES(r));
	r = ioctl(u, SIOCATMARK, &n);
	LINE("SIOCATMARK %d %s\n", r, RES(r));
	/* bad argument pointers, NULL and an unmapped page: EFAULT, no crash
	 * (Linux's order: ENOENT, EINVAL before an argument only written) */
	void *const bad[2] = {NULL, hole};
	const struct {
		int fd;
		unsigned long req;
		const char *name;
	} rows[] = {{u, FIONREAD, "FIONREAD"}, {u, FIONBIO, "FIONBIO"}, {u, SIOCGIFADDR, "SIOCGIFADDR"},
		{u, SIOCGIFFLAGS, "SIOCGIFFLAGS"}, {u, SIOCGIFCONF, "SIOCGIFCONF"},
		{u, SIOCATMARK, "SIOCATMARK"}, {l, SIOCATMARK, "listener SIOCATMARK"},
		{l, SIOCINQ, "listener SIOCINQ"}, {u, SIOCGSTAMP, "SIOCGSTAMP"}};
	for (int i = 0; i < 2; i++) {
		const char *w = i ? "hole" : "NULL";
		for (size_t j = 0; j < sizeof(rows) / sizeof(rows[0]); j++) {
			r = ioctl(rows[j].fd, rows[j].req, bad[i]);
			LINE("%s %s %d %s\n", w, rows[j].name, r, RES(r));
		}
		struct ifconf badbuf = {.ifc_len = 4 * (int) sizeof(struct ifreq), .ifc_buf = bad[i]};
		r = ioctl(u, SIOCGIFCONF, &badbuf);
		LINE("%s ifc_buf SIOCGIFCONF %d %s\n", w, r, RES(r));
		/* and the calls that read an address or a value */
		r = bind(u, bad[i], sizeof(struct sockaddr_in));
		LINE("%s bind %d %s\n", w, r, RES(r));
		r = connect(u, bad[i], sizeof(struct sockaddr_in));
		LINE("%s connect %d %s\n", w, r, RES(r));
		r = setsockopt(u, SOL_SOCKET, SO_BROADCAST, bad[i], sizeof(int));
		LINE("%s setsockopt %d %s\n", w, r, RES(r));
	}
	/* read-only memory (an ifreq for "lo") to requests that write their
	 * answer: EFAULT after the request (SIOCGSTAMP: ENOENT first) */
	const struct {
		unsigned long req;
		const char *name;
	} wrows[] = {{FIONREAD, "FIONREAD"}, {SIOCGIFADDR, "SIOCGIFADDR"}, {SIOCGIFFLAGS, "SIOCGIFFLAGS"},
		{SIOCGIFINDEX, "SIOCGIFINDEX"}, {SIOCGSTAMP, "SIOCGSTAMP"}};
	for (size_t j = 0; j < sizeof(wrows) / sizeof(wrows[0]); j++) {
		r = ioctl(u, wrows[j].req, ro_ifr);
		LINE("read-only %s %d %s\n", wrows[j].name, r, RES(r));
	}
	struct ifconf robuf = {.ifc_len = 4 * (int) sizeof(struct ifreq), .ifc_buf = ro_ifr};
	r = ioctl(u, SIOCGIFCONF, &robuf);
	LINE("read-only ifc_buf SIOCGIFCONF %d %s\n", r, RES(r));
	/* another shape (struct arpreq), a lookup: ENOTTY on a ustack socket */
	struct arpreq ar = {0};
	struct sockaddr_in *pa = (struct sockaddr_in *) &ar.arp_pa;
	pa->sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.9", &pa->sin_addr);
	snprintf(ar.arp_dev, sizeof(ar.arp_dev), "lo");
	r = ioctl(u, SIOCGARP, &ar);
	LINE("SIOCGARP %d %s\n", r, RES(r));
	/* the descriptor's own flags */
	int a = ioctl(u, FIOCLEX), fa = fcntl(u, F_GETFD);
	int b = ioctl(u, FIONCLEX), fb = fcntl(u, F_GETFD);
	LINE("FIOCLEX %d %d FIONCLEX %d %d\n", a, fa & FD_CLOEXEC, b, fb & FD_CLOEXEC);
	int on = 1, off0 = 0;
	a = ioctl(u, FIONBIO, &on);
	fa = fcntl(u, F_GETFL);
	b = ioctl(u, FIONBIO, &off0);
	fb = fcntl(u, F_GETFL);
	LINE("FIONBIO %d %d %d %d\n", a, !!(fa & O_NONBLOCK), b, !!(fb & O_NONBLOCK));
#undef LINE
#undef RES
	return off;
}

/* The lines list writes, in this process and in a forked child (which
 * then runs then, if given: its exit status is then's), printed: the
 * child's must be the parent's. */
static void parent_and_child(size_t (*list)(char *out, size_t cap), int (*then)(void)) {
	static char mine[8192], theirs[8192];
	size_t n = list(mine, sizeof(mine));
	CHECK(n > 0);
	printf("parent:\n%s", mine);
	fflush(stdout);
	int pp[2];
	pid_t pid = fork_writer(pp);
	if (pid == 0) {
		size_t k = list(theirs, sizeof(theirs));
		ssize_t w = write(pp[1], theirs, k);
		close(pp[1]);
		int good = then ? then() : 1;
		_exit(w == (ssize_t) k && good ? 0 : 1);
	}
	close(pp[1]);
	size_t got = read_all(pp[0], theirs, sizeof(theirs));
	child_done(pid);
	printf("child:\n%s", theirs);
	CHECK(got > 0 && strcmp(mine, theirs) == 0);
}

/* cmd_ioctl's sockets, and the time before its datagram was sent */
static int io_u, io_l;
static int64_t io_t0;

static size_t list_io(char *out, size_t cap) {
	return list_ioctls(io_u, io_l, out, cap);
}

/* the stamp of the datagram (its send at io_t0), after its read: between
 * the send and now (its arrival; Linux gives the time of the first request
 * when no stamp was taken) */
static int stamp_good(const char *who) {
	struct timespec ts = {0, 0};
	int r = ioctl(io_u, SIOCGSTAMPNS, &ts);
	int64_t t = (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
	int good = r == 0 && t >= io_t0 && t <= now_ns();
	printf("%s SIOCGSTAMPNS: %d, %s\n", who, r, good ? "the datagram's time" : "NOT the datagram's time");
	fflush(stdout);
	return good;
}

/* in the child: the datagram read, then its stamp */
static int child_reads(void) {
	char b[16];
	ssize_t n = recv(io_u, b, sizeof(b), 0);
	return stamp_good("child after its recv") && n == 7;
}

static void cmd_ioctl(const char *port) {
	/* a page that stays inaccessible (in the child too) */
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hole != MAP_FAILED);
	ro_ifr = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro_ifr != MAP_FAILED);
	snprintf(((struct ifreq *) ro_ifr)->ifr_name, IFNAMSIZ, "lo");
	CHECK(mprotect(ro_ifr, 4096, PROT_READ) == 0);
	struct sockaddr_in a = ipv4("127.0.0.1", atoi(port));
	io_u = bound(SOCK_DGRAM, &a);
	io_l = bound(SOCK_STREAM, &a);
	CHECK(listen(io_l, 4) == 0);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	io_t0 = now_ns();
	CHECK(sendto(s, "datagra", 7, 0, (struct sockaddr *) &a, sizeof(a)) == 7);
	close(s);
	struct pollfd pu = {.fd = io_u, .events = POLLIN};
	CHECK(poll(&pu, 1, 5000) == 1);
	parent_and_child(list_io, child_reads);
	/* the same socket's stamp in the parent: the one the child got */
	CHECK(stamp_good("parent"));
	close(io_u);
	close(io_l);
}

/* cmd_data's sockets: UDP u1 (PORT) and u2 (PORT+1, connected to u1), TCP
 * client c and its accepted peer a; bad memory: hole (unmapped), ro (a
 * read-only page after a writable one, edge: the writable page's last 3
 * bytes) */
static int d_u1, d_u2, d_c, d_a;
static char *d_ro, *d_edge;

static size_t list_data(char *out, size_t cap) {
	size_t off = 0;
	ssize_t r;
	char b[64];
#define LINE(...) (off += (size_t) snprintf(out + off, off < cap ? cap - off : 0, __VA_ARGS__))
#define ROW(what, expr) do { errno = 0; r = (expr); \
		LINE("%s %zd %s\n", what, r, r < 0 ? strerror(errno) : "ok"); } while (0)
	struct sockaddr_in to = ipv4("127.0.0.1", 0);
	socklen_t tl = sizeof(to);
	CHECK(getsockname(d_u1, (struct sockaddr *) &to, &tl) == 0);
	struct iovec badiov = {hole, 8};
	struct msghdr badmsg = {.msg_iov = &badiov, .msg_iovlen = 1};
	/* UDP: sends that read bad memory */
	ROW("udp send hole", send(d_u2, hole, 8, 0));
	ROW("udp send NULL", send(d_u2, NULL, 8, 0));
	ROW("udp sendto hole address", sendto(d_u2, "abc", 3, 0, hole, sizeof(to)));
	ROW("udp writev hole iovec", writev(d_u2, hole, 1));
	ROW("udp writev hole base", writev(d_u2, &badiov, 1));
	ROW("udp sendmsg hole msghdr", sendmsg(d_u2, hole, 0));
	ROW("udp sendmsg hole base", sendmsg(d_u2, &badmsg, 0));
	/* receives that write bad memory: nothing queued, EAGAIN first; a
	 * datagram that cannot be written is lost (Linux's udp_recvmsg) */
	ROW("udp recv hole, empty", recv(d_u1, hole, 16, MSG_DONTWAIT));
	ROW("udp send one", send(d_u2, "one", 3, 0));
	ROW("udp recv read-only", recv(d_u1, d_ro, 16, 0));
	ROW("udp send two", send(d_u2, "two", 3, 0));
	ROW("udp recvmsg hole base", recvmsg(d_u1, &badmsg, 0));
	ROW("udp send three", send(d_u2, "three", 5, 0));
	ROW("udp recvmsg hole msghdr", recvmsg(d_u1, hole, MSG_DONTWAIT));
	ROW("udp recvfrom hole length", recvfrom(d_u1, b, sizeof(b), 0, (struct sockaddr *) &to,
			(socklen_t *) hole));
	ROW("udp send four", send(d_u2, "four", 4, 0));
	memset(b, 0, sizeof(b));
	ROW("udp recv", recv(d_u1, b, sizeof(b), 0));
	LINE("udp got '%s'\n", b);
	/* TCP: a stream's data stays where it cannot be written */
	ROW("tcp send hole", send(d_c, hole, 8, 0));
	ROW("tcp writev hole base", writev(d_c, &badiov, 1));
	ROW("tcp recv hole, empty", recv(d_a, hole, 16, MSG_DONTWAIT));
	ROW("tcp send stream", send(d_c, "stream", 6, 0));
	struct pollfd pa = {.fd = d_a, .events = POLLIN};
	CHECK(poll(&pa, 1, 5000) == 1);
	ROW("tcp recv hole", recv(d_a, hole, 16, 0));
	ROW("tcp recv read-only", recv(d_a, d_ro, 16, 0));
	ROW("tcp readv hole base", readv(d_a, &badiov, 1));
	ROW("tcp recvmsg hole msghdr", recvmsg(d_a, hole, 0));
	/* 3 writable bytes, then the read-only page: 3 bytes taken */
	ROW("tcp recv half read-only", recv(d_a, d_edge, 16, 0));
	LINE("tcp got '%.3s'\n", d_edge);
	memset(b, 0, sizeof(b));
	ROW("tcp recv", recv(d_a, b, sizeof(b), 0));
	LINE("tcp got '%s'\n", b);
#undef ROW
#undef LINE
	return off;
}

static void cmd_data(const char *port) {
	hole = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(hole != MAP_FAILED);
	char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(two != MAP_FAILED);
	CHECK(mprotect(two + 4096, 4096, PROT_READ) == 0);
	d_ro = two + 4096;
	d_edge = two + 4096 - 3;
	struct sockaddr_in a1 = ipv4("127.0.0.1", atoi(port)), a2 = ipv4("127.0.0.1", atoi(port) + 1);
	d_u1 = bound(SOCK_DGRAM, &a1);
	d_u2 = bound(SOCK_DGRAM, &a2);
	CHECK(connect(d_u2, (struct sockaddr *) &a1, sizeof(a1)) == 0);
	int l = bound(SOCK_STREAM, &a1);
	CHECK(listen(l, 4) == 0);
	d_c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(d_c >= 0 && connect(d_c, (struct sockaddr *) &a1, sizeof(a1)) == 0);
	d_a = accept(l, NULL, NULL);
	CHECK(d_a >= 0);
	close(l);
	static char theirs[8192];
	int pp[2];
	pid_t pid = fork_writer(pp);
	if (pid == 0) {
		size_t k = list_data(theirs, sizeof(theirs));
		ssize_t w = write(pp[1], theirs, k);
		_exit(w == (ssize_t) k ? 0 : 1);
	}
	close(pp[1]);
	size_t got = read_all(pp[0], theirs, sizeof(theirs));
	child_done(pid);
	printf("child:\n%s", theirs);
	CHECK(got > 0);
	/* the parent's sockets still work after the child's faults */
	char b[8] = {0};
	CHECK(send(d_u2, "after", 5, 0) == 5 && recv(d_u1, b, sizeof(b), 0) == 5 && memcmp(b, "after", 5) == 0);
	close(d_u1);
	close(d_u2);
	close(d_c);
	close(d_a);
}

/* The owner exits while its forked child waits in a blocking recv on the
 * owner's socket: the child's calls fail with ENETDOWN (recv, send without
 * a SIGPIPE, socket, getifaddrs), close succeeds; the child says so and
 * ends. The parent returns at once (exit status 0). */
static void cmd_orphan(const char *port) {
	struct sockaddr_in a = ipv4("127.0.0.1", atoi(port));
	int u = bound(SOCK_DGRAM, &a);
	int go[2];
	CHECK(pipe(go) == 0);
	fflush(stdout);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(go[0]);
		alarm(30);   /* a hang ends here, without "orphan done" */
		printf("orphan child %d\n", (int) getpid());
		fflush(stdout);
		CHECK(write(go[1], "g", 1) == 1);
		close(go[1]);
		char b[16];
		ssize_t n = recv(u, b, sizeof(b), 0);
		int e = errno;
		printf("orphan recv -> %zd %s\n", n, n < 0 ? strerror(e) : "data");
		int bad = !(n < 0 && e == ENETDOWN);
		n = sendto(u, "x", 1, 0, (struct sockaddr *) &a, sizeof(a));
		e = errno;
		printf("orphan sendto -> %zd %s\n", n, n < 0 ? strerror(e) : "sent");
		bad |= !(n < 0 && e == ENETDOWN);
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		e = errno;
		printf("orphan socket -> %s\n", s < 0 ? strerror(e) : "a socket");
		bad |= !(s < 0 && e == ENETDOWN);
		struct ifaddrs *ifa;
		int g = getifaddrs(&ifa);
		e = errno;
		printf("orphan getifaddrs -> %d %s\n", g, g < 0 ? strerror(e) : "a list");
		bad |= !(g < 0 && e == ENETDOWN);
		int c = close(u);
		printf("orphan close -> %d\n", c);
		bad |= c != 0;
		printf("orphan done: %s\n", bad ? "NOT well defined" : "every call failed with ENETDOWN");
		fflush(stdout);
		_exit(bad);
	}
	/* a second child waits in its own poll: the owner's exit hangs up its
	 * descriptor, and its next call is ENETDOWN */
	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(go[0]);
		alarm(30);
		printf("orphan poller %d\n", (int) getpid());
		fflush(stdout);
		CHECK(write(go[1], "p", 1) == 1);
		close(go[1]);
		struct pollfd p = {.fd = u, .events = POLLIN};
		int n = poll(&p, 1, 20000);
		char b[16];
		ssize_t r = recv(u, b, sizeof(b), MSG_DONTWAIT);
		int e = errno;
		int good = n == 1 && (p.revents & POLLHUP) && r < 0 && e == ENETDOWN;
		printf("orphan poll -> %d%s, recv -> %zd %s: %s\n", n, n == 1 && (p.revents & POLLHUP) ?
				" POLLHUP" : "", r, r < 0 ? strerror(e) : "data", good ? "woken" : "NOT woken");
		fflush(stdout);
		_exit(!good);
	}
	close(go[1]);
	char g;
	CHECK(read(go[0], &g, 1) == 1);
	CHECK(read(go[0], &g, 1) == 1);
	usleep(300000);   /* the children wait in recv and in poll */
	printf("owner exits\n");
	fflush(stdout);
}

static void cmd_ifaddrs(void) {
	parent_and_child(list_ifaddrs, NULL);
}

/* A forked child resolves NAME (the parent never does: the resolver's log
 * shows the child's queries), and asks the reverse of ADDR; an unknown
 * name gives it the code it gives the parent. */
static void cmd_resolve(const char *name, const char *addr, const char *unknown) {
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res = NULL;
	int parent_code = getaddrinfo(unknown, NULL, &hints, &res);
	if (parent_code == 0)
		freeaddrinfo(res);
	CHECK(parent_code != 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		int bad = 0;
		res = NULL;
		int g = getaddrinfo(name, "80", &hints, &res);
		char got[INET_ADDRSTRLEN] = "-";
		int port = 0;
		if (g == 0 && res->ai_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *) res->ai_addr;
			inet_ntop(AF_INET, &a->sin_addr, got, sizeof(got));
			port = ntohs(a->sin_port);
		}
		printf("child getaddrinfo(%s, 80): %s %s:%d\n", name, g ? gai_strerror(g) : "ok", got, port);
		bad |= g != 0 || strcmp(got, addr) != 0 || port != 80 || res->ai_socktype != SOCK_STREAM;
		if (g == 0)
			freeaddrinfo(res);
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(80)};
		inet_pton(AF_INET, addr, &sa.sin_addr);
		char host[NI_MAXHOST] = "", serv[NI_MAXSERV] = "";
		g = getnameinfo((struct sockaddr *) &sa, sizeof(sa), host, sizeof(host), serv, sizeof(serv),
				NI_NAMEREQD | NI_NUMERICSERV);
		printf("child getnameinfo(%s): %s %s %s\n", addr, g ? gai_strerror(g) : "ok", host, serv);
		bad |= g != 0 || strcmp(host, name) != 0 || strcmp(serv, "80") != 0;
		struct hostent *h = gethostbyname(name);
		got[0] = '\0';
		if (h && h->h_addrtype == AF_INET && h->h_addr_list[0])
			inet_ntop(AF_INET, h->h_addr_list[0], got, sizeof(got));
		printf("child gethostbyname(%s): %s\n", name, h ? got : "NULL");
		bad |= h == NULL || strcmp(got, addr) != 0;
		res = NULL;
		g = getaddrinfo(unknown, NULL, &hints, &res);
		printf("child getaddrinfo(%s): %s (the parent: %s)\n", unknown, gai_strerror(g),
				gai_strerror(parent_code));
		bad |= g != parent_code;
		if (g == 0)
			freeaddrinfo(res);
		fflush(stdout);
		_exit(bad);
	}
	child_done(pid);
}

/* Ancillary data in a forked child: its recvmsg gets IP_PKTINFO (the
 * destination 127.0.0.1, lo's index), MSG_CTRUNC when the room is too
 * small; its sendmsg's IP_PKTINFO picks the source address SRC, which the
 * parent's recvfrom sees. */
static void cmd_cmsg(const char *port, const char *src) {
	int p = atoi(port);
	struct sockaddr_in pa = ipv4("127.0.0.1", p), ca = ipv4("127.0.0.1", p + 1);
	struct in_addr want_src;
	if (inet_pton(AF_INET, src, &want_src) != 1)
		exit(2);
	int r = bound(SOCK_DGRAM, &pa), u = bound(SOCK_DGRAM, &ca);
	int go[2];
	pid_t pid = fork_writer(go);
	if (pid == 0) {
		int one = 1, bad = 0;
		CHECK(setsockopt(u, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) == 0);
		CHECK(write(go[1], "g", 1) == 1);
		char b[16];
		union {
			struct cmsghdr h;
			char c[256];
		} ctl;
		struct iovec iov = {.iov_base = b, .iov_len = sizeof(b)};
		struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.c,
			.msg_controllen = sizeof(ctl.c)};
		ssize_t n = recvmsg(u, &m, 0);
		struct in_pktinfo pi = {0};
		int seen = 0;
		for (struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR(&m) : NULL; c; c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
					c->cmsg_len >= CMSG_LEN(sizeof(pi))) {
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				seen = 1;
			}
		char dst[INET_ADDRSTRLEN] = "-";
		inet_ntop(AF_INET, &pi.ipi_addr, dst, sizeof(dst));
		unsigned int lo = if_nametoindex("lo");
		printf("child recvmsg: %zd bytes, IP_PKTINFO %s: ipi_addr %s ipi_ifindex %d (lo %u), flags %#x\n",
				n, seen ? "seen" : "NOT seen", dst, pi.ipi_ifindex, lo, m.msg_flags);
		bad |= n != 3 || !seen || strcmp(dst, "127.0.0.1") != 0 || lo == 0 ||
			pi.ipi_ifindex != (int) lo || (m.msg_flags & MSG_CTRUNC);
		/* too little room: MSG_CTRUNC */
		struct msghdr t = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.c,
			.msg_controllen = sizeof(struct cmsghdr)};
		n = recvmsg(u, &t, 0);
		printf("child recvmsg with %zu bytes of room: %zd bytes, flags %#x, controllen %zu\n",
				sizeof(struct cmsghdr), n, t.msg_flags, (size_t) t.msg_controllen);
		bad |= n != 3 || !(t.msg_flags & MSG_CTRUNC);
		/* the source address of a datagram sent with IP_PKTINFO */
		memset(&ctl, 0, sizeof(ctl));
		struct msghdr s = {.msg_iov = &iov, .msg_iovlen = 1, .msg_name = &pa,
			.msg_namelen = sizeof(pa), .msg_control = ctl.c,
			.msg_controllen = CMSG_SPACE(sizeof(struct in_pktinfo))};
		iov.iov_base = "src";
		iov.iov_len = 3;
		struct cmsghdr *c = CMSG_FIRSTHDR(&s);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
		struct in_pktinfo spi = {.ipi_spec_dst = want_src};
		memcpy(CMSG_DATA(c), &spi, sizeof(spi));
		n = sendmsg(u, &s, 0);
		printf("child sendmsg with IP_PKTINFO ipi_spec_dst %s: %zd\n", src, n);
		bad |= n != 3;
		fflush(stdout);
		_exit(bad);
	}
	close(go[1]);
	char g;
	CHECK(read(go[0], &g, 1) == 1);
	close(go[0]);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	CHECK(s >= 0);
	CHECK(sendto(s, "one", 3, 0, (struct sockaddr *) &ca, sizeof(ca)) == 3);
	CHECK(sendto(s, "two", 3, 0, (struct sockaddr *) &ca, sizeof(ca)) == 3);
	char b[16];
	struct sockaddr_in from = {0};
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(r, b, sizeof(b), 0, (struct sockaddr *) &from, &fl);
	char fa[INET_ADDRSTRLEN] = "-";
	inet_ntop(AF_INET, &from.sin_addr, fa, sizeof(fa));
	printf("parent recvfrom: %zd bytes from %s:%d\n", n, fa, ntohs(from.sin_port));
	CHECK(n == 3 && from.sin_addr.s_addr == want_src.s_addr && ntohs(from.sin_port) == p + 1);
	child_done(pid);
}

int main(int argc, char **argv) {
	alarm(50);
	if (argc >= 3 && strcmp(argv[1], "restart") == 0)
		cmd_restart(argv[2]);
	else if (argc >= 3 && strcmp(argv[1], "connect") == 0)
		cmd_connect(argv[2]);
	else if (argc >= 3 && strcmp(argv[1], "ioctl") == 0)
		cmd_ioctl(argv[2]);
	else if (argc >= 3 && strcmp(argv[1], "data") == 0)
		cmd_data(argv[2]);
	else if (argc >= 3 && strcmp(argv[1], "orphan") == 0)
		cmd_orphan(argv[2]);
	else if (argc >= 2 && strcmp(argv[1], "ifaddrs") == 0)
		cmd_ifaddrs();
	else if (argc >= 4 && strcmp(argv[1], "cmsg") == 0)
		cmd_cmsg(argv[2], argv[3]);
	else if (argc >= 5 && strcmp(argv[1], "resolve") == 0)
		cmd_resolve(argv[2], argv[3], argv[4]);
	else {
		fprintf(stderr, "usage: iothrun_share restart PORT | connect PORT | ioctl PORT | orphan PORT | ifaddrs | resolve NAME ADDR UNKNOWN | cmsg PORT SRC | data PORT\n");
		return 2;
	}
	return finish(argv[1]);
}
