/* SPDX-License-Identifier: LGPL-2.1-or-later
 * gai.c: getaddrinfo(3) / getnameinfo(3) over the resolver, following
 * glibc's behaviour (flags, error codes, result order) so that a program
 * moved from glibc to libiothdns sees the same results. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "iothdns_int.h"

#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE 136
#endif
#ifndef SOCK_DCCP
#define SOCK_DCCP 6
#endif

#define GAI_MAXADDR 64
#ifndef IF_NAMESIZE
#define IF_NAMESIZE 16 /* net/if.h clashes with linux/if.h from nlinline */
#endif

/* glibc's table of socket types: the order of the results for each
 * address, which ones come when no type is asked for, which protocol name
 * the services file knows them by. */
static const struct socktype_row {
	int socktype;
	int protocol;
	int by_default;
	const char *proto;
} socktypes[] = {
	{SOCK_STREAM, IPPROTO_TCP, 1, "tcp"},
	{SOCK_DGRAM, IPPROTO_UDP, 1, "udp"},
	{SOCK_DCCP, IPPROTO_DCCP, 0, "dccp"},
	{SOCK_DGRAM, IPPROTO_UDPLITE, 0, "udplite"},
	{SOCK_STREAM, IPPROTO_SCTP, 0, "sctp"},
	{SOCK_SEQPACKET, IPPROTO_SCTP, 0, "sctp"},
	{SOCK_RAW, 0, 1, NULL}, /* any protocol, no services */
};
#define NSOCKTYPES (sizeof(socktypes) / sizeof(socktypes[0]))

struct gai_sock {
	int socktype;
	int protocol;
	int port;
};

struct gai_addr {
	int af;
	uint8_t addr[16];
	uint32_t scope;
};

#define GAI_KNOWN_FLAGS (AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED | \
		AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV | AI_IDN | AI_CANONIDN)

