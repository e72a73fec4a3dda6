/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "runtime.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define RT_MAXEV 64

/* The only process-wide state of ustack (STYLE.md: no other globals). */
static struct runtime {
	pthread_mutex_t life;      /* serialises start and stop */
	pthread_mutex_t lock;      /* heap, batch flag */
	pthread_cond_t idle;       /* broadcast when a batch ends */
	int users;
	int epfd, wakefd;
	pthread_t thread;
	int stop;
	int busy;                  /* in epoll_wait or running callbacks */
	uint64_t gen;              /* loops completed */
	uint64_t sleeping_until;   /* deadline the thread sleeps for */
	struct rt_timer **heap;
	int n, cap;
} rt = {
	.life = PTHREAD_MUTEX_INITIALIZER,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
	.epfd = -1,
	.wakefd = -1,
};

static __thread int rt_is_event_thread;

static uint64_t fork_gen;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

uint64_t rt_fork_gen(void) {
	return __atomic_load_n(&fork_gen, __ATOMIC_RELAXED);
}

/* In the child of a fork: only the forking thread exists. The runtime's
 * locks may have been held by threads that are gone, its epoll instance
 * and eventfd are the parent's (shared open files: an epoll_ctl here
 * would change the parent's set), its heap holds the parent's stacks'
 * timers. Forget all of it, closing only this process's descriptors. */
static void rt_atfork_child(void) {
	__atomic_store_n(&fork_gen, fork_gen + 1, __ATOMIC_RELAXED);
	pthread_mutex_init(&rt.life, NULL);
	pthread_mutex_init(&rt.lock, NULL);
	pthread_cond_init(&rt.idle, NULL);
	if (rt.epfd >= 0)
		close(rt.epfd);
	if (rt.wakefd >= 0)
		close(rt.wakefd);
	rt.epfd = rt.wakefd = -1;
	rt.users = 0;
	rt.stop = 0;
	rt.busy = 0;
	rt.sleeping_until = 0;
	free(rt.heap);
	rt.heap = NULL;
	rt.n = rt.cap = 0;
}

static void rt_atfork_register(void) {
	pthread_atfork(NULL, NULL, rt_atfork_child);
}

int rt_in_event_thread(void) {
	return rt_is_event_thread;
}

void rt_test_as_event_thread(int on) {
	rt_is_event_thread = on;
}

uint64_t rt_now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ull + (uint64_t) ts.tv_nsec;
}

/* --- binary min-heap on when --- */
static void heap_swap(int a, int b) {
	struct rt_timer *t = rt.heap[a];
	rt.heap[a] = rt.heap[b];
	rt.heap[b] = t;
	rt.heap[a]->idx = a;
	rt.heap[b]->idx = b;
}

static void heap_up(int i) {
	while (i > 0) {
		int p = (i - 1) / 2;
		if (rt.heap[p]->when <= rt.heap[i]->when)
			break;
		heap_swap(i, p);
		i = p;
	}
}

static void heap_down(int i) {
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		if (l < rt.n && rt.heap[l]->when < rt.heap[m]->when)
			m = l;
		if (r < rt.n && rt.heap[r]->when < rt.heap[m]->when)
			m = r;
		if (m == i)
			break;
		heap_swap(i, m);
		i = m;
	}
}

static void heap_remove(struct rt_timer *t) {
	int i = t->idx;
	if (i < 0)
		return;
	rt.n--;
	if (i != rt.n) {
		rt.heap[i] = rt.heap[rt.n];
		rt.heap[i]->idx = i;
		heap_up(i);
		heap_down(rt.heap[i]->idx);
	}
	t->idx = -1;
}

static int heap_insert(struct rt_timer *t) {
	if (rt.n == rt.cap) {
		int ncap = rt.cap ? rt.cap * 2 : 64;
		struct rt_timer **h = realloc(rt.heap, sizeof(*h) * (size_t) ncap);
		if (h == NULL)
			return -ENOMEM;
		rt.heap = h;
		rt.cap = ncap;
	}
	t->idx = rt.n;
	rt.heap[rt.n++] = t;
	heap_up(t->idx);
	return 0;
}

