/* SPDX-License-Identifier: LGPL-2.1-or-later
 * DHCPv4, DHCPv6 and RA codecs: round trips, server messages built by
 * hand from the RFC layouts, and truncated/hostile input (run under ASan,
 * any read past the end is a failure). */
#define _GNU_SOURCE   /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "iothconf_int.h"

/* A parser gets exactly len bytes, in a heap block of that size, so that
 * ASan catches the first byte read past the end. */
#define PARSE_EXACT(fn, buf, len, out) ({ \
	uint8_t *_c = malloc((len) ? (len) : 1); \
	memcpy(_c, (buf), (len)); \
	int _r = fn(_c, (len), (out)); \
	free(_c); \
	_r; })

/* ---------------- DHCPv4 ---------------- */

static size_t dhcp4_server_msg(uint8_t *b, uint8_t type, uint32_t xid, const uint8_t *mac) {
	memset(b, 0, 576);
	b[0] = 2; b[1] = 1; b[2] = 6;
	b[4] = xid >> 24; b[5] = xid >> 16; b[6] = xid >> 8; b[7] = xid;
	inet_pton(AF_INET, "198.18.5.10", b + 16);   /* yiaddr */
	memcpy(b + 28, mac, 6);
	b[236] = 99; b[237] = 130; b[238] = 83; b[239] = 99;
	size_t o = 240;
	uint8_t opts[] = {
		53, 1, type,
		54, 4, 198, 18, 5, 1,
		1, 4, 255, 255, 255, 0,
		3, 8, 198, 18, 5, 1, 198, 18, 5, 2,
		6, 8, 198, 18, 5, 53, 198, 18, 5, 54,
		15, 12, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 't', 'e', 's', 't',
		51, 4, 0, 0, 0, 60,
		58, 4, 0, 0, 0, 20,
		59, 4, 0, 0, 0, 50,
		26, 2, 0x05, 0xdc,
		0, 0,   /* pad */
		255};
	memcpy(b + o, opts, sizeof(opts));
	return o + sizeof(opts);
}

static void test_dhcp4_roundtrip(void **state) {
	uint8_t mac[6] = {0x02, 0, 0, 0, 0, 1};
	struct dhcp4_msg m = {.type = DHCP4_REQUEST, .xid = 0x12345678, .fqdn = "node.example.test",
		.hostname = "node"};
	memcpy(m.chaddr, mac, 6);
	inet_pton(AF_INET, "198.18.5.10", &m.reqip);
	inet_pton(AF_INET, "198.18.5.1", &m.server_id);
	uint8_t buf[576];
	int n = ic_dhcp4_emit(&m, buf, sizeof(buf));
	assert_true(n >= 300);
	assert_int_equal(buf[0], 1);   /* BOOTREQUEST */
	struct dhcp4_msg p;
	assert_int_equal(ic_dhcp4_parse(buf, n, &p), 0);
	assert_int_equal(p.type, DHCP4_REQUEST);
	assert_int_equal(p.xid, 0x12345678);
	assert_memory_equal(p.chaddr, mac, 6);
	assert_int_equal(p.reqip, m.reqip);
	assert_int_equal(p.server_id, m.server_id);
	assert_int_equal(p.has_clientid, 1);
	assert_memory_equal(p.clientid + 1, mac, 6);
	/* RFC 4702: option 81, flags S|E, wire-format name */
	uint8_t fq[] = {81, 3 + 19, 0x05, 0, 0, 4, 'n', 'o', 'd', 'e', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0};
	assert_non_null(memmem(buf + 240, n - 240, fq, sizeof(fq)));
	uint8_t hn[] = {12, 4, 'n', 'o', 'd', 'e'};
	assert_non_null(memmem(buf + 240, n - 240, hn, sizeof(hn)));
	assert_int_equal(ic_dhcp4_emit(&m, buf, 100), -ENOSPC);
}

