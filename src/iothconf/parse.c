/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The configuration string: "tag,tag=value,...". Everything is parsed and
 * validated here, before anything is applied, so that a bad option leaves
 * the stack untouched (EINVAL). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <arpa/inet.h>
#include <ioth.h>
#include "iothconf_int.h"

enum { V_NONE, V_REQ };   /* a flag takes no value, an assignment needs one */

struct tagdef {
	const char *name;
	int value;
	unsigned config, clean;
	int id;
};

enum { T_FLAG, T_IFACE, T_IFINDEX, T_FQDN, T_MAC, T_IP, T_GW, T_DNS, T_DOMAIN,
	T_DEBUG, T_STACK, T_VNL, T_OTIP, T_OTIPPERIOD };

#define AUTO (IC_ETH | IC_DHCP | IC_DHCPV6 | IC_RD)
#define AUTO4 (IC_ETH | IC_DHCP)
#define AUTO6 (IC_ETH | IC_DHCPV6 | IC_RD)

static const struct tagdef tags[] = {
	{"eth", V_NONE, IC_ETH, 0, T_FLAG},
	{"dhcp", V_NONE, IC_DHCP, 0, T_FLAG},
	{"dhcp4", V_NONE, IC_DHCP, 0, T_FLAG},
	{"dhcpv4", V_NONE, IC_DHCP, 0, T_FLAG},
	{"dhcp6", V_NONE, IC_DHCPV6, 0, T_FLAG},
	{"dhcpv6", V_NONE, IC_DHCPV6, 0, T_FLAG},
	{"rd", V_NONE, IC_RD, 0, T_FLAG},
	{"rd6", V_NONE, IC_RD, 0, T_FLAG},
	{"slaac", V_NONE, IC_SLAAC, 0, T_FLAG},
	{"auto", V_NONE, AUTO, 0, T_FLAG},
	{"auto4", V_NONE, AUTO4, 0, T_FLAG},
	{"autov4", V_NONE, AUTO4, 0, T_FLAG},
	{"auto6", V_NONE, AUTO6, 0, T_FLAG},
	{"autov6", V_NONE, AUTO6, 0, T_FLAG},
	{"-static", V_NONE, 0, IC_STATIC, T_FLAG},
	{"-eth", V_NONE, 0, IC_ETH, T_FLAG},
	{"-dhcp", V_NONE, 0, IC_DHCP, T_FLAG},
	{"-dhcp4", V_NONE, 0, IC_DHCP, T_FLAG},
	{"-dhcpv4", V_NONE, 0, IC_DHCP, T_FLAG},
	{"-dhcp6", V_NONE, 0, IC_DHCPV6, T_FLAG},
	{"-dhcpv6", V_NONE, 0, IC_DHCPV6, T_FLAG},
	{"-rd", V_NONE, 0, IC_RD, T_FLAG},
	{"-rd6", V_NONE, 0, IC_RD, T_FLAG},
	{"-auto", V_NONE, 0, AUTO, T_FLAG},
	{"-all", V_NONE, 0, AUTO, T_FLAG},
	{"-auto4", V_NONE, 0, AUTO4, T_FLAG},
	{"-autov4", V_NONE, 0, AUTO4, T_FLAG},
	{"-auto6", V_NONE, 0, AUTO6, T_FLAG},
	{"-autov6", V_NONE, 0, AUTO6, T_FLAG},
	{"iface", V_REQ, 0, 0, T_IFACE},
	{"ifindex", V_REQ, 0, 0, T_IFINDEX},
	{"fqdn", V_REQ, 0, 0, T_FQDN},
	{"otip", V_REQ, 0, 0, T_OTIP},
	{"otipperiod", V_REQ, 0, 0, T_OTIPPERIOD},
	{"mac", V_REQ, 0, 0, T_MAC},
	{"macaddr", V_REQ, 0, 0, T_MAC},
	{"ip", V_REQ, IC_STATIC, 0, T_IP},
	{"gw", V_REQ, IC_STATIC, 0, T_GW},
	{"dns", V_REQ, IC_STATIC, 0, T_DNS},
	{"domain", V_REQ, IC_STATIC, 0, T_DOMAIN},
	{"-ip", V_REQ, IC_STATIC, 0, T_IP},
	{"-gw", V_REQ, IC_STATIC, 0, T_GW},
	{"-dns", V_REQ, IC_STATIC, 0, T_DNS},
	{"-domain", V_REQ, IC_STATIC, 0, T_DOMAIN},
	{"debug", V_NONE, 0, 0, T_DEBUG},
	{"stack", V_REQ, 0, 0, T_STACK},
	{"vnl", V_REQ, 0, 0, T_VNL},
};

static int parse_addr(const char *s, struct ic_static *st, int with_prefix) {
	char buf[INET6_ADDRSTRLEN + 8];
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	char *slash = strchr(buf, '/');
	long plen = -1;
	if (slash) {
		char *end;
		if (!with_prefix || slash[1] == 0 || !isdigit((unsigned char) slash[1]))
			return -EINVAL;
		*slash = 0;
		plen = strtol(slash + 1, &end, 10);
		if (*end != 0)
			return -EINVAL;
	}
	if (inet_pton(AF_INET6, buf, st->addr) == 1) {
		st->family = AF_INET6;
		if (plen > 128)
			return -EINVAL;
		st->prefixlen = plen < 0 ? 64 : plen;
	} else if (inet_pton(AF_INET, buf, st->addr) == 1) {
		st->family = AF_INET;
		if (plen > 32)
			return -EINVAL;
		st->prefixlen = plen < 0 ? 24 : plen;
	} else
		return -EINVAL;
	if (with_prefix && st->prefixlen == 0)
		return -EINVAL;   /* an address on a /0 is not a configuration */
	return 0;
}

