/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The message codec: round trips for every record type, compression,
 * escapes, and hostile messages (truncated, pointer loops, forward and
 * out-of-bounds pointers, labels over 63, names over 255, counts that
 * lie). Messages are parsed from heap buffers of their exact size, so
 * AddressSanitizer sees any read past the end. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <iothdns.h>

/* copy into an exact-size heap buffer */
static uint8_t *dup_exact(const void *src, size_t len) {
	uint8_t *p = malloc(len ? len : 1);
	assert_non_null(p);
	memcpy(p, src, len);
	return p;
}

static struct iothdns_pkt *new_reply(const char *qname, int qtype) {
	struct iothdns_header h = {0x1234, IOTHDNS_RESPONSE | IOTHDNS_AA | IOTHDNS_RD,
		qname, qtype, IOTHDNS_CLASS_IN};
	struct iothdns_pkt *pkt = iothdns_put_header(&h);
	assert_non_null(pkt);
	return pkt;
}

static void put_rr(struct iothdns_pkt *pkt, int section, const char *name, int type, uint32_t ttl) {
	struct iothdns_rr rr = {name, type, IOTHDNS_CLASS_IN, ttl, 0};
	iothdns_put_rr(section, pkt, &rr);
}

/* Compose one message holding every record type we know, parse it back. */
static void test_roundtrip_all_types(void **state) {
	(void) state;
	struct iothdns_pkt *pkt = new_reply("www.example.test", IOTHDNS_TYPE_ANY);
	uint8_t a[4] = {198, 18, 0, 1};
	struct in6_addr a6;
	inet_pton(AF_INET6, "fd00::53", &a6);
	uint8_t nulldata[5] = {0, 1, 2, 0xfe, 0xff};

	put_rr(pkt, IOTHDNS_SEC_ANSWER, "www.example.test", IOTHDNS_TYPE_A, 300);
	iothdns_put_a(pkt, a);
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "www.example.test", IOTHDNS_TYPE_AAAA, 301);
	iothdns_put_aaaa(pkt, &a6);
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "alias.example.test", IOTHDNS_TYPE_CNAME, 302);
	iothdns_put_name(pkt, "www.example.test");
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "example.test", IOTHDNS_TYPE_MX, 303);
	iothdns_put_int16(pkt, 10);
	iothdns_put_name(pkt, "mail.example.test");
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "example.test", IOTHDNS_TYPE_TXT, 304);
	iothdns_put_string(pkt, "v=spf1 -all");
	iothdns_put_string(pkt, "second string");
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "_sip._udp.example.test", IOTHDNS_TYPE_SRV, 305);
	iothdns_put_int16(pkt, 1);
	iothdns_put_int16(pkt, 2);
	iothdns_put_int16(pkt, 5060);
	iothdns_put_name_uncompressed(pkt, "sip.example.test"); /* RFC 2782: no compression */
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "1.0.18.198.in-addr.arpa", IOTHDNS_TYPE_PTR, 306);
	iothdns_put_name(pkt, "www.example.test");
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "null.example.test", IOTHDNS_TYPE_NULL, 307);
	iothdns_put_data(pkt, nulldata, sizeof(nulldata));
	put_rr(pkt, IOTHDNS_SEC_AUTH, "example.test", IOTHDNS_TYPE_NS, 308);
	iothdns_put_name(pkt, "ns1.example.test");
	put_rr(pkt, IOTHDNS_SEC_AUTH, "example.test", IOTHDNS_TYPE_SOA, 309);
	iothdns_put_name(pkt, "ns1.example.test");
	iothdns_put_name(pkt, "hostmaster.example.test");
	iothdns_put_int32(pkt, 2026112701);
	iothdns_put_int32(pkt, 3600);
	iothdns_put_int32(pkt, 600);
	iothdns_put_int32(pkt, 86400);
	iothdns_put_int32(pkt, 0xdeadbeef);
	put_rr(pkt, IOTHDNS_SEC_ADDITIONAL, "", IOTHDNS_TYPE_OPT, 0);
	iothdns_put_int8(pkt, 0xab);

	size_t len = iothdns_buflen(pkt);
	uint8_t *msg = dup_exact(iothdns_buf(pkt), len);
	iothdns_free(pkt);

	struct iothdns_header h;
	char qname[IOTHDNS_MAXNAME], name[IOTHDNS_MAXNAME], buf[IOTHDNS_MAXNAME];
	struct iothdns_rr rr;
	pkt = iothdns_get_header(&h, msg, len, qname);
	assert_non_null(pkt);
	assert_int_equal(h.id, 0x1234);
	assert_int_equal(h.flags, IOTHDNS_RESPONSE | IOTHDNS_AA | IOTHDNS_RD);
	assert_string_equal(h.qname, "www.example.test");
	assert_int_equal(h.qtype, IOTHDNS_TYPE_ANY);
	assert_int_equal(h.qclass, IOTHDNS_CLASS_IN);

	uint8_t ga[4];
	struct in6_addr ga6;
	assert_int_equal(iothdns_get_rr(pkt, &rr, name), IOTHDNS_SEC_ANSWER);
	assert_string_equal(rr.name, "www.example.test");
	assert_int_equal(rr.type, IOTHDNS_TYPE_A);
	assert_int_equal(rr.class, IOTHDNS_CLASS_IN);
	assert_int_equal(rr.ttl, 300);
	assert_int_equal(rr.rdlength, 4);
	iothdns_get_a(pkt, ga);
	assert_memory_equal(ga, a, 4);

	assert_int_equal(iothdns_get_rr(pkt, &rr, name), IOTHDNS_SEC_ANSWER);
	assert_int_equal(rr.type, IOTHDNS_TYPE_AAAA);
	assert_int_equal(rr.ttl, 301);
	assert_int_equal(rr.rdlength, 16);
	iothdns_get_aaaa(pkt, &ga6);
	assert_memory_equal(&ga6, &a6, 16);

	assert_int_equal(iothdns_get_rr(pkt, &rr, name), IOTHDNS_SEC_ANSWER);
	assert_string_equal(rr.name, "alias.example.test");
	assert_int_equal(rr.type, IOTHDNS_TYPE_CNAME);
	/* the target was compressed to a single pointer */
	assert_int_equal(rr.rdlength, 2);
	assert_string_equal(iothdns_get_name(pkt, buf), "www.example.test");

	assert_int_equal(iothdns_get_rr(pkt, &rr, name), IOTHDNS_SEC_ANSWER);
	assert_int_equal(rr.type, IOTHDNS_TYPE_MX);
	assert_string_equal(rr.name, "example.test");
	assert_int_equal(iothdns_get_int16(pkt), 10);
	assert_string_equal(iothdns_get_name(pkt, buf), "mail.example.test");

	assert_int_equal(iothdns_get_rr(pkt, &rr, name), IOTHDNS_SEC_ANSWER);
	assert_int_equal(rr.type, IOTHDNS_TYPE_TXT);
	assert_int_equal(rr.rdlength, 1 + 11 + 1 + 13);
	assert_string_equal(iothdns_get_string(pkt, buf), "v=spf1 -all");
	assert_string_equal(iothdns_get_string(pkt, buf), "second string");

	assert_int_equal(iothdns_get_rr(pkt, &rr, name), IOTHDNS_SEC_ANSWER);
	assert_int_equal(rr.type, IOTHDNS_TYPE_SRV);
	assert_string_equal(rr.name, "_sip._udp.example.test");
	assert_int_equal(rr.rdlength, 6 + 18);
	assert_int_equal(iothdns_get_int16(pkt), 1);
	assert_int_equal(iothdns_get_int16(pkt), 2);
	assert_int_equal(iothdns_get_int16(pkt), 5060);
	assert_string_equal(iothdns_get_name(pkt, buf), "sip.example.test");

	assert_int_equal(iothdns_get_rr(pkt, &rr, name), IOTHDNS_SEC_ANSWER);
	assert_int_equal(rr.type, IOTHDNS_TYPE_PTR);
	assert_string_equal(rr.name, "1.0.18.198.in-addr.arpa");
	assert_string_equal(iothdns_get_name(pkt, buf), "www.example.test");

	assert_int_equal(iothdns_get_rr(pkt, &rr, name), IOTHDNS_SEC_ANSWER);
	assert_int_equal(rr.type, IOTHDNS_TYPE_NULL);
	assert_int_equal(rr.rdlength, 5);
	uint8_t gd[5];
	iothdns_get_data(pkt, gd, 5);
	assert_memory_equal(gd, nulldata, 5);

	assert_int_equal(iothdns_get_rr(pkt, &rr, name), IOTHDNS_SEC_AUTH);
	assert_int_equal(rr.type, IOTHDNS_TYPE_NS);
	assert_string_equal(iothdns_get_name(pkt, buf), "ns1.example.test");

	assert_int_equal(iothdns_get_rr(pkt, &rr, name), IOTHDNS_SEC_AUTH);
	assert_int_equal(rr.type, IOTHDNS_TYPE_SOA);
	assert_int_equal(rr.ttl, 309);
	assert_string_equal(iothdns_get_name(pkt, buf), "ns1.example.test");
	assert_string_equal(iothdns_get_name(pkt, buf), "hostmaster.example.test");
	assert_int_equal(iothdns_get_int32(pkt), 2026112701);
	assert_int_equal(iothdns_get_int32(pkt), 3600);
	assert_int_equal(iothdns_get_int32(pkt), 600);
	assert_int_equal(iothdns_get_int32(pkt), 86400);
	assert_int_equal(iothdns_get_int32(pkt), 0xdeadbeef);

	assert_int_equal(iothdns_get_rr(pkt, &rr, name), IOTHDNS_SEC_ADDITIONAL);
	assert_int_equal(rr.type, IOTHDNS_TYPE_OPT);
	assert_string_equal(rr.name, "");
	assert_int_equal(iothdns_get_int8(pkt), 0xab);

	assert_int_equal(iothdns_get_rr(pkt, &rr, name), 0);
	assert_int_equal(iothdns_get_rr(pkt, &rr, name), 0);
	/* parse mode: buf/buflen are the caller's message */
	assert_ptr_equal(iothdns_buf(pkt), msg);
	assert_int_equal(iothdns_buflen(pkt), len);
	iothdns_free(pkt);
	free(msg);
}

