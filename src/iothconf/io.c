/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The clock and the wait on a socket that every method (dhcp4.c, dhcp6.c,
 * rd.c) and the state (state.c, lease.c) share. */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include "iothconf_int.h"

time_t ic_now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

int64_t ic_now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ic_wait_fd(int fd, int64_t deadline_ms) {
	for (;;) {
		int64_t left = deadline_ms - ic_now_ms();
		if (left <= 0)
			return 0;
		struct pollfd pfd = {fd, POLLIN, 0};
		int rv = poll(&pfd, 1, left > 1000 ? 1000 : (int) left);
		if (rv > 0)
			return 1;
		if (rv < 0 && errno != EINTR)
			return -errno;
	}
}
