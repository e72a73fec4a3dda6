/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Small test plugins, one object built under several names:
 *   -DMISC_NONEW   "nonew": no newstack entry point (loader must say ENOENT)
 *   -DMISC_GPL     "gpl": a GPL-3.0-only plugin (license check)
 * Both otherwise return an ordinary kernel socket. */
#include <errno.h>
#include <stdlib.h>
#include <ioth.h>

#define EXPORT __attribute__((visibility("default")))

#ifdef MISC_GPL
EXPORT const char *ioth_gpl_license = "SPDX-License-Identifier: GPL-3.0-only";
static char gpl_stack;
EXPORT void *ioth_gpl_newstack(const char *vnlv[], const char *options, struct ioth_functions *f) {
	f->socket = socket;
	f->close = close;
	return &gpl_stack;
}
#endif

#ifdef MISC_NONEW
EXPORT int ioth_nonew_socket(int domain, int type, int protocol) {
	return socket(domain, type, protocol);
}
#endif