/* Unread record data is skipped: get_rr goes by rdlength. */
static void test_skip_unread_data(void **state) {
	(void) state;
	struct iothdns_pkt *pkt = new_reply("a.test", IOTHDNS_TYPE_MX);
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "a.test", IOTHDNS_TYPE_MX, 1);
	iothdns_put_int16(pkt, 5);
	iothdns_put_name(pkt, "mx.a.test");
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "a.test", IOTHDNS_TYPE_TXT, 2);
	iothdns_put_string(pkt, "hello");
	size_t len = iothdns_buflen(pkt);
	uint8_t *msg = dup_exact(iothdns_buf(pkt), len);
	iothdns_free(pkt);
	struct iothdns_header h;
	struct iothdns_rr rr;
	char q[IOTHDNS_MAXNAME], n[IOTHDNS_MAXNAME], s[IOTHDNS_MAXNAME];
	pkt = iothdns_get_header(&h, msg, len, q);
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 1);
	assert_int_equal(iothdns_get_int8(pkt), 0); /* half of the preference */
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 1);
	assert_int_equal(rr.type, IOTHDNS_TYPE_TXT);
	assert_string_equal(iothdns_get_string(pkt, s), "hello");
	/* past the end of the record: zeros, never the next bytes */
	assert_int_equal(iothdns_get_int32(pkt), 0);
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 0);
	iothdns_free(pkt);
	free(msg);
}

