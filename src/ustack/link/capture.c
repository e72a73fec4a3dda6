/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The capture link: an Ethernet interface without a wire, for the unit
 * tests and the fuzzers. Every frame the stack sends on it is copied into
 * the caller's struct link_capture (at most LINK_CAPTURE_MAX frames, the
 * rest counted as sent and forgotten); capture_input hands a frame to the
 * stack as if received on it. With the stack option pcap= (pcap_open),
 * both ways are written to the capture file, as on a VDE link. Its timers
 * run on the clock the caller chooses (stack_run_timers, s->timers_now). */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"

static int capture_xmit(struct netif *ifp, struct pbuf *p) {
	struct link_capture *cap = ifp->link;
	if (cap->n < LINK_CAPTURE_MAX) {
		uint8_t *copy = malloc(p->len);
		if (copy) {
			memcpy(copy, p->data, p->len);
			cap->frame[cap->n] = copy;
			cap->len[cap->n++] = p->len;
		}
	}
	pbuf_free(&ifp->s->pc, p);
	return 0;
}

static const struct link_ops capture_ops = {.kind = "test", .xmit = capture_xmit};

struct netif *capture_netif_new(struct ustack *s, struct link_capture *cap, const char *name,
		const uint8_t *mac, uint32_t mtu) {
	struct netif *ifp = calloc(1, sizeof(*ifp));
	if (ifp == NULL)
		return NULL;
	ifp->s = s;
	ifp->ops = &capture_ops;
	ifp->link = cap;
	ifp->type = ARPHRD_ETHER_VALUE;
	ifp->mtu = mtu;
	memcpy(ifp->mac, mac, 6);
	snprintf(ifp->name, sizeof(ifp->name), "%s", name);
	ifp->flags = IFF_BROADCAST | IFF_MULTICAST;
	return ifp;
}

void capture_clear(struct link_capture *cap) {
	for (int i = 0; i < cap->n; i++)
		free(cap->frame[i]);
	cap->n = 0;
}

void capture_input(struct netif *ifp, const uint8_t *frame, size_t len) {
	/* the layer above may write into the frame it is given: a copy */
	uint8_t *copy = malloc(len ? len : 1);
	if (copy == NULL)
		return;
	memcpy(copy, frame, len);
	/* the pcap= capture (pcap.c) sees it as a VDE link's frame; the frames
	 * sent are written by link_xmit */
	if (ifp->s->pcap_fd >= 0)
		pcap_frame(ifp->s, copy, len);
	ifp->s->link_input(ifp, copy, len);
	free(copy);
}
