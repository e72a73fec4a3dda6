/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Sanitizer builds only. libvdeplug loads its VNL modules with
 * RTLD_DEEPBIND, and AddressSanitizer/ThreadSanitizer refuse that flag
 * (google/sanitizers#611), so no vde:// network could be joined. This
 * dlopen, in the executable, clears the flag and calls the next dlopen
 * (the sanitizer's interceptor). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

void *dlopen(const char *file, int mode) {
	static void *(*real_dlopen)(const char *, int);
	if (real_dlopen == NULL)
		real_dlopen = (void *(*)(const char *, int)) dlsym(RTLD_NEXT, "dlopen");
	return real_dlopen(file, mode & ~RTLD_DEEPBIND);
}