static void wake_thread(void) {
	uint64_t one = 1;
	ssize_t r = write(rt.wakefd, &one, sizeof(one));
	(void) r;
}

void rt_timer_init(struct rt_timer *t, void (*fire)(struct rt_timer *)) {
	t->when = UINT64_MAX;
	t->idx = -1;
	t->fire = fire;
}

void rt_timer_set(struct rt_timer *t, uint64_t when) {
	pthread_mutex_lock(&rt.lock);
	if (when == UINT64_MAX) {
		heap_remove(t);
		t->when = when;
	} else {
		t->when = when;
		if (t->idx < 0) {
			if (heap_insert(t) < 0)
				t->when = UINT64_MAX; /* cannot happen after warm-up; timer lost */
		} else {
			heap_up(t->idx);
			heap_down(t->idx);
		}
		if (when < rt.sleeping_until && !rt_is_event_thread) {
			rt.sleeping_until = when;
			wake_thread();
		}
	}
	pthread_mutex_unlock(&rt.lock);
}

/* Return when the event thread holds nothing it fetched before now: an
 * fd event or timer it got from epoll_wait or the heap before the caller
 * removed it. It is woken so that the wait is one loop, not a timeout. */
static void wait_loop_locked(void) {
	if (!rt.busy || rt_is_event_thread)
		return;
	uint64_t g = rt.gen;
	wake_thread();
	while (rt.busy && rt.gen == g)
		pthread_cond_wait(&rt.idle, &rt.lock);
}

void rt_timer_del(struct rt_timer *t) {
	pthread_mutex_lock(&rt.lock);
	heap_remove(t);
	t->when = UINT64_MAX;
	wait_loop_locked();
	pthread_mutex_unlock(&rt.lock);
}

int rt_add_fd(struct rt_src *src) {
	struct epoll_event ev = {.events = EPOLLIN | src->events, .data.ptr = src};
	if (epoll_ctl(rt.epfd, EPOLL_CTL_ADD, src->fd, &ev) < 0)
		return -errno;
	return 0;
}

int rt_mod_fd(struct rt_src *src) {
	struct epoll_event ev = {.events = EPOLLIN | src->events, .data.ptr = src};
	if (epoll_ctl(rt.epfd, EPOLL_CTL_MOD, src->fd, &ev) < 0)
		return -errno;
	return 0;
}

/* A caller's thread takes an fd away for a while (see rt_loop); no wait:
 * the taker checks rt_loop so that an event fetched before is ignored.
 * The fd stays in the set with no event wanted: a change of its events
 * is cheaper than a removal and a new insertion (no epoll item freed and
 * allocated per wait). Epoll always reports EPOLLERR and EPOLLHUP:
 * edge-triggered, such a state wakes the event thread once, not in a
 * loop for as long as the caller holds the fd. */
int rt_pause_fd(struct rt_src *src) {
	struct epoll_event ev = {.events = EPOLLET, .data.ptr = src};
	return epoll_ctl(rt.epfd, EPOLL_CTL_MOD, src->fd, &ev) < 0 ? -errno : 0;
}

int rt_resume_fd(struct rt_src *src) {
	return rt_mod_fd(src);
}

uint64_t rt_loop(void) {
	return __atomic_load_n(&rt.gen, __ATOMIC_ACQUIRE);
}

void rt_del_fd(struct rt_src *src) {
	pthread_mutex_lock(&rt.lock);
	epoll_ctl(rt.epfd, EPOLL_CTL_DEL, src->fd, NULL);
	/* epoll_wait may have returned src already, in the thread's array */
	wait_loop_locked();
	pthread_mutex_unlock(&rt.lock);
}