static int set_str(char **dst, const char *v) {
	free(*dst);
	*dst = strdup(v);
	return *dst ? 0 : -ENOMEM;
}

static int apply_tag(const struct tagdef *d, const char *v, int mode, struct ic_request *req) {
	struct ic_static *st;
	if (mode == 2 && d->id != T_IFACE && d->id != T_IFINDEX)
		return -EINVAL;
	switch (d->id) {
	case T_FLAG:
		req->config |= d->config;
		req->clean |= d->clean;
		return 0;
	case T_DEBUG:
		req->debug = 1;
		return 0;
	case T_IFACE:
		if (strlen(v) >= IC_IFNAMSIZ)
			return -EINVAL;
		strcpy(req->iface, v);
		req->has_iface = 1;
		return 0;
	case T_IFINDEX: {
		char *end;
		if (!isdigit((unsigned char) *v))
			return -EINVAL;
		unsigned long n = strtoul(v, &end, 10);
		if (*end || n == 0 || n > 0x7fffffff)
			return -EINVAL;
		req->ifindex = n;
		req->has_ifindex = 1;
		return 0;
	}
	case T_FQDN:
		if (!ic_dname_valid(v))
			return -EINVAL;
		strcpy(req->fqdn, v);
		req->has_fqdn = 1;
		return 0;
	case T_OTIP:
		if (strlen(v) >= IC_OTIPLEN)
			return -EINVAL;
		strcpy(req->otip, v);
		return 0;
	case T_OTIPPERIOD: {
		char *end;
		if (!isdigit((unsigned char) *v))
			return -EINVAL;
		unsigned long n = strtoul(v, &end, 10);
		if (*end || n == 0 || n > 86400)
			return -EINVAL;
		req->otip_period = n;
		return 0;
	}
	case T_MAC:
		if (strlen(v) != 17 || !ioth_macton(v, req->mac))
			return -EINVAL;
		if (req->mac[0] & 1)
			return -EINVAL;   /* a multicast MAC cannot be an interface's */
		req->has_mac = 1;
		return 0;
	case T_STACK:
		if (mode != 1) return -EINVAL;
		return set_str(&req->stack, v);
	case T_VNL:
		if (mode != 1) return -EINVAL;
		return set_str(&req->vnl, v);
	}
	/* static items */
	if (req->nstatic >= IC_MAXSTATIC)
		return -EINVAL;
	st = &req->st[req->nstatic];
	memset(st, 0, sizeof(*st));
	st->remove = d->name[0] == '-';
	int rv = 0;
	switch (d->id) {
	case T_IP:
		st->kind = IC_K_ADDR;
		rv = parse_addr(v, st, 1);
		break;
	case T_GW:
		st->kind = IC_K_ROUTE;
		rv = parse_addr(v, st, 0);
		break;
	case T_DNS:
		st->kind = IC_K_DNS;
		rv = parse_addr(v, st, 0);
		break;
	case T_DOMAIN:
		st->kind = IC_K_DOMAIN;
		if (!ic_dname_valid(v))
			return -EINVAL;
		strcpy(st->domain, v);
		break;
	}
	if (rv < 0)
		return rv;
	if (st->kind != IC_K_ADDR)
		st->prefixlen = 0;
	if (!st->remove)
		req->static_add = 1;
	req->config |= d->config;
	req->nstatic++;
	return 0;
}

static int parse_token(char *tok, int mode, struct ic_request *req) {
	char *v = strchr(tok, '=');
	if (v)
		*v++ = 0;
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		if (strcasecmp(tok, tags[i].name) != 0)
			continue;
		if (tags[i].value == V_NONE && v != NULL)
			return -EINVAL;
		if (tags[i].value == V_REQ && (v == NULL || *v == 0))
			return -EINVAL;
		return apply_tag(&tags[i], v, mode, req);
	}
	return -EINVAL;
}

static int is_sep(char c) {
	return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int ic_parse(const char *config, int mode, struct ic_request *req) {
	memset(req, 0, sizeof(*req));
	if (config == NULL)
		return 0;
	size_t len = strlen(config);
	char *buf = malloc(len + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, config, len + 1);
	int rv = 0;
	for (char *p = buf; *p && rv == 0;) {
		while (*p && is_sep(*p))
			p++;
		if (!*p)
			break;
		char *tok = p;
		while (*p && !is_sep(*p))
			p++;
		if (*p)
			*p++ = 0;
		rv = parse_token(tok, mode, req);
	}
	free(buf);
	if (rv == 0 && req->has_iface && req->has_ifindex)
		rv = -EINVAL;   /* two names for the interface: ambiguous */
	if (rv < 0)
		ic_request_free(req);
	return rv;
}

void ic_request_free(struct ic_request *req) {
	free(req->stack);
	free(req->vnl);
	req->stack = req->vnl = NULL;
}
