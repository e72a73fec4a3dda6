/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Router discovery (RFC 4861 6.3.7, 6.3.4) over a raw ICMPv6 socket of the
 * stack, SLAAC (RFC 4862 5.5.3) with the EUI-64 or the hash-based
 * interface identifier, RDNSS/DNSSL (RFC 8106). What an advertisement gave
 * lives for its lifetimes: the timer thread solicits again before they end
 * and removes what ends.
 */
#define _GNU_SOURCE   /* struct in6_pktinfo (RFC 3542) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <ioth.h>
#include "iothconf_int.h"

#define INFINITE 0xffffffffu

/* RFC 4861 10: a router delays a solicited RA up to 0.5 s and sends RAs at
 * least 3 s apart (MIN_DELAY_BETWEEN_RAS): 6 s covers a router that has
 * just advertised. */
int ic_rd_timeout_ms = 6000;

/* RFC 4861 6.1.2: an RA whose hop limit is not 255 comes from off-link and
 * MUST be dropped. A stack that accepts IPV6_RECVHOPLIMIT must then tell
 * the hop limit of every packet: one that does not is not trusted. */
static int rd_open(struct ic_iface *ifc, int *check_hoplimit) {
	int fd = ioth_msocket(ifc->stack, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	/* RFC 4861 4.1: RS with hop limit 255; 6.1.2: accept RA only with 255 */
	int hops = 255, one = 1, idx = ifc->ifindex;
	ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
	ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops));
	ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &idx, sizeof(idx));
	*check_hoplimit = ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) == 0;
	if (!*check_hoplimit)
		ic_log(ifc->stack, LOG_NOTICE, "rd: the stack cannot report hop limits: "
				"RAs are accepted without the RFC 4861 6.1.2 check");
	ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	struct icmp6_filter filt;
	ICMP6_FILTER_SETBLOCKALL(&filt);
	ICMP6_FILTER_SETPASS(ND_ROUTER_ADVERT, &filt);
	ioth_setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt));
	return fd;
}

static int rd_send(struct ic_iface *ifc, int fd, const uint8_t *mac) {
	uint8_t buf[16];
	int n = ic_rs_emit(mac, buf, sizeof(buf));
	struct sockaddr_in6 dst = {.sin6_family = AF_INET6, .sin6_scope_id = ifc->ifindex,
		.sin6_addr.s6_addr = {0xff, 0x02, [15] = 0x02}};   /* all-routers */
	if (ioth_sendto(fd, buf, n, 0, (struct sockaddr *) &dst, sizeof(dst)) < 0)
		return -errno;
	return 0;
}

/* RFC 8200 8.1: the checksum over the pseudo header; 0 when it is right */
static uint16_t icmp6_csum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *p, size_t len) {
	uint32_t sum = 0;
	for (int i = 0; i < 16; i += 2)
		sum += (src[i] << 8 | src[i + 1]) + (dst[i] << 8 | dst[i + 1]);
	sum += (len >> 16) + (len & 0xffff) + IPPROTO_ICMPV6;
	return ic_inet_csum(p, len, sum);
}

/* 0 a valid RA in *ra from *router, 1 ignored, -errno */
static int rd_recv(struct ic_iface *ifc, int fd, int check_hoplimit, struct ra_msg *ra,
		uint8_t router[16]) {
	int hoplimit_seen = 0, dst_seen = 0;
	uint8_t dst[16];
	uint8_t buf[2048], cbuf[256];
	struct sockaddr_in6 from;
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov,
		.msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	ssize_t n = ioth_recvmsg(fd, &msg, MSG_DONTWAIT);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != IPPROTO_IPV6)
			continue;
		if (cm->cmsg_type == IPV6_HOPLIMIT && cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int hl;
			memcpy(&hl, CMSG_DATA(cm), sizeof(hl));
			if (hl != 255)
				return 1;   /* RFC 4861 6.1.2: not from this link */
			hoplimit_seen = 1;
		}
		if (cm->cmsg_type == IPV6_PKTINFO && cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			if (pi.ipi6_ifindex && pi.ipi6_ifindex != ifc->ifindex)
				return 1;
			memcpy(dst, pi.ipi6_addr.s6_addr, 16);
			dst_seen = 1;
		}
	}
	if (check_hoplimit && !hoplimit_seen)
		return 1;
	/* 6.1.2: the source is link-local */
	if (msg.msg_namelen < sizeof(from) || from.sin6_addr.s6_addr[0] != 0xfe ||
			(from.sin6_addr.s6_addr[1] & 0xc0) != 0x80)
		return 1;
	/* the stack verifies ICMPv6 checksums on raw sockets (RFC 3542 3.1);
	 * where it tells the destination, check again: a corrupted RA must
	 * never configure anything */
	if (dst_seen && icmp6_csum(from.sin6_addr.s6_addr, dst, buf, n) != 0)
		return 1;
	if (ic_ra_parse(buf, n, ra) < 0)
		return 1;
	memcpy(router, from.sin6_addr.s6_addr, 16);
	return 0;
}