static int all_digits(const char *s) {
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int row_port(const struct socktype_row *row, const char *service, int numeric,
		const char *servfile) {
	if (service == NULL)
		return 0;
	if (row->proto == NULL)
		return -1; /* raw sockets have no services */
	if (numeric >= 0)
		return numeric;
	return services_port(servfile, service, row->proto);
}

/* Which (socktype, protocol, port) triples, as glibc: with a socket type
 * or a protocol in the hints, the first row of the table that matches;
 * with neither, every default row (for a named service, those the
 * services file knows). */
static int gai_socks(struct iothdns *dns, const struct addrinfo *hints, const char *service,
		struct gai_sock *out, int *nout) {
	char servfile[4096];
	int n = 0, numeric = -1;
	if (service != NULL) {
		if (all_digits(service)) {
			long p = strtol(service, NULL, 10);
			numeric = (int) (p & 0xffff); /* glibc truncates, as htons does */
		} else if (hints->ai_flags & AI_NUMERICSERV)
			return EAI_NONAME;
	}
	dns_path(dns, IOTHDNS_SERVICES, servfile, sizeof(servfile));
	if (hints->ai_socktype != 0 || hints->ai_protocol != 0) {
		for (size_t i = 0; i < NSOCKTYPES; i++) {
			const struct socktype_row *row = &socktypes[i];
			if (hints->ai_socktype != 0 && hints->ai_socktype != row->socktype)
				continue;
			if (hints->ai_protocol != 0 && hints->ai_protocol != row->protocol &&
					row->socktype != SOCK_RAW)
				continue;
			if (row->socktype == SOCK_RAW && hints->ai_socktype != SOCK_RAW)
				continue;
			int port = row_port(row, service, numeric, servfile);
			if (port < 0)
				return EAI_SERVICE;
			out[0].socktype = row->socktype;
			out[0].protocol = hints->ai_protocol ? hints->ai_protocol : row->protocol;
			out[0].port = port;
			*nout = 1;
			return 0;
		}
		return EAI_SOCKTYPE;
	}
	for (size_t i = 0; i < NSOCKTYPES; i++) {
		const struct socktype_row *row = &socktypes[i];
		if (!row->by_default)
			continue;
		int port = row_port(row, service, numeric, servfile);
		if (port < 0 && !(row->proto == NULL && numeric >= 0))
			continue;
		out[n].socktype = row->socktype;
		out[n].protocol = row->protocol;
		out[n].port = port < 0 ? numeric : port;
		n++;
	}
	if (n == 0)
		return EAI_SERVICE;
	*nout = n;
	return 0;
}

static int add_addr(struct gai_addr *list, int *n, int af, const void *addr) {
	if (*n >= GAI_MAXADDR)
		return 0;
	list[*n].af = af;
	memset(list[*n].addr, 0, 16);
	memcpy(list[*n].addr, addr, af == AF_INET ? 4 : 16);
	list[*n].scope = 0;
	(*n)++;
	return 1;
}

static void v4mapped(const uint8_t *v4, uint8_t *v6) {
	memset(v6, 0, 16);
	v6[10] = v6[11] = 0xff;
	memcpy(v6 + 12, v4, 4);
}

/* What the stack has: glibc's __check_pf counts any IPv4 address but
 * 127.0.0.1 and any IPv6 address but ::1. */
struct stack_addrs {
	int seen4, seen6;   /* addresses other than 127.0.0.1 and ::1 */
	int lo4, lo6;       /* 127.0.0.1, ::1 */
	int known;
};

static void stack_families(struct iothdns *dns, struct stack_addrs *sa) {
	struct ifaddrs *ifa, *p;
	memset(sa, 0, sizeof(*sa));
	if (ioth_getifaddrs(dns_stack(dns), &ifa) < 0)
		return;
	sa->known = 1;
	for (p = ifa; p; p = p->ifa_next) {
		if (p->ifa_addr == NULL)
			continue;
		if (p->ifa_addr->sa_family == AF_INET) {
			struct sockaddr_in *sin = (void *) p->ifa_addr;
			if (sin->sin_addr.s_addr != htonl(INADDR_LOOPBACK))
				sa->seen4 = 1;
			else
				sa->lo4 = 1;
		} else if (p->ifa_addr->sa_family == AF_INET6) {
			struct sockaddr_in6 *sin6 = (void *) p->ifa_addr;
			if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
				sa->seen6 = 1;
			else
				sa->lo6 = 1;
		}
	}
	ioth_freeifaddrs(ifa);
}

/* Precedence of a destination, glibc's default table (RFC 3484 2.1, which
 * glibc keeps: IPv4 below native IPv6, ULAs included, unlike RFC 6724). */
static int precedence(const struct gai_addr *a) {
	const uint8_t *p = a->addr;
	static const uint8_t loop6[16] = {[15] = 1};
	static const uint8_t zero10[10];
	if (a->af == AF_INET)
		return 10;
	if (memcmp(p, loop6, 16) == 0)
		return 50;
	if (p[0] == 0x20 && p[1] == 0x02)
		return 30;
	if (memcmp(p, zero10, 10) == 0) {
		if (p[10] == 0xff && p[11] == 0xff)
			return 10; /* ::ffff:0:0/96 */
		if (p[10] == 0 && p[11] == 0)
			return 20; /* ::/96 */
	}
	return 40;
}

static int is_loopback(const struct gai_addr *a) {
	if (a->af == AF_INET)
		return a->addr[0] == 127;
	return IN6_IS_ADDR_LOOPBACK((const struct in6_addr *) a->addr);
}

/* The scope of an address (RFC 6724 3.1; IPv4 as glibc maps it: 127/8
 * and 169.254/16 link-local, the rest global). */
static int addr_scope(int af, const uint8_t *p) {
	if (af == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *) p)) {
		af = AF_INET;
		p += 12;
	}
	if (af == AF_INET)
		return (p[0] == 127 || (p[0] == 169 && p[1] == 254)) ? 2 : 14;
	if (p[0] == 0xff)
		return p[1] & 0x0f;
	if (IN6_IS_ADDR_LOOPBACK((const struct in6_addr *) p) || (p[0] == 0xfe && (p[1] & 0xc0) == 0x80))
		return 2;
	if (p[0] == 0xfe && (p[1] & 0xc0) == 0xc0)
		return 5;
	return 14;
}

