/* SPDX-License-Identifier: LGPL-2.1-or-later
 * What each source configured on each stack/interface, applied to the
 * stack through rtnetlink (the nlinline helpers of ioth.h).
 *
 * Locking: ic_lock protects the list of interfaces, every item list and
 * the busy/dying flags. Work on an interface (a DHCP exchange, applying
 * addresses) is done without the lock by the one thread that set its busy
 * flag: ioth_config in the caller's thread, or the timer thread (lease.c).
 * The delstack hook marks the interfaces of the stack dying and waits
 * until none is busy, so ioth_delstack never races a renewal.
 *
 * This file is the bottom of the library's stateful part: it calls no
 * file above it. What must happen when an interface is released (the
 * timer thread of lease.c looks at its deadlines again) is a callback the
 * higher part registers with ic_state_on_release.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <syslog.h>
#include <arpa/inet.h>
#include <ioth.h>
#include <iothconf.h>
#include "iothconf_int.h"

pthread_mutex_t ic_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t ic_cond = PTHREAD_COND_INITIALIZER;   /* busy flags changed */
struct ic_iface *ic_ifaces;

static void (*on_release)(void);
static pthread_once_t hook_once = PTHREAD_ONCE_INIT;
static int hook_registered;

static iothconf_log_t *log_cb;
static void *log_arg;

__attribute__((visibility("default")))
void iothconf_set_log(iothconf_log_t *log, void *arg) {
	pthread_mutex_lock(&ic_lock);
	log_cb = log;
	log_arg = arg;
	pthread_mutex_unlock(&ic_lock);
}

void ic_log(struct ioth *stack, int level, const char *fmt, ...) {
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&ic_lock);
	iothconf_log_t *cb = log_cb;
	void *arg = log_arg;
	pthread_mutex_unlock(&ic_lock);
	if (cb)
		cb(stack, level, msg, arg);
	else if (level <= LOG_WARNING || getenv("IOTHCONF_VERBOSE"))
		fprintf(stderr, "iothconf: %s\n", msg);
}

void ic_state_on_release(void (*fn)(void)) {
	on_release = fn;
}

/* Stack deletion: libioth calls this hook first in ioth_delstack. It marks
 * the stack's interfaces dying, waits until no thread works on them (a
 * renewal in progress finishes within its bounded timeout and closes its
 * sockets), then forgets them. */
static void delstack_hook(struct ioth *stack, void *arg) {
	(void) arg;
	struct ic_iface *gone = NULL;
	pthread_mutex_lock(&ic_lock);
	for (struct ic_iface *ifc = ic_ifaces; ifc; ifc = ifc->next)
		if (ifc->stack == stack)
			ifc->dying = 1;
	for (;;) {
		int busy = 0;
		for (struct ic_iface *ifc = ic_ifaces; ifc; ifc = ifc->next)
			if (ifc->stack == stack && ifc->busy)
				busy = 1;
		if (!busy)
			break;
		pthread_cond_wait(&ic_cond, &ic_lock);
	}
	for (struct ic_iface **pp = &ic_ifaces, *ifc; (ifc = *pp) != NULL;) {
		if (ifc->stack == stack) {
			*pp = ifc->next;
			ifc->next = gone;
			gone = ifc;
		} else
			pp = &ifc->next;
	}
	pthread_mutex_unlock(&ic_lock);
	/* the stack goes away with its addresses: nothing to undo on it */
	while (gone) {
		struct ic_iface *next = gone->next;
		ic_items_free(gone->items);
		free(gone);
		gone = next;
	}
}

static void hook_register(void) {
	if (ioth_add_delstack_hook(delstack_hook, NULL) == 0)
		hook_registered = 1;
}

void ic_state_fini(void) {
	pthread_mutex_lock(&ic_lock);
	struct ic_iface *list = ic_ifaces;
	ic_ifaces = NULL;
	pthread_mutex_unlock(&ic_lock);
	while (list) {
		struct ic_iface *next = list->next;
		ic_items_free(list->items);
		free(list);
		list = next;
	}
	if (hook_registered)
		ioth_del_delstack_hook(delstack_hook, NULL);
}

