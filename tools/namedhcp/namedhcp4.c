/* SPDX-License-Identifier: GPL-2.0-or-later
 * namedhcp4: a DHCPv4 server (RFC 2131, 2132) that gives a client the
 * address DNS has for the name in its Client FQDN option (81, RFC 4702): the
 * A record, with the mask, broadcast address, router and DNS servers of a
 * TXT record "mask=...,broadcast=...,router=...,dns=..." of the same name.
 * Every reply carries the server identifier (option 54). See namedhcp4(8). */
#include <errno.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "common.h"

#define DISCOVER 1
#define OFFER 2
#define REQUEST 3
#define DECLINE 4
#define ACK 5
#define NAK 6
#define RELEASE 7
#define INFORM 8

#define LEASE 3600
#define MAGIC 0x63825363
#define MAXL 8

static struct nd_server srv = {.prog = "namedhcp4"};
static struct in_addr server_id, server_mask;

struct req {
	const uint8_t *hdr;       /* the BOOTP header, 236 bytes */
	uint8_t type;
	struct in_addr ciaddr, reqip, sid;
	int has_reqip, has_sid;
	char fqdn[256];
	int has_fqdn;
	uint8_t fqdn_flags;
};

/* what DNS says about a name */
struct host {
	struct in_addr addr, mask, broadcast;
	int has_mask, has_broadcast;
	int nrouters, ndns;
	struct in_addr routers[MAXL], dns[MAXL];
};

static int parse(const uint8_t *p, size_t n, struct req *r) {
	memset(r, 0, sizeof(*r));
	if (n < 240 || p[0] != 1 || p[1] != 1 || p[2] != 6)
		return -1;
	if (((uint32_t) p[236] << 24 | p[237] << 16 | p[238] << 8 | p[239]) != MAGIC)
		return -1;
	r->hdr = p;
	memcpy(&r->ciaddr, p + 12, 4);
	for (size_t i = 240; i < n; ) {
		uint8_t t = p[i];
		if (t == 255)
			break;
		if (t == 0) {
			i++;
			continue;
		}
		if (i + 2 > n || i + 2 + p[i + 1] > n)
			return -1;
		uint8_t l = p[i + 1];
		const uint8_t *v = p + i + 2;
		switch (t) {
		case 53: if (l == 1) r->type = v[0]; break;
		case 50: if (l == 4) { memcpy(&r->reqip, v, 4); r->has_reqip = 1; } break;
		case 54: if (l == 4) { memcpy(&r->sid, v, 4); r->has_sid = 1; } break;
		case 81:
			/* flags, rcode1, rcode2, name: DNS wire form with E (0x04), else ASCII */
			if (l > 3) {
				r->fqdn_flags = v[0];
				if (v[0] & 0x04)
					r->has_fqdn = nd_name_decode(v + 3, l - 3, r->fqdn, sizeof(r->fqdn)) == 0;
				else {
					size_t k = l - 3;
					memcpy(r->fqdn, v + 3, k);
					r->fqdn[k] = 0;
					if (k > 0 && r->fqdn[k - 1] == '.')
						r->fqdn[k - 1] = 0;
					r->has_fqdn = r->fqdn[0] != 0;
					for (char *c = r->fqdn; *c; c++)
						if (!isalnum((unsigned char) *c) && *c != '-' && *c != '.' && *c != '_')
							r->has_fqdn = 0;
				}
			}
			break;
		}
		i += 2 + l;
	}
	return r->type == 0 ? -1 : 0;
}

/* TXT: "key=value" items separated by commas (or spaces), across the
 * strings of every TXT record of the name */
static void txt_item(struct host *h, char *item) {
	char *eq = strchr(item, '=');
	if (eq == NULL)
		return;
	*eq = 0;
	char *val = eq + 1;
	struct in_addr a;
	if (inet_pton(AF_INET, val, &a) != 1)
		return;
	if (strcmp(item, "mask") == 0) {
		h->mask = a;
		h->has_mask = 1;
	} else if (strcmp(item, "broadcast") == 0) {
		h->broadcast = a;
		h->has_broadcast = 1;
	} else if (strcmp(item, "router") == 0 && h->nrouters < MAXL)
		h->routers[h->nrouters++] = a;
	else if (strcmp(item, "dns") == 0 && h->ndns < MAXL)
		h->dns[h->ndns++] = a;
}

