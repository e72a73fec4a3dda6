/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The VDE link's transmit side on a VNL whose queue fills: ptp://, where
 * libvdeplug's socket is a blocking AF_UNIX datagram socket and the peer's
 * receive queue holds a few frames (net.unix.max_dgram_qlen). A send must
 * never block (it happens under the stack lock, and the reader that would
 * make room may wait for that lock: the ptp:// deadlock of two stacks in
 * one process, docs/ustack.md): what the link has no room for waits in the
 * interface's transmit queue and leaves, in order, when the peer reads;
 * a full queue drops (tx_errors). The peer here is a plain libvdeplug
 * connection that reads only when the test says so. On the old code the
 * first send past the peer's queue blocked: the alarm fails the test. */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvdeplug.h>

#include "core/runtime.h"
#include "ut_stack.h"

static void on_alarm(int sig) {
	(void) sig;
	static const char msg[] = "FAIL: a send blocked (the link's send must never wait)\n";
	ssize_t r = write(2, msg, sizeof(msg) - 1);
	(void) r;
	_exit(1);
}

struct fixture {
	struct ustack *s;
	struct netif *ifp;
	VDECONN *peer;
	char dir[64], vnl[96];
};

static const uint8_t PEER_MAC[6] = {0x02, 0, 0, 0, 0, 0x09};

/* One frame numbered n (in its payload), to the peer. */
static int send_frame(struct fixture *f, uint32_t n) {
	struct pbuf *p = pbuf_alloc(&f->s->pc, 200, 64);
	assert_non_null(p);
	memset(p->data, 0, 200);
	memcpy(p->data, PEER_MAC, 6);
	memcpy(p->data + 6, f->ifp->mac, 6);
	p->data[12] = 0x88;   /* IEEE local experimental ethertype */
	p->data[13] = 0xb5;
	memcpy(p->data + 14, &n, sizeof(n));
	stack_lock(f->s);
	int err = link_xmit(f->ifp, p);
	stack_unlock(f->s);
	return err;
}

/* The next frame the peer has, within ms; its number, or -1. */
static int64_t peer_read(struct fixture *f, int ms) {
	struct pollfd pfd = {.fd = vde_datafd(f->peer), .events = POLLIN};
	if (poll(&pfd, 1, ms) != 1)
		return -1;
	uint8_t buf[2048];
	ssize_t n = vde_recv(f->peer, buf, sizeof(buf), 0);
	if (n < 18)
		return -1;
	uint32_t v;
	memcpy(&v, buf + 14, sizeof(v));
	return v;
}

static int setup(void **state) {
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/ioth-ut-vde-%d", (int) getpid());
	if (mkdir(f->dir, 0700) < 0)
		return -1;
	snprintf(f->vnl, sizeof(f->vnl), "ptp://%s/ptp", f->dir);
	/* the peer first: it makes the socket, the interface connects to it */
	f->peer = vde_open(f->vnl, "ut-peer", NULL);
	if (f->peer == NULL)
		return -1;
	if (rt_get() < 0)
		return -1;
	f->s = ut_stack();
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x08};
	f->ifp = vde_netif_open(f->s, f->vnl, mac, 1500);
	if (f->ifp == NULL)
		return -1;
	f->ifp->flags |= IFF_UP;
	*state = f;
	return 0;
}

