/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A stack assembled from its layers and taken apart (ustack.h). */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "link/link.h"
#include "net/net.h"
#include "net/net6.h"
#include "net/proto.h"
#include "socket/sock.h"
#include "ustack.h"

/* the layers' state (their headers) and the stack */
static void free_layers(struct ustack *s) {
	free(s->protos);
	free(s->mib);
	free(s->udp);
	free(s->raw);
	free(s->packet);
	stack_free(s);
}

struct ustack *ustack_create(void) {
	struct ustack *s = stack_new();
	if (s == NULL)
		return errno = ENOMEM, NULL;
	int err = net_init(s);
	/* each protocol registers with net/ and with the socket layer */
	if (err == 0)
		err = udp_register(s);
	if (err == 0)
		err = tcp_register(s);
	if (err == 0)
		err = raw_register(s);
	if (err == 0)
		err = ping_register(s);
	if (err == 0)
		err = packet_register(s);
	if (err == 0)
		err = netlink_register(s);
	struct netif *lo = err == 0 ? loop_netif_new(s) : NULL;
	if (lo == NULL) {
		free_layers(s);
		return errno = ENOMEM, NULL;
	}
	ustack_attach(s, lo);
	s->lo = lo;
	ip4_addr_add(lo, htonl(0x7f000001), 8, 0, false);
	static const uint8_t loop6[16] = {[15] = 1};
	ip6_addr_add(lo, loop6, 128, IFA6_NODAD, false);
	return s;
}

int ustack_attach(struct ustack *s, struct netif *ifp) {
	return netif_attach(s, ifp, 0);
}

void ustack_destroy(struct ustack *s) {
	sock_release_all(s);
	stack_lock(s);
	/* connections that outlive their sockets (FIN_WAIT, TIME_WAIT) */
	tcp_flush_stack(s);
	s->deleting = 1;
	stack_unlock(s);
	/* out of the runtime first, without the lock: callbacks may be running */
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
		link_stop(ifp);
	rt_timer_del(&s->rtt);
	stack_lock(s);
	net_flush_stack(s);
	pbuf_free_chain(&s->pc, s->loq_head);
	s->loq_head = s->loq_tail = NULL;
	stack_unlock(s);
	free_layers(s);
}
