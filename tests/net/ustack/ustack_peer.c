/* SPDX-License-Identifier: LGPL-2.1-or-later
 * A ustack stack driven from the command line, for tests against real
 * peers (the Linux kernel in a namespace). It configures vde0, binds the
 * UDP ports of every "udp-recv" step at once, prints READY, then runs the
 * steps in order and exits 0 only if each one succeeded.
 *
 *   ustack_peer STACKSTRING VNL ADDR/PLEN STEP...
 *   steps:  ping DST SIZE           echo request through a ping socket
 *           udp-send DST PORT TEXT  one datagram
 *           udp-sendbig DST PORT N  one datagram of N patterned bytes
 *           udp-recv PORT N SECS    wait for a datagram of N bytes
 *                                   (patterned if N > 64, else "ciao\n"-like
 *                                   text printed)
 *           route DST/PLEN GW       add a route
 *           addr6 ADDR/PLEN         add an IPv6 address to vde0 (and wait DAD)
 *           ping6 DST SIZE          ICMPv6 echo through a ping socket
 *           udp6-send DST PORT TEXT one datagram over IPv6
 *           udp6-recv PORT N SECS   as udp-recv, on an AF_INET6 socket (dual
 *                                   stack: the port also takes IPv4)
 *           serve SECS              stay alive (answering pings)
 *           tfo-serve PORT N        TCP Fast Open listener (TCP_FASTOPEN
 *                                   5): accept N connections, read a line
 *                                   from each, echo it; prints "tfo-accept
 *                                   TEXT syn_data=0|1" (TCPI_OPT_SYN_DATA)
 *           tfo-send DST PORT TEXT  sendto(MSG_FASTOPEN) of a line, read the
 *                                   echo; prints "tfo-sent syn_data=0|1" */
#define _GNU_SOURCE
#include "ustest.h"

#include <netinet/tcp.h>

#define MAXPORTS 16

static int syn_data(int fd) {
	struct tcp_info ti;
	socklen_t l = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	if (ioth_getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0)
		return -1;
	return (ti.tcpi_options & 32) != 0;   /* TCPI_OPT_SYN_DATA */
}

/* a line (up to the newline) within 10 s; its length or -1 */
static int read_line(int fd, char *buf, size_t cap) {
	size_t n = 0;
	while (n + 1 < cap) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		if (poll(&pfd, 1, 10000) != 1)
			return -1;
		ssize_t r = ioth_recv(fd, buf + n, cap - 1 - n, 0);
		if (r <= 0)
			return -1;
		n += (size_t) r;
		if (memchr(buf, '\n', n))
			break;
	}
	buf[n] = 0;
	return (int) n;
}

static int do_tfo_serve(struct ioth *st, int lfd, int count) {
	(void) st;
	for (int i = 0; i < count; i++) {
		struct pollfd pfd = {.fd = lfd, .events = POLLIN};
		if (poll(&pfd, 1, 20000) != 1) {
			fprintf(stderr, "tfo-serve: no connection %d\n", i);
			return -1;
		}
		int c = ioth_accept(lfd, NULL, NULL);
		char buf[256];
		if (c < 0 || read_line(c, buf, sizeof(buf)) < 0) {
			fprintf(stderr, "tfo-serve: accept/read failed\n");
			return -1;
		}
		printf("tfo-accept %.*s syn_data=%d\n", (int) strcspn(buf, "\n"), buf, syn_data(c));
		fflush(stdout);
		ioth_send(c, buf, strlen(buf), 0);
		usleep(200000);
		ioth_close(c);
	}
	return 0;
}

static int do_tfo_send(struct ioth *st, const char *dst, int port, const char *text) {
	int fd = ioth_msocket(st, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to = sin4(dst, port);
	char line[256], buf[256];
	int l = snprintf(line, sizeof(line), "%s\n", text);
	if (fd < 0 || ioth_sendto(fd, line, (size_t) l, MSG_FASTOPEN, (struct sockaddr *) &to, sizeof(to)) != l) {
		perror("tfo-send");
		return -1;
	}
	int rc = read_line(fd, buf, sizeof(buf)) == l && memcmp(buf, line, (size_t) l) == 0 ? 0 : -1;
	printf("tfo-sent syn_data=%d\n", syn_data(fd));
	ioth_close(fd);
	return rc;
}

struct rxport {
	int port, fd;
};

static int do_ping(struct ioth *st, const char *dst, int size) {
	for (int i = 0; i < 5; i++)
		if (ustest_ping(st, dst, (size_t) size, 1000) == 0)
			return 0;
	fprintf(stderr, "ping %s size %d: no reply\n", dst, size);
	return -1;
}

static int do_ping6(struct ioth *st, const char *dst, int size) {
	int fd = ioth_msocket(st, AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6);
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_scope_id = 2};
	if (fd < 0 || inet_pton(AF_INET6, dst, &to.sin6_addr) != 1)
		return -1;
	size_t len = 8 + (size_t) size;
	uint8_t *req = calloc(1, len), *rep = malloc(len + 64);
	req[0] = 128;
	int rc = -1;
	for (int i = 0; i < 5 && rc < 0; i++) {
		req[7] = (uint8_t) i;
		ioth_sendto(fd, req, len, 0, (struct sockaddr *) &to, sizeof(to));
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		while (rc < 0 && poll(&pfd, 1, 1000) == 1)
			if (ioth_recv(fd, rep, len + 64, 0) == (ssize_t) len && rep[0] == 129)
				rc = 0;
	}
	if (rc < 0)
		fprintf(stderr, "ping6 %s size %d: no reply\n", dst, size);
	free(req);
	free(rep);
	ioth_close(fd);
	return rc;
}

