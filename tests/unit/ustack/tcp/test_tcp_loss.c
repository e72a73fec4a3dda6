/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Loss recovery between two ustack stacks on the test clock: two stacks,
 * each with a capture link, joined by a simulated wire (a fixed one-way
 * delay, a serialization rate, a FIFO per direction) that drops TCP
 * frames with a seeded pseudo-random probability. Both sides send
 * 1.5 MB to each other at once (CUBIC, SACK, timestamps: the defaults)
 * and read everything. What is checked: the transfer completes, byte
 * for byte, within a bounded simulated time, and the retransmissions
 * (tcpi_total_retrans, both connections) stay near the data segments
 * the wire really dropped, as Linux's would: a sender that resends data
 * never lost (a whole window after a timeout, a storm of probes, a
 * resend of what was SACKed) fails it. Also with the loss on ACKs only
 * (the data way clean): then next to nothing needs resending.
 * And a path MTU black hole: a wire that silently drops every frame
 * whose IP packet is above 1280 bytes, the interfaces' MTU 1500. Without
 * tcp_mtu_probing (0, Linux's default) nothing but the handshake gets
 * through, as with Linux; with 1, the timeouts make each side suspect a
 * black hole, its MSS falls to tcp_base_mss (1024) and probes find the
 * path's size (the MSS ends within tcp_probe_threshold of it, TCP_INFO's
 * tcpi_snd_mss following, tcpi_pmtu staying the route's, as Linux's);
 * with 2, the same from the start, without a timeout. A 1000-byte hole,
 * below tcp_base_mss: a later timeout halves the MSS (512), then the
 * probes climb. And tcp_base_mss=536: the search starts there. And
 * tcp_probe_interval: 600 s after it began, a search that ended starts
 * again (the writers pause half-way for 601 s). */
#include <linux/if_ether.h>
#include <linux/tcp.h>
#include <fcntl.h>
#include <stdio.h>

#include "ut_stack.h"
#include "tcp/tcp.h"
#include "wire/tcp.h"

#define NSIDES 2
#define XFER (1536u * 1024u)
#define DELAY_NS MS(10)          /* one way */
#define NS_PER_BYTE 80u          /* 100 Mbit/s */
static uint64_t delay_ns = DELAY_NS, ns_per_byte = NS_PER_BYTE;
/* frames whose IP packet is larger are dropped (0: none); the stacks'
 * tcp_mtu_probing */
static unsigned blackhole_mtu;
static uint8_t mtu_probing;
#define QMAX 4096                /* frames in flight per direction */
#define SIM_LIMIT (MS(1000) * 120)

struct frame {
	uint64_t at;
	size_t len;
	uint8_t *data;
};

struct dir {
	struct frame q[QMAX];
	int head, n;
	uint64_t free_at;           /* when the wire is free for the next frame */
	unsigned data_sent, data_dropped, acks_dropped, big_dropped;
	uint32_t high;              /* (trace) the highest sequence sent */
	bool have_high;
};

/* the frames a side sent since the last drain (the capture link's
 * interface with an unbounded list of its own) */
struct sent {
	uint8_t **frame;
	size_t *len;
	int n, cap;
};

struct side {
	struct ustack *s;
	struct sent cap;
	int fd, lfd;
	size_t sent, rcvd;
	uint8_t mac[6];
};

struct sim {
	struct side side[NSIDES];
	struct dir dir[NSIDES];     /* dir[i]: from side i to the other */
	uint64_t now;
	uint64_t rng;
	unsigned loss_ppm[NSIDES];  /* data segments */
	unsigned ack_loss_ppm[NSIDES];
	bool trace;
};

static uint32_t rnd(struct sim *m) {
	/* xorshift64* */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return (uint32_t) ((m->rng * 2685821657736338717ull) >> 32);
}

static uint8_t pattern(size_t off, int from) {
	return (uint8_t) (off * 7 + off / 251 + (size_t) from * 13);
}

