/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A sending thread for a VNL whose send may block (link/txworker.c). */
#ifndef USTACK_LINK_TXWORKER_H
#define USTACK_LINK_TXWORKER_H
#include <stddef.h>
#include <sys/types.h>

struct txworker;

/* send(conn, frame, len): the VNL's own send, which may sleep; called in
 * the worker's thread only, never with the stack lock. max_frame: the
 * longest frame it takes. NULL with errno on failure. */
struct txworker *txworker_start(ssize_t (*send)(void *conn, const void *buf, size_t len),
		void *conn, size_t max_frame);
/* Copy the frame into the worker's queue: 0, or -ENOBUFS when the queue
 * is full (a drop, as a full device queue) or the frame is too long.
 * Any thread; never blocks. */
int txworker_push(struct txworker *w, const void *buf, size_t len);
/* Stop the worker and free it; frames not yet sent are dropped. A send
 * that does not return within a second (a peer that reads no more) is
 * cancelled. Call before the VNL is closed. */
void txworker_stop(struct txworker *w);
#endif