static int do_send6(struct ioth *st, const char *dst, int port, const char *text) {
	int fd = ioth_msocket(st, AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t) port)};
	if (fd < 0 || inet_pton(AF_INET6, dst, &to.sin6_addr) != 1)
		return -1;
	char buf[256];
	int l = snprintf(buf, sizeof(buf), "%s\n", text);
	ssize_t n = ioth_sendto(fd, buf, (size_t) l, 0, (struct sockaddr *) &to, sizeof(to));
	usleep(300000);
	ioth_close(fd);
	return n == l ? 0 : -1;
}

static int do_send(struct ioth *st, const char *dst, int port, const void *buf, size_t len) {
	int fd = ioth_msocket(st, AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = sin4(dst, port);
	ssize_t n = ioth_sendto(fd, buf, len, 0, (struct sockaddr *) &to, sizeof(to));
	/* let ARP finish before the socket goes */
	usleep(300000);
	ioth_close(fd);
	if (n != (ssize_t) len) {
		perror("udp-send");
		return -1;
	}
	return 0;
}

static int do_recv(int fd, int n, int secs) {
	uint8_t *buf = malloc(70000);
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	int rc = -1;
	if (poll(&pfd, 1, secs * 1000) != 1) {
		fprintf(stderr, "udp-recv: nothing in %d s\n", secs);
		goto out;
	}
	struct sockaddr_storage fromss;
	struct sockaddr_in from;
	socklen_t fl = sizeof(fromss);
	ssize_t r = ioth_recvfrom(fd, buf, 70000, 0, (struct sockaddr *) &fromss, &fl);
	memcpy(&from, &fromss, sizeof(from));
	if (r != n) {
		fprintf(stderr, "udp-recv: got %zd bytes, expected %d\n", r, n);
		goto out;
	}
	if (n > 64) {
		for (int i = 0; i < n; i++)
			if (buf[i] != (uint8_t) ('a' + i % 26)) {
				fprintf(stderr, "udp-recv: byte %d differs\n", i);
				goto out;
			}
	} else if (r > 0 && buf[r - 1] == '\n' && (r--, 0)) {
		/* the text without its newline: one line per datagram */
	} else if (from.sin_family == AF_INET6) {
		char a[64];
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *) &fromss)->sin6_addr, a, sizeof(a));
		printf("received %.*s from %s\n", (int) r, buf, a);
	} else
		printf("received %.*s from %s\n", (int) r, buf, inet_ntoa(from.sin_addr));
	rc = 0;
out:
	free(buf);
	return rc;
}

