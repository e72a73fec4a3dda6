/* SPDX-License-Identifier: LGPL-2.1-or-later
 * What the test nodes of this folder share (hostile-node, limits-node): a
 * stack of the kind named on the command line on a VNL, vde0 up with the
 * given addresses, a UDP echo server on port 7 (IPv4 and IPv6), and a loop
 * that serves the echo and reads commands from stdin:
 *
 *   NODE STACK VNL ADDR4/LEN ADDR6/LEN */
#ifndef TESTS_HOSTILE_NODELIB_H
#define TESTS_HOSTILE_NODELIB_H
#include <ioth.h>

struct node {
	const char *name;   /* in messages */
	struct ioth *st;
	int echo[2];        /* IPv4, IPv6 */
};

/* Create and configure the stack of argv, open the echo sockets; exits
 * (2: usage, 1: failure) with a message when it cannot. */
void node_start(struct node *n, const char *name, int argc, char *argv[]);
/* Print "ready", then serve: every line of stdin but "quit" goes to cmd;
 * returns at "quit" or at the end of input. */
void node_serve(struct node *n, void (*cmd)(struct node *n, const char *line));
/* Close the echo sockets and delete the stack: the exit status. */
int node_stop(struct node *n);
long node_rss_kib(void);
/* "rss_kib N" */
void node_print_rss(void);
/* the counters of vde0, or NULL (*ifa to free with ioth_freeifaddrs) */
struct rtnl_link_stats *node_vde0_stats(struct node *n, struct ifaddrs **ifa);
#endif