struct ic_iface *ic_iface_acquire(struct ioth *stack, unsigned ifindex, int create, int *err) {
	struct ic_iface *ifc;
	if (create)
		pthread_once(&hook_once, hook_register);
	pthread_mutex_lock(&ic_lock);
	for (;;) {
		for (ifc = ic_ifaces; ifc; ifc = ifc->next)
			if (ifc->stack == stack && ifc->ifindex == ifindex)
				break;
		if (ifc == NULL || !ifc->busy)
			break;
		pthread_cond_wait(&ic_cond, &ic_lock);
	}
	if (ifc && ifc->dying) {
		pthread_mutex_unlock(&ic_lock);
		*err = -ENODEV;
		return NULL;
	}
	if (ifc == NULL && create) {
		ifc = calloc(1, sizeof(*ifc));
		if (ifc) {
			ifc->stack = stack;
			ifc->ifindex = ifindex;
			ifc->next = ic_ifaces;
			ic_ifaces = ifc;
		}
	}
	if (ifc)
		ifc->busy = 1;
	pthread_mutex_unlock(&ic_lock);
	if (ifc == NULL)
		*err = create ? -ENOMEM : -ENOENT;
	return ifc;
}

void ic_iface_release(struct ic_iface *ifc) {
	pthread_mutex_lock(&ic_lock);
	ifc->busy = 0;
	pthread_cond_broadcast(&ic_cond);
	pthread_mutex_unlock(&ic_lock);
	if (on_release)
		on_release();
}

struct ic_item *ic_item_new(int src, int kind, int family, const void *addr,
		int prefixlen, const char *domain, time_t expires) {
	struct ic_item *it = calloc(1, sizeof(*it));
	if (!it)
		return NULL;
	it->src = src;
	it->kind = kind;
	it->family = family;
	it->prefixlen = prefixlen;
	if (addr)
		memcpy(it->addr, addr, family == AF_INET6 ? 16 : 4);
	if (domain && (it->domain = strdup(domain)) == NULL) {
		free(it);
		return NULL;
	}
	it->expires = expires;
	return it;
}

void ic_items_free(struct ic_item *list) {
	while (list) {
		struct ic_item *next = list->next;
		free(list->domain);
		free(list);
		list = next;
	}
}

static int same_item(const struct ic_item *a, const struct ic_item *b) {
	if (a->kind != b->kind)
		return 0;
	if (a->kind == IC_K_DOMAIN)
		return strcmp(a->domain, b->domain) == 0;
	return a->family == b->family && a->prefixlen == b->prefixlen &&
		memcmp(a->addr, b->addr, a->family == AF_INET6 ? 16 : 4) == 0;
}

static int is_dns(const struct ic_item *it) {
	return it->kind == IC_K_DNS || it->kind == IC_K_DOMAIN;
}

/* Apply to the stack; EEXIST means someone (a previous run, another
 * source) configured the same: it is there, which is what we want. */
static int item_activate(struct ic_iface *ifc, struct ic_item *it) {
	int rv = 0;
	if (it->kind == IC_K_ADDR)
		rv = ioth_ipaddr_add(ifc->stack, it->family, it->addr, it->prefixlen, ifc->ifindex);
	else if (it->kind == IC_K_ROUTE)
		rv = ioth_iproute_add(ifc->stack, it->family, NULL, 0, it->addr,
				it->family == AF_INET6 ? ifc->ifindex : 0);
	if (rv < 0 && errno != EEXIST) {
		char a[INET6_ADDRSTRLEN];
		ic_log(ifc->stack, LOG_WARNING, "cannot add %s %s/%d: %s",
				it->kind == IC_K_ADDR ? "address" : "route via",
				inet_ntop(it->family, it->addr, a, sizeof(a)), it->prefixlen, strerror(errno));
		return -errno;
	}
	it->active = 1;
	return 0;
}

static int other_source_has(struct ic_iface *ifc, const struct ic_item *it) {
	for (struct ic_item *o = ifc->items; o; o = o->next)
		if (o != it && o->src != it->src && o->active && same_item(o, it))
			return 1;
	return 0;
}

static void item_deactivate(struct ic_iface *ifc, struct ic_item *it) {
	if (!it->active)
		return;
	it->active = 0;
	/* the same address from two sources (static and DHCP) stays */
	if (other_source_has(ifc, it))
		return;
	if (it->kind == IC_K_ADDR)
		ioth_ipaddr_del(ifc->stack, it->family, it->addr, it->prefixlen, ifc->ifindex);
	else if (it->kind == IC_K_ROUTE)
		ioth_iproute_del(ifc->stack, it->family, NULL, 0, it->addr,
				it->family == AF_INET6 ? ifc->ifindex : 0);
}

