/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ioth_getifaddrs: getifaddrs(3) for any stack, from two rtnetlink dumps
 * (RTM_GETLINK, RTM_GETADDR) on a netlink socket of that stack. The list has
 * what glibc's has: one AF_PACKET entry per interface (MAC address,
 * broadcast, ifa_data = struct rtnl_link_stats), then one entry per address
 * with its netmask and broadcast. Each node is one allocation. */
#include <errno.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "internal.h"

struct ifa_node {
	struct ifaddrs ifa;
	struct sockaddr_storage addr, netmask, broad;
	struct rtnl_link_stats stats;
	unsigned int ifindex;
	char name[IFNAMSIZ];
};

struct ifa_list {
	struct ifa_node *head, **tail;
};

static struct ifa_node *node_new(struct ifa_list *l) {
	struct ifa_node *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->ifa.ifa_name = n->name;
	*l->tail = n;
	l->tail = (struct ifa_node **) &n->ifa.ifa_next;
	return n;
}

static const struct ifa_node *find_link(const struct ifa_list *l, unsigned int ifindex) {
	for (const struct ifa_node *n = l->head; n; n = (const struct ifa_node *) n->ifa.ifa_next)
		if (n->ifindex == ifindex && n->ifa.ifa_addr && n->ifa.ifa_addr->sa_family == AF_PACKET)
			return n;
	return NULL;
}

static void set_ll(struct sockaddr_storage *ss, unsigned int ifindex, unsigned short type,
		const void *hw, size_t len) {
	struct sockaddr_ll *sll = (struct sockaddr_ll *) ss;
	sll->sll_family = AF_PACKET;
	sll->sll_ifindex = (int) ifindex;
	sll->sll_hatype = type;
	if (len > sizeof(sll->sll_addr))
		len = sizeof(sll->sll_addr);
	sll->sll_halen = (unsigned char) len;
	if (len)
		memcpy(sll->sll_addr, hw, len);
}

static int add_link(struct ifa_list *l, struct nlmsghdr *h) {
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return 0;
	struct ifa_node *n = node_new(l);
	if (n == NULL)
		return -1;
	n->ifindex = (unsigned int) ifi->ifi_index;
	n->ifa.ifa_flags = ifi->ifi_flags;
	set_ll(&n->addr, n->ifindex, ifi->ifi_type, NULL, 0);
	n->ifa.ifa_addr = (struct sockaddr *) &n->addr;
	int len = (int) IFLA_PAYLOAD(h);
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		size_t alen = RTA_PAYLOAD(a);
		switch (a->rta_type) {
		case IFLA_IFNAME:
			snprintf(n->name, sizeof(n->name), "%.*s", (int) alen, (char *) RTA_DATA(a));
			break;
		case IFLA_ADDRESS:
			set_ll(&n->addr, n->ifindex, ifi->ifi_type, RTA_DATA(a), alen);
			break;
		case IFLA_BROADCAST:
			set_ll(&n->broad, n->ifindex, ifi->ifi_type, RTA_DATA(a), alen);
			n->ifa.ifa_broadaddr = (struct sockaddr *) &n->broad;
			break;
		case IFLA_STATS:
			memcpy(&n->stats, RTA_DATA(a), alen < sizeof(n->stats) ? alen : sizeof(n->stats));
			n->ifa.ifa_data = &n->stats;
			break;
		}
	}
	return 0;
}

static void set_ip(struct sockaddr_storage *ss, int family, const void *a, size_t len,
		unsigned int ifindex) {
	if (family == AF_INET && len >= 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *) ss;
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a, 4);
	} else if (family == AF_INET6 && len >= 16) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, a, 16);
		if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) || IN6_IS_ADDR_MC_LINKLOCAL(&sin6->sin6_addr))
			sin6->sin6_scope_id = ifindex;
	}
}

static void set_mask(struct sockaddr_storage *ss, int family, unsigned int plen) {
	unsigned char bytes[16] = {0};
	unsigned int max = family == AF_INET ? 32 : 128;
	if (plen > max)
		plen = max;
	for (unsigned int i = 0; i < plen; i++)
		bytes[i / 8] |= (unsigned char) (0x80 >> (i % 8));
	set_ip(ss, family, bytes, family == AF_INET ? 4 : 16, 0);
}