/* The label of an address, glibc's default table (RFC 3484 2.1 with the
 * ULA and Teredo rows); IPv4 is ::ffff:0:0/96. */
static int addr_label(int af, const uint8_t *p) {
	static const uint8_t loop6[16] = {[15] = 1};
	static const uint8_t zero10[10];
	if (af == AF_INET)
		return 4;
	if (memcmp(p, loop6, 16) == 0)
		return 0;
	if (p[0] == 0x20 && p[1] == 0x02)
		return 2;
	if (memcmp(p, zero10, 10) == 0) {
		if (p[10] == 0xff && p[11] == 0xff)
			return 4;
		if (p[10] == 0 && p[11] == 0)
			return 3;
	}
	if (p[0] == 0xfe && (p[1] & 0xc0) == 0xc0)
		return 5;
	if ((p[0] & 0xfe) == 0xfc)
		return 6;
	if (p[0] == 0x20 && p[1] == 0x01 && p[2] == 0 && p[3] == 0)
		return 7;
	return 1;
}

/* The source address the stack would use towards a: as glibc, connect a
 * datagram socket and ask its name. 1 and *src filled, or 0: none (the
 * destination is unreachable from this stack). */
static int source_of(struct iothdns *dns, const struct gai_addr *a, struct gai_addr *src) {
	int af = a->af;
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
	} to = {0}, me = {0};
	socklen_t len;
	if (af == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *) a->addr)) {
		af = AF_INET;
		memcpy(&to.sin.sin_addr, a->addr + 12, 4);
	} else if (af == AF_INET)
		memcpy(&to.sin.sin_addr, a->addr, 4);
	if (af == AF_INET) {
		to.sin.sin_family = AF_INET;
		to.sin.sin_port = htons(9);
		len = sizeof(to.sin);
	} else {
		to.sin6.sin6_family = AF_INET6;
		to.sin6.sin6_port = htons(9);
		memcpy(&to.sin6.sin6_addr, a->addr, 16);
		to.sin6.sin6_scope_id = a->scope;
		len = sizeof(to.sin6);
	}
	int fd = ioth_msocket(dns_stack(dns), af, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	int found = 0;
	socklen_t mlen = sizeof(me);
	if (ioth_connect(fd, &to.sa, len) == 0 && ioth_getsockname(fd, &me.sa, &mlen) == 0 &&
			me.sa.sa_family == af) {
		src->af = af;
		memset(src->addr, 0, 16);
		if (af == AF_INET)
			memcpy(src->addr, &me.sin.sin_addr, 4);
		else
			memcpy(src->addr, &me.sin6.sin6_addr, 16);
		src->scope = 0;
		found = 1;
	}
	int err = errno;
	ioth_close(fd);
	errno = err;
	return found;
}

struct gai_rank {
	int usable, has_src, prec;
	int dscope, sscope, dlabel, slabel;
};

/* <0: a goes before b (RFC 6724 section 6 as glibc applies it: rules 1,
 * 2, 5, 6, 8; 3, 4 and 7 never differ here, 9 is not applied). */
static int rank_cmp(const struct gai_rank *a, const struct gai_rank *b) {
	if (a->usable != b->usable)                                       /* rule 1 */
		return b->usable - a->usable;
	if (a->has_src && b->has_src) {
		int ma = a->dscope == a->sscope, mb = b->dscope == b->sscope; /* rule 2 */
		if (ma != mb)
			return mb - ma;
		ma = a->dlabel == a->slabel;                                  /* rule 5 */
		mb = b->dlabel == b->slabel;
		if (ma != mb)
			return mb - ma;
	}
	if (a->prec != b->prec)                                           /* rule 6 */
		return b->prec - a->prec;
	if (a->dscope != b->dscope)                                       /* rule 8 */
		return a->dscope - b->dscope;
	return 0;                                                         /* rule 10 */
}

/* RFC 3484/6724 section 6 destination address selection, as glibc does:
 * the source address of each destination found as the stack would choose
 * it (source_of), so that, e.g., an IPv6 destination the stack can reach
 * only from a link-local address goes after an IPv4 one it reaches from a
 * global address. A stack whose addresses cannot be read keeps the order. */
