/* SPDX-License-Identifier: GPL-2.0-or-later
 * iothnamed: a DNS server, forwarder and cache for the Internet of Threads.
 * The parts without sockets (configuration, access control, records,
 * cache, the answer to one query) are here, so that the fuzzer and the
 * unit test drive them without a network. See iothnamed(8). */
#ifndef IOTHNAMED_H
#define IOTHNAMED_H
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <netinet/in.h>

struct ioth;

#define ND_MAXNETS 64
#define ND_MAXFWD 3
#define ND_UDP_PAYLOAD 1232      /* what we advertise in our OPT record */
#define ND_OTIP_PERIOD 32        /* seconds, as the original */
#define ND_OTIP_TTL 1
#define ND_DEFAULT_HASHTTL 600
#define ND_DEFAULT_BACKLOG 5
#define ND_DEFAULT_TCPTIMEOUT 10

enum nd_auth_type {ND_A_ERROR, ND_A_ACCEPT, ND_A_STATIC, ND_A_OTIP, ND_A_HASH,
	ND_A_CACHE, ND_A_HREV, ND_A_FWD, ND_A_COUNT};
enum nd_hrevmode {ND_HREV_ALWAYS, ND_HREV_NET, ND_HREV_SAME, ND_HREV_NEVER};

struct nd_conf {
	/* stacks: NULL means the kernel's */
	struct ioth *rstack, *fstack;
	int stack_kind;            /* 0 none, 1 "stack", 2 "rstack"/"fstack" */
	struct in6_addr fwd[ND_MAXFWD];   /* IPv4 as v4-mapped */
	int nfwd;
	int hashttl, backlog, tcptimeout;
	enum nd_hrevmode hrevmode;
};

/* counters of the query path */
struct nd_stats {
	unsigned long queries, answered, formerr, dropped, refused, notimp,
		forwarded, cachehits, truncated, fwdtimeouts;
};

extern struct nd_conf nd_conf;
extern struct nd_stats nd_stats;

/* Read the configuration file; errors go to errf as "PATH:LINE: why".
 * 0, or -1 after at least one error. Stacks are created only if
 * make_stacks (the fuzzer and the unit test read files without them). */
int nd_read_config(const char *path, FILE *errf, int make_stacks);
/* Parse one line (without its newline); the same messages. */
int nd_config_line(const char *path, int lineno, const char *line, FILE *errf, int make_stacks);
/* Resolve the base addresses given by name (from the static AAAA records,
 * else through the forwarders on fstack). 0 or -1 (reported on errf). */
int nd_config_finish(const char *path, FILE *errf);
/* Free everything the configuration made (not the stacks). */
void nd_config_free(void);

int nd_auth_active(int type);
int nd_authck(int type, const struct in6_addr *from);

/* The reply to one request from `from` (IPv4 as v4-mapped).
 * ND_REPLY: *reply (malloc'd, *replylen bytes, already truncated to what
 * the client can take over UDP unless tcp); ND_FORWARD: send the request
 * to a forwarder (*maxlen: what the client can take); ND_DROP: nothing. */
enum nd_action {ND_DROP, ND_REPLY, ND_FORWARD};
enum nd_action nd_process(const uint8_t *req, size_t len, const struct in6_addr *from,
		int tcp, time_t now, uint8_t **reply, size_t *replylen, size_t *maxlen);
/* A reply from a forwarder: feed the cache (if any auth cache is set). */
void nd_cache_feed(const uint8_t *msg, size_t len, time_t now);
void nd_cache_clean(time_t now);
/* Cut a reply that is longer than maxlen to header and question, with TC. */
size_t nd_truncate(uint8_t *msg, size_t len, size_t maxlen);
/* A SERVFAIL for a request that no forwarder answered. */
size_t nd_servfail(const uint8_t *req, size_t len, uint8_t **reply);

/* "10.20.30.0/24" -> ".30.20.10.in-addr.arpa"; an address without prefix
 * gives the exact reverse name; NULL if src is not an address. */
const char *nd_revname(const char *src, char *dst, size_t size);
/* the nibble/byte reverse name of addr/prefix */
void nd_revname_addr(int af, const void *addr, int prefix, char *dst, size_t size);

#endif