/* RFC 1035 4.1.4: repeated suffixes become pointers, case-insensitively. */
static void test_compression(void **state) {
	(void) state;
	struct iothdns_pkt *pkt = new_reply("Host.Example.TEST", IOTHDNS_TYPE_A);
	size_t base = iothdns_buflen(pkt);
	/* 12 header + (1+4 +1+7 +1+4 +1) name + 4 */
	assert_int_equal(base, 12 + 19 + 4);
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "host.example.test", IOTHDNS_TYPE_A, 0);
	iothdns_put_a(pkt, (uint8_t[]){1, 2, 3, 4});
	/* owner fully compressed: 2 + 10 + 4 */
	assert_int_equal(iothdns_buflen(pkt), base + 16);
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "other.example.test", IOTHDNS_TYPE_A, 0);
	iothdns_put_a(pkt, (uint8_t[]){5, 6, 7, 8});
	/* "other" + pointer to example.test */
	assert_int_equal(iothdns_buflen(pkt), base + 16 + 6 + 2 + 14);
	size_t len = iothdns_buflen(pkt);
	uint8_t *msg = dup_exact(iothdns_buf(pkt), len);
	iothdns_free(pkt);
	struct iothdns_header h;
	struct iothdns_rr rr;
	char q[IOTHDNS_MAXNAME], n[IOTHDNS_MAXNAME];
	pkt = iothdns_get_header(&h, msg, len, q);
	assert_string_equal(q, "Host.Example.TEST");
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 1);
	assert_string_equal(n, "Host.Example.TEST"); /* the written case wins */
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 1);
	assert_string_equal(n, "other.Example.TEST");
	iothdns_free(pkt);
	free(msg);
}

