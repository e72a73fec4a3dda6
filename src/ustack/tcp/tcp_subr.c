/* SPDX-License-Identifier: LGPL-2.1-or-later
 * TCP's ground floor: the per-stack state and tables (connections by
 * 4-tuple, ports, listeners), ephemeral ports (RFC 6056, Linux's
 * 32768-60999), initial sequence numbers (RFC 6528: a clock plus a keyed
 * hash of the 4-tuple), the byte rings of the queues, and arming the
 * deadlines of a connection (their handlers are tcp_timer.c's). It calls
 * no other TCP file: a pcb's life is tcp_pcb.c's. */
#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "../net/net.h"
#include "../net/net6.h"
#include "../socket/sock.h"
#include "tcp.h"


uint64_t tcp_clock(struct ustack *s) {
	return s->timers_now ? s->timers_now : rt_now();
}

static void spare_timer(struct ustack *s, struct utimer *t);

struct tcp_stack *tcp_stack_get(struct ustack *s) {
	if (s->tcp)
		return s->tcp;
	struct tcp_stack *ts = calloc(1, sizeof(*ts));
	if (ts == NULL)
		return NULL;
	if (getrandom(ts->secret, sizeof(ts->secret), GRND_NONBLOCK) != sizeof(ts->secret))
		for (size_t i = 0; i < sizeof(ts->secret); i += 4) {
			uint32_t r = stack_random(s);
			memcpy(ts->secret + i, &r, 4);
		}
	ts->next_port = inet_port_seed(s);
	ts->max_orphans = TCP_MAX_ORPHANS;
	utimer_init(&ts->spare.t, spare_timer);
	ts->spare.s = s;
	s->tcp = ts;
	return ts;
}

/* --- byte rings --- */

uint32_t ring_space(const struct tcp_ring *r, uint32_t limit) {
	return r->len >= limit ? 0 : limit - r->len;
}

/* The timer of the spare buffers: used in the last period, they wait one
 * more; else they go. */
static void spare_timer(struct ustack *s, struct utimer *t) {
	struct tcp_spare *sp = (struct tcp_spare *) ((char *) t - offsetof(struct tcp_spare, t));
	if (sp->used) {
		sp->used = false;
		utimer_arm_in(s, t, TCP_SPARE_NS);
		return;
	}
	tcp_spare_clear(sp);
}

void tcp_spare_clear(struct tcp_spare *sp) {
	for (int i = 0; i < sp->n; i++)
		free(sp->b[i].buf);
	sp->n = 0;
}

/* A buffer no ring holds any more: kept (the smallest one goes when the
 * spares are full) or freed. */
static void spare_put(struct tcp_ring *r, uint8_t *buf, uint32_t cap) {
	struct tcp_spare *sp = r->spare;
	if (buf == NULL)
		return;
	if (sp == NULL) {
		free(buf);
		return;
	}
	int k = sp->n;
	if (k == TCP_SPARE_MAX) {
		k = 0;
		for (int i = 1; i < sp->n; i++)
			if (sp->b[i].cap < sp->b[k].cap)
				k = i;
		if (sp->b[k].cap >= cap) {
			free(buf);
			return;
		}
		free(sp->b[k].buf);
	} else
		sp->n++;
	sp->b[k] = (struct tcp_spare_buf) {buf, cap};
	sp->used = true;
	if (!utimer_pending(&sp->t))
		utimer_arm_in(sp->s, &sp->t, TCP_SPARE_NS);
}

/* The smallest spare buffer of at least cap bytes, or NULL. */
static uint8_t *spare_take(struct tcp_ring *r, uint32_t *cap) {
	struct tcp_spare *sp = r->spare;
	int k = -1;
	for (int i = 0; sp && i < sp->n; i++)
		if (sp->b[i].cap >= *cap && (k < 0 || sp->b[i].cap < sp->b[k].cap))
			k = i;
	if (k < 0)
		return NULL;
	uint8_t *b = sp->b[k].buf;
	*cap = sp->b[k].cap;
	sp->b[k] = sp->b[--sp->n];
	sp->used = true;
	return b;
}

static int ring_grow(struct tcp_ring *r, uint32_t need) {
	if (need <= r->cap)
		return 0;
	uint32_t cap = r->cap ? r->cap : 4096;
	while (cap < need)
		cap *= 2;
	uint8_t *b = spare_take(r, &cap);
	if (b == NULL)
		b = malloc(cap);
	if (b == NULL)
		return -ENOMEM;
	if (r->len)
		ring_copy_out(r, 0, b, r->len);
	spare_put(r, r->buf, r->cap);
	r->buf = b;
	r->cap = cap;
	r->head = 0;
	return 0;
}

