/* SPDX-License-Identifier: LGPL-2.1-or-later
 * net/: interfaces' addresses, IPv4 routes (longest prefix), ARP
 * neighbours, IPv4 input and output, fragments, ICMPv4, IGMP membership.
 * Everything here runs with the stack lock held and returns 0 (or a
 * count) or -errno. */
#ifndef USTACK_NET_NET_H
#define USTACK_NET_NET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/stack.h"
#include "../wire/ipv4.h"
#include "route.h"

/* net/'s counters in a stack (s->mib, made by net_init), named after
 * Linux's /proc/net/snmp and /proc/net/snmp6 */
struct net_mib {
	struct {
		uint64_t InReceives, InHdrErrors, InAddrErrors, InUnknownProtos, InDiscards,
				InDelivers, OutRequests, OutNoRoutes, OutDiscards, ReasmReqds, ReasmOKs,
				ReasmFails, ReasmTimeout, FragOKs, FragCreates, FragFails;
	} ip4;
	struct {
		uint64_t InMsgs, InErrors, InCsumErrors, OutMsgs, OutRateLimited, InEchos,
				OutEchoReps, OutTimestampReps;
	} icmp4;
	struct {
		uint64_t InRequests, InReplies, OutRequests, OutReplies, Failed, QueueDrops, Bad;
	} arp;
	struct {
		uint64_t InReceives, InHdrErrors, InAddrErrors, InUnknownProtos, InDelivers,
				OutRequests, OutNoRoutes, ReasmOKs, ReasmFails, FragCreates;
	} ip6;
	struct {
		uint64_t InMsgs, InErrors, OutMsgs, OutRateLimited, DadFailed;
	} icmp6;
};

struct ifaddr4 {
	struct ifaddr4 *next;
	uint32_t addr, mask, bcast;   /* network order */
	uint8_t plen;
};

struct route4 {
	struct rtnode n;              /* first: next, plen, oif, metric, protocol */
	uint32_t dst, mask;           /* network order */
	uint32_t gw;                  /* 0: on link */
	uint32_t prefsrc;
	uint8_t scope;                /* RT_SCOPE_*, as Linux reports */
};
/* The route4 of a node of s->routes4 (NULL for NULL). */
static inline struct route4 *route4_of(struct rtnode *n) {
	return (struct route4 *) n;
}

/* A neighbour of an interface, IPv4 (ARP) or IPv6 (NDP): neigh.c. */
struct neigh_ops;
struct neigh {
	struct neigh *next;
	struct netif *ifp;
	const struct neigh_ops *ops;  /* the family's */
	union {
		uint32_t ip;              /* IPv4, network order */
		uint8_t ip6[16];
	};
	uint8_t mac[6];
	uint16_t state;               /* NUD_* of <linux/neighbour.h> */
	uint8_t probes;
	bool router;                  /* IPv6: NTF_ROUTER */
	bool confirmed;               /* ever confirmed reachable */
	uint64_t updated;             /* created or last confirmed */
	uint64_t used;                /* last packet sent through it (or updated) */
	struct pbuf *q, *qtail;       /* waiting for the resolution */
	size_t qbytes;
	struct utimer t;
};

struct mcgroup4 {
	struct mcgroup4 *next;
	uint32_t group;
	int users;
};

/* A datagram being received, after the IPv4 header has been checked. */
struct ip4_rx {
	struct netif *ifp;
	struct ipv4_repr ip;
	const uint8_t *hdr;           /* IPv4 header bytes (ip.hdr_len) */
	const uint8_t *payload;
	size_t plen;
	bool bcast, mcast, loop;
	struct ipv4_opts opts;        /* options checked on input (offsets in hdr) */
};

/* What a socket keeps of a received IPv4 datagram besides its bytes. */
static inline void ip4_rx_meta(struct pbuf *p, const struct ip4_rx *rx) {
	p->m.saddr = rx->ip.src;
	p->m.daddr = rx->ip.dst;
	p->m.ttl = rx->ip.ttl;
	p->m.tos = rx->ip.tos;
	p->m.ifindex = rx->ifp->index;
}

/* How to send a datagram. */
struct ip4_tx {
	uint32_t src, dst;            /* src 0: chosen from the route */
	uint8_t proto, ttl, tos;
	bool df;
	int oif;                      /* 0, or the interface to use */
	bool allow_bcast;             /* SO_BROADCAST */
	bool mc_loop;                 /* IP_MULTICAST_LOOP */
	bool nocsum_lo;               /* set by ip4_output: going out on lo */
	const uint8_t *opt;           /* IPv4 options (multiple of 4) */
	uint8_t optlen;
};

