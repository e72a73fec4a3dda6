/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The `vdestack` plugin: the Linux kernel's own stack inside a private
 * network namespace, from Debian's libvdestack. Sockets are the kernel's,
 * so every call but socket() is the system call.
 *
 * Interfaces. libvdestack can give the namespace one interface on one VNL,
 * but the Debian version (0.1.2) leaks that interface's three descriptors
 * (the tap and the VNL's sockets) at every vde_delstack. So where we may
 * (root: CAP_SYS_ADMIN over the namespace), libvdestack makes the namespace
 * alone and every interface vde0, vde1... is ours: a tap made inside the
 * namespace (a short thread joins it with setns, found through SIOCGSKNS on
 * one of its sockets) and a thread that moves frames between the tap and
 * the VNL, all closed at delstack. Without that privilege the first VNL is
 * left to libvdestack (and its leak), and a second VNL is EPERM.
 * A VNL written "IFNAME:VNL" names its interface IFNAME instead of vdeN. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ioth.h>
#include <linux/if_tun.h>
#include <linux/inet_diag.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libvdeplug.h>
#include <vdestack.h>
#include <plugin_linger.h>
#include <plugin_syscalls.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT const char *ioth_vdestack_license = "SPDX-License-Identifier: LGPL-2.1-or-later";

struct extra_if {
	VDECONN *conn;
	int tapfd;
	int stoppipe[2];
	pthread_t pump;
	int running;
};

struct vstack {
	struct vdestack *vs;
	int nextra;             /* interfaces of ours, named vde<first + i> or IFNAME */
	int first;              /* 1 when libvdestack made vde0, else 0 */
	struct extra_if extra[];
};

/* libioth's getstackdata, saved by every newstack (the same value each
 * time; atomic because stacks may be created by several threads at once). */
static _Atomic(typeof(getstackdata_prototype) *) getstackdata;

/* Frames both ways between a tap in the namespace and its VNL. */
static void *pump(void *arg) {
	struct extra_if *x = arg;
	struct pollfd pfd[3] = {
		{.fd = x->tapfd, .events = POLLIN},
		{.fd = vde_datafd(x->conn), .events = POLLIN},
		{.fd = x->stoppipe[0], .events = POLLIN},
	};
	char buf[VDE_ETHBUFSIZE];
	for (;;) {
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[2].revents)
			break;
		if (pfd[0].revents & POLLIN) {
			ssize_t n = read(x->tapfd, buf, sizeof(buf));
			if (n > 0)
				vde_send(x->conn, buf, (size_t) n, 0);
		}
		if (pfd[1].revents & POLLIN) {
			ssize_t n = vde_recv(x->conn, buf, sizeof(buf), 0);
			if (n >= 14 && write(x->tapfd, buf, (size_t) n) < 0 && errno == EBADF)
				break;
		}
	}
	return NULL;
}

struct maketap {
	int nsfd;
	char name[IFNAMSIZ];
	int fd;
	int err;
};

/* Runs in its own thread: setns changes only the calling thread's
 * namespace, and a tap is created in the namespace of whoever opens
 * /dev/net/tun. */
static void *maketap_thread(void *arg) {
	struct maketap *m = arg;
	m->fd = -1;
	if (setns(m->nsfd, CLONE_NEWNET) < 0) {
		m->err = errno;
		return NULL;
	}
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		m->err = errno;
		return NULL;
	}
	struct ifreq ifr = {0};
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", m->name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		m->err = errno;
		close(fd);
		return NULL;
	}
	m->fd = fd;
	return NULL;
}

/* "IFNAME:VNL" names the interface, as the original vdestack plugin reads
 * it: a ':' that comes before any "://" (or with no "://" at all) ends an
 * interface name. Return the VNL part; name gets IFNAME or "". */
static const char *split_ifname(const char *vnl, char name[IFNAMSIZ]) {
	const char *scheme = strstr(vnl, "://");
	const char *colon = strchr(vnl, ':');
	name[0] = 0;
	if (colon == NULL || (scheme && colon >= scheme) || colon == vnl)
		return vnl;
	snprintf(name, IFNAMSIZ, "%.*s", (int) (colon - vnl), vnl);
	return colon + 1;
}

