/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Shared by the stack plugins (vdestack, ustack): how long ioth_delstack
 * waits for what the program already sent (queued datagrams, the data and
 * FIN of closed TCP connections) before the stack goes away.
 * $IOTH_DELSTACK_LINGER seconds, 10 when unset, empty or not a number
 * >= 0; 0 deletes at once. Header only: each plugin is a module of its own. */
#ifndef IOTH_PLUGIN_LINGER_H
#define IOTH_PLUGIN_LINGER_H
#include <stdlib.h>

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

#endif
