/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The stack's own loopback "lo": IP datagrams (no link header) are queued
 * and handed back to net/ when the operation that sent them ends
 * (stack_unlock), so input never runs inside output. 64 KiB frames and no
 * checksums (docs/design.md, "Threads and locks"). */
#include <errno.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"

static int loop_xmit(struct netif *ifp, struct pbuf *p) {
	struct ustack *s = ifp->s;
	p->next = NULL;
	if (s->loq_tail)
		s->loq_tail->next = p;
	else
		s->loq_head = p;
	s->loq_tail = p;
	return 0;
}

static void loop_drain(struct ustack *s);

static const struct link_ops loop_ops = {
	.kind = "loopback",
	.xmit = loop_xmit,
};

struct netif *loop_netif_new(struct ustack *s) {
	struct netif *ifp = calloc(1, sizeof(*ifp));
	if (ifp == NULL)
		return NULL;
	ifp->s = s;
	ifp->ops = &loop_ops;
	ifp->type = ARPHRD_LOOPBACK;
	ifp->mtu = LOOP_MTU;
	snprintf(ifp->name, sizeof(ifp->name), "lo");
	ifp->flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | USTACK_IFF_LOWER_UP;
	ifp->src.fd = -1;
	s->unlock_drain = loop_drain;
	return ifp;
}

/* s->unlock_drain: the datagrams queued on lo, handed to the layer above */
static void loop_drain(struct ustack *s) {
	/* bounded: a packet that produces another (echo -> reply) is fine,
	 * an endless ping-pong is not */
	int budget = 4096;
	while (s->loq_head && budget-- > 0) {
		struct pbuf *p = s->loq_head;
		s->loq_head = p->next;
		if (s->loq_head == NULL)
			s->loq_tail = NULL;
		p->next = NULL;
		struct netif *lo = s->lo;
		lo->st.rx_packets++;
		lo->st.rx_bytes += p->len;
		s->loop_input(lo, p);
	}
	if (s->loq_head) {
		pbuf_free_chain(&s->pc, s->loq_head);
		s->loq_head = s->loq_tail = NULL;
	}
}