int ring_append(struct tcp_ring *r, const uint8_t *src, uint32_t n, uint32_t limit) {
	(void) limit;
	if (n == 0)
		return 0;
	if (ring_grow(r, r->len + n) < 0)
		return -ENOMEM;
	uint32_t tail = (r->head + r->len) % r->cap;
	uint32_t first = r->cap - tail < n ? r->cap - tail : n;
	memcpy(r->buf + tail, src, first);
	if (n > first)
		memcpy(r->buf, src + first, n - first);
	r->len += n;
	return 0;
}

int ring_append_iov(struct tcp_ring *r, const struct msghdr *msg, size_t skip, uint32_t n, uint32_t limit) {
	uint32_t done = 0;
	for (size_t i = 0; i < (size_t) msg->msg_iovlen && done < n; i++) {
		size_t l = msg->msg_iov[i].iov_len;
		if (skip >= l) {
			skip -= l;
			continue;
		}
		size_t take = l - skip;
		if (take > n - done)
			take = n - done;
		int err = ring_append(r, (const uint8_t *) msg->msg_iov[i].iov_base + skip, (uint32_t) take, limit);
		if (err < 0)
			return err;
		done += (uint32_t) take;
		skip = 0;
	}
	return 0;
}

void ring_copy_out(const struct tcp_ring *r, uint32_t off, uint8_t *dst, uint32_t n) {
	uint32_t pos = (r->head + off) % r->cap;
	uint32_t first = r->cap - pos < n ? r->cap - pos : n;
	memcpy(dst, r->buf + pos, first);
	if (n > first)
		memcpy(dst + first, r->buf, n - first);
}

void ring_drop(struct tcp_ring *r, uint32_t n) {
	if (n >= r->len) {
		/* empty: give the memory back, an idle connection keeps none */
		ring_free(r);
		return;
	}
	r->head = (r->head + n) % r->cap;
	r->len -= n;
}

void ring_free(struct tcp_ring *r) {
	spare_put(r, r->buf, r->cap);
	r->buf = NULL;
	r->cap = r->head = r->len = 0;
}

/* --- tables --- */

static unsigned conn_bucket(bool v6, uint32_t r4, const uint8_t *r6, uint16_t rport, uint16_t lport) {
	uint32_t h = (uint32_t) rport * 2654435761u ^ lport;
	if (v6) {
		uint32_t w[4];
		memcpy(w, r6, 16);
		h ^= w[0] ^ w[1] ^ w[2] ^ w[3];
	} else
		h ^= r4;
	h ^= h >> 16;
	h *= 0x45d9f3bu;
	h ^= h >> 16;
	return h % TCP_CONN_HASH;
}

static unsigned port_bucket(uint16_t port) {
	return ntohs(port) % TCP_PORT_HASH;
}

static unsigned pcb_conn_bucket(const struct tcp_pcb *p) {
	return conn_bucket(p->v6, p->r4, p->r6, p->rport, p->lport);
}

/* The three tables a pcb is in: its connection's (by 4-tuple), its
 * port's bindings and its port's listeners, each a hash of chains
 * through one link of the pcb, with a flag saying it is in. */
enum { CH_CONN, CH_BIND, CH_LISTEN };
static const struct {
	size_t link, in;
} chains[] = {
	[CH_CONN] = {offsetof(struct tcp_pcb, hnext), offsetof(struct tcp_pcb, in_conn)},
	[CH_BIND] = {offsetof(struct tcp_pcb, bnext), offsetof(struct tcp_pcb, in_bind)},
	[CH_LISTEN] = {offsetof(struct tcp_pcb, lnext), offsetof(struct tcp_pcb, in_listen)},
};
#define CH_LINK(p, c) (*(struct tcp_pcb **) ((char *) (p) + chains[c].link))
#define CH_IN(p, c) (*(bool *) ((char *) (p) + chains[c].in))

static struct tcp_pcb **chain_head(struct tcp_pcb *pcb, int c) {
	struct tcp_stack *t = pcb->s->tcp;
	if (c == CH_CONN)
		return &t->conn[pcb_conn_bucket(pcb)];
	return c == CH_BIND ? &t->bind[port_bucket(pcb->lport)] : &t->listen[port_bucket(pcb->lport)];
}

