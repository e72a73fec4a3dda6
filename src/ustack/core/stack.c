/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE /* PTHREAD_MUTEX_ADAPTIVE_NP */
#include "stack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

/* --- per-stack timer heap --- */
static void th_swap(struct ustack *s, int a, int b) {
	struct utimer *t = s->theap[a];
	s->theap[a] = s->theap[b];
	s->theap[b] = t;
	s->theap[a]->idx = a;
	s->theap[b]->idx = b;
}

static void th_up(struct ustack *s, int i) {
	while (i > 0) {
		int p = (i - 1) / 2;
		if (s->theap[p]->when <= s->theap[i]->when)
			break;
		th_swap(s, i, p);
		i = p;
	}
}

static void th_down(struct ustack *s, int i) {
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		if (l < s->ntimers && s->theap[l]->when < s->theap[m]->when)
			m = l;
		if (r < s->ntimers && s->theap[r]->when < s->theap[m]->when)
			m = r;
		if (m == i)
			break;
		th_swap(s, i, m);
		i = m;
	}
}

static void th_sync(struct ustack *s) {
	uint64_t top = s->ntimers ? s->theap[0]->when : UINT64_MAX;
	if (top != s->armed_when && !s->deleting) {
		s->armed_when = top;
		rt_timer_set(&s->rtt, top);
	}
}

void utimer_init(struct utimer *t, void (*fn)(struct ustack *, struct utimer *)) {
	t->when = UINT64_MAX;
	t->idx = -1;
	t->fn = fn;
}

void utimer_arm(struct ustack *s, struct utimer *t, uint64_t when) {
	t->when = when;
	if (t->idx < 0) {
		if (s->ntimers == s->captimers) {
			int ncap = s->captimers ? s->captimers * 2 : 8;
			struct utimer **h = realloc(s->theap, sizeof(*h) * (size_t) ncap);
			if (h == NULL)
				return; /* out of memory: the deadline is lost, not the stack */
			s->theap = h;
			s->captimers = ncap;
		}
		t->idx = s->ntimers;
		s->theap[s->ntimers++] = t;
		th_up(s, t->idx);
	} else {
		th_up(s, t->idx);
		th_down(s, t->idx);
	}
	th_sync(s);
}

void utimer_arm_in(struct ustack *s, struct utimer *t, uint64_t delta_ns) {
	/* while timers run, "now" is the time they run for: a deadline set by
	 * a callback counts from it (and a test clock stays consistent) */
	utimer_arm(s, t, (s->timers_now ? s->timers_now : rt_now()) + delta_ns);
}

void utimer_cancel(struct ustack *s, struct utimer *t) {
	int i = t->idx;
	if (i < 0)
		return;
	s->ntimers--;
	if (i != s->ntimers) {
		s->theap[i] = s->theap[s->ntimers];
		s->theap[i]->idx = i;
		th_up(s, i);
		th_down(s, s->theap[i]->idx);
	}
	t->idx = -1;
	t->when = UINT64_MAX;
	th_sync(s);
}

void stack_run_timers(struct ustack *s, uint64_t now) {
	s->timers_now = now;
	while (s->ntimers && s->theap[0]->when <= now) {
		struct utimer *t = s->theap[0];
		utimer_cancel(s, t);
		t->fn(s, t);
	}
	s->timers_now = 0;
	th_sync(s);
}

/* The runtime fires the stack's timer: run every expired deadline. */
static void stack_fire(struct rt_timer *rtt) {
	struct ustack *s = (struct ustack *) ((char *) rtt - offsetof(struct ustack, rtt));
	stack_lock(s);
	s->armed_when = UINT64_MAX; /* the runtime popped it */
	stack_run_timers(s, rt_now());
	stack_unlock(s);
}

struct ustack *stack_new(void) {
	struct ustack *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	/* Adaptive: the event thread wakes a receiver just before it lets the
	 * lock go; the receiver spins for that instant instead of sleeping on
	 * the futex and being woken again (two more context switches). */
	pthread_mutexattr_t ma;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(&s->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	s->fork_gen = rt_fork_gen();
	rt_timer_init(&s->rtt, stack_fire);
	s->armed_when = UINT64_MAX;
	s->wakefd = -1;
	s->pcap_fd = -1;
	s->snmp_fd = -1;
	if (getrandom(&s->rng, sizeof(s->rng), GRND_NONBLOCK) != sizeof(s->rng))
		s->rng = (uint32_t) (uintptr_t) s ^ (uint32_t) rt_now();
	s->rng |= 1;
	s->ip_id = (uint16_t) stack_random(s);
	s->next_ifindex = 1;
	s->nl_next_pid = 1;
	s->accept_ra = 1;   /* Linux defaults for a host (forwarding off) */
	s->autoconf = 1;
	/* RFC 6056 algorithm 1 flavour: random start in Linux's default range */
	return s;
}

void stack_free(struct ustack *s) {
	free(s->theap);
	if (s->wakefd >= 0)
		close(s->wakefd);
	if (s->pcap_fd >= 0)
		close(s->pcap_fd);
	if (s->snmp_fd >= 0)
		close(s->snmp_fd);
	pbuf_cache_clear(&s->pc);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void stack_lock(struct ustack *s) {
	pthread_mutex_lock(&s->lock);
}

void stack_unlock(struct ustack *s) {
	if (s->loq_head && !s->loq_draining) {
		s->loq_draining = 1;
		if (s->unlock_drain)
			s->unlock_drain(s);
		s->loq_draining = 0;
	}
	if (s->tx_pending && s->unlock_flush)
		s->unlock_flush(s);
	pthread_mutex_unlock(&s->lock);
}

/* xorshift32: identifiers and ports, not secrets. */
uint32_t stack_random(struct ustack *s) {
	uint32_t x = s->rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	s->rng = x;
	return x;
}
