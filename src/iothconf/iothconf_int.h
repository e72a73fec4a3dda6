/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Internal interfaces of libiothconf. Nothing here is exported: the library
 * is built with -fvisibility=hidden and only the API of iothconf.h is public.
 *
 * Conventions: the wire codecs (*_wire.c) are pure functions (no state, no
 * I/O, no allocation) returning 0 or a negative errno; the protocol files
 * (dhcp4.c, dhcp6.c, rd.c) talk over the stack's sockets and return 0 or a
 * negative errno; the API edge (config.c) turns them into -1 + errno.
 */
#ifndef IOTHCONF_INT_H
#define IOTHCONF_INT_H
#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include <pthread.h>
#include <string.h>
#define IC_IFNAMSIZ 16   /* IF_NAMESIZE; net/if.h clashes with linux/if.h of nlinline */

struct ioth;

/* ---- hashaddr.c: MD5 (RFC 1321) and the hash-based addresses ---- */
void ic_md5(const void *data, size_t len, uint8_t out[16]);
/* MAC from fqdn: md5 bytes 0,1,2,5,6,7, locally administered unicast. */
void ic_hashmac(uint8_t mac[6], const char *fqdn);
/* XOR the low 64 bits of addr with md5 bytes 0..7, clear the two low bits
 * of byte 8 (the U/L and I/G bits of the interface id). */
void ic_hashiid(uint8_t addr[16], const char *fqdn);
/* Modified EUI-64 interface id (RFC 4291 appendix A) into addr[8..15]. */
void ic_eui64(uint8_t addr[16], const uint8_t mac[6]);
/* As ic_hashiid on the MD5 of name (no trailing dot), passwd and the
 * 4-byte big-endian time step: libiothaddr's iothaddr_hash, the one-time
 * address iothnamed answers for an otip domain. */
void ic_otipiid(uint8_t addr[16], const char *fqdn, const char *passwd, uint32_t step);

/* ---- dnsname.c: RFC 1035 names without compression (DHCPv6, RA) ---- */
/* Encode "a.b.c" (trailing dot allowed) into wire format; return length or
 * -EINVAL (bad label) / -ENOSPC. */
int ic_dname_encode(const char *name, uint8_t *out, size_t outlen);
/* Decode a sequence of wire-format names (RFC 8415 10, RFC 8106 5.2) into
 * "name1 name2 ..." (space separated, NUL terminated). Compression pointers
 * and names running past len are errors (-EBADMSG); a short output -ENOSPC.
 * Trailing zero padding is ignored. Returns the number of names. */
int ic_dnames_decode(const uint8_t *p, size_t len, char *out, size_t outlen);
/* A name typed by the user (fqdn=, domain=): 1..253 chars, labels 1..63 of
 * letters, digits, '-' and '_', optional trailing dot. 1 if valid. */
int ic_dname_valid(const char *name);

/* ---- an output buffer for the emitters of the wire codecs ---- */
struct ic_obuf {
	uint8_t *p;
	size_t len, off;
	int err;             /* set when something did not fit */
};
static inline void ic_put(struct ic_obuf *o, const void *d, size_t l) {
	if (o->off + l > o->len) {
		o->err = 1;
		return;
	}
	memcpy(o->p + o->off, d, l);
	o->off += l;
}

/* ---- dhcp4_wire.c ---- */
#define DHCP4_DISCOVER 1
#define DHCP4_OFFER 2
#define DHCP4_REQUEST 3
#define DHCP4_DECLINE 4
#define DHCP4_ACK 5
#define DHCP4_NAK 6
#define DHCP4_RELEASE 7
#define DHCP4_MAXADDRS 8

