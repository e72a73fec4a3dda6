/* SPDX-License-Identifier: GPL-2.0-or-later
 * iothnamed: the tables shared by conf.c and core.c. */
#ifndef NAMED_INT_H
#define NAMED_INT_H
#include "named.h"
#include <iothdns.h>

/* a net name is a list of prefixes (IPv4 as v4-mapped) */
struct nd_net {
	struct nd_net *next;
	struct in6_addr addr, mask;
};

/* one auth line, in file order */
struct nd_auth {
	struct nd_auth *next;
	int type;
	uint64_t nets;             /* bit i: net name i */
	int has_name;
	/* lower case, no trailing dot; a leading dot: the subdomains only;
	 * "" matches every name */
	char name[IOTHDNS_MAXNAME];
	struct in6_addr base;      /* hash, otip */
	char *basename;            /* base given as a name, resolved at start */
	char *basename_rev;        /* hrev NAME/PREFIX */
	int rev_prefix;
	char *pwd;                 /* otip */
};

/* a static record: data as in the message, names in presentation form */
struct nd_record {
	struct nd_record *next;
	char name[IOTHDNS_MAXNAME];  /* lower case, no trailing dot */
	uint16_t type;
	uint16_t len;
	uint8_t data[];
};

extern struct nd_net *nd_nets[ND_MAXNETS];
extern char *nd_netnames[ND_MAXNETS];
extern int nd_nnets;
extern struct nd_auth *nd_auth_head;
extern struct nd_record *nd_static;

void nd_name_canon(char *dst, const char *src, size_t size);
uint64_t nd_netmask_of(const struct in6_addr *from);
#endif
