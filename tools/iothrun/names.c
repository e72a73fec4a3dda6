/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libiothrun: name resolution and interface lookups on the process's stack.
 * glibc's resolver would ask the host's servers through the host's kernel;
 * these ask libiothdns over the stack (servers from the iothconf string,
 * DHCP or router advertisements, else the host's /etc/resolv.conf, reached
 * through the stack), with the host's /etc/hosts and /etc/services. */
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ioth.h>
#include <iothdns.h>
#include "iothrun_int.h"

static int active(void) {
	iothrun_resolve_libc();
	return iothrun_inside == 0 && iothrun_ready();
}

EXPORT int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res) {
	if (!active())
		return libc.getaddrinfo(node, service, hints, res);
	if (iothrun_remote)   /* a forked child: the owner resolves */
		return iothrun_remote_getaddrinfo(node, service, hints, res);
	return iothrun_getaddrinfo_here(node, service, hints, res);
}

/* The stack's resolution in this process: getaddrinfo's, and a forked
 * child's request in the owner (shared.c). */
int iothrun_getaddrinfo_here(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res) {
	if (iothrun_dns == NULL) {
		/* no resolver (a process on a shared stack): numeric addresses
		 * only, nothing asked on the host's network */
		struct addrinfo h = {0};
		if (hints)
			h = *hints;
		h.ai_flags |= AI_NUMERICHOST;
		int r = libc.getaddrinfo(node, service, &h, res);
		return r == EAI_NONAME ? EAI_FAIL : r;
	}
	int r = IOTHRUN_CALL(iothdns_getaddrinfo(iothrun_dns, node, service, hints, res));
	if (iothrun_debug)
		iothrun_log("iothrun: getaddrinfo(%s, %s) = %d on the stack", node ? node : "NULL",
				service ? service : "NULL", r);
	return r;
}

/* freeaddrinfo is glibc's: libiothdns allocates its lists as glibc does
 * (one block per entry, ai_canonname apart), and iothdns_freeaddrinfo is
 * the same walk. */

EXPORT int getnameinfo(const struct sockaddr *addr, socklen_t addrlen, char *host,
		socklen_t hostlen, char *serv, socklen_t servlen, int flags) {
	if (!active())
		return libc.getnameinfo(addr, addrlen, host, hostlen, serv, servlen, flags);
	if (iothrun_remote)   /* a forked child: the owner answers */
		return iothrun_remote_getnameinfo(addr, addrlen, host, hostlen, serv, servlen, flags);
	return iothrun_getnameinfo_here(addr, addrlen, host, hostlen, serv, servlen, flags);
}

int iothrun_getnameinfo_here(const struct sockaddr *addr, socklen_t addrlen, char *host,
		socklen_t hostlen, char *serv, socklen_t servlen, int flags) {
	if (iothrun_dns == NULL)   /* a process on a shared stack: numeric */
		return libc.getnameinfo(addr, addrlen, host, hostlen, serv, servlen, flags | NI_NUMERICHOST);
	return IOTHRUN_CALL(iothdns_getnameinfo(iothrun_dns, addr, addrlen, host, hostlen, serv,
			servlen, flags));
}

/* ------------------------------------------------------------ gethostbyname */

/* Lay out a hostent for name/af in buf: the answer of getaddrinfo for one
 * socket type (so that each address comes once). 0 and *result, or 0 and
 * *result NULL with *herr set, or ERANGE. */