static void sort_addrs(struct iothdns *dns, struct gai_addr *list, int n) {
	struct stack_addrs sa;
	struct gai_rank rank[GAI_MAXADDR];
	if (n < 2)
		return;
	stack_families(dns, &sa);
	for (int i = 0; i < n; i++) {
		int fam_ok = list[i].af == AF_INET ? sa.seen4 : sa.seen6;
		if (list[i].af == AF_INET6 && IN6_IS_ADDR_V4MAPPED((struct in6_addr *) list[i].addr))
			fam_ok = sa.seen4;
		/* a loopback destination needs the loopback address itself
		 * (a stack without IPv6 has no ::1) */
		if (is_loopback(&list[i]))
			fam_ok = list[i].af == AF_INET ? sa.lo4 : sa.lo6;
		struct gai_rank *r = &rank[i];
		struct gai_addr src;
		r->has_src = sa.known && fam_ok && source_of(dns, &list[i], &src);
		r->usable = !sa.known || r->has_src;
		r->prec = precedence(&list[i]);
		r->dscope = addr_scope(list[i].af, list[i].addr);
		r->dlabel = addr_label(list[i].af, list[i].addr);
		r->sscope = r->has_src ? addr_scope(src.af, src.addr) : 0;
		r->slabel = r->has_src ? addr_label(src.af, src.addr) : -1;
	}
	/* insertion sort: stable, n is small */
	for (int i = 1; i < n; i++) {
		struct gai_addr a = list[i];
		struct gai_rank ra = rank[i];
		int j = i - 1;
		while (j >= 0 && rank_cmp(&rank[j], &ra) > 0) {
			list[j + 1] = list[j];
			rank[j + 1] = rank[j];
			j--;
		}
		list[j + 1] = a;
		rank[j + 1] = ra;
	}
}

static int map_dns_error(int err) {
	switch (err) {
		case -ENOENT:
		case -EINVAL:
			return EAI_NONAME;
		case -EAGAIN:
		case -ETIMEDOUT:
		case -ECONNREFUSED:
			/* glibc's res_send tries the next server on SERVFAIL, NOTIMP
			 * and REFUSED; when none is left it is TRY_AGAIN */
			return EAI_AGAIN;
		case -ENOMEM:
			return EAI_MEMORY;
		default:
			return EAI_FAIL;
	}
}

/* DNS A or AAAA for node: count added, or negative errno */
static int dns_family(struct iothdns *dns, const char *node, int af, struct gai_addr *list,
		int *n, char *canon) {
	uint8_t addrs[GAI_MAXADDR][16];
	char c[IOTHDNS_MAXNAME];
	int rv = dns_lookup_addrs(dns, node, af == AF_INET ? IOTHDNS_TYPE_A : IOTHDNS_TYPE_AAAA,
			addrs, GAI_MAXADDR, c);
	if (rv < 0)
		return rv;
	if (rv > GAI_MAXADDR)
		rv = GAI_MAXADDR;
	for (int i = 0; i < rv; i++) {
		if (af == AF_INET)
			add_addr(list, n, AF_INET, (uint8_t *) addrs + 4 * i);
		else
			add_addr(list, n, AF_INET6, addrs[i]);
	}
	if (rv > 0 && canon[0] == '\0')
		snprintf(canon, IOTHDNS_MAXNAME, "%s", c);
	return rv;
}