static void test_dhcp4_ack(void **state) {
	uint8_t mac[6] = {0x02, 0, 0, 0, 0, 1}, b[576];
	size_t n = dhcp4_server_msg(b, DHCP4_ACK, 0xabcdef01, mac);
	struct dhcp4_msg m;
	assert_int_equal(PARSE_EXACT(ic_dhcp4_parse, b, n, &m), 0);
	assert_int_equal(m.op, 2);
	assert_int_equal(m.type, DHCP4_ACK);
	assert_int_equal(m.xid, 0xabcdef01);
	char a[16];
	assert_string_equal(inet_ntop(AF_INET, &m.yiaddr, a, sizeof(a)), "198.18.5.10");
	assert_string_equal(inet_ntop(AF_INET, &m.server_id, a, sizeof(a)), "198.18.5.1");
	assert_true(m.has_mask);
	assert_int_equal(m.prefixlen, 24);
	assert_int_equal(m.nrouters, 2);
	assert_int_equal(m.ndns, 2);
	assert_string_equal(inet_ntop(AF_INET, &m.dns[1], a, sizeof(a)), "198.18.5.54");
	assert_string_equal(m.domain, "example.test");
	assert_int_equal(m.lease, 60);
	assert_int_equal(m.t1, 20);
	assert_int_equal(m.t2, 50);
	assert_int_equal(m.mtu, 1500);
}

static void test_dhcp4_hostile(void **state) {
	uint8_t mac[6] = {0x02, 0, 0, 0, 0, 1}, b[576], c[576];
	size_t n = dhcp4_server_msg(b, DHCP4_OFFER, 1, mac);
	struct dhcp4_msg m;
	/* every truncation: no crash, and below the fixed part an error */
	for (size_t l = 0; l < n; l++) {
		int rv = PARSE_EXACT(ic_dhcp4_parse, b, l, &m);
		if (l < DHCP4_MINLEN + 3)
			assert_int_equal(rv, -EBADMSG);
	}
	/* an option running past the end */
	memcpy(c, b, n);
	c[n - 1] = 6; /* replace END by DNS with no length */
	assert_int_equal(PARSE_EXACT(ic_dhcp4_parse, c, n, &m), -EBADMSG);
	memcpy(c, b, 250);
	c[240] = 53; c[241] = 1; c[242] = 2; c[243] = 6; c[244] = 200;
	assert_int_equal(PARSE_EXACT(ic_dhcp4_parse, c, 250, &m), -EBADMSG);
	/* bad cookie, no message type, wrong type length */
	memcpy(c, b, n);
	c[236] = 0;
	assert_int_equal(PARSE_EXACT(ic_dhcp4_parse, c, n, &m), -EBADMSG);
	memcpy(c, b, n);
	c[240] = 0; c[241] = 0; c[242] = 0;   /* type option padded away */
	assert_int_equal(PARSE_EXACT(ic_dhcp4_parse, c, n, &m), -EBADMSG);
	memcpy(c, b, n);
	c[241] = 2;
	assert_int_equal(PARSE_EXACT(ic_dhcp4_parse, c, n, &m), -EBADMSG);
	/* non contiguous netmask: not used */
	memcpy(c, b, n);
	c[249 + 3] = 0x0f;
	assert_int_equal(PARSE_EXACT(ic_dhcp4_parse, c, n, &m), 0);
	assert_false(m.has_mask);
	/* a domain with a newline would inject resolv.conf lines */
	memcpy(c, b, n);
	c[277 + 4] = '\n';
	assert_int_equal(PARSE_EXACT(ic_dhcp4_parse, c, n, &m), -EBADMSG);
	/* 40 routers: only DHCP4_MAXADDRS kept */
	memcpy(c, b, 240);
	c[240] = 53; c[241] = 1; c[242] = 5;
	c[243] = 54; c[244] = 4; c[245] = 1; c[246] = 2; c[247] = 3; c[248] = 4;
	c[249] = 3; c[250] = 160;
	memset(c + 251, 7, 160);
	c[411] = 255;
	assert_int_equal(PARSE_EXACT(ic_dhcp4_parse, c, 412, &m), 0);
	assert_int_equal(m.nrouters, DHCP4_MAXADDRS);
	/* option overload (RFC 2131 4.1): the message type in the file field */
	memset(c, 0, sizeof(c));
	memcpy(c, b, 240);
	c[240] = 52; c[241] = 1; c[242] = 1; c[243] = 255;
	c[108] = 53; c[109] = 1; c[110] = 5; c[111] = 255;
	assert_int_equal(PARSE_EXACT(ic_dhcp4_parse, c, 244, &m), 0);
	assert_int_equal(m.type, DHCP4_ACK);
	/* random bytes after a valid fixed part */
	srandom(4);
	for (int i = 0; i < 20000; i++) {
		size_t l = 240 + random() % 300;
		memcpy(c, b, 240);
		for (size_t k = 240; k < l; k++)
			c[k] = random() % 8 == 0 ? 255 : random();
		PARSE_EXACT(ic_dhcp4_parse, c, l, &m);
	}
}

