/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Socket ioctls (CONFORMANCE.md's list), answered from the stack's own
 * interfaces with Linux's errno: ENODEV for an unknown name, EADDRNOTAVAIL
 * for an interface without an IPv4 address, ENOTTY for unknown requests.
 * The requests work on the stack's own copy of their argument: api.c
 * copies it from and to the caller (sock_ioctl_arg says how), with
 * EFAULT where the caller's memory is not there. */
#include <errno.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>

#include "../net/net.h"
#include "sock.h"

static void put_sin(struct sockaddr *sa, uint32_t addr) {
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = addr};
	memcpy(sa, &sin, sizeof(sin));
}

static int ifconf(struct ustack *s, struct ifconf *ifc) {
	int used = 0;
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
		for (struct ifaddr4 *a = ifp->addrs; a; a = a->next) {
			if (ifc->ifc_req == NULL) {
				used += (int) sizeof(struct ifreq);
				continue;
			}
			if (used + (int) sizeof(struct ifreq) > ifc->ifc_len)
				goto out;
			struct ifreq *r = (struct ifreq *) (ifc->ifc_buf + used);
			memset(r, 0, sizeof(*r));
			snprintf(r->ifr_name, IFNAMSIZ, "%s", ifp->name);
			put_sin(&r->ifr_addr, a->addr);
			used += (int) sizeof(struct ifreq);
		}
out:
	ifc->ifc_len = used;
	return 0;
}

static int ifreq_ioctl(struct ustack *s, unsigned long cmd, struct ifreq *r) {
	struct netif *ifp;
	if (cmd == SIOCGIFNAME) {
		ifp = netif_by_index(s, r->ifr_ifindex);
		if (ifp == NULL)
			return -ENODEV;
		snprintf(r->ifr_name, IFNAMSIZ, "%s", ifp->name);
		return 0;
	}
	char name[IFNAMSIZ];
	memcpy(name, r->ifr_name, IFNAMSIZ);
	name[IFNAMSIZ - 1] = 0;
	ifp = netif_by_name(s, name);
	if (ifp == NULL)
		return -ENODEV;
	switch (cmd) {
	case SIOCGIFINDEX:
		r->ifr_ifindex = ifp->index;
		return 0;
	case SIOCGIFFLAGS:
		r->ifr_flags = (short) ifp->flags;
		return 0;
	case SIOCSIFFLAGS:
		return netif_set_up(ifp, !!(r->ifr_flags & IFF_UP));
	case SIOCGIFMTU:
		r->ifr_mtu = (int) ifp->mtu;
		return 0;
	case SIOCSIFMTU:
		return netif_set_mtu(ifp, (uint32_t) r->ifr_mtu);
	case SIOCGIFHWADDR:
		memset(&r->ifr_hwaddr, 0, sizeof(r->ifr_hwaddr));
		r->ifr_hwaddr.sa_family = ifp->type;
		if (ifp->type == ARPHRD_ETHER)
			memcpy(r->ifr_hwaddr.sa_data, ifp->mac, 6);
		return 0;
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
		if (ifp->addrs == NULL)
			return -EADDRNOTAVAIL;
		put_sin(&r->ifr_addr, cmd == SIOCGIFADDR ? ifp->addrs->addr
				: cmd == SIOCGIFNETMASK ? ifp->addrs->mask : ifp->addrs->bcast);
		return 0;
	default:
		return -ENOTTY;
	}
}

/* The shape of a request's argument, as Linux copies it: read from the
 * caller before the request (IN), written back after it succeeded (OUT),
 * both, or not known here (NONE: a request ustack answers ENOTTY). */
