/* SPDX-License-Identifier: LGPL-2.1-or-later
 * VDE link: any VNL that libvdeplug opens (vde://, switch://, ptp://,
 * vxvde://, tap://...). The event thread reads the frames of a readiness
 * event (up to RX_BATCH) into its own buffer and processes each under the
 * stack lock, so a received frame is copied at most once more, into a
 * socket queue. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <net/if_arp.h>
#include <stdlib.h>
#include <string.h>

#include <libvdeplug.h>

#include "link.h"
#include "txworker.h"
#include "vxlan.h"

/* The receive buffer of the event thread (dynamic TLS: allocated only in
 * threads that touch it), large frames included. */
#define RX_BUF_SIZE (65536 + 64)
/* struct netif's rx_dgram */
#define RX_DGRAM_PLAIN 1
#define RX_DGRAM_PTP 2
/* frames read per readiness (see vde_input_batch) */
#define RX_BATCH 32
/* an Ethernet header: anything shorter is not a frame */
#define VDE_MIN_FRAME 14
static __thread uint8_t rx_buf[RX_BUF_SIZE];

/* vxlan:// is ours (link/vxlan.c: libvdeplug's module cannot send
 * unicast); every other VNL is libvdeplug's. Both are "vde" interfaces
 * with the same transmit queue and claiming; only these calls differ. */
static const struct link_ops vde_ops, vx_ops;
static bool is_vnl(const struct netif *ifp) {
	return ifp->ops == &vde_ops || ifp->ops == &vx_ops;
}
static ssize_t vnl_recv(struct netif *ifp, void *buf, size_t len) {
	return ifp->ops == &vx_ops ? vx_recv(ifp->link, buf, len) : vde_recv(ifp->link, buf, len, 0);
}
static ssize_t vnl_send(struct netif *ifp, const void *buf, size_t len) {
	return ifp->ops == &vx_ops ? vx_send(ifp->link, buf, len) : vde_send(ifp->link, buf, len, 0);
}

/* libvdeplug's send, as the sending thread calls it (link/txworker.c) */
static ssize_t vde_send_conn(void *conn, const void *buf, size_t len) {
	return vde_send(conn, buf, len, 0);
}

/* A frame of n bytes (or a failed read, n < 0) from ifp into the stack;
 * lock held. */
static void vde_frame(struct netif *ifp, uint8_t *buf, ssize_t n) {
	if (n > 0 && n < VDE_MIN_FRAME) {
		/* libvdeplug's vxvde:// and vxlan:// read a datagram that is no
		 * frame for this plug (its own multicast looped back, another
		 * VNI, a short packet) and return 1: nothing was received, as a
		 * NIC counts nothing for what it filters */
	} else if (n <= 0) {
		ifp->st.rx_errors++;
	} else if (!(ifp->flags & IFF_UP)) {
		ifp->st.rx_dropped++;
	} else {
		ifp->st.rx_packets++;
		ifp->st.rx_bytes += (uint64_t) n;
		if (ifp->s->pcap_fd >= 0)
			pcap_frame(ifp->s, buf, (size_t) n);
		ifp->s->link_input(ifp, buf, (size_t) n);
	}
}

/* One frame from ifp into the stack; lock held, and only when the fd is
 * readable and ifp has one reader (the event thread, or the caller that
 * claimed it): a plain vde_recv may block otherwise. */
static bool vde_input_one(struct netif *ifp) {
	ssize_t n = vnl_recv(ifp, rx_buf, RX_BUF_SIZE);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		/* the fd is non-blocking (vde_netif_open): nothing after all */
		return false;
	vde_frame(ifp, rx_buf, n);
	return n > 0;
}

