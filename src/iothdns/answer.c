/* SPDX-License-Identifier: LGPL-2.1-or-later
 * answer.c: decide whether a datagram is the reply to our query, and pull
 * addresses out of a reply. No I/O, no state: fuzzed by
 * fuzz/iothdns/fuzz_iothdns_response.c. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "iothdns_int.h"

/* Every record of the reply must parse: a reply that does not is treated
 * like a failing server rather than trusted in part. */
static int reply_well_formed(struct iothdns_pkt *pkt) {
	struct iothdns_rr rr;
	char name[IOTHDNS_MAXNAME];
	while (iothdns_get_rr(pkt, &rr, name) != 0)
		;
	return !dns_pkt_error(pkt);
}

enum dns_verdict dns_reply_verdict(const void *msg, size_t len,
		uint16_t id, const char *qname, uint16_t qtype, int vflags) {
	int with_edns = vflags & DNS_V_EDNS;
	struct iothdns_header h;
	char name[IOTHDNS_MAXNAME];
	enum dns_verdict v;
	struct iothdns_pkt *pkt = iothdns_get_header(&h, (void *) msg, len, name);
	if (pkt == NULL)
		return DNS_DROP;
	const uint8_t *m = msg;
	int qdcount = (m[4] << 8) | m[5];
	int rcode = IOTHDNS_GET_RCODE(h.flags);
	v = DNS_DROP;
	/* RFC 5452 9.1: id, question (name, type, class) must match. */
	if (h.id != id || !IOTHDNS_IS_RESPONSE(h.flags) || (h.flags & IOTHDNS_OP_MASK) != 0)
		goto out;
	if (qdcount == 0) {
		/* Some servers do not echo the question of a query they cannot
		 * parse; such a reply carries no data to trust, only an error. */
		if (rcode == IOTHDNS_RCODE_EFMT)
			v = with_edns ? DNS_FORMERR_EDNS : DNS_REFUSED;
		else if (rcode == IOTHDNS_RCODE_ENOSUP || rcode == IOTHDNS_RCODE_EPERM)
			v = DNS_REFUSED;
		goto out;
	}
	if (qdcount != 1 || !dns_name_equal(h.qname, qname) || h.qtype != qtype ||
			h.qclass != IOTHDNS_CLASS_IN)
		goto out;
	if ((h.flags & IOTHDNS_TRUNC) && !(vflags & DNS_V_TCP)) {
		v = DNS_TRUNCATED;
		goto out;
	}
	switch (rcode) {
		case IOTHDNS_RCODE_OK:
			v = reply_well_formed(pkt) ? DNS_ANSWER : DNS_MALFORMED;
			break;
		case IOTHDNS_RCODE_ENOENT:
			v = DNS_NXDOMAIN;
			break;
		case IOTHDNS_RCODE_EFAIL:
			v = DNS_SERVFAIL;
			break;
		case IOTHDNS_RCODE_EFMT:
			/* RFC 6891 7: a server that does not know EDNS answers FORMERR */
			v = with_edns ? DNS_FORMERR_EDNS : DNS_REFUSED;
			break;
		default:
			v = DNS_REFUSED;
	}
out:
	iothdns_free(pkt);
	return v;
}

/* Follow the CNAME chain from qname through the answer section; copy the
 * last name into canon. Returns 0 or -EBADMSG. */
static int follow_chain(const void *msg, size_t len, const char *qname, char *canon) {
	struct iothdns_header h;
	char hname[IOTHDNS_MAXNAME];
	snprintf(canon, IOTHDNS_MAXNAME, "%s", qname);
	for (int hop = 0; hop < DNS_MAX_CNAME_CHAIN; hop++) {
		struct iothdns_pkt *pkt = iothdns_get_header(&h, (void *) msg, len, hname);
		struct iothdns_rr rr;
		char name[IOTHDNS_MAXNAME];
		char target[IOTHDNS_MAXNAME];
		int section, found = 0;
		if (pkt == NULL)
			return -EBADMSG;
		while ((section = iothdns_get_rr(pkt, &rr, name)) == IOTHDNS_SEC_ANSWER) {
			if (rr.type == IOTHDNS_TYPE_CNAME && rr.class == IOTHDNS_CLASS_IN &&
					dns_name_equal(name, canon)) {
				iothdns_get_name(pkt, target);
				if (!dns_pkt_error(pkt) && target[0] != '\0') {
					found = 1;
					break;
				}
			}
		}
		iothdns_free(pkt);
		if (!found)
			return 0;
		snprintf(canon, IOTHDNS_MAXNAME, "%s", target);
	}
	return 0;
}

int dns_collect_addrs(const void *msg, size_t len, const char *qname,
		uint16_t qtype, void *addrs, int n, char *canon) {
	struct iothdns_header h;
	char hname[IOTHDNS_MAXNAME];
	char chainend[IOTHDNS_MAXNAME];
	size_t alen = qtype == IOTHDNS_TYPE_A ? 4 : 16;
	int count = 0, section;
	if (follow_chain(msg, len, qname, chainend) < 0)
		return -EBADMSG;
	if (canon)
		snprintf(canon, IOTHDNS_MAXNAME, "%s", chainend);
	struct iothdns_pkt *pkt = iothdns_get_header(&h, (void *) msg, len, hname);
	if (pkt == NULL)
		return -EBADMSG;
	struct iothdns_rr rr;
	char name[IOTHDNS_MAXNAME];
	while ((section = iothdns_get_rr(pkt, &rr, name)) == IOTHDNS_SEC_ANSWER) {
		/* only records of the name at the end of the chain: anything else
		 * in the answer was not asked for (RFC 5452 9.1, poisoning) */
		if (rr.type != qtype || rr.class != IOTHDNS_CLASS_IN || rr.rdlength != alen ||
				!dns_name_equal(name, chainend))
			continue;
		if (count < n && addrs != NULL)
			iothdns_get_data(pkt, (uint8_t *) addrs + count * alen, alen);
		count++;
	}
	iothdns_free(pkt);
	return count;
}

int dns_collect_ptr(const void *msg, size_t len, const char *qname, char *out) {
	struct iothdns_header h;
	char hname[IOTHDNS_MAXNAME];
	char chainend[IOTHDNS_MAXNAME];
	int found = 0;
	if (follow_chain(msg, len, qname, chainend) < 0)
		return -EBADMSG;
	struct iothdns_pkt *pkt = iothdns_get_header(&h, (void *) msg, len, hname);
	if (pkt == NULL)
		return -EBADMSG;
	struct iothdns_rr rr;
	char name[IOTHDNS_MAXNAME];
	while (iothdns_get_rr(pkt, &rr, name) == IOTHDNS_SEC_ANSWER) {
		if (rr.type == IOTHDNS_TYPE_PTR && rr.class == IOTHDNS_CLASS_IN &&
				dns_name_equal(name, chainend)) {
			iothdns_get_name(pkt, out);
			if (!dns_pkt_error(pkt) && out[0] != '\0') {
				found = 1;
				break;
			}
		}
	}
	iothdns_free(pkt);
	return found;
}
