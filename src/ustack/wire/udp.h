/* SPDX-License-Identifier: LGPL-2.1-or-later
 * UDP (RFC 768). The checksum covers a pseudo-header; for IPv4 a zero
 * checksum means "none" (RFC 768), for IPv6 it is mandatory (RFC 8200 8.1). */
#ifndef USTACK_WIRE_UDP_H
#define USTACK_WIRE_UDP_H
#include <stddef.h>
#include <stdint.h>

#define UDPW_HLEN 8

struct udp_repr {
	uint16_t sport, dport;  /* host order */
	uint16_t len;           /* header + payload, from the header */
	uint16_t csum;
	const uint8_t *payload;
	size_t payload_len;
};

/* Validate the header: len >= 8, the length field fits in len (trailing
 * bytes beyond it are ignored, as IPv4 padding). */
int udp_check(const uint8_t *p, size_t len);
int udp_parse(const uint8_t *p, size_t len, struct udp_repr *r);
/* Verify the checksum with the given pseudo-header sum (csum_pseudo4/6 of
 * the UDP length). IPv4 zero checksum accepted when allow_zero. 0 or -EBADMSG. */
int udp_verify(const uint8_t *p, size_t udplen, uint32_t pseudo, int allow_zero);
/* Write the header at buf (payload already at buf+8, total bytes in all);
 * the checksum is computed when pseudo != 0 (0xffff stands for a computed 0). */
int udp_emit(const struct udp_repr *r, uint8_t *buf, size_t total, uint32_t pseudo, int nocsum);
#endif
