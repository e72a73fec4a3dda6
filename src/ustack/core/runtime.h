/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The process-wide runtime shared by every stack: one event thread that
 * waits with epoll on the frame fds of all interfaces and on the earliest
 * deadline of a heap of per-stack timers. It starts with the first stack
 * (rt_get) and ends with the last (rt_put).
 *
 * Callbacks run in the event thread without the runtime lock held; they
 * take their stack's lock themselves. rt_del_fd and rt_timer_del return only
 * when the event thread has finished the loop in which it may have fetched
 * the source from epoll_wait or the heap (it is woken for that), so the
 * caller may free it (they must not be called with a stack lock held, nor
 * from the event thread). The runtime lock guards only the heap and the
 * epoll set: it is taken when a stack arms its earliest deadline, not per
 * frame. */
#ifndef USTACK_CORE_RUNTIME_H
#define USTACK_CORE_RUNTIME_H
#include <stdint.h>

struct rt_src {
	int fd;
	uint32_t events;    /* wanted besides EPOLLIN (EPOLLOUT), see rt_mod_fd */
	uint32_t revents;   /* what epoll reported, set before ready() */
	void (*ready)(struct rt_src *src);
};

struct rt_timer {
	uint64_t when;      /* CLOCK_MONOTONIC ns */
	int idx;            /* position in the heap, -1 when idle */
	void (*fire)(struct rt_timer *t);
};

uint64_t rt_now(void);
int rt_get(void);     /* 0 or -errno */
void rt_put(void);
int rt_add_fd(struct rt_src *src);
void rt_del_fd(struct rt_src *src);
/* Stop the event thread's epoll from reporting a registered fd (it stays
 * in the set, wanting no event) and start it again, for a caller that
 * reads it itself for a while. The event thread may
 * still run ready() for an event it fetched before the pause, in the same
 * loop: the source compares rt_loop() (the number of the loop in
 * progress, any thread) with the one it recorded when it paused, and
 * ignores such an event (level-triggered epoll reports it again). */
int rt_pause_fd(struct rt_src *src);
int rt_resume_fd(struct rt_src *src);
/* src->events changed: apply it to the epoll set (not while paused:
 * rt_resume_fd applies it then). Any thread. */
int rt_mod_fd(struct rt_src *src);
uint64_t rt_loop(void);
void rt_timer_init(struct rt_timer *t, void (*fire)(struct rt_timer *));
/* Arm (or move) t to fire at when; UINT64_MAX disarms. Any thread. */
void rt_timer_set(struct rt_timer *t, uint64_t when);
void rt_timer_del(struct rt_timer *t);
/* 1 in the event thread. */
int rt_in_event_thread(void);
/* Unit tests: make the calling thread count as the event thread (1) or not. */
void rt_test_as_event_thread(int on);
/* Forks survived by this process: a stack remembers the value at its
 * creation. After fork() a child has no event thread and shares the
 * parent's epoll instance and frame fds: a stack made before the fork is
 * the parent's, and the child must not touch it (core/stack.h
 * stack_inherited). The child's runtime starts afresh with its first
 * stack of its own. */
uint64_t rt_fork_gen(void);
#endif
