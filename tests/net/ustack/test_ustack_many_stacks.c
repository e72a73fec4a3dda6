/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Many stacks in one process: N ustack stacks (1000 by default, or
 * $USTACK_STACKS) on one embedded switch, each with its own address,
 * each answering a ping from another stack. They share one event thread:
 * the test also checks that the process does not grow a thread per stack.
 * The stacks do not solicit routers (accept_ra=0): there is no router on
 * this switch, and three solicitations from each of 1000 stacks, copied
 * by the switch to every other stack, would only lengthen the test. */
#include <dirent.h>
#include <sys/resource.h>

#include "ustest.h"
#include "vdeswitch.h"

static int count_threads(void) {
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	if (d == NULL)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 2;
}

static void addr_of(int i, char *buf, size_t len) {
	/* 198.18.0.0/15: 198.18.1.1 ... upwards, skipping .0 and .255 */
	int host = i + 1;
	snprintf(buf, len, "198.%d.%d.%d", 18 + host / (254 * 256), (host / 254) % 256, 1 + host % 254);
}

int main(void) {
	int n = getenv("USTACK_STACKS") ? atoi(getenv("USTACK_STACKS")) : 1000;
	/* each stack holds a few fds (VDE data and control) */
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t) (n * 4 + 64)) {
		printf("SKIP: RLIMIT_NOFILE %lu too low for %d stacks\n", (unsigned long) rl.rlim_cur, n);
		return 77;
	}
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	int threads0 = count_threads();
	struct ioth *pinger = ustest_stack("ustack,accept_ra=0", vdeswitch_vnl(sw), "198.18.0.1", 15);
	REQUIRE(pinger);
	struct ioth **st = calloc((size_t) n, sizeof(*st));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		char a[32];
		addr_of(i, a, sizeof(a));
		st[i] = ustest_stack("ustack,accept_ra=0", vdeswitch_vnl(sw), a, 15);
		if (st[i] == NULL) {
			fprintf(stderr, "stack %d (%s): %s\n", i, a, strerror(errno));
			REQUIRE(st[i] != NULL);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("%d stacks created in %.0f ms (%.2f ms each)\n", n, ms, ms / n);
	/* one event thread for all (plus the switch's and ours) */
	int threads = count_threads();
	CHECK(threads <= threads0 + 2);
	printf("threads: %d before, %d with %d stacks\n", threads0, threads, n + 1);
	/* ping them all through one ping socket, a few at a time: every ARP
	 * request is a broadcast that the switch copies to all N ports, whose
	 * queues are short (AF_UNIX datagram sockets, max_dgram_qlen) */
	int fd = ioth_msocket(pinger, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, IPPROTO_ICMP);
	REQUIRE(fd >= 0);
	char *got = calloc((size_t) n, 1);
	int answered = 0;
	const int window = 8;
	for (int round = 0; round < 4 && answered < n; round++) {
		for (int base = 0; base < n; base += window) {
			int want = 0;
			for (int i = base; i < base + window && i < n; i++) {
				if (got[i])
					continue;
				char a[32];
				addr_of(i, a, sizeof(a));
				uint8_t req[8 + 4] = {8, 0, 0, 0, 0, 0, (uint8_t) (i >> 8), (uint8_t) i};
				memcpy(req + 8, &i, 4);
				struct sockaddr_in to = sin4(a, 0);
				if (ioth_sendto(fd, req, sizeof(req), 0, (struct sockaddr *) &to, sizeof(to)) == 12)
					want++;
			}
			struct pollfd pfd = {.fd = fd, .events = POLLIN};
			while (want > 0 && poll(&pfd, 1, 1500) == 1) {
				uint8_t rep[64];
				struct sockaddr_in from;
				socklen_t fl = sizeof(from);
				ssize_t r;
				while ((r = ioth_recvfrom(fd, rep, sizeof(rep), 0, (struct sockaddr *) &from, &fl)) > 0) {
					int i;
					if (r != 12 || rep[0] != 0)
						continue;
					memcpy(&i, rep + 8, 4);
					if (i < 0 || i >= n)
						continue;
					char a[32];
					addr_of(i, a, sizeof(a));
					/* the reply comes from the stack that was asked */
					if (!got[i] && from.sin_addr.s_addr == ip4(a)) {
						got[i] = 1;
						answered++;
						want--;
					}
				}
			}
		}
	}
	printf("%d of %d stacks answered\n", answered, n);
	CHECK(answered == n);
	ioth_close(fd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++)
		CHECK(ioth_delstack(st[i]) == 0);
	CHECK(ioth_delstack(pinger) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6;
	printf("deleted in %.0f ms\n", ms);
	free(got);
	free(st);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_many_stacks");
}