/* Result of a route lookup. */
struct ip4_route_res {
	struct netif *ifp;
	uint32_t nexthop;
	uint32_t src;
	bool local, bcast, mcast;
	uint32_t mtu;                 /* path MTU toward the destination */
};

/* An ICMP or ICMPv6 error about a datagram we sent, for the sockets
 * (Linux icmp_err_convert and the fields of struct sock_extended_err). */
struct icmp_err {
	int err;                      /* errno */
	uint8_t origin;               /* SO_EE_ORIGIN_ICMP or SO_EE_ORIGIN_ICMP6 */
	uint8_t type, code;
	uint32_t info;                /* the MTU of frag needed / packet too big */
	uint8_t offender[16];         /* the ICMP's source (IPv4: first 4 bytes) */
	const uint8_t *inner;         /* the quoted datagram, its IP header first */
	size_t len;
};

/* iface.c */
struct netif *netif_by_index(struct ustack *s, int index);
struct netif *netif_by_name(struct ustack *s, const char *name);
int netif_set_up(struct netif *ifp, bool up);
/* lo: 0..INT_MAX (below 68 IPv4, below 1280 IPv6 leave the device, as
 * Linux); Ethernet: 68..65535 */
bool netif_mtu_valid(const struct netif *ifp, uint32_t mtu);
int netif_set_mtu(struct netif *ifp, uint32_t mtu);
int netif_set_mac(struct netif *ifp, const uint8_t *mac);
int ip4_addr_add(struct netif *ifp, uint32_t addr, uint8_t plen, uint32_t bcast, bool excl);
int ip4_addr_del(struct netif *ifp, uint32_t addr, uint8_t plen);
/* the interface holding addr, or NULL */
struct netif *ip4_addr_owner(struct ustack *s, uint32_t addr);
/* ioth_iplink_add of kind "vde": a new Ethernet interface on vnl, named
 * name (NULL: the first free vdeN), with index (0: the next one), down,
 * a random MAC, the stack's VDE MTU, in the runtime. Its index or -errno
 * (EEXIST for a name or index in use, the errno of vde_open). */
int netif_create_vde(struct ustack *s, const char *name, int index, const char *vnl);
/* Link ifp (made by link/) into the stack at the end of its list, with
 * index (0: the next free one); returns the index. */
int netif_attach(struct ustack *s, struct netif *ifp, int index);
/* RTM_DELLINK: take ifp down and out of the stack with its routes,
 * addresses, neighbours and groups (lo: -EOPNOTSUPP, as Linux). The
 * caller then stops its link without the lock (link_stop) and frees it. */
int netif_detach(struct netif *ifp);
/* A stack being deleted (lock held, already out of the runtime): free its
 * reassembly queues, routes and interfaces with their neighbours,
 * addresses and memberships. */
void net_flush_stack(struct ustack *s);
bool ip4_is_local(struct ustack *s, uint32_t addr);
/* first address of ifp (on the subnet of dst, when one is) */
uint32_t ip4_addr_pick(struct netif *ifp, uint32_t dst);
bool ip4_is_bcast_on(struct netif *ifp, uint32_t addr);

/* route.c */
int route4_add(struct ustack *s, uint32_t dst, uint8_t plen, uint32_t gw, int oif,
		uint32_t metric, uint8_t protocol, uint32_t prefsrc, bool excl);
int route4_del(struct ustack *s, uint32_t dst, uint8_t plen, uint32_t gw, int oif, bool match_gw);
/* Longest prefix match, lowest metric among equals. oif restricts the
 * interface (SO_BINDTODEVICE, IP_MULTICAST_IF). -ENETUNREACH if none. */
int route4_lookup(struct ustack *s, uint32_t dst, int oif, struct ip4_route_res *res);

/* arp.c */
void arp_input(struct netif *ifp, const uint8_t *p, size_t len);
/* Send p (an IPv4 datagram, link header not yet pushed) to nexthop. */
int neigh4_output(struct netif *ifp, uint32_t nexthop, struct pbuf *p);
void neigh4_flush_if(struct netif *ifp);
void arp_announce(struct netif *ifp, uint32_t addr);
struct neigh *neigh4_lookup(struct netif *ifp, uint32_t ip);