static void test_ipudp(void **state) {
	uint8_t payload[300], frame[400];
	for (int i = 0; i < 300; i++)
		payload[i] = i * 7;
	uint32_t src, dst;
	inet_pton(AF_INET, "198.18.5.10", &src);
	dst = INADDR_BROADCAST;
	int n = ic_ipudp_emit(frame, sizeof(frame), src, dst, 68, 67, payload, 300);
	assert_int_equal(n, 328);
	uint32_t s;
	size_t off, plen;
	/* our own frame parses when sent to port 67 */
	assert_int_equal(ic_ipudp_parse(frame, n, 67, &s, &off, &plen), 0);
	assert_int_equal(s, src);
	assert_int_equal(off, 28);
	assert_int_equal(plen, 300);
	assert_memory_equal(frame + off, payload, 300);
	assert_int_equal(ic_ipudp_parse(frame, n, 68, &s, &off, &plen), -EBADMSG);
	for (int l = 0; l < n; l++) {
		uint8_t *c = malloc(l ? l : 1);
		memcpy(c, frame, l);
		assert_int_equal(ic_ipudp_parse(c, l, 67, &s, &off, &plen), -EBADMSG);
		free(c);
	}
	frame[100] ^= 1;   /* UDP checksum */
	assert_int_equal(ic_ipudp_parse(frame, n, 67, &s, &off, &plen), -EBADMSG);
	frame[100] ^= 1;
	frame[8] = 1;      /* IP checksum */
	assert_int_equal(ic_ipudp_parse(frame, n, 67, &s, &off, &plen), -EBADMSG);
	frame[8] = 64;
	frame[6] = 0x20;   /* more fragments */
	assert_int_equal(ic_ipudp_parse(frame, n, 67, &s, &off, &plen), -EBADMSG);
	assert_int_equal(ic_ipudp_emit(frame, 100, src, dst, 68, 67, payload, 300), -ENOSPC);
}

/* ---------------- DHCPv6 ---------------- */

static size_t put_opt(uint8_t *b, size_t o, uint16_t t, const void *v, uint16_t l) {
	b[o] = t >> 8; b[o + 1] = t; b[o + 2] = l >> 8; b[o + 3] = l;
	memcpy(b + o + 4, v, l);
	return o + 4 + l;
}

static const uint8_t duid[10] = {0, 3, 0, 1, 2, 0, 0, 0, 0, 1};
static const uint8_t sduid[14] = {0, 1, 0, 1, 1, 2, 3, 4, 0x52, 0x54, 0, 1, 2, 3};

