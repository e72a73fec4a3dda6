/* SPDX-License-Identifier: LGPL-2.1-or-later
 * UDP's state in a stack (s->udp, made by udp_register): one port table
 * for both families and the counters named after Linux's /proc/net/snmp
 * Udp: line. */
#ifndef USTACK_UDP_UDP_H
#define USTACK_UDP_UDP_H
#include <stdint.h>

#define UDP_PORT_HASH 64

struct usock;
struct udp_stack {
	/* bound sockets of both families by local port, chained through
	 * usock.pnext */
	struct usock *hash[UDP_PORT_HASH];
	uint16_t next_port;           /* ephemeral port search (inet_port_next) */
	uint64_t InDatagrams, NoPorts, InErrors, RcvbufErrors, InCsumErrors, OutDatagrams;
};
#endif