static time_t lt2exp(time_t now, uint32_t lt) {
	return lt == INFINITE ? IC_NEVER : now + lt;
}

/* OTIP: the time step of now (wall clock, as iothnamed's), and the
 * monotonic second at which the next step begins */
static uint32_t otip_step(const struct ic_iface *ifc, time_t *next) {
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	uint32_t step = (uint32_t) (wall.tv_sec / ifc->otip_period);
	time_t left = (time_t) (step + 1) * ifc->otip_period - wall.tv_sec;
	/* ic_now() counts whole seconds: round up, never early */
	*next = ic_now() + left + (wall.tv_nsec > 0 ? 1 : 0);
	return step;
}

static int rd_apply(struct ic_iface *ifc, const struct ra_msg *ra, const uint8_t router[16],
		const uint8_t mac[6]) {
	time_t now = ic_now();
	int otip = ifc->otip[0] && ifc->fqdn[0];
	uint32_t step = 0;
	time_t otip_next = 0;
	if (otip)
		step = otip_step(ifc, &otip_next);
	struct ic_item *head = NULL, **tail = &head, *it;
#define ADD(x) do { if ((it = (x)) != NULL) { *tail = it; tail = &it->next; } } while (0)
	for (int i = 0; ifc->slaac && i < ra->nprefix; i++) {
		const struct ra_prefix *p = &ra->prefix[i];
		/* RFC 4862 5.5.3: autonomous flag (the original iothconf also
		 * takes any /64 when a hash-based address is asked for with
		 * fqdn=), not link-local, preferred <= valid, valid > 0 */
		if (!(p->flags & 0x40) && !ifc->fqdn[0])
			continue;
		if (p->len != 64 || (p->prefix[0] == 0xfe && (p->prefix[1] & 0xc0) == 0x80))
			continue;
		if (p->preferred > p->valid || p->valid == 0)
			continue;
		uint8_t addr[16];
		memcpy(addr, p->prefix, 8);
		memset(addr + 8, 0, 8);
		if (otip)
			ic_otipiid(addr, ifc->fqdn, ifc->otip, step);
		else if (ifc->fqdn[0])
			ic_hashiid(addr, ifc->fqdn);
		else
			ic_eui64(addr, mac);
		ADD(ic_item_new(IC_SRC_RD, IC_K_ADDR, AF_INET6, addr, 64, NULL, lt2exp(now, p->valid)));
	}
	/* 6.3.4: a router lifetime of 0 means "not a default router" */
	if (ra->router_lifetime > 0)
		ADD(ic_item_new(IC_SRC_RD, IC_K_ROUTE, AF_INET6, router, 0, NULL,
					now + ra->router_lifetime));
	for (int i = 0; i < ra->nrdnss; i++)
		if (ra->rdnss_lifetime[i] > 0)
			ADD(ic_item_new(IC_SRC_RD, IC_K_DNS, AF_INET6, ra->rdnss[i], 0, NULL,
						lt2exp(now, ra->rdnss_lifetime[i])));
	if (ra->dnssl[0] && ra->dnssl_lifetime > 0)
		ADD(ic_item_new(IC_SRC_RD, IC_K_DOMAIN, 0, NULL, 0, ra->dnssl, lt2exp(now, ra->dnssl_lifetime)));
#undef ADD
	if (ra->mtu >= 1280)   /* RFC 8200 5: the IPv6 minimum link MTU */
		ioth_linksetmtu(ifc->stack, ifc->ifindex, ra->mtu);
	/* solicit again at half the shortest lifetime, so nothing lapses while
	 * the router is there */
	time_t first = 0;
	for (it = head; it; it = it->next)
		if (it->expires != IC_NEVER && (first == 0 || it->expires < first))
			first = it->expires;
	int err = ic_source_set(ifc, IC_SRC_RD, head);
	ifc->rd_active = first != 0;
	ifc->rd_refresh = first ? now + (first - now) / 2 : 0;
	ifc->otip_next = otip ? otip_next : 0;
	char a[INET6_ADDRSTRLEN];
	ic_log(ifc->stack, LOG_INFO, "rd: advertisement from %s, %d prefixes, router lifetime %us",
			inet_ntop(AF_INET6, router, a, sizeof(a)), ra->nprefix, ra->router_lifetime);
	return err;
}

