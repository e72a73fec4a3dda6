/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Return values and errno of odd calls, ustack against the Linux kernel.
 *
 * Every row of the table runs twice: once on a ustack stack (on an embedded
 * VDE switch, vde0 198.18.0.1/24) and once on libioth's kernel stack in a
 * network namespace of this process's own (lo up with 198.18.0.1/32 and a
 * route to 198.18.0.0/24 through it).
 * The row's result (the call's return value, sometimes normalised, e.g. a
 * new descriptor as 0) and its errno must be the same on both: the kernel
 * is the reference. The namespace needs root (CAP_SYS_ADMIN): without it
 * the test skips, saying so. Nothing leaves the process: the only packets
 * are a SYN to 198.18.0.99, which nobody answers (the kernel's lo drops
 * it, ustack's vde0 finds no neighbour on a switch with no other port).
 *
 * usage: test_ustack_errno_table [-v]   (-v prints every row) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "ustest.h"
#include "vdeswitch.h"

#define ADDR "198.18.0.1"

static struct ioth *ST;   /* the stack of the current run */
static int KERN;          /* ST is the kernel stack */
static int setup_line;    /* a setup step that failed (0: none) */
static long R;            /* the result of the call under test */
static int E;             /* its errno (0 when it succeeded) */

#define CALL(x) do { errno = 0; R = (long) (x); E = R < 0 ? errno : 0; } while (0)
#define SETUP(c) do { if (!(c)) { setup_line = __LINE__; return -9999; } } while (0)

static struct sockaddr_in sa4(const char *a, int port) {
	return sin4(a, port);
}

static int sock(int domain, int type, int proto) {
	return ioth_msocket(ST, domain, type, proto);
}
static int udp4(void) {
	return sock(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
}
static int udp6(void) {
	return sock(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
}
static int tcp4(void) {
	return sock(AF_INET, SOCK_STREAM, 0);
}

static void rcvtimeo(int fd, int ms) {
	struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	ioth_setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ioth_setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* a UDP socket connected to ADDR:9 (nothing is sent) */
static int udp4_conn(void) {
	int fd = udp4();
	struct sockaddr_in to = sa4(ADDR, 9);
	if (fd >= 0 && ioth_connect(fd, (struct sockaddr *) &to, sizeof(to)) < 0) {
		ioth_close(fd);
		return -1;
	}
	return fd;
}

/* a listening socket on ADDR, its port in *port */
static int tcp_listener(int *port) {
	int l = tcp4();
	struct sockaddr_in a = sa4(ADDR, 0);
	socklen_t al = sizeof(a);
	if (l < 0 || ioth_bind(l, (struct sockaddr *) &a, sizeof(a)) < 0 || ioth_listen(l, 4) < 0 ||
			ioth_getsockname(l, (struct sockaddr *) &a, &al) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return l;
}

/* an established connection: *c the client, *a the accepted end */
static int tcp_pair(int *c, int *a) {
	int port, l = tcp_listener(&port);
	if (l < 0)
		return -1;
	*c = tcp4();
	struct sockaddr_in to = sa4(ADDR, port);
	rcvtimeo(*c, 3000);
	rcvtimeo(l, 3000);
	if (*c < 0 || ioth_connect(*c, (struct sockaddr *) &to, sizeof(to)) < 0)
		return -1;
	*a = ioth_accept(l, NULL, NULL);
	ioth_close(l);
	if (*a < 0)
		return -1;
	rcvtimeo(*a, 3000);
	return 0;
}

/* --- socket() --- */
static long c_socket_type11(void) { CALL(sock(AF_INET, 11, 0)); return R < 0 ? R : 0; }
static long c_socket_type15(void) { CALL(sock(AF_INET, 15, 0)); return R < 0 ? R : 0; }
static long c_socket_type_neg(void) { CALL(sock(AF_INET, -1, 0)); return R < 0 ? R : 0; }
static long c_socket_badflag(void) { CALL(sock(AF_INET, SOCK_DGRAM | 0x100, 0)); return R < 0 ? R : 0; }
static long c_socket_seqpacket(void) { CALL(sock(AF_INET, SOCK_SEQPACKET, 0)); return R < 0 ? R : 0; }
static long c_socket_rdm(void) { CALL(sock(AF_INET, SOCK_RDM, 0)); return R < 0 ? R : 0; }
static long c_socket_dgram_tcp(void) { CALL(sock(AF_INET, SOCK_DGRAM, IPPROTO_TCP)); return R < 0 ? R : 0; }
static long c_socket_stream_udp(void) { CALL(sock(AF_INET, SOCK_STREAM, IPPROTO_UDP)); return R < 0 ? R : 0; }
static long c_socket_proto_neg(void) { CALL(sock(AF_INET, SOCK_DGRAM, -1)); return R < 0 ? R : 0; }
static long c_socket_proto_300(void) { CALL(sock(AF_INET, SOCK_DGRAM, 300)); return R < 0 ? R : 0; }
static long c_socket_proto_200(void) { CALL(sock(AF_INET, SOCK_DGRAM, 200)); return R < 0 ? R : 0; }
static long c_socket6_type11(void) { CALL(sock(AF_INET6, 11, 0)); return R < 0 ? R : 0; }
static long c_socket6_seqpacket(void) { CALL(sock(AF_INET6, SOCK_SEQPACKET, 0)); return R < 0 ? R : 0; }
static long c_socket6_stream_udp(void) { CALL(sock(AF_INET6, SOCK_STREAM, IPPROTO_UDP)); return R < 0 ? R : 0; }
static long c_socket6_proto_300(void) { CALL(sock(AF_INET6, SOCK_STREAM, 300)); return R < 0 ? R : 0; }
static long c_socket_raw0(void) { CALL(sock(AF_INET, SOCK_RAW, 0)); return R < 0 ? R : 0; }
static long c_socket_raw300(void) { CALL(sock(AF_INET, SOCK_RAW, 300)); return R < 0 ? R : 0; }
static long c_socket_af_neg(void) { CALL(sock(-1, SOCK_DGRAM, 0)); return R < 0 ? R : 0; }
static long c_socket_packet_stream(void) { CALL(sock(AF_PACKET, SOCK_STREAM, 0)); return R < 0 ? R : 0; }
static long c_socket_packet_type11(void) { CALL(sock(AF_PACKET, 11, 0)); return R < 0 ? R : 0; }
static long c_socket_netlink_stream(void) { CALL(sock(AF_NETLINK, SOCK_STREAM, 0)); return R < 0 ? R : 0; }
static long c_socket_netlink_proto99(void) { CALL(sock(AF_NETLINK, SOCK_RAW, 99)); return R < 0 ? R : 0; }

/* --- bind() --- */
static long bind_len(socklen_t len) {
	int fd = udp4();
	SETUP(fd >= 0);
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *a = (struct sockaddr_in *) &ss;
	a->sin_family = AF_INET;
	char big[512] = {0};
	memcpy(big, &ss, sizeof(ss));
	CALL(ioth_bind(fd, (struct sockaddr *) big, len));
	ioth_close(fd);
	return R;
}
static long c_bind_len_m1(void) { return bind_len((socklen_t) -1); }
static long c_bind_len_129(void) { return bind_len(129); }
static long c_bind_len_128(void) { return bind_len(128); }
static long c_bind_len_15(void) { return bind_len(15); }
static long c_bind_len_0(void) { return bind_len(0); }
static long c_bind_af6_on4(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	struct sockaddr_in a = sa4(ADDR, 0);
	a.sin_family = AF_INET6;
	CALL(ioth_bind(fd, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}
static long c_bind_unspec_any(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	struct sockaddr_in a = sa4("0.0.0.0", 0);
	a.sin_family = AF_UNSPEC;
	CALL(ioth_bind(fd, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}
static long c_bind_unspec_addr(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	struct sockaddr_in a = sa4(ADDR, 0);
	a.sin_family = AF_UNSPEC;
	CALL(ioth_bind(fd, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}
static long c_bind_twice(void) {
	int fd = udp4();
	struct sockaddr_in a = sa4(ADDR, 0);
	SETUP(fd >= 0 && ioth_bind(fd, (struct sockaddr *) &a, sizeof(a)) == 0);
	CALL(ioth_bind(fd, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}
static long c_bind_nonlocal(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	struct sockaddr_in a = sa4("198.18.5.5", 0);
	CALL(ioth_bind(fd, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}
static long c_bind6_len23(void) {
	int fd = udp6();
	SETUP(fd >= 0);
	struct sockaddr_in6 a = {.sin6_family = AF_INET6};
	CALL(ioth_bind(fd, (struct sockaddr *) &a, 23));
	ioth_close(fd);
	return R;
}
static long c_bind6_af4(void) {
	int fd = udp6();
	SETUP(fd >= 0);
	struct sockaddr_in6 a = {.sin6_family = AF_INET};
	CALL(ioth_bind(fd, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}
static long c_bind6_len129(void) {
	int fd = udp6();
	SETUP(fd >= 0);
	char big[256] = {0};
	struct sockaddr_in6 a = {.sin6_family = AF_INET6};
	memcpy(big, &a, sizeof(a));
	CALL(ioth_bind(fd, (struct sockaddr *) big, 129));
	ioth_close(fd);
	return R;
}

/* --- connect() --- */
static long c_connect6_to_af4(void) {
	int fd = udp6();
	SETUP(fd >= 0);
	struct sockaddr_in a = sa4(ADDR, 9);
	CALL(ioth_connect(fd, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}
/* the peer of that connect: family and port (v4-mapped on Linux) */
static long c_connect6_to_af4_peer(void) {
	int fd = udp6();
	struct sockaddr_in a = sa4(ADDR, 9);
	SETUP(fd >= 0 && ioth_connect(fd, (struct sockaddr *) &a, sizeof(a)) == 0);
	struct sockaddr_in6 p = {0};
	socklen_t pl = sizeof(p);
	CALL(ioth_getpeername(fd, (struct sockaddr *) &p, &pl));
	ioth_close(fd);
	static const uint8_t mapped[16] = {[10] = 0xff, [11] = 0xff, 198, 18, 0, 1};
	return R < 0 ? R : (long) p.sin6_family * 100000 + ntohs(p.sin6_port) * 10 + (pl == sizeof(p)) +
			(memcmp(&p.sin6_addr, mapped, 16) == 0) * 10000000L;
}
static long c_connect6_to_af4_v6only(void) {
	int fd = udp6(), one = 1;
	SETUP(fd >= 0 && ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == 0);
	struct sockaddr_in a = sa4(ADDR, 9);
	CALL(ioth_connect(fd, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}
static long c_connect4_len15(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	struct sockaddr_in a = sa4(ADDR, 9);
	CALL(ioth_connect(fd, (struct sockaddr *) &a, 15));
	ioth_close(fd);
	return R;
}
static long c_connect4_af6(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	struct sockaddr_in a = sa4(ADDR, 9);
	a.sin_family = AF_INET6;
	CALL(ioth_connect(fd, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}
static long c_connect4_unspec(void) {
	int fd = udp4_conn();
	SETUP(fd >= 0);
	struct sockaddr_in a = {.sin_family = AF_UNSPEC};
	CALL(ioth_connect(fd, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}
static long c_connect_tcp_len129(void) {
	int fd = tcp4();
	SETUP(fd >= 0);
	char big[256] = {0};
	struct sockaddr_in a = sa4(ADDR, 9);
	memcpy(big, &a, sizeof(a));
	CALL(ioth_connect(fd, (struct sockaddr *) big, 129));
	ioth_close(fd);
	return R;
}
static long c_connect_tcp_refused(void) {
	int fd = tcp4();
	SETUP(fd >= 0);
	rcvtimeo(fd, 3000);
	struct sockaddr_in a = sa4(ADDR, 9);
	CALL(ioth_connect(fd, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}

struct conn_arg {
	int fd;
	long r;
	int e;
};
static void *connect_thread(void *p) {
	struct conn_arg *c = p;
	struct sockaddr_in a = sa4("198.18.0.99", 80);
	errno = 0;
	c->r = ioth_connect(c->fd, (struct sockaddr *) &a, sizeof(a));
	c->e = c->r < 0 ? errno : 0;
	return NULL;
}
/* a blocking connect to a silent address, woken by shutdown from another
 * thread (the send timeout bounds it if the wakeup never comes) */
static long c_connect_woken_by_shutdown(void) {
	struct conn_arg c = {.fd = tcp4()};
	SETUP(c.fd >= 0);
	rcvtimeo(c.fd, 5000);
	pthread_t t;
	SETUP(pthread_create(&t, NULL, connect_thread, &c) == 0);
	struct timespec ts = {0, 300 * 1000 * 1000};
	nanosleep(&ts, NULL);   /* ordering only: the connect is under way */
	ioth_shutdown(c.fd, SHUT_RDWR);
	pthread_join(t, NULL);
	ioth_close(c.fd);
	R = c.r;
	E = c.e;
	return R;
}

/* --- listen(), accept(), shutdown() --- */
static long c_listen_udp(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_listen(fd, 1));
	ioth_close(fd);
	return R;
}
static long c_accept_not_listening(void) {
	int fd = tcp4();
	SETUP(fd >= 0);
	CALL(ioth_accept(fd, NULL, NULL));
	ioth_close(fd);
	return R;
}
static long c_accept_udp(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_accept(fd, NULL, NULL));
	ioth_close(fd);
	return R;
}
static long c_accept_nonblock_empty(void) {
	int port, l = tcp_listener(&port);
	SETUP(l >= 0 && ioth_fcntl(l, F_SETFL, O_NONBLOCK) == 0);
	CALL(ioth_accept(l, NULL, NULL));
	ioth_close(l);
	return R;
}
static long c_listen_connected(void) {
	int c, a;
	SETUP(tcp_pair(&c, &a) == 0);
	CALL(ioth_listen(c, 1));
	ioth_close(c);
	ioth_close(a);
	return R;
}
static long shutdown_how(int how) {
	int fd = udp4_conn();
	SETUP(fd >= 0);
	CALL(ioth_shutdown(fd, how));
	ioth_close(fd);
	return R;
}
static long c_shutdown_how3(void) { return shutdown_how(3); }
static long c_shutdown_how_m1(void) { return shutdown_how(-1); }
static long c_shutdown_udp_connected(void) { return shutdown_how(SHUT_RDWR); }
static long c_shutdown_tcp_unconnected(void) {
	int fd = tcp4();
	SETUP(fd >= 0);
	CALL(ioth_shutdown(fd, SHUT_RDWR));
	ioth_close(fd);
	return R;
}
static long c_shutdown_udp_unconnected(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_shutdown(fd, SHUT_WR));
	ioth_close(fd);
	return R;
}

/* --- setsockopt() --- */
static long setopt(int level, int name, const void *v, socklen_t len) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_setsockopt(fd, level, name, v, len));
	ioth_close(fd);
	return R;
}
static char optbuf[512] = {[0] = 1};
static long c_setopt_len_m1(void) { return setopt(SOL_SOCKET, SO_RCVBUF, optbuf, (socklen_t) -1); }
static long c_setopt_len_129(void) { return setopt(SOL_SOCKET, SO_RCVBUF, optbuf, 129); }
static long c_setopt_len_3(void) { return setopt(SOL_SOCKET, SO_RCVBUF, optbuf, 3); }
static long c_setopt_len_0(void) { return setopt(SOL_SOCKET, SO_RCVBUF, optbuf, 0); }
static long c_setopt_ip_len_m1(void) { return setopt(IPPROTO_IP, IP_TTL, optbuf, (socklen_t) -1); }
static long c_setopt_ip_len_200(void) { return setopt(IPPROTO_IP, IP_TTL, optbuf, 200); }
static long c_setopt_badlevel(void) { return setopt(12345, 1, optbuf, 4); }
static long c_setopt_sol_badname(void) { return setopt(SOL_SOCKET, 9999, optbuf, 4); }
static long c_setopt_ip_badname(void) { return setopt(IPPROTO_IP, 9999, optbuf, 4); }
static long c_setopt_tcp_on_udp(void) { return setopt(IPPROTO_TCP, TCP_NODELAY, optbuf, 4); }
static long c_setopt_ipv6_on_udp4(void) { return setopt(IPPROTO_IPV6, IPV6_V6ONLY, optbuf, 4); }
static long c_setopt_null(void) { return setopt(SOL_SOCKET, SO_RCVBUF, NULL, 4); }
static long c_setopt_ttl0(void) { int v = 0; return setopt(IPPROTO_IP, IP_TTL, &v, sizeof(v)); }
static long c_setopt_ttl256(void) { int v = 256; return setopt(IPPROTO_IP, IP_TTL, &v, sizeof(v)); }
/* SO_MARK as root (the test runs as root): set, then read back */
static long c_setopt_mark(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	int v = 666, got = 0;
	socklen_t gl = sizeof(got);
	SETUP(ioth_setsockopt(fd, SOL_SOCKET, SO_MARK, &v, sizeof(v)) == 0);
	CALL(ioth_getsockopt(fd, SOL_SOCKET, SO_MARK, &got, &gl));
	ioth_close(fd);
	return R < 0 ? R : got;
}

/* --- getsockopt(): the result is optlen when it succeeds --- */
static long getopt_len(int level, int name, socklen_t len) {
	int fd = udp4();
	SETUP(fd >= 0);
	char v[64] = {0};
	CALL(ioth_getsockopt(fd, level, name, v, &len));
	ioth_close(fd);
	return R < 0 ? R : (long) len;
}
static long c_getopt_len0(void) { return getopt_len(SOL_SOCKET, SO_TYPE, 0); }
static long c_getopt_len2(void) { return getopt_len(SOL_SOCKET, SO_TYPE, 2); }
static long c_getopt_len_m1(void) { return getopt_len(SOL_SOCKET, SO_TYPE, (socklen_t) -1); }
static long c_getopt_len_big(void) { return getopt_len(SOL_SOCKET, SO_TYPE, 64); }
static long c_getopt_ttl_len1(void) { return getopt_len(IPPROTO_IP, IP_TTL, 1); }
static long c_getopt_sol_badname(void) { return getopt_len(SOL_SOCKET, 9999, 4); }
static long c_getopt_ip_badname(void) { return getopt_len(IPPROTO_IP, 9999, 4); }
static long c_getopt_badlevel(void) { return getopt_len(12345, 1, 4); }
static long c_getopt_tcp_on_udp(void) { return getopt_len(IPPROTO_TCP, TCP_NODELAY, 4); }
static long c_getopt_nulllen(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	int v;
	CALL(ioth_getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, NULL));
	ioth_close(fd);
	return R;
}

/* --- recv(), read() and vectors --- */
static long c_tcp_recv0_dontwait(void) {
	int c, a;
	SETUP(tcp_pair(&c, &a) == 0);
	char b[4];
	CALL(ioth_recv(c, b, 0, MSG_DONTWAIT));
	ioth_close(c);
	ioth_close(a);
	return R;
}
static long c_tcp_recv0_nonblock(void) {
	int c, a;
	SETUP(tcp_pair(&c, &a) == 0 && ioth_fcntl(c, F_SETFL, O_NONBLOCK) == 0);
	char b[4];
	CALL(ioth_recv(c, b, 0, 0));
	ioth_close(c);
	ioth_close(a);
	return R;
}
/* blocking, bounded by a 200 ms SO_RCVTIMEO */
static long c_tcp_recv0_blocking(void) {
	int c, a;
	SETUP(tcp_pair(&c, &a) == 0);
	rcvtimeo(c, 200);
	char b[4];
	CALL(ioth_recv(c, b, 0, 0));
	ioth_close(c);
	ioth_close(a);
	return R;
}
/* data queued: 0, and the data stays for the next read */
static long c_tcp_recv0_data(void) {
	int c, a;
	SETUP(tcp_pair(&c, &a) == 0 && ioth_send(a, "xy", 2, 0) == 2);
	struct pollfd p = {.fd = c, .events = POLLIN};
	SETUP(poll(&p, 1, 3000) == 1);
	char b[4];
	CALL(ioth_recv(c, b, 0, 0));
	long r = R;
	int e = E;
	long n = ioth_recv(c, b, sizeof(b), MSG_DONTWAIT);
	ioth_close(c);
	ioth_close(a);
	R = r;
	E = e;
	return R < 0 ? R : n;
}
static long c_tcp_read0(void) {
	int c, a;
	SETUP(tcp_pair(&c, &a) == 0);
	rcvtimeo(c, 200);
	char b[4];
	CALL(ioth_read(c, b, 0));
	ioth_close(c);
	ioth_close(a);
	return R;
}
static long c_tcp_recv_oob_none(void) {
	int c, a;
	SETUP(tcp_pair(&c, &a) == 0);
	char b[4];
	CALL(ioth_recv(c, b, sizeof(b), MSG_OOB | MSG_DONTWAIT));
	ioth_close(c);
	ioth_close(a);
	return R;
}
static long c_tcp_send_unconnected(void) {
	int fd = tcp4();
	SETUP(fd >= 0);
	CALL(ioth_send(fd, "x", 1, MSG_NOSIGNAL));
	ioth_close(fd);
	return R;
}
static long c_udp_read0(void) {
	int fd = sock(AF_INET, SOCK_DGRAM, 0);
	SETUP(fd >= 0);
	rcvtimeo(fd, 200);
	char b[4];
	CALL(ioth_read(fd, b, 0));
	ioth_close(fd);
	return R;
}
static long c_udp_recv0_nonblock(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	char b[4];
	CALL(ioth_recv(fd, b, 0, 0));
	ioth_close(fd);
	return R;
}
static long udp_recv_flags(int flags) {
	int fd = udp4();
	SETUP(fd >= 0);
	char b[4];
	CALL(ioth_recv(fd, b, sizeof(b), flags));
	ioth_close(fd);
	return R;
}
static long c_udp_recv_oob(void) { return udp_recv_flags(MSG_OOB); }
static long c_udp_recv_flags_m1(void) { return udp_recv_flags(-1); }
static long c_udp_send_oob(void) {
	int fd = udp4_conn();
	SETUP(fd >= 0);
	CALL(ioth_send(fd, "x", 1, MSG_OOB));
	ioth_close(fd);
	return R;
}
static long c_udp_write0_unconnected(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_write(fd, "", 0));
	ioth_close(fd);
	return R;
}
static long c_udp_sendto_len129(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	char big[256] = {0};
	struct sockaddr_in a = sa4(ADDR, 9);
	memcpy(big, &a, sizeof(a));
	CALL(ioth_sendto(fd, "x", 1, 0, (struct sockaddr *) big, 129));
	ioth_close(fd);
	return R;
}
static long c_udp_sendmsg_namelen129(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	char big[256] = {0};
	struct sockaddr_in a = sa4(ADDR, 9);
	memcpy(big, &a, sizeof(a));
	struct iovec iov = {.iov_base = "x", .iov_len = 1};
	struct msghdr m = {.msg_name = big, .msg_namelen = 129, .msg_iov = &iov, .msg_iovlen = 1};
	CALL(ioth_sendmsg(fd, &m, 0));
	ioth_close(fd);
	return R;
}
static long c_udp6_sendto_af4(void) {
	int fd = udp6();
	SETUP(fd >= 0);
	struct sockaddr_in a = sa4(ADDR, 9);
	CALL(ioth_sendto(fd, "x", 1, 0, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}

static struct iovec many[1025];
static char manybuf[1025];
static void many_init(void) {
	for (int i = 0; i < 1025; i++)
		many[i] = (struct iovec) {.iov_base = manybuf + i, .iov_len = 1};
}
static long c_readv_1025(void) {
	int fd = udp4_conn();
	SETUP(fd >= 0);
	many_init();
	CALL(ioth_readv(fd, many, 1025));
	ioth_close(fd);
	return R;
}
static long c_writev_1025(void) {
	int fd = udp4_conn();
	SETUP(fd >= 0);
	many_init();
	CALL(ioth_writev(fd, many, 1025));
	ioth_close(fd);
	return R;
}
static long c_readv_0(void) {
	int fd = udp4_conn();
	SETUP(fd >= 0);
	CALL(ioth_readv(fd, many, 0));
	ioth_close(fd);
	return R;
}
static long c_writev_1024(void) {
	int fd = udp4_conn();
	SETUP(fd >= 0);
	many_init();
	CALL(ioth_writev(fd, many, 1024));
	ioth_close(fd);
	return R;
}
static long c_sendmsg_iov1025(void) {
	int fd = udp4_conn();
	SETUP(fd >= 0);
	many_init();
	struct msghdr m = {.msg_iov = many, .msg_iovlen = 1025};
	CALL(ioth_sendmsg(fd, &m, 0));
	ioth_close(fd);
	return R;
}
static long c_recvmsg_iov1025(void) {
	int fd = udp4_conn();
	SETUP(fd >= 0);
	many_init();
	struct msghdr m = {.msg_iov = many, .msg_iovlen = 1025};
	CALL(ioth_recvmsg(fd, &m, 0));
	ioth_close(fd);
	return R;
}

/* --- sendmsg() with control messages (a connected UDP socket) --- */
static long send_cmsg(int fd, void *ctl, size_t ctllen) {
	struct iovec iov = {.iov_base = "x", .iov_len = 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = ctllen};
	CALL(ioth_sendmsg(fd, &m, 0));
	return R;
}
static union {
	char buf[256];
	struct cmsghdr align;
} cbuf;
static long cmsg_case(int tcp, int level, int type, size_t cmsglen, size_t ctllen, int val) {
	int fd, other = -1;
	if (tcp)
		SETUP(tcp_pair(&fd, &other) == 0);
	else
		SETUP((fd = udp4_conn()) >= 0);
	memset(&cbuf, 0, sizeof(cbuf));
	struct cmsghdr *c = &cbuf.align;
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = cmsglen;
	memcpy(CMSG_DATA(c), &val, sizeof(val));
	send_cmsg(fd, &cbuf, ctllen);
	ioth_close(fd);
	if (other >= 0)
		ioth_close(other);
	return R;
}
#define CL4 CMSG_LEN(sizeof(int))
#define CS4 CMSG_SPACE(sizeof(int))
static long c_cmsg_ok_ttl(void) { return cmsg_case(0, IPPROTO_IP, IP_TTL, CL4, CS4, 7); }
static long c_cmsg_ttl0(void) { return cmsg_case(0, IPPROTO_IP, IP_TTL, CL4, CS4, 0); }
static long c_cmsg_len0(void) { return cmsg_case(0, IPPROTO_IP, IP_TTL, 0, CS4, 7); }
static long c_cmsg_len_small(void) { return cmsg_case(0, IPPROTO_IP, IP_TTL, sizeof(struct cmsghdr) - 1, CS4, 7); }
static long c_cmsg_len_beyond(void) { return cmsg_case(0, IPPROTO_IP, IP_TTL, CS4 + 8, CS4, 7); }
static long c_cmsg_ctl_short(void) { return cmsg_case(0, IPPROTO_IP, IP_TTL, CL4, sizeof(struct cmsghdr) - 1, 7); }
static long c_cmsg_ip_badtype(void) { return cmsg_case(0, IPPROTO_IP, 999, CL4, CS4, 7); }
static long c_cmsg_sol_badtype(void) { return cmsg_case(0, SOL_SOCKET, 999, CL4, CS4, 7); }
static long c_cmsg_sol_rights(void) { return cmsg_case(0, SOL_SOCKET, SCM_RIGHTS, CL4, CS4, 0); }
static long c_cmsg_badlevel(void) { return cmsg_case(0, 999, 1, CL4, CS4, 7); }
static long c_cmsg_ipv6_on4(void) { return cmsg_case(0, IPPROTO_IPV6, 999, CL4, CS4, 7); }
static long c_cmsg_pktinfo_short(void) { return cmsg_case(0, IPPROTO_IP, IP_PKTINFO, CL4, CS4, 0); }
/* an interface index that does not exist: IP_PKTINFO and IPV6_PKTINFO
 * give ENODEV (checked before the route), a link-local or multicast
 * IPv6 destination scoped to it has no route (ENETUNREACH) */
static long pktinfo_if99(int v6) {
	int fd = v6 ? udp6() : udp4();
	SETUP(fd >= 0);
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct cmsghdr *c = &u.align;
	c->cmsg_level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
	c->cmsg_type = v6 ? IPV6_PKTINFO : IP_PKTINFO;
	c->cmsg_len = v6 ? CMSG_LEN(sizeof(struct in6_pktinfo)) : CMSG_LEN(sizeof(struct in_pktinfo));
	if (v6) {
		struct in6_pktinfo pi = {.ipi6_ifindex = 99};
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	} else {
		struct in_pktinfo pi = {.ipi_ifindex = 99};
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	struct sockaddr_in to4 = sa4(ADDR, 9);
	struct sockaddr_in6 to6 = {.sin6_family = AF_INET6, .sin6_port = htons(9), .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	char d = 'x';
	struct iovec iov = {.iov_base = &d, .iov_len = 1};
	struct msghdr m = {.msg_name = v6 ? (void *) &to6 : (void *) &to4,
		.msg_namelen = v6 ? sizeof(to6) : sizeof(to4), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = c->cmsg_len};
	CALL(ioth_sendmsg(fd, &m, 0));
	ioth_close(fd);
	return R;
}
static long c_cmsg_pktinfo_if99(void) { return pktinfo_if99(0); }
static long c_cmsg_pktinfo6_if99(void) { return pktinfo_if99(1); }
static long scope99(const char *dst) {
	int fd = udp6();
	SETUP(fd >= 0);
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_port = htons(9), .sin6_scope_id = 99};
	SETUP(inet_pton(AF_INET6, dst, &to.sin6_addr) == 1);
	CALL(ioth_sendto(fd, "x", 1, 0, (struct sockaddr *) &to, sizeof(to)));
	ioth_close(fd);
	return R;
}
static long c_sendto6_ll_scope99(void) { return scope99("fe80::1"); }
static long c_sendto6_mc_scope99(void) { return scope99("ff02::1"); }
static long c_cmsg_ctl_1g(void) { return cmsg_case(0, IPPROTO_IP, IP_TTL, CL4, 1UL << 30, 7); }
static long c_cmsg_ctl_1m(void) { return cmsg_case(0, IPPROTO_IP, IP_TTL, CL4, 1UL << 20, 7); }
static long c_cmsg_ctl_huge(void) { return cmsg_case(0, IPPROTO_IP, IP_TTL, CL4, (size_t) INT_MAX + 1, 7); }
static long c_cmsg_null_ctl(void) {
	int fd = udp4_conn();
	SETUP(fd >= 0);
	send_cmsg(fd, NULL, 16);
	ioth_close(fd);
	return R;
}
static long c_cmsg_tcp_len0(void) { return cmsg_case(1, SOL_SOCKET, SCM_RIGHTS, 0, CS4, 7); }
static long c_cmsg_tcp_sol_badtype(void) { return cmsg_case(1, SOL_SOCKET, 999, CL4, CS4, 7); }
static long c_cmsg_tcp_ip_ttl(void) { return cmsg_case(1, IPPROTO_IP, IP_TTL, CL4, CS4, 7); }
static long c_cmsg_tcp_ctl_1g(void) { return cmsg_case(1, IPPROTO_IP, IP_TTL, CL4, 1UL << 30, 7); }

/* --- fcntl(), ioctl() --- */
static long c_fcntl_setown(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_fcntl(fd, F_SETOWN, getpid()));
	ioth_close(fd);
	return R;
}
static long c_fcntl_getown(void) {
	int fd = udp4();
	SETUP(fd >= 0 && ioth_fcntl(fd, F_SETOWN, getpid()) == 0);
	CALL(ioth_fcntl(fd, F_GETOWN, 0));
	ioth_close(fd);
	return R == getpid() ? 1 : R;
}
/* a duplicate is another descriptor of the same socket: the options are shared */
static long dupfd(int cmd, long min) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_fcntl(fd, cmd, min));
	long r = R;
	if (R >= 0) {
		int ttl = 33, v = 0;
		socklen_t l = sizeof(v);
		int fdflags = fcntl((int) R, F_GETFD);
		SETUP(ioth_setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) == 0);
		SETUP(ioth_getsockopt((int) R, IPPROTO_IP, IP_TTL, &v, &l) == 0 && v == 33);
		SETUP(ioth_close(fd) == 0);
		/* the duplicate still works after the first descriptor is closed */
		SETUP(ioth_getsockopt((int) R, IPPROTO_IP, IP_TTL, &v, &l) == 0 && v == 33);
		SETUP(ioth_close((int) R) == 0);
		r = (R >= min ? 1 : 0) + ((fdflags & FD_CLOEXEC) ? 2 : 0);
	} else
		ioth_close(fd);
	return r;
}
static long c_fcntl_dupfd(void) { return dupfd(F_DUPFD, 0); }
static long c_fcntl_dupfd_min(void) { return dupfd(F_DUPFD, 300); }
static long c_fcntl_dupfd_cloexec(void) { return dupfd(F_DUPFD_CLOEXEC, 0); }
static long c_fcntl_dupfd_neg(void) { return dupfd(F_DUPFD, -1); }
static long c_fcntl_getown_unset(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_fcntl(fd, F_GETOWN, 0));
	ioth_close(fd);
	return R;
}
static long c_fcntl_getfl(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_fcntl(fd, F_GETFL, 0));
	ioth_close(fd);
	return R;
}
static long c_fcntl_bad(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_fcntl(fd, 12345, 0));
	ioth_close(fd);
	return R;
}
static long c_ioctl_bad(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	int v = 0;
	CALL(ioth_ioctl(fd, 0x7fff12, &v));
	ioth_close(fd);
	return R;
}
static long c_ioctl_fionread_listen(void) {
	int port, l = tcp_listener(&port);
	SETUP(l >= 0);
	int v = 0;
	CALL(ioth_ioctl(l, FIONREAD, &v));
	ioth_close(l);
	return R;
}

/* --- interface names and routes through ioth.h (the kernel reference is
 * glibc's if_nametoindex: ENODEV, checked in main) --- */
static long c_nametoindex_long(void) {
	CALL(ioth_if_nametoindex(ST, "an_interface_name_far_too_long_for_ifnamsiz"));
	return R;
}
static long c_nametoindex_16(void) {
	CALL(ioth_if_nametoindex(ST, "sixteen_chars_xx"));
	return R;
}
static long c_nametoindex_missing(void) {
	CALL(ioth_if_nametoindex(ST, "nosuchif0"));
	return R;
}
static long c_route_null_dst(void) {
	uint32_t gw = ip4("198.18.0.254");
	CALL(ioth_iproute_add(ST, AF_INET, NULL, 24, &gw, 0));
	return R;
}
static long c_route_null_gw(void) {
	uint32_t dst = ip4("198.18.7.0");
	CALL(ioth_iproute_add(ST, AF_INET, &dst, 24, NULL, 0));
	return R;
}
static long c_route_del_null_dst(void) {
	uint32_t gw = ip4("198.18.0.254");
	CALL(ioth_iproute_del(ST, AF_INET, NULL, 24, &gw, 0));
	return R;
}


/* --- more of the same kind --- */
/* a route without gateway through lo, then deleted: add * 10 + del */
static long c_route_dev_lo(void) {
	int lo = ioth_if_nametoindex(ST, "lo");
	SETUP(lo > 0);
	uint32_t dst = ip4("198.18.9.0");
	CALL(ioth_iproute_add(ST, AF_INET, &dst, 24, NULL, (unsigned) lo));
	if (R < 0)
		return R;
	CALL(ioth_iproute_del(ST, AF_INET, &dst, 24, NULL, (unsigned) lo));
	return R;
}
static long c_route_bad_plen(void) {
	uint32_t dst = ip4("198.18.7.0"), gw = ip4("198.18.0.254");
	CALL(ioth_iproute_add(ST, AF_INET, &dst, 33, &gw, 0));
	return R;
}
static long c_ipaddr_null(void) {
	CALL(ioth_ipaddr_add(ST, AF_INET, NULL, 24, 1));
	return R;
}
static long c_getopt_rcvtimeo_len4(void) { return getopt_len(SOL_SOCKET, SO_RCVTIMEO, 4); }
static long c_getopt_linger_len4(void) { return getopt_len(SOL_SOCKET, SO_LINGER, 4); }
static long c_getopt_bindtodev_len8(void) { return getopt_len(SOL_SOCKET, SO_BINDTODEVICE, 8); }
static long c_getopt_tcp_badlevel(void) {
	int fd = tcp4();
	SETUP(fd >= 0);
	int v;
	socklen_t l = sizeof(v);
	CALL(ioth_getsockopt(fd, 12345, 1, &v, &l));
	ioth_close(fd);
	return R;
}
static long c_getopt_udp6_badlevel(void) {
	int fd = udp6();
	SETUP(fd >= 0);
	int v;
	socklen_t l = sizeof(v);
	CALL(ioth_getsockopt(fd, 12345, 1, &v, &l));
	ioth_close(fd);
	return R;
}
static long c_setopt_udp6_badlevel(void) {
	int fd = udp6(), v = 1;
	SETUP(fd >= 0);
	CALL(ioth_setsockopt(fd, 12345, 1, &v, sizeof(v)));
	ioth_close(fd);
	return R;
}
static long c_setopt_tcp_len_m1(void) {
	int fd = tcp4(), v = 1;
	SETUP(fd >= 0);
	CALL(ioth_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, (socklen_t) -1));
	ioth_close(fd);
	return R;
}
static long c_bind_null_0(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_bind(fd, NULL, 0));
	ioth_close(fd);
	return R;
}
static long c_bind_null_16(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_bind(fd, NULL, 16));
	ioth_close(fd);
	return R;
}
static long c_connect_null_0(void) {
	int fd = udp4();
	SETUP(fd >= 0);
	CALL(ioth_connect(fd, NULL, 0));
	ioth_close(fd);
	return R;
}
static long c_writev_0(void) {
	int fd = udp4_conn();
	SETUP(fd >= 0);
	CALL(ioth_writev(fd, many, 0));
	ioth_close(fd);
	return R;
}
static long c_udp_write0_connected(void) {
	int fd = udp4_conn();
	SETUP(fd >= 0);
	CALL(ioth_write(fd, "", 0));
	ioth_close(fd);
	return R;
}
static long c_udp6_sendto_af4_v6only(void) {
	int fd = udp6(), one = 1;
	SETUP(fd >= 0 && ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == 0);
	struct sockaddr_in a = sa4(ADDR, 9);
	CALL(ioth_sendto(fd, "x", 1, 0, (struct sockaddr *) &a, sizeof(a)));
	ioth_close(fd);
	return R;
}
static long c_packet_recv_oob(void) {
	int fd = sock(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	SETUP(fd >= 0);
	char b[4];
	CALL(ioth_recv(fd, b, sizeof(b), MSG_OOB));
	ioth_close(fd);
	return R;
}
static long c_fcntl_getsig(void) {
	int fd = udp4();
	SETUP(fd >= 0 && ioth_fcntl(fd, F_SETSIG, SIGUSR1) == 0);
	CALL(ioth_fcntl(fd, F_GETSIG, 0));
	ioth_close(fd);
	return R;
}

/* --- lo MTU: last, it may take lo's addresses away --- */
static long lo_mtu(unsigned mtu) {
	int lo = ioth_if_nametoindex(ST, "lo");
	SETUP(lo > 0);
	CALL(ioth_linksetmtu(ST, (unsigned) lo, mtu));
	return R;
}
static long c_lo_mtu_2g(void) { return lo_mtu(0x80000000u); }
static long c_lo_mtu_70000(void) { return lo_mtu(70000); }
static long c_lo_mtu_65536(void) { return lo_mtu(65536); }
static long c_lo_mtu_10(void) { return lo_mtu(10); }
/* after it: what lo still has, as bits (1: IPv4 address, 2: IPv6 address),
 * and a datagram to 127.0.0.1 (Linux: no IPv4 on lo, unreachable) */
static long c_lo_after_mtu_10(void) {
	struct ifaddrs *ifa = NULL;
	SETUP(ioth_getifaddrs(ST, &ifa) == 0);
	long bits = 0;
	for (struct ifaddrs *i = ifa; i; i = i->ifa_next)
		if (strcmp(i->ifa_name, "lo") == 0 && i->ifa_addr)
			bits |= i->ifa_addr->sa_family == AF_INET ? 1 : i->ifa_addr->sa_family == AF_INET6 ? 2 : 0;
	ioth_freeifaddrs(ifa);
	return bits;
}
static long c_lo_mtu_0(void) { return lo_mtu(0); }

struct row {
	const char *name;
	long (*fn)(void);
	int known;       /* a known difference: ustack gives known_r/known_e */
	long known_r;
	int known_e;
};
#define ROW(f) {#f + 2, f, 0, 0, 0}
static const struct row table[] = {
	ROW(c_socket_type11), ROW(c_socket_type15), ROW(c_socket_type_neg), ROW(c_socket_badflag),
	ROW(c_socket_seqpacket), ROW(c_socket_rdm), ROW(c_socket_dgram_tcp), ROW(c_socket_stream_udp),
	ROW(c_socket_proto_neg), ROW(c_socket_proto_300), ROW(c_socket_proto_200), ROW(c_socket6_type11),
	ROW(c_socket6_seqpacket), ROW(c_socket6_stream_udp), ROW(c_socket6_proto_300), ROW(c_socket_raw0),
	ROW(c_socket_raw300), ROW(c_socket_af_neg), ROW(c_socket_packet_stream), ROW(c_socket_packet_type11),
	ROW(c_socket_netlink_stream), ROW(c_socket_netlink_proto99),
	ROW(c_bind_len_m1), ROW(c_bind_len_129), ROW(c_bind_len_128), ROW(c_bind_len_15), ROW(c_bind_len_0),
	ROW(c_bind_af6_on4), ROW(c_bind_unspec_any), ROW(c_bind_unspec_addr), ROW(c_bind_twice),
	ROW(c_bind_nonlocal), ROW(c_bind6_len23), ROW(c_bind6_af4), ROW(c_bind6_len129),
	ROW(c_connect6_to_af4), ROW(c_connect6_to_af4_peer), ROW(c_connect6_to_af4_v6only),
	ROW(c_connect4_len15), ROW(c_connect4_af6), ROW(c_connect4_unspec), ROW(c_connect_tcp_len129),
	ROW(c_connect_tcp_refused), ROW(c_connect_woken_by_shutdown),
	ROW(c_listen_udp), ROW(c_accept_not_listening), ROW(c_accept_udp), ROW(c_accept_nonblock_empty),
	ROW(c_listen_connected), ROW(c_shutdown_how3), ROW(c_shutdown_how_m1), ROW(c_shutdown_udp_connected),
	ROW(c_shutdown_tcp_unconnected), ROW(c_shutdown_udp_unconnected),
	ROW(c_setopt_len_m1), ROW(c_setopt_len_129), ROW(c_setopt_len_3), ROW(c_setopt_len_0),
	ROW(c_setopt_ip_len_m1), ROW(c_setopt_ip_len_200), ROW(c_setopt_badlevel), ROW(c_setopt_sol_badname),
	ROW(c_setopt_ip_badname), ROW(c_setopt_tcp_on_udp), ROW(c_setopt_ipv6_on_udp4), ROW(c_setopt_null),
	ROW(c_setopt_ttl0), ROW(c_setopt_ttl256), ROW(c_setopt_mark),
	ROW(c_getopt_len0), ROW(c_getopt_len2), ROW(c_getopt_len_m1), ROW(c_getopt_len_big),
	ROW(c_getopt_ttl_len1), ROW(c_getopt_sol_badname), ROW(c_getopt_ip_badname), ROW(c_getopt_badlevel),
	ROW(c_getopt_tcp_on_udp), ROW(c_getopt_nulllen),
	ROW(c_tcp_recv0_dontwait), ROW(c_tcp_recv0_nonblock), ROW(c_tcp_recv0_blocking), ROW(c_tcp_recv0_data),
	ROW(c_tcp_read0), ROW(c_tcp_recv_oob_none), ROW(c_tcp_send_unconnected), ROW(c_udp_read0),
	ROW(c_udp_recv0_nonblock), ROW(c_udp_recv_oob), ROW(c_udp_recv_flags_m1), ROW(c_udp_send_oob),
	ROW(c_udp_write0_unconnected), ROW(c_udp_sendto_len129), ROW(c_udp_sendmsg_namelen129),
	ROW(c_udp6_sendto_af4),
	ROW(c_readv_1025), ROW(c_writev_1025), ROW(c_readv_0), ROW(c_writev_1024), ROW(c_sendmsg_iov1025),
	ROW(c_recvmsg_iov1025),
	ROW(c_cmsg_ok_ttl), ROW(c_cmsg_ttl0), ROW(c_cmsg_len0), ROW(c_cmsg_len_small), ROW(c_cmsg_len_beyond),
	ROW(c_cmsg_ctl_short), ROW(c_cmsg_ip_badtype), ROW(c_cmsg_sol_badtype), ROW(c_cmsg_sol_rights),
	ROW(c_cmsg_badlevel), ROW(c_cmsg_ipv6_on4), ROW(c_cmsg_pktinfo_short), ROW(c_cmsg_pktinfo_if99),
	ROW(c_cmsg_pktinfo6_if99), ROW(c_sendto6_ll_scope99), ROW(c_sendto6_mc_scope99), ROW(c_cmsg_ctl_1g),
	ROW(c_cmsg_ctl_1m), ROW(c_cmsg_ctl_huge), ROW(c_cmsg_null_ctl), ROW(c_cmsg_tcp_len0),
	ROW(c_cmsg_tcp_sol_badtype), ROW(c_cmsg_tcp_ip_ttl), ROW(c_cmsg_tcp_ctl_1g),
	ROW(c_fcntl_setown), ROW(c_fcntl_getown), ROW(c_fcntl_getown_unset), ROW(c_fcntl_getfl),
	ROW(c_fcntl_bad), ROW(c_fcntl_dupfd), ROW(c_fcntl_dupfd_min), ROW(c_fcntl_dupfd_cloexec),
	ROW(c_fcntl_dupfd_neg), ROW(c_ioctl_bad), ROW(c_ioctl_fionread_listen),
	ROW(c_nametoindex_long), ROW(c_nametoindex_16), ROW(c_nametoindex_missing), ROW(c_route_null_dst),
	ROW(c_route_null_gw), ROW(c_route_del_null_dst), ROW(c_route_bad_plen), ROW(c_route_dev_lo), ROW(c_ipaddr_null),
	ROW(c_getopt_rcvtimeo_len4), ROW(c_getopt_linger_len4), ROW(c_getopt_bindtodev_len8),
	ROW(c_getopt_tcp_badlevel), ROW(c_getopt_udp6_badlevel), ROW(c_setopt_udp6_badlevel),
	ROW(c_bind_null_0), ROW(c_bind_null_16), ROW(c_connect_null_0), ROW(c_writev_0),
	ROW(c_udp_write0_connected), ROW(c_udp6_sendto_af4_v6only), ROW(c_packet_recv_oob),
	ROW(c_fcntl_getsig), ROW(c_setopt_tcp_len_m1),
	ROW(c_lo_mtu_2g), ROW(c_lo_mtu_70000), ROW(c_lo_mtu_65536),
	/* last: below 68 and 1280 lo loses its IPv4 and IPv6 addresses */
	ROW(c_lo_mtu_10), ROW(c_lo_mtu_0), ROW(c_lo_after_mtu_10),
};
#define NROWS (sizeof(table) / sizeof(table[0]))

struct res {
	long r;
	int e, setup;
};

static void run_all(struct res *out) {
	for (size_t i = 0; i < NROWS; i++) {
		setup_line = 0;
		E = 0;
		long r = table[i].fn();
		out[i] = (struct res) {.r = r, .e = E, .setup = setup_line};
	}
}

static const char *ename(int e) {
	static char b[8][32];
	static int n;
	char *s = b[n++ % 8];
	if (e == 0)
		return "0";
	const char *nm = strerrorname_np(e);
	snprintf(s, 32, "%s", nm ? nm : "?");
	return s;
}

int main(int argc, char **argv) {
	int verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	/* the kernel side in a namespace of our own */
	if (unshare(CLONE_NEWNET) < 0) {
		printf("SKIP: unshare(CLONE_NEWNET) needs root (CAP_SYS_ADMIN): %s\n", strerror(errno));
		return 77;
	}
	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	struct ioth *us = ustest_stack(NULL, vdeswitch_vnl(sw), ADDR, 24);
	REQUIRE(us != NULL);
	struct ioth *kn = ioth_newstack("kernel", NULL);
	REQUIRE(kn != NULL);
	int klo = ioth_if_nametoindex(kn, "lo");
	uint32_t a = ip4(ADDR);
	/* 198.18.0.1/32 on lo, 198.18.0.0/24 through lo: the rest of the /24 is
	 * not local, what lo carries there is dropped (no forwarding) */
	uint32_t net = ip4("198.18.0.0");
	REQUIRE(klo > 0 && ioth_linksetupdown(kn, (unsigned) klo, 1) == 0 &&
			ioth_ipaddr_add(kn, AF_INET, &a, 32, klo) == 0 &&
			ioth_iproute_add(kn, AF_INET, &net, 24, NULL, (unsigned) klo) == 0);

	/* the reference for the interface-name rows */
	errno = 0;
	CHECK(if_nametoindex("an_interface_name_far_too_long_for_ifnamsiz") == 0 && errno == ENODEV);

	static struct res kr[NROWS], ur[NROWS];
	ST = kn;
	KERN = 1;
	run_all(kr);
	ST = us;
	KERN = 0;
	run_all(ur);

	int diff = 0;
	for (size_t i = 0; i < NROWS; i++) {
		const struct row *t = &table[i];
		int same = kr[i].r == ur[i].r && kr[i].e == ur[i].e;
		int bad = kr[i].setup || ur[i].setup ||
				(t->known ? same || ur[i].r != t->known_r || ur[i].e != t->known_e : !same);
		if (bad || verbose || t->known)
			printf("%-5s %-28s linux %ld %-16s ustack %ld %-16s%s\n", bad ? "DIFF" : t->known ? "KNOWN" : "ok", t->name,
					kr[i].r, ename(kr[i].e), ur[i].r, ename(ur[i].e),
					kr[i].setup || ur[i].setup ? " (setup failed)" : "");
		if (kr[i].setup)
			printf("     kernel setup failed at line %d\n", kr[i].setup);
		if (ur[i].setup)
			printf("     ustack setup failed at line %d\n", ur[i].setup);
		diff += bad;
	}
	printf("%zu rows, %d differ\n", NROWS, diff);
	if (diff)
		ustest_failures++;
	/* lo may have lost its addresses (MTU rows): ustack's stack goes anyway */
	ioth_delstack(kn);
	CHECK(ioth_delstack(us) == 0);
	vdeswitch_stop(sw);
	return ustest_done("test_ustack_errno_table");
}
