/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libiothradvd: router advertisements (RFC 4861 section 6.2) from a thread,
 * on a raw ICMPv6 socket of any ioth stack.
 *
 * The thread sleeps in poll() on the socket and a pipe (a byte 0: stop; 1:
 * the DNS options changed).
 * Periodic advertisements go to ff02::1; a valid solicitation from an
 * address is answered by unicast after a random delay of at most
 * MAX_RA_DELAY_TIME, one from :: by a multicast advertisement, at most one
 * every MIN_DELAY_BETWEEN_RAS. Every advertisement leaves with hop limit
 * 255 (hosts drop anything else, RFC 4861 6.1.2) from the interface's
 * link-local address (6.1.2 again), chosen with IPV6_PKTINFO. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/icmp6.h>
#include <netinet/ip6.h>
#include <netpacket/packet.h>
#include <sys/random.h>
#include <ioth.h>
#include <iothradvd.h>

#define MAX_RA_DELAY_MS 500
#define MIN_DELAY_BETWEEN_RAS_MS 3000
#define MAX_PENDING 16
#define RETRY_MS 1000
#define DNSSL_MAX 256
#define ND_OPT_RDNSS_TYPE 25      /* RFC 8106 5.1 */
#define ND_OPT_DNSSL_TYPE 31      /* RFC 8106 5.2 */

struct pending {
	struct in6_addr to;
	int64_t due;
};

struct iothradvd {
	struct ioth *stack;
	unsigned int ifindex;
	int period;
	struct iothradata data;
	struct iothraprefix *prefixes;
	int nprefixes;
	int fd;
	int pipefd[2];
	pthread_t thread;
	pthread_mutex_t mutex;
	struct iothradvd_stats stats;
	uint8_t mac[6];
	int havemac;
	struct in6_addr lladdr;
	int havell;
	int64_t next_periodic;
	int64_t last_multicast;
	int multicast_due;      /* an answer to a solicitation from :: is pending */
	int64_t multicast_at;
	struct pending pending[MAX_PENDING];
	int npending;
	/* RFC 8106, under mutex (iothradvd_setdns from another thread) */
	struct in6_addr rdnss[IOTHRADVD_MAXDNS];
	int nrdnss;
	uint8_t dnssl[DNSSL_MAX];    /* the names in wire format */
	size_t dnssl_len;
	uint32_t dns_lifetime;
	struct ioth *ownstack;       /* iothradvd_vdestart's */
};

static int64_t now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned int random_ms(unsigned int max) {
	unsigned int r = 0;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (unsigned int) now_ms() * 2654435761u;
	return r % (max + 1);
}

/* the MAC and the link-local address of the interface, through the stack's
 * netlink (ioth_getifaddrs); the link-local address may come later (DAD) */
static void lookup_link(struct iothradvd *r) {
	struct ifaddrs *ifa, *p;
	if (ioth_getifaddrs(r->stack, &ifa) < 0)
		return;
	for (p = ifa; p != NULL; p = p->ifa_next) {
		if (p->ifa_addr == NULL)
			continue;
		if (p->ifa_addr->sa_family == AF_PACKET) {
			struct sockaddr_ll *sll = (struct sockaddr_ll *) p->ifa_addr;
			if ((unsigned int) sll->sll_ifindex == r->ifindex && sll->sll_halen == 6) {
				memcpy(r->mac, sll->sll_addr, 6);
				r->havemac = 1;
			}
		} else if (p->ifa_addr->sa_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *) p->ifa_addr;
			if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) &&
					(s6->sin6_scope_id == r->ifindex || s6->sin6_scope_id == 0) &&
					p->ifa_name != NULL &&
					ioth_if_nametoindex(r->stack, p->ifa_name) == (int) r->ifindex) {
				r->lladdr = s6->sin6_addr;
				r->havell = 1;
			}
		}
	}
	ioth_freeifaddrs(ifa);
}

