/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Shared by the stack plugins (vdestack, ustack): how long ioth_delstack
 * waits for what the program already sent (queued datagrams, the data and
 * FIN of closed TCP connections) before the stack goes away.
 * $IOTH_DELSTACK_LINGER seconds, 10 when unset, empty or not a number
 * >= 0; 0 deletes at once. Header only: each plugin is a module of its own. */
#ifndef IOTH_PLUGIN_LINGER_H
#define IOTH_PLUGIN_LINGER_H
#include <stdlib.h>
#include <time.h>

#define IOTH_DELSTACK_LINGER_DEFAULT 10.0

static inline double ioth_plugin_linger_secs(void) {
	const char *env = getenv("IOTH_DELSTACK_LINGER");
	if (env == NULL || *env == 0)
		return IOTH_DELSTACK_LINGER_DEFAULT;
	char *end;
	double v = strtod(env, &end);
	/* !(v >= 0) also refuses NaN */
	return (*end || !(v >= 0)) ? IOTH_DELSTACK_LINGER_DEFAULT : v;
}

/* Waits while pending(arg) is true, asking every tick_ms milliseconds,
 * for at most ioth_plugin_linger_secs() seconds (0: not at all). */
static inline void ioth_plugin_linger_wait(int (*pending)(void *arg), void *arg, long tick_ms) {
	double secs = ioth_plugin_linger_secs();
	if (secs <= 0)
		return;
	struct timespec now, end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t) secs;
	end.tv_nsec += (long) ((secs - (double) (time_t) secs) * 1e9);
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		int busy = pending(arg);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!busy || now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
			return;
		struct timespec tick = {tick_ms / 1000, (tick_ms % 1000) * 1000000L};
		nanosleep(&tick, NULL);
	}
}

#endif
