/* SPDX-License-Identifier: LGPL-2.1-or-later
 * vxlan:// of our own: a VXLAN endpoint (RFC 7348) for ustack's VDE
 * interfaces, with libvdeplug's URL syntax
 *
 *   vxlan://[GROUP][/v4][/v6][/port=P][/vni=N][/ttl=T][/if=IFNAME]
 *           [/expiretime=S][/hashsize=N]
 *
 * (GROUP: an IPv4 or IPv6 multicast address, default 239.0.0.1 or, with
 * v6, ff05:56de::1; port 4789; vni 1; ttl 1; hashsize is accepted and
 * ignored). Why not libvdeplug's module: libvdeplug 4.0.1 learns each
 * sender into an address whose length it takes from an uninitialised
 * variable, so every unicast frame it sends afterwards fails
 * (EDESTADDRREQ); ustack could not answer anybody (docs/hosts.md).
 *
 * One UDP socket bound to the port and joined to the group. A frame goes
 * to the group when its destination is broadcast, multicast or a MAC not
 * seen yet, else as unicast to the address that MAC was last seen from,
 * on the network's port (VXLAN endpoints receive on the standard port
 * whatever port they send from). Received packets: 8-byte header with the
 * I flag (0x08) and our VNI, then the frame. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "vxlan.h"

#define VX_HDR 8
#define VX_TABLE 256          /* learned MACs, open addressing */
#define VX_DEFAULT_PORT 4789

struct vx_entry {
	uint8_t mac[6];
	bool used;
	time_t seen;
	struct sockaddr_storage addr;
};

struct vx_conn {
	int fd;
	int family;
	uint32_t vni;
	in_port_t port;         /* network order */
	time_t expire;
	struct sockaddr_storage group;
	socklen_t alen;
	struct vx_entry table[VX_TABLE];
};

static unsigned vx_hash(const uint8_t mac[6]) {
	unsigned h = 2166136261u;
	for (int i = 0; i < 6; i++)
		h = (h ^ mac[i]) * 16777619u;
	return h % VX_TABLE;
}

/* the entry of mac, or the slot where it goes (NULL: table full of live
 * entries along the probe: then it is not learned, frames go to the group) */
static struct vx_entry *vx_slot(struct vx_conn *c, const uint8_t mac[6], time_t now, bool *found) {
	unsigned h = vx_hash(mac);
	struct vx_entry *free_slot = NULL;
	*found = false;
	for (unsigned k = 0; k < 16; k++) {
		struct vx_entry *e = &c->table[(h + k) % VX_TABLE];
		bool live = e->used && now - e->seen <= c->expire;
		if (live && memcmp(e->mac, mac, 6) == 0) {
			*found = true;
			return e;
		}
		if (!live && free_slot == NULL)
			free_slot = e;
	}
	return free_slot;
}

static int parse_opts(char *opts, char **addr, int *fam, char **port, uint32_t *vni, int *ttl,
		char **ifname, time_t *expire) {
	char *save = NULL;
	char *first = strtok_r(opts, "/", &save);
	for (char *o = first; o; o = strtok_r(NULL, "/", &save)) {
		if (o == first && strchr(o, '=') == NULL && strcmp(o, "v4") != 0 && strcmp(o, "v6") != 0) {
			*addr = o;
		} else if (strcmp(o, "v4") == 0) {
			*fam = AF_INET;
		} else if (strcmp(o, "v6") == 0) {
			*fam = AF_INET6;
		} else if (strncmp(o, "port=", 5) == 0) {
			*port = o + 5;
		} else if (strncmp(o, "vni=", 4) == 0) {
			char *end;
			unsigned long v = strtoul(o + 4, &end, 0);
			if (*end || v > 0xffffff)
				return -1;
			*vni = (uint32_t) v;
		} else if (strncmp(o, "ttl=", 4) == 0) {
			*ttl = atoi(o + 4);
		} else if (strncmp(o, "if=", 3) == 0) {
			*ifname = o + 3;
		} else if (strncmp(o, "expiretime=", 11) == 0) {
			*expire = (time_t) atol(o + 11);
		} else if (strncmp(o, "hashsize=", 9) == 0) {
			/* our table has a fixed size */
		} else {
			return -1;
		}
	}
	return 0;
}

