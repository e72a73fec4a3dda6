/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The configuration string parser: every option, and bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include "iothconf_int.h"

static struct ic_request req;

static unsigned flags_of(const char *s) {
	assert_int_equal(ic_parse(s, 0, &req), 0);
	return req.config;
}

static unsigned clean_of(const char *s) {
	assert_int_equal(ic_parse(s, 0, &req), 0);
	return req.clean;
}

static void test_flags(void **state) {
	assert_int_equal(flags_of("eth"), IC_ETH);
	assert_int_equal(flags_of("dhcp"), IC_DHCP);
	assert_int_equal(flags_of("dhcp4"), IC_DHCP);
	assert_int_equal(flags_of("dhcpv4"), IC_DHCP);
	assert_int_equal(flags_of("dhcp6"), IC_DHCPV6);
	assert_int_equal(flags_of("dhcpv6"), IC_DHCPV6);
	assert_int_equal(flags_of("rd"), IC_RD);
	assert_int_equal(flags_of("rd6"), IC_RD);
	assert_int_equal(flags_of("rd,slaac"), IC_RD | IC_SLAAC);
	assert_int_equal(flags_of("auto"), IC_ETH | IC_DHCP | IC_DHCPV6 | IC_RD);
	assert_int_equal(flags_of("auto4"), IC_ETH | IC_DHCP);
	assert_int_equal(flags_of("autov4"), IC_ETH | IC_DHCP);
	assert_int_equal(flags_of("auto6"), IC_ETH | IC_DHCPV6 | IC_RD);
	assert_int_equal(flags_of("autov6"), IC_ETH | IC_DHCPV6 | IC_RD);
	assert_int_equal(flags_of("EtH,DHCP"), IC_ETH | IC_DHCP);
	assert_int_equal(flags_of(""), 0);
	assert_int_equal(flags_of(",, ,"), 0);
	assert_int_equal(ic_parse(NULL, 0, &req), 0);
	assert_int_equal(flags_of("debug"), 0);
	assert_true(req.debug);
}

static void test_clean(void **state) {
	assert_int_equal(clean_of("-static"), IC_STATIC);
	assert_int_equal(clean_of("-eth"), IC_ETH);
	assert_int_equal(clean_of("-dhcp"), IC_DHCP);
	assert_int_equal(clean_of("-dhcp4"), IC_DHCP);
	assert_int_equal(clean_of("-dhcpv4"), IC_DHCP);
	assert_int_equal(clean_of("-dhcp6"), IC_DHCPV6);
	assert_int_equal(clean_of("-dhcpv6"), IC_DHCPV6);
	assert_int_equal(clean_of("-rd"), IC_RD);
	assert_int_equal(clean_of("-rd6"), IC_RD);
	assert_int_equal(clean_of("-auto"), IC_ETH | IC_DHCP | IC_DHCPV6 | IC_RD);
	assert_int_equal(clean_of("-all"), IC_ETH | IC_DHCP | IC_DHCPV6 | IC_RD);
	assert_int_equal(clean_of("-auto4"), IC_ETH | IC_DHCP);
	assert_int_equal(clean_of("-autov4"), IC_ETH | IC_DHCP);
	assert_int_equal(clean_of("-auto6"), IC_ETH | IC_DHCPV6 | IC_RD);
	assert_int_equal(clean_of("-autov6"), IC_ETH | IC_DHCPV6 | IC_RD);
}

static void test_assignments(void **state) {
	assert_int_equal(ic_parse("iface=eth1,fqdn=host.example.org.,mac=10:a1:b2:c3:d4:e5", 0, &req), 0);
	assert_true(req.has_iface);
	assert_string_equal(req.iface, "eth1");
	assert_string_equal(req.fqdn, "host.example.org.");
	uint8_t mac[6] = {0x10, 0xa1, 0xb2, 0xc3, 0xd4, 0xe5};
	assert_memory_equal(req.mac, mac, 6);
	assert_int_equal(ic_parse("fqdn=n.otip.test,otip=secret,otipperiod=60", 0, &req), 0);
	assert_string_equal(req.otip, "secret");
	assert_int_equal(req.otip_period, 60);
	assert_int_equal(ic_parse("ifindex=42,macaddr=10-A1-B2-C3-D4-E5", 0, &req), 0);
	assert_int_equal(req.ifindex, 42);
	assert_memory_equal(req.mac, mac, 6);
}

