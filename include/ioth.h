/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * ioth.h: the Internet of Threads API.
 *
 * A program creates network stacks (each one a plugin chosen by name at run
 * time), opens sockets on them with ioth_msocket() and then uses the usual
 * Berkeley calls with the ioth_ prefix. Sockets are real file descriptors:
 * they work in poll, select and epoll. Stacks are configured through netlink
 * (the nlinline helpers below) like the host's own.
 *
 * Source compatible with the original libioth: the declarations, the plugin
 * ABI (struct ioth_functions, in this order) and the inline helpers are the
 * same.
 */
#ifndef LIBIOTH_H
#define LIBIOTH_H
#include <stdio.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <errno.h>
#include <string.h>

#include <nlinline+.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ioth;

/* Declare the program's license (an SPDX expression, with or without the
 * "SPDX-License-Identifier: " prefix). A plugin that demands a copyleft
 * license loads only in programs that declared a compatible one. */
void ioth_set_license(const char *license);

/* Create a stack. `stack` is "name" or "name,options": the name picks the
 * plugin (NULL or "" is the host kernel's stack), the options go to it.
 * One interface per VNL (Virtual Network Locator, e.g. "vde:///tmp/sw");
 * ioth_newstack with vnl == NULL makes a stack with no interface.
 * Return NULL with errno set on failure. */
struct ioth *ioth_newstack(const char *stack, const char *vnl);
struct ioth *ioth_newstackl(const char *stack, const char *vnl, ... /* (char *) NULL */);
struct ioth *ioth_newstackv(const char *stack, const char *vnlv[]);
/* Delete a stack: -1 with errno EBUSY while it still has open sockets. */
int ioth_delstack(struct ioth *iothstack);

/* Extension (not in the original libioth): a library that keeps state per
 * stack (e.g. libiothconf's lease renewals) registers a hook that
 * ioth_delstack calls first, before it checks for open sockets, so the
 * library can stop its work on the stack and close its own sockets.
 * Return 0, or -1 with errno (EINVAL for a NULL hook, EEXIST if the same
 * hook and arg are registered already, ENOENT on removal of an unknown one). */
typedef void ioth_delstack_hook_t(struct ioth *iothstack, void *arg);
int ioth_add_delstack_hook(ioth_delstack_hook_t *hook, void *arg);
int ioth_del_delstack_hook(ioth_delstack_hook_t *hook, void *arg);

/* The stack used by ioth_socket and by ioth_msocket(NULL, ...).
 * Initially (and after ioth_set_defstack(NULL)) the host kernel's.
 * ioth_get_defstack never returns NULL: the host kernel's stack has a
 * descriptor of its own, valid for ioth_msocket (ioth_delstack refuses it
 * with EINVAL). */
void ioth_set_defstack(struct ioth *iothstack);
struct ioth *ioth_get_defstack(void);

/* socket(2) on a chosen stack; the result is a real file descriptor. */
int ioth_msocket(struct ioth *iothstack, int domain, int type, int protocol);
int ioth_socket(int domain, int type, int protocol);
int ioth_close(int fd);

/* The Berkeley calls: same arguments and semantics as without the prefix. */
int ioth_bind(int fd, const struct sockaddr *addr, socklen_t addrlen);
int ioth_connect(int fd, const struct sockaddr *addr, socklen_t addrlen);
int ioth_listen(int fd, int backlog);
int ioth_accept(int fd, struct sockaddr *addr, socklen_t *addrlen);
int ioth_getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen);
int ioth_getpeername(int fd, struct sockaddr *addr, socklen_t *addrlen);
ssize_t ioth_read(int fd, void *buf, size_t len);
ssize_t ioth_readv(int fd, const struct iovec *iov, int iovcnt);
ssize_t ioth_recv(int fd, void *buf, size_t len, int flags);
ssize_t ioth_recvfrom(int fd, void *buf, size_t len, int flags,
		struct sockaddr *from, socklen_t *fromlen);
