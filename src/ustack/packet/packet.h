/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The state of packet/ in a stack (s->packet, made by packet_register). */
#ifndef USTACK_PACKET_PACKET_H
#define USTACK_PACKET_PACKET_H
struct usock;
struct packet_stack {
	struct usock *socks;          /* chained through usock.pnext */
	struct usock *sender;         /* the socket sending now (not shown its own frame) */
};
#endif