struct dhcp4_msg {
	uint8_t op;
	uint8_t type;              /* option 53 */
	uint32_t xid;              /* host order */
	uint16_t secs;
	uint16_t flags;
	uint8_t chaddr[6];
	uint32_t ciaddr, yiaddr, siaddr;   /* network order */
	/* options */
	uint32_t server_id;        /* 54, network order, 0 if absent */
	uint32_t reqip;            /* 50 */
	int has_mask;
	uint8_t prefixlen;         /* from 1; has_mask == 0 if not contiguous */
	uint32_t lease, t1, t2;    /* 51, 58, 59; 0 if absent */
	uint16_t mtu;              /* 26 */
	int nrouters, ndns;
	uint32_t routers[DHCP4_MAXADDRS], dns[DHCP4_MAXADDRS];
	char domain[256];          /* 15, NUL terminated, printable only */
	int has_clientid;
	uint8_t clientid[7];       /* 61 when it is type 1 + MAC */
	/* client side, for ic_dhcp4_emit */
	const char *fqdn;
	const char *hostname;
};
#define DHCP4_MINLEN 240       /* BOOTP header + magic cookie */
int ic_dhcp4_parse(const uint8_t *p, size_t len, struct dhcp4_msg *m);
/* Emit a client message (DISCOVER, REQUEST, RELEASE): returns length or
 * -ENOSPC. */
int ic_dhcp4_emit(const struct dhcp4_msg *m, uint8_t *buf, size_t len);
/* IPv4 + UDP framing as seen on an AF_PACKET SOCK_DGRAM socket. */
int ic_ipudp_emit(uint8_t *buf, size_t len, uint32_t src, uint32_t dst,
		uint16_t sport, uint16_t dport, const uint8_t *payload, size_t plen);
/* Validate IPv4 header (version, ihl, length, checksum, no fragment, UDP),
 * UDP header (length, checksum if not zero); return the payload offset and
 * length, -EBADMSG if anything is wrong. */
int ic_ipudp_parse(const uint8_t *p, size_t len, uint16_t dport,
		uint32_t *src, size_t *poff, size_t *plen);

/* ---- csum.c: the Internet checksum (RFC 1071) ---- */
/* The one's complement of the one's complement sum of data, started at
 * sum (a pseudo-header's partial sum, or 0); host order. */
uint16_t ic_inet_csum(const void *data, size_t len, uint32_t sum);

/* ---- dhcp6_wire.c ---- */
#define DHCP6_SOLICIT 1
#define DHCP6_ADVERTISE 2
#define DHCP6_REQUEST 3
#define DHCP6_RENEW 5
#define DHCP6_REBIND 6
#define DHCP6_REPLY 7
#define DHCP6_RELEASE 8
#define DHCP6_MAXADDRS 4
#define DHCP6_MAXDNS 8
#define DHCP6_MAXDUID 130      /* RFC 8415 11.1: at most 128 + type */

struct dhcp6_iaaddr {
	uint8_t addr[16];
	uint32_t preferred, valid;
};

struct dhcp6_msg {
	uint8_t type;
	uint8_t tid[3];
	uint16_t clientid_len, serverid_len;
	uint8_t clientid[DHCP6_MAXDUID], serverid[DHCP6_MAXDUID];
	int has_iana;
	uint32_t iaid, t1, t2;
	int iana_status;           /* status code inside IA_NA, 0 = success */
	int naddrs;
	struct dhcp6_iaaddr addrs[DHCP6_MAXADDRS];
	int status;                /* top level status code, 0 if absent */
	uint8_t preference;
	int ndns;
	uint8_t dns[DHCP6_MAXDNS][16];
	char domains[512];         /* space separated */
	uint16_t elapsed;          /* client side, centiseconds */
	const char *fqdn;          /* client side */
};
int ic_dhcp6_parse(const uint8_t *p, size_t len, struct dhcp6_msg *m);
int ic_dhcp6_emit(const struct dhcp6_msg *m, uint8_t *buf, size_t len);

/* ---- ra_wire.c ---- */
#define RA_MAXPREFIX 8
#define RA_MAXDNS 8
struct ra_prefix {
	uint8_t len, flags;        /* flags: 0x80 on-link, 0x40 autonomous */
	uint32_t valid, preferred;
	uint8_t prefix[16];
};
struct ra_msg {
	uint8_t curhoplimit, flags;
	uint16_t router_lifetime;
	uint32_t reachable, retrans;
	int has_sllao;
	uint8_t sllao[6];
	uint32_t mtu;
	int nprefix;
	struct ra_prefix prefix[RA_MAXPREFIX];
	int nrdnss;
	uint32_t rdnss_lifetime[RA_MAXDNS];
	uint8_t rdnss[RA_MAXDNS][16];
	uint32_t dnssl_lifetime;
	char dnssl[512];
};
/* p points at the ICMPv6 header. RFC 4861 6.1.2 checks that need only the
 * message: type 134, code 0, length >= 16, no option of length 0. */
