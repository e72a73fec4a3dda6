/* SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * iothdns.h: name resolution for the Internet of Threads.
 *
 * glibc's resolver talks through the host kernel's sockets, so a thread
 * with a stack of its own (see ioth.h) cannot use it. libiothdns resolves
 * through any ioth stack: a resolver context configured in resolv.conf(5)
 * syntax, getaddrinfo/getnameinfo, general queries through a callback per
 * resource record, an RFC 1035 message codec and helpers for servers.
 *
 * Source compatible with the original iothdns (virtualsquare): every name,
 * type, constant and signature below has the same meaning. Extensions are
 * marked as such. See iothdns(3) and docs/iothdns.md.
 */
#ifndef IOTHDNS_H
#define IOTHDNS_H
#include <stdint.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netdb.h>
#include <netinet/in.h>
#include <ioth.h>

#ifdef __cplusplus
extern "C" {
#endif

#define IOTHDNS_DEFAULT_PORT 53
#define IOTHDNS_MAXNS 3
#define IOTHDNS_TIMEOUT_MS 1000
#define IOTHDNS_DEFAULT_RESOLV_CONF "/etc/resolv.conf"
#define IOTHDNS_DEFAULT_HOSTS       "/etc/hosts"
#define IOTHDNS_DEFAULT_SERVICES    "/etc/services"

struct iothdns;
struct iothdns_pkt;

/* ---------------- resolver context ----------------
 * The configuration (file or string) uses the syntax of resolv.conf(5):
 * nameserver (up to IOTHDNS_MAXNS, IPv4 or IPv6), search, domain,
 * options ndots:N timeout:N attempts:N rotate.
 * stack NULL means the host kernel's stack. path_config NULL means
 * IOTHDNS_DEFAULT_RESOLV_CONF; config NULL in the _strcfg functions too.
 * init: the context, or NULL with errno. update: 0, or -1 with errno.
 * A context may be used by several threads at once; an update does not
 * disturb lookups in flight (they finish with the configuration they
 * started with). */
struct iothdns *iothdns_init(struct ioth *stack, char *path_config);
struct iothdns *iothdns_init_strcfg(struct ioth *stack, char *config);
int iothdns_update(struct iothdns *iothdns, char *path_config);
int iothdns_update_strcfg(struct iothdns *iothdns, char *config);

/* Add a name server: af is AF_INET or AF_INET6, in46_addr points to a
 * struct in_addr or struct in6_addr. 0, or -1 with errno (EAFNOSUPPORT,
 * ENOSPC when IOTHDNS_MAXNS are configured already). */
int iothdns_add_nameserver(struct iothdns *iothdns, int af, void *in46_addr);

/* Files used instead of /etc/hosts and /etc/services by getaddrinfo,
 * getnameinfo and the lookup functions. newvalue NULL restores the
 * default. getpath returns the length of the path, as snprintf. */
enum iothdns_pathtag {IOTHDNS_HOSTS, IOTHDNS_SERVICES,
	IOTHDNS_PATH_SIZE};

void iothdns_setpath(struct iothdns *iothdns, enum iothdns_pathtag pathtag, char *newvalue);
int iothdns_getpath(struct iothdns *iothdns, enum iothdns_pathtag pathtag, char *buf, size_t size);

void iothdns_fini(struct iothdns *iothdns);

/* ---------------- client side ---------------- */

/* Addresses of name: -1 with errno (ENOENT: the name does not exist;
 * ETIMEDOUT: no server answered; EAGAIN: server failure), 0 when the name
 * exists with no address of that family, otherwise the number of
 * addresses found; the first n are stored in a (or aaaa). Numeric
 * addresses are converted, never sent to a server. */
int iothdns_lookup_a(struct iothdns *iothdns, const char *name, struct in_addr *a, int n);
int iothdns_lookup_aaaa(struct iothdns *iothdns, const char *name, struct in6_addr *aaaa, int n);
/* IPv6 addresses first, then IPv4 addresses as IPv4-mapped IPv6
 * (::ffff:a.b.c.d) in the slots left. */
int iothdns_lookup_aaaa_compat(struct iothdns *iothdns, const char *name, struct in6_addr *aaaa, int n);

/* getaddrinfo(3), getnameinfo(3): same flags and EAI_ error codes as glibc. */
int iothdns_getaddrinfo(struct iothdns *iothdns,
		const char *node, const char *service,
		const struct addrinfo *hints,
		struct addrinfo **res);

void iothdns_freeaddrinfo(struct addrinfo *res);

const char *iothdns_gai_strerror(int errcode);

int iothdns_getnameinfo(struct iothdns *iothdns,
		const struct sockaddr *addr, socklen_t addrlen,
		char *host, socklen_t hostlen,
		char *serv, socklen_t servlen, int flags);

/* General queries: lookup_cb is called for each resource record of the
 * answer, authority and additional sections of the reply (the section
 * number, the RR header, and vpkt to read the RR data with the
 * iothdns_get_ functions). A non-zero return from the callback stops the
 * scan and is returned. -1 with errno as iothdns_lookup_a on failure.
 * iothdns_lookup_cb uses UDP (and TCP when the reply is truncated),
 * iothdns_lookup_cb_tcp uses TCP only. */
struct iothdns_rr;
typedef int lookup_cb_t(int section, struct iothdns_rr *rr, struct iothdns_pkt *vpkt, void *arg);
int iothdns_lookup_cb(struct iothdns *iothdns, const char *name, int qtype,
		lookup_cb_t *lookup_cb, void *arg);
int iothdns_lookup_cb_tcp(struct iothdns *iothdns, const char *name, int qtype,
		lookup_cb_t *lookup_cb, void *arg);

/* ---------------- server side ---------------- */

struct iothdns_header;
/* Called once for each query; returns the reply, composed with
 * iothdns_put_header and friends. The library sends it and frees it.
 * NULL: no reply is sent. */
typedef struct iothdns_pkt *parse_request_t(struct iothdns_header *h, void *arg);

/* fd is a UDP socket: read one request, call parse_request, send back the
 * reply (truncated, with IOTHDNS_TRUNC, when it exceeds what the client
 * can receive over UDP). Returns the length of the request read,
 * 0 or -1 (errno) if none was read. */
int iothdns_udp_process_request(int fd, parse_request_t *parse_request, void *arg);

/* fd is a connected TCP socket: read one length-prefixed request (in as
 * many reads as it takes), call parse_request, send the length-prefixed
 * reply. Returns the length of the request, 0 at end of stream, -1 with
 * errno on error. */
int iothdns_tcp_process_request(int fd, parse_request_t *parse_request, void *arg);

/* ---------------- message compose/parse (RFC 1035) ---------------- */

struct iothdns_header {
	uint16_t id;
	uint16_t flags;
	const char *qname;
	uint16_t qtype;
	uint16_t qclass;
};

struct iothdns_rr {
	const char *name;
	uint16_t type;
	uint16_t class;
	uint32_t ttl;
	uint16_t rdlength;
};

/* COMPOSE MODE */
/* A new message with the header and (if h->qname != NULL) the question.
 * NULL with errno on failure. */
struct iothdns_pkt *iothdns_put_header(struct iothdns_header *h);

/* Start a resource record in section (IOTHDNS_SEC_ANSWER..ADDITIONAL).
 * Records must come in non-decreasing section order: one whose section is
 * lower than the previous record's is silently discarded, along with the
 * data put after it. rdlength is computed. */
void iothdns_put_rr(int section, struct iothdns_pkt *vpkt, struct iothdns_rr *rr);

/* Append to the data of the current record (network byte order). Names
 * are in presentation form ("www.example.com", "\." and "\DDD" escapes
 * accepted) and are compressed (RFC 1035 4.1.4) by iothdns_put_name. */
void iothdns_put_int8(struct iothdns_pkt *vpkt, uint8_t data);
void iothdns_put_int16(struct iothdns_pkt *vpkt, uint16_t data);
void iothdns_put_int32(struct iothdns_pkt *vpkt, uint32_t data);
void iothdns_put_data(struct iothdns_pkt *vpkt, void *data, uint16_t len);
void iothdns_put_name(struct iothdns_pkt *vpkt, const char *name);
void iothdns_put_name_uncompressed(struct iothdns_pkt *vpkt, const char *name);
void iothdns_put_string(struct iothdns_pkt *vpkt, char *string);
void iothdns_put_a(struct iothdns_pkt *vpkt, void *addr_ipv4);
void iothdns_put_aaaa(struct iothdns_pkt *vpkt, void *addr_ipv6);

/* PARSE MODE */
/* Parse the header and question of the message in buf (not copied: buf
 * must outlive the returned handle). qnamebuf (IOTHDNS_MAXNAME bytes)
 * receives the query name. NULL with errno EBADMSG if the message is
 * malformed (shorter than a header, bad question). */
struct iothdns_pkt *iothdns_get_header(struct iothdns_header *h, void *buf, size_t bufsize, char *qnamebuf);

/* Parse the next resource record: returns its section (1..3), or 0 at the
 * end or when the rest of the message is malformed. namebuf
 * (IOTHDNS_MAXNAME bytes) receives the owner name. The record's data need
 * not be read before the next call. */
int iothdns_get_rr(struct iothdns_pkt *vpkt, struct iothdns_rr *rr, char *namebuf);

/* Read the data of the current record. Reads never go past the end of the
 * record or of the message: what is missing reads as zero (empty names
 * and strings). name and string buffers: IOTHDNS_MAXNAME bytes. */
uint8_t iothdns_get_int8(struct iothdns_pkt *vpkt);
uint16_t iothdns_get_int16(struct iothdns_pkt *vpkt);
uint32_t iothdns_get_int32(struct iothdns_pkt *vpkt);
void *iothdns_get_data(struct iothdns_pkt *vpkt, void *data, uint16_t len);
char *iothdns_get_name(struct iothdns_pkt *vpkt, char *name);
char *iothdns_get_string(struct iothdns_pkt *vpkt, char *name);
void *iothdns_get_a(struct iothdns_pkt *vpkt, void *addr_ipv4);
void *iothdns_get_aaaa(struct iothdns_pkt *vpkt, void *addr_ipv6);

/* BOTH MODES */
/* The message (composed: complete with counts and lengths) and its length. */
void *iothdns_buf(struct iothdns_pkt *vpkt);
size_t iothdns_buflen(struct iothdns_pkt *vpkt);
/* The same two as a struct iovec (iov_base, iov_len), as the original's
 * newer releases declare it. */
struct iovec iothdns_getbuf(struct iothdns_pkt *vpkt);
/* Free vpkt and everything it allocated (NULL is allowed). */
void iothdns_free(struct iothdns_pkt *vpkt);

/* Read or rewrite id and flags in place (forwarders, proxies). NULL
 * pointers in retrieve are skipped. */
void iothdns_retrieve_header(struct iothdns_pkt *vpkt, uint16_t *id, uint16_t *flags);
void iothdns_rewrite_header(struct iothdns_pkt *vpkt, uint16_t id, uint16_t flags);

/* MACROS & CONSTANTS */

#define IOTHDNS_MAXNAME 256
#define IOTHDNS_MAXSTRING 255
#define IOTHDNS_UDP_MAXBUF 512
#define IOTHDNS_TCP_MAXBUF 65536

#define IOTHDNS_SECTIONS 4
#define IOTHDNS_SEC_QUERY 0
#define IOTHDNS_SEC_ANSWER 1
#define IOTHDNS_SEC_AUTH 2
#define IOTHDNS_SEC_ADDITIONAL 3

#define IOTHDNS_QUERY    0x0000
#define IOTHDNS_RESPONSE 0x8000
#define IOTHDNS_QR_MASK  0x8000
#define IOTHDNS_IS_QUERY(x)    (((x) & IOTHDNS_QR_MASK) == IOTHDNS_QUERY)
#define IOTHDNS_IS_RESPONSE(x) (((x) & IOTHDNS_QR_MASK) == IOTHDNS_RESPONSE)
#define IOTHDNS_OP_MASK   0x7800

#define IOTHDNS_AA        0x0400
#define IOTHDNS_TRUNC     0x0200
#define IOTHDNS_RD        0x0100
#define IOTHDNS_RA        0x0080
#define IOTHDNS_Z         0x0040
#define IOTHDNS_AD        0x0020
#define IOTHDNS_CD        0x0010

#define IOTHDNS_RCODE_MASK 0x000F
#define IOTHDNS_GET_RCODE(x) ((x) & IOTHDNS_RCODE_MASK)
#define IOTHDNS_RCODE_OK     0
#define IOTHDNS_RCODE_EFMT   1
#define IOTHDNS_RCODE_EFAIL  2
#define IOTHDNS_RCODE_ENOENT 3
#define IOTHDNS_RCODE_ENOSUP 4
#define IOTHDNS_RCODE_EPERM  5

#define IOTHDNS_CLASS_IN     1
#define IOTHDNS_CLASS_ANY  255

#define IOTHDNS_TYPE_A       1
#define IOTHDNS_TYPE_NS      2
#define IOTHDNS_TYPE_CNAME   5
#define IOTHDNS_TYPE_SOA     6
#define IOTHDNS_TYPE_NULL   10
#define IOTHDNS_TYPE_PTR    12
#define IOTHDNS_TYPE_MX     15
#define IOTHDNS_TYPE_TXT    16
#define IOTHDNS_TYPE_AAAA   28
/* Extensions: RFC 2782 SRV, RFC 6891 OPT pseudo-record. */
#define IOTHDNS_TYPE_SRV    33
#define IOTHDNS_TYPE_OPT    41
#define IOTHDNS_TYPE_ANY   255

#ifdef __cplusplus
}
#endif
#endif