static int add_addr(struct ifa_list *l, struct nlmsghdr *h) {
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)))
		return 0;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return 0;
	struct rtattr *address = NULL, *local = NULL, *broad = NULL;
	int len = (int) IFA_PAYLOAD(h);
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == IFA_ADDRESS)
			address = a;
		else if (a->rta_type == IFA_LOCAL)
			local = a;
		else if (a->rta_type == IFA_BROADCAST)
			broad = a;
	}
	/* IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer's on
	 * point-to-point links (and the same as IFA_LOCAL elsewhere). */
	struct rtattr *own = local ? local : address;
	if (own == NULL)
		return 0;
	struct ifa_node *n = node_new(l);
	if (n == NULL)
		return -1;
	const struct ifa_node *link = find_link(l, ifa->ifa_index);
	n->ifindex = ifa->ifa_index;
	if (link) {
		memcpy(n->name, link->name, sizeof(n->name));
		n->ifa.ifa_flags = link->ifa.ifa_flags;
	} else
		n->name[0] = 0; /* the link vanished between the two dumps */
	set_ip(&n->addr, ifa->ifa_family, RTA_DATA(own), RTA_PAYLOAD(own), n->ifindex);
	n->ifa.ifa_addr = (struct sockaddr *) &n->addr;
	set_mask(&n->netmask, ifa->ifa_family, ifa->ifa_prefixlen);
	n->ifa.ifa_netmask = (struct sockaddr *) &n->netmask;
	/* On loopback and point-to-point links the union is ifa_dstaddr: the
	 * peer (IFA_ADDRESS) even when it equals the own address, as glibc and
	 * the original libioth report for lo's 127.0.0.1. Elsewhere it is the
	 * broadcast address, or the peer only when it differs from our own. */
	int ptp = link && (link->ifa.ifa_flags & (IFF_LOOPBACK | IFF_POINTOPOINT));
	struct rtattr *other = (ptp && local && address) ? address
		: broad ? broad : (local && address ? address : NULL);
	if (other && (ptp || !(other == address && RTA_PAYLOAD(address) == RTA_PAYLOAD(local) &&
				memcmp(RTA_DATA(address), RTA_DATA(local), RTA_PAYLOAD(local)) == 0))) {
		set_ip(&n->broad, ifa->ifa_family, RTA_DATA(other), RTA_PAYLOAD(other), n->ifindex);
		n->ifa.ifa_broadaddr = (struct sockaddr *) &n->broad;
	}
	return 0;
}

/* One dump request; feed every message to add(). */
static int dump(int fd, int type, int family, unsigned int seq, struct ifa_list *l,
		int (*add)(struct ifa_list *, struct nlmsghdr *)) {
	struct {
		struct nlmsghdr h;
		struct rtgenmsg g;
	} req = {
		.h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtgenmsg)), .nlmsg_type = (unsigned short) type,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = seq},
		.g = {.rtgen_family = (unsigned char) family},
	};
	if (ioth_send(fd, &req, req.h.nlmsg_len, 0) < 0)
		return -1;
	size_t bufsize = 32768;
	char *buf = malloc(bufsize);
	if (buf == NULL)
		return errno = ENOMEM, -1;
	int ret = -1;
	for (;;) {
		ssize_t n = ioth_recv(fd, buf, bufsize, 0);
		if (n < 0)
			goto out;
		if (n == 0) {
			errno = EPROTO;
			goto out;
		}
		int len = (int) n;
		for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				ret = 0;
				goto out;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);
				errno = (h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error) ? -e->error : EPROTO;
				goto out;
			}
			/* RTM_NEWLINK/RTM_NEWADDR answer RTM_GETLINK/RTM_GETADDR. */
			if (h->nlmsg_type == type - 2 && add(l, h) < 0)
				goto out;
		}
	}
out:
	free(buf);
	return ret;
}

void ioth_freeifaddrs(struct ifaddrs *ifa) {
	while (ifa) {
		struct ifaddrs *next = ifa->ifa_next;
		free(ifa); /* the ifaddrs is the first member of its node */
		ifa = next;
	}
}

int ioth_getifaddrs(struct ioth *stack, struct ifaddrs **ifap) {
	if (ifap == NULL)
		return errno = EFAULT, -1;
	int fd = ioth_msocket(stack, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	struct ifa_list l = {NULL, &l.head};
	unsigned int seq = (unsigned int) time(NULL);
	int ret = dump(fd, RTM_GETLINK, AF_PACKET, seq, &l, add_link);
	if (ret == 0)
		ret = dump(fd, RTM_GETADDR, AF_UNSPEC, seq + 1, &l, add_addr);
	int err = errno;
	ioth_close(fd);
	if (ret < 0) {
		ioth_freeifaddrs(l.head ? &l.head->ifa : NULL);
		return errno = err, -1;
	}
	*ifap = l.head ? &l.head->ifa : NULL;
	return 0;
}