int ic_ra_parse(const uint8_t *p, size_t len, struct ra_msg *m);
/* Router Solicitation with a source link-layer address option if mac. */
int ic_rs_emit(const uint8_t *mac, uint8_t *buf, size_t len);

/* ---- parse.c ---- */
#define IC_STATIC 0x01
#define IC_ETH 0x02
#define IC_DHCP 0x04
#define IC_DHCPV6 0x08
#define IC_RD 0x10
#define IC_SLAAC 0x20

enum ic_kind { IC_K_ADDR, IC_K_ROUTE, IC_K_DNS, IC_K_DOMAIN };
#define IC_MAXSTATIC 64
#define IC_NAMELEN 254
#define IC_OTIPLEN 128             /* an OTIP password, NUL included */
#define IC_OTIP_PERIOD 32          /* seconds, as iothnamed's step */

struct ic_static {
	uint8_t kind, family, prefixlen, remove;
	uint8_t addr[16];
	char domain[IC_NAMELEN];
};

struct ic_request {
	unsigned config, clean;
	int debug;
	int has_iface, has_ifindex, has_fqdn, has_mac;
	char iface[IC_IFNAMSIZ];
	unsigned ifindex;
	char fqdn[IC_NAMELEN];
	char otip[IC_OTIPLEN];     /* otip=: the one-time address password */
	unsigned otip_period;      /* otipperiod=, 0: IC_OTIP_PERIOD */
	uint8_t mac[6];
	int nstatic, static_add;
	struct ic_static st[IC_MAXSTATIC];
	char *stack, *vnl;         /* ioth_newstackc only; free with ic_request_free */
};
/* mode: 0 ioth_config, 1 ioth_newstackc (stack=, vnl= allowed), 2
 * ioth_resolvconf (iface=, ifindex= only). 0 or -EINVAL/-ENOMEM. */
int ic_parse(const char *config, int mode, struct ic_request *req);
void ic_request_free(struct ic_request *req);

/* ---- state.c: what each source configured, per stack and interface ---- */
enum ic_source { IC_SRC_STATIC, IC_SRC_DHCP4, IC_SRC_DHCP6, IC_SRC_RD, IC_NSRC };
#define IC_NEVER 0             /* expires: never */

struct ic_item {
	struct ic_item *next;
	uint8_t src, kind, family, prefixlen;
	uint8_t addr[16];          /* address, gateway or DNS server */
	char *domain;              /* IC_K_DOMAIN */
	time_t expires;            /* monotonic seconds, IC_NEVER */
	int active;                /* applied to the stack */
};

struct ic_dhcp4_lease {
	int bound;
	uint32_t addr, server;     /* network order */
	uint8_t prefixlen;
	uint8_t server_mac[6];
	int has_server_mac;
	time_t t1, t2, expiry;     /* monotonic */
};

struct ic_dhcp6_lease {
	int bound;
	uint8_t serverid[DHCP6_MAXDUID];
	uint16_t serverid_len;
	int naddrs;
	struct dhcp6_iaaddr addrs[DHCP6_MAXADDRS];
	time_t t1, t2, expiry;
};

struct ic_iface {
	struct ic_iface *next;
	struct ioth *stack;
	unsigned ifindex;
	struct ic_item *items;
	unsigned dnsgen, dnsgen_seen;
	int busy, dying;
	char fqdn[IC_NAMELEN];
	int slaac;
	struct ic_dhcp4_lease d4;
	struct ic_dhcp6_lease d6;
	int rd_active;
	time_t rd_refresh;         /* monotonic, 0 = none */
	/* OTIP (fqdn= with otip=): the SLAAC address is the hash of name,
	 * password and time step; at each step the last advertisement is
	 * applied again with the new step's address */
	char otip[IC_OTIPLEN];
	unsigned otip_period;
	time_t otip_next;          /* monotonic: the next step, 0 = none */
	int otip_have_ra;
	time_t otip_ra_time;       /* monotonic: when otip_ra arrived */
	struct ra_msg otip_ra;
	uint8_t otip_router[16];
};