static int txt_cb(int section, struct iothdns_rr *rr, struct iothdns_pkt *vpkt, void *arg) {
	struct host *h = arg;
	if (section != 1 || rr->type != IOTHDNS_TYPE_TXT)
		return 0;
	char text[1024];
	size_t tl = 0;
	int left = rr->rdlength;
	while (left > 0) {
		char s[256];
		uint8_t l = iothdns_get_int8(vpkt);
		if (l + 1 > left)
			break;
		iothdns_get_data(vpkt, s, l);
		left -= l + 1;
		if (tl + l + 1 < sizeof(text)) {
			memcpy(text + tl, s, l);
			tl += l;
			text[tl++] = ',';
		}
	}
	text[tl] = 0;
	char *save = NULL;
	for (char *t = strtok_r(text, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save))
		txt_item(h, t);
	return 0;
}

static int lookup(const char *name, struct host *h) {
	memset(h, 0, sizeof(*h));
	if (iothdns_lookup_a(srv.dns, name, &h->addr, 1) <= 0)
		return -1;
	iothdns_lookup_cb(srv.dns, name, IOTHDNS_TYPE_TXT, txt_cb, h);
	if (!h->has_mask && ((h->addr.s_addr ^ server_id.s_addr) & server_mask.s_addr) == 0) {
		h->mask = server_mask;          /* on the server's own subnet */
		h->has_mask = 1;
	}
	if (h->ndns == 0)
		h->ndns = nd_addrlist(srv.opt[O_DNS], AF_INET, h->dns, MAXL);
	return 0;
}

struct out {
	uint8_t buf[1024];
	size_t len;
};
static void put(struct out *o, const void *d, size_t l) {
	if (o->len + l <= sizeof(o->buf) - 1) {
		memcpy(o->buf + o->len, d, l);
		o->len += l;
	}
}
static void opt(struct out *o, uint8_t t, const void *d, uint8_t l) { put(o, &t, 1); put(o, &l, 1); put(o, d, l); }
static void opt32(struct out *o, uint8_t t, uint32_t v) { v = htonl(v); opt(o, t, &v, 4); }

static void reply(int fd, const struct req *r, uint8_t type, const struct host *h) {
	struct out o = {.len = 0};
	uint8_t hdr[240];
	memset(hdr, 0, sizeof(hdr));
	hdr[0] = 2;                                  /* BOOTREPLY */
	memcpy(hdr + 1, r->hdr + 1, 3);              /* htype, hlen, hops */
	hdr[3] = 0;
	memcpy(hdr + 4, r->hdr + 4, 4);              /* xid */
	memcpy(hdr + 10, r->hdr + 10, 2);            /* flags */
	if (type != NAK)
		memcpy(hdr + 12, r->hdr + 12, 4);        /* ciaddr */
	if (h != NULL && type != NAK && r->type != INFORM)
		memcpy(hdr + 16, &h->addr, 4);           /* yiaddr */
	memcpy(hdr + 24, r->hdr + 24, 4);            /* giaddr */
	memcpy(hdr + 28, r->hdr + 28, 16);           /* chaddr */
	hdr[236] = 0x63; hdr[237] = 0x82; hdr[238] = 0x53; hdr[239] = 0x63;
	put(&o, hdr, 240);
	opt(&o, 53, &type, 1);
	opt(&o, 54, &server_id, 4);                  /* always: clients need it */
	if (type == NAK) {
		const char *m = "the name has another address";
		opt(&o, 56, m, strlen(m));
	} else if (h != NULL) {
		if (r->type != INFORM) {
			opt32(&o, 51, LEASE);
			opt32(&o, 58, LEASE / 2);
			opt32(&o, 59, LEASE * 7 / 8);
		}
		if (h->has_mask)
			opt(&o, 1, &h->mask, 4);
		if (h->nrouters > 0)
			opt(&o, 3, h->routers, 4 * h->nrouters);
		if (h->has_broadcast)
			opt(&o, 28, &h->broadcast, 4);
		if (h->ndns > 0)
			opt(&o, 6, h->dns, 4 * h->ndns);
		if (srv.opt[O_DNSSEARCH]) {
			/* option 15: the first domain; option 119 (RFC 3397): all */
			char first[256];
			uint8_t wire[255];
			size_t wl = 0;
			char *copy = strdup(srv.opt[O_DNSSEARCH]), *save = NULL;
			first[0] = 0;
			for (char *t = strtok_r(copy, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
				if (first[0] == 0)
					snprintf(first, sizeof(first), "%s", t);
				int k = nd_name_encode(t, wire + wl, sizeof(wire) - wl);
				if (k > 0)
					wl += k;
			}
			free(copy);
			if (first[0])
				opt(&o, 15, first, strlen(first));
			if (wl > 0)
				opt(&o, 119, wire, wl);
		}
		struct in_addr ntp[MAXL];
		int nn = nd_addrlist(srv.opt[O_NTP], AF_INET, ntp, MAXL);
		if (nn > 0)
			opt(&o, 42, ntp, 4 * nn);
		if (r->has_fqdn) {
			/* RFC 4702 4: S=0, O=0, E as the client's, rcodes 255 */
			uint8_t f[260];
			f[0] = r->fqdn_flags & 0x04; f[1] = 255; f[2] = 255;
			int k;
			if (r->fqdn_flags & 0x04)
				k = nd_name_encode(r->fqdn, f + 3, sizeof(f) - 3);
			else {
				k = strlen(r->fqdn);
				memcpy(f + 3, r->fqdn, k);
			}
			if (k > 0 && k + 3 <= 255)
				opt(&o, 81, f, k + 3);
		}
	}
	uint8_t end = 255;
	put(&o, &end, 1);
	while (o.len < 300)                          /* BOOTP minimum size */
		o.buf[o.len++] = 0;
	/* RFC 2131 4.1: to ciaddr when the client has an address (and for a
	 * NAK, broadcast); otherwise broadcast: every client accepts it */
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(68)};
	if (type != NAK && r->ciaddr.s_addr != 0)
		to.sin_addr = r->ciaddr;
	else
		to.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	if (ioth_sendto(fd, o.buf, o.len, 0, (struct sockaddr *) &to, sizeof(to)) < 0)
		nd_log(&srv, "send: %s", strerror(errno));
	if (srv.verbose) {
		static const char *names[] = {"?", "discover", "offer", "request", "decline", "ack", "nak", "release", "inform"};
		char a[INET_ADDRSTRLEN] = "-";
		if (h != NULL)
			inet_ntop(AF_INET, &h->addr, a, sizeof(a));
		nd_log(&srv, "%s name %s: %s %s", names[r->type <= 8 ? r->type : 0],
				r->has_fqdn ? r->fqdn : "-", names[type], a);
	}
}