static int rd_run(struct ic_iface *ifc, int timeout_ms) {
	uint8_t mac[6];
	int have_mac = ioth_linkgetaddr(ifc->stack, ifc->ifindex, mac) >= 0;
	int check_hoplimit = 0;   /* set by rd_open; GCC cannot see it */
	int fd = rd_open(ifc, &check_hoplimit);
	if (fd < 0)
		return fd;
	int64_t deadline = ic_now_ms() + timeout_ms, interval = 1000;
	int rv = -ETIMEDOUT;
	struct ra_msg ra;
	uint8_t router[16];
	while (ic_now_ms() < deadline) {
		/* RFC 4861 4.1: no SLLAO while the source is unspecified; we
		 * let the stack pick the source, and a router can always answer
		 * to all-nodes */
		int s = rd_send(ifc, fd, have_mac ? mac : NULL);
		int64_t next = ic_now_ms() + (s < 0 ? 250 : interval);
		if (next > deadline)
			next = deadline;
		for (;;) {
			int w = ic_wait_fd(fd, next);
			if (w <= 0) {
				if (w < 0) { rv = w; goto out; }
				break;
			}
			int r;
			while ((r = rd_recv(ifc, fd, check_hoplimit, &ra, router)) >= 0)
				if (r == 0) {
					ifc->otip_ra = ra;
					memcpy(ifc->otip_router, router, 16);
					ifc->otip_ra_time = ic_now();
					ifc->otip_have_ra = 1;
					rv = rd_apply(ifc, &ra, router, mac);
					goto out;
				}
		}
		if (interval < 4000)
			interval *= 2;
	}
out:
	ioth_close(fd);
	return rv;
}

int ic_rd_config(struct ic_iface *ifc) {
	return rd_run(ifc, ic_rd_timeout_ms);
}

/* A new OTIP step: the last advertisement again, its lifetimes shortened
 * by the time since it came, with the new step's address. */
static int otip_reapply(struct ic_iface *ifc, time_t now) {
	struct ra_msg ra = ifc->otip_ra;
	time_t el = now - ifc->otip_ra_time;
	uint32_t e = el > 0 ? (uint32_t) el : 0;
#define AGE(x) do { if ((x) != INFINITE) (x) = (x) > e ? (x) - e : 0; } while (0)
	for (int i = 0; i < ra.nprefix; i++) {
		AGE(ra.prefix[i].valid);
		AGE(ra.prefix[i].preferred);
	}
	for (int i = 0; i < ra.nrdnss; i++)
		AGE(ra.rdnss_lifetime[i]);
	AGE(ra.dnssl_lifetime);
#undef AGE
	ra.router_lifetime = ra.router_lifetime > e ? ra.router_lifetime - e : 0;
	uint8_t mac[6] = {0};
	ioth_linkgetaddr(ifc->stack, ifc->ifindex, mac);
	ifc->otip_ra = ra;
	ifc->otip_ra_time = now;
	time_t refresh = ifc->rd_refresh;
	int rv = rd_apply(ifc, &ra, ifc->otip_router, mac);
	if (refresh && refresh < ifc->rd_refresh)
		ifc->rd_refresh = refresh;   /* still solicit when it was due */
	return rv;
}

/* Router discovery's timer (lease.c runs it): the next OTIP step, the
 * refresh before the advertised lifetimes end. */
static int rd_timer(struct ic_iface *ifc, time_t now) {
	if (!ifc->rd_active && !ifc->otip_next)
		return 0;
	if (ifc->otip_next && now >= ifc->otip_next && ifc->otip_have_ra) {
		int rv = otip_reapply(ifc, now);
		if (rv < 0)
			return rv;
	}
	if (ifc->rd_refresh == 0 || now < ifc->rd_refresh)
		return 0;
	int rv = rd_run(ifc, 3000);
	if (rv < 0) {
		/* try again at half the time left to the first expiry */
		time_t first = 0, t = ic_now();
		for (struct ic_item *it = ifc->items; it; it = it->next)
			if (it->src == IC_SRC_RD && it->expires != IC_NEVER && (first == 0 || it->expires < first))
				first = it->expires;
		if (first == 0 || first <= t) {
			ifc->rd_active = 0;
			ifc->rd_refresh = 0;
		} else {
			time_t wait = (first - t) / 2;
			ifc->rd_refresh = t + (wait < 2 ? 2 : wait);
		}
		ic_log(ifc->stack, LOG_NOTICE, "rd: no advertisement on ifindex %u: %s",
				ifc->ifindex, strerror(-rv));
	}
	return rv;
}

static time_t rd_deadline(const struct ic_iface *ifc) {
	return ic_min_deadline(ifc->rd_active ? ifc->rd_refresh : 0, ifc->otip_next);
}

static const struct ic_timer_ops rd_timer_ops = {rd_deadline, rd_timer};

__attribute__((constructor)) static void rd_register(void) {
	ic_timer_register(IC_SRC_RD, &rd_timer_ops);
}