static int hostent_fill(const char *name, int af, struct hostent *h, char *buf, size_t buflen,
		struct hostent **result, int *herr) {
	struct addrinfo hints = {.ai_family = af, .ai_socktype = SOCK_STREAM, .ai_flags = AI_CANONNAME};
	struct addrinfo *res = NULL;
	*result = NULL;
	int r;
	if (iothrun_remote) {   /* a forked child: the owner resolves */
		r = iothrun_remote_getaddrinfo(name, NULL, &hints, &res);
	} else if (iothrun_dns == NULL) {
		*herr = NO_RECOVERY;
		return 0;
	} else {
		r = IOTHRUN_CALL(iothdns_getaddrinfo(iothrun_dns, name, NULL, &hints, &res));
	}
	switch (r) {
	case 0:
		break;
	case EAI_NONAME:
		*herr = HOST_NOT_FOUND;
		return 0;
#ifdef EAI_NODATA
	case EAI_NODATA:
		*herr = NO_DATA;
		return 0;
#endif
	case EAI_AGAIN:
		*herr = TRY_AGAIN;
		return 0;
	default:
		*herr = NO_RECOVERY;
		return 0;
	}
	size_t alen = af == AF_INET6 ? 16 : 4;
	size_t n = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		n++;
	const char *canon = res->ai_canonname ? res->ai_canonname : name;
	/* pointers first (aligned), then addresses, then the name */
	size_t ptrs = (1 + n + 1) * sizeof(char *);
	size_t pad = (uintptr_t) buf % sizeof(char *) ? sizeof(char *) - (uintptr_t) buf % sizeof(char *) : 0;
	size_t need = pad + ptrs + n * alen + strlen(canon) + 1;
	if (need > buflen) {
		iothdns_freeaddrinfo(res);
		*herr = NETDB_INTERNAL;
		return ERANGE;
	}
	char **p = (char **) (buf + pad);
	char *data = buf + pad + ptrs;
	h->h_aliases = p;
	p[0] = NULL;
	h->h_addr_list = p + 1;
	size_t i = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next, i++) {
		const void *src = af == AF_INET6 ? (const void *) &((struct sockaddr_in6 *) ai->ai_addr)->sin6_addr
						 : (const void *) &((struct sockaddr_in *) ai->ai_addr)->sin_addr;
		memcpy(data, src, alen);
		h->h_addr_list[i] = data;
		data += alen;
	}
	h->h_addr_list[n] = NULL;
	strcpy(data, canon);
	h->h_name = data;
	h->h_addrtype = af;
	h->h_length = (int) alen;
	iothdns_freeaddrinfo(res);
	*result = h;
	return 0;
}

EXPORT int gethostbyname2_r(const char *name, int af, struct hostent *h, char *buf, size_t buflen,
		struct hostent **result, int *herr) {
	if (!active())
		return libc.gethostbyname2_r(name, af, h, buf, buflen, (void **) result, herr);
	if (af != AF_INET && af != AF_INET6) {
		*result = NULL;
		*herr = NETDB_INTERNAL;
		return EAFNOSUPPORT;
	}
	return hostent_fill(name, af, h, buf, buflen, result, herr);
}

EXPORT int gethostbyname_r(const char *name, struct hostent *h, char *buf, size_t buflen,
		struct hostent **result, int *herr) {
	if (!active())
		return libc.gethostbyname_r(name, h, buf, buflen, (void **) result, herr);
	return hostent_fill(name, AF_INET, h, buf, buflen, result, herr);
}

static __thread struct hostent tls_host;
static __thread char tls_hostbuf[4096];

EXPORT struct hostent *gethostbyname2(const char *name, int af) {
	if (!active())
		return libc.gethostbyname2(name, af);
	struct hostent *result;
	int herr = 0;
	int r = gethostbyname2_r(name, af, &tls_host, tls_hostbuf, sizeof(tls_hostbuf), &result, &herr);
	if (r != 0 || result == NULL) {
		h_errno = herr;
		return NULL;
	}
	return result;
}

EXPORT struct hostent *gethostbyname(const char *name) {
	if (!active())
		return libc.gethostbyname(name);
	return gethostbyname2(name, AF_INET);
}

/* ------------------------------------------------------------ interfaces */

EXPORT int getifaddrs(struct ifaddrs **ifap) {
	if (!active())
		return libc.getifaddrs(ifap);
	if (iothrun_remote)   /* a forked child: the owner's list */
		return iothrun_remote_getifaddrs(ifap);
	if (iothrun_stack == NULL)
		return errno = EOPNOTSUPP, -1;
	return IOTHRUN_CALL(ioth_getifaddrs(iothrun_stack, ifap));
}

EXPORT void freeifaddrs(struct ifaddrs *ifa) {
	if (!active()) {
		libc.freeifaddrs(ifa);
		return;
	}
	IOTHRUN_CALL((ioth_freeifaddrs(ifa), 0));
}