/* neigh.c: the neighbour table of both families, with per-family hooks */
struct neigh_ops {
	size_t alen;                  /* bytes of the address: 4, 16 */
	uint16_t ethertype;           /* of the packets sent to a neighbour */
	struct neigh **(*list)(struct netif *ifp);
	int *(*count)(struct ustack *s);            /* entries of the stack */
	uint64_t *(*last_gc)(struct ustack *s);     /* last forced collection */
	uint64_t *(*queue_drops)(struct ustack *s); /* NULL: not counted */
	uint64_t (*retrans_ns)(const struct netif *ifp);
	uint64_t (*reachable_ns)(const struct netif *ifp);
	/* send a solicitation for n: to its cached address or to all */
	void (*solicit)(struct neigh *n, bool unicast);
	/* p, waiting for n, is dropped: tell its sender */
	void (*unreachable)(struct ustack *s, const struct pbuf *p);
};
/* Push an Ethernet header and send; consumes p. */
int eth_output(struct netif *ifp, struct pbuf *p, const uint8_t *dst, uint16_t type);
struct neigh *neigh_lookup(const struct neigh_ops *ops, struct netif *ifp, const void *ip);
/* A new entry (no state yet), collecting a full table first (above);
 * NULL when out of memory. */
struct neigh *neigh_create(const struct neigh_ops *ops, struct netif *ifp, const void *ip);
/* The neighbour's link address: REACHABLE when confirmed, else STALE if
 * new or changed; the waiting packets are sent. */
void neigh_update(struct neigh *n, const uint8_t *mac, bool confirmed);
/* A confirmation without a link address (NDP): REACHABLE again. */
void neigh_confirm(struct neigh *n);
/* Send p to a unicast nexthop, resolving it first (p waits in the queue). */
int neigh_output(const struct neigh_ops *ops, struct netif *ifp, const void *nexthop,
		struct pbuf *p);
void neigh_flush_if(const struct neigh_ops *ops, struct netif *ifp);
/* A packet of s waits for a resolution (ARP, NDP) in progress. */
bool neigh_stack_pending(struct ustack *s);
/* The tables of ip neigh (rtnetlink RTM_NEWNEIGH / RTM_DELNEIGH): the ops
 * of a family (AF_INET, AF_INET6; NULL otherwise); an entry set by hand
 * (state NUD_PERMANENT, NUD_NOARP, NUD_REACHABLE or NUD_STALE, with mac;
 * -EEXIST with excl, -ENOENT without create when there is none) and
 * removed (-ENOENT). Permanent and noarp entries are never collected nor
 * changed by what arrives (Linux: NUD_PERMANENT needs NEIGH_UPDATE_F_ADMIN). */
const struct neigh_ops *neigh_family_ops(int family);
int neigh_admin_set(const struct neigh_ops *ops, struct netif *ifp, const void *ip, const uint8_t *mac,
		uint16_t state, bool create, bool excl);
int neigh_admin_del(const struct neigh_ops *ops, struct netif *ifp, const void *ip);

/* ip4_input.c / ip4_output.c */
/* A copy of an outgoing packet for this host, as if received on ifp
 * (delivered through lo; IPv4 and IPv6). */
void ip_loop_copy(struct ustack *s, struct netif *ifp, const uint8_t *pkt, size_t len);
void ip4_input(struct netif *ifp, const uint8_t *p, size_t len, bool loop);
void ip4_deliver(struct ustack *s, struct ip4_rx *rx);
/* Send the payload in p (data = transport header onwards); consumes p. */
int ip4_output(struct ustack *s, struct pbuf *p, struct ip4_tx *tx);
/* Same after the route is known. */
int ip4_output_route(struct ustack *s, struct pbuf *p, struct ip4_tx *tx,
		const struct ip4_route_res *rt);
/* The MTU a datagram to the route's destination sees: the path MTU
 * (for DF and EMSGSIZE). */
uint32_t ip4_route_mtu(const struct ip4_route_res *rt);
/* Linux ip_dont_fragment and __ip_make_skb: DF for a datagram of len
 * bytes (IP header included) under IP_MTU_DISCOVER pmtudisc. */
bool ip4_want_df(int pmtudisc, size_t len, uint32_t mtu);

/* pmtu.c: the path MTU cache (RFC 1191, RFC 8201), per stack and per
 * destination, filled by validated ICMP "fragmentation needed" and
 * ICMPv6 "packet too big", entries expiring after 10 minutes (Linux
 * mtu_expires), at most PMTU_MAX entries (the soonest to expire goes).
 *
 * For TCP (and anything else that sizes its segments): the path MTU
 * toward dst (through the route lookup, oif as route4_lookup), or -errno
 * (-ENETUNREACH) when there is no route. Lock held. */
