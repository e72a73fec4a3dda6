/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The ABI shared with the original libioth, pinned:
 * - struct ioth_functions: 26 pointers in the original's order, so plugins
 *   built for either library fill the same slots;
 * - the prototypes of ioth.h, compared at compile time;
 * - every function the original libioth.so exports is exported by ours. */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <ioth.h>

#define SAME_TYPE(f, t) _Static_assert(__builtin_types_compatible_p(typeof(f), t), #f)
SAME_TYPE(ioth_set_license, void(const char *));
SAME_TYPE(ioth_newstack, struct ioth *(const char *, const char *));
SAME_TYPE(ioth_newstackl, struct ioth *(const char *, const char *, ...));
SAME_TYPE(ioth_newstackv, struct ioth *(const char *, const char *[]));
SAME_TYPE(ioth_delstack, int(struct ioth *));
SAME_TYPE(ioth_set_defstack, void(struct ioth *));
SAME_TYPE(ioth_get_defstack, struct ioth *(void));
SAME_TYPE(ioth_msocket, int(struct ioth *, int, int, int));
SAME_TYPE(ioth_socket, int(int, int, int));
SAME_TYPE(ioth_close, int(int));
SAME_TYPE(ioth_bind, int(int, const struct sockaddr *, socklen_t));
SAME_TYPE(ioth_connect, int(int, const struct sockaddr *, socklen_t));
SAME_TYPE(ioth_listen, int(int, int));
SAME_TYPE(ioth_accept, int(int, struct sockaddr *, socklen_t *));
SAME_TYPE(ioth_getsockname, int(int, struct sockaddr *, socklen_t *));
SAME_TYPE(ioth_getpeername, int(int, struct sockaddr *, socklen_t *));
SAME_TYPE(ioth_read, ssize_t(int, void *, size_t));
SAME_TYPE(ioth_readv, ssize_t(int, const struct iovec *, int));
SAME_TYPE(ioth_recv, ssize_t(int, void *, size_t, int));
SAME_TYPE(ioth_recvfrom, ssize_t(int, void *, size_t, int, struct sockaddr *, socklen_t *));
SAME_TYPE(ioth_recvmsg, ssize_t(int, struct msghdr *, int));
SAME_TYPE(ioth_write, ssize_t(int, const void *, size_t));
SAME_TYPE(ioth_writev, ssize_t(int, const struct iovec *, int));
SAME_TYPE(ioth_send, ssize_t(int, const void *, size_t, int));
SAME_TYPE(ioth_sendto, ssize_t(int, const void *, size_t, int, const struct sockaddr *, socklen_t));
SAME_TYPE(ioth_sendmsg, ssize_t(int, const struct msghdr *, int));
SAME_TYPE(ioth_setsockopt, int(int, int, int, const void *, socklen_t));
SAME_TYPE(ioth_getsockopt, int(int, int, int, void *, socklen_t *));
SAME_TYPE(ioth_shutdown, int(int, int));
SAME_TYPE(ioth_ioctl, int(int, unsigned long, void *));
SAME_TYPE(ioth_fcntl, int(int, int, long));
SAME_TYPE(ioth_getifaddrs, int(struct ioth *, struct ifaddrs **));
SAME_TYPE(ioth_freeifaddrs, void(struct ifaddrs *));
SAME_TYPE(ioth_ntomac, const char *(const void *, char *, size_t));
SAME_TYPE(ioth_macton, int(const char *, void *));
SAME_TYPE(newstack_prototype, void *(const char *[], const char *, struct ioth_functions *));
SAME_TYPE(delstack_prototype, int(void *));
SAME_TYPE(getstackdata_prototype, void *(void));
_Static_assert(MAC_ADDRSTRLEN == 18, "MAC_ADDRSTRLEN");

static int failures;

static void slot(size_t offset, int index, const char *name) {
	if (offset != (size_t) index * sizeof(void *)) {
		printf("FAIL: struct ioth_functions.%s at offset %zu, not slot %d\n", name, offset, index);
		failures++;
	}
}

int main(void) {
	int i = 0;
#define SLOT(f) slot(offsetof(struct ioth_functions, f), i++, #f)
	SLOT(getstackdata); SLOT(newstack); SLOT(delstack); SLOT(socket); SLOT(close);
	SLOT(bind); SLOT(connect); SLOT(listen); SLOT(accept); SLOT(getsockname);
	SLOT(getpeername); SLOT(setsockopt); SLOT(getsockopt); SLOT(shutdown); SLOT(ioctl);
	SLOT(fcntl); SLOT(read); SLOT(readv); SLOT(recv); SLOT(recvfrom); SLOT(recvmsg);
	SLOT(write); SLOT(writev); SLOT(send); SLOT(sendto); SLOT(sendmsg);
	if (sizeof(struct ioth_functions) != 26 * sizeof(void *)) {
		printf("FAIL: sizeof(struct ioth_functions) = %zu\n", sizeof(struct ioth_functions));
		failures++;
	}
	/* What the original libioth.so exports (its internal checklicense aside). */
	static const char *const exported[] = {"ioth_accept", "ioth_bind", "ioth_close",
		"ioth_connect", "ioth_delstack", "ioth_fcntl", "ioth_freeifaddrs", "ioth_get_defstack",
		"ioth_getifaddrs", "ioth_getpeername", "ioth_getsockname", "ioth_getsockopt",
		"ioth_ioctl", "ioth_listen", "ioth_msocket", "ioth_newstack", "ioth_newstackl",
		"ioth_newstackv", "ioth_read", "ioth_readv", "ioth_recv", "ioth_recvfrom",
		"ioth_recvmsg", "ioth_send", "ioth_sendmsg", "ioth_sendto", "ioth_set_defstack",
		"ioth_set_license", "ioth_setsockopt", "ioth_shutdown", "ioth_socket", "ioth_write",
		"ioth_writev", NULL};
	void *lib = dlopen("libioth.so.0", RTLD_NOW | RTLD_NOLOAD);
	if (lib == NULL) {
		printf("FAIL: libioth.so.0 is not loaded: %s\n", dlerror());
		return 1;
	}
	for (int k = 0; exported[k]; k++)
		if (dlsym(lib, exported[k]) == NULL) {
			printf("FAIL: libioth.so.0 does not export %s\n", exported[k]);
			failures++;
		}
	dlclose(lib);
	/* keep the link to libioth: the program uses it */
	printf("%s: %d slots, %d failures\n", ioth_get_defstack() ? "test_abi" : "?", i, failures);
	return failures ? 1 : 0;
}