/* the TCP payload length of an IPv4 frame, -1 if it is no TCP */
static int tcp_payload(const uint8_t *f, size_t len, uint8_t *flags) {
	if (len < 54 || (f[12] << 8 | f[13]) != ETH_P_IP || f[23] != 6)
		return -1;
	size_t ihl = (size_t) (f[14] & 15) * 4;
	size_t tot = (size_t) (f[16] << 8 | f[17]);
	const uint8_t *t = f + 14 + ihl;
	size_t doff = (size_t) (t[12] >> 4) * 4;
	*flags = t[13];
	return (int) (tot - ihl - doff);
}

static int sim_xmit(struct netif *ifp, struct pbuf *p) {
	struct sent *c = ifp->link;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->frame = realloc(c->frame, sizeof(*c->frame) * (size_t) c->cap);
		c->len = realloc(c->len, sizeof(*c->len) * (size_t) c->cap);
		assert_true(c->frame && c->len);
	}
	c->frame[c->n] = malloc(p->len);
	assert_non_null(c->frame[c->n]);
	memcpy(c->frame[c->n], p->data, p->len);
	c->len[c->n++] = p->len;
	pbuf_free(&ifp->s->pc, p);
	return 0;
}

static const struct link_ops sim_ops = {.kind = "test", .xmit = sim_xmit};

static void sent_clear(struct sent *c, bool all) {
	for (int i = 0; i < c->n; i++)
		free(c->frame[i]);
	c->n = 0;
	if (all) {
		free(c->frame);
		free(c->len);
		c->frame = NULL;
		c->len = NULL;
		c->cap = 0;
	}
}

static void with_clock(struct sim *m, struct ustack *s) {
	s->timers_now = m->now;
}

/* the stack's one connection */
static struct tcp_pcb *one_pcb(struct ustack *s) {
	for (int i = 0; i < TCP_CONN_HASH; i++)
		for (struct tcp_pcb *p = s->tcp->conn[i]; p; p = p->hnext)
			if (p->state != TCPS_LISTEN)
				return p;
	return NULL;
}

/* the stacks' tcp_base_mss (0: Linux's 1024) */
static uint32_t base_mss;
/* with pause_ns, the writers write half of XFER, and once both halves
 * arrived, wait pause_ns (simulated) before the rest; pause_until: when
 * they go on (0: not yet set) */
static uint64_t pause_ns, pause_until;

/* the frames a side sent go on the wire (or are dropped) */
static void drain(struct sim *m, int i) {
	struct side *sd = &m->side[i];
	struct dir *d = &m->dir[i];
	if (m->trace && sd->cap.n >= 20) {
		struct tcp_pcb *pcb = one_pcb(sd->s);
		fprintf(stderr, "%.6f %d burst of %d frames: cwnd %u ssthresh %u una %u nxt %u max %u wnd %u%s%s\n",
			(double) (m->now % MS(100000000)) / 1e9, i, sd->cap.n, pcb->cwnd, pcb->ssthresh,
			pcb->snd_una, pcb->snd_nxt, pcb->snd_max, pcb->snd_wnd,
			pcb->in_loss ? " loss" : "", pcb->in_recovery ? " rec" : "");
	}
	for (int k = 0; k < sd->cap.n; k++) {
		uint8_t fl = 0;
		int pl = tcp_payload(sd->cap.frame[k], sd->cap.len[k], &fl);
		if (pl > 0 || (fl & (TCP_SYN | TCP_FIN)))
			d->data_sent++;
		if (m->trace && pl > 0) {
			uint32_t sq = ntohl(*(uint32_t *) (sd->cap.frame[k] + 38));
			if (d->have_high && seq_lt(sq, d->high)) {
				struct tcp_pcb *pcb = sd->fd >= 0 ? one_pcb(sd->s) : NULL;
				fprintf(stderr, "%.6f %d resend %u len %d (rtos %llu tlp %llu%s%s cwnd %u)\n",
					(double) (m->now % MS(100000000)) / 1e9, i, sq, pl,
					(unsigned long long) sd->s->tcp->mib.RTOs,
					(unsigned long long) sd->s->tcp->mib.TLPProbes,
					pcb && pcb->in_loss ? " loss" : "", pcb && pcb->in_recovery ? " rec" : "",
					pcb ? pcb->cwnd / 1448 : 0);
			}
			if (!d->have_high || seq_gt(sq + (uint32_t) pl, d->high))
				d->high = sq + (uint32_t) pl;
			d->have_high = true;
		}
		if (blackhole_mtu && sd->cap.len[k] - 14 > blackhole_mtu) {
			d->big_dropped++;
			continue;
		}
		if (pl > 0 && rnd(m) % 1000000u < m->loss_ppm[i]) {
			d->data_dropped++;
			if (m->trace)
				fprintf(stderr, "%llu drop %d data seq %u\n", (unsigned long long) m->now, i,
					(unsigned) ntohl(*(uint32_t *) (sd->cap.frame[k] + 38)));
			continue;
		}
		if (pl == 0 && !(fl & (TCP_SYN | TCP_FIN)) && rnd(m) % 1000000u < m->ack_loss_ppm[i]) {
			d->acks_dropped++;
			continue;
		}
		assert_true(d->n < QMAX);
		uint64_t start = d->free_at > m->now ? d->free_at : m->now;
		d->free_at = start + (uint64_t) sd->cap.len[k] * ns_per_byte;
		struct frame *f = &d->q[(d->head + d->n++) % QMAX];
		f->at = d->free_at + delay_ns;
		f->len = sd->cap.len[k];
		f->data = sd->cap.frame[k];
		sd->cap.frame[k] = NULL;
	}
	sent_clear(&sd->cap, false);
}