static void put32(uint8_t *p, uint32_t v) {
	p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

/* the advertisement; lifetime0: the final one, router lifetime 0 */
static size_t build_ra(struct iothradvd *r, uint8_t *buf, int lifetime0) {
	size_t len = 16;
	memset(buf, 0, 16);
	buf[0] = ND_ROUTER_ADVERT;
	buf[4] = r->data.curhoplimit;
	buf[5] = r->data.flags;
	uint16_t lt = lifetime0 ? 0 : r->data.router_lifetime;
	buf[6] = lt >> 8; buf[7] = lt;
	put32(buf + 8, r->data.reachable);
	put32(buf + 12, r->data.retransmit);
	if (r->havemac) {                  /* source link-layer address, 4.6.1 */
		buf[len] = ND_OPT_SOURCE_LINKADDR; buf[len + 1] = 1;
		memcpy(buf + len + 2, r->mac, 6);
		len += 8;
	}
	if (r->data.mtu != 0) {            /* MTU, 4.6.4 */
		memset(buf + len, 0, 8);
		buf[len] = ND_OPT_MTU; buf[len + 1] = 1;
		put32(buf + len + 4, r->data.mtu);
		len += 8;
	}
	pthread_mutex_lock(&r->mutex);
	if (r->nrdnss > 0) {               /* RDNSS, RFC 8106 5.1 */
		uint8_t *o = buf + len;
		memset(o, 0, 8);
		o[0] = ND_OPT_RDNSS_TYPE; o[1] = (uint8_t) (1 + 2 * r->nrdnss);
		put32(o + 4, r->dns_lifetime);
		for (int i = 0; i < r->nrdnss; i++)
			memcpy(o + 8 + 16 * i, &r->rdnss[i], 16);
		len += 8 + 16 * r->nrdnss;
	}
	if (r->dnssl_len > 0) {            /* DNSSL, RFC 8106 5.2: padded to 8 */
		size_t olen = (8 + r->dnssl_len + 7) / 8 * 8;
		uint8_t *o = buf + len;
		memset(o, 0, olen);
		o[0] = ND_OPT_DNSSL_TYPE; o[1] = (uint8_t) (olen / 8);
		put32(o + 4, r->dns_lifetime);
		memcpy(o + 8, r->dnssl, r->dnssl_len);
		len += olen;
	}
	pthread_mutex_unlock(&r->mutex);
	for (int i = 0; i < r->nprefixes; i++) {   /* prefix information, 4.6.2 */
		struct iothraprefix *p = &r->prefixes[i];
		uint8_t *o = buf + len;
		memset(o, 0, 32);
		o[0] = ND_OPT_PREFIX_INFORMATION; o[1] = 4;
		o[2] = p->prefixlen; o[3] = p->flags;
		put32(o + 4, p->valid_time);
		put32(o + 8, p->preferred_time);
		/* the bits past prefixlen are zero (4.6.2: receivers ignore them) */
		for (int b = 0; b < 16; b++) {
			int keep = p->prefixlen - 8 * b;
			uint8_t m = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t) (0xff << (8 - keep));
			o[16 + b] = p->prefix.s6_addr[b] & m;
		}
		len += 32;
	}
	return len;
}