/* Find (or make, if create) the record of stack/ifindex and take it for
 * exclusive work: waits while another thread works on it. NULL with -errno
 * in *err if the stack is being deleted or memory is short. */
struct ic_iface *ic_iface_acquire(struct ioth *stack, unsigned ifindex, int create, int *err);
/* Release ifc, then call the function set with ic_state_on_release. */
void ic_iface_release(struct ic_iface *ifc);
/* What a release must wake (lease.c's timer thread): set at load time. */
void ic_state_on_release(void (*fn)(void));
/* Forget every interface and unregister the delstack hook (library
 * unload, after the timer thread stopped). */
void ic_state_fini(void);
/* Replace the items of one source with newitems (a list, consumed):
 * removes from the stack what is gone, adds what is new. The caller owns
 * ifc (acquired). Returns 0, or the first error of the stack on an add
 * (the item stays, not applied, and is tried again at the next update). */
int ic_source_set(struct ic_iface *ifc, int src, struct ic_item *newitems);
/* Remove single static items (the -ip=, -gw=, -dns=, -domain= options). */
void ic_static_remove(struct ic_iface *ifc, const struct ic_static *st);
struct ic_item *ic_item_new(int src, int kind, int family, const void *addr,
		int prefixlen, const char *domain, time_t expires);
void ic_items_free(struct ic_item *list);
/* Remove items whose lifetime is over; log each. Caller owns ifc. */
void ic_expire_items(struct ic_iface *ifc, time_t now);
/* Text of the resolver configuration, or NULL (errno 0) if unchanged. */
char *ic_resolvconf_text(struct ioth *stack, unsigned ifindex);
void ic_debug_print(struct ic_iface *ifc);

/* ---- lease.c: the one timer thread ---- */
/* A method's timer: deadline tells the next moment ifc needs it (monotonic
 * seconds, 0 never); run does what is due at now (its result is logged by
 * the method itself). Called with ifc owned (busy), without ic_lock. */
struct ic_timer_ops {
	time_t (*deadline)(const struct ic_iface *ifc);
	int (*run)(struct ic_iface *ifc, time_t now);
};
/* Register the timer of source src (IC_SRC_*), at load time. */
void ic_timer_register(int src, const struct ic_timer_ops *ops);
/* Wake the timer thread (new deadlines), starting it on first use. */
void ic_timer_kick(void);
/* The earlier of two deadlines, where 0 is never. */
static inline time_t ic_min_deadline(time_t a, time_t b) {
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}
/* A DHCP lease's next deadline (T1, T2, its end), 0 if not bound. */
static inline time_t ic_lease_deadline(int bound, time_t t1, time_t t2, time_t expiry) {
	return bound ? ic_min_deadline(ic_min_deadline(t1, t2), expiry) : 0;
}
void ic_log(struct ioth *stack, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- the methods: 0 or -errno; each owns ifc (acquired) ---- */
int ic_eth(struct ioth *stack, unsigned ifindex, const struct ic_request *req);
int ic_dhcp4_config(struct ic_iface *ifc);
int ic_dhcp6_config(struct ic_iface *ifc);
int ic_rd_config(struct ic_iface *ifc);
void ic_dhcp4_release(struct ic_iface *ifc);

/* How long each exchange may take (ms); tests shorten them. */
extern int ic_dhcp4_timeout_ms, ic_dhcp6_timeout_ms, ic_rd_timeout_ms;

/* ---- io.c: the clock and the wait on a socket ---- */
time_t ic_now(void);           /* monotonic seconds */
int64_t ic_now_ms(void);       /* monotonic milliseconds */
/* Wait on fd for input until deadline (monotonic ms); 1 ready, 0 timeout,
 * or -errno. */
int ic_wait_fd(int fd, int64_t deadline_ms);

#endif /* IOTHCONF_INT_H */