static size_t dhcp6_reply(uint8_t *b) {
	size_t o = 4;
	b[0] = DHCP6_REPLY; b[1] = 1; b[2] = 2; b[3] = 3;
	o = put_opt(b, o, 1, duid, sizeof(duid));
	o = put_opt(b, o, 2, sduid, sizeof(sduid));
	uint8_t ia[12 + 28] = {0, 0, 0, 1, 0, 0, 0, 30, 0, 0, 0, 48, 0, 5, 0, 24};
	inet_pton(AF_INET6, "fd00:5::1234", ia + 16);
	ia[35] = 60;   /* preferred 60 */
	ia[39] = 90;   /* valid 90 */
	o = put_opt(b, o, 3, ia, sizeof(ia));
	uint8_t dns[32];
	inet_pton(AF_INET6, "fd00:5::53", dns);
	inet_pton(AF_INET6, "fd00:5::54", dns + 16);
	o = put_opt(b, o, 23, dns, 32);
	uint8_t dom[] = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0, 3, 'l', 'a', 'b', 0};
	o = put_opt(b, o, 24, dom, sizeof(dom));
	return o;
}

static void test_dhcp6_roundtrip(void **state) {
	struct dhcp6_msg m = {.type = DHCP6_REQUEST, .tid = {1, 2, 3}, .iaid = 0x00000001,
		.fqdn = "node.example.test", .naddrs = 1, .elapsed = 100};
	memcpy(m.clientid, duid, sizeof(duid));
	m.clientid_len = sizeof(duid);
	memcpy(m.serverid, sduid, sizeof(sduid));
	m.serverid_len = sizeof(sduid);
	inet_pton(AF_INET6, "fd00:5::1234", m.addrs[0].addr);
	uint8_t buf[512];
	int n = ic_dhcp6_emit(&m, buf, sizeof(buf));
	assert_true(n > 0);
	struct dhcp6_msg p;
	assert_int_equal(ic_dhcp6_parse(buf, n, &p), 0);
	assert_int_equal(p.type, DHCP6_REQUEST);
	assert_memory_equal(p.tid, m.tid, 3);
	assert_int_equal(p.clientid_len, sizeof(duid));
	assert_memory_equal(p.serverid, sduid, sizeof(sduid));
	assert_true(p.has_iana);
	assert_int_equal(p.iaid, 1);
	assert_int_equal(p.t1, 0);
	/* lifetimes 0 in a client message: dropped? no, 0 <= 0 is valid */
	assert_int_equal(p.naddrs, 1);
	assert_memory_equal(p.addrs[0].addr, m.addrs[0].addr, 16);
	/* RFC 4704 option 39: flags S, then the name */
	uint8_t fq[] = {0, 39, 0, 20, 0x01, 4, 'n', 'o', 'd', 'e', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0};
	assert_non_null(memmem(buf, n, fq, sizeof(fq)));
	assert_int_equal(ic_dhcp6_emit(&m, buf, 30), -ENOSPC);
}

