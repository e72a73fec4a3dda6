/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ioth-demo: the Internet of Threads in one process. Two nodes, "alice" and
 * "bob", each its own network stack with its own addresses, plugged into a
 * VDE switch that the demo itself embeds (no root, no other process). They
 * talk UDP (IPv4 and IPv6) and TCP, and the demo says what happened.
 *
 *   ioth-demo [STACK]      STACK: ustack, vdestack, ... (default: $IOTH_DEMO_STACK,
 *                          else the first of ustack and vdestack that works) */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <linux/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ioth.h>
#include "vdeswitch.h"

struct node {
	const char *name;
	struct ioth *stack;
	int ifindex;
	struct in_addr ip4;
	struct in6_addr ip6;
	unsigned char mac[6];
};

static double now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what) {
	fprintf(stderr, "ioth-demo: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int node_start(struct node *n, const char *stackname, const char *vnl, int id) {
	n->stack = ioth_newstack(stackname, vnl);
	if (n->stack == NULL)
		return -1;
	char a4[32], a6[64];
	snprintf(a4, sizeof(a4), "198.18.0.%d", id);
	snprintf(a6, sizeof(a6), "fd00:10::%d", id);
	inet_pton(AF_INET, a4, &n->ip4);
	inet_pton(AF_INET6, a6, &n->ip6);
	n->ifindex = ioth_if_nametoindex(n->stack, "vde0");
	if (n->ifindex <= 0 || ioth_linksetupdown(n->stack, n->ifindex, 1) < 0 ||
			ioth_ipaddr_add(n->stack, AF_INET, &n->ip4, 24, n->ifindex) < 0 ||
			ioth_ipaddr_add(n->stack, AF_INET6, &n->ip6, 64, n->ifindex) < 0)
		die("configuring vde0 through netlink");
	ioth_linkgetaddr(n->stack, n->ifindex, n->mac);
	char mac[MAC_ADDRSTRLEN];
	printf("   %-5s: its own %s stack; vde0 is up with %s/24 and %s/64, MAC %s\n", n->name,
			stackname, a4, a6, ioth_ntomac(n->mac, mac, sizeof(mac)));
	return 0;
}

/* Wait for data on fd for at most ms milliseconds: 1 if readable. */
static int wait_readable(int fd, int ms) {
	struct pollfd pfd = {fd, POLLIN, 0};
	return poll(&pfd, 1, ms) == 1;
}

static int udp_bound(struct node *n, int family, int port) {
	int fd = ioth_msocket(n->stack, family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("UDP socket");
	struct sockaddr_storage ss = {0};
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
		*sin = (struct sockaddr_in) {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = n->ip4};
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
		*sin6 = (struct sockaddr_in6) {.sin6_family = AF_INET6, .sin6_port = htons(port),
			.sin6_addr = n->ip6};
		len = sizeof(*sin6);
	}
	/* A new IPv6 address is "tentative" while duplicate address detection
	 * runs (about a second on Linux): until then it cannot be bound. */
	for (int i = 0; ioth_bind(fd, (struct sockaddr *) &ss, len) < 0; i++) {
		if (errno != EADDRNOTAVAIL || i > 50)
			die("bind");
		usleep(100000);
	}
	return fd;
}

static void demo_udp(struct node *from, struct node *to, int family) {
	const char *fam = family == AF_INET ? "IPv4" : "IPv6";
	int rx = udp_bound(to, family, 5000);
	int tx = udp_bound(from, family, 0);
	struct sockaddr_storage dst = {0};
	socklen_t dlen;
	char dtext[INET6_ADDRSTRLEN];
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *) &dst;
		*sin = (struct sockaddr_in) {.sin_family = AF_INET, .sin_port = htons(5000), .sin_addr = to->ip4};
		dlen = sizeof(*sin);
		inet_ntop(AF_INET, &to->ip4, dtext, sizeof(dtext));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &dst;
		*sin6 = (struct sockaddr_in6) {.sin6_family = AF_INET6, .sin6_port = htons(5000),
			.sin6_addr = to->ip6};
		dlen = sizeof(*sin6);
		inet_ntop(AF_INET6, &to->ip6, dtext, sizeof(dtext));
	}
	char msg[64];
	snprintf(msg, sizeof(msg), "ciao %s, from %s over %s", to->name, from->name, fam);
	double t0 = now_ms();
	/* While duplicate address detection runs, the source address cannot be
	 * used yet (EADDRNOTAVAIL): wait for it, a second or two. */
	for (int i = 0; ioth_sendto(tx, msg, strlen(msg), 0, (struct sockaddr *) &dst, dlen) < 0; i++) {
		if (errno != EADDRNOTAVAIL || i > 50)
			die("sendto");
		usleep(100000);
		t0 = now_ms();
	}
	char buf[128], src[INET6_ADDRSTRLEN];
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	if (!wait_readable(rx, 5000)) {
		printf("   UDP/%s: %s sent a datagram to %s port 5000, but nothing arrived in 5 s\n", fam,
				from->name, dtext);
		exit(1);
	}
	ssize_t n = ioth_recvfrom(rx, buf, sizeof(buf) - 1, 0, (struct sockaddr *) &peer, &plen);
	double t1 = now_ms();
	buf[n > 0 ? n : 0] = '\0';
	int port = family == AF_INET ? ntohs(((struct sockaddr_in *) &peer)->sin_port)
		: ntohs(((struct sockaddr_in6 *) &peer)->sin6_port);
	inet_ntop(family, family == AF_INET ? (void *) &((struct sockaddr_in *) &peer)->sin_addr
			: (void *) &((struct sockaddr_in6 *) &peer)->sin6_addr, src, sizeof(src));
	printf("   UDP/%s: %s sent to %s port 5000; %s received \"%s\" from %s port %d"
			" (%.2f ms, neighbour discovery included)\n", fam, from->name, dtext, to->name, buf, src,
			port, t1 - t0);
	ioth_close(rx);
	ioth_close(tx);
}

