/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Internal interfaces of libiothdns, shared by its files (never installed).
 * Convention: internal functions return 0 / a count on success and a
 * negative errno value on failure; the public API converts to -1 + errno. */
#ifndef IOTHDNS_INT_H
#define IOTHDNS_INT_H
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <iothdns.h>

#define HIDDEN __attribute__((visibility("hidden")))

/* RFC 1035 2.3.4 */
#define DNS_MAXLABEL 63
#define DNS_MAXWIRENAME 255
#define DNS_HDRLEN 12
/* RFC 1035 4.1.4: a pointer is two bytes whose top two bits are set. */
#define DNS_PTR_MASK 0xc0

/* ---- codec.c ---- */
/* Presentation name -> uncompressed wire form in wire[DNS_MAXWIRENAME].
 * Returns the wire length, or -EINVAL (bad escape, empty label, label over
 * 63 bytes, name over 255). */
HIDDEN int dns_name_encode(const char *name, uint8_t *wire);
/* Wire name at msg[*pos] (compression pointers followed, only backwards,
 * within msglen) -> presentation form in out[IOTHDNS_MAXNAME] (may be
 * NULL). *pos advances past the name where it is written; the name must
 * end at or before limit. 0 or -EBADMSG. */
HIDDEN int dns_name_decode(const uint8_t *msg, size_t msglen, size_t *pos,
		size_t limit, char *out);
/* Case-insensitive comparison of two presentation names, ignoring one
 * trailing dot. */
HIDDEN int dns_name_equal(const char *a, const char *b);
/* Parse mode: did any read run past the end of a record or message? */
HIDDEN int dns_pkt_error(struct iothdns_pkt *vpkt);
/* Compose mode: add an EDNS0 OPT record (RFC 6891 6.1.2) advertising
 * payload bytes of UDP payload. */
HIDDEN void dns_put_opt(struct iothdns_pkt *vpkt, uint16_t payload);

/* ---- answer.c: analysis of a reply (pure, fuzzable) ---- */
enum dns_verdict {
	DNS_DROP,      /* not a reply to our query: keep waiting */
	DNS_ANSWER,    /* rcode 0 */
	DNS_NXDOMAIN,  /* rcode 3: name does not exist */
	DNS_SERVFAIL,  /* rcode 2: try another server */
	DNS_REFUSED,   /* rcode 1, 4, 5 or other: try another server */
	DNS_TRUNCATED, /* TC set: retry over TCP */
	DNS_FORMERR_EDNS, /* FORMERR to a query with OPT: retry without EDNS */
	DNS_MALFORMED, /* right header, records do not parse: another server */
};
#define DNS_V_EDNS 1 /* the query carried an OPT record */
#define DNS_V_TCP 2  /* the reply came over TCP: TC means nothing more */
/* Check that msg is the reply to the query (id, qname, qtype, qclass,
 * QR set, opcode QUERY) and classify it. */
HIDDEN enum dns_verdict dns_reply_verdict(const void *msg, size_t len,
		uint16_t id, const char *qname, uint16_t qtype, int vflags);

#define DNS_MAX_CNAME_CHAIN 8
/* Addresses of type qtype (A or AAAA, addrlen 4 or 16) for qname in the
 * answer section, following the CNAME chain from qname (at most
 * DNS_MAX_CNAME_CHAIN links). Stores up to n addresses in addrs, returns
 * how many were found (maybe more than n) or -EBADMSG. canon[MAXNAME]
 * (may be NULL) receives the last name of the chain. */
HIDDEN int dns_collect_addrs(const void *msg, size_t len, const char *qname,
		uint16_t qtype, void *addrs, int n, char *canon);
/* The PTR target for qname (CNAME chain followed): 1 found, 0 not found,
 * -EBADMSG. */
HIDDEN int dns_collect_ptr(const void *msg, size_t len, const char *qname,
		char *out);

/* ---- resolver.c ---- */
struct dns_result {
	uint8_t *msg;      /* the accepted reply (malloc'd) or NULL */
	size_t len;
	char qname[IOTHDNS_MAXNAME]; /* the name the reply is for */
};
/* Resolve name/qtype with the search list: 0 with res filled (caller frees
 * res->msg), or -ENOENT (NXDOMAIN), -ENODATA (name exists, no record of
 * that type: res filled too), -ETIMEDOUT, -EAGAIN (SERVFAIL),
 * -ECONNREFUSED (REFUSED/NOTIMP/FORMERR), -EINVAL, -ENOMEM.
 * tcp: use TCP only. search: apply search list and ndots. */
HIDDEN int dns_resolve(struct iothdns *dns, const char *name, uint16_t qtype,
		int tcp, int search, struct dns_result *res);
HIDDEN struct ioth *dns_stack(struct iothdns *dns);
/* First search domain (for NI_NOFQDN), "" if none. */
HIDDEN void dns_local_domain(struct iothdns *dns, char *buf, size_t size);
/* Resolve an address list with CNAME chain re-queries: like
 * dns_collect_addrs, over the network. canon may be NULL. */
HIDDEN int dns_lookup_addrs(struct iothdns *dns, const char *name,
		uint16_t qtype, void *addrs, int n, char *canon);

/* ---- netio.c ---- */
HIDDEN int64_t dns_now_ms(void);
/* poll one fd until events or the deadline: 1 ready, 0 timeout, -errno */
HIDDEN int dns_wait_fd(int fd, short events, int64_t deadline);
/* send all of buf: 0, or -1 (error, timeout) */
HIDDEN int dns_write_all(int fd, const uint8_t *buf, size_t len, int64_t deadline);
/* read exactly len bytes: 1, 0 at EOF before the first byte, -1 error,
 * timeout or EOF in the middle */
HIDDEN int dns_read_all(int fd, uint8_t *buf, size_t len, int64_t deadline);

/* ---- files.c ---- */
/* hosts file: addresses of family af for name (case-insensitive, aliases
 * too), up to n stored in addrs (4 or 16 bytes each); canon[MAXNAME]
 * receives the canonical name of the first match. Returns the count. */
HIDDEN int hosts_lookup(const char *path, int af, const char *name,
		void *addrs, int n, char *canon);
/* hosts file reverse: first name for the address, 1 found, 0 not. */
HIDDEN int hosts_reverse(const char *path, int af, const void *addr,
		char *out, size_t outlen);
/* services file: port (host order) of service for proto ("tcp", "udp"),
 * -1 if unknown. */
HIDDEN int services_port(const char *path, const char *service,
		const char *proto);
/* services file reverse: name for port/proto, 1 found, 0 not. */
HIDDEN int services_name(const char *path, int port, const char *proto,
		char *out, size_t outlen);
/* Copy the hosts/services path of the context (tilde expanded). */
HIDDEN void dns_path(struct iothdns *dns, enum iothdns_pathtag tag,
		char *buf, size_t size);

#endif