static void test_dhcp6_reply(void **state) {
	uint8_t b[512];
	size_t n = dhcp6_reply(b);
	struct dhcp6_msg m;
	assert_int_equal(PARSE_EXACT(ic_dhcp6_parse, b, n, &m), 0);
	assert_int_equal(m.type, DHCP6_REPLY);
	assert_int_equal(m.serverid_len, sizeof(sduid));
	assert_int_equal(m.t1, 30);
	assert_int_equal(m.t2, 48);
	assert_int_equal(m.naddrs, 1);
	assert_int_equal(m.addrs[0].preferred, 60);
	assert_int_equal(m.addrs[0].valid, 90);
	assert_int_equal(m.ndns, 2);
	assert_string_equal(m.domains, "example.test lab");
	for (size_t l = 0; l < n; l++)
		PARSE_EXACT(ic_dhcp6_parse, b, l, &m);
	/* an IA address whose preferred lifetime exceeds the valid one */
	uint8_t c[512];
	memcpy(c, b, n);
	size_t ia = 4 + 14 + 18 + 4;   /* start of IA_NA payload */
	c[ia + 12 + 4 + 16 + 3] = 200;
	assert_int_equal(PARSE_EXACT(ic_dhcp6_parse, c, n, &m), 0);
	assert_int_equal(m.naddrs, 0);
	/* a compression pointer in the domain list */
	memcpy(c, b, n);
	c[n - 19 + 13] = 0xc0;
	assert_int_equal(PARSE_EXACT(ic_dhcp6_parse, c, n, &m), -EBADMSG);
	/* an option length beyond the message */
	memcpy(c, b, n);
	c[6] = 0x10;
	assert_int_equal(PARSE_EXACT(ic_dhcp6_parse, c, n, &m), -EBADMSG);
	/* a DUID longer than 130 */
	memset(c, 0, sizeof(c));
	c[0] = DHCP6_REPLY;
	size_t o = put_opt(c, 4, 2, c + 300, 200);
	assert_int_equal(PARSE_EXACT(ic_dhcp6_parse, c, o, &m), -EBADMSG);
	/* status NoAddrsAvail */
	uint8_t st[] = {0, 2, 'n', 'o'};
	o = put_opt(c, 4, 13, st, sizeof(st));
	assert_int_equal(PARSE_EXACT(ic_dhcp6_parse, c, o, &m), 0);
	assert_int_equal(m.status, 2);
	srandom(6);
	for (int i = 0; i < 20000; i++) {
		size_t l = 4 + random() % 300;
		for (size_t k = 0; k < l; k++)
			c[k] = random() % 4 == 0 ? 0 : random();
		PARSE_EXACT(ic_dhcp6_parse, c, l, &m);
	}
}

/* ---------------- RA ---------------- */

static size_t ra_build(uint8_t *b) {
	memset(b, 0, 256);
	b[0] = 134; b[1] = 0; b[4] = 64; b[5] = 0x00; b[6] = 0x07; b[7] = 0x08;   /* lifetime 1800 */
	size_t o = 16;
	b[o] = 1; b[o + 1] = 1; memcpy(b + o + 2, "\x52\x54\x00\x00\x00\x01", 6); o += 8;
	b[o] = 5; b[o + 1] = 1; b[o + 6] = 0x05; b[o + 7] = 0xdc; o += 8;
	b[o] = 3; b[o + 1] = 4; b[o + 2] = 64; b[o + 3] = 0xc0;
	b[o + 7] = 100; b[o + 11] = 50;
	inet_pton(AF_INET6, "fd00:7::", b + o + 16); o += 32;
	b[o] = 25; b[o + 1] = 5; b[o + 7] = 120;
	inet_pton(AF_INET6, "fd00:7::53", b + o + 8);
	inet_pton(AF_INET6, "fd00:7::54", b + o + 24); o += 40;
	b[o] = 31; b[o + 1] = 3; b[o + 7] = 120;
	memcpy(b + o + 8, "\x07" "example" "\x04" "test" "\x00", 14); o += 24;
	return o;
}