int ip4_dst_mtu(struct ustack *s, uint32_t dst, int oif);
#define PMTU_MAX 256
#define PMTU_EXPIRES_NS (MS(600) * 1000ull)
#define PMTU_MIN4 552                 /* Linux min_pmtu */
/* the cached MTU toward addr (family AF_INET: 4 bytes), 0 if none */
uint32_t pmtu_lookup(struct ustack *s, int family, const uint8_t *addr);
/* learn mtu toward addr; never raises a cached value */
void pmtu_learn(struct ustack *s, int family, const uint8_t *addr, uint32_t mtu);
void pmtu_flush(struct ustack *s);

/* Neighbour tables (neigh.c), per stack as Linux's per namespace, with
 * the garbage collection of Linux's neighbour layer:
 *   below NEIGH_GC_THRESH1 (gc_thresh1) entries, unused STALE ones stay;
 *   from NEIGH_GC_THRESH2 (gc_thresh2) a new entry runs a forced
 *   collection when the last one is NEIGH_GC_INTERVAL_NS old, and from
 *   NEIGH_MAX_ENTRIES (gc_thresh3, the hard bound) always: it takes the
 *   table back under gc_thresh2 by removing failed resolutions first
 *   (INCOMPLETE past their first solicitation, PROBE), then the entries
 *   neither used nor confirmed for NEIGH_GC_INTERVAL_NS, least recently
 *   used first. What was used in the last 5 s stays.
 *   When everything was, one entry still makes room, so that a new
 *   resolution is never refused because of dead ones: the oldest
 *   resolution under way, else the oldest never confirmed entry, else
 *   the least recently used one (it is resolved again on its next use).
 * Packets waiting for a resolution are charged by the memory they hold
 * (Linux charges skb truesize): NEIGH_QUEUE_BYTES per entry
 * (unres_qlen_bytes), and NEIGH_QUEUE_TOTAL for the whole stack, since in
 * Linux those packets stay charged to their sockets' send buffers and a
 * datagram send here never waits for room. Every packet dropped is
 * counted in tx_dropped. */
#define NEIGH_GC_THRESH1 128
#define NEIGH_GC_THRESH2 512
#define NEIGH_GC_INTERVAL_NS MS(5000)
#define NEIGH_MAX_ENTRIES 1024
#define NEIGH_QUEUE_BYTES 212992
#define NEIGH_QUEUE_TOTAL (4 * NEIGH_QUEUE_BYTES)
static inline size_t neigh_pbuf_cost(const struct pbuf *p) {
	return sizeof(*p) + p->cap;
}

/* frag4.c */
/* Feed a fragment; returns a complete datagram in *out (a pbuf holding the
 * rebuilt header then the payload; *out_rx set up to point into it) or
 * NULL while incomplete. */
struct pbuf *ip4_reasm(struct ustack *s, struct ip4_rx *rx);
void ip4_reasm_flush(struct ustack *s);
#define REASM_MAX_DGRAMS 64          /* per stack and family: 64 x 64 KiB = Linux's 4 MB */
#define REASM_MAX_FRAGS 128          /* per datagram */
#define REASM_TIMEOUT_NS MS(30000)   /* Linux ipfrag_time */

/* reasm.c: reassembly queues of both families (frag4.c, ip6_input.c) */
union reasm_key {                    /* no implicit padding: compared bytewise */
	struct {
		uint32_t src, dst;
		uint16_t id;
		uint8_t proto, zero;
	} v4;
	struct {
		uint8_t src[16], dst[16];
		uint32_t ident;
	} v6;
};
struct reasm;
struct reasm_ops {
	size_t bufsize;              /* of a datagram's buffer */
	size_t data_off;             /* where the payload goes in it (room for the header before) */
	uint64_t timeout_ns;
	struct reasm **(*list)(struct ustack *s);
	int *(*count)(struct ustack *s);
	uint64_t *(*fails)(struct ustack *s);  /* ReasmFails */
	size_t *(*bytes)(struct ustack *s);    /* buffer bytes held; NULL: not counted */
	/* the timeout expired (q is freed after) */
	void (*expire)(struct ustack *s, struct reasm *q);
};
struct reasm {
	struct reasm *next;
	const struct reasm_ops *ops;
	struct ustack *s;
	union reasm_key key;
	struct netif *ifp;           /* of the first piece to arrive */
	struct pbuf *buf;            /* header at data, payload at ops->data_off */
	size_t hlen;                 /* header (IPv6: unfragmentable part), 0 until seen */
	size_t nh_off;               /* IPv6: the Next Header field to rewrite */
	uint8_t nh;                  /* IPv6: its value */
	uint32_t total;              /* payload length, 0 until the last piece */
	int nranges;
	struct {
		uint16_t start, end;     /* payload bytes [start, end) received */
	} r[REASM_MAX_FRAGS];
	struct utimer t;
};
/* The datagram of key, made (evicting the oldest if at the limit) when
 * missing; NULL without memory. */
