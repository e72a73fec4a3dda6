/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libFuzzer target: the resolver's reply analysis (answer.c), what the
 * network hands to the client. The first two bytes choose the query type
 * asked; the rest is the reply. The question of the reply is used as the
 * query name (so that matching replies get past the checks), and the
 * address and PTR collectors run on every reply. Invariants: no read
 * outside the input, no more addresses stored than room was given. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "iothdns_int.h"

#define ROOM 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size < 2)
		return 0;
	uint16_t qtype = (data[0] & 1) ? IOTHDNS_TYPE_AAAA : IOTHDNS_TYPE_A;
	if (data[0] & 2)
		qtype = IOTHDNS_TYPE_PTR;
	int vflags = (data[1] & 1 ? DNS_V_EDNS : 0) | (data[1] & 2 ? DNS_V_TCP : 0);
	size -= 2;
	uint8_t *msg = malloc(size ? size : 1);
	memcpy(msg, data + 2, size);
	struct iothdns_header h;
	char qname[IOTHDNS_MAXNAME];
	struct iothdns_pkt *pkt = iothdns_get_header(&h, msg, size, qname);
	const char *asked = "www.example.test";
	uint16_t id = 0;
	if (pkt != NULL) {
		asked = qname;
		id = h.id;
		iothdns_free(pkt);
	}
	enum dns_verdict v = dns_reply_verdict(msg, size, id, asked, qtype, vflags);
	if (v > DNS_MALFORMED)
		abort();
	/* one guard slot after the room given */
	uint8_t addrs[ROOM + 1][16];
	memset(addrs[ROOM], 0xa5, 16);
	char canon[IOTHDNS_MAXNAME];
	if (qtype == IOTHDNS_TYPE_PTR) {
		char out[IOTHDNS_MAXNAME];
		dns_collect_ptr(msg, size, asked, out);
	} else {
		dns_collect_addrs(msg, size, asked, qtype, addrs, ROOM, canon);
		for (int i = 0; i < 16; i++)
			if (addrs[ROOM][i] != 0xa5)
				abort();
	}
	free(msg);
	return 0;
}