/* A name that repeats its own suffix, and names sharing it afterwards. */
static void test_compression_self_suffix(void **state) {
	(void) state;
	struct iothdns_pkt *pkt = new_reply("x.example.test.example.test", IOTHDNS_TYPE_A);
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "example.test.example.test", IOTHDNS_TYPE_CNAME, 0);
	iothdns_put_name(pkt, "test.example.test");
	size_t len = iothdns_buflen(pkt);
	uint8_t *msg = dup_exact(iothdns_buf(pkt), len);
	iothdns_free(pkt);
	struct iothdns_header h;
	struct iothdns_rr rr;
	char q[IOTHDNS_MAXNAME], n[IOTHDNS_MAXNAME], t[IOTHDNS_MAXNAME];
	pkt = iothdns_get_header(&h, msg, len, q);
	assert_non_null(pkt);
	assert_string_equal(q, "x.example.test.example.test");
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 1);
	assert_string_equal(n, "example.test.example.test");
	assert_int_equal(rr.rdlength, 2);
	assert_string_equal(iothdns_get_name(pkt, t), "test.example.test");
	iothdns_free(pkt);
	free(msg);
}

/* Presentation escapes read back to the same wire labels. */
static void test_escapes(void **state) {
	(void) state;
	struct iothdns_pkt *pkt = new_reply("a\\.b.c\\032d.\\\\e.test.", IOTHDNS_TYPE_A);
	size_t len = iothdns_buflen(pkt);
	uint8_t *msg = dup_exact(iothdns_buf(pkt), len);
	iothdns_free(pkt);
	/* labels: "a.b" "c d" "\e" "test" */
	static const uint8_t wire[] = "\3a.b\3c d\2\\e\4test";
	assert_memory_equal(msg + 12, wire, sizeof(wire));
	struct iothdns_header h;
	char q[IOTHDNS_MAXNAME];
	pkt = iothdns_get_header(&h, msg, len, q);
	assert_non_null(pkt);
	assert_string_equal(q, "a\\.b.c\\032d.\\\\e.test");
	iothdns_free(pkt);
	free(msg);
}

/* A record in a lower section than the previous one is discarded with
 * its data; counts are computed. */
static void test_section_order(void **state) {
	(void) state;
	struct iothdns_pkt *pkt = new_reply("a.test", IOTHDNS_TYPE_A);
	put_rr(pkt, IOTHDNS_SEC_AUTH, "a.test", IOTHDNS_TYPE_NS, 0);
	iothdns_put_name(pkt, "ns.test");
	size_t before = iothdns_buflen(pkt);
	put_rr(pkt, IOTHDNS_SEC_ANSWER, "a.test", IOTHDNS_TYPE_A, 0);
	iothdns_put_a(pkt, (uint8_t[]){1, 1, 1, 1});
	assert_int_equal(iothdns_buflen(pkt), before);
	put_rr(pkt, IOTHDNS_SEC_ADDITIONAL, "ns.test", IOTHDNS_TYPE_A, 0);
	iothdns_put_a(pkt, (uint8_t[]){2, 2, 2, 2});
	uint8_t *m = iothdns_buf(pkt);
	assert_int_equal((m[4] << 8) | m[5], 1);
	assert_int_equal((m[6] << 8) | m[7], 0);
	assert_int_equal((m[8] << 8) | m[9], 1);
	assert_int_equal((m[10] << 8) | m[11], 1);
	iothdns_free(pkt);
}

