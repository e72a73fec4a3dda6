/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Background renewals: ONE timer thread for the whole library. It sleeps
 * until the earliest deadline of any interface (each method's, as its
 * registered deadline function tells: DHCPv4 T1/T2/end, DHCPv6 T1/T2/end,
 * router discovery refresh; and the lifetime of any item), takes that
 * interface (busy flag, see state.c) and runs the registered timers.
 *
 * Layering: state.c below this file, the methods (dhcp4.c, dhcp6.c, rd.c)
 * above it. The methods register their timers here (ic_timer_register, at
 * load time) and this file registers its kick with state.c
 * (ic_state_on_release): no file calls one above it by name.
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
/* each method's timer, by source; set at load time, read-only after */
static const struct ic_timer_ops *timers[IC_NSRC];

static void init_conds(void) {
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&timer_cond, &a);
	pthread_condattr_destroy(&a);
}

__attribute__((constructor)) static void lease_init(void) {
	pthread_once(&init_once, init_conds);
	ic_state_on_release(ic_timer_kick);
}

void ic_timer_register(int src, const struct ic_timer_ops *ops) {
	if (src >= 0 && src < IC_NSRC)
		timers[src] = ops;
}

/* The next moment ifc needs the timer thread, 0 if never. */
static time_t iface_deadline(struct ic_iface *ifc) {
	time_t d = 0;
	for (int src = 0; src < IC_NSRC; src++)
		if (timers[src])
			d = ic_min_deadline(d, timers[src]->deadline(ifc));
	for (struct ic_item *it = ifc->items; it; it = it->next)
		d = ic_min_deadline(d, it->expires);
	return d;
}

static void run_timers(struct ic_iface *ifc, time_t now) {
	for (int src = 0; src < IC_NSRC; src++)
		if (timers[src])
			timers[src]->run(ifc, now);
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
			next = ic_min_deadline(next, d);
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

/* Library unload (or exit): stop the thread, forget all state. */
__attribute__((destructor)) static void lease_fini(void) {
	pthread_mutex_lock(&ic_lock);
	int running = timer_running;
	timer_stop = 1;
	pthread_cond_signal(&timer_cond);
	pthread_mutex_unlock(&ic_lock);
	if (running)
		pthread_join(timer_thread, NULL);
	ic_state_fini();
}