struct reasm *reasm_get(const struct reasm_ops *ops, struct ustack *s, struct netif *ifp,
		const union reasm_key *key);
/* Payload [off, off + n) arrived (last: the piece without more fragments)
 * and is copied in: 0, 1 for a duplicate (drop the piece, keep the
 * datagram), -EINVAL or -ENOBUFS when the datagram must be dropped. */
int reasm_add(struct reasm *q, size_t off, const uint8_t *data, size_t n, bool last);
/* The header of the first piece. */
void reasm_first(struct reasm *q, const uint8_t *hdr, size_t hlen);
bool reasm_complete(const struct reasm *q);
/* The buffer of a complete datagram, q freed. */
struct pbuf *reasm_take(struct reasm *q);
void reasm_free(struct reasm *q);
void reasm_flush(const struct reasm_ops *ops, struct ustack *s);

/* icmp4.c */
void icmp4_input(struct ustack *s, struct ip4_rx *rx);
/* RFC 1122 3.2.2 rules, rate limit as Linux (icmp_ratelimit). */
void icmp4_send_error(struct ustack *s, const struct ip4_rx *rx, uint8_t type, uint8_t code,
		uint32_t info);
/* Deliver an ICMP error about a datagram we sent (also raised locally,
 * e.g. ARP failure) to the sockets it concerns. inner points at the
 * offending IPv4 header, len bytes of it. */
/* offender: the ICMP's source (0: raised locally, our own address). A
 * "fragmentation needed" whose quoted datagram we sent and that was
 * larger than the MTU it reports updates the path MTU cache. */
void icmp4_deliver_error(struct ustack *s, uint8_t type, uint8_t code, uint32_t info,
		uint32_t offender, const uint8_t *inner, size_t len);

/* icmp_rate.c: Linux's ICMP rate limits for errors. interval_ns: the
 * peer's interval (0: no per-peer limit, the global bucket only). */
#define ICMP_PEERS_MAX 64
#define ICMP_RATELIMIT_NS MS(1000)   /* Linux icmp_ratelimit, icmpv6 ratelimit */
bool icmp_rate_allow(struct ustack *s, int family, const void *peer, uint64_t interval_ns);
void icmp_rate_flush(struct ustack *s);

/* igmp.c */
int ip4_mc_join(struct netif *ifp, uint32_t group);
int ip4_mc_leave(struct netif *ifp, uint32_t group);
bool ip4_mc_member(struct netif *ifp, uint32_t group);
void igmp_input(struct ustack *s, struct ip4_rx *rx);
void ip4_mc_flush_if(struct netif *ifp);
void igmp_report_all(struct netif *ifp);

/* The link layer's input handlers, registered by net_init (proto.h):
 * a frame received on ifp; a datagram looped back on lo. */
void netif_input(struct netif *ifp, uint8_t *frame, size_t len);
void loop_input(struct netif *lo, struct pbuf *p);
/* packet/: every Ethernet frame about to be sent, shown to the AF_PACKET
 * ETH_P_ALL sockets as PACKET_OUTGOING (Linux dev_queue_xmit_nit). */
void packet_xmit_tap(struct netif *ifp, const uint8_t *frame, size_t len);
/* tcp/tcp_reset.c: the answer of a closed port */
void tcp4_input_closed(struct ustack *s, struct ip4_rx *rx);
/* tcp/: segments and ICMP errors for TCP */
void tcp4_input(struct ustack *s, struct ip4_rx *rx);
void tcp4_err(struct ustack *s, const struct icmp_err *e);

/* The protocols' handlers (udp/, raw/, packet/), registered in the
 * protocol table (proto.h), never called by name from net/. */
void udp4_input(struct ustack *s, struct ip4_rx *rx);
void udp4_err(struct ustack *s, const struct icmp_err *e);
/* raw sockets see every datagram of their protocol; returns how many took it */
int raw4_input(struct ustack *s, struct ip4_rx *rx);
void ping4_input(struct ustack *s, struct ip4_rx *rx, const uint8_t *icmp, size_t len);
void ping4_err(struct ustack *s, const struct icmp_err *e);
void raw4_err(struct ustack *s, const struct icmp_err *e);
void packet_input(struct netif *ifp, const uint8_t *frame, size_t len);
#endif
