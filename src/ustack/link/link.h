/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Frame I/O: VDE interfaces through libvdeplug and the stack's loopback.
 * A link hands every received frame to the handler the layer above
 * registered, s->link_input (net/'s netif_input, like Linux's
 * netif_receive_skb), the loopback its datagrams to s->loop_input, and
 * shows every Ethernet frame it sends to s->xmit_tap when set (packet/).
 * Called with the stack lock held. */
#ifndef USTACK_LINK_LINK_H
#define USTACK_LINK_LINK_H
#include "../core/stack.h"

/* Open a VDE interface on vnl; the caller links it into the stack and
 * registers it with the runtime (link_start) once the stack is ready. */
struct netif *vde_netif_open(struct ustack *s, const char *vnl, const uint8_t *mac, uint32_t mtu);
struct netif *loop_netif_new(struct ustack *s);
int link_start(struct netif *ifp);     /* join the runtime's epoll */
void link_stop(struct netif *ifp);     /* leave it; no lock held */
void netif_free(struct netif *ifp);
/* Send a complete frame; consumes p. Counts tx stats; -ENETDOWN when down.
 * A frame the link has no room for waits in the interface's transmit
 * queue (0); one the queue has no room for is dropped, counted in
 * tx_errors, and reported as sent (0), as Linux does for a qdisc drop. */
int link_xmit(struct netif *ifp, struct pbuf *p);

/* A caller's thread blocked on a socket reads the stack's VDE interfaces
 * itself (lock held for each call). link_claim takes them from the event
 * thread and fills pfd (at most max; 0: nothing claimed, wait as usual);
 * link_claimed_input reads one frame from each fd that poll found ready
 * (pfd as filled by link_claim); link_release gives them back. */
struct pollfd;
int link_claim(struct ustack *s, struct pollfd *pfd, int max);
void link_claimed_input(struct ustack *s, const struct pollfd *pfd, int n);
/* before each poll: POLLOUT too on the fds whose transmit queue waits */
void link_claim_events(struct ustack *s, struct pollfd *pfd, int n);
void link_release(struct ustack *s);
/* Send what the VNLs held back while the lock is held (link/vde.c
 * vde_xmit), before a wait that must know what is still queued. */
void link_flush(struct ustack *s);

/* link/capture.c: the test link of the unit tests and fuzzers, an
 * Ethernet interface (not up, no index: the caller sets them and attaches
 * it) whose sent frames are kept in cap, which the caller owns */
#define LINK_CAPTURE_MAX 256
struct link_capture {
	uint8_t *frame[LINK_CAPTURE_MAX];
	size_t len[LINK_CAPTURE_MAX];
	int n;
};
struct netif *capture_netif_new(struct ustack *s, struct link_capture *cap, const char *name,
		const uint8_t *mac, uint32_t mtu);
void capture_clear(struct link_capture *cap);     /* forget the frames kept */
/* a frame received on ifp (copied: the caller's stays intact), lock held */
void capture_input(struct netif *ifp, const uint8_t *frame, size_t len);

/* link/pcap.c: the capture of stack option pcap=FILE; pcap_frame is
 * called for every frame received or sent on a VDE interface, lock held */
int pcap_open(struct ustack *s, const char *path);
void pcap_frame(struct ustack *s, const uint8_t *frame, size_t len);

#define LOOP_MTU 65536
/* <linux/if.h> value; <net/if.h> does not define it */
#define USTACK_IFF_LOWER_UP 0x10000
/* <net/if_arp.h> values, without pulling that header into every file */
#define ARPHRD_ETHER_VALUE 1
#define ARPHRD_LOOPBACK_VALUE 772
#endif