/* --- batched receive on a datagram fd ---
 * Where a frame is one datagram of the fd and the VNL's recv is nothing
 * more than a recv of it (vde://, ptp://), one recvmmsg reads what the
 * queue holds: one system call per batch, and none to find the queue
 * empty. The frames land in the reading thread's receive buffer (the
 * event thread's, or a claiming caller's: rx_buf, no memory of its own),
 * cut in slots of the interface's MTU and more: RX_BATCH frames at MTU
 * 1500, fewer above, one at mtu=65000.
 * A frame longer than its slot is still received, as the frame-by-frame
 * path and Linux's tap do (packetdrill injects segments larger than the
 * MTU): each slot is followed, for the kernel, by the reading thread's
 * overflow buffer (rx_over), which the frames of a batch share. The last
 * long frame of a batch is whole there; an earlier one had its tail
 * overwritten and is dropped (rx_dropped). So after a long frame the
 * interface reads one frame per call, the whole buffer for it, until
 * RX_BIG_CALLS calls have seen no long frame: a peer with a larger MTU
 * loses at most the frames of one batch, then none. A frame longer than
 * the buffer itself is dropped and counted (rx_length_errors). */
#define RX_SLOT_MIN 2048
#define RX_BIG_CALLS 64
static __thread uint8_t rx_over[RX_BUF_SIZE];

static void vde_input_mmsg(struct netif *ifp) {
	size_t mtu_slot = ((size_t) ifp->mtu + 64 + 63) & ~(size_t) 63;
	if (mtu_slot < RX_SLOT_MIN)
		mtu_slot = RX_SLOT_MIN;
	size_t slot = mtu_slot;
	if (slot > RX_BUF_SIZE || ifp->rx_big)
		slot = RX_BUF_SIZE;
	unsigned k = (unsigned) (RX_BUF_SIZE / slot);
	if (k > RX_BATCH)
		k = RX_BATCH;
	struct mmsghdr msg[RX_BATCH];
	struct iovec iov[RX_BATCH][2];
	for (unsigned i = 0; i < k; i++) {
		iov[i][0] = (struct iovec) {.iov_base = rx_buf + slot * i, .iov_len = slot};
		iov[i][1] = (struct iovec) {.iov_base = rx_over + slot, .iov_len = RX_BUF_SIZE - slot};
		msg[i] = (struct mmsghdr) {.msg_hdr = {.msg_iov = iov[i], .msg_iovlen = slot < RX_BUF_SIZE ? 2 : 1}};
	}
	int n = recvmmsg(ifp->src.fd, msg, k, MSG_DONTWAIT, NULL);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			ifp->st.rx_errors++;
		return;
	}
	int last_long = -1;
	bool any_long = false;
	for (int i = 0; i < n; i++) {
		if (msg[i].msg_hdr.msg_flags & MSG_TRUNC)
			continue;
		if (msg[i].msg_len > mtu_slot)
			any_long = true;
		if (msg[i].msg_len > slot)
			last_long = i;
	}
	if (any_long)
		ifp->rx_big = RX_BIG_CALLS;
	else if (ifp->rx_big)
		ifp->rx_big--;
	for (int i = 0; i < n; i++) {
		ssize_t len = (ssize_t) msg[i].msg_len;
		uint8_t *frame = rx_buf + slot * i;
		if (msg[i].msg_hdr.msg_flags & MSG_TRUNC) {
			ifp->st.rx_length_errors++;
			ifp->st.rx_errors++;
			continue;
		}
		if ((size_t) len > slot) {
			if (i != last_long) {
				ifp->st.rx_dropped++;
				continue;
			}
			/* its head before its tail: one frame in rx_over */
			memcpy(rx_over, frame, slot);
			frame = rx_over;
		}
		/* ptp:// takes an empty datagram as its peer's goodbye: libvdeplug's
		 * recv then disconnects the fd, so that its next send connects to
		 * whoever holds the peer's path then */
		if (len == 0 && ifp->rx_dgram == RX_DGRAM_PTP) {
			struct sockaddr unspec = {.sa_family = AF_UNSPEC};
			(void) connect(ifp->src.fd, &unspec, sizeof(unspec));
		}
		vde_frame(ifp, frame, len);
	}
}