static void app(struct sim *m) {
	static uint8_t buf[65536];
	for (int i = 0; i < NSIDES; i++) {
		struct side *sd = &m->side[i];
		with_clock(m, sd->s);
		if (sd->fd < 0 && sd->lfd >= 0) {
			sd->fd = api_accept(sd->s, sd->lfd, NULL, NULL);
			if (sd->fd >= 0)
				api_fcntl(sd->s, sd->fd, F_SETFL, O_NONBLOCK);
		}
		if (sd->fd < 0) {
			sd->s->timers_now = 0;
			continue;
		}
		bool hold = pause_ns && (pause_until == 0 || m->now < pause_until);
		while (sd->sent < XFER && !(hold && sd->sent >= XFER / 2)) {
			size_t n = XFER - sd->sent < sizeof(buf) ? XFER - sd->sent : sizeof(buf);
			for (size_t k = 0; k < n; k++)
				buf[k] = pattern(sd->sent + k, i);
			ssize_t w = api_sendto(sd->s, sd->fd, buf, n, MSG_DONTWAIT, NULL, 0);
			if (w <= 0)
				break;
			sd->sent += (size_t) w;
		}
		for (;;) {
			ssize_t r = ut_recv(sd->s, sd->fd, buf, sizeof(buf));
			if (r <= 0)
				break;
			for (ssize_t k = 0; k < r; k++)
				assert_int_equal(buf[k], pattern(sd->rcvd + (size_t) k, 1 - i));
			sd->rcvd += (size_t) r;
		}
		sd->s->timers_now = 0;
	}
	if (pause_ns && pause_until == 0 && m->side[0].rcvd >= XFER / 2 && m->side[1].rcvd >= XFER / 2)
		pause_until = m->now + pause_ns;
}

static uint64_t next_timer(struct ustack *s) {
	return s->ntimers ? s->theap[0]->when : UINT64_MAX;
}

