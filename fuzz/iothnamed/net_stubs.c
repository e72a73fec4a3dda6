/* SPDX-License-Identifier: GPL-2.0-or-later
 * The network side of what tools/iothnamed/conf.c calls, for the fuzzer:
 * the fuzzer reads its configuration without stacks (make_stacks 0) and
 * every base address is a static record, so none of these is reached;
 * they fail as a stack that cannot be made would. Compiled into the target
 * so that it needs no shared library of the tree (the fuzz build gives
 * everything ASan and coverage). */
#include <errno.h>
#include <stddef.h>
#include <ioth.h>
#include <iothconf.h>
#include <iothdns.h>

struct ioth *ioth_newstackc(const char *stack_config) {
	(void) stack_config;
	errno = ENOSYS;
	return NULL;
}
int ioth_config(struct ioth *stack, const char *config) {
	(void) stack; (void) config;
	errno = ENOSYS;
	return -1;
}
struct iothdns *iothdns_init_strcfg(struct ioth *stack, char *config) {
	(void) stack; (void) config;
	errno = ENOSYS;
	return NULL;
}
int iothdns_add_nameserver(struct iothdns *iothdns, int af, void *in46_addr) {
	(void) iothdns; (void) af; (void) in46_addr;
	errno = ENOSYS;
	return -1;
}
void iothdns_fini(struct iothdns *iothdns) {
	(void) iothdns;
}
int iothdns_lookup_aaaa(struct iothdns *iothdns, const char *name, struct in6_addr *aaaa, int n) {
	(void) iothdns; (void) name; (void) aaaa; (void) n;
	errno = ETIMEDOUT;
	return -1;
}