/* What the fd holds, up to RX_BATCH frames, in one hold of the lock: the
 * frames of a burst cost one wake-up and one claim (or epoll event), not
 * one each, and a blocked reader finds a burst's data in one call. Where
 * the VNL's recv is a plain read of its non-blocking fd (rx_direct) the
 * last read finds the queue empty (EAGAIN) and ends the batch; other
 * VNLs may block in their recv whatever the fd's flags (libvdeplug's
 * switch:// waits in an epoll of its own), so each further frame is read
 * only after poll says it is there. */
static bool vde_rx_pending(struct netif *ifp) {
	if (ifp->rx_direct)
		return true;
	struct pollfd p = {.fd = ifp->src.fd, .events = POLLIN};
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLERR | POLLHUP));
}

static void txq_flush(struct netif *ifp);

static void vde_input_batch(struct netif *ifp) {
	/* one reading of the clock for the batch (TCP reads it per segment:
	 * timestamps, RTT samples, timers), as the timers of one loop share
	 * theirs (stack_run_timers) */
	struct ustack *s = ifp->s;
	bool clock_set = s->timers_now == 0;
	if (clock_set)
		s->timers_now = rt_now();
	bool outer = !s->rx_batch;
	s->rx_batch = true;
	if (!ifp->rx_dgram) {
		for (int i = 0; i < RX_BATCH && vde_input_one(ifp) && vde_rx_pending(ifp); i++)
			;
	} else {
		/* what the batch's frames make the stack send on this link
		 * (ACKs, the segments they release, replies) leaves at its end,
		 * TX_BATCH frames per sendmmsg (vde_xmit) */
		ifp->tx_defer = true;
		vde_input_mmsg(ifp);
		if (outer) {
			s->rx_batch = false;
			if (s->rx_batch_end)
				s->rx_batch_end(s);
		}
		txq_flush(ifp);
		ifp->tx_defer = false;
	}
	if (outer && s->rx_batch) {
		s->rx_batch = false;
		if (s->rx_batch_end)
			s->rx_batch_end(s);
	}
	if (clock_set)
		s->timers_now = 0;
}

/* the libvdeplug modules whose recv reads the data fd itself (recv, read
 * or recvmsg), and our vxlan://. Not vxvde://: its data fd is an epoll
 * set of its multicast and unicast sockets, and its recv waits in
 * epoll_wait with no timeout, whatever the flags of the sockets */
static bool vnl_rx_direct(const char *vnl) {
	static const char *const direct[] = {"vde", "ptp", "tap", "udp", "vxlan"};
	const char *sep = strstr(vnl, "://");
	if (sep == NULL)
		return false;
	for (size_t i = 0; i < sizeof(direct) / sizeof(direct[0]); i++)
		if (strlen(direct[i]) == (size_t) (sep - vnl) && strncmp(vnl, direct[i], (size_t) (sep - vnl)) == 0)
			return true;
	return false;
}

/* the libvdeplug modules whose recv is a recv of one datagram of the
 * data fd and nothing else (an empty one aside, on ptp://) */
static uint8_t vnl_rx_dgram(const char *vnl) {
	if (strncmp(vnl, "vde://", 6) == 0)
		return RX_DGRAM_PLAIN;
	if (strncmp(vnl, "ptp://", 6) == 0)
		return RX_DGRAM_PTP;
	return 0;
}

/* --- the transmit queue ---
 * A VNL takes a few frames at a time: a switch port's AF_UNIX queue, the
 * peer's own socket queue on ptp://, a UDP socket buffer. What it has no
 * room for waits here, like a device's queue (Linux: qdisc, txqueuelen
 * 1000), and goes out when the fd is writable again: the event thread
 * watches EPOLLOUT while frames wait, a caller that claimed the fd polls
 * POLLOUT. Nobody ever waits for room: a send happens with the stack lock
 * held, and the thread that would make room (the reader of the peer's
 * queue, a stack of this very process on ptp://) may wait for a lock we
 * hold. A full queue is a drop, which TCP sees as local congestion. */
