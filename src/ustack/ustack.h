/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The one lifecycle of a ustack instance, above every layer: the plugin,
 * the unit tests and the fuzzers make and tear down their stacks here.
 *
 * ustack_create makes the stack, has every layer register its handlers
 * with the one below (net/ with the links, the protocols with net/ and
 * with the socket layer) and adds lo (index 1, 127.0.0.1/8 and ::1).
 * ustack_attach links an interface made by a link (link/) into the stack
 * (index: the next free one); the caller starts it (link_start).
 * ustack_destroy releases every socket and connection, takes the
 * interfaces out of the runtime, frees them and the stack; the lock is
 * taken and left through stack_lock/stack_unlock. */
#ifndef USTACK_USTACK_H
#define USTACK_USTACK_H
#include "core/stack.h"

/* NULL with errno set (ENOMEM) */
struct ustack *ustack_create(void);
/* the interface's index */
int ustack_attach(struct ustack *s, struct netif *ifp);
void ustack_destroy(struct ustack *s);
#endif
