/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The APIs shared with the original libiothconf, libiothdns,
 * libiothaddr and libiothradvd, pinned as test_abi pins libioth's: every function their
 * headers declare has the same prototype in ours (compared at compile
 * time) and is exported by our shared library, so that a program built
 * for the originals compiles and links against ours without a missing
 * symbol (the original iothnamed died on its first query for want of
 * iothdns_getbuf). */
#include <dlfcn.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/uio.h>

#include <ioth.h>
#include <iothaddr.h>
#include <iothconf.h>
#include <iothdns.h>
#include <iothradvd.h>

#define SAME_TYPE(f, t) _Static_assert(__builtin_types_compatible_p(typeof(f), t), #f)
/* iothconf.h */
SAME_TYPE(ioth_config, int(struct ioth *, const char *));
SAME_TYPE(ioth_resolvconf, char *(struct ioth *, const char *));
SAME_TYPE(ioth_newstackc, struct ioth *(const char *));
/* iothdns.h: configuration */
SAME_TYPE(iothdns_init, struct iothdns *(struct ioth *, char *));
SAME_TYPE(iothdns_init_strcfg, struct iothdns *(struct ioth *, char *));
SAME_TYPE(iothdns_update, int(struct iothdns *, char *));
SAME_TYPE(iothdns_update_strcfg, int(struct iothdns *, char *));
SAME_TYPE(iothdns_add_nameserver, int(struct iothdns *, int, void *));
SAME_TYPE(iothdns_setpath, void(struct iothdns *, enum iothdns_pathtag, char *));
SAME_TYPE(iothdns_getpath, int(struct iothdns *, enum iothdns_pathtag, char *, size_t));
SAME_TYPE(iothdns_fini, void(struct iothdns *));
/* client side */
SAME_TYPE(iothdns_lookup_a, int(struct iothdns *, const char *, struct in_addr *, int));
SAME_TYPE(iothdns_lookup_aaaa, int(struct iothdns *, const char *, struct in6_addr *, int));
SAME_TYPE(iothdns_lookup_aaaa_compat, int(struct iothdns *, const char *, struct in6_addr *, int));
SAME_TYPE(iothdns_getaddrinfo, int(struct iothdns *, const char *, const char *, const struct addrinfo *,
		struct addrinfo **));
SAME_TYPE(iothdns_freeaddrinfo, void(struct addrinfo *));
SAME_TYPE(iothdns_gai_strerror, const char *(int));
SAME_TYPE(iothdns_getnameinfo, int(struct iothdns *, const struct sockaddr *, socklen_t, char *, socklen_t,
		char *, socklen_t, int));
SAME_TYPE(iothdns_lookup_cb, int(struct iothdns *, const char *, int, lookup_cb_t *, void *));
SAME_TYPE(iothdns_lookup_cb_tcp, int(struct iothdns *, const char *, int, lookup_cb_t *, void *));
/* server side */
SAME_TYPE(iothdns_udp_process_request, int(int, parse_request_t *, void *));
SAME_TYPE(iothdns_tcp_process_request, int(int, parse_request_t *, void *));
/* compose */
SAME_TYPE(iothdns_put_header, struct iothdns_pkt *(struct iothdns_header *));
SAME_TYPE(iothdns_put_rr, void(int, struct iothdns_pkt *, struct iothdns_rr *));
SAME_TYPE(iothdns_put_int8, void(struct iothdns_pkt *, uint8_t));
SAME_TYPE(iothdns_put_int16, void(struct iothdns_pkt *, uint16_t));
SAME_TYPE(iothdns_put_int32, void(struct iothdns_pkt *, uint32_t));
SAME_TYPE(iothdns_put_data, void(struct iothdns_pkt *, void *, uint16_t));
SAME_TYPE(iothdns_put_name, void(struct iothdns_pkt *, const char *));
SAME_TYPE(iothdns_put_name_uncompressed, void(struct iothdns_pkt *, const char *));
SAME_TYPE(iothdns_put_string, void(struct iothdns_pkt *, char *));
SAME_TYPE(iothdns_put_a, void(struct iothdns_pkt *, void *));
SAME_TYPE(iothdns_put_aaaa, void(struct iothdns_pkt *, void *));
/* parse */
SAME_TYPE(iothdns_get_header, struct iothdns_pkt *(struct iothdns_header *, void *, size_t, char *));
SAME_TYPE(iothdns_get_rr, int(struct iothdns_pkt *, struct iothdns_rr *, char *));
SAME_TYPE(iothdns_get_int8, uint8_t(struct iothdns_pkt *));
SAME_TYPE(iothdns_get_int16, uint16_t(struct iothdns_pkt *));
SAME_TYPE(iothdns_get_int32, uint32_t(struct iothdns_pkt *));
SAME_TYPE(iothdns_get_data, void *(struct iothdns_pkt *, void *, uint16_t));
SAME_TYPE(iothdns_get_name, char *(struct iothdns_pkt *, char *));
SAME_TYPE(iothdns_get_string, char *(struct iothdns_pkt *, char *));
SAME_TYPE(iothdns_get_a, void *(struct iothdns_pkt *, void *));
SAME_TYPE(iothdns_get_aaaa, void *(struct iothdns_pkt *, void *));
/* both */
SAME_TYPE(iothdns_buf, void *(struct iothdns_pkt *));
SAME_TYPE(iothdns_buflen, size_t(struct iothdns_pkt *));
SAME_TYPE(iothdns_getbuf, struct iovec(struct iothdns_pkt *));
SAME_TYPE(iothdns_free, void(struct iothdns_pkt *));
SAME_TYPE(iothdns_retrieve_header, void(struct iothdns_pkt *, uint16_t *, uint16_t *));
SAME_TYPE(iothdns_rewrite_header, void(struct iothdns_pkt *, uint16_t, uint16_t));
/* iothaddr.h */
SAME_TYPE(iothaddr_hash, void(void *, const char *, const char *, uint32_t));
SAME_TYPE(iothaddr_hashmac, void(void *, const char *, const char *));
SAME_TYPE(iothaddr_eui64, void(void *, void *));
SAME_TYPE(iothaddr_hasheui64, void(void *, const char *, const char *));
/* iothradvd.h */
SAME_TYPE(iothradvd_start, struct iothradvd *(struct ioth *, unsigned int, int, struct iothradata *,
		struct iothraprefix *, int));