static void test_rewrite_header(void **state) {
	(void) state;
	struct iothdns_pkt *pkt = new_reply("a.test", IOTHDNS_TYPE_A);
	iothdns_rewrite_header(pkt, 0xbeef, IOTHDNS_RESPONSE | IOTHDNS_RCODE_ENOENT);
	uint16_t id, flags;
	iothdns_retrieve_header(pkt, &id, &flags);
	assert_int_equal(id, 0xbeef);
	assert_int_equal(flags, IOTHDNS_RESPONSE | IOTHDNS_RCODE_ENOENT);
	size_t len = iothdns_buflen(pkt);
	uint8_t *msg = dup_exact(iothdns_buf(pkt), len);
	iothdns_free(pkt);
	struct iothdns_header h;
	char q[IOTHDNS_MAXNAME];
	pkt = iothdns_get_header(&h, msg, len, q);
	assert_int_equal(h.id, 0xbeef);
	iothdns_rewrite_header(pkt, 7, 0);
	iothdns_retrieve_header(pkt, &id, NULL);
	assert_int_equal(id, 7);
	assert_int_equal(msg[1], 7); /* in place, in the caller's buffer */
	iothdns_free(pkt);
	free(msg);
}

/* Names that cannot be encoded: label > 63, name > 255, empty labels. */
static void test_bad_names_compose(void **state) {
	(void) state;
	char label64[80], long_name[400];
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".test");
	/* 64 labels of 3 bytes + length = 256 > 255 */
	long_name[0] = 0;
	for (int i = 0; i < 64; i++)
		strcat(long_name, "abc.");
	const char *bad[] = {label64, long_name, "a..b", ".a", "a\\"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct iothdns_pkt *pkt = new_reply(bad[i], IOTHDNS_TYPE_A);
		size_t len = iothdns_buflen(pkt);
		/* the bad name is replaced by the root: still a valid message */
		assert_int_equal(len, 12 + 1 + 4);
		uint8_t *msg = dup_exact(iothdns_buf(pkt), len);
		iothdns_free(pkt);
		struct iothdns_header h;
		char q[IOTHDNS_MAXNAME];
		pkt = iothdns_get_header(&h, msg, len, q);
		assert_non_null(pkt);
		assert_string_equal(q, "");
		iothdns_free(pkt);
		free(msg);
	}
	/* 63 is fine */
	label64[63] = '.';
	label64[64] = 0;
	struct iothdns_pkt *pkt = new_reply(label64, IOTHDNS_TYPE_A);
	assert_int_equal(iothdns_buflen(pkt), 12 + 65 + 4);
	iothdns_free(pkt);
}

/* ---- hostile input ---- */

static const uint8_t hdr_q1[] = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0};

static struct iothdns_pkt *parse(const uint8_t *m, size_t len, uint8_t **copy,
		struct iothdns_header *h, char *q) {
	*copy = dup_exact(m, len);
	return iothdns_get_header(h, *copy, len, q);
}

static void test_short_header(void **state) {
	(void) state;
	struct iothdns_header h;
	char q[IOTHDNS_MAXNAME];
	for (size_t len = 0; len < 12; len++) {
		uint8_t *c;
		assert_null(parse(hdr_q1, len, &c, &h, q));
		free(c);
	}
}