ssize_t ioth_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t ioth_write(int fd, const void *buf, size_t len);
ssize_t ioth_writev(int fd, const struct iovec *iov, int iovcnt);
ssize_t ioth_send(int fd, const void *buf, size_t len, int flags);
ssize_t ioth_sendto(int fd, const void *buf, size_t len, int flags,
		const struct sockaddr *to, socklen_t tolen);
ssize_t ioth_sendmsg(int fd, const struct msghdr *msg, int flags);
int ioth_setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen);
int ioth_getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen);
int ioth_shutdown(int fd, int how);
int ioth_ioctl(int fd, unsigned long cmd, void *argp);
int ioth_fcntl(int fd, int cmd, long val);

/* Netlink configuration helpers, one per operation, each taking the stack
 * first: ioth_if_nametoindex, ioth_linksetupdown, ioth_linksetaddr,
 * ioth_linkgetaddr, ioth_linksetmtu, ioth_ipaddr_add/del,
 * ioth_iproute_add/del, ioth_iplink_add/del, ioth_nldialog. See nlinline(3).
 * They are nlinline's, behind checks of their arguments (nlinline trusts
 * them): a name of IFNAMSIZ characters or more is ENODEV (as
 * if_nametoindex(3)), a NULL pointer that would be read EFAULT, a prefix
 * length out of the family's range EINVAL. ioth_iproute_add/del with a
 * NULL gateway is a route through the interface alone (as "ip route add
 * DST/LEN dev IF"); a NULL destination is allowed with prefix length 0
 * only (the default route). */
#define ioth__nlraw_msocket ioth_msocket
__LIBMULTI_NLINLINE(ioth__nlraw_, ioth_)

static inline int ioth__nl_namelen_ok(const char *ifname) {
	if (ifname == NULL) {
		errno = EFAULT;
		return 0;
	}
	for (int i = 0; i < IFNAMSIZ; i++)
		if (ifname[i] == 0)
			return 1;
	errno = ENODEV;
	return 0;
}

static inline int ioth__nl_addrbits(int family) {
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
}

static inline int ioth_if_nametoindex(void *mstack, const char *ifname) {
	if (!ioth__nl_namelen_ok(ifname))
		return -1;
	return ioth__nlraw_if_nametoindex(mstack, ifname);
}
static inline int ioth_linksetupdown(void *mstack, unsigned int ifindex, int updown) {
	return ioth__nlraw_linksetupdown(mstack, ifindex, updown);
}
static inline int ioth_linksetaddr(void *mstack, unsigned int ifindex, void *macaddr) {
	if (macaddr == NULL)
		return errno = EFAULT, -1;
	return ioth__nlraw_linksetaddr(mstack, ifindex, macaddr);
}
static inline int ioth_linkgetaddr(void *mstack, unsigned int ifindex, void *macaddr) {
	if (macaddr == NULL)
		return errno = EFAULT, -1;
	return ioth__nlraw_linkgetaddr(mstack, ifindex, macaddr);
}
static inline int ioth_linksetmtu(void *mstack, unsigned int ifindex, unsigned int mtu) {
	return ioth__nlraw_linksetmtu(mstack, ifindex, mtu);
}
static inline int ioth__nl_addr_ok(int family, const void *addr, int prefixlen) {
	int bits = ioth__nl_addrbits(family);
	if (bits == 0)
		return errno = EINVAL, 0;
	if (addr == NULL)
		return errno = EFAULT, 0;
	if (prefixlen < 0 || prefixlen > bits)
		return errno = EINVAL, 0;
	return 1;
}
static inline int ioth_ipaddr_add(void *mstack, int family, void *addr, int prefixlen, int ifindex) {
	if (!ioth__nl_addr_ok(family, addr, prefixlen))
		return -1;
	return ioth__nlraw_ipaddr_add(mstack, family, addr, prefixlen, ifindex);
}
static inline int ioth_ipaddr_del(void *mstack, int family, void *addr, int prefixlen, int ifindex) {
	if (!ioth__nl_addr_ok(family, addr, prefixlen))
		return -1;
	return ioth__nlraw_ipaddr_del(mstack, family, addr, prefixlen, ifindex);
}
static inline int ioth_nldialog(void *mstack, void *msg) {
	if (msg == NULL)
		return errno = EFAULT, -1;
	return ioth__nlraw_nldialog(mstack, msg);
}

