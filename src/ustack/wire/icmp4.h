/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ICMPv4 (RFC 792). The 4 bytes after type/code/checksum are kept raw in
 * `rest`; echo's identifier and sequence are read from them. */
#ifndef USTACK_WIRE_ICMP4_H
#define USTACK_WIRE_ICMP4_H
#include <stddef.h>
#include <stdint.h>

#define ICMP4W_HLEN 8
#define ICMP4W_ECHOREPLY 0
#define ICMP4W_DEST_UNREACH 3
#define ICMP4W_SOURCE_QUENCH 4
#define ICMP4W_REDIRECT 5
#define ICMP4W_ECHO 8
#define ICMP4W_TIME_EXCEEDED 11
#define ICMP4W_PARAMETERPROB 12
#define ICMP4W_TIMESTAMP 13
#define ICMP4W_TIMESTAMPREPLY 14
/* codes of DEST_UNREACH */
#define ICMP4W_NET_UNREACH 0
#define ICMP4W_HOST_UNREACH 1
#define ICMP4W_PROT_UNREACH 2
#define ICMP4W_PORT_UNREACH 3
#define ICMP4W_FRAG_NEEDED 4

struct icmp4_repr {
	uint8_t type, code;
	uint8_t rest[4];
	uint16_t id, seq;     /* echo: from rest, host order */
	const uint8_t *payload;
	size_t payload_len;
};

#define ICMP4W_NOCSUM 1
int icmp4_check(const uint8_t *p, size_t len, int flags);
int icmp4_parse(const uint8_t *p, size_t len, int flags, struct icmp4_repr *r);
/* Write the 8-byte header at buf, where buf[8 .. total) already holds the
 * payload, and the checksum over all total bytes. For echo types id/seq
 * are written, otherwise rest. */
int icmp4_emit(const struct icmp4_repr *r, uint8_t *buf, size_t total);
/* 1 for the error types that carry an offending datagram (RFC 1122 3.2.2). */
int icmp4_is_error(uint8_t type);
#endif
