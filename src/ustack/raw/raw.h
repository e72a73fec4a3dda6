/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The state of raw/ in a stack (s->raw, made by raw_register or
 * ping_register): the raw sockets and the ping sockets of both families,
 * chained through usock.pnext. */
#ifndef USTACK_RAW_RAW_H
#define USTACK_RAW_RAW_H
struct usock;
struct raw_stack {
	struct usock *raw_socks, *ping_socks;
};
struct ustack;
/* s->raw, made on first use: 0 or -ENOMEM */
int raw_stack_make(struct ustack *s);

struct ip4_rx;
struct ip6_rx;
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* A received datagram taken by sk's binding: its local address, its
 * peer when connected, its device (Linux raw_v4_match, ping_lookup). */
bool raw_match4(const struct usock *sk, const struct ip4_rx *rx);
bool raw_match6(const struct usock *sk, const struct ip6_rx *rx);
/* A copy queued on sk with the datagram's metadata: hlen bytes of its
 * IPv4 header first (raw sockets), then (data, len). 0, -ENOMEM (no
 * buffer: the caller stops) or -ENOBUFS (sk's queue is full). */
int raw_deliver4(struct usock *sk, const struct ip4_rx *rx, size_t hlen, const uint8_t *data,
		size_t len);
int raw_deliver6(struct usock *sk, const struct ip6_rx *rx);
#endif