static int teardown(void **state) {
	struct fixture *f = *state;
	link_stop(f->ifp);
	netif_free(f->ifp);
	ut_stack_free(f->s);
	rt_put();
	vde_close(f->peer);
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* 200 frames while the peer reads none: no send blocks, the link takes a
 * few, the rest wait; the peer then gets all 200, in order, once the
 * interface is in the runtime (the event thread sends on EPOLLOUT). */
static void test_full_link_queues_in_order(void **state) {
	struct fixture *f = *state;
	alarm(10);
	for (uint32_t i = 0; i < 200; i++)
		assert_int_equal(send_frame(f, i), 0);
	alarm(0);
	stack_lock(f->s);
	uint64_t sent = f->ifp->st.tx_packets;
	uint32_t queued = f->ifp->txq_frames;
	stack_unlock(f->s);
	assert_true(sent < 200);          /* the peer's queue is small */
	assert_int_equal(sent + queued, 200);
	assert_int_equal(f->ifp->st.tx_errors, 0);
	assert_int_equal(link_start(f->ifp), 0);
	for (int64_t i = 0; i < 200; i++)
		assert_int_equal(peer_read(f, 5000), i);
	stack_lock(f->s);
	assert_int_equal(f->ifp->st.tx_packets, 200);
	assert_int_equal(f->ifp->txq_frames, 0);
	assert_null(f->ifp->txq);
	stack_unlock(f->s);
}

/* Past the queue's bound (1000 frames) a frame is dropped and counted
 * (tx_errors: TCP's "local drop"), still without blocking. */
static void test_full_queue_drops(void **state) {
	struct fixture *f = *state;
	alarm(10);
	for (uint32_t i = 0; i < 1100; i++)
		assert_int_equal(send_frame(f, i), 0);
	alarm(0);
	stack_lock(f->s);
	uint64_t sent = f->ifp->st.tx_packets, drops = f->ifp->st.tx_errors;
	uint32_t queued = f->ifp->txq_frames;
	stack_unlock(f->s);
	assert_int_equal(queued, 1000);
	assert_true(drops > 0);
	assert_int_equal(sent + queued + drops, 1100);
	/* what was sent or queued arrives in order, the dropped tail does not */
	assert_int_equal(link_start(f->ifp), 0);
	for (int64_t i = 0; i < (int64_t) (sent + queued); i++)
		assert_int_equal(peer_read(f, 5000), i);
	assert_int_equal(peer_read(f, 200), -1);
}

/* The receive side on ptp://, where a batch is one recvmmsg into slots
 * of MTU+64 bytes: a burst of frames of every length up to the largest
 * the MTU allows (MTU + 14) is received whole; so is a frame longer than
 * its slot (3000 bytes at MTU 1500: a peer with a larger MTU, or
 * packetdrill's injected segments, as a Linux tap takes them), the last
 * of its batch whole at once and the next ones read one per call; one
 * longer than the receive buffer (70000 bytes) is dropped and counted as
 * a length error, and the frames after it still arrive. */
static bool wait_counted(struct fixture *f, uint64_t want, uint64_t want_len_err) {
	uint64_t got = 0, len_err = 0, dropped = 0, errs = 0;
	for (int t = 0; t < 500; t++) {
		stack_lock(f->s);
		got = f->ifp->st.rx_packets;
		len_err = f->ifp->st.rx_length_errors;
		dropped = f->ifp->st.rx_dropped;
		errs = f->ifp->st.rx_errors;
		stack_unlock(f->s);
		if (got == want && len_err == want_len_err)
			return true;
		usleep(10000);
	}
	print_message("rx_packets %llu (want %llu), rx_length_errors %llu (want %llu), "
			"rx_dropped %llu, rx_errors %llu\n",
			(unsigned long long) got, (unsigned long long) want,
			(unsigned long long) len_err, (unsigned long long) want_len_err,
			(unsigned long long) dropped, (unsigned long long) errs);
	return false;
}

static void test_burst_received_long_frames(void **state) {
	struct fixture *f = *state;
	assert_int_equal(link_start(f->ifp), 0);
	static uint8_t frame[70000];
	memcpy(frame, f->ifp->mac, 6);
	memcpy(frame + 6, PEER_MAC, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	const size_t lens[] = {60, 1514, 100, 1000, 3000, 1514, 64, 70000, 1514};
	const int nlens = (int) (sizeof(lens) / sizeof(lens[0]));
	uint64_t want = 0, want_bytes = 0, want_len_err = 0;
	for (int round = 0; round < 10; round++) {
		for (int i = 0; i < nlens; i++) {
			assert_int_equal(vde_send(f->peer, frame, lens[i], 0), (ssize_t) lens[i]);
			if (lens[i] <= 65536) {
				want++;
				want_bytes += lens[i];
			} else {
				want_len_err++;
			}
		}
		/* the first round alone: its one long frame is the last of any
		 * batch the event thread reads it in */
		if (round == 0)
			assert_true(wait_counted(f, want, want_len_err));
	}
	assert_true(wait_counted(f, want, want_len_err));
	stack_lock(f->s);
	uint64_t bytes = f->ifp->st.rx_bytes, dropped = f->ifp->st.rx_dropped;
	stack_unlock(f->s);
	assert_int_equal(bytes, want_bytes);
	assert_int_equal(dropped, 0);
}

int main(void) {
	signal(SIGALRM, on_alarm);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_link_queues_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_queue_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_burst_received_long_frames, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