/* one event: the earliest frame arrival or timer */
static bool step(struct sim *m) {
	uint64_t best = UINT64_MAX;
	int what = -1;
	for (int i = 0; i < NSIDES; i++) {
		struct dir *d = &m->dir[i];
		if (d->n && d->q[d->head].at < best) {
			best = d->q[d->head].at;
			what = i;
		}
	}
	for (int i = 0; i < NSIDES; i++) {
		uint64_t t = next_timer(m->side[i].s);
		if (t < best) {
			best = t;
			what = NSIDES + i;
		}
	}
	if (what < 0)
		return false;
	if (best > m->now)
		m->now = best;
	if (what < NSIDES) {
		struct dir *d = &m->dir[what];
		struct frame f = d->q[d->head];
		d->head = (d->head + 1) % QMAX;
		d->n--;
		struct ustack *to = m->side[1 - what].s;
		stack_lock(to);
		to->timers_now = m->now;
		capture_input(netif_by_index(to, 2), f.data, f.len);
		to->timers_now = 0;
		stack_unlock(to);
		free(f.data);
	} else {
		struct ustack *s = m->side[what - NSIDES].s;
		stack_lock(s);
		stack_run_timers(s, m->now);
		stack_unlock(s);
	}
	return true;
}

static void side_init(struct sim *m, int i) {
	struct side *sd = &m->side[i];
	sd->s = ustack_create();
	assert_non_null(sd->s);
	uint8_t mac[6] = {0x02, 0, 0, 0, 0, (uint8_t) (0x11 + i)};
	memcpy(sd->mac, mac, 6);
	struct netif *e = capture_netif_new(sd->s, NULL, "eth0", mac, 1500);
	e->ops = &sim_ops;
	e->link = &sd->cap;
	e->index = 2;
	ustack_attach(sd->s, e);
	stack_lock(sd->s);
	netif_set_up(e, true);
	ip4_addr_add(e, inet_addr(i ? "198.18.0.2" : "198.18.0.1"), 24, 0, false);
	stack_unlock(sd->s);
	sent_clear(&sd->cap, false);
	sd->fd = sd->lfd = -1;
	sd->s->tcp_mtu_probing = mtu_probing;
	sd->s->tcp_base_mss = base_mss;
}

struct result {
	unsigned retrans[NSIDES];
	unsigned dropped[NSIDES];
	unsigned acks_dropped[NSIDES];
	unsigned rtos[NSIDES];
	/* TCP_INFO's tcpi_snd_mss: the smallest seen, and at the end;
	 * tcpi_pmtu at the end; the probes that passed and failed */
	unsigned mss_min[NSIDES], mss_end[NSIDES], pmtu_end[NSIDES];
	unsigned big_dropped[NSIDES];
	uint64_t probe_ok[NSIDES], probe_fail[NSIDES];
	uint64_t fail_at_pause[NSIDES];   /* probe_fail when the pause began */
	uint64_t took;
	bool done;
};

