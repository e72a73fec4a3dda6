/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A scriptable DNS server for unit tests: UDP and TCP on 127.0.0.1 and
 * UDP on [::1] (when the host has IPv6), one port, host kernel sockets (it is the peer, not the code under test).
 * Each query goes to the test's handler, which answers (or not) as the
 * scenario requires: right, wrong id, wrong port, wrong question... */
#ifndef FAKEDNS_H
#define FAKEDNS_H
#include <stdint.h>
#include <stddef.h>
#include <netinet/in.h>
#include <iothdns.h>

#define FAKE_MAXLOG 64

struct fakedns;
/* q: the query (qlen bytes); h/qname: its parsed header. */
typedef void fake_handler(struct fakedns *f, int tcp, const uint8_t *q, size_t qlen,
		struct iothdns_header *h);

struct fakedns_log {
	int n;                     /* queries received (UDP + TCP) */
	int ntcp;
	uint16_t id[FAKE_MAXLOG];
	uint16_t srcport[FAKE_MAXLOG];
	uint16_t qtype[FAKE_MAXLOG];
	int edns[FAKE_MAXLOG];     /* the query carried an OPT record */
	char qname[FAKE_MAXLOG][IOTHDNS_MAXNAME];
};

struct fakedns *fakedns_start(fake_handler *handler, void *arg);
void fakedns_stop(struct fakedns *f);
int fakedns_port(struct fakedns *f);
/* also listening on [::1] (UDP, same port) */
int fakedns_has_ipv6(struct fakedns *f);
void *fakedns_arg(struct fakedns *f);
/* a copy of the log (taken under the server's lock) */
void fakedns_getlog(struct fakedns *f, struct fakedns_log *log);
/* "nameserver 127.0.0.1#PORT" plus extra lines */
char *fakedns_config(struct fakedns *f, const char *extra);

/* For handlers: a reply to h with the question echoed. */
struct iothdns_pkt *fake_reply(struct iothdns_header *h, uint16_t flags);
/* Send to the client: over TCP on the current connection, over UDP from
 * the server's socket. */
void fake_send(struct fakedns *f, int tcp, const void *msg, size_t len);
void fake_send_pkt(struct fakedns *f, int tcp, struct iothdns_pkt *pkt);
/* UDP from another port of the same address (an off-path forger). */
void fake_send_other_port(struct fakedns *f, const void *msg, size_t len);

#endif