int sock_ioctl_arg(unsigned long cmd, size_t *size) {
	switch (cmd) {
	case FIONREAD:   /* SIOCINQ */
	case SIOCOUTQ:
	case SIOCOUTQNSD:
	case SIOCATMARK:
		*size = sizeof(int);
		return SOCK_IOCTL_OUT;
	case FIONBIO:
		*size = sizeof(int);
		return SOCK_IOCTL_IN;
	case SIOCGSTAMP_OLD:
		*size = sizeof(struct timeval);
		return SOCK_IOCTL_OUT;
	case SIOCGSTAMPNS_OLD:
		*size = sizeof(struct timespec);
		return SOCK_IOCTL_OUT;
#ifdef SIOCGSTAMP_NEW
	case SIOCGSTAMP_NEW:
	case SIOCGSTAMPNS_NEW:
		*size = 2 * sizeof(long long);
		return SOCK_IOCTL_OUT;
#endif
	case SIOCGIFCONF:
		*size = sizeof(struct ifconf);
		return SOCK_IOCTL_IN | SOCK_IOCTL_OUT;
	case SIOCGIFINDEX:
	case SIOCGIFNAME:
	case SIOCGIFFLAGS:
	case SIOCGIFMTU:
	case SIOCGIFHWADDR:
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
		*size = sizeof(struct ifreq);
		return SOCK_IOCTL_IN | SOCK_IOCTL_OUT;
	case SIOCSIFFLAGS:
	case SIOCSIFMTU:
		*size = sizeof(struct ifreq);
		return SOCK_IOCTL_IN;
	default:
		*size = 0;
		return SOCK_IOCTL_NONE;
	}
}

/* SIOCGSTAMP(NS) (Linux sock_gettstamp): the arrival of the last datagram
 * a receive call gave; ENOENT before any. The first request turns the
 * arrival stamps on: a datagram read before it gets the time of the
 * request, as Linux's does when no stamps were taken. */
static int gettstamp(struct usock *sk, unsigned long cmd, void *arg) {
	sk->stamp_on = true;
	if (!sk->stamp_set)
		return -ENOENT;
	if (sk->stamp_ns == 0) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		sk->stamp_ns = (uint64_t) now.tv_sec * 1000000000u + (uint64_t) now.tv_nsec;
	}
	long long sec = (long long) (sk->stamp_ns / 1000000000u);
	long long ns = (long long) (sk->stamp_ns % 1000000000u);
	if (cmd == SIOCGSTAMP_OLD) {
		struct timeval tv = {.tv_sec = (time_t) sec, .tv_usec = (suseconds_t) (ns / 1000)};
		memcpy(arg, &tv, sizeof(tv));
	} else if (cmd == SIOCGSTAMPNS_OLD) {
		struct timespec ts = {.tv_sec = (time_t) sec, .tv_nsec = (long) ns};
		memcpy(arg, &ts, sizeof(ts));
	} else {
		/* the _NEW ones: two 64-bit numbers (seconds, then micro- or
		 * nanoseconds) */
		long long v[2] = {sec, ns};
#ifdef SIOCGSTAMP_NEW
		if (cmd == SIOCGSTAMP_NEW)
			v[1] = ns / 1000;
#endif
		memcpy(arg, v, sizeof(v));
	}
	return 0;
}

void sock_stamp_received(struct usock *sk, const struct pbuf *p) {
	sk->stamp_set = true;
	sk->stamp_ns = p->m.rx_ns;
}

/* arg: the stack's copy of the argument (sock_ioctl_arg's size, zeroed
 * for requests not known there) */
int sock_ioctl(struct usock *sk, unsigned long cmd, void *arg) {
	switch (cmd) {
	case FIONREAD: {
		/* datagram sockets: the size of the next datagram (Linux udp_ioctl) */
		int n = sk->rxq ? (int) sk->rxq->len : 0;
		memcpy(arg, &n, sizeof(n));
		return 0;
	}
	case SIOCOUTQ: {
		int n = 0;  /* datagrams leave at once */
		memcpy(arg, &n, sizeof(n));
		return 0;
	}
	case FIONBIO: {
		int v;
		memcpy(&v, arg, sizeof(v));
		sk->nonblock = v != 0;
		return 0;
	}
	case SIOCGSTAMP_OLD:
	case SIOCGSTAMPNS_OLD:
#ifdef SIOCGSTAMP_NEW
	case SIOCGSTAMP_NEW:
	case SIOCGSTAMPNS_NEW:
#endif
		/* Linux: every inet and packet socket has them, netlink not */
		return sk->domain == AF_NETLINK ? -ENOTTY : gettstamp(sk, cmd, arg);
	case SIOCGIFCONF:
		return ifconf(sk->s, arg);
	case SIOCGIFINDEX:
	case SIOCGIFNAME:
	case SIOCGIFFLAGS:
	case SIOCSIFFLAGS:
	case SIOCGIFMTU:
	case SIOCSIFMTU:
	case SIOCGIFHWADDR:
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
		return ifreq_ioctl(sk->s, cmd, arg);
	default:
		return -ENOTTY;
	}
}