static void test_static(void **state) {
	uint8_t a4[4], a6[16];
	assert_int_equal(ic_parse("ip=198.18.0.1/16,ip=fd00::1,gw=198.18.0.254,gw=fd00::fe,"
				"dns=198.18.0.53,dns=fd00::53,domain=example.test", 0, &req), 0);
	assert_int_equal(req.config, IC_STATIC);
	assert_int_equal(req.nstatic, 7);
	assert_true(req.static_add);
	inet_pton(AF_INET, "198.18.0.1", a4);
	assert_int_equal(req.st[0].kind, IC_K_ADDR);
	assert_int_equal(req.st[0].family, AF_INET);
	assert_int_equal(req.st[0].prefixlen, 16);
	assert_memory_equal(req.st[0].addr, a4, 4);
	inet_pton(AF_INET6, "fd00::1", a6);
	assert_int_equal(req.st[1].family, AF_INET6);
	assert_int_equal(req.st[1].prefixlen, 64);   /* default for IPv6 */
	assert_memory_equal(req.st[1].addr, a6, 16);
	assert_int_equal(req.st[2].kind, IC_K_ROUTE);
	assert_int_equal(req.st[3].family, AF_INET6);
	assert_int_equal(req.st[4].kind, IC_K_DNS);
	assert_int_equal(req.st[5].kind, IC_K_DNS);
	assert_int_equal(req.st[6].kind, IC_K_DOMAIN);
	assert_string_equal(req.st[6].domain, "example.test");
	assert_int_equal(ic_parse("ip=10.0.0.1", 0, &req), 0);
	assert_int_equal(req.st[0].prefixlen, 24);   /* default for IPv4 */
	assert_int_equal(ic_parse("-ip=10.0.0.1/24,-gw=10.0.0.254,-dns=10.0.0.53,-domain=x.test", 0, &req), 0);
	assert_int_equal(req.nstatic, 4);
	assert_false(req.static_add);
	for (int i = 0; i < 4; i++)
		assert_true(req.st[i].remove);
}

static void test_newstackc_only(void **state) {
	assert_int_equal(ic_parse("stack=vdestack,vnl=vde:///tmp/sw,eth", 1, &req), 0);
	assert_string_equal(req.stack, "vdestack");
	assert_string_equal(req.vnl, "vde:///tmp/sw");
	ic_request_free(&req);
	/* not valid for ioth_config, nor ioth_resolvconf */
	assert_int_equal(ic_parse("stack=vdestack", 0, &req), -EINVAL);
	assert_int_equal(ic_parse("vnl=vde://", 0, &req), -EINVAL);
	assert_int_equal(ic_parse("iface=vde0", 2, &req), 0);
	assert_int_equal(ic_parse("ifindex=2", 2, &req), 0);
	assert_int_equal(ic_parse("eth", 2, &req), -EINVAL);
	assert_int_equal(ic_parse("ip=10.0.0.1/24", 2, &req), -EINVAL);
}

static void test_bad(void **state) {
	static const char *bad[] = {
		"foo", "eth,foo", "eth=1", "dhcp=yes", "-foo", "-slaac", "--eth",
		"ip", "ip=", "ip=10.0.0.1/33", "ip=fd00::1/129", "ip=10.0.0.1/0", "ip=10.0.0.1/",
		"ip=10.0.0.1/2x", "ip=10.0.0.256/24", "ip=host.example", "ip=10.0.0.1/-1",
		"gw=10.0.0.1/24", "gw=", "gw=nowhere", "dns=1.2.3", "dns=", "domain=", "domain=a..b",
		"domain=-", "domain=bad name", "fqdn=", "fqdn=a..b", "fqdn=.", "mac=", "mac=1:2:3",
		"mac=10:a1:b2:c3:d4", "mac=zz:a1:b2:c3:d4:e5", "mac=11:a1:b2:c3:d4:e5",
		"mac=10:a1:b2:c3:d4:e5:f6", "ifindex=", "ifindex=0", "ifindex=-1", "ifindex=1x",
		"ifindex=99999999999", "iface=", "iface=averyveryverylongname",
		"iface=eth0,ifindex=2", "debug=1", "otip", "otip=", "otipperiod=", "otipperiod=0",
		"otipperiod=-1", "otipperiod=32s", "otipperiod=86401",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rv = ic_parse(bad[i], 0, &req);
		if (rv != -EINVAL)
			fail_msg("\"%s\" accepted (%d)", bad[i], rv);
	}
	/* a label of 64 characters, a name of 254 */
	char name[300];
	memset(name, 'a', 64);
	strcpy(name + 64, ".test");
	char opt[320];
	snprintf(opt, sizeof(opt), "fqdn=%s", name);
	assert_int_equal(ic_parse(opt, 0, &req), -EINVAL);
	/* an OTIP password of 128 characters */
	char pw[140] = "otip=";
	memset(pw + 5, 'p', 128);
	pw[133] = 0;
	assert_int_equal(ic_parse(pw, 0, &req), -EINVAL);
	pw[132] = 0;
	assert_int_equal(ic_parse(pw, 0, &req), 0);
	for (int i = 0; i < 254; i += 2)
		name[i] = 'a', name[i + 1] = '.';
	name[253] = 'b';
	name[254] = 0;
	snprintf(opt, sizeof(opt), "domain=%s", name);
	assert_int_equal(ic_parse(opt, 0, &req), -EINVAL);
	/* too many static items */
	char many[2000] = "";
	for (int i = 0; i < IC_MAXSTATIC + 1; i++)
		strcat(many, "ip=10.0.0.1/24,");
	assert_int_equal(ic_parse(many, 0, &req), -EINVAL);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_assignments),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_newstackc_only),
		cmocka_unit_test(test_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