static void test_pointer_loops(void **state) {
	(void) state;
	struct iothdns_header h;
	char q[IOTHDNS_MAXNAME];
	uint8_t *c;
	/* question name is a pointer to itself */
	uint8_t self[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
	assert_null(parse(self, sizeof(self), &c, &h, q));
	free(c);
	/* two pointers to each other: label "a" then pointer to 16, at 16
	 * pointer back to 12 */
	uint8_t pair[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
		1, 'a', 0xc0, 16, 0xc0, 12, 0, 1, 0, 1};
	assert_null(parse(pair, sizeof(pair), &c, &h, q));
	free(c);
	/* forward pointer (to bytes after it) */
	uint8_t fwd[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 18, 0, 1, 0, 1, 1, 'x', 0};
	assert_null(parse(fwd, sizeof(fwd), &c, &h, q));
	free(c);
	/* out of bounds pointer */
	uint8_t oob[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 1, 0, 1};
	assert_null(parse(oob, sizeof(oob), &c, &h, q));
	free(c);
	/* a pointer cut in half at the end */
	uint8_t half[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0};
	assert_null(parse(half, sizeof(half), &c, &h, q));
	free(c);
}

static void test_bad_labels(void **state) {
	(void) state;
	struct iothdns_header h;
	char q[IOTHDNS_MAXNAME];
	uint8_t *c;
	/* 0x40: extended label type (label length 64 does not exist) */
	uint8_t ext[12 + 70] = {0, 1, 0, 0, 0, 1};
	ext[12] = 64;
	memset(ext + 13, 'a', 64);
	assert_null(parse(ext, sizeof(ext), &c, &h, q));
	free(c);
	/* 0x80 */
	uint8_t e80[] = {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x81, 'a', 0, 0, 1, 0, 1};
	assert_null(parse(e80, sizeof(e80), &c, &h, q));
	free(c);
	/* a name of 5 labels of 63 bytes: 320 bytes > 255 */
	uint8_t longn[12 + 5 * 64 + 1 + 4] = {0, 1, 0, 0, 0, 1};
	for (int i = 0; i < 5; i++) {
		longn[12 + i * 64] = 63;
		memset(longn + 13 + i * 64, 'b', 63);
	}
	assert_null(parse(longn, sizeof(longn), &c, &h, q));
	free(c);
	/* over 255 through pointers: each name adds to the previous one */
	uint8_t chain[600] = {0x80, 0, 0x80, 0, 0, 1, 0, 5, 0, 0, 0, 0};
	size_t p = 12;
	chain[p++] = 0; /* question: root */
	chain[p++] = 0; chain[p++] = 1; chain[p++] = 0; chain[p++] = 1;
	size_t prev = 12;
	for (int i = 0; i < 5; i++) {
		size_t start = p;
		chain[p++] = 60;
		memset(chain + p, 'c', 60);
		p += 60;
		chain[p++] = 0xc0 | (prev >> 8);
		chain[p++] = prev & 0xff;
		chain[p++] = 0; chain[p++] = 1; chain[p++] = 0; chain[p++] = 1;
		chain[p++] = 0; chain[p++] = 0; chain[p++] = 0; chain[p++] = 0;
		chain[p++] = 0; chain[p++] = 0;
		prev = start;
	}
	struct iothdns_pkt *pkt = parse(chain, p, &c, &h, q);
	assert_non_null(pkt);
	struct iothdns_rr rr;
	char n[IOTHDNS_MAXNAME];
	/* 61+1, 122+1, 183+1, 244+1 fit; 305 does not */
	for (int i = 0; i < 4; i++)
		assert_int_equal(iothdns_get_rr(pkt, &rr, n), 1);
	assert_int_equal(strlen(n), 4 * 61 - 1);
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 0);
	iothdns_free(pkt);
	free(c);
}

/* ANCOUNT says 5, there is 1 record; rdlength past the end. */
static void test_lying_counts(void **state) {
	(void) state;
	struct iothdns_header h;
	struct iothdns_rr rr;
	char q[IOTHDNS_MAXNAME], n[IOTHDNS_MAXNAME];
	uint8_t *c;
	uint8_t m[] = {0, 1, 0x81, 0x80, 0, 1, 0, 5, 0, 3, 0, 7,
		1, 'a', 0, 0, 1, 0, 1,
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 9, 9, 9, 9};
	struct iothdns_pkt *pkt = parse(m, sizeof(m), &c, &h, q);
	assert_non_null(pkt);
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 1);
	assert_int_equal(rr.rdlength, 4);
	assert_int_equal(iothdns_get_int32(pkt), 0x09090909);
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 0);
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 0);
	iothdns_free(pkt);
	free(c);
	/* rdlength 200 with 4 bytes present */
	m[7] = 1;
	m[30] = 200;
	pkt = parse(m, sizeof(m), &c, &h, q);
	assert_non_null(pkt);
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 0);
	iothdns_free(pkt);
	free(c);
	/* QDCOUNT 4: the fourth question runs into a forward pointer */
	m[5] = 4;
	assert_null(parse(m, sizeof(m), &c, &h, q));
	free(c);
}

