/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Background renewals: ONE timer thread for the whole library. It sleeps
 * until the earliest deadline of any interface (DHCPv4 T1/T2/end, DHCPv6
 * T1/T2/end, router discovery refresh, the lifetime of any item), takes
 * that interface (busy flag, see state.c) and runs its timers through the
 * public ioth API.
 *
 * Stack deletion: libioth calls ic_delstack_hook first in ioth_delstack;
 * the hook marks the stack's interfaces dying, waits until no thread works
 * on them (a renewal in progress finishes within its bounded timeout and
 * closes its sockets), then forgets them.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ioth.h>
#include "iothconf_int.h"

extern pthread_mutex_t ic_lock;
extern pthread_cond_t ic_cond;
extern struct ic_iface *ic_ifaces;

static pthread_cond_t timer_cond;
static pthread_t timer_thread;
static int timer_running, timer_stop;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_once_t hook_once = PTHREAD_ONCE_INIT;
static int hook_registered;

static void init_conds(void) {
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&timer_cond, &a);
	pthread_cond_init(&ic_cond, NULL);
	pthread_condattr_destroy(&a);
}

__attribute__((constructor)) static void lease_init(void) {
	pthread_once(&init_once, init_conds);
}

static time_t min_deadline(time_t a, time_t b) {
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* The next moment ifc needs the timer thread, 0 if never. */
static time_t iface_deadline(struct ic_iface *ifc) {
	time_t d = 0;
	if (ifc->d4.bound)
		d = min_deadline(min_deadline(d, ifc->d4.t1), min_deadline(ifc->d4.t2, ifc->d4.expiry));
	if (ifc->d6.bound)
		d = min_deadline(min_deadline(d, ifc->d6.t1), min_deadline(ifc->d6.t2, ifc->d6.expiry));
	if (ifc->rd_active)
		d = min_deadline(d, ifc->rd_refresh);
	d = min_deadline(d, ifc->otip_next);
	for (struct ic_item *it = ifc->items; it; it = it->next)
		d = min_deadline(d, it->expires);
	return d;
}

static void run_timers(struct ic_iface *ifc, time_t now) {
	if (ifc->d4.bound)
		ic_dhcp4_timer(ifc, now);
	if (ifc->d6.bound)
		ic_dhcp6_timer(ifc, now);
	if (ifc->rd_active || ifc->otip_next)
		ic_rd_timer(ifc, now);
	ic_expire_items(ifc, ic_now());
}

static void *timer_main(void *arg) {
	(void) arg;
	pthread_mutex_lock(&ic_lock);
	while (!timer_stop) {
		time_t now = ic_now(), next = 0;
		struct ic_iface *due = NULL;
		for (struct ic_iface *ifc = ic_ifaces; ifc; ifc = ifc->next) {
			if (ifc->busy || ifc->dying)
				continue;
			time_t d = iface_deadline(ifc);
			if (d != 0 && d <= now) {
				due = ifc;
				break;
			}
			next = min_deadline(next, d);
		}
		if (due) {
			due->busy = 1;
			pthread_mutex_unlock(&ic_lock);
			run_timers(due, now);
			pthread_mutex_lock(&ic_lock);
			due->busy = 0;
			pthread_cond_broadcast(&ic_cond);
			continue;
		}
		if (next == 0) {
			pthread_cond_wait(&timer_cond, &ic_lock);
		} else {
			struct timespec ts = {.tv_sec = next, .tv_nsec = 0};
			pthread_cond_timedwait(&timer_cond, &ic_lock, &ts);
		}
	}
	pthread_mutex_unlock(&ic_lock);
	return NULL;
}

void ic_timer_kick(void) {
	pthread_once(&init_once, init_conds);
	pthread_mutex_lock(&ic_lock);
	if (!timer_running && !timer_stop) {
		sigset_t all, old;
		/* the thread must not take the program's signals */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		if (pthread_create(&timer_thread, NULL, timer_main, NULL) == 0)
			timer_running = 1;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	pthread_cond_signal(&timer_cond);
	pthread_mutex_unlock(&ic_lock);
}

static void ic_delstack_hook(struct ioth *stack, void *arg) {
	(void) arg;
	struct ic_iface *gone = NULL;
	pthread_mutex_lock(&ic_lock);
	for (struct ic_iface *ifc = ic_ifaces; ifc; ifc = ifc->next)
		if (ifc->stack == stack)
			ifc->dying = 1;
	for (;;) {
		int busy = 0;
		for (struct ic_iface *ifc = ic_ifaces; ifc; ifc = ifc->next)
			if (ifc->stack == stack && ifc->busy)
				busy = 1;
		if (!busy)
			break;
		pthread_cond_wait(&ic_cond, &ic_lock);
	}
	for (struct ic_iface **pp = &ic_ifaces, *ifc; (ifc = *pp) != NULL;) {
		if (ifc->stack == stack) {
			*pp = ifc->next;
			ifc->next = gone;
			gone = ifc;
		} else
			pp = &ifc->next;
	}
	pthread_mutex_unlock(&ic_lock);
	/* the stack goes away with its addresses: nothing to undo on it */
	while (gone) {
		struct ic_iface *next = gone->next;
		ic_items_free(gone->items);
		free(gone);
		gone = next;
	}
}

static void hook_register(void) {
	if (ioth_add_delstack_hook(ic_delstack_hook, NULL) == 0)
		hook_registered = 1;
}

void ic_delstack_hook_register(void) {
	pthread_once(&hook_once, hook_register);
}

/* Library unload (or exit): stop the thread, forget all state. */
__attribute__((destructor)) static void lease_fini(void) {
	pthread_mutex_lock(&ic_lock);
	int running = timer_running;
	timer_stop = 1;
	pthread_cond_signal(&timer_cond);
	pthread_mutex_unlock(&ic_lock);
	if (running)
		pthread_join(timer_thread, NULL);
	pthread_mutex_lock(&ic_lock);
	struct ic_iface *list = ic_ifaces;
	ic_ifaces = NULL;
	pthread_mutex_unlock(&ic_lock);
	while (list) {
		struct ic_iface *next = list->next;
		ic_items_free(list->items);
		free(list);
		list = next;
	}
	if (hook_registered)
		ioth_del_delstack_hook(ic_delstack_hook, NULL);
}
