/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libFuzzer target: the message codec. Parse any bytes as a DNS message,
 * read every record's data the way its type says, and check two
 * invariants: a parse never reads outside the input (ASan), and every
 * name that was read encodes back and decodes to the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "iothdns_int.h"

/* decode(name) -> encode -> decode must give name back */
static void name_roundtrip(const char *name) {
	if (name[0] == '\0')
		return;
	struct iothdns_header h = {1, 0, name, 1, 1};
	struct iothdns_pkt *pkt = iothdns_put_header(&h);
	if (pkt == NULL)
		return;
	size_t len = iothdns_buflen(pkt);
	uint8_t *copy = malloc(len);
	memcpy(copy, iothdns_buf(pkt), len);
	iothdns_free(pkt);
	char back[IOTHDNS_MAXNAME];
	pkt = iothdns_get_header(&h, copy, len, back);
	if (pkt == NULL || strcmp(back, name) != 0)
		abort();
	iothdns_free(pkt);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	/* an exact-size copy: any read past the end is a heap overflow */
	uint8_t *msg = malloc(size ? size : 1);
	memcpy(msg, data, size);
	struct iothdns_header h;
	char qname[IOTHDNS_MAXNAME], name[IOTHDNS_MAXNAME], buf[IOTHDNS_MAXNAME];
	struct iothdns_pkt *pkt = iothdns_get_header(&h, msg, size, qname);
	if (pkt != NULL) {
		struct iothdns_rr rr;
		name_roundtrip(qname);
		while (iothdns_get_rr(pkt, &rr, name) != 0) {
			name_roundtrip(name);
			uint8_t raw[64];
			switch (rr.type) {
				case IOTHDNS_TYPE_CNAME: case IOTHDNS_TYPE_NS: case IOTHDNS_TYPE_PTR:
					name_roundtrip(iothdns_get_name(pkt, buf));
					break;
				case IOTHDNS_TYPE_MX:
					iothdns_get_int16(pkt);
					name_roundtrip(iothdns_get_name(pkt, buf));
					break;
				case IOTHDNS_TYPE_SRV:
					iothdns_get_int16(pkt);
					iothdns_get_int32(pkt);
					name_roundtrip(iothdns_get_name(pkt, buf));
					break;
				case IOTHDNS_TYPE_SOA:
					name_roundtrip(iothdns_get_name(pkt, buf));
					name_roundtrip(iothdns_get_name(pkt, buf));
					for (int i = 0; i < 5; i++)
						iothdns_get_int32(pkt);
					break;
				case IOTHDNS_TYPE_TXT:
					for (int i = 0; i < 8; i++)
						iothdns_get_string(pkt, buf);
					break;
				case IOTHDNS_TYPE_A:
					iothdns_get_a(pkt, raw);
					break;
				case IOTHDNS_TYPE_AAAA:
					iothdns_get_aaaa(pkt, raw);
					break;
				default:
					iothdns_get_data(pkt, raw, rr.rdlength < sizeof(raw) ? rr.rdlength : sizeof(raw));
					iothdns_get_int8(pkt);
			}
		}
		uint16_t id, flags;
		iothdns_retrieve_header(pkt, &id, &flags);
		if (id != h.id || flags != h.flags)
			abort();
		iothdns_free(pkt);
	}
	/* the input as a presentation name */
	if (size < IOTHDNS_MAXNAME) {
		char text[IOTHDNS_MAXNAME];
		uint8_t wire[DNS_MAXWIRENAME];
		memcpy(text, data, size);
		text[size] = '\0';
		int wlen = dns_name_encode(text, wire);
		if (wlen > DNS_MAXWIRENAME)
			abort();
	}
	free(msg);
	return 0;
}
