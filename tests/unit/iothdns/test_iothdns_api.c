/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Source compatibility with the original iothdns: every function of its
 * API is assigned to a pointer of the original's exact prototype (this
 * file is built with -Werror=incompatible-pointer-types, so a changed
 * signature breaks the build), and the constants have the original's
 * values. Run, it checks the values and the NULL-safety of the helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <iothdns.h>

struct api {
	struct iothdns *(*init)(struct ioth *stack, char *path_config);
	struct iothdns *(*init_strcfg)(struct ioth *stack, char *config);
	int (*update)(struct iothdns *iothdns, char *path_config);
	int (*update_strcfg)(struct iothdns *iothdns, char *config);
	int (*add_nameserver)(struct iothdns *iothdns, int af, void *in46_addr);
	void (*setpath)(struct iothdns *iothdns, enum iothdns_pathtag pathtag, char *newvalue);
	int (*getpath)(struct iothdns *iothdns, enum iothdns_pathtag pathtag, char *buf, size_t size);
	void (*fini)(struct iothdns *iothdns);
	int (*lookup_a)(struct iothdns *iothdns, const char *name, struct in_addr *a, int n);
	int (*lookup_aaaa)(struct iothdns *iothdns, const char *name, struct in6_addr *aaaa, int n);
	int (*lookup_aaaa_compat)(struct iothdns *iothdns, const char *name, struct in6_addr *aaaa, int n);
	int (*getaddrinfo)(struct iothdns *iothdns, const char *node, const char *service,
			const struct addrinfo *hints, struct addrinfo **res);
	void (*freeaddrinfo)(struct addrinfo *res);
	const char *(*gai_strerror)(int errcode);
	int (*getnameinfo)(struct iothdns *iothdns, const struct sockaddr *addr, socklen_t addrlen,
			char *host, socklen_t hostlen, char *serv, socklen_t servlen, int flags);
	int (*lookup_cb)(struct iothdns *iothdns, const char *name, int qtype, lookup_cb_t *lookup_cb, void *arg);
	int (*lookup_cb_tcp)(struct iothdns *iothdns, const char *name, int qtype, lookup_cb_t *lookup_cb, void *arg);
	int (*udp_process_request)(int fd, parse_request_t *parse_request, void *arg);
	int (*tcp_process_request)(int fd, parse_request_t *parse_request, void *arg);
	struct iothdns_pkt *(*put_header)(struct iothdns_header *h);
	void (*put_rr)(int section, struct iothdns_pkt *vpkt, struct iothdns_rr *rr);
	void (*put_int8)(struct iothdns_pkt *vpkt, uint8_t data);
	void (*put_int16)(struct iothdns_pkt *vpkt, uint16_t data);
	void (*put_int32)(struct iothdns_pkt *vpkt, uint32_t data);
	void (*put_data)(struct iothdns_pkt *vpkt, void *data, uint16_t len);
	void (*put_name)(struct iothdns_pkt *vpkt, const char *name);
	void (*put_name_uncompressed)(struct iothdns_pkt *vpkt, const char *name);
	void (*put_string)(struct iothdns_pkt *vpkt, char *string);
	void (*put_a)(struct iothdns_pkt *vpkt, void *addr_ipv4);
	void (*put_aaaa)(struct iothdns_pkt *vpkt, void *addr_ipv6);
	struct iothdns_pkt *(*get_header)(struct iothdns_header *h, void *buf, size_t bufsize, char *qnamebuf);
	int (*get_rr)(struct iothdns_pkt *vpkt, struct iothdns_rr *rr, char *namebuf);
	uint8_t (*get_int8)(struct iothdns_pkt *vpkt);
	uint16_t (*get_int16)(struct iothdns_pkt *vpkt);
	uint32_t (*get_int32)(struct iothdns_pkt *vpkt);
	void *(*get_data)(struct iothdns_pkt *vpkt, void *data, uint16_t len);
	char *(*get_name)(struct iothdns_pkt *vpkt, char *name);
	char *(*get_string)(struct iothdns_pkt *vpkt, char *name);
	void *(*get_a)(struct iothdns_pkt *vpkt, void *addr_ipv4);
	void *(*get_aaaa)(struct iothdns_pkt *vpkt, void *addr_ipv6);
	void *(*buf)(struct iothdns_pkt *vpkt);
	size_t (*buflen)(struct iothdns_pkt *vpkt);
	void (*free)(struct iothdns_pkt *vpkt);
	void (*retrieve_header)(struct iothdns_pkt *vpkt, uint16_t *id, uint16_t *flags);
	void (*rewrite_header)(struct iothdns_pkt *vpkt, uint16_t id, uint16_t flags);
};

static const struct api api = {
	iothdns_init, iothdns_init_strcfg, iothdns_update, iothdns_update_strcfg,
	iothdns_add_nameserver, iothdns_setpath, iothdns_getpath, iothdns_fini,
	iothdns_lookup_a, iothdns_lookup_aaaa, iothdns_lookup_aaaa_compat,
	iothdns_getaddrinfo, iothdns_freeaddrinfo, iothdns_gai_strerror, iothdns_getnameinfo,
	iothdns_lookup_cb, iothdns_lookup_cb_tcp,
	iothdns_udp_process_request, iothdns_tcp_process_request,
	iothdns_put_header, iothdns_put_rr, iothdns_put_int8, iothdns_put_int16, iothdns_put_int32,
	iothdns_put_data, iothdns_put_name, iothdns_put_name_uncompressed, iothdns_put_string,
	iothdns_put_a, iothdns_put_aaaa,
	iothdns_get_header, iothdns_get_rr, iothdns_get_int8, iothdns_get_int16, iothdns_get_int32,
	iothdns_get_data, iothdns_get_name, iothdns_get_string, iothdns_get_a, iothdns_get_aaaa,
	iothdns_buf, iothdns_buflen, iothdns_free, iothdns_retrieve_header, iothdns_rewrite_header,
};

