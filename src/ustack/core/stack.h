/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A ustack instance. Every piece of state of a stack lives here or in the
 * objects it owns (interfaces, routes, neighbours, sockets): nothing is
 * global but the runtime (VIMAGE's lesson). One mutex per stack guards all
 * of it; it is held by the event thread while a frame or a timer of this
 * stack is processed and by the caller's thread during a socket call.
 *
 * Internal convention: functions return 0 / a count, or -errno. */
#ifndef USTACK_CORE_STACK_H
#define USTACK_CORE_STACK_H
#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pbuf.h"
#include "runtime.h"

struct ustack;
struct netif;
struct usock;
struct ifaddr4;
struct rtnode;
struct neigh;
struct mcgroup4;
struct reasm;
struct ifaddr6;
struct tcp_cc_ops;
struct mcgroup6;
struct tcp_stack;
struct udp_stack;
struct raw_stack;
struct packet_stack;
struct net_mib;
struct pmtu_entry;
struct icmp_peer;
struct net_protos;
struct sock_proto;

/* A deadline of the stack; many per stack (ARP entries, reassembly, later
 * TCP connections), multiplexed on the stack's single runtime timer. */
struct utimer {
	uint64_t when;
	int idx;
	void (*fn)(struct ustack *s, struct utimer *t);
};

/* Per-interface counters, reported in RTM_GETLINK IFLA_STATS64. */
struct netif_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped, multicast;
	uint64_t rx_length_errors, rx_crc_errors, rx_frame_errors;
	uint64_t rx_nohandler;
};

struct link_ops {
	const char *kind;
	/* Send the frame (data already has the link header); consumes p. */
	int (*xmit)(struct netif *ifp, struct pbuf *p);
	void (*close)(struct netif *ifp);
};

struct netif {
	struct netif *next;
	struct ustack *s;
	int index;
	char name[IFNAMSIZ];
	uint8_t mac[6];
	uint16_t type;          /* ARPHRD_ETHER, ARPHRD_LOOPBACK */
	uint32_t mtu;
	unsigned flags;         /* IFF_* */
	const struct link_ops *ops;
	void *link;             /* VDECONN * */
	struct rt_src src;      /* the frame fd in the runtime */
	/* read by a blocked caller instead of the event thread (link_claim) */
	bool claimed, paused;
	uint64_t claim_loop;    /* rt_loop() when claimed */
	/* the VNL's recv is a non-blocking read of the fd (link/vde.c) */
	bool rx_direct;
	/* each frame is one datagram of the fd, read with no more than a
	 * recv (vde://, ptp://): a batch is one recvmmsg (link/vde.c) */
	uint8_t rx_dgram;       /* 0, RX_DGRAM_PLAIN or RX_DGRAM_PTP */
	/* batches left to read one frame at a time after a frame longer than
	 * the MTU (link/vde.c vde_input_mmsg) */
	uint8_t rx_big;
	/* frames sent while a receive batch runs wait for its end (link/vde.c) */
	bool tx_defer;
	/* the link refused the last send (EAGAIN): no more tries until it
	 * says it has room or the batch ends (link/vde.c) */
	bool tx_full;
	/* the sending thread of a VNL whose send may block (link/txworker.c) */
	struct txworker *txw;
	/* frames the link had no room for yet, oldest first (link/vde.c) */
	struct pbuf *txq, *txq_tail;
	uint32_t txq_frames;
	size_t txq_bytes;
	struct ifaddr4 *addrs;
	struct neigh *neigh;
	struct mcgroup4 *groups;
	struct ifaddr6 *addrs6;
	struct neigh *neigh6;
	struct mcgroup6 *groups6;
	struct netif_stats st;
	/* IPv6 router discovery (net/rdisc6.c); what RAs set, 0: Linux's default */
	bool rd_init;                 /* the timers below are initialised */
	uint8_t rs_sent;
	bool ra_rcvd;                 /* a valid RA arrived: no more solicitations */
	struct utimer rs_timer;       /* router solicitations (RFC 4861 6.3.7) */
	struct utimer ra_timer;       /* lifetimes of routes and addresses from RAs */
	uint8_t hop_limit6;           /* RA cur hop limit */
	uint32_t mtu6;                /* RA MTU option (Linux cnf.mtu6) */
	uint32_t nd_reachable_ms, nd_retrans_ms;
};