static struct result simulate(uint64_t seed, unsigned loss_ppm, unsigned ack_loss_ppm, const char *cc) {
	struct sim *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	m->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	m->trace = getenv("LOSS_TRACE") != NULL;
	if (getenv("LOSS_DELAY_US"))
		delay_ns = strtoull(getenv("LOSS_DELAY_US"), NULL, 0) * 1000;
	if (getenv("LOSS_NS_PER_BYTE"))
		ns_per_byte = strtoull(getenv("LOSS_NS_PER_BYTE"), NULL, 0);
	/* far ahead of the monotonic clock: the stacks' real timers never
	 * fire during the run, only the simulation's */
	m->now = rt_now() + MS(1000) * 100000;
	uint64_t start = m->now;
	for (int i = 0; i < NSIDES; i++) {
		side_init(m, i);
		m->loss_ppm[i] = loss_ppm;
		m->ack_loss_ppm[i] = ack_loss_ppm;
	}
	struct side *a = &m->side[0], *b = &m->side[1];
	b->lfd = api_socket(b->s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(9000)};
	assert_int_equal(api_bind(b->s, b->lfd, (struct sockaddr *) &sa, sizeof(sa)), 0);
	assert_int_equal(api_listen(b->s, b->lfd, 4), 0);
	a->fd = api_socket(a->s, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (cc) {
		assert_int_equal(api_setsockopt(a->s, a->fd, IPPROTO_TCP, TCP_CONGESTION, cc, (socklen_t) strlen(cc)), 0);
		assert_int_equal(api_setsockopt(b->s, b->lfd, IPPROTO_TCP, TCP_CONGESTION, cc, (socklen_t) strlen(cc)), 0);
	}
	sa.sin_addr.s_addr = inet_addr("198.18.0.2");
	with_clock(m, a->s);
	api_connect(a->s, a->fd, (struct sockaddr *) &sa, sizeof(sa));
	a->s->timers_now = 0;
	for (int i = 0; i < NSIDES; i++)
		drain(m, i);
	struct result res = {0};
	pause_until = 0;
	bool paused = false;
	while (m->now - start < SIM_LIMIT + pause_ns) {
		if (pause_until && !paused) {
			paused = true;
			for (int i = 0; i < NSIDES; i++)
				res.fail_at_pause[i] = m->side[i].s->tcp->mib.MTUPFail;
		}
		if (!step(m)) {
			if (pause_until <= m->now)
				break;
			m->now = pause_until;   /* nothing happens until the writers go on */
			app(m);
			for (int i = 0; i < NSIDES; i++)
				drain(m, i);
			continue;
		}
		app(m);
		for (int i = 0; i < NSIDES; i++)
			drain(m, i);
		for (int i = 0; blackhole_mtu && i < NSIDES; i++) {
			struct tcp_info ti;
			socklen_t l = sizeof(ti);
			if (m->side[i].fd < 0 ||
					api_getsockopt(m->side[i].s, m->side[i].fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0 ||
					ti.tcpi_state != TCPS_ESTABLISHED)
				continue;
			if (res.mss_min[i] == 0 || ti.tcpi_snd_mss < res.mss_min[i])
				res.mss_min[i] = ti.tcpi_snd_mss;
		}
		if (a->rcvd == XFER && b->rcvd == XFER) {
			res.done = true;
			break;
		}
	}
	res.took = m->now - start;
	for (int i = 0; i < NSIDES; i++) {
		struct side *sd = &m->side[i];
		if (sd->fd >= 0) {
			struct tcp_info ti;
			socklen_t l = sizeof(ti);
			assert_int_equal(api_getsockopt(sd->s, sd->fd, IPPROTO_TCP, TCP_INFO, &ti, &l), 0);
			res.retrans[i] = ti.tcpi_total_retrans;
			res.mss_end[i] = ti.tcpi_snd_mss;
			res.pmtu_end[i] = ti.tcpi_pmtu;
		}
		res.rtos[i] = (unsigned) sd->s->tcp->mib.RTOs;
		res.dropped[i] = m->dir[i].data_dropped;
		res.acks_dropped[i] = m->dir[i].acks_dropped;
		res.big_dropped[i] = m->dir[i].big_dropped;
		res.probe_ok[i] = sd->s->tcp->mib.MTUPSuccess;
		res.probe_fail[i] = sd->s->tcp->mib.MTUPFail;
		if (getenv("LOSS_VERBOSE"))
			fprintf(stderr, "seed %llu side %d: %u data segments sent, %u dropped, %u ACKs dropped, "
				"%u retransmitted, %u RTOs, done %d in %.2f s\n", (unsigned long long) seed, i,
				m->dir[i].data_sent, res.dropped[i], res.acks_dropped[i], res.retrans[i], res.rtos[i],
				res.done, (double) res.took / 1e9);
	}
	for (int i = 0; i < NSIDES; i++) {
		struct dir *d = &m->dir[i];
		for (; d->n; d->n--, d->head = (d->head + 1) % QMAX)
			free(d->q[d->head].data);
		if (m->side[i].fd >= 0)
			api_close(m->side[i].s, m->side[i].fd);
		if (m->side[i].lfd >= 0)
			api_close(m->side[i].s, m->side[i].lfd);
		ustack_destroy(m->side[i].s);
		sent_clear(&m->side[i].cap, true);
	}
	free(m);
	return res;
}

static unsigned seeds(void) {
	const char *e = getenv("LOSS_SEEDS");
	return e ? (unsigned) atoi(e) : 12;
}

/* (for exploring: other loss rates from the environment) */
static unsigned env_ppm(const char *name, unsigned dflt) {
	const char *e = getenv(name);
	return e ? (unsigned) atoi(e) : dflt;
}

/* 5% of the data segments lost each way */
static void run_lossy(const char *cc) {
	unsigned n = seeds();
	uint64_t first = getenv("LOSS_SEED0") ? strtoull(getenv("LOSS_SEED0"), NULL, 0) : 1;
	for (uint64_t seed = first; seed < first + n; seed++) {
		struct result r = simulate(seed, env_ppm("LOSS_PPM", 50000), env_ppm("LOSS_ACK_PPM", 0), cc);
		assert_true(r.done);
		assert_true(r.took < MS(1000) * 60);
		for (int i = 0; i < NSIDES; i++) {
			/* side i's retransmissions repair what dir i dropped */
			if (r.retrans[i] > r.dropped[i] * 3 / 2 + 8) {
				fprintf(stderr, "seed %llu side %d: %u retransmissions for %u segments dropped\n",
					(unsigned long long) seed, i, r.retrans[i], r.dropped[i]);
				fail();
			}
		}
	}
}

static void test_loss_cubic(void **state) {
	(void) state;
	run_lossy(NULL);
}

static void test_loss_reno(void **state) {
	(void) state;
	run_lossy("reno");
}

/* 5% of the pure ACKs lost each way, no data: cumulative ACKs cover it */
static void test_ack_loss(void **state) {
	(void) state;
	unsigned n = seeds();
	for (uint64_t seed = 1; seed <= n; seed++) {
		struct result r = simulate(seed, 0, 50000, NULL);
		assert_true(r.done);
		assert_true(r.took < MS(1000) * 60);
		for (int i = 0; i < NSIDES; i++)
			if (r.retrans[i] > 8) {
				fprintf(stderr, "seed %llu side %d: %u retransmissions, nothing dropped (%u ACKs)\n",
					(unsigned long long) seed, i, r.retrans[i], r.acks_dropped[1 - i]);
				fail();
			}
	}
}

/* a hop that drops IP packets above 1280 bytes without a word (no ICMP) */
static unsigned hole = 1280;
/* the MSS's headers: IPv4, TCP, timestamps */
#define HDRS (20u + 20u + 12u)

static struct result blackhole(uint8_t probing, uint64_t seed, unsigned loss_ppm) {
	blackhole_mtu = hole;
	mtu_probing = probing;
	struct result r = simulate(seed, loss_ppm, 0, NULL);
	blackhole_mtu = 0;
	mtu_probing = 0;
	if (getenv("LOSS_VERBOSE"))
		for (int i = 0; i < NSIDES; i++)
			fprintf(stderr, "probing %u side %d: mss min %u end %u pmtu %u, %u frames too big, probes %llu ok %llu "
				"failed, %u RTOs, done %d in %.2f s\n", probing, i, r.mss_min[i], r.mss_end[i], r.pmtu_end[i],
				r.big_dropped[i], (unsigned long long) r.probe_ok[i], (unsigned long long) r.probe_fail[i],
				r.rtos[i], r.done, (double) r.took / 1e9);
	return r;
}

/* tcp_mtu_probing=0: stuck, as Linux's (its retries run out after
 * some 15 minutes; two minutes are watched) */
static void test_blackhole_off(void **state) {
	(void) state;
	struct result r = blackhole(0, 1, 0);
	assert_false(r.done);
	for (int i = 0; i < NSIDES; i++) {
		assert_true(r.rtos[i] >= 4);
		assert_true(r.big_dropped[i] > 0);
		assert_int_equal(r.mss_min[i], 1500 - HDRS);
		assert_int_equal(r.probe_ok[i] + r.probe_fail[i], 0);
	}
}

/* the MSS a finished search ends at: within tcp_probe_threshold below
 * the hole, never above it */
static void check_found(const struct result *r, int i) {
	assert_true(r->mss_end[i] + HDRS <= hole);
	assert_true(r->mss_end[i] + HDRS + TCP_PROBE_THRESHOLD > hole);
	assert_int_equal(r->pmtu_end[i], 1500);   /* Linux: probing leaves the pmtu cookie */
	assert_true(r->probe_ok[i] >= 1);
	assert_true(r->probe_fail[i] >= 1);
}

/* tcp_mtu_probing=1: the timeouts (tcp_retries1's 3 s) lower the MSS to
 * tcp_base_mss, then the probes raise it; also with 1% of the data
 * segments lost besides (probes lost to it, or resent for it) */
static void test_blackhole_probe_on_timeout(void **state) {
	(void) state;
	for (uint64_t seed = 1; seed <= 4; seed++) {
		struct result r = blackhole(1, seed, seed == 1 ? 0 : 10000);
		assert_true(r.done);
		assert_true(r.took < MS(1000) * 60);
		for (int i = 0; i < NSIDES; i++) {
			assert_true(r.rtos[i] >= 4);
			assert_int_equal(r.mss_min[i], TCP_BASE_MSS);
			check_found(&r, i);
		}
	}
}

/* tcp_mtu_probing=2: from tcp_base_mss at once, no timeout needed */
static void test_blackhole_probe_always(void **state) {
	(void) state;
	struct result r = blackhole(2, 1, 0);
	assert_true(r.done);
	assert_true(r.took < MS(1000) * 30);
	for (int i = 0; i < NSIDES; i++) {
		assert_int_equal(r.rtos[i], 0);
		assert_int_equal(r.mss_min[i], TCP_BASE_MSS);
		check_found(&r, i);
	}
}

/* a hole narrower than tcp_base_mss: the timeouts that follow the first
 * halve the search's low end (Linux: min(tcp_base_mss, low / 2), 512
 * here), then the probes climb to the hole (948 + 52) */
static void test_blackhole_below_base(void **state) {
	(void) state;
	hole = 1000;
	struct result r = blackhole(1, 1, 0);
	hole = 1280;
	assert_true(r.done);
	for (int i = 0; i < NSIDES; i++) {
		assert_int_equal(r.mss_min[i], TCP_BASE_MSS / 2);
		hole = 1000;
		check_found(&r, i);
		hole = 1280;
	}
}

/* tcp_base_mss=536: the search starts lower */
static void test_blackhole_base_mss(void **state) {
	(void) state;
	base_mss = 536;
	struct result r = blackhole(2, 1, 0);
	base_mss = 0;
	assert_true(r.done);
	for (int i = 0; i < NSIDES; i++) {
		assert_int_equal(r.mss_min[i], 536);
		check_found(&r, i);
	}
}

/* tcp_probe_interval: a search that ended starts again 600 s later (Linux
 * tcp_mtu_check_reprobe), from the present size up to the peer's MSS:
 * the writers pause for 601 s half-way, then the new probes above the
 * hole all fail and the MSS stays where it was */
static void test_blackhole_reprobe(void **state) {
	(void) state;
	pause_ns = MS(1000) * 601;
	struct result r = blackhole(2, 1, 0);
	pause_ns = 0;
	assert_true(r.done);
	for (int i = 0; i < NSIDES; i++) {
		assert_true(r.fail_at_pause[i] >= 1);
		/* from [1280, 1500]: 1390, 1334, 1306, 1292, 1285, all lost,
		 * then the range is narrower than 8 bytes */
		assert_int_equal(r.probe_fail[i] - r.fail_at_pause[i], 5);
		check_found(&r, i);
	}
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ack_loss),
		cmocka_unit_test(test_loss_cubic),
		cmocka_unit_test(test_loss_reno),
		cmocka_unit_test(test_blackhole_off),
		cmocka_unit_test(test_blackhole_probe_on_timeout),
		cmocka_unit_test(test_blackhole_probe_always),
		cmocka_unit_test(test_blackhole_below_base),
		cmocka_unit_test(test_blackhole_base_mss),
		cmocka_unit_test(test_blackhole_reprobe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