#define TXQ_MAX_FRAMES 1000
#define TXQ_MAX_BYTES (2u << 20)

static void txq_watch(struct netif *ifp, bool on) {
	uint32_t ev = on ? EPOLLOUT : 0;
	if (ifp->src.events == ev)
		return;
	ifp->src.events = ev;
	/* paused in the epoll set while a caller claimed the fd: link_release
	 * applies it, and the caller polls POLLOUT itself
	 * (link_claim_events); no system call for that */
	if (ifp->claimed && ifp->paused)
		return;
	(void) rt_mod_fd(&ifp->src);
}

static void txq_drop_all(struct netif *ifp) {
	struct pbuf *p = ifp->txq;
	while (p) {
		struct pbuf *next = p->next;
		ifp->st.tx_dropped++;
		pbuf_free(&ifp->s->pc, p);
		p = next;
	}
	ifp->txq = ifp->txq_tail = NULL;
	ifp->txq_frames = 0;
	ifp->txq_bytes = 0;
}

static void txq_pop(struct netif *ifp, bool failed);

/* The first frame of the queue, sent and freed: 1 sent (or failed and
 * dropped), 0 the link is full. */
static int txq_send_one(struct netif *ifp) {
	struct pbuf *p = ifp->txq;
	ssize_t n = vnl_send(ifp, p->data, p->len);
	if (n < 0 && (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)) {
		ifp->tx_full = true;
		return 0;
	}
	txq_pop(ifp, n < 0);
	return 1;
}

static void txq_pop(struct netif *ifp, bool failed) {
	struct pbuf *p = ifp->txq;
	ifp->txq = p->next;
	if (ifp->txq == NULL)
		ifp->txq_tail = NULL;
	ifp->txq_frames--;
	ifp->txq_bytes -= p->len;
	if (failed) {
		ifp->st.tx_errors++;
	} else {
		ifp->st.tx_packets++;
		ifp->st.tx_bytes += p->len;
	}
	pbuf_free(&ifp->s->pc, p);
}

/* Where a frame is one datagram of the fd (rx_dgram: libvdeplug's send
 * is a plain send, or on ptp:// a connect first when the fd is not yet
 * connected), up to TX_BATCH frames go in one sendmmsg. 1: all of them
 * sent or failed, 0 the link is full, -1 not possible here (the frame by
 * frame path goes on). */
#define TX_BATCH 32
static int txq_send_mmsg(struct netif *ifp) {
	struct mmsghdr msg[TX_BATCH];
	struct iovec iov[TX_BATCH];
	unsigned k = 0;
	for (struct pbuf *p = ifp->txq; p && k < TX_BATCH; p = p->next, k++) {
		iov[k] = (struct iovec) {.iov_base = p->data, .iov_len = p->len};
		msg[k] = (struct mmsghdr) {.msg_hdr = {.msg_iov = &iov[k], .msg_iovlen = 1}};
	}
	int n = sendmmsg(ifp->src.fd, msg, k, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0) {
		if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR) {
			ifp->tx_full = true;
			return 0;
		}
		if (errno == ENOTCONN || errno == EDESTADDRREQ)
			return -1;
		txq_pop(ifp, true);
		return 1;
	}
	for (int i = 0; i < n; i++)
		txq_pop(ifp, false);
	/* fewer than asked: the next one is refused (full, or an error the
	 * next call reports) */
	return 1;
}