/* Addresses for a host name: hosts file first, then the DNS. */
static int name_addrs(struct iothdns *dns, const char *node, const struct addrinfo *hints,
		struct gai_addr *list, int *n, char *canon) {
	char hostsfile[4096];
	uint8_t addrs[GAI_MAXADDR][16];
	int want4 = hints->ai_family != AF_INET6 || (hints->ai_flags & AI_V4MAPPED);
	int want6 = hints->ai_family != AF_INET;
	int mapped = hints->ai_family == AF_INET6 && (hints->ai_flags & AI_V4MAPPED);
	dns_path(dns, IOTHDNS_HOSTS, hostsfile, sizeof(hostsfile));
	if (want6) {
		int k = hosts_lookup(hostsfile, AF_INET6, node, addrs, GAI_MAXADDR, canon);
		for (int i = 0; i < k && i < GAI_MAXADDR; i++)
			add_addr(list, n, AF_INET6, addrs[i]);
	}
	/* RFC 3493 6.1: with AI_V4MAPPED alone, IPv4 only if there is no IPv6 */
	if (want4 && !(mapped && !(hints->ai_flags & AI_ALL) && *n > 0)) {
		char c4[IOTHDNS_MAXNAME] = "";
		int k = hosts_lookup(hostsfile, AF_INET, node, addrs, GAI_MAXADDR, c4);
		for (int i = 0; i < k && i < GAI_MAXADDR; i++) {
			uint8_t *a = (uint8_t *) addrs + 4 * i;
			if (mapped) {
				uint8_t m[16];
				v4mapped(a, m);
				add_addr(list, n, AF_INET6, m);
			} else
				add_addr(list, n, AF_INET, a);
		}
		if (canon[0] == '\0')
			snprintf(canon, IOTHDNS_MAXNAME, "%s", c4);
	}
	if (*n > 0)
		return 0;
	canon[0] = '\0';
	/* the DNS */
	int err4 = 0, err6 = 0, nodata = 0;
	if (want6) {
		err6 = dns_family(dns, node, AF_INET6, list, n, canon);
		if (err6 == 0)
			nodata = 1;
	}
	if (want4 && !(mapped && !(hints->ai_flags & AI_ALL) && *n > 0)) {
		int start = *n;
		/* a temporary failure of one family does not hide the other */
		err4 = dns_family(dns, node, AF_INET, list, n, canon);
		if (err4 == 0)
			nodata = 1;
		if (mapped)
			for (int i = start; i < *n; i++) {
				uint8_t m[16];
				v4mapped(list[i].addr, m);
				list[i].af = AF_INET6;
				memcpy(list[i].addr, m, 16);
			}
	}
	if (*n > 0)
		return 0;
	if (err4 == -ENOENT || err6 == -ENOENT)
		return EAI_NONAME;
	if (nodata)
		return EAI_NODATA;
	return map_dns_error(err4 < 0 ? err4 : err6);
}

static int build_result(const struct gai_addr *list, int n, const struct gai_sock *socks,
		int nsocks, const char *canon, struct addrinfo **res) {
	struct addrinfo *head = NULL, **tail = &head;
	for (int i = 0; i < n; i++) {
		for (int s = 0; s < nsocks; s++) {
			size_t salen = list[i].af == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
			struct addrinfo *ai = calloc(1, sizeof(*ai) + salen);
			if (ai == NULL) {
				iothdns_freeaddrinfo(head);
				return EAI_MEMORY;
			}
			ai->ai_addr = (struct sockaddr *) (ai + 1);
			ai->ai_addrlen = salen;
			ai->ai_family = list[i].af;
			ai->ai_socktype = socks[s].socktype;
			ai->ai_protocol = socks[s].protocol;
			if (list[i].af == AF_INET) {
				struct sockaddr_in *sin = (void *) ai->ai_addr;
				sin->sin_family = AF_INET;
				sin->sin_port = htons(socks[s].port);
				memcpy(&sin->sin_addr, list[i].addr, 4);
			} else {
				struct sockaddr_in6 *sin6 = (void *) ai->ai_addr;
				sin6->sin6_family = AF_INET6;
				sin6->sin6_port = htons(socks[s].port);
				sin6->sin6_scope_id = list[i].scope;
				memcpy(&sin6->sin6_addr, list[i].addr, 16);
			}
			if (head == NULL && canon != NULL) {
				ai->ai_canonname = strdup(canon);
				if (ai->ai_canonname == NULL) {
					free(ai);
					return EAI_MEMORY;
				}
			}
			*tail = ai;
			tail = &ai->ai_next;
		}
	}
	*res = head;
	return 0;
}