static void test_ra(void **state) {
	uint8_t b[256];
	size_t n = ra_build(b);
	struct ra_msg ra;
	assert_int_equal(PARSE_EXACT(ic_ra_parse, b, n, &ra), 0);
	assert_int_equal(ra.router_lifetime, 1800);
	assert_true(ra.has_sllao);
	assert_int_equal(ra.mtu, 1500);
	assert_int_equal(ra.nprefix, 1);
	assert_int_equal(ra.prefix[0].len, 64);
	assert_int_equal(ra.prefix[0].flags, 0xc0);
	assert_int_equal(ra.prefix[0].valid, 100);
	assert_int_equal(ra.prefix[0].preferred, 50);
	assert_int_equal(ra.nrdnss, 2);
	assert_int_equal(ra.rdnss_lifetime[1], 120);
	assert_string_equal(ra.dnssl, "example.test");
	for (size_t l = 0; l < n; l++)
		PARSE_EXACT(ic_ra_parse, b, l, &ra);
	uint8_t c[256];
	memcpy(c, b, n);
	c[16 + 1] = 0;   /* option of length 0: RFC 4861 6.1.2 invalid */
	assert_int_equal(PARSE_EXACT(ic_ra_parse, c, n, &ra), -EBADMSG);
	memcpy(c, b, n);
	c[1] = 1;        /* code != 0 */
	assert_int_equal(PARSE_EXACT(ic_ra_parse, c, n, &ra), -EBADMSG);
	memcpy(c, b, n);
	c[32 + 1] = 3;   /* prefix option of the wrong size */
	assert_int_equal(PARSE_EXACT(ic_ra_parse, c, n, &ra), -EBADMSG);
	memcpy(c, b, n);
	c[64 + 1] = 4;   /* RDNSS with a half address */
	assert_int_equal(PARSE_EXACT(ic_ra_parse, c, n, &ra), -EBADMSG);
	memcpy(c, b, n);
	c[104 + 8] = 40;   /* DNSSL label running past the option */
	assert_int_equal(PARSE_EXACT(ic_ra_parse, c, n, &ra), -EBADMSG);
	srandom(8);
	for (int i = 0; i < 20000; i++) {
		size_t l = 16 + random() % 200;
		memcpy(c, b, 16);
		for (size_t k = 16; k < l; k++)
			c[k] = random() % 3 == 0 ? random() % 32 : random() % 4;
		PARSE_EXACT(ic_ra_parse, c, l, &ra);
	}
}

static void test_rs(void **state) {
	uint8_t mac[6] = {2, 0, 0, 0, 0, 9}, b[16];
	assert_int_equal(ic_rs_emit(mac, b, sizeof(b)), 16);
	assert_int_equal(b[0], 133);
	assert_int_equal(b[8], 1);
	assert_int_equal(b[9], 1);
	assert_memory_equal(b + 10, mac, 6);
	assert_int_equal(ic_rs_emit(NULL, b, sizeof(b)), 8);
	assert_int_equal(ic_rs_emit(mac, b, 8), -ENOSPC);
}

static void test_dnames(void **state) {
	char out[64];
	uint8_t w[64];
	int n = ic_dname_encode("a.bc.", w, sizeof(w));
	assert_int_equal(n, 6);
	assert_memory_equal(w, "\x01" "a" "\x02" "bc" "\x00", 6);
	assert_int_equal(ic_dname_encode("a..b", w, sizeof(w)), -EINVAL);
	assert_int_equal(ic_dname_encode("abc.def", w, 4), -ENOSPC);
	assert_int_equal(ic_dnames_decode(w, n, out, sizeof(out)), 1);
	assert_string_equal(out, "a.bc");
	assert_int_equal(ic_dnames_decode((const uint8_t *) "\x01" "a", 2, out, sizeof(out)), -EBADMSG);
	assert_int_equal(ic_dnames_decode((const uint8_t *) "\xc0\x00", 2, out, sizeof(out)), -EBADMSG);
	assert_int_equal(ic_dnames_decode((const uint8_t *) "\x03" "a b\x00", 5, out, sizeof(out)), -EBADMSG);
	assert_int_equal(ic_dnames_decode((const uint8_t *) "\x03" "abc\x00", 5, out, 3), -ENOSPC);
	assert_int_equal(ic_dnames_decode((const uint8_t *) "\x00\x00", 2, out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dhcp4_roundtrip),
		cmocka_unit_test(test_dhcp4_ack),
		cmocka_unit_test(test_dhcp4_hostile),
		cmocka_unit_test(test_ipudp),
		cmocka_unit_test(test_dhcp6_roundtrip),
		cmocka_unit_test(test_dhcp6_reply),
		cmocka_unit_test(test_ra),
		cmocka_unit_test(test_rs),
		cmocka_unit_test(test_dnames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