/* the callback types, as the original declares them */
static int cb(int section, struct iothdns_rr *rr, struct iothdns_pkt *vpkt, void *arg) {
	return 0;
}
static struct iothdns_pkt *req(struct iothdns_header *h, void *arg) {
	return NULL;
}

static void test_constants(void **state) {
	(void) state;
	lookup_cb_t *c = cb;
	parse_request_t *r = req;
	assert_non_null(c);
	assert_non_null(r);
	for (size_t i = 0; i < sizeof(api) / sizeof(void (*)(void)); i++)
		assert_non_null(((void (*const *)(void)) &api)[i]);
	assert_int_equal(IOTHDNS_DEFAULT_PORT, 53);
	assert_int_equal(IOTHDNS_MAXNS, 3);
	assert_int_equal(IOTHDNS_TIMEOUT_MS, 1000);
	assert_string_equal(IOTHDNS_DEFAULT_RESOLV_CONF, "/etc/resolv.conf");
	assert_string_equal(IOTHDNS_DEFAULT_HOSTS, "/etc/hosts");
	assert_string_equal(IOTHDNS_DEFAULT_SERVICES, "/etc/services");
	assert_int_equal(IOTHDNS_HOSTS, 0);
	assert_int_equal(IOTHDNS_SERVICES, 1);
	assert_int_equal(IOTHDNS_PATH_SIZE, 2);
	assert_int_equal(IOTHDNS_MAXNAME, 256);
	assert_int_equal(IOTHDNS_MAXSTRING, 255);
	assert_int_equal(IOTHDNS_UDP_MAXBUF, 512);
	assert_int_equal(IOTHDNS_TCP_MAXBUF, 65536);
	assert_int_equal(IOTHDNS_SECTIONS, 4);
	assert_int_equal(IOTHDNS_SEC_QUERY, 0);
	assert_int_equal(IOTHDNS_SEC_ANSWER, 1);
	assert_int_equal(IOTHDNS_SEC_AUTH, 2);
	assert_int_equal(IOTHDNS_SEC_ADDITIONAL, 3);
	assert_int_equal(IOTHDNS_QUERY, 0);
	assert_int_equal(IOTHDNS_RESPONSE, 0x8000);
	assert_int_equal(IOTHDNS_QR_MASK, 0x8000);
	assert_true(IOTHDNS_IS_QUERY(0x0100));
	assert_true(IOTHDNS_IS_RESPONSE(0x8180));
	assert_int_equal(IOTHDNS_OP_MASK, 0x7800);
	assert_int_equal(IOTHDNS_AA, 0x0400);
	assert_int_equal(IOTHDNS_TRUNC, 0x0200);
	assert_int_equal(IOTHDNS_RD, 0x0100);
	assert_int_equal(IOTHDNS_RA, 0x0080);
	assert_int_equal(IOTHDNS_Z, 0x0040);
	assert_int_equal(IOTHDNS_AD, 0x0020);
	assert_int_equal(IOTHDNS_CD, 0x0010);
	assert_int_equal(IOTHDNS_RCODE_MASK, 0x000f);
	assert_int_equal(IOTHDNS_GET_RCODE(0x8183), 3);
	assert_int_equal(IOTHDNS_RCODE_OK, 0);
	assert_int_equal(IOTHDNS_RCODE_EFMT, 1);
	assert_int_equal(IOTHDNS_RCODE_EFAIL, 2);
	assert_int_equal(IOTHDNS_RCODE_ENOENT, 3);
	assert_int_equal(IOTHDNS_RCODE_ENOSUP, 4);
	assert_int_equal(IOTHDNS_RCODE_EPERM, 5);
	assert_int_equal(IOTHDNS_CLASS_IN, 1);
	assert_int_equal(IOTHDNS_CLASS_ANY, 255);
	assert_int_equal(IOTHDNS_TYPE_A, 1);
	assert_int_equal(IOTHDNS_TYPE_NS, 2);
	assert_int_equal(IOTHDNS_TYPE_CNAME, 5);
	assert_int_equal(IOTHDNS_TYPE_SOA, 6);
	assert_int_equal(IOTHDNS_TYPE_NULL, 10);
	assert_int_equal(IOTHDNS_TYPE_PTR, 12);
	assert_int_equal(IOTHDNS_TYPE_MX, 15);
	assert_int_equal(IOTHDNS_TYPE_TXT, 16);
	assert_int_equal(IOTHDNS_TYPE_AAAA, 28);
	assert_int_equal(IOTHDNS_TYPE_ANY, 255);
	/* struct layouts: the fields the original's users initialise by position */
	struct iothdns_header h = {1, 2, "q", 3, 4};
	struct iothdns_rr rr = {"n", 1, 2, 3, 4};
	assert_int_equal(h.qclass, 4);
	assert_int_equal(rr.rdlength, 4);
}

/* NULL handles are not a crash. */
static void test_null_safety(void **state) {
	(void) state;
	iothdns_free(NULL);
	iothdns_fini(NULL);
	assert_int_equal(iothdns_buflen(NULL), 0);
	assert_null(iothdns_buf(NULL));
	assert_int_equal(iothdns_get_int8(NULL), 0);
	assert_int_equal(iothdns_update_strcfg(NULL, ""), -1);
	assert_int_equal(iothdns_lookup_a(NULL, "x", NULL, 0), -1);
	iothdns_put_int8(NULL, 1);
	iothdns_put_name(NULL, "x");
	struct iothdns_header h;
	assert_null(iothdns_get_header(&h, "", 0, NULL));
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_null_safety),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
