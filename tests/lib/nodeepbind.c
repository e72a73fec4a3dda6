/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Sanitizer builds only. libvdeplug loads its VNL modules (vde://,
 * switch://...) with dlopen(RTLD_DEEPBIND), which AddressSanitizer and
 * ThreadSanitizer refuse (google/sanitizers#611): no VDE network could be
 * joined. This dlopen, linked into the executable, clears the flag and
 * hands over to the next dlopen (the sanitizer's interceptor). The modules
 * resolve the few symbols they need the same way without it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

void *dlopen(const char *file, int mode) {
	static void *(*next_dlopen)(const char *, int);
	if (next_dlopen == NULL)
		next_dlopen = (void *(*)(const char *, int)) dlsym(RTLD_NEXT, "dlopen");
	return next_dlopen(file, mode & ~RTLD_DEEPBIND);
}
