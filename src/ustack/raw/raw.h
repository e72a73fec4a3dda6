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
#endif