static void chain_add(struct tcp_pcb *pcb, int c) {
	if (CH_IN(pcb, c))
		return;
	struct tcp_pcb **b = chain_head(pcb, c);
	CH_LINK(pcb, c) = *b;
	*b = pcb;
	CH_IN(pcb, c) = true;
}

static void chain_del(struct tcp_pcb *pcb, int c) {
	if (!CH_IN(pcb, c))
		return;
	for (struct tcp_pcb **pp = chain_head(pcb, c); *pp; pp = &CH_LINK(*pp, c))
		if (*pp == pcb) {
			*pp = CH_LINK(pcb, c);
			break;
		}
	CH_IN(pcb, c) = false;
}

void tcp_conn_hash(struct tcp_pcb *pcb) {
	chain_add(pcb, CH_CONN);
}

void tcp_bind_hash(struct tcp_pcb *pcb) {
	chain_add(pcb, CH_BIND);
}

void tcp_listen_hash(struct tcp_pcb *pcb) {
	chain_add(pcb, CH_LISTEN);
}

void tcp_conn_unhash(struct tcp_pcb *pcb) {
	chain_del(pcb, CH_CONN);
}

void tcp_unhash(struct tcp_pcb *pcb) {
	chain_del(pcb, CH_CONN);
	chain_del(pcb, CH_BIND);
	chain_del(pcb, CH_LISTEN);
}

static bool any6(const uint8_t *a) {
	return ip6_addr_is_unspecified(a);
}

/* Which families a pcb's local binding takes (RFC 3493 3.7 dual stack). */
static bool takes4(const struct tcp_pcb *p) {
	return !p->v6 || (p->domain == AF_INET6 && !p->v6only && any6(p->l6) && !p->in_conn);
}

static bool takes6(const struct tcp_pcb *p) {
	return p->v6;
}

static bool bind_overlap(const struct tcp_pcb *a, const struct tcp_pcb *b) {
	if (takes4(a) && takes4(b)) {
		uint32_t x = a->v6 ? 0 : a->l4, y = b->v6 ? 0 : b->l4;
		if (!x || !y || x == y)
			return true;
	}
	if (takes6(a) && takes6(b))
		if (any6(a->l6) || any6(b->l6) || ip6_eq(a->l6, b->l6))
			return true;
	return false;
}

/* Linux inet_csk_bind_conflict: sharing is allowed when both sockets set
 * SO_REUSEADDR and the other one is not listening (that includes
 * TIME_WAIT), or when both set SO_REUSEPORT. */
bool tcp_port_free(struct tcp_pcb *pcb, uint16_t lport) {
	for (struct tcp_pcb *o = pcb->s->tcp->bind[port_bucket(lport)]; o; o = o->bnext) {
		if (o == pcb || o->lport != lport)
			continue;
		if (o->oif && pcb->oif && o->oif != pcb->oif)
			continue;
		if (!bind_overlap(pcb, o))
			continue;
		if (pcb->reuse && o->reuse && o->state != TCPS_LISTEN)
			continue;
		if (pcb->reuseport && o->reuseport)
			continue;
		return false;
	}
	return true;
}

static bool tuple_used(struct tcp_pcb *pcb, uint16_t lport) {
	struct tcp_stack *ts = pcb->s->tcp;
	for (struct tcp_pcb *o = ts->conn[conn_bucket(pcb->v6, pcb->r4, pcb->r6, pcb->rport, lport)]; o;
			o = o->hnext)
		if (o->lport == lport && o->rport == pcb->rport && o->v6 == pcb->v6 &&
				(pcb->v6 ? ip6_eq(o->r6, pcb->r6) && ip6_eq(o->l6, pcb->l6)
					: o->r4 == pcb->r4 && o->l4 == pcb->l4))
			return true;
	return false;
}

/* A free port from the ephemeral range. For connect (Linux
 * __inet_hash_connect) a port is free when nobody bound it explicitly and
 * the 4-tuple is unused, so connections to different peers share ports. */
int tcp_autobind(struct tcp_pcb *pcb, bool connecting) {
	struct tcp_stack *ts = pcb->s->tcp;
	for (int i = 0; i < INET_PORT_COUNT; i++) {
		uint16_t p = htons(inet_port_next(&ts->next_port));
		if (!tcp_port_free(pcb, p))
			continue;
		if (connecting && tuple_used(pcb, p))
			continue;
		pcb->lport = p;
		tcp_bind_hash(pcb);
		return 0;
	}
	return connecting ? -EADDRNOTAVAIL : -EADDRINUSE;
}

