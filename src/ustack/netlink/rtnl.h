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
struct ustack;
struct netif;
struct ifaddr4;
struct ifaddr6;
struct route4;
struct route6;
struct neigh;
void rtnl_notify_link(struct netif *ifp, uint16_t type);
void rtnl_notify_addr4(struct netif *ifp, const struct ifaddr4 *a, uint16_t type);
void rtnl_notify_addr6(struct netif *ifp, const struct ifaddr6 *a, uint16_t type);
void rtnl_notify_route4(struct ustack *s, const struct route4 *r, uint16_t type);
void rtnl_notify_route6(struct ustack *s, const struct route6 *r, uint16_t type);
void rtnl_notify_neigh(struct netif *ifp, const struct neigh *n, uint16_t type);
#endif