int iothdns_getaddrinfo(struct iothdns *iothdns,
		const char *node, const char *service,
		const struct addrinfo *hints,
		struct addrinfo **res) {
	static const struct addrinfo default_hints = {.ai_flags = AI_V4MAPPED | AI_ADDRCONFIG};
	struct addrinfo local;
	struct gai_sock socks[NSOCKTYPES];
	struct gai_addr *list = NULL;
	int nsocks = 0, n = 0, rv;
	char canon[IOTHDNS_MAXNAME] = "";
	if (res == NULL) {
		errno = EINVAL;
		return EAI_SYSTEM;
	}
	*res = NULL;
	if (node != NULL && node[0] == '\0')
		node = NULL;
	if (service != NULL && service[0] == '\0')
		service = NULL;
	if (node == NULL && service == NULL)
		return EAI_NONAME;
	if (hints == NULL)
		hints = &default_hints;
	if (hints->ai_flags & ~GAI_KNOWN_FLAGS)
		return EAI_BADFLAGS;
	if ((hints->ai_flags & AI_CANONNAME) && node == NULL)
		return EAI_BADFLAGS;
	if (hints->ai_family != AF_UNSPEC && hints->ai_family != AF_INET && hints->ai_family != AF_INET6)
		return EAI_FAMILY;
	if (iothdns == NULL) {
		errno = EINVAL;
		return EAI_SYSTEM;
	}
	/* glibc decides AI_ADDRCONFIG before it looks at types and services */
	if (hints->ai_flags & AI_ADDRCONFIG) {
		struct stack_addrs sa;
		stack_families(iothdns, &sa);
		if (sa.known) {
			if (hints->ai_family == AF_UNSPEC && (sa.seen4 || sa.seen6)) {
				if (sa.seen4 != sa.seen6) {
					local = *hints;
					local.ai_family = sa.seen4 ? AF_INET : AF_INET6;
					hints = &local;
				}
			} else if ((hints->ai_family == AF_INET && !sa.seen4) ||
					(hints->ai_family == AF_INET6 && !sa.seen6))
				return EAI_NONAME;
		}
	}
	if ((rv = gai_socks(iothdns, hints, service, socks, &nsocks)) != 0)
		return rv;
	list = calloc(GAI_MAXADDR, sizeof(*list));
	if (list == NULL)
		return EAI_MEMORY;
	if (node == NULL) {
		/* glibc: the wildcard (AI_PASSIVE) IPv4 first, loopback IPv6 first */
		static const uint8_t any6[16], loop6[16] = {[15] = 1};
		uint8_t any4[4] = {0}, loop4[4] = {127, 0, 0, 1};
		int passive = hints->ai_flags & AI_PASSIVE;
		if (passive && hints->ai_family != AF_INET6)
			add_addr(list, &n, AF_INET, any4);
		if (hints->ai_family != AF_INET)
			add_addr(list, &n, AF_INET6, passive ? any6 : loop6);
		if (!passive && hints->ai_family != AF_INET6)
			add_addr(list, &n, AF_INET, loop4);
		/* glibc sorts the loopback pair (::1 goes last on a stack without
		 * IPv6), not the wildcard pair */
		if (!passive)
			sort_addrs(iothdns, list, n);
	} else {
		struct in_addr a4;
		uint8_t a6[16];
		char buf[IOTHDNS_MAXNAME];
		char *pct;
		/* glibc reads numeric IPv4 with inet_aton ("127.1" is accepted) */
		if (inet_aton(node, &a4)) {
			if (hints->ai_family == AF_INET6) {
				if (!(hints->ai_flags & AI_V4MAPPED)) {
					rv = EAI_ADDRFAMILY;
					goto out;
				}
				v4mapped((uint8_t *) &a4, a6);
				add_addr(list, &n, AF_INET6, a6);
			} else
				add_addr(list, &n, AF_INET, &a4);
			snprintf(canon, sizeof(canon), "%s", node);
		} else if (snprintf(buf, sizeof(buf), "%s", node) < (int) sizeof(buf) &&
				((pct = strchr(buf, '%')) == NULL || (*pct = '\0', 1)) &&
				inet_pton(AF_INET6, buf, a6) == 1) {
			if (hints->ai_family == AF_INET) {
				/* glibc: an IPv4-mapped literal is the IPv4 address */
				if (!IN6_IS_ADDR_V4MAPPED((struct in6_addr *) a6)) {
					rv = EAI_ADDRFAMILY;
					goto out;
				}
				add_addr(list, &n, AF_INET, a6 + 12);
			} else
				add_addr(list, &n, AF_INET6, a6);
			if (pct) {
				char *end;
				unsigned long scope = strtoul(pct + 1, &end, 10);
				if (*end == '\0' && pct[1] != '\0')
					list[n - 1].scope = scope;
				else if ((scope = ioth_if_nametoindex(dns_stack(iothdns), pct + 1)) > 0)
					list[n - 1].scope = scope;
				else {
					rv = EAI_NONAME;
					goto out;
				}
			}
			snprintf(canon, sizeof(canon), "%s", node);
		} else if (hints->ai_flags & AI_NUMERICHOST) {
			rv = EAI_NONAME;
			goto out;
		} else {
			rv = name_addrs(iothdns, node, hints, list, &n, canon);
			if (rv != 0)
				goto out;
			sort_addrs(iothdns, list, n);
		}
	}
	rv = build_result(list, n, socks, nsocks,
			(hints->ai_flags & AI_CANONNAME) ? canon : NULL, res);
out:
	free(list);
	return rv;
}