/* Send what waits, in order, until the link is full again; lock held. */
static void txq_flush(struct netif *ifp) {
	/* a link set down meanwhile: what waited is dropped (Linux resets
	 * the device's queue) */
	if (!(ifp->flags & IFF_UP))
		txq_drop_all(ifp);
	ifp->tx_full = false;
	bool batch = ifp->rx_dgram != 0;
	while (ifp->txq) {
		int r = batch ? txq_send_mmsg(ifp) : -1;
		if (r < 0) {
			batch = false;
			r = txq_send_one(ifp);
		}
		if (r == 0)
			break;
	}
	txq_watch(ifp, ifp->txq != NULL);
}

static void vde_ready(struct rt_src *src) {
	struct netif *ifp = (struct netif *) ((char *) src - offsetof(struct netif, src));
	struct ustack *s = ifp->s;
	stack_lock(s);
	/* A caller claimed the fd, or claimed it in this very loop after
	 * epoll_wait returned it (and may have read the frame already):
	 * not ours to read. */
	if (!ifp->claimed && ifp->claim_loop != rt_loop()) {
		if (src->revents & EPOLLOUT)
			txq_flush(ifp);
		if (src->revents & (EPOLLIN | EPOLLERR | EPOLLHUP))
			vde_input_batch(ifp);
	}
	stack_unlock(s);
}

/* A claimer asleep in poll (link_claim) polls POLLOUT only for a queue
 * it saw before it slept: a queue that another thread left behind wakes
 * it to poll for room too. */
static void txq_wake_claimer(struct netif *ifp) {
	struct ustack *s = ifp->s;
	if (ifp->claimed && s->input_polling && s->wakefd >= 0) {
		uint64_t one = 1;
		ssize_t r = write(s->wakefd, &one, sizeof(one));
		(void) r;
	}
}

/* 0: sent; 1: queued (link_xmit counts it when it leaves); -errno.
 * Where each frame is a datagram of the fd (rx_dgram: vde://, ptp://),
 * frames are held while the stack lock is held and leave together when
 * it is released (stack_unlock runs vde_unlock_flush) or at the end of a
 * receive batch (tx_defer), TX_BATCH per sendmmsg: the 45 segments of a
 * 64 KiB write() are two system calls, not 45 (as Linux's qdisc hands a
 * device a burst with xmit_more). */
static int vde_xmit(struct netif *ifp, struct pbuf *p) {
	if (ifp->txw) {
		/* handed to the sending thread: counted as sent */
		int err = txworker_push(ifp->txw, p->data, p->len);
		pbuf_free(&ifp->s->pc, p);
		return err;
	}
	bool hold = ifp->tx_defer || ifp->rx_dgram;
	if (ifp->txq == NULL && !hold) {
		ssize_t n = vnl_send(ifp, p->data, p->len);
		if (n >= 0 || (errno != EAGAIN && errno != ENOBUFS && errno != EINTR)) {
			int err = n < 0 ? -errno : 0;
			pbuf_free(&ifp->s->pc, p);
			return err;
		}
	}
	if (ifp->txq_frames >= TXQ_MAX_FRAMES || ifp->txq_bytes + p->len > TXQ_MAX_BYTES) {
		pbuf_free(&ifp->s->pc, p);
		return -ENOBUFS;
	}
	p->next = NULL;
	if (ifp->txq_tail)
		ifp->txq_tail->next = p;
	else
		ifp->txq = p;
	ifp->txq_tail = p;
	ifp->txq_frames++;
	ifp->txq_bytes += p->len;
	if (hold) {
		/* a batch's worth goes now (the queue does not grow for the
		 * wait), unless the link just refused one: then the frames
		 * wait for its room (EPOLLOUT, POLLOUT) or the next flush, and
		 * a frame added meanwhile is not a system call that fails */
		ifp->s->tx_pending = true;
		if (ifp->txq_frames >= TX_BATCH && !ifp->tx_full)
			txq_flush(ifp);
		return 1;
	}
	if (ifp->txq_frames == 1) {
		txq_watch(ifp, true);
		txq_wake_claimer(ifp);
	}
	return 1;
}