struct tcp_server {
	struct node *node;
	int lfd;
};

/* Bob's side: accept one connection, answer each message in upper case. */
static void *tcp_serve(void *arg) {
	struct tcp_server *srv = arg;
	int fd = ioth_accept(srv->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	char buf[256];
	ssize_t n;
	while ((n = ioth_recv(fd, buf, sizeof(buf), 0)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] >= 'a' && buf[i] <= 'z')
				buf[i] = (char) (buf[i] - 'a' + 'A');
		ioth_send(fd, buf, (size_t) n, 0);
	}
	ioth_close(fd);
	return NULL;
}

static int demo_tcp(struct node *client, struct node *server) {
	struct tcp_server srv = {server, ioth_msocket(server->stack, AF_INET, SOCK_STREAM, 0)};
	if (srv.lfd < 0)
		return -1;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(5001), .sin_addr = server->ip4};
	if (ioth_bind(srv.lfd, (struct sockaddr *) &sin, sizeof(sin)) < 0 || ioth_listen(srv.lfd, 4) < 0)
		die("TCP bind/listen");
	pthread_t t;
	pthread_create(&t, NULL, tcp_serve, &srv);
	printf("   TCP: %s listens on %s port 5001 (a thread of this process)\n", server->name,
			inet_ntoa(server->ip4));
	int fd = ioth_msocket(client->stack, AF_INET, SOCK_STREAM, 0);
	double t0 = now_ms();
	if (fd < 0 || ioth_connect(fd, (struct sockaddr *) &sin, sizeof(sin)) < 0)
		die("TCP connect");
	printf("   TCP: %s connected to it in %.2f ms\n", client->name, now_ms() - t0);
	char hello[64];
	snprintf(hello, sizeof(hello), "hello %s, this is %s", server->name, client->name);
	const char *lines[] = {hello, "two stacks, one process", NULL};
	for (int i = 0; lines[i]; i++) {
		ioth_send(fd, lines[i], strlen(lines[i]), 0);
		char buf[256];
		size_t got = 0, want = strlen(lines[i]);
		while (got < want && wait_readable(fd, 5000)) {
			ssize_t n = ioth_recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
			if (n <= 0)
				break;
			got += (size_t) n;
		}
		buf[got] = '\0';
		printf("   TCP: %s sent \"%s\", %s answered \"%s\"\n", client->name, lines[i], server->name, buf);
	}
	ioth_shutdown(fd, SHUT_WR);
	char c;
	int eof = wait_readable(fd, 5000) && ioth_recv(fd, &c, 1, 0) == 0;
	printf("   TCP: %s closed its side; %s %s\n", client->name, server->name,
			eof ? "closed too: the connection ended cleanly" : "did not close in time");
	ioth_close(fd);
	pthread_join(t, NULL);
	ioth_close(srv.lfd);
	return 0;
}