void iothdns_freeaddrinfo(struct addrinfo *res) {
	while (res != NULL) {
		struct addrinfo *next = res->ai_next;
		free(res->ai_canonname);
		free(res);
		res = next;
	}
}

const char *iothdns_gai_strerror(int errcode) {
	return gai_strerror(errcode);
}

/* ------------------------------------------------------------------ */

/* RFC 1035 3.5 (in-addr.arpa), RFC 3596 2.5 (ip6.arpa) */
static void reverse_name(int af, const uint8_t *a, char *out, size_t size) {
	if (af == AF_INET) {
		snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa.", a[3], a[2], a[1], a[0]);
		return;
	}
	size_t len = 0;
	for (int i = 15; i >= 0; i--)
		len += snprintf(out + len, size - len, "%x.%x.", a[i] & 0xf, a[i] >> 4);
	snprintf(out + len, size - len, "ip6.arpa.");
}

/* 1 found, 0 not found, negative errno for temporary failures */
static int dns_reverse(struct iothdns *dns, int af, const uint8_t *a, char *out) {
	char rname[IOTHDNS_MAXNAME];
	struct dns_result res;
	reverse_name(af, a, rname, sizeof(rname));
	int rv = dns_resolve(dns, rname, IOTHDNS_TYPE_PTR, 0, 0, &res);
	if (rv == -ENOENT || rv == -ENODATA) {
		free(res.msg);
		return 0;
	}
	if (rv < 0)
		return rv;
	rv = dns_collect_ptr(res.msg, res.len, res.qname, out);
	free(res.msg);
	return rv < 0 ? 0 : rv;
}

/* The name of interface index on the context's stack, through its
 * getifaddrs (there is no if_indextoname on an ioth stack). */
static void scope_name(struct iothdns *dns, uint32_t index, char *ifname) {
	struct ifaddrs *ifa, *p;
	if (dns == NULL || ioth_getifaddrs(dns_stack(dns), &ifa) < 0)
		return;
	for (p = ifa; p; p = p->ifa_next)
		if (p->ifa_name && ioth_if_nametoindex(dns_stack(dns), p->ifa_name) == (int) index) {
			snprintf(ifname, IF_NAMESIZE, "%s", p->ifa_name);
			break;
		}
	ioth_freeifaddrs(ifa);
}

#define NI_KNOWN_FLAGS (NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD | \
		NI_DGRAM | NI_IDN)