struct ustack {
	pthread_mutex_t lock;
	uint64_t fork_gen;        /* rt_fork_gen() when made */
	struct rt_timer rtt;
	uint64_t armed_when;      /* what rtt was last set to, under lock */
	uint64_t timers_now;      /* the time timers run for, 0 outside */
	struct utimer **theap;
	int ntimers, captimers;
	struct pbuf_cache pc;
	/* frames sent on lo, delivered when the outermost operation ends so
	 * that input never recurses into output */
	struct pbuf *loq_head, *loq_tail;
	int loq_draining;
	struct netif *ifaces, *lo;
	int next_ifindex;
	struct rtnode *routes4;   /* struct route4 (net/net.h) */
	struct reasm *reasm;
	int nreasm;
	size_t reasm_bytes;
	struct usock *socks;      /* every socket of the stack */
	int nsocks;
	uint16_t ip_id;
	uint32_t rng;
	uint32_t nl_next_pid;
	uint32_t nl_listen;       /* RTNLGRP_* bits a netlink socket ever joined */
	/* ICMP error rate limit: token bucket (Linux icmp_ratelimit) */
	uint64_t icmp_tokens_t;
	int icmp_tokens;
	int deleting;
	/* Linux sysctls of every interface (stack options accept_ra=, autoconf=) */
	uint8_t accept_ra, autoconf;
	uint32_t vde_mtu;         /* MTU of VDE interfaces (stack option mtu=) */
	uint32_t tcp_rmem_max;    /* Linux's tcp_rmem[2] (stack option tcp_rmem=; 0: TCP_AUTO_RCVBUF) */
	uint32_t tcp_min_tso_segs; /* Linux's tcp_min_tso_segs (option tcp_min_tso_segs=; 0: TCP_GSO_SEGS) */
	bool tcp_no_ssai;         /* Linux's tcp_slow_start_after_idle off (option tcp_slow_start_after_idle=0) */
	uint32_t tcp_notsent_lowat; /* Linux's tcp_notsent_lowat (option tcp_notsent_lowat=; 0: none) */
	/* receive offload (stack option gro=0|1): in-order TCP data read
	 * in one batch is acknowledged once, as a NIC's GRO makes Linux do */
	bool gro;
	uint8_t tcp_ecn;          /* Linux's tcp_ecn (option tcp_ecn=0|1|2, default 2: accepted, never asked) */
	/* Linux's tcp_mtu_probing (option tcp_mtu_probing=0|1|2, default 0)
	 * and tcp_base_mss (option tcp_base_mss=; 0: TCP_BASE_MSS, 1024) */
	uint8_t tcp_mtu_probing;
	uint32_t tcp_base_mss;
	/* RFC 5961 7: challenge ACKs per second of the whole stack, Linux's
	 * tcp_challenge_ack_limit (option tcp_challenge_ack_limit=; 0: no
	 * limit, as Linux's default INT_MAX since 6.0) */
	uint32_t tcp_challenge_ack_limit;
	/* Linux's net.ipv4.tcp_fastopen (stack option tcp_fastopen=, default
	 * 1 as Linux) and tcp_fastopen_key (option tcp_fastopen_key=; not
	 * set: random, made on first use) */
	uint32_t tcp_fastopen;
	bool tcp_timestamps;      /* Linux's net.ipv4.tcp_timestamps (option tcp_timestamps=0|1, default 1) */
	bool tfo_key_set;
	uint8_t tfo_key[16];
	const struct tcp_cc_ops *tcp_cc;  /* Linux's tcp_congestion_control (option cc=; NULL: CUBIC) */
	int pcap_fd;              /* capture of the VDE frames (stack option pcap=), -1: none */
	uint64_t pcap_bytes;      /* written to it so far (link/pcap.c) */
	int snmp_fd;              /* the counters' file (stack option snmp=), -1: none */
	bool vde_links;           /* RTM_NEWLINK may open VNLs: the plugin's stacks,
	                           * not those of unit tests and fuzzers */
	/* A caller blocked on a socket of this stack reads the interfaces
	 * itself (socket/sock.c sock_wait): its socket, whether it sleeps in
	 * poll or processes frames, and the eventfd that wakes it (made on
	 * first use). */
	struct usock *input_waiter;
	bool input_polling, input_running;
	int wakefd;
	/* Handlers a higher layer registered with a lower one: no layer calls
	 * the one above by name (docs/design.md, "The registration rule").
	 * core/ -> link/: run by stack_unlock, the loopback's queue (link/loop.c) */
	void (*unlock_drain)(struct ustack *s);
	/* core/ -> link/: run by stack_unlock while tx_pending, the frames
	 * the VNLs held back while the lock was held (link/vde.c) */
	void (*unlock_flush)(struct ustack *s);
	bool tx_pending;
	/* link/ -> the protocols: a batch of frames read at once from a VNL
	 * runs (rx_batch), and has ended (rx_batch_end: TCP's coalesced ACKs) */
	bool rx_batch;
	void (*rx_batch_end)(struct ustack *s);
	/* link/ -> net/: a frame received on ifp; a datagram looped back on lo */
	void (*link_input)(struct netif *ifp, uint8_t *frame, size_t len);
	void (*loop_input)(struct netif *lo, struct pbuf *p);
	/* link/ -> packet/: an Ethernet frame about to be sent (AF_PACKET taps) */
	void (*xmit_tap)(struct netif *ifp, const uint8_t *frame, size_t len);
	/* net/ -> the protocols: net/proto.h */
	struct net_protos *protos;
	/* socket/ -> the protocols: the constructors by family and type
	 * (socket/sock.h sock_proto_register) */
	const struct sock_proto *sock_protos[24];
	int nsock_protos;
	/* net/'s counters, named after Linux's /proc/net/snmp (net/net.h) */
	struct net_mib *mib;
	struct tcp_stack *tcp;    /* TCP tables, made with the first TCP socket */
	struct udp_stack *udp;    /* UDP's port table and counters (udp/udp.h) */
	struct raw_stack *raw;    /* raw and ping sockets (raw/raw.h) */
	struct packet_stack *packet;  /* AF_PACKET sockets (packet/packet.h) */
	struct rtnode *routes6;   /* struct route6 (net/net6.h) */
	struct reasm *reasm6;
	int nreasm6;
	uint32_t frag6_id;
	struct pmtu_entry *pmtu;  /* PMTU_MAX entries, allocated on first use (net/pmtu.c) */
	struct icmp_peer *icmp_peers;  /* ICMP_PEERS_MAX, on first use (net/icmp_rate.c) */
	int npmtu;
	/* neighbour tables (net/neigh.c): entries of all interfaces,
	 * bounded as Linux's gc_thresh3, and the bytes (buffer sizes) of the
	 * packets waiting for a resolution, bounded per stack */
	int nneigh4, nneigh6;
	uint64_t neigh_gc4, neigh_gc6;  /* last forced collection of each table */
	size_t neigh_qbytes;
};

struct ustack *stack_new(void);
void stack_free(struct ustack *s);
void stack_lock(struct ustack *s);
/* Deliver frames queued on lo, then release the lock. */
void stack_unlock(struct ustack *s);
uint32_t stack_random(struct ustack *s);
/* A stack made before a fork, seen from the child: its lock, frame fds,
 * timers and event thread are the parent's. The child must not lock it,
 * read its frames or send on it (plugin.c refuses every call). */
static inline bool stack_inherited(const struct ustack *s) {
	return s->fork_gen != rt_fork_gen();
}

void utimer_init(struct utimer *t, void (*fn)(struct ustack *, struct utimer *));
void utimer_arm(struct ustack *s, struct utimer *t, uint64_t when);
void utimer_arm_in(struct ustack *s, struct utimer *t, uint64_t delta_ns);
void utimer_cancel(struct ustack *s, struct utimer *t);
/* Run the deadlines due at `now` (lock held). The runtime calls it with
 * the clock; unit tests call it with a time of their choosing. */
void stack_run_timers(struct ustack *s, uint64_t now);
static inline int utimer_pending(const struct utimer *t) {
	return t->idx >= 0;
}

#define MS(x) ((uint64_t) (x) * 1000000ull)
#endif