static int add_extra(struct vstack *s, int nsfd, int i, const char *vnl) {
	struct extra_if *x = &s->extra[i];
	struct maketap m = {.nsfd = nsfd};
	vnl = split_ifname(vnl, m.name);
	if (m.name[0] == 0)
		snprintf(m.name, sizeof(m.name), "vde%d", s->first + i);
	pthread_t t;
	int err = pthread_create(&t, NULL, maketap_thread, &m);
	if (err)
		return errno = err, -1;
	pthread_join(t, NULL);
	if (m.fd < 0)
		return errno = m.err, -1;
	x->tapfd = m.fd;
	x->conn = vde_open((char *) vnl, "ioth_vdestack", NULL);
	if (x->conn == NULL)
		goto err_tap;
	if (pipe2(x->stoppipe, O_CLOEXEC) < 0)
		goto err_conn;
	if ((err = pthread_create(&x->pump, NULL, pump, x)) != 0) {
		errno = err;
		goto err_pipe;
	}
	x->running = 1;
	return 0;
err_pipe:
	close(x->stoppipe[0]);
	close(x->stoppipe[1]);
err_conn:
	err = errno;
	vde_close(x->conn);
	errno = err;
err_tap:
	err = errno;
	close(x->tapfd);
	errno = err;
	return -1;
}

static void del_extra(struct extra_if *x) {
	if (!x->running)
		return;
	ssize_t n = write(x->stoppipe[1], "", 1);
	(void) n;
	pthread_join(x->pump, NULL);
	close(x->stoppipe[0]);
	close(x->stoppipe[1]);
	vde_close(x->conn);
	close(x->tapfd);
	x->running = 0;
}

static void vstack_free(struct vstack *s) {
	for (int i = 0; i < s->nextra; i++)
		del_extra(&s->extra[i]);
	if (s->vs)
		vde_delstack(s->vs);
	free(s);
}

/* The namespace's own netns fd, through one of its sockets. */
static int stack_nsfd(struct vdestack *vs) {
	int sfd = vde_msocket(vs, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sfd < 0)
		return -1;
	int nsfd = ioctl(sfd, SIOCGSKNS);
	int err = errno;
	close(sfd);
	errno = err;
	return nsfd;
}

/* All interfaces ours: returns 0, or -1 with errno (EPERM without root). */
static int add_all_ifaces(struct vstack *s, const char *vnlv[], int nvnl) {
	int nsfd = stack_nsfd(s->vs);
	if (nsfd < 0)
		return -1;
	for (int i = 0; i < nvnl; i++) {
		if (add_extra(s, nsfd, i, vnlv[i + s->first]) < 0) {
			int err = errno;
			close(nsfd);
			return errno = err, -1;
		}
		s->nextra = i + 1;
	}
	close(nsfd);
	return 0;
}

EXPORT void *ioth_vdestack_newstack(const char *vnlv[], const char *options,
		struct ioth_functions *f) {
	int nvnl = 0;
	while (vnlv && vnlv[nvnl])
		nvnl++;
	struct vstack *s = calloc(1, sizeof(*s) + (size_t) nvnl * sizeof(s->extra[0]));
	if (s == NULL)
		return errno = ENOMEM, NULL;
	errno = 0;
	s->vs = vde_addstack(NULL, NULL);
	if (s->vs == NULL)
		goto err_addstack;
	if (nvnl > 0 && add_all_ifaces(s, vnlv, nvnl) < 0) {
		if (errno != EPERM || s->nextra > 0)
			goto err;
		/* Not allowed into the namespace: libvdestack makes vde0. */
		vde_delstack(s->vs);
		s->first = 1;
		errno = 0;
		char name0[IFNAMSIZ];
		const char *vnl0 = split_ifname(vnlv[0], name0);
		s->vs = vde_addstack((char *) vnl0, name0[0] ? name0 : "vde0");
		if (s->vs == NULL)
			goto err_addstack;
		if (nvnl > 1 && add_all_ifaces(s, vnlv, nvnl - 1) < 0)
			goto err;
	}
	atomic_store_explicit(&getstackdata, f->getstackdata, memory_order_relaxed);
	ioth_plugin_syscalls(f);
	return s;
err_addstack:
	if (errno == 0)
		errno = ENETDOWN;
err:;
	int err = errno;
	vstack_free(s);
	errno = err;
	return NULL;
}