int iothdns_getnameinfo(struct iothdns *iothdns,
		const struct sockaddr *addr, socklen_t addrlen,
		char *host, socklen_t hostlen,
		char *serv, socklen_t servlen, int flags) {
	const uint8_t *a;
	int af, port;
	uint32_t scope = 0;
	if (flags & ~NI_KNOWN_FLAGS)
		return EAI_BADFLAGS;
	if (addr == NULL || addrlen < sizeof(sa_family_t))
		return EAI_FAMILY;
	if ((flags & NI_NAMEREQD) && host == NULL && serv == NULL)
		return EAI_NONAME;
	af = addr->sa_family;
	if (af == AF_INET) {
		const struct sockaddr_in *sin = (const void *) addr;
		if (addrlen < sizeof(*sin))
			return EAI_FAMILY;
		a = (const uint8_t *) &sin->sin_addr;
		port = ntohs(sin->sin_port);
	} else if (af == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *) addr;
		if (addrlen < sizeof(*sin6))
			return EAI_FAMILY;
		a = (const uint8_t *) &sin6->sin6_addr;
		port = ntohs(sin6->sin6_port);
		scope = sin6->sin6_scope_id;
	} else
		return EAI_FAMILY;
	if (host != NULL && hostlen > 0) {
		char name[IOTHDNS_MAXNAME];
		int found = 0;
		if (!(flags & NI_NUMERICHOST)) {
			char hostsfile[4096];
			/* a v4-mapped address is looked up as the IPv4 address */
			int qaf = af;
			const uint8_t *qa = a;
			if (af == AF_INET6 && IN6_IS_ADDR_V4MAPPED((const struct in6_addr *) a)) {
				qaf = AF_INET;
				qa = a + 12;
			}
			dns_path(iothdns, IOTHDNS_HOSTS, hostsfile, sizeof(hostsfile));
			found = hosts_reverse(hostsfile, qaf, qa, name, sizeof(name));
			if (!found && iothdns != NULL) {
				int rv = dns_reverse(iothdns, qaf, qa, name);
				if (rv == -EAGAIN || rv == -ETIMEDOUT)
					return EAI_AGAIN;
				found = rv > 0;
			}
			if (found && (flags & NI_NOFQDN) && iothdns != NULL) {
				char dom[IOTHDNS_MAXNAME];
				dns_local_domain(iothdns, dom, sizeof(dom));
				size_t nl = strlen(name), dl = strlen(dom);
				if (dl > 0 && nl > dl + 1 && name[nl - dl - 1] == '.' &&
						dns_name_equal(name + nl - dl, dom))
					name[nl - dl - 1] = '\0';
			}
			if (!found && (flags & NI_NAMEREQD))
				return EAI_NONAME;
		}
		if (!found) {
			if (inet_ntop(af, a, name, sizeof(name)) == NULL)
				return EAI_FAIL;
			if (af == AF_INET6 && scope != 0) {
				/* RFC 4007 11: glibc names the zone by interface for
				 * link-local addresses, by number otherwise */
				char ifname[IF_NAMESIZE] = "";
				size_t l = strlen(name);
				if (IN6_IS_ADDR_LINKLOCAL((const struct in6_addr *) a) ||
						IN6_IS_ADDR_MC_LINKLOCAL((const struct in6_addr *) a))
					scope_name(iothdns, scope, ifname);
				if (ifname[0])
					snprintf(name + l, sizeof(name) - l, "%%%s", ifname);
				else
					snprintf(name + l, sizeof(name) - l, "%%%u", scope);
			}
		}
		if ((socklen_t) snprintf(host, hostlen, "%s", name) >= hostlen)
			return EAI_OVERFLOW;
	}
	if (serv != NULL && servlen > 0) {
		char name[IOTHDNS_MAXNAME];
		int found = 0;
		if (!(flags & NI_NUMERICSERV)) {
			char servfile[4096];
			dns_path(iothdns, IOTHDNS_SERVICES, servfile, sizeof(servfile));
			found = services_name(servfile, port, (flags & NI_DGRAM) ? "udp" : "tcp",
					name, sizeof(name));
		}
		if (!found)
			snprintf(name, sizeof(name), "%d", port);
		if ((socklen_t) snprintf(serv, servlen, "%s", name) >= servlen)
			return EAI_OVERFLOW;
	}
	return 0;
}