void *vx_open(const char *vnl) {
	char *opts = strdup(vnl + strlen("vxlan://"));
	if (opts == NULL)
		return NULL;
	char *addr = NULL, *port = NULL, *ifname = NULL;
	int fam = AF_UNSPEC, ttl = 1;
	uint32_t vni = 1;
	time_t expire = 128;
	struct vx_conn *c = NULL;
	struct addrinfo *ai = NULL;
	int err = EINVAL;
	if (parse_opts(opts, &addr, &fam, &port, &vni, &ttl, &ifname, &expire) < 0)
		goto fail;
	if (addr == NULL)
		addr = fam == AF_INET6 ? "ff05:56de::1" : "239.0.0.1";
	char portbuf[8];
	if (port == NULL) {
		snprintf(portbuf, sizeof(portbuf), "%d", VX_DEFAULT_PORT);
		port = portbuf;
	}
	struct addrinfo hints = {.ai_family = fam, .ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	if (getaddrinfo(addr, port, &hints, &ai) != 0 || ai == NULL)
		goto fail;
	unsigned ifindex = 0;
	if (ifname && (ifindex = if_nametoindex(ifname)) == 0) {
		err = ENODEV;
		goto fail;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		err = ENOMEM;
		goto fail;
	}
	c->fd = -1;
	c->family = ai->ai_family;
	c->vni = vni;
	c->expire = expire;
	memcpy(&c->group, ai->ai_addr, ai->ai_addrlen);
	c->alen = ai->ai_addrlen;
	c->fd = socket(c->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		err = errno;
		goto fail;
	}
	int zero = 0;
	if (c->family == AF_INET) {
		struct sockaddr_in *g = (struct sockaddr_in *) &c->group;
		c->port = g->sin_port;
		if (!IN_MULTICAST(ntohl(g->sin_addr.s_addr)))
			goto fail;
		struct sockaddr_in any = {.sin_family = AF_INET, .sin_port = c->port};
		struct ip_mreqn mr = {.imr_multiaddr = g->sin_addr, .imr_ifindex = (int) ifindex};
		unsigned char t = (unsigned char) ttl, loop = 0;
		if (bind(c->fd, (struct sockaddr *) &any, sizeof(any)) < 0 ||
				setsockopt(c->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)) < 0 ||
				(ifindex && setsockopt(c->fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0) ||
				setsockopt(c->fd, IPPROTO_IP, IP_MULTICAST_TTL, &t, sizeof(t)) < 0 ||
				setsockopt(c->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) < 0) {
			err = errno;
			goto fail;
		}
	} else {
		struct sockaddr_in6 *g = (struct sockaddr_in6 *) &c->group;
		c->port = g->sin6_port;
		if (!IN6_IS_ADDR_MULTICAST(&g->sin6_addr))
			goto fail;
		struct sockaddr_in6 any = {.sin6_family = AF_INET6, .sin6_port = c->port};
		struct ipv6_mreq mr = {.ipv6mr_multiaddr = g->sin6_addr, .ipv6mr_interface = ifindex};
		int hops = ttl;
		if (bind(c->fd, (struct sockaddr *) &any, sizeof(any)) < 0 ||
				setsockopt(c->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) < 0 ||
				(ifindex && setsockopt(c->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0) ||
				setsockopt(c->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
				setsockopt(c->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0) {
			err = errno;
			goto fail;
		}
	}
	freeaddrinfo(ai);
	free(opts);
	return c;
fail:
	if (c && c->fd >= 0)
		close(c->fd);
	free(c);
	if (ai)
		freeaddrinfo(ai);
	free(opts);
	errno = err;
	return NULL;
}

int vx_datafd(void *conn) {
	return ((struct vx_conn *) conn)->fd;
}

ssize_t vx_recv(void *conn, void *buf, size_t len) {
	struct vx_conn *c = conn;
	uint8_t hdr[VX_HDR];
	struct sockaddr_storage from;
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {buf, len}};
	struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = iov, .msg_iovlen = 2};
	ssize_t n = recvmsg(c->fd, &msg, 0);
	if (n < 0)
		return -1;
	uint32_t vni = ((uint32_t) hdr[4] << 16) | ((uint32_t) hdr[5] << 8) | hdr[6];
	if (n < VX_HDR + 14 || !(hdr[0] & 0x08) || vni != c->vni || (msg.msg_flags & MSG_TRUNC) ||
			from.ss_family != c->family) {
		errno = EAGAIN;   /* no frame for us */
		return -1;
	}
	const uint8_t *src = (const uint8_t *) buf + 6;
	if (!(src[0] & 1)) {
		time_t now = time(NULL);
		bool found;
		struct vx_entry *e = vx_slot(c, src, now, &found);
		if (e) {
			memcpy(e->mac, src, 6);
			e->used = true;
			e->seen = now;
			e->addr = from;
			/* replies go to the network's port, whatever port it sent from */
			if (c->family == AF_INET)
				((struct sockaddr_in *) &e->addr)->sin_port = c->port;
			else
				((struct sockaddr_in6 *) &e->addr)->sin6_port = c->port;
		}
	}
	return n - VX_HDR;
}

ssize_t vx_send(void *conn, const void *buf, size_t len) {
	struct vx_conn *c = conn;
	if (len < 14) {
		errno = EINVAL;
		return -1;
	}
	uint8_t hdr[VX_HDR] = {0x08, 0, 0, 0, (uint8_t) (c->vni >> 16), (uint8_t) (c->vni >> 8),
		(uint8_t) c->vni, 0};
	const uint8_t *dst = buf;
	struct sockaddr_storage *to = &c->group;
	if (!(dst[0] & 1)) {
		bool found;
		struct vx_entry *e = vx_slot(c, dst, time(NULL), &found);
		if (found)
			to = &e->addr;
	}
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *) buf, len}};
	struct msghdr msg = {.msg_name = to, .msg_namelen = c->alen, .msg_iov = iov, .msg_iovlen = 2};
	ssize_t n = sendmsg(c->fd, &msg, 0);
	return n < 0 ? -1 : n - VX_HDR;
}

void vx_close(void *conn) {
	struct vx_conn *c = conn;
	close(c->fd);
	free(c);
}