int ic_source_set(struct ic_iface *ifc, int src, struct ic_item *newitems) {
	int dnschanged = 0, err = 0;
	struct ic_item *old = NULL, **pp, *it;
	/* detach the old items of src; the caller owns ifc, the lock is for readers */
	pthread_mutex_lock(&ic_lock);
	for (pp = &ifc->items; (it = *pp) != NULL;) {
		if (it->src == src) {
			*pp = it->next;
			it->next = old;
			old = it;
		} else
			pp = &it->next;
	}
	pthread_mutex_unlock(&ic_lock);
	/* what is gone */
	for (it = old; it; it = it->next) {
		struct ic_item *n;
		for (n = newitems; n; n = n->next)
			if (same_item(n, it))
				break;
		if (n == NULL) {
			item_deactivate(ifc, it);
			dnschanged |= is_dns(it);
		} else
			n->active = it->active;
	}
	/* what is new, addresses before routes: a gateway needs its subnet */
	for (int pass = 0; pass < 2; pass++)
		for (it = newitems; it; it = it->next) {
			if ((pass == 0) != (it->kind == IC_K_ADDR))
				continue;
			it->src = src;
			if (!it->active) {
				int rv = item_activate(ifc, it);
				if (rv < 0 && err == 0)
					err = rv;
				dnschanged |= is_dns(it);
			}
		}
	ic_items_free(old);
	pthread_mutex_lock(&ic_lock);
	if (newitems) {
		for (it = newitems; it->next; it = it->next)
			;
		it->next = ifc->items;
		ifc->items = newitems;
	}
	if (dnschanged)
		ifc->dnsgen++;
	pthread_mutex_unlock(&ic_lock);
	return err;
}

void ic_static_remove(struct ic_iface *ifc, const struct ic_static *st) {
	struct ic_item key = {.kind = st->kind, .family = st->family, .prefixlen = st->prefixlen,
		.domain = (char *) st->domain};
	memcpy(key.addr, st->addr, 16);
	struct ic_item **pp, *it;
	pthread_mutex_lock(&ic_lock);
	for (pp = &ifc->items; (it = *pp) != NULL;) {
		if (it->src == IC_SRC_STATIC && same_item(it, &key)) {
			*pp = it->next;
			it->next = NULL;
			if (is_dns(it))
				ifc->dnsgen++;
			pthread_mutex_unlock(&ic_lock);
			item_deactivate(ifc, it);
			ic_items_free(it);
			pthread_mutex_lock(&ic_lock);
		} else
			pp = &it->next;
	}
	pthread_mutex_unlock(&ic_lock);
}

static const char *src_name[IC_NSRC] = {"static", "dhcp", "dhcp6", "rd"};
static const char *kind_name[] = {"address", "route via", "dns", "domain"};

void ic_expire_items(struct ic_iface *ifc, time_t now) {
	struct ic_item **pp, *it;
	pthread_mutex_lock(&ic_lock);
	for (pp = &ifc->items; (it = *pp) != NULL;) {
		if (it->expires == IC_NEVER || it->expires > now) {
			pp = &it->next;
			continue;
		}
		*pp = it->next;
		it->next = NULL;
		if (is_dns(it))
			ifc->dnsgen++;
		pthread_mutex_unlock(&ic_lock);
		char a[INET6_ADDRSTRLEN] = "";
		if (it->kind != IC_K_DOMAIN)
			inet_ntop(it->family, it->addr, a, sizeof(a));
		ic_log(ifc->stack, LOG_WARNING, "%s lifetime over: %s %s%s removed from ifindex %u",
				src_name[it->src], kind_name[it->kind], it->domain ? it->domain : a,
				it->kind == IC_K_ADDR ? "" : "", ifc->ifindex);
		item_deactivate(ifc, it);
		ic_items_free(it);
		pthread_mutex_lock(&ic_lock);
	}
	pthread_mutex_unlock(&ic_lock);
}

static int ns_rank(const struct ic_item *it, const int nsorder[5][2]) {
	for (int o = 0; o < 5; o++)
		if (it->src == nsorder[o][0] && (!nsorder[o][1] || it->family == nsorder[o][1]))
			return o;
	return 5;
}

