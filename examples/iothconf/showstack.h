/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Print what a stack is configured with: interfaces and addresses
 * (ioth_getifaddrs) and routes (an rtnetlink dump over the stack's own
 * AF_NETLINK socket). One line per item, stable and easy to grep:
 *   link NAME INDEX up|down MAC
 *   addr NAME ADDRESS/PREFIX
 *   route DEST/LEN via GATEWAY dev INDEX     (or "dev INDEX" when direct)
 */
#ifndef IOTHCONF_SHOWSTACK_H
#define IOTHCONF_SHOWSTACK_H
#include <stdio.h>
#include <ioth.h>

int show_links_addrs(struct ioth *stack, FILE *out);
int show_routes(struct ioth *stack, FILE *out);

#endif