SAME_TYPE(iothradvd_vdestart, struct iothradvd *(char *, void *, int, struct iothradata *,
		struct iothraprefix *, int));
SAME_TYPE(iothradvd_stop, void(struct iothradvd *));

static int failures;

static void exports(const char *soname, const char *const *names) {
	void *lib = dlopen(soname, RTLD_NOW);
	if (lib == NULL) {
		printf("FAIL: cannot load %s: %s\n", soname, dlerror());
		failures++;
		return;
	}
	for (int k = 0; names[k]; k++)
		if (dlsym(lib, names[k]) == NULL) {
			printf("FAIL: %s does not export %s\n", soname, names[k]);
			failures++;
		}
	dlclose(lib);
}

int main(void) {
	static const char *const conf[] = {"ioth_config", "ioth_resolvconf", "ioth_newstackc", NULL};
	static const char *const dns[] = {"iothdns_init", "iothdns_init_strcfg", "iothdns_update",
		"iothdns_update_strcfg", "iothdns_add_nameserver", "iothdns_setpath", "iothdns_getpath",
		"iothdns_fini", "iothdns_lookup_a", "iothdns_lookup_aaaa", "iothdns_lookup_aaaa_compat",
		"iothdns_getaddrinfo", "iothdns_freeaddrinfo", "iothdns_gai_strerror", "iothdns_getnameinfo",
		"iothdns_lookup_cb", "iothdns_lookup_cb_tcp", "iothdns_udp_process_request",
		"iothdns_tcp_process_request", "iothdns_put_header", "iothdns_put_rr", "iothdns_put_int8",
		"iothdns_put_int16", "iothdns_put_int32", "iothdns_put_data", "iothdns_put_name",
		"iothdns_put_name_uncompressed", "iothdns_put_string", "iothdns_put_a", "iothdns_put_aaaa",
		"iothdns_get_header", "iothdns_get_rr", "iothdns_get_int8", "iothdns_get_int16",
		"iothdns_get_int32", "iothdns_get_data", "iothdns_get_name", "iothdns_get_string",
		"iothdns_get_a", "iothdns_get_aaaa", "iothdns_buf", "iothdns_buflen", "iothdns_getbuf",
		"iothdns_free", "iothdns_retrieve_header", "iothdns_rewrite_header", NULL};
	static const char *const addr[] = {"iothaddr_hash", "iothaddr_hashmac", "iothaddr_eui64",
		"iothaddr_hasheui64", NULL};
	exports("libiothconf.so.0", conf);
	exports("libiothdns.so.0", dns);
	static const char *const radvd[] = {"iothradvd_start", "iothradvd_vdestart", "iothradvd_stop",
		NULL};
	exports("libiothaddr.so.0", addr);
	exports("libiothradvd.so.0", radvd);
	printf("test_abi_conf_dns: %d failures\n", failures);
	return failures ? 1 : 0;
}
