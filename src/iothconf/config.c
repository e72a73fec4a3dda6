/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The API: ioth_config, ioth_resolvconf, ioth_newstackc (iothconf.h).
 * Return values and errno as the original iothconf. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/socket.h>
#include <ioth.h>
#include <iothconf.h>
#include "iothconf_int.h"

#define API __attribute__((visibility("default")))
#define DEFAULT_IFACE "vde0"

int ic_eth(struct ioth *stack, unsigned ifindex, const struct ic_request *req) {
	uint8_t mac[6];
	int setmac = 0;
	if (req->has_mac) {
		memcpy(mac, req->mac, 6);
		setmac = 1;
	} else if (req->has_fqdn) {
		/* a node that restarts or migrates keeps its MAC: no stale ARP */
		ic_hashmac(mac, req->fqdn);
		setmac = 1;
	}
	if (setmac && ioth_linksetaddr(stack, ifindex, mac) < 0) {
		/* some links change address only while down */
		if (errno != EBUSY)
			return -errno;
		if (ioth_linksetupdown(stack, ifindex, 0) < 0 || ioth_linksetaddr(stack, ifindex, mac) < 0)
			return -errno;
	}
	if (ioth_linksetupdown(stack, ifindex, 1) < 0)
		return -errno;
	return 0;
}

static int resolve_ifindex(struct ioth *stack, const struct ic_request *req) {
	if (req->has_ifindex)
		return req->ifindex;
	int idx = ioth_if_nametoindex(stack, req->has_iface ? req->iface : DEFAULT_IFACE);
	return idx > 0 ? idx : -ENODEV;
}

static int apply_static(struct ic_iface *ifc, const struct ic_request *req) {
	int rv = 0;
	if (req->static_add) {
		/* as the original: static items add to those of earlier calls
		 * (a stack configured over several lines keeps every address);
		 * -static, -ip= etc. remove them */
		struct ic_item *head = NULL, **tail = &head, *it;
		for (struct ic_item *o = ifc->items; o; o = o->next) {
			if (o->src != IC_SRC_STATIC)
				continue;
			it = ic_item_new(IC_SRC_STATIC, o->kind, o->family, o->addr, o->prefixlen,
					o->domain, IC_NEVER);
			if (it) {
				it->active = o->active;
				*tail = it;
				tail = &it->next;
			}
		}
		for (int i = 0; i < req->nstatic; i++) {
			const struct ic_static *st = &req->st[i];
			if (st->remove)
				continue;
			struct ic_item *dup;
			for (dup = head; dup; dup = dup->next)
				if (dup->kind == st->kind && (st->kind == IC_K_DOMAIN ?
							strcmp(dup->domain, st->domain) == 0 :
							dup->family == st->family && dup->prefixlen == st->prefixlen &&
							memcmp(dup->addr, st->addr, st->family == AF_INET6 ? 16 : 4) == 0))
					break;
			if (dup)
				continue;
			it = ic_item_new(IC_SRC_STATIC, st->kind, st->family, st->addr, st->prefixlen,
					st->kind == IC_K_DOMAIN ? st->domain : NULL, IC_NEVER);
			if (it) {
				*tail = it;
				tail = &it->next;
			}
		}
		rv = ic_source_set(ifc, IC_SRC_STATIC, head);
	}
	for (int i = 0; i < req->nstatic; i++)
		if (req->st[i].remove)
			ic_static_remove(ifc, &req->st[i]);
	return rv;
}

static int do_config(struct ioth *stack, struct ic_request *req) {
	int result = 0, err = 0, rv, saved_errno = errno;
	if (req->config == 0 && req->clean == 0 && !req->debug)
		return 0;
	int ifindex = resolve_ifindex(stack, req);
	if (ifindex < 0)
		return errno = -ifindex, -1;
	struct ic_iface *ifc = ic_iface_acquire(stack, ifindex, 1, &rv);
	if (ifc == NULL)
		return errno = -rv, -1;
	if (req->config & (IC_DHCP | IC_DHCPV6 | IC_RD)) {
		/* the name goes with the methods of this call (and their renewals) */
		strcpy(ifc->fqdn, req->has_fqdn ? req->fqdn : "");
	}
	if (req->config & IC_RD) {
		/* otip= applies to the SLAAC address of a named node only */
		strcpy(ifc->otip, req->has_fqdn ? req->otip : "");
		ifc->otip_period = req->otip_period ? req->otip_period : IC_OTIP_PERIOD;
		ifc->otip_next = 0;
		ifc->otip_have_ra = 0;
	}
	if (req->clean & IC_STATIC)
		ic_source_set(ifc, IC_SRC_STATIC, NULL);
	if (req->clean & IC_RD) {
		ifc->rd_active = 0;
		ifc->rd_refresh = 0;
		ifc->otip_next = 0;
		ifc->otip_have_ra = 0;
		ic_source_set(ifc, IC_SRC_RD, NULL);
	}
	if (req->clean & IC_DHCPV6) {
		memset(&ifc->d6, 0, sizeof(ifc->d6));
		ic_source_set(ifc, IC_SRC_DHCP6, NULL);
	}
	if (req->clean & IC_DHCP)
		ic_dhcp4_release(ifc);
	if (req->clean & IC_ETH)
		ioth_linksetupdown(stack, ifindex, 0);
#define METHOD(bit, call) do { \
		if (req->config & (bit)) { \
			if ((rv = (call)) == 0) result |= (bit); \
			else if (err == 0) err = -rv; \
		} } while (0)
	METHOD(IC_ETH, ic_eth(stack, ifindex, req));
	if (req->config & IC_RD)
		ifc->slaac = (req->config & IC_SLAAC) != 0;
	METHOD(IC_RD, ic_rd_config(ifc));
	METHOD(IC_DHCPV6, ic_dhcp6_config(ifc));
	METHOD(IC_DHCP, ic_dhcp4_config(ifc));
	METHOD(IC_STATIC, apply_static(ifc, req));
#undef METHOD
	if (req->debug)
		ic_debug_print(ifc);
	ic_iface_release(ifc);
	/* errno tells why a method failed; on success the caller's is kept */
	if (err) {
		ic_log(stack, LOG_NOTICE, "ioth_config: a method failed: %s", strerror(err));
		errno = err;
	} else
		errno = saved_errno;
	return result;
}

API int ioth_config(struct ioth *stack, const char *config) {
	struct ic_request req;
	int rv = ic_parse(config, 0, &req);
	if (rv < 0)
		return errno = -rv, -1;
	rv = do_config(stack, &req);
	int e = errno;
	ic_request_free(&req);
	errno = e;
	return rv;
}

API char *ioth_resolvconf(struct ioth *stack, const char *config) {
	struct ic_request req;
	int rv = ic_parse(config, 2, &req);
	if (rv < 0)
		return errno = -rv, NULL;
	int ifindex = resolve_ifindex(stack, &req);
	if (ifindex < 0)
		return errno = -ifindex, NULL;
	return ic_resolvconf_text(stack, ifindex);
}

API struct ioth *ioth_newstackc(const char *stack_config) {
	struct ic_request req;
	int rv = ic_parse(stack_config, 1, &req);
	if (rv < 0)
		return errno = -rv, NULL;
	struct ioth *stack = ioth_newstack(req.stack, req.vnl);
	if (stack == NULL) {
		int e = errno;
		ic_request_free(&req);
		return errno = e, NULL;
	}
	if (do_config(stack, &req) < 0) {
		int e = errno;
		ioth_delstack(stack);
		ic_request_free(&req);
		return errno = e, NULL;
	}
	ic_request_free(&req);
	return stack;
}