EXPORT unsigned int if_nametoindex(const char *name) {
	if (!active())
		return libc.if_nametoindex(name);
	if (iothrun_remote) {
		/* a forked child: the index of the link's entry (AF_PACKET) in
		 * the owner's list */
		struct ifaddrs *ifa;
		unsigned int index = 0;
		if (name == NULL || iothrun_remote_getifaddrs(&ifa) < 0)
			return errno = ENODEV, 0;
		for (struct ifaddrs *i = ifa; i && index == 0; i = i->ifa_next)
			if (i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET &&
					strcmp(i->ifa_name, name) == 0)
				index = (unsigned int) ((struct sockaddr_ll *) (void *) i->ifa_addr)->sll_ifindex;
		IOTHRUN_CALL((ioth_freeifaddrs(ifa), 0));
		return index ? index : (errno = ENODEV, 0);
	}
	if (iothrun_stack == NULL)
		return errno = ENODEV, 0;
	int r = IOTHRUN_CALL(ioth_if_nametoindex(iothrun_stack, name));
	if (r < 0) {
		errno = ENODEV;
		return 0;
	}
	return (unsigned int) r;
}

/* The stack's links (the AF_PACKET entries of its getifaddrs list: the
 * owner's in a forked child), for if_indextoname and if_nameindex. */
static int stack_ifaddrs(struct ifaddrs **ifa) {
	if (iothrun_remote)
		return iothrun_remote_getifaddrs(ifa);
	if (iothrun_stack == NULL)
		return errno = ENODEV, -1;
	return IOTHRUN_CALL(ioth_getifaddrs(iothrun_stack, ifa));
}

static unsigned int link_index(const struct ifaddrs *i) {
	if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_PACKET || i->ifa_name == NULL)
		return 0;
	int idx = ((const struct sockaddr_ll *) (const void *) i->ifa_addr)->sll_ifindex;
	return idx > 0 ? (unsigned int) idx : 0;
}

EXPORT char *if_indextoname(unsigned int index, char name[IF_NAMESIZE]) {
	if (!active())
		return libc.if_indextoname(index, name);
	struct ifaddrs *ifa;
	if (stack_ifaddrs(&ifa) < 0)
		return NULL;
	char *ret = NULL;
	for (struct ifaddrs *i = ifa; i && ret == NULL; i = i->ifa_next)
		if (index != 0 && link_index(i) == index) {
			/* Linux's names are shorter than IF_NAMESIZE */
			size_t n = strnlen(i->ifa_name, IF_NAMESIZE - 1);
			memcpy(name, i->ifa_name, n);
			name[n] = '\0';
			ret = name;
		}
	IOTHRUN_CALL((ioth_freeifaddrs(ifa), 0));
	if (ret == NULL)
		errno = ENXIO;   /* glibc's answer for an index without a link */
	return ret;
}

/* if_nameindex: one array (malloc) ending with {0, NULL}, each name its own
 * allocation, in the order of the indexes: what glibc's gives, so that
 * either if_freenameindex frees it. */
EXPORT struct if_nameindex *if_nameindex(void) {
	if (!active())
		return libc.if_nameindex();
	struct ifaddrs *ifa;
	if (stack_ifaddrs(&ifa) < 0)
		return NULL;
	size_t n = 0;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
		n += link_index(i) != 0;
	struct if_nameindex *v = calloc(n + 1, sizeof(*v));
	size_t k = 0;
	for (struct ifaddrs *i = ifa; v && i; i = i->ifa_next) {
		unsigned int idx = link_index(i);
		if (idx == 0)
			continue;
		char *nm = strdup(i->ifa_name);
		if (nm == NULL) {
			for (size_t j = 0; j < k; j++)
				free(v[j].if_name);
			free(v);
			v = NULL;
			break;
		}
		/* insertion by index */
		size_t at = k;
		while (at > 0 && v[at - 1].if_index > idx) {
			v[at] = v[at - 1];
			at--;
		}
		v[at].if_index = idx;
		v[at].if_name = nm;
		k++;
	}
	IOTHRUN_CALL((ioth_freeifaddrs(ifa), 0));
	if (v == NULL)
		errno = ENOBUFS;
	return v;
}

EXPORT void if_freenameindex(struct if_nameindex *ptr) {
	if (ptr == NULL)
		return;
	for (struct if_nameindex *p = ptr; p->if_index != 0 || p->if_name != NULL; p++)
		free(p->if_name);
	free(ptr);
}