int main(int argc, char *argv[]) {
	if (argc < 4) {
		fprintf(stderr, "usage: %s STACK VNL ADDR/PLEN STEP...\n", argv[0]);
		return 2;
	}
	char addr[64];
	snprintf(addr, sizeof(addr), "%s", argv[3]);
	char *slash = strchr(addr, '/');
	if (slash == NULL)
		return 2;
	*slash = 0;
	struct ioth *st = ustest_stack(argv[1], argv[2], addr, atoi(slash + 1));
	if (st == NULL) {
		perror("stack");
		return 1;
	}
	struct rxport ports[MAXPORTS];
	int nports = 0;
	for (int i = 4; i < argc; i++)
		if ((strcmp(argv[i], "udp-recv") == 0 || strcmp(argv[i], "udp6-recv") == 0) && i + 1 < argc &&
				nports < MAXPORTS) {
			int v6 = argv[i][3] == '6';
			int fd = ioth_msocket(st, v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
			struct sockaddr_in b = sin4("0.0.0.0", atoi(argv[i + 1]));
			struct sockaddr_in6 b6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t) atoi(argv[i + 1]))};
			if (fd < 0 || ioth_bind(fd, v6 ? (struct sockaddr *) &b6 : (struct sockaddr *) &b,
						v6 ? sizeof(b6) : sizeof(b)) < 0) {
				perror("bind");
				return 1;
			}
			ports[nports].port = atoi(argv[i + 1]);
			ports[nports++].fd = fd;
		}
	/* the Fast Open listener before READY */
	int tfo_lfd = -1;
	for (int i = 4; i < argc; i++)
		if (strcmp(argv[i], "tfo-serve") == 0 && i + 1 < argc) {
			int q = 5;
			struct sockaddr_in b = sin4("0.0.0.0", atoi(argv[i + 1]));
			tfo_lfd = ioth_msocket(st, AF_INET, SOCK_STREAM, 0);
			if (tfo_lfd < 0 || ioth_setsockopt(tfo_lfd, IPPROTO_TCP, TCP_FASTOPEN, &q, sizeof(q)) < 0 ||
					ioth_bind(tfo_lfd, (struct sockaddr *) &b, sizeof(b)) < 0 || ioth_listen(tfo_lfd, 5) < 0) {
				perror("tfo listener");
				return 1;
			}
		}
	/* IPv6 addresses before READY, so that peers can reach them */
	for (int i = 4; i < argc; i++)
		if (strcmp(argv[i], "addr6") == 0 && i + 1 < argc) {
			char a6[64];
			snprintf(a6, sizeof(a6), "%s", argv[i + 1]);
			char *sl = strchr(a6, '/');
			int plen = sl ? atoi(sl + 1) : 64;
			if (sl)
				*sl = 0;
			uint8_t bin[16];
			if (inet_pton(AF_INET6, a6, bin) != 1 || ioth_ipaddr_add(st, AF_INET6, bin, plen, 2) < 0) {
				perror("addr6");
				return 1;
			}
		}
	usleep(1500000);  /* DAD of the link-local and global addresses */
	printf("READY\n");
	fflush(stdout);
	int rc = 0;
	for (int i = 4; i < argc && rc == 0; i++) {
		const char *cmd = argv[i];
		if (strcmp(cmd, "ping") == 0 && i + 2 < argc) {
			rc = do_ping(st, argv[i + 1], atoi(argv[i + 2]));
			i += 2;
		} else if (strcmp(cmd, "udp-send") == 0 && i + 3 < argc) {
			char text[256];
			int l = snprintf(text, sizeof(text), "%s\n", argv[i + 3]);
			rc = do_send(st, argv[i + 1], atoi(argv[i + 2]), text, (size_t) l);
			i += 3;
		} else if (strcmp(cmd, "udp-sendbig") == 0 && i + 3 < argc) {
			size_t n = (size_t) atoi(argv[i + 3]);
			uint8_t *buf = malloc(n);
			for (size_t k = 0; k < n; k++)
				buf[k] = (uint8_t) ('a' + k % 26);
			rc = do_send(st, argv[i + 1], atoi(argv[i + 2]), buf, n);
			free(buf);
			i += 3;
		} else if (strcmp(cmd, "addr6") == 0 && i + 1 < argc) {
			i += 1;
		} else if (strcmp(cmd, "ping6") == 0 && i + 2 < argc) {
			rc = do_ping6(st, argv[i + 1], atoi(argv[i + 2]));
			i += 2;
		} else if (strcmp(cmd, "udp6-send") == 0 && i + 3 < argc) {
			rc = do_send6(st, argv[i + 1], atoi(argv[i + 2]), argv[i + 3]);
			i += 3;
		} else if ((strcmp(cmd, "udp-recv") == 0 || strcmp(cmd, "udp6-recv") == 0) && i + 3 < argc) {
			int fd = -1;
			for (int k = 0; k < nports; k++)
				if (ports[k].port == atoi(argv[i + 1]))
					fd = ports[k].fd;
			rc = do_recv(fd, atoi(argv[i + 2]), atoi(argv[i + 3]));
			i += 3;
		} else if (strcmp(cmd, "route") == 0 && i + 2 < argc) {
			char d[64];
			snprintf(d, sizeof(d), "%s", argv[i + 1]);
			char *sl = strchr(d, '/');
			int plen = sl ? atoi(sl + 1) : 32;
			if (sl)
				*sl = 0;
			uint32_t dst = ip4(d), gw = ip4(argv[i + 2]);
			rc = ioth_iproute_add(st, AF_INET, &dst, plen, &gw, 0);
			if (rc < 0)
				perror("route");
			i += 2;
		} else if (strcmp(cmd, "tfo-serve") == 0 && i + 2 < argc) {
			rc = tfo_lfd < 0 ? -1 : do_tfo_serve(st, tfo_lfd, atoi(argv[i + 2]));
			i += 2;
		} else if (strcmp(cmd, "tfo-send") == 0 && i + 3 < argc) {
			rc = do_tfo_send(st, argv[i + 1], atoi(argv[i + 2]), argv[i + 3]);
			i += 3;
		} else if (strcmp(cmd, "serve") == 0 && i + 1 < argc) {
			sleep((unsigned) atoi(argv[i + 1]));
			i += 1;
		} else {
			fprintf(stderr, "bad step %s\n", cmd);
			rc = 2;
		}
		if (rc == 0)
			printf("ok %s\n", cmd);
		fflush(stdout);
	}
	for (int k = 0; k < nports; k++)
		ioth_close(ports[k].fd);
	if (tfo_lfd >= 0)
		ioth_close(tfo_lfd);
	/* every socket closed: the stack goes (EBUSY would be one left open) */
	if (ioth_delstack(st) < 0) {
		perror("delstack");
		rc = 1;
	}
	return rc ? 1 : 0;
}