/* a route with no gateway: RTA_DST (when prefixlen > 0) and RTA_OIF (when
 * ifindex is given), the rest as nlinline's routes */
static inline int ioth__nl_devroute(void *mstack, int request, int xflags, int family, const void *dst,
		int prefixlen, unsigned int ifindex) {
	struct {
		struct nlmsghdr h;
		struct rtmsg r;
		unsigned char attrs[2 * RTA_SPACE(16)];
	} msg;
	memset(&msg, 0, sizeof(msg));
	msg.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	msg.h.nlmsg_type = (unsigned short) request;
	msg.h.nlmsg_flags = (unsigned short) (NLM_F_REQUEST | NLM_F_ACK | xflags);
	msg.h.nlmsg_seq = 1;
	msg.r.rtm_family = (unsigned char) family;
	msg.r.rtm_dst_len = (unsigned char) prefixlen;
	msg.r.rtm_table = RT_TABLE_MAIN;
	msg.r.rtm_protocol = RTPROT_BOOT;
	msg.r.rtm_scope = RT_SCOPE_LINK;
	msg.r.rtm_type = RTN_UNICAST;
	unsigned char *p = msg.attrs;
	if (prefixlen > 0) {
		unsigned int alen = family == AF_INET ? 4u : 16u;
		struct rtattr *a = (struct rtattr *) p;
		a->rta_type = RTA_DST;
		a->rta_len = (unsigned short) RTA_LENGTH(alen);
		memcpy(RTA_DATA(a), dst, (size_t) alen);
		p += RTA_SPACE(alen);
	}
	if (ifindex) {
		struct rtattr *a = (struct rtattr *) p;
		a->rta_type = RTA_OIF;
		a->rta_len = (unsigned short) RTA_LENGTH(sizeof(unsigned int));
		memcpy(RTA_DATA(a), &ifindex, sizeof(ifindex));
		p += RTA_SPACE(sizeof(unsigned int));
	}
	msg.h.nlmsg_len += (unsigned int) (p - msg.attrs);
	return ioth__nlraw_nldialog(mstack, &msg);
}
static inline int ioth__nl_route_ok(int family, const void *dst, int prefixlen) {
	int bits = ioth__nl_addrbits(family);
	if (bits == 0 || prefixlen < 0 || prefixlen > bits)
		return errno = EINVAL, 0;
	if (dst == NULL && prefixlen > 0)
		return errno = EINVAL, 0;
	return 1;
}
static inline int ioth_iproute_add(void *mstack, int family, void *dst_addr, int dst_prefixlen, void *gw_addr,
		unsigned int ifindex) {
	if (!ioth__nl_route_ok(family, dst_addr, dst_prefixlen))
		return -1;
	if (gw_addr == NULL)
		return ioth__nl_devroute(mstack, RTM_NEWROUTE, NLM_F_EXCL | NLM_F_CREATE, family, dst_addr,
				dst_prefixlen, ifindex);
	return ioth__nlraw_iproute_add(mstack, family, dst_addr, dst_prefixlen, gw_addr, ifindex);
}
static inline int ioth_iproute_del(void *mstack, int family, void *dst_addr, int dst_prefixlen, void *gw_addr,
		unsigned int ifindex) {
	if (!ioth__nl_route_ok(family, dst_addr, dst_prefixlen))
		return -1;
	if (gw_addr == NULL)
		return ioth__nl_devroute(mstack, RTM_DELROUTE, 0, family, dst_addr, dst_prefixlen, ifindex);
	return ioth__nlraw_iproute_del(mstack, family, dst_addr, dst_prefixlen, gw_addr, ifindex);
}
static inline int ioth_iplink_add(void *mstack, const char *ifname, unsigned int ifindex, const char *type,
		const char *data) {
	return ioth__nlraw_iplink_add(mstack, ifname, ifindex, type, data);
}
static inline int ioth_iplink_del(void *mstack, const char *ifname, unsigned int ifindex) {
	if (ifname && !ioth__nl_namelen_ok(ifname))
		return -1;
	return ioth__nlraw_iplink_del(mstack, ifname, ifindex);
}