static void show_interfaces(struct node *n) {
	struct ifaddrs *ifa;
	if (ioth_getifaddrs(n->stack, &ifa) < 0)
		die("ioth_getifaddrs");
	printf("   %s's interfaces, as ioth_getifaddrs reports them:\n", n->name);
	for (struct ifaddrs *p = ifa; p; p = p->ifa_next) {
		if (p->ifa_addr == NULL || p->ifa_addr->sa_family == AF_PACKET)
			continue;
		char a[INET6_ADDRSTRLEN];
		int fam = p->ifa_addr->sa_family;
		const void *src = fam == AF_INET ? (void *) &((struct sockaddr_in *) p->ifa_addr)->sin_addr
			: (void *) &((struct sockaddr_in6 *) p->ifa_addr)->sin6_addr;
		inet_ntop(fam, src, a, sizeof(a));
		printf("      %-5s %-4s %s%s\n", p->ifa_name, fam == AF_INET ? "inet" : "inet6", a,
				(p->ifa_flags & IFF_UP) ? "" : " (down)");
	}
	ioth_freeifaddrs(ifa);
}

/* The first stack of the list that can be created here. */
static const char *pick_stack(const char *vnl) {
	const char *choice[] = {"ustack", "vdestack", NULL};
	for (int i = 0; choice[i]; i++) {
		struct ioth *s = ioth_newstack(choice[i], vnl);
		if (s) {
			ioth_delstack(s);
			return choice[i];
		}
	}
	return NULL;
}

/* Killed (Ctrl-C, kill), the demo still removes its switch's directory: the
 * signals go to this thread alone, which empties the directory and exits. */
static char switch_dir[4096];
static sigset_t stop_signals;

static void *on_signal(void *arg) {
	(void) arg;
	int sig;
	if (sigwait(&stop_signals, &sig) != 0)
		return NULL;
	DIR *d = opendir(switch_dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(switch_dir);
	fprintf(stderr, "ioth-demo: stopped by signal %d, %s removed\n", sig, switch_dir);
	_exit(128 + sig);
}

int main(int argc, char *argv[]) {
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* before any thread starts, so that every thread inherits the mask */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	printf("The Internet of Threads, in one process: two nodes, each with its own network stack.\n\n");
	struct vdeswitch *sw = vdeswitch_start(NULL);
	if (sw == NULL)
		die("starting the embedded VDE switch");
	const char *vnl = vdeswitch_vnl(sw);
	snprintf(switch_dir, sizeof(switch_dir), "%s", vnl + strlen("vde://"));
	pthread_t sigthread;
	if (pthread_create(&sigthread, NULL, on_signal, NULL) == 0)
		pthread_detach(sigthread);
	printf("1. This process became a VDE switch: %s\n", vnl);

	const char *stackname = argc > 1 ? argv[1] : getenv("IOTH_DEMO_STACK");
	if (stackname == NULL || *stackname == '\0')
		stackname = pick_stack(vnl);
	if (stackname == NULL) {
		fprintf(stderr, "ioth-demo: neither ustack nor vdestack could be created: %s\n",
				strerror(errno));
		return 1;
	}
	printf("2. Two nodes plug into it, configured through netlink as any Linux host:\n");
	struct node alice = {.name = "alice"}, bob = {.name = "bob"};
	if (node_start(&alice, stackname, vnl, 1) < 0 || node_start(&bob, stackname, vnl, 2) < 0)
		die(stackname);

	printf("3. They exchange datagrams:\n");
	demo_udp(&alice, &bob, AF_INET);
	demo_udp(&bob, &alice, AF_INET6);

	printf("4. And a TCP conversation:\n");
	int tcp = demo_tcp(&alice, &bob);

	printf("5. What each node sees of itself:\n");
	show_interfaces(&alice);
	show_interfaces(&bob);

	printf("6. Done: stacks deleted, switch stopped.\n");
	if (ioth_delstack(alice.stack) < 0 || ioth_delstack(bob.stack) < 0)
		die("ioth_delstack");
	vdeswitch_stop(sw);
	return tcp < 0 ? 1 : 0;
}