/* s->unlock_flush: what the VNLs held while the lock was held leaves
 * (vde_xmit). A link that refused a frame since its last room is left
 * to its EPOLLOUT/POLLOUT watch. */
static void vde_unlock_flush(struct ustack *s) {
	s->tx_pending = false;
	for (struct netif *i = s->ifaces; i; i = i->next) {
		if (!is_vnl(i) || i->txq == NULL || i->tx_defer)
			continue;
		if (!i->tx_full)
			txq_flush(i);
		if (i->txq)
			txq_wake_claimer(i);
	}
}

void link_flush(struct ustack *s) {
	if (s->tx_pending)
		vde_unlock_flush(s);
}

static void vde_link_close(struct netif *ifp) {
	txq_drop_all(ifp);
	if (ifp->txw)
		txworker_stop(ifp->txw);
	ifp->txw = NULL;
	if (ifp->link && ifp->ops == &vx_ops)
		vx_close(ifp->link);
	else if (ifp->link)
		vde_close(ifp->link);
	ifp->link = NULL;
}

static const struct link_ops vde_ops = {
	.kind = "vde",
	.xmit = vde_xmit,
	.close = vde_link_close,
}, vx_ops = {
	.kind = "vde",
	.xmit = vde_xmit,
	.close = vde_link_close,
};

/* --- input in a blocked caller's thread (socket/sock.c sock_wait) ---
 * The caller takes every VDE interface of its stack out of the event
 * thread's epoll, polls their fds itself and processes what arrives: the
 * frame wakes the thread that waits for it, with no hop through the event
 * thread. The event thread gets them back when the caller is done. */
int link_claim(struct ustack *s, struct pollfd *pfd, int max) {
	int n = 0;
	for (struct netif *i = s->ifaces; i; i = i->next)
		if (is_vnl(i) && ++n > max)
			return 0;
	if (n == 0)
		return 0;
	n = 0;
	for (struct netif *i = s->ifaces; i; i = i->next) {
		if (!is_vnl(i))
			continue;
		/* paused only if it was in the epoll set (a started link) */
		i->paused = rt_pause_fd(&i->src) == 0;
		/* after the pause: an event fetched before it is of this loop */
		i->claim_loop = rt_loop();
		i->claimed = true;
		pfd[n++] = (struct pollfd) {.fd = i->src.fd, .events = POLLIN};
	}
	link_claim_events(s, pfd, n);
	return n;
}

void link_claim_events(struct ustack *s, struct pollfd *pfd, int n) {
	int k = 0;
	for (struct netif *i = s->ifaces; i && k < n; i = i->next) {
		if (!is_vnl(i) || !i->claimed)
			continue;
		pfd[k++].events = (short) (POLLIN | (i->txq ? POLLOUT : 0));
	}
}

void link_claimed_input(struct ustack *s, const struct pollfd *pfd, int n) {
	int k = 0;
	for (struct netif *i = s->ifaces; i && k < n; i = i->next) {
		if (!is_vnl(i) || !i->claimed)
			continue;
		if (pfd[k].revents & POLLOUT)
			txq_flush(i);
		if (pfd[k].revents & (POLLIN | POLLERR | POLLHUP))
			vde_input_batch(i);
		k++;
	}
}

void link_release(struct ustack *s) {
	for (struct netif *i = s->ifaces; i; i = i->next) {
		if (!is_vnl(i) || !i->claimed)
			continue;
		i->claimed = false;
		if (i->paused)
			rt_resume_fd(&i->src);
		i->paused = false;
	}
}