static bool seg_matches(const struct tcp_pcb *p, const struct tcp_seg *g) {
	if (p->lport != g->dport || p->rport != g->sport || p->v6 != g->v6)
		return false;
	if (g->v6)
		return ip6_eq(p->r6, g->src6) && ip6_eq(p->l6, g->dst6);
	return p->r4 == g->src4 && p->l4 == g->dst4;
}

struct tcp_pcb *tcp_lookup(struct ustack *s, const struct tcp_seg *g) {
	struct tcp_stack *ts = s->tcp;
	if (ts == NULL)
		return NULL;
	for (struct tcp_pcb *p = ts->conn[conn_bucket(g->v6, g->src4, g->src6, g->sport, g->dport)]; p;
			p = p->hnext)
		if (seg_matches(p, g))
			return p;
	return NULL;
}

/* Linux compute_score: bound address and device count; an AF_INET socket
 * beats a dual-stack one for IPv4. */
struct tcp_pcb *tcp_lookup_listener(struct ustack *s, const struct tcp_seg *g) {
	struct tcp_stack *ts = s->tcp;
	if (ts == NULL)
		return NULL;
	struct tcp_pcb *best = NULL;
	int best_score = -1;
	for (struct tcp_pcb *p = ts->listen[port_bucket(g->dport)]; p; p = p->lnext) {
		if (p->lport != g->dport || p->state != TCPS_LISTEN)
			continue;
		int score = 1;
		if (g->v6) {
			if (!takes6(p))
				continue;
			if (!any6(p->l6)) {
				if (!ip6_eq(p->l6, g->dst6))
					continue;
				score += 4;
			}
		} else {
			if (!takes4(p))
				continue;
			if (!p->v6 && p->l4) {
				if (p->l4 != g->dst4)
					continue;
				score += 4;
			}
			if (p->domain == AF_INET)
				score++;
		}
		if (p->oif) {
			if (p->oif != g->ifp->index && !g->loop)
				continue;
			score += 4;
		}
		if (score > best_score) {
			best = p;
			best_score = score;
		}
	}
	return best;
}

/* --- ISN: RFC 6528, ISN = M + F(4-tuple, secret), M a 4 us clock; F is
 * SipHash-2-4 (Aumasson and Bernstein) keyed with the stack's secret. --- */

static uint64_t rotl(uint64_t x, int b) {
	return (x << b) | (x >> (64 - b));
}

static void sipround(uint64_t v[4]) {
	v[0] += v[1];
	v[1] = rotl(v[1], 13);
	v[1] ^= v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17);
	v[1] ^= v[2];
	v[2] = rotl(v[2], 32);
}