/* ------------------------------------------------------------ lingering
 * What the program sent goes out before the namespace does: datagrams
 * waiting for a neighbour resolution (a neighbour INCOMPLETE) and the data
 * and FIN of closed TCP connections (FIN_WAIT1, CLOSING, LAST_ACK), asked of
 * the namespace's kernel through rtnetlink and sock_diag; for at most
 * $IOTH_DELSTACK_LINGER seconds (10 by default, 0: delete at once). */

/* Send req on a netlink socket of the namespace and read the dump; returns
 * 1 if match() says yes for a message, 0 if not, -1 if it cannot ask. */
static int nl_dump_any(struct vdestack *vs, int proto, void *req, size_t len, uint16_t type,
		int (*match)(struct nlmsghdr *h)) {
	int fd = vde_msocket(vs, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -1;
	struct timeval tv = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	int found = -1;
	if (send(fd, req, len, 0) != (ssize_t) len)
		goto out;
	static __thread char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	found = 0;
	for (int done = 0; !done && !found;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			found = -1;
			break;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, (size_t) n);
				h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == type && match(h)) {
				found = 1;
				break;
			}
		}
	}
out:
	close(fd);
	return found;
}

static int neigh_incomplete(struct nlmsghdr *h) {
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ndmsg)))
		return 0;
	struct ndmsg *nd = NLMSG_DATA(h);
	return (nd->ndm_state & NUD_INCOMPLETE) != 0;
}

static int any_socket(struct nlmsghdr *h) {
	return h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg));
}

static int vstack_pending(struct vstack *s) {
	struct {
		struct nlmsghdr h;
		struct ndmsg nd;
	} nreq = {
		.h = {.nlmsg_len = sizeof(nreq), .nlmsg_type = RTM_GETNEIGH,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
		.nd = {.ndm_family = AF_UNSPEC},
	};
	if (nl_dump_any(s->vs, NETLINK_ROUTE, &nreq, sizeof(nreq), RTM_NEWNEIGH, neigh_incomplete) > 0)
		return 1;
	static const int families[] = {AF_INET, AF_INET6};
	for (int i = 0; i < 2; i++) {
		struct {
			struct nlmsghdr h;
			struct inet_diag_req_v2 r;
		} dreq = {
			.h = {.nlmsg_len = sizeof(dreq), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
				.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 2},
			.r = {.sdiag_family = (uint8_t) families[i], .sdiag_protocol = IPPROTO_TCP,
				.idiag_states = (1u << TCP_FIN_WAIT1) | (1u << TCP_CLOSING) |
					(1u << TCP_LAST_ACK)},
		};
		if (nl_dump_any(s->vs, NETLINK_SOCK_DIAG, &dreq, sizeof(dreq), SOCK_DIAG_BY_FAMILY,
				any_socket) > 0)
			return 1;
	}
	return 0;
}

static int vstack_pending_of(void *s) {
	return vstack_pending(s);
}

/* what the program sent goes out first (plugin_linger.h) */
static void vstack_linger(struct vstack *s) {
	if (s->vs != NULL)
		ioth_plugin_linger_wait(vstack_pending_of, s, 10);
}

EXPORT int ioth_vdestack_delstack(void *stackdata) {
	vstack_linger(stackdata);
	vstack_free(stackdata);
	return 0;
}

/* Found by name by libioth's loader. */
EXPORT int ioth_vdestack_socket(int domain, int type, int protocol) {
	struct vstack *s = atomic_load_explicit(&getstackdata, memory_order_relaxed)();
	return vde_msocket(s->vs, domain, type, protocol);
}
