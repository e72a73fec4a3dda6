/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The `kernel` plugin: the host's own stack. Every call is the system call;
 * the plugin exists so that "kernel" can be named like any other stack
 * (ioth_newstack("kernel", NULL)), e.g. on a command line. The host's
 * interfaces are what they are: VNLs are ignored, as the original kernel
 * plugin ignores them (programs run as `vdens vde:// prog kernel VNL`). */
#include <errno.h>
#include <ioth.h>
#include <plugin_syscalls.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT const char *ioth_kernel_license = "SPDX-License-Identifier: LGPL-2.1-or-later";

/* The stack data only needs to be non-NULL and unique per stack. */
static char kernel_stack;

EXPORT void *ioth_kernel_newstack(const char *vnlv[], const char *options,
		struct ioth_functions *f) {
	f->socket = IOTH_SYSCALL(f, socket);
	ioth_plugin_syscalls(f);
	return &kernel_stack;
}

EXPORT int ioth_kernel_delstack(void *stackdata) {
	return 0;
}