static void answer(int fd, const struct req *r) {
	struct host h;
	int known = r->has_fqdn && lookup(r->fqdn, &h) == 0;
	switch (r->type) {
	case DISCOVER:
		if (known)
			reply(fd, r, OFFER, &h);
		break;
	case REQUEST:
		if (r->has_sid && r->sid.s_addr != server_id.s_addr)
			break;                                /* the client chose another server */
		if (!known) {
			if (r->has_sid)
				reply(fd, r, NAK, NULL);
			break;                                /* INIT-REBOOT, RENEW: silent */
		}
		{
			struct in_addr want = r->has_reqip ? r->reqip : r->ciaddr;
			reply(fd, r, want.s_addr == h.addr.s_addr ? ACK : NAK, &h);
		}
		break;
	case INFORM:
		if (known)
			reply(fd, r, ACK, &h);
		break;
	default:                                      /* DECLINE, RELEASE: nothing to free */
		break;
	}
}

static int find_server_id(void) {
	struct ifaddrs *ifa;
	int found = 0;
	if (ioth_getifaddrs(srv.stack, &ifa) < 0)
		return -1;
	for (struct ifaddrs *p = ifa; p && !found; p = p->ifa_next)
		if (p->ifa_addr && p->ifa_addr->sa_family == AF_INET && p->ifa_name &&
				ioth_if_nametoindex(srv.stack, p->ifa_name) == srv.ifindex) {
			server_id = ((struct sockaddr_in *) p->ifa_addr)->sin_addr;
			if (p->ifa_netmask)
				server_mask = ((struct sockaddr_in *) p->ifa_netmask)->sin_addr;
			found = 1;
		}
	ioth_freeifaddrs(ifa);
	return found ? 0 : -1;
}

int main(int argc, char *argv[]) {
	nd_setup(&srv, AF_INET, argc, argv);
	if (find_server_id() < 0) {
		nd_log(&srv, "the interface has no IPv4 address (the server identifier)");
		return 1;
	}
	int fd = ioth_msocket(srv.stack, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(67)};
	if (fd < 0 || ioth_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
			ioth_setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0 ||
			ioth_bind(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0) {
		nd_log(&srv, "socket on port 67: %s", strerror(errno));
		return 1;
	}
	if (srv.verbose) {
		char a[INET_ADDRSTRLEN];
		nd_log(&srv, "serving on interface %d as %s", srv.ifindex,
				inet_ntop(AF_INET, &server_id, a, sizeof(a)));
	}
	while (!nd_quit) {
		struct pollfd pfd = {fd, POLLIN, 0};
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		uint8_t buf[1500];
		ssize_t n = ioth_recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct req r;
		if (n <= 0 || parse(buf, n, &r) < 0)
			continue;
		answer(fd, &r);
	}
	ioth_close(fd);
	nd_cleanup(&srv);
	return 0;
}
