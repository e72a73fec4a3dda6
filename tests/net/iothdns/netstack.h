/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A stack for the iothdns network tests: "kernel" is the host stack (the
 * namespace's, under ip netns exec); any other name is a plugin whose
 * vde0 joins vnl and gets the addresses, configured through netlink. */
#ifndef IOTHDNS_NETSTACK_H
#define IOTHDNS_NETSTACK_H
#include <ioth.h>

/* NULL on failure (message printed). *stack is NULL for "kernel". */
int netstack_open(const char *name, const char *vnl, const char *cidr4, const char *cidr6,
		struct ioth **stack);
void netstack_close(struct ioth *stack);

#endif
