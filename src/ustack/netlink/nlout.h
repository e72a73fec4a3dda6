/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Building netlink answers (netlink/rtnl.c), shared by the rtnetlink
 * server and sock_diag (netlink/diag.c): messages are built in a local
 * buffer (struct nlb) and appended to datagrams of up to NL_CHUNK bytes
 * queued on the asking socket. Stack lock held. */
#ifndef USTACK_NETLINK_NLOUT_H
#define USTACK_NETLINK_NLOUT_H
#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NL_CHUNK 16384
#define NL_MSGMAX 2048   /* one message we build: a link with its stats */

struct usock;
struct pbuf;

/* a message under construction */
struct nlb {
	uint8_t buf[NL_MSGMAX];
	size_t len;
	bool overflow;
};

/* Where messages go: the replies to sk's request (nlmsg_pid: sk's port
 * id), or, with keep, one notification kept for nl_broadcast (pid 0). */
struct nl_out {
	struct usock *sk;
	uint32_t pid;
	struct pbuf *chunk;
	int err;
	struct nlb *keep;
};

void out_flush(struct nl_out *o);
void out_append(struct nl_out *o, const void *msg, size_t len);
void *nlb_put(struct nlb *b, const void *data, size_t len);
void nlb_begin(struct nlb *b, const struct nl_out *o, uint16_t type, uint16_t flags, uint32_t seq);
void nla_put(struct nlb *b, uint16_t type, const void *data, size_t len);
void nla_u32(struct nlb *b, uint16_t type, uint32_t v);
void nla_u8(struct nlb *b, uint16_t type, uint8_t v);
void nlb_end(struct nlb *b, struct nl_out *o);
/* NLMSG_DONE of a dump (and the datagram flushed) */
void nl_done(struct nl_out *o, const struct nlmsghdr *req);
/* NLMSG_ERROR: err, or an ACK (0) */
void nl_ack(struct nl_out *o, const struct nlmsghdr *req, int err);
/* A batch of requests written to sk: one(o, h) answers each (returns
 * <0, an error sent as NLMSG_ERROR; 0, done, ACKed if asked; 1,
 * answered already, no ACK). Returns 0 or -ENOBUFS (replies lost). */
int nl_batch(struct usock *sk, const uint8_t *buf, size_t len,
		int (*one)(struct nl_out *o, const struct nlmsghdr *h));
#endif
