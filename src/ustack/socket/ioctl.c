/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Socket ioctls (CONFORMANCE.md's list), answered from the stack's own
 * interfaces with Linux's errno: ENODEV for an unknown name, EADDRNOTAVAIL
 * for an interface without an IPv4 address, ENOTTY for unknown requests. */
#include <errno.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

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

int sock_ioctl(struct usock *sk, unsigned long cmd, void *arg) {
	if (arg == NULL)
		return -EFAULT;
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