static void *rt_thread(void *arg) {
	(void) arg;
	struct epoll_event ev[RT_MAXEV];
	rt_is_event_thread = 1;
	for (;;) {
		pthread_mutex_lock(&rt.lock);
		uint64_t next = rt.n ? rt.heap[0]->when : UINT64_MAX;
		rt.sleeping_until = next;
		rt.busy = 1;
		pthread_mutex_unlock(&rt.lock);
		int timeout = -1;
		if (next != UINT64_MAX) {
			uint64_t now = rt_now();
			/* round up to whole milliseconds: never wake early and spin */
			timeout = next <= now ? 0 : (int) ((next - now + 999999) / 1000000);
		}
		int n = epoll_wait(rt.epfd, ev, RT_MAXEV, timeout);
		if (n < 0 && errno != EINTR)
			break;
		pthread_mutex_lock(&rt.lock);
		rt.sleeping_until = 0; /* awake: nobody needs to wake us */
		int stop = rt.stop;
		pthread_mutex_unlock(&rt.lock);
		for (int i = 0; i < n && !stop; i++) {
			if (ev[i].data.ptr == NULL) {
				uint64_t v;
				ssize_t r = read(rt.wakefd, &v, sizeof(v));
				(void) r;
				continue;
			}
			struct rt_src *src = ev[i].data.ptr;
			src->revents = ev[i].events;
			src->ready(src);
		}
		/* Expired timers: pop one at a time so that a callback may re-arm. */
		uint64_t now = rt_now();
		for (;;) {
			pthread_mutex_lock(&rt.lock);
			struct rt_timer *t = NULL;
			if (rt.n && rt.heap[0]->when <= now) {
				t = rt.heap[0];
				heap_remove(t);
				t->when = UINT64_MAX;
			}
			pthread_mutex_unlock(&rt.lock);
			if (t == NULL)
				break;
			t->fire(t);
		}
		pthread_mutex_lock(&rt.lock);
		rt.busy = 0;
		__atomic_store_n(&rt.gen, rt.gen + 1, __ATOMIC_RELEASE);
		stop = rt.stop;
		pthread_cond_broadcast(&rt.idle);
		pthread_mutex_unlock(&rt.lock);
		if (stop)
			break;
	}
	return NULL;
}

int rt_get(void) {
	int err = 0;
	pthread_once(&atfork_once, rt_atfork_register);
	pthread_mutex_lock(&rt.life);
	if (rt.users++ > 0)
		goto out;
	rt.epfd = epoll_create1(EPOLL_CLOEXEC);
	rt.wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	if (rt.epfd < 0 || rt.wakefd < 0 || epoll_ctl(rt.epfd, EPOLL_CTL_ADD, rt.wakefd, &ev) < 0) {
		err = -errno;
		goto fail;
	}
	rt.stop = 0;
	/* the event thread takes no signal of the program's: a signal sent to
	 * the process reaches one of its threads, which may be blocked in a
	 * socket call that the handler must interrupt (socket/sock.c) */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = -pthread_create(&rt.thread, NULL, rt_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err == 0)
		goto out;
fail:
	if (rt.epfd >= 0)
		close(rt.epfd);
	if (rt.wakefd >= 0)
		close(rt.wakefd);
	rt.epfd = rt.wakefd = -1;
	rt.users--;
out:
	pthread_mutex_unlock(&rt.life);
	return err;
}

void rt_put(void) {
	pthread_mutex_lock(&rt.life);
	if (--rt.users > 0) {
		pthread_mutex_unlock(&rt.life);
		return;
	}
	pthread_mutex_lock(&rt.lock);
	rt.stop = 1;
	pthread_mutex_unlock(&rt.lock);
	wake_thread();
	pthread_join(rt.thread, NULL);
	close(rt.epfd);
	close(rt.wakefd);
	rt.epfd = rt.wakefd = -1;
	free(rt.heap);
	rt.heap = NULL;
	rt.n = rt.cap = 0;
	pthread_mutex_unlock(&rt.life);
}