uint64_t siphash24(const uint8_t key[16], const uint8_t *m, size_t len) {
	uint64_t k0, k1;
	memcpy(&k0, key, 8);
	memcpy(&k1, key + 8, 8);
	uint64_t v[4] = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
		k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, m + i, 8);
		v[3] ^= w;
		sipround(v);
		sipround(v);
		v[0] ^= w;
	}
	uint64_t last = (uint64_t) len << 56;
	for (size_t j = 0; i + j < len; j++)
		last |= (uint64_t) m[i + j] << (8 * j);
	v[3] ^= last;
	sipround(v);
	sipround(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (int r = 0; r < 4; r++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* A keyed hash of the connection's 4-tuple, n bytes more (up to 8) and
 * a tag that keeps the hashes of different uses apart. */
static uint32_t tuple_hash(const struct tcp_pcb *pcb, const void *more, size_t n, uint8_t tag) {
	uint8_t m[45] = {0};
	if (pcb->v6) {
		memcpy(m, pcb->l6, 16);
		memcpy(m + 16, pcb->r6, 16);
	} else {
		memcpy(m, &pcb->l4, 4);
		memcpy(m + 16, &pcb->r4, 4);
	}
	memcpy(m + 32, &pcb->lport, 2);
	memcpy(m + 34, &pcb->rport, 2);
	if (n)
		memcpy(m + 36, more, n);
	m[36 + n] = tag;
	return (uint32_t) siphash24(pcb->s->tcp->secret, m, 37 + n);
}

/* RFC 6528: the hash plus a 4 us clock */
uint32_t tcp_new_isn(struct tcp_pcb *pcb) {
	if (pcb->s->tcp->fixed_isn)
		return 0x01000000u;
	return tuple_hash(pcb, NULL, 0, 'I') + (uint32_t) (rt_now() / 4000);
}

/* RFC 7323 5.4: the timestamp clock of a connection starts at a random
 * offset, a keyed hash of the 4-tuple (as the ISN, RFC 6528), so that
 * TSval reveals neither the host's uptime nor links its connections. */
uint32_t tcp_ts_offset(struct tcp_pcb *pcb) {
	if (pcb->s->tcp->fixed_isn)
		return 0;
	return tuple_hash(pcb, NULL, 0, 'T');
}

uint32_t tcp_cookie_hash(const struct tcp_pcb *pcb, uint32_t peer_isn, uint32_t count) {
	uint32_t more[2] = {peer_isn, count};
	return tuple_hash(pcb, more, sizeof(more), 'C');
}

static void chrono_set(struct tcp_pcb *pcb, int type) {
	uint64_t now = tcp_clock(pcb->s);
	if (pcb->chrono_type != TCP_CHRONO_NONE)
		pcb->chrono_ns[pcb->chrono_type - 1] += now - pcb->chrono_start;
	pcb->chrono_start = now;
	pcb->chrono_type = (uint8_t) type;
}

void tcp_chrono_start(struct tcp_pcb *pcb, int type) {
	if (type > pcb->chrono_type)
		chrono_set(pcb, type);
}

void tcp_chrono_stop(struct tcp_pcb *pcb, int type) {
	if (pcb->sndq.len == 0) {
		if (pcb->chrono_type != TCP_CHRONO_NONE)
			chrono_set(pcb, TCP_CHRONO_NONE);
	} else if (type == pcb->chrono_type) {
		chrono_set(pcb, TCP_CHRONO_BUSY);
	}
}

/* --- deadlines: the four of a connection (retransmission or persist,
 * delayed ACK, keepalive, end of TIME_WAIT/FIN_WAIT2) on one stack timer.
 * Output, input and the socket calls arm them here; their handlers are
 * tcp_timer.c's, which calls down, never the other way. --- */

uint32_t tcp_rto_delay_us(struct tcp_pcb *pcb) {
	uint64_t d = (uint64_t) pcb->rto << (pcb->backoff > 12 ? 12 : pcb->backoff);
	return d > TCP_RTO_MAX_US ? TCP_RTO_MAX_US : (uint32_t) d;
}

void tcp_arm_rtx(struct tcp_pcb *pcb) {
	uint64_t now = tcp_clock(pcb->s);
	pcb->rtx_kind = TCP_RTX_RTO;
	pcb->rtx_at = now + (uint64_t) tcp_rto_delay_us(pcb) * 1000;
	if (pcb->user_timeout && pcb->rtx_stamp) {
		/* Linux tcp_clamp_rto_to_user_timeout: the last timeout comes
		 * when TCP_USER_TIMEOUT runs out, not a backed-off RTO later */
		uint64_t end = pcb->rtx_stamp + (uint64_t) pcb->user_timeout * MS(1);
		if (end < now + MS(1))
			end = now + MS(1);
		if (pcb->rtx_at > end)
			pcb->rtx_at = end;
	}
}

/* Retry what a local drop kept back, not backed off (Linux: min(RTO,
 * TCP_RESOURCE_PROBE_INTERVAL)). */
void tcp_arm_resource_retry(struct tcp_pcb *pcb) {
	uint32_t us = pcb->rto < TCP_RESOURCE_PROBE_US ? pcb->rto : TCP_RESOURCE_PROBE_US;
	pcb->rtx_kind = TCP_RTX_RTO;
	pcb->rtx_at = tcp_clock(pcb->s) + (uint64_t) us * 1000;
}

void tcp_timer_update(struct tcp_pcb *pcb) {
	uint64_t next = 0;
	uint64_t d[4] = {pcb->rtx_at, pcb->dack_at, pcb->ka_at, pcb->end_at};
	for (int i = 0; i < 4; i++)
		if (d[i] && (next == 0 || d[i] < next))
			next = d[i];
	if (next == 0) {
		utimer_cancel(pcb->s, &pcb->t);
		return;
	}
	if (!utimer_pending(&pcb->t) || pcb->t.when != next)
		utimer_arm(pcb->s, &pcb->t, next);
}
