/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Leak and fd hygiene: create many stacks of the kind named on the command
 * line, each on an embedded switch with its link up, an address and open
 * sockets; close the sockets, delete the stacks, three times over. No file
 * descriptor may be left behind (memory is LeakSanitizer's job in the ASan
 * build).   test_hygiene STACK COUNT */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ioth.h>
#include "vdeswitch.h"

static int count_fds(void) {
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (d == NULL)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

int main(int argc, char *argv[]) {
	if (argc < 3) {
		fprintf(stderr, "usage: %s STACK COUNT\n", argv[0]);
		return 2;
	}
	const char *stack = argv[1];
	int count = atoi(argv[2]);
	struct vdeswitch *sw = vdeswitch_start(NULL);
	if (sw == NULL) {
		perror("switch");
		return 1;
	}
	struct ioth **st = calloc((size_t) count, sizeof(*st));
	int *fds = calloc((size_t) count * 2, sizeof(int));
	int before = count_fds();
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < count; i++) {
			st[i] = ioth_newstack(stack, vdeswitch_vnl(sw));
			if (st[i] == NULL) {
				if (i == 0 && round == 0) {
					printf("SKIP: cannot create a %s stack here: %s\n", stack, strerror(errno));
					vdeswitch_stop(sw);
					return 77;
				}
				printf("FAIL: stack %d of round %d: %s\n", i, round, strerror(errno));
				return 1;
			}
			int ifi = ioth_if_nametoindex(st[i], "vde0");
			struct in_addr a = {htonl(0xc6120000 + 0x100 * (unsigned) round + (unsigned) i + 1)};
			if (ifi <= 0 || ioth_linksetupdown(st[i], ifi, 1) < 0 ||
					ioth_ipaddr_add(st[i], AF_INET, &a, 16, ifi) < 0) {
				printf("FAIL: configuring stack %d: %s\n", i, strerror(errno));
				return 1;
			}
			fds[2 * i] = ioth_msocket(st[i], AF_INET, SOCK_DGRAM, 0);
			fds[2 * i + 1] = ioth_msocket(st[i], AF_INET6, SOCK_DGRAM, 0);
			struct ifaddrs *ifa;
			if (fds[2 * i] < 0 || fds[2 * i + 1] < 0 || ioth_getifaddrs(st[i], &ifa) < 0) {
				printf("FAIL: sockets on stack %d: %s\n", i, strerror(errno));
				return 1;
			}
			ioth_freeifaddrs(ifa);
		}
		for (int i = 0; i < count; i++) {
			if (ioth_delstack(st[i]) == 0 || errno != EBUSY) {
				printf("FAIL: delstack with open sockets did not say EBUSY\n");
				return 1;
			}
			ioth_close(fds[2 * i]);
			ioth_close(fds[2 * i + 1]);
			if (ioth_delstack(st[i]) < 0) {
				printf("FAIL: delstack %d: %s\n", i, strerror(errno));
				return 1;
			}
		}
		/* The embedded switch runs in this process: it closes its side of
		 * each connection when it notices the hang-up, a moment later. */
		int after = count_fds();
		for (int i = 0; i < 50 && after != before; i++) {
			usleep(100000);
			after = count_fds();
		}
		printf("round %d: %d %s stacks created and deleted, fds %d -> %d\n", round, count, stack,
				before, after);
		if (after != before) {
			printf("FAIL: %d file descriptors leaked; open now:\n", after - before);
			char cmd[64];
			snprintf(cmd, sizeof(cmd), "ls -l /proc/%d/fd >&2", (int) getpid());
			if (system(cmd) != 0)
				printf("(cannot list them)\n");
			return 1;
		}
	}
	free(st);
	free(fds);
	vdeswitch_stop(sw);
	printf("1 passed, 0 failed\n");
	return 0;
}
