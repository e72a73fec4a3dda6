/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The rtnetlink server: answers a batch of requests written on a netlink
 * socket by queueing the replies on it. Stack lock held. */
#ifndef USTACK_NETLINK_RTNL_H
#define USTACK_NETLINK_RTNL_H
#include <stddef.h>
#include <stdint.h>

struct usock;
int rtnl_input(struct usock *sk, const uint8_t *buf, size_t len);
#endif