/* resolv.conf(5): "search" then "nameserver" lines; each name once */
char *ic_resolvconf_text(struct ioth *stack, unsigned ifindex) {
	static const int order[] = {IC_SRC_STATIC, IC_SRC_DHCP6, IC_SRC_RD, IC_SRC_DHCP4};
	char *text = NULL;
	size_t len = 0;
	struct ic_iface *ifc;
	pthread_mutex_lock(&ic_lock);
	for (ifc = ic_ifaces; ifc; ifc = ifc->next)
		if (ifc->stack == stack && ifc->ifindex == ifindex && !ifc->dying)
			break;
	if (ifc == NULL || ifc->dnsgen == ifc->dnsgen_seen) {
		pthread_mutex_unlock(&ic_lock);
		errno = 0;
		return NULL;
	}
	FILE *f = open_memstream(&text, &len);
	if (f == NULL) {
		pthread_mutex_unlock(&ic_lock);
		return NULL;
	}
	int nsearch = 0;
	char seen[1024] = " ";
	for (int o = 0; o < 4; o++)
		for (struct ic_item *it = ifc->items; it; it = it->next) {
			if (it->src != order[o] || it->kind != IC_K_DOMAIN)
				continue;
			/* a DHCP domain or DNSSL may hold several names */
			char *copy = strdup(it->domain), *save, *d;
			for (d = copy ? strtok_r(copy, " ", &save) : NULL; d; d = strtok_r(NULL, " ", &save)) {
				char key[IC_NAMELEN + 2];
				snprintf(key, sizeof(key), " %s ", d);
				if (strstr(seen, key))
					continue;
				if (strlen(seen) + strlen(key) < sizeof(seen))
					strcat(seen, key + 1);
				fprintf(f, "%s %s", nsearch++ ? "" : "search", d);
			}
			free(copy);
		}
	if (nsearch)
		fprintf(f, "\n");
	/* as upstream: static IPv6, static IPv4, then DHCPv6, RDNSS, DHCPv4 */
	static const int nsorder[5][2] = {{IC_SRC_STATIC, AF_INET6}, {IC_SRC_STATIC, AF_INET},
		{IC_SRC_DHCP6, 0}, {IC_SRC_RD, 0}, {IC_SRC_DHCP4, 0}};
	for (int o = 0; o < 5; o++)
		for (struct ic_item *it = ifc->items; it; it = it->next) {
			if (it->src != nsorder[o][0] || it->kind != IC_K_DNS)
				continue;
			if (nsorder[o][1] && it->family != nsorder[o][1])
				continue;
			int dup = 0;
			for (struct ic_item *p = ifc->items; p; p = p->next)
				if (p != it && p->kind == IC_K_DNS && same_item(p, it) &&
						ns_rank(p, nsorder) < o)
					dup = 1;
			if (dup)
				continue;
			char a[INET6_ADDRSTRLEN];
			fprintf(f, "nameserver %s\n", inet_ntop(it->family, it->addr, a, sizeof(a)));
		}
	ifc->dnsgen_seen = ifc->dnsgen;
	pthread_mutex_unlock(&ic_lock);
	fclose(f);
	return text;
}

void ic_debug_print(struct ic_iface *ifc) {
	time_t now = ic_now();
	pthread_mutex_lock(&ic_lock);
	fprintf(stderr, "iothconf: stack %p ifindex %u\n", (void *) ifc->stack, ifc->ifindex);
	for (struct ic_item *it = ifc->items; it; it = it->next) {
		char a[INET6_ADDRSTRLEN] = "";
		if (it->kind != IC_K_DOMAIN)
			inet_ntop(it->family, it->addr, a, sizeof(a));
		fprintf(stderr, "  %-6s %-9s %s", src_name[it->src], kind_name[it->kind],
				it->domain ? it->domain : a);
		if (it->kind == IC_K_ADDR)
			fprintf(stderr, "/%d", it->prefixlen);
		if (it->expires != IC_NEVER)
			fprintf(stderr, " (%lds left)", (long) (it->expires - now));
		fprintf(stderr, "%s\n", it->active ? "" : " [not applied]");
	}
	if (ifc->d4.bound)
		fprintf(stderr, "  dhcp lease: renew in %lds, rebind in %lds, ends in %lds\n",
				(long) (ifc->d4.t1 - now), (long) (ifc->d4.t2 - now), (long) (ifc->d4.expiry - now));
	if (ifc->d6.bound)
		fprintf(stderr, "  dhcp6 lease: renew in %lds, rebind in %lds, ends in %lds\n",
				(long) (ifc->d6.t1 - now), (long) (ifc->d6.t2 - now), (long) (ifc->d6.expiry - now));
	pthread_mutex_unlock(&ic_lock);
}