struct netif *vde_netif_open(struct ustack *s, const char *vnl, const uint8_t *mac, uint32_t mtu) {
	struct netif *ifp = calloc(1, sizeof(*ifp));
	if (ifp == NULL)
		return NULL;
	bool vx = strncmp(vnl, "vxlan://", 8) == 0;
	errno = 0;
	ifp->link = vx ? vx_open(vnl) : vde_open((char *) vnl, "ustack", NULL);
	if (ifp->link == NULL) {
		int e = errno ? errno : EINVAL;
		free(ifp);
		errno = e;
		return NULL;
	}
	ifp->s = s;
	s->unlock_flush = vde_unlock_flush;
	ifp->ops = vx ? &vx_ops : &vde_ops;
	ifp->type = ARPHRD_ETHER;
	ifp->mtu = mtu;
	memcpy(ifp->mac, mac, 6);
	/* Links come up down, as on Linux: configuration brings them up. */
	ifp->flags = IFF_BROADCAST | IFF_MULTICAST;
	ifp->src.fd = vx ? vx_datafd(ifp->link) : vde_datafd(ifp->link);
	/* Never block in a send: we send with the stack lock held, and the
	 * reader of the queue we send to may be waiting for a lock we hold.
	 * Some VNLs open a blocking socket: ptp:// is an AF_UNIX datagram
	 * socket connected to its peer, and send() on it sleeps while the
	 * peer's receive queue is full (a few frames). Two stacks of one
	 * process on ptp:// then deadlock: each one sends (an ACK, a window
	 * update, data) into the other's full queue, holding its own lock,
	 * which the only reader of its own queue (its event thread or a
	 * caller that claimed the fd) waits for. With O_NONBLOCK a full
	 * queue is EAGAIN, which vde_xmit handles as for a switch port. */
	int fl = fcntl(ifp->src.fd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		fcntl(ifp->src.fd, F_SETFL, fl | O_NONBLOCK);
	/* cmd:// writes to a blocking pipe we cannot reach (link/txworker.c) */
	if (strncmp(vnl, "cmd://", 6) == 0) {
		ifp->txw = txworker_start(vde_send_conn, ifp->link, VDE_ETHBUFSIZE);
		if (ifp->txw == NULL) {
			int e = errno;
			vde_close(ifp->link);
			free(ifp);
			errno = e;
			return NULL;
		}
	}
	ifp->claim_loop = UINT64_MAX;
	ifp->rx_direct = vnl_rx_direct(vnl);
	ifp->rx_dgram = vnl_rx_dgram(vnl);
	ifp->src.ready = vde_ready;
	return ifp;
}

int link_start(struct netif *ifp) {
	if (!is_vnl(ifp))
		return 0;
	return rt_add_fd(&ifp->src);
}

void link_stop(struct netif *ifp) {
	if (is_vnl(ifp))
		rt_del_fd(&ifp->src);
}

void netif_free(struct netif *ifp) {
	if (ifp->ops && ifp->ops->close)
		ifp->ops->close(ifp);
	free(ifp);
}

int link_xmit(struct netif *ifp, struct pbuf *p) {
	if (!(ifp->flags & IFF_UP)) {
		ifp->st.tx_dropped++;
		pbuf_free(&ifp->s->pc, p);
		return -ENETDOWN;
	}
	uint32_t len = p->len;
	if (ifp->s->xmit_tap && ifp->type == ARPHRD_ETHER_VALUE)
		ifp->s->xmit_tap(ifp, p->data, p->len);
	if (ifp->s->pcap_fd >= 0 && ifp->type == ARPHRD_ETHER_VALUE)
		pcap_frame(ifp->s, p->data, p->len);
	int err = ifp->ops->xmit(ifp, p);
	if (err > 0)
		return 0;   /* queued: counted when it leaves */
	if (err) {
		ifp->st.tx_errors++;
		/* a full switch queue is a drop, not an error of the caller's
		 * datagram: Linux also reports success for a dropped frame */
		if (err == -EAGAIN || err == -ENOBUFS)
			err = 0;
	} else {
		ifp->st.tx_packets++;
		ifp->st.tx_bytes += len;
	}
	return err;
}
