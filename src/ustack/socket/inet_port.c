/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The one ephemeral port allocator of UDP and TCP (sock.h). */
#include "sock.h"

uint16_t inet_port_seed(struct ustack *s) {
	return (uint16_t) (INET_PORT_LO + stack_random(s) % INET_PORT_COUNT);
}

uint16_t inet_port_next(uint16_t *cursor) {
	uint16_t port = *cursor;
	*cursor = (uint16_t) (port >= INET_PORT_HI ? INET_PORT_LO : port + 1);
	return port;
}