/* getifaddrs(3) for a stack, built on an rtnetlink dump through it. */
int ioth_getifaddrs(struct ioth *stack, struct ifaddrs **ifap);
void ioth_freeifaddrs(struct ifaddrs *ifa);

/* ---------------------------------------------------------------------
 * Plugin ABI.
 *
 * A plugin "foo" is ioth_foo-r.so (reentrant: loaded once, serves every
 * stack) or ioth_foo.so (one private copy per stack, through dlmopen).
 * libioth calls
 *     void *ioth_foo_newstack(const char *vnlv[], const char *options,
 *                             struct ioth_functions *f);
 * which returns the stack's private data (NULL and errno on failure) and
 * may fill in the pointers of *f; pointers it leaves NULL are looked up by
 * name (ioth_foo_socket, ioth_foo_bind, ...). Optional: int
 * ioth_foo_delstack(void *stackdata) and const char *ioth_foo_license.
 * Inside every call, f->getstackdata() returns the data of the stack the
 * call is for.
 * ------------------------------------------------------------------- */

struct ioth_functions;
void *newstack_prototype(const char *vnlv[], const char *options,
		struct ioth_functions *ioth_f);
int delstack_prototype(void *stackdata);
void *getstackdata_prototype(void);

/* The functions taking a sockaddr are typed after the ioth_ prototypes:
 * glibc's transparent-union sockaddr arguments would warn under -pedantic. */
struct ioth_functions {
	typeof(getstackdata_prototype) *getstackdata;
	typeof(newstack_prototype) *newstack;
	typeof(delstack_prototype) *delstack;
	typeof(socket) *socket;
	typeof(close) *close;
	typeof(ioth_bind) *bind;
	typeof(ioth_connect) *connect;
	typeof(listen) *listen;
	typeof(ioth_accept) *accept;
	typeof(ioth_getsockname) *getsockname;
	typeof(ioth_getpeername) *getpeername;
	typeof(setsockopt) *setsockopt;
	typeof(getsockopt) *getsockopt;
	typeof(shutdown) *shutdown;
	typeof(ioctl) *ioctl;
	typeof(fcntl) *fcntl;
	typeof(read) *read;
	typeof(readv) *readv;
	typeof(recv) *recv;
	typeof(ioth_recvfrom) *recvfrom;
	typeof(recvmsg) *recvmsg;
	typeof(write) *write;
	typeof(writev) *writev;
	typeof(send) *send;
	typeof(ioth_sendto) *sendto;
	typeof(sendmsg) *sendmsg;
};

/* ---------------------------------------------------------------------
 * MAC address text conversions.
 * ------------------------------------------------------------------- */

#define MAC_ADDRSTRLEN 18

/* Write the 6-byte MAC at src as "xx:xx:xx:xx:xx:xx" into dst (size bytes,
 * MAC_ADDRSTRLEN are enough). Return dst. */
static inline const char *ioth_ntomac(const void *src, char *dst, size_t size) {
	const unsigned char *m = (const unsigned char *) src;
	snprintf(dst, size, "%02x:%02x:%02x:%02x:%02x:%02x",
			m[0], m[1], m[2], m[3], m[4], m[5]);
	return dst;
}

/* Parse "xx:xx:xx:xx:xx:xx" or "xx-xx-xx-xx-xx-xx" (hex, any case) into the
 * 6 bytes at dst. Return 1 on success, 0 if src is not a MAC address. */
static inline int ioth_macton(const char *src, void *dst) {
	unsigned char *m = (unsigned char *) dst;
	static const char seps[] = ":-";
	for (int s = 0; s < 2; s++) {
		char fmt[48];
		snprintf(fmt, sizeof(fmt), "%%2hhx%c%%2hhx%c%%2hhx%c%%2hhx%c%%2hhx%c%%2hhx",
				seps[s], seps[s], seps[s], seps[s], seps[s]);
		if (sscanf(src, fmt, m, m + 1, m + 2, m + 3, m + 4, m + 5) == 6)
			return 1;
	}
	return 0;
}

#ifdef __cplusplus
}
#endif
#endif /* LIBIOTH_H */