/* Reads inside a record stop at its end: strings, names, data. */
static void test_reads_bounded(void **state) {
	(void) state;
	struct iothdns_header h;
	struct iothdns_rr rr;
	char q[IOTHDNS_MAXNAME], n[IOTHDNS_MAXNAME], s[IOTHDNS_MAXNAME];
	uint8_t *c;
	/* TXT whose string claims 50 bytes in a 3-byte record, followed by
	 * another record that must not be read into the string */
	uint8_t m[] = {0, 1, 0x81, 0x80, 0, 0, 0, 2, 0, 0, 0, 0,
		0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 3, 50, 'h', 'i',
		0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4};
	struct iothdns_pkt *pkt = parse(m, sizeof(m), &c, &h, q);
	assert_non_null(pkt);
	assert_string_equal(q, "");
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 1);
	assert_int_equal(rr.type, IOTHDNS_TYPE_TXT);
	assert_string_equal(iothdns_get_string(pkt, s), "");
	uint8_t d[8] = {0xff};
	iothdns_get_data(pkt, d, 8);
	assert_int_equal(d[0], 0);
	/* the next record is intact and is read */
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 1);
	assert_int_equal(rr.type, IOTHDNS_TYPE_A);
	assert_int_equal(iothdns_get_int32(pkt), 0x01020304);
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 0);
	iothdns_free(pkt);
	free(c);
	/* a name in rdata that runs past rdlength */
	uint8_t m2[] = {0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0,
		0, 0, 5, 0, 1, 0, 0, 0, 0, 0, 2, 3, 'a', 'b', 'c', 0};
	pkt = parse(m2, sizeof(m2), &c, &h, q);
	assert_int_equal(iothdns_get_rr(pkt, &rr, n), 1);
	assert_string_equal(iothdns_get_name(pkt, s), "");
	iothdns_free(pkt);
	free(c);
}

/* Every prefix of a valid message parses without reading past it. */
static void test_every_truncation(void **state) {
	(void) state;
	struct iothdns_pkt *pkt = new_reply("trunc.example.test", IOTHDNS_TYPE_A);
	for (int i = 0; i < 3; i++) {
		put_rr(pkt, IOTHDNS_SEC_ANSWER, "trunc.example.test", IOTHDNS_TYPE_CNAME, 1);
		iothdns_put_name(pkt, "x.example.test");
	}
	put_rr(pkt, IOTHDNS_SEC_ADDITIONAL, "x.example.test", IOTHDNS_TYPE_TXT, 1);
	iothdns_put_string(pkt, "some text");
	size_t len = iothdns_buflen(pkt);
	uint8_t *full = dup_exact(iothdns_buf(pkt), len);
	iothdns_free(pkt);
	for (size_t l = 0; l <= len; l++) {
		uint8_t *c = dup_exact(full, l);
		struct iothdns_header h;
		struct iothdns_rr rr;
		char q[IOTHDNS_MAXNAME], n[IOTHDNS_MAXNAME], s[IOTHDNS_MAXNAME];
		int records = 0;
		pkt = iothdns_get_header(&h, c, l, q);
		if (pkt) {
			int sec;
			while ((sec = iothdns_get_rr(pkt, &rr, n)) != 0) {
				records++;
				if (rr.type == IOTHDNS_TYPE_CNAME)
					iothdns_get_name(pkt, s);
				else
					iothdns_get_string(pkt, s);
			}
			iothdns_free(pkt);
		}
		/* only the whole message yields all four records */
		if (l == len)
			assert_int_equal(records, 4);
		else
			assert_true(records < 4);
		free(c);
	}
	free(full);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_all_types),
		cmocka_unit_test(test_skip_unread_data),
		cmocka_unit_test(test_compression),
		cmocka_unit_test(test_compression_self_suffix),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_section_order),
		cmocka_unit_test(test_rewrite_header),
		cmocka_unit_test(test_bad_names_compose),
		cmocka_unit_test(test_short_header),
		cmocka_unit_test(test_pointer_loops),
		cmocka_unit_test(test_bad_labels),
		cmocka_unit_test(test_lying_counts),
		cmocka_unit_test(test_reads_bounded),
		cmocka_unit_test(test_every_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
