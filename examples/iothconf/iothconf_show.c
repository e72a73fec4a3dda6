/* SPDX-License-Identifier: LGPL-2.1-or-later
 * iothconf-show: create a stack from an ioth_newstackc string, print its
 * interfaces, addresses, routes and resolv.conf, then wait (renewals run in
 * the background) until interrupted or for the given time.
 *
 *   iothconf-show [-w SECONDS] [-r SECONDS] 'stack=vdestack,vnl=vde:///tmp/sw,eth,dhcp'
 *     -w SECONDS  exit after SECONDS (default: wait for a signal)
 *     -r SECONDS  print the configuration again every SECONDS
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ioth.h>
#include <iothconf.h>
#include "showstack.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void) sig; stop = 1; }

/* ioth_resolvconf wants to know the interface: the iface= or ifindex= of
 * the configuration string, if any */
static char resolv_config[64];

static void find_iface(const char *config) {
	const char *p = config;
	while (p && *p) {
		size_t len = strcspn(p, ",");
		if ((strncmp(p, "iface=", 6) == 0 || strncmp(p, "ifindex=", 8) == 0) &&
				len < sizeof(resolv_config))
			snprintf(resolv_config, sizeof(resolv_config), "%.*s", (int) len, p);
		p = p[len] ? p + len + 1 : NULL;
	}
}

static void show(struct ioth *stack) {
	show_links_addrs(stack, stdout);
	show_routes(stack, stdout);
	char *rc = ioth_resolvconf(stack, resolv_config);
	if (rc) {
		printf("resolv.conf:\n%s", rc);
		free(rc);
	}
	printf("--\n");
	fflush(stdout);
}

int main(int argc, char *argv[]) {
	int opt, wait = -1, repeat = 0;
	while ((opt = getopt(argc, argv, "w:r:h")) != -1) {
		switch (opt) {
		case 'w': wait = atoi(optarg); break;
		case 'r': repeat = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-w seconds] [-r seconds] stack_config\n"
					"  e.g. 'stack=vdestack,vnl=vde:///tmp/sw,eth,dhcp'\n", argv[0]);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: %s [-w seconds] [-r seconds] stack_config\n", argv[0]);
		return 2;
	}
	find_iface(argv[optind]);
	struct ioth *stack = ioth_newstackc(argv[optind]);
	if (stack == NULL) {
		fprintf(stderr, "ioth_newstackc: %s\n", strerror(errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	show(stack);
	time_t end = wait >= 0 ? time(NULL) + wait : 0, next = time(NULL) + repeat;
	while (!stop && (wait < 0 || time(NULL) < end)) {
		sleep(1);
		if (repeat > 0 && time(NULL) >= next) {
			show(stack);
			next = time(NULL) + repeat;
		}
	}
	if (ioth_delstack(stack) < 0)
		fprintf(stderr, "ioth_delstack: %s\n", strerror(errno));
	return 0;
}
