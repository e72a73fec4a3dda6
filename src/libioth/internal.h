/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libioth internals: the stack descriptor, the loader, the fd map. */
#ifndef IOTH_INTERNAL_H
#define IOTH_INTERNAL_H
#include <stdatomic.h>
#include <ioth.h>

#define IOTH_HIDDEN __attribute__((visibility("hidden")))

struct ioth {
	void *handle;                  /* dlopen/dlmopen handle, NULL for native */
	void *stackdata;               /* what the plugin's newstack returned */
	atomic_uint count;             /* open sockets: ioth_delstack fails while > 0 */
	struct ioth_functions f;
	char name[];                   /* plugin name, "" for native */
};

/* Thread-local "current stack" returned by getstackdata() inside plugin calls. */
IOTH_HIDDEN extern __thread void *ioth_current_stackdata;

/* loader.c: load plugin `name`, fill st->handle and the functions found by
 * name, check the license. Return 0 or -1 with errno. */
IOTH_HIDDEN int ioth_plugin_load(struct ioth *st, const char *name);
IOTH_HIDDEN void ioth_plugin_unload(struct ioth *st);
/* loader.c: with IOTH_DEBUG, explain a plugin's newstack failure (err). */
IOTH_HIDDEN void ioth_newstack_explain(const char *name, const char *vnlv[], int err);

/* license.c: may a program under prg_license load a plugin under
 * plugin_license? Either may be NULL (undeclared). */
IOTH_HIDDEN int ioth_license_compatible(const char *prg_license, const char *plugin_license);
IOTH_HIDDEN const char *ioth_program_license(void);

/* fdmap.c: fd -> stack. set fails with EBADF for fd < 0 and ENOMEM. */
IOTH_HIDDEN int ioth_fdmap_set(int fd, struct ioth *st);
IOTH_HIDDEN struct ioth *ioth_fdmap_get(int fd);
/* Clear fd's entry if it still maps to st; return st or NULL. */
IOTH_HIDDEN struct ioth *ioth_fdmap_take(int fd);

#endif