static int send_ra(struct iothradvd *r, const struct in6_addr *to, int lifetime0) {
	uint8_t buf[16 + 8 + 8 + (8 + 16 * IOTHRADVD_MAXDNS) + (8 + DNSSL_MAX + 8) + 32 * 64];
	if (!r->havell || !r->havemac)
		lookup_link(r);
	if (!r->havell) {
		errno = EADDRNOTAVAIL;
		goto err;
	}
	size_t len = build_ra(r, buf, lifetime0);
	struct sockaddr_in6 dst = {.sin6_family = AF_INET6, .sin6_addr = *to,
		.sin6_scope_id = r->ifindex};
	struct iovec iov = {buf, len};
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cbuf;
	memset(&cbuf, 0, sizeof(cbuf));
	struct msghdr msg = {.msg_name = &dst, .msg_namelen = sizeof(dst), .msg_iov = &iov,
		.msg_iovlen = 1, .msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
	struct in6_pktinfo pi = {.ipi6_addr = r->lladdr, .ipi6_ifindex = r->ifindex};
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	if (ioth_sendmsg(r->fd, &msg, 0) < 0) {
		/* the link-local address may have gone (or still be tentative) */
		r->havell = 0;
		goto err;
	}
	pthread_mutex_lock(&r->mutex);
	r->stats.ra_sent++;
	pthread_mutex_unlock(&r->mutex);
	return 0;
err:
	pthread_mutex_lock(&r->mutex);
	r->stats.send_errors++;
	pthread_mutex_unlock(&r->mutex);
	return -1;
}

/* RFC 4861 6.1.1: hop limit 255, code 0, at least 8 bytes, options of
 * non-zero length, no source link-layer option from :: */
static int valid_rs(const uint8_t *p, ssize_t n, int hoplimit, const struct in6_addr *src) {
	if (n < 8 || p[0] != ND_ROUTER_SOLICIT || p[1] != 0)
		return 0;
	if (hoplimit != 255)
		return 0;
	for (ssize_t off = 8; off < n; ) {
		if (n - off < 2 || p[off + 1] == 0 || off + 8 * p[off + 1] > n)
			return 0;
		if (p[off] == ND_OPT_SOURCE_LINKADDR && IN6_IS_ADDR_UNSPECIFIED(src))
			return 0;
		off += 8 * p[off + 1];
	}
	return 1;
}

static void receive(struct iothradvd *r) {
	uint8_t buf[1500];
	struct sockaddr_in6 from;
	union {
		char buf[256];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
		.msg_iovlen = 1, .msg_control = cbuf.buf, .msg_controllen = sizeof(cbuf.buf)};
	ssize_t n = ioth_recvmsg(r->fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return;
	int hoplimit = -1;
	unsigned int ifindex = from.sin6_scope_id;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_HOPLIMIT && c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(&hoplimit, CMSG_DATA(c), sizeof(int));
		else if (c->cmsg_type == IPV6_PKTINFO && c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			ifindex = pi.ipi6_ifindex;
		}
	}
	if (n < 1 || buf[0] != ND_ROUTER_SOLICIT)
		return;
	if (ifindex != 0 && ifindex != r->ifindex)
		return;
	if (!valid_rs(buf, n, hoplimit, &from.sin6_addr)) {
		pthread_mutex_lock(&r->mutex);
		r->stats.rs_dropped++;
		pthread_mutex_unlock(&r->mutex);
		return;
	}
	pthread_mutex_lock(&r->mutex);
	r->stats.rs_received++;
	pthread_mutex_unlock(&r->mutex);
	int64_t now = now_ms();
	if (IN6_IS_ADDR_UNSPECIFIED(&from.sin6_addr)) {
		/* 6.2.6: multicast, delayed, rate limited */
		if (!r->multicast_due) {
			int64_t at = now + random_ms(MAX_RA_DELAY_MS);
			if (at < r->last_multicast + MIN_DELAY_BETWEEN_RAS_MS)
				at = r->last_multicast + MIN_DELAY_BETWEEN_RAS_MS;
			r->multicast_due = 1;
			r->multicast_at = at;
		}
		return;
	}
	for (int i = 0; i < r->npending; i++)
		if (IN6_ARE_ADDR_EQUAL(&r->pending[i].to, &from.sin6_addr))
			return;
	if (r->npending < MAX_PENDING) {
		r->pending[r->npending].to = from.sin6_addr;
		r->pending[r->npending].due = now + random_ms(MAX_RA_DELAY_MS);
		r->npending++;
	}
}

static const struct in6_addr all_nodes = {{{0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}};

static void *radvd_thread(void *arg) {
	struct iothradvd *r = arg;
	int64_t now = now_ms();
	r->next_periodic = r->period > 0 ? now : -1;
	r->last_multicast = now - MIN_DELAY_BETWEEN_RAS_MS;
	for (;;) {
		now = now_ms();
		int64_t next = now + 60000;
		if (r->next_periodic >= 0 && r->next_periodic < next)
			next = r->next_periodic;
		if (r->multicast_due && r->multicast_at < next)
			next = r->multicast_at;
		for (int i = 0; i < r->npending; i++)
			if (r->pending[i].due < next)
				next = r->pending[i].due;
		int timeout = next > now ? (int) (next - now) : 0;
		struct pollfd pfd[2] = {{r->fd, POLLIN, 0}, {r->pipefd[0], POLLIN, 0}};
		int n = poll(pfd, 2, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && pfd[1].revents) {
			/* 0: stop; 1: the DNS options changed (iothradvd_setdns): a
			 * periodic daemon tells at once (RFC 4861 6.2.4 allows an
			 * advertisement when the information changes) */
			char b = 0;
			if (read(r->pipefd[0], &b, 1) != 1 || b == 0)
				break;
			if (r->next_periodic >= 0)
				r->next_periodic = now_ms();
		}
		if (n > 0 && (pfd[0].revents & POLLIN))
			receive(r);
		now = now_ms();
		if (r->next_periodic >= 0 && now >= r->next_periodic) {
			if (send_ra(r, &all_nodes, 0) == 0) {
				r->last_multicast = now;
				r->next_periodic = now + (int64_t) r->period * 1000;
				r->multicast_due = 0;
			} else
				r->next_periodic = now + RETRY_MS;
		}
		if (r->multicast_due && now >= r->multicast_at) {
			if (send_ra(r, &all_nodes, 0) == 0) {
				r->last_multicast = now;
				r->multicast_due = 0;
			} else
				r->multicast_at = now + RETRY_MS;
		}
		for (int i = 0; i < r->npending; ) {
			if (now >= r->pending[i].due) {
				send_ra(r, &r->pending[i].to, 0);
				r->pending[i] = r->pending[--r->npending];
			} else
				i++;
		}
	}
	if (r->period > 0)
		send_ra(r, &all_nodes, 1);
	return NULL;
}

static int setopt(int fd, int level, int name, int value) {
	return ioth_setsockopt(fd, level, name, &value, sizeof(value));
}

struct iothradvd *iothradvd_start(struct ioth *stack, unsigned int ifindex, int period,
		struct iothradata *data, struct iothraprefix *pdata, int npdata) {
	if (ifindex == 0 || period < 0 || data == NULL || npdata < 0 || npdata > 64 ||
			(npdata > 0 && pdata == NULL)) {
		errno = EINVAL;
		return NULL;
	}
	for (int i = 0; i < npdata; i++)
		if (pdata[i].prefixlen > 128) {
			errno = EINVAL;
			return NULL;
		}
	struct iothradvd *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->stack = stack;
	r->ifindex = ifindex;
	r->period = period;
	r->data = *data;
	r->nprefixes = npdata;
	r->fd = -1;
	r->pipefd[0] = r->pipefd[1] = -1;
	pthread_mutex_init(&r->mutex, NULL);
	if (npdata > 0) {
		r->prefixes = calloc(npdata, sizeof(*pdata));
		if (r->prefixes == NULL)
			goto err;
		memcpy(r->prefixes, pdata, npdata * sizeof(*pdata));
	}
	r->fd = ioth_msocket(stack, AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (r->fd < 0)
		goto err;
	struct icmp6_filter filter;
	ICMP6_FILTER_SETBLOCKALL(&filter);
	ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &filter);
	struct ipv6_mreq mreq = {.ipv6mr_interface = ifindex};
	inet_pton(AF_INET6, "ff02::2", &mreq.ipv6mr_multiaddr);
	if (ioth_setsockopt(r->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof(filter)) < 0 ||
			setopt(r->fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255) < 0 ||
			setopt(r->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255) < 0 ||
			setopt(r->fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int) ifindex) < 0 ||
			setopt(r->fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) < 0 ||
			setopt(r->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) < 0 ||
			setopt(r->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1) < 0 ||
			ioth_setsockopt(r->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mreq, sizeof(mreq)) < 0)
		goto err;
	if (pipe2(r->pipefd, O_CLOEXEC) < 0)
		goto err;
	lookup_link(r);
	int e = pthread_create(&r->thread, NULL, radvd_thread, r);
	if (e != 0) {
		errno = e;
		goto err;
	}
	return r;
err:;
	int err = errno;
	if (r->fd >= 0)
		ioth_close(r->fd);
	if (r->pipefd[0] >= 0) {
		close(r->pipefd[0]);
		close(r->pipefd[1]);
	}
	pthread_mutex_destroy(&r->mutex);
	free(r->prefixes);
	free(r);
	errno = err;
	return NULL;
}

/* "a.b.c" into DNS wire format (RFC 1035 3.1) at out; the length, or -1 for
 * an empty label, a label over 63 bytes or no room */
static int dname_wire(const char *name, size_t nlen, uint8_t *out, size_t room) {
	size_t o = 0, start = 0;
	if (nlen > 0 && name[nlen - 1] == '.')
		nlen--;
	if (nlen == 0)
		return -1;
	for (size_t i = 0; i <= nlen; i++) {
		if (i < nlen && name[i] != '.')
			continue;
		size_t l = i - start;
		if (l == 0 || l > 63 || o + 1 + l >= room)
			return -1;
		out[o++] = (uint8_t) l;
		memcpy(out + o, name + start, l);
		o += l;
		start = i + 1;
	}
	out[o++] = 0;
	return (int) o;
}

int iothradvd_setdns(struct iothradvd *r, const struct in6_addr *servers, int nservers,
		const char *domains, uint32_t lifetime) {
	if (r == NULL || nservers < 0 || nservers > IOTHRADVD_MAXDNS || (nservers > 0 && servers == NULL))
		return errno = EINVAL, -1;
	uint8_t wire[DNSSL_MAX];
	size_t wlen = 0;
	for (const char *p = domains ? domains : ""; *p; ) {
		size_t skip = strspn(p, ", \t");
		p += skip;
		size_t n = strcspn(p, ", \t");
		if (n == 0)
			break;
		int w = dname_wire(p, n, wire + wlen, sizeof(wire) - wlen);
		if (w < 0)
			return errno = EINVAL, -1;
		wlen += (size_t) w;
		p += n;
	}
	pthread_mutex_lock(&r->mutex);
	if (nservers > 0)
		memcpy(r->rdnss, servers, nservers * sizeof(*servers));
	r->nrdnss = nservers;
	memcpy(r->dnssl, wire, wlen);
	r->dnssl_len = wlen;
	r->dns_lifetime = lifetime;
	pthread_mutex_unlock(&r->mutex);
	char c = 1;
	while (write(r->pipefd[1], &c, 1) < 0 && errno == EINTR)
		;
	return 0;
}

struct iothradvd *iothradvd_vdestart(char *vnl, void *macaddr, int period,
		struct iothradata *data, struct iothraprefix *pdata, int npdata) {
	if (vnl == NULL || *vnl == 0)
		return errno = EINVAL, NULL;
	struct ioth *st = ioth_newstack("ustack", vnl);
	if (st == NULL)
		st = ioth_newstack("vdestack", vnl);
	if (st == NULL)
		return NULL;
	int ifindex = ioth_if_nametoindex(st, "vde0");
	if (ifindex <= 0 ||
			(macaddr != NULL && ioth_linksetaddr(st, ifindex, macaddr) < 0) ||
			ioth_linksetupdown(st, ifindex, 1) < 0) {
		int e = ifindex <= 0 ? ENODEV : errno;
		ioth_delstack(st);
		return errno = e, NULL;
	}
	struct iothradvd *r = iothradvd_start(st, (unsigned int) ifindex, period, data, pdata, npdata);
	if (r == NULL) {
		int e = errno;
		ioth_delstack(st);
		return errno = e, NULL;
	}
	r->ownstack = st;
	return r;
}

void iothradvd_stop(struct iothradvd *r) {
	if (r == NULL)
		return;
	char c = 0;
	while (write(r->pipefd[1], &c, 1) < 0 && errno == EINTR)
		;
	pthread_join(r->thread, NULL);
	ioth_close(r->fd);
	close(r->pipefd[0]);
	close(r->pipefd[1]);
	pthread_mutex_destroy(&r->mutex);
	free(r->prefixes);
	struct ioth *own = r->ownstack;
	free(r);
	if (own != NULL)
		ioth_delstack(own);
}

void iothradvd_getstats(struct iothradvd *r, struct iothradvd_stats *stats) {
	pthread_mutex_lock(&r->mutex);
	*stats = r->stats;
	pthread_mutex_unlock(&r->mutex);
}
