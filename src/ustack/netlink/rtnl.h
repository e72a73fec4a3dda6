/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The rtnetlink server: answers a batch of requests written on a netlink
 * socket by queueing the replies on it. Stack lock held. */
#ifndef USTACK_NETLINK_RTNL_H
#define USTACK_NETLINK_RTNL_H
#include <stddef.h>
#include <stdint.h>
#include <linux/rtnetlink.h>

struct usock;
int rtnl_input(struct usock *sk, const uint8_t *buf, size_t len);
/* NETLINK_SOCK_DIAG sockets (netlink/diag.c): the same, for ss(8) */
int diag_input(struct usock *sk, const uint8_t *buf, size_t len);

/* Notifications (Linux rtnl_notify): every change of a link, address,
 * route or neighbour, made through netlink or by the stack itself (DAD,
 * SLAAC, router advertisements, expiry), sent as RTM_NEW* / RTM_DEL* to
 * the netlink sockets of the stack that joined its RTNLGRP_* group.
 * type: the RTM_* message. Stack lock held; nothing is built when no
 * socket ever joined the group. */
#include "../net/proto.h"
void rtnl_notify(struct ustack *s, enum net_event ev, const struct netif *ifp, const void *obj,
		uint16_t type);
#endif
