/* SPDX-License-Identifier: LGPL-2.1-or-later
 * vnl_bench: TCP between two stacks on each kind of VDE network, beside
 * the ceiling of that network measured in the same run.
 *
 *   vnl_bench [SECONDS [JSON_FILE]]     (default 2 s per figure)
 *   VNL_BENCH_ONLY=N vnl_bench ...       only network N (0-3), ustack in one
 *                                        process (for a profiler)
 *
 * For each network (libvdeplug's embedded switch, Debian's vde_switch,
 * ptp:// at MTU 1500 and at mtu=65000):
 *   ceiling   raw frames, no stack: one thread sends full-size frames
 *             (MTU + 14 bytes) with libvdeplug as fast as it can, another
 *             receives them; the received bytes per second
 *   ustack    one TCP connection, 64 KiB writes, two stacks in this process
 *   2 procs   the same with the receiving stack in a child process (the
 *             way IoTh nodes usually live)
 *   gro=1     the same in one process with the stack option gro=1 (in-order
 *             data read in one batch acknowledged once, as Linux behind a
 *             NIC with GRO; the default acknowledges every second segment,
 *             as Linux behind a tap)
 *   vdestack  the same with two vdestack stacks (the Linux kernel in
 *             namespaces: needs root; MTU 1500 only)
 * with the CPU time of the process(es) per gigabyte received next to each
 * TCP figure. Figures are Gbit/s of payload (TCP) or of frames (ceiling).
 * Nothing here asserts a speed: the ratios are the result. Every loop is
 * bounded in time; a figure that cannot run is reported as not measured. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ioth.h>
#include <libvdeplug.h>

#include "vdeswitch.h"

static double secs = 2.0;

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static double cpu_now(int who) {
	struct rusage ru;
	getrusage(who, &ru);
	return (double) ru.ru_utime.tv_sec + (double) ru.ru_utime.tv_usec / 1e6 +
			(double) ru.ru_stime.tv_sec + (double) ru.ru_stime.tv_usec / 1e6;
}

struct fig {
	double gbps;     /* -1: not measured */
	double cpu_gb;   /* CPU seconds per GB received, 0: not measured */
};

/* --- the ceiling: frames through the network, no stack --- */
struct pump {
	VDECONN *rx;
	atomic_int stop;
	atomic_long bytes;
};

static void *pump_rx(void *arg) {
	struct pump *p = arg;
	static __thread uint8_t buf[65536 + 64];
	int fd = vde_datafd(p->rx);
	while (!atomic_load(&p->stop)) {
		struct pollfd pfd = {fd, POLLIN, 0};
		if (poll(&pfd, 1, 100) != 1)
			continue;
		ssize_t n = vde_recv(p->rx, buf, sizeof(buf), 0);
		if (n > 0)
			atomic_fetch_add(&p->bytes, n);
	}
	return NULL;
}

static struct fig ceiling(const char *vnl, size_t frame) {
	struct fig f = {-1, 0};
	VDECONN *rx = vde_open((char *) vnl, "vnl_bench", NULL);
	VDECONN *tx = rx ? vde_open((char *) vnl, "vnl_bench", NULL) : NULL;
	if (rx == NULL || tx == NULL) {
		if (rx)
			vde_close(rx);
		return f;
	}
	uint8_t *buf = calloc(1, frame);
	/* Ethernet: to the receiver's MAC, which it announces first (a switch
	 * learns it), from the sender's */
	static const uint8_t rmac[6] = {0x02, 0, 0, 0, 0, 0x02}, smac[6] = {0x02, 0, 0, 0, 0, 0x01};
	uint8_t hello[60] = {0};
	memset(hello, 0xff, 6);
	memcpy(hello + 6, rmac, 6);
	hello[12] = 0x88;
	hello[13] = 0xb5;   /* IEEE local experimental ethertype */
	vde_send(rx, hello, sizeof(hello), 0);
	memcpy(buf, rmac, 6);
	memcpy(buf + 6, smac, 6);
	buf[12] = 0x88;
	buf[13] = 0xb5;
	usleep(100000);
	struct pump p = {.rx = rx};
	pthread_t t;
	pthread_create(&t, NULL, pump_rx, &p);
	int fd = vde_datafd(tx);
	double t0 = now(), t1 = t0, c0 = cpu_now(RUSAGE_SELF);
	long b0 = 0;
	bool warm = false;
	while ((t1 = now()) - t0 < secs + 0.2) {
		if (!warm && t1 - t0 >= 0.2) {
			warm = true;
			b0 = atomic_load(&p.bytes);
			t0 = t1 - 0.2;
			c0 = cpu_now(RUSAGE_SELF);
		}
		if (vde_send(tx, buf, frame, 0) < 0) {
			struct pollfd pfd = {fd, POLLOUT, 0};
			poll(&pfd, 1, 10);
		}
	}
	long b1 = atomic_load(&p.bytes);
	double c1 = cpu_now(RUSAGE_SELF);
	atomic_store(&p.stop, 1);
	pthread_join(t, NULL);
	vde_close(tx);
	vde_close(rx);
	free(buf);
	double span = t1 - t0 - 0.2;
	if (b1 > b0 && span > 0) {
		f.gbps = (double) (b1 - b0) * 8 / span / 1e9;
		f.cpu_gb = (c1 - c0) / ((double) (b1 - b0) / 1e9);
	}
	return f;
}

/* --- TCP between two stacks --- */
static struct ioth *stack_on(const char *kind, const char *vnl, const char *ip) {
	struct ioth *st = ioth_newstack(kind, vnl);
	if (st == NULL)
		return NULL;
	struct in_addr a;
	inet_pton(AF_INET, ip, &a);
	int ifi = ioth_if_nametoindex(st, "vde0");
	if (ifi <= 0 || ioth_linksetupdown(st, (unsigned) ifi, 1) < 0 ||
			ioth_ipaddr_add(st, AF_INET, &a, 24, (unsigned) ifi) < 0) {
		ioth_delstack(st);
		return NULL;
	}
	return st;
}

static int listen_on(struct ioth *st, int port) {
	int l = ioth_msocket(st, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
	if (l < 0 || ioth_bind(l, (struct sockaddr *) &a, sizeof(a)) < 0 || ioth_listen(l, 4) < 0)
		return -1;
	return l;
}

/* Receive on the listener's first connection until EOF; bytes and the
 * receive window's time through *bytes (updated as it goes). */
static void sink(struct ioth *st, int l, atomic_long *bytes) {
	int fd = ioth_accept(l, NULL, NULL);
	if (fd < 0)
		return;
	static __thread char buf[1 << 16];
	ssize_t n;
	while ((n = ioth_recv(fd, buf, sizeof(buf), 0)) > 0)
		atomic_fetch_add(bytes, n);
	ioth_close(fd);
	(void) st;
}

struct sinkarg {
	struct ioth *st;
	int l;
	atomic_long bytes;
};

static void *sink_thread(void *arg) {
	struct sinkarg *k = arg;
	sink(k->st, k->l, &k->bytes);
	return NULL;
}

/* Send for secs after a warm-up; the receiver's count gives the rate. */
static int sender(struct ioth *c, int port, atomic_long *bytes, double *gbps, double *span_cpu) {
	int fd = ioth_msocket(c, AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t) port)};
	inet_pton(AF_INET, "198.18.0.2", &a.sin_addr);
	int ok = -1;
	for (int i = 0; i < 50 && fd >= 0; i++) {
		ok = ioth_connect(fd, (struct sockaddr *) &a, sizeof(a));
		if (ok == 0 || errno != ECONNREFUSED)
			break;
		/* the child's listener is not up yet: a new socket, again */
		ioth_close(fd);
		usleep(20000);
		fd = ioth_msocket(c, AF_INET, SOCK_STREAM, 0);
	}
	if (fd < 0 || ok < 0) {
		if (fd >= 0)
			ioth_close(fd);
		return -1;
	}
	static char buf[1 << 16];
	memset(buf, 'x', sizeof(buf));
	double t0 = now();
	while (now() - t0 < 0.3)
		ioth_send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
	long b0 = bytes ? atomic_load(bytes) : 0;
	double c0 = cpu_now(RUSAGE_SELF);
	t0 = now();
	double t1;
	long sent = 0;
	while ((t1 = now()) - t0 < secs) {
		ssize_t n = ioth_send(fd, buf, sizeof(buf), MSG_NOSIGNAL);
		if (n < 0)
			break;
		sent += n;
	}
	long b1 = bytes ? atomic_load(bytes) : sent;
	*span_cpu = cpu_now(RUSAGE_SELF) - c0;
	ioth_close(fd);
	*gbps = (double) (b1 - b0) * 8 / (t1 - t0) / 1e9;
	return 0;
}

static struct fig tcp_same_process(const char *kind, const char *vnl_a, const char *vnl_b, int port) {
	struct fig f = {-1, 0};
	struct ioth *a = stack_on(kind, vnl_a, "198.18.0.1");
	struct ioth *b = a ? stack_on(kind, vnl_b, "198.18.0.2") : NULL;
	if (a && b) {
		usleep(300000);
		struct sinkarg k = {.st = b, .l = listen_on(b, port)};
		if (k.l >= 0) {
			pthread_t t;
			pthread_create(&t, NULL, sink_thread, &k);
			double g = -1, cpu = 0;
			if (sender(a, port, &k.bytes, &g, &cpu) == 0 && g > 0) {
				f.gbps = g;
				f.cpu_gb = cpu / (g * secs / 8);
			}
			ioth_close(k.l);   /* wakes a sink still in accept */
			pthread_join(t, NULL);
		}
	}
	if (a)
		ioth_delstack(a);
	if (b)
		ioth_delstack(b);
	return f;
}

/* The receiving stack in a child: the sender counts what it sent, which
 * the receiver acknowledged but for the last window (seconds of data
 * against at most a few MB: the error is reported nowhere, it is small). */
static struct fig tcp_two_processes(const char *kind, const char *vnl_a, const char *vnl_b, int port) {
	struct fig f = {-1, 0};
	int ready[2];
	if (pipe(ready) < 0)
		return f;
	pid_t pid = fork();
	if (pid == 0) {
		close(ready[0]);
		alarm((unsigned) (secs + 30));
		struct ioth *b = stack_on(kind, vnl_b, "198.18.0.2");
		int l = b ? listen_on(b, port) : -1;
		char c = l >= 0 ? 'y' : 'n';
		ssize_t w = write(ready[1], &c, 1);
		(void) w;
		if (l < 0)
			_exit(1);
		atomic_long bytes = 0;
		sink(b, l, &bytes);
		ioth_close(l);
		ioth_delstack(b);
		_exit(0);
	}
	close(ready[1]);
	char c = 'n';
	struct pollfd pfd = {ready[0], POLLIN, 0};
	if (pid > 0 && poll(&pfd, 1, 5000) == 1 && read(ready[0], &c, 1) == 1 && c == 'y') {
		struct ioth *a = stack_on(kind, vnl_a, "198.18.0.1");
		if (a) {
			usleep(300000);
			double g = -1, cpu = 0;
			double cc0 = cpu_now(RUSAGE_CHILDREN);
			if (sender(a, port, NULL, &g, &cpu) == 0 && g > 0)
				f.gbps = g;
			ioth_delstack(a);
			int st;
			waitpid(pid, &st, 0);
			pid = -1;
			/* the child's whole run: its CPU is an upper bound */
			double child = cpu_now(RUSAGE_CHILDREN) - cc0;
			if (f.gbps > 0)
				f.cpu_gb = (cpu + child) / (f.gbps * secs / 8);
		}
	}
	close(ready[0]);
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return f;
}

/* --- Debian's vde_switch, started and stopped here --- */
static pid_t vde_switch_start(const char *dir) {
	char pidfile[400];
	snprintf(pidfile, sizeof(pidfile), "%s.pid", dir);
	/* its console reads stdin and ends on EOF: a pipe nobody writes */
	static int console[2] = {-1, -1};
	if (console[0] < 0 && pipe2(console, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(console[0], 0);
		dup2(null, 1);
		dup2(null, 2);
		execlp("vde_switch", "vde_switch", "-s", dir, "-p", pidfile, (char *) NULL);
		_exit(127);
	}
	/* it runs in the foreground (no -d): its pid is ours to kill */
	char ctl[400];
	snprintf(ctl, sizeof(ctl), "%s/ctl", dir);
	for (int i = 0; i < 100; i++) {
		struct stat sb;
		if (stat(ctl, &sb) == 0)
			return pid;
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid)
			return -1;
		usleep(20000);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return -1;
}

struct row {
	const char *net;
	struct fig ceil, us, us2, usg, vs;
};

static void print_fig(const char *label, struct fig f, double ceil) {
	if (f.gbps < 0) {
		printf("  %-22s not measured\n", label);
		return;
	}
	printf("  %-22s %7.2f Gbit/s", label, f.gbps);
	if (ceil > 0)
		printf("  %5.0f%% of ceiling", 100 * f.gbps / ceil);
	if (f.cpu_gb > 0)
		printf("  %6.2f CPU s/GB", f.cpu_gb);
	printf("\n");
}

static void json_fig(FILE *j, const char *name, struct fig f, bool last) {
	if (f.gbps < 0)
		fprintf(j, "\"%s\": null%s", name, last ? "" : ", ");
	else
		fprintf(j, "\"%s\": {\"gbps\": %.3f, \"cpu_s_per_gb\": %.3f}%s", name, f.gbps, f.cpu_gb,
				last ? "" : ", ");
}

int main(int argc, char *argv[]) {
	if (argc > 1 && atof(argv[1]) > 0)
		secs = atof(argv[1]);
	const char *json = argc > 2 ? argv[2] : NULL;
	signal(SIGPIPE, SIG_IGN);
	char dir[] = "/tmp/vnl_bench.XXXXXX";
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	char sw2[300], ptp[300], vnl2[320], ptpa[320];
	snprintf(sw2, sizeof(sw2), "%s/vde_switch", dir);
	snprintf(ptp, sizeof(ptp), "%s/ptp", dir);
	snprintf(vnl2, sizeof(vnl2), "vde://%s", sw2);
	snprintf(ptpa, sizeof(ptpa), "ptp://%s", ptp);
	struct vdeswitch *sw = vdeswitch_start(NULL);
	pid_t vsw = vde_switch_start(sw2);
	struct row rows[4] = {
		{.net = "switch:// (libvdeplug), MTU 1500"},
		{.net = "vde:// to Debian vde_switch, MTU 1500"},
		{.net = "ptp://, MTU 1500"},
		{.net = "ptp://, mtu=65000"},
	};
	const char *vnls[4] = {sw ? vdeswitch_vnl(sw) : NULL, vsw > 0 ? vnl2 : NULL, ptpa, ptpa};
	const char *us_kind[4] = {"ustack", "ustack", "ustack", "ustack,mtu=65000"};
	const char *gro_kind[4] = {"ustack,gro=1", "ustack,gro=1", "ustack,gro=1", "ustack,mtu=65000,gro=1"};
	size_t frames[4] = {1514, 1514, 1514, 65014};
	const char *only = getenv("VNL_BENCH_ONLY");
	for (int i = 0; i < 4; i++) {
		struct row *r = &rows[i];
		r->ceil = r->us = r->us2 = r->usg = r->vs = (struct fig) {-1, 0};
		if (vnls[i] == NULL || (only && atoi(only) != i))
			continue;
		if (only) {
			r->us = tcp_same_process(us_kind[i], vnls[i], vnls[i], 7000 + 10 * i);
			continue;
		}
		int port = 7000 + 10 * i;
		r->ceil = ceiling(vnls[i], frames[i]);
		r->us = tcp_same_process(us_kind[i], vnls[i], vnls[i], port);
		r->us2 = tcp_two_processes(us_kind[i], vnls[i], vnls[i], port + 1);
		r->usg = tcp_same_process(gro_kind[i], vnls[i], vnls[i], port + 3);
		if (i < 3)
			r->vs = tcp_same_process("vdestack", vnls[i], vnls[i], port + 2);
	}
	printf("TCP between two stacks, one connection, 64 KiB writes, %.0f s per figure\n", secs);
	printf("(ceiling: raw frames of MTU+14 bytes through the same network, no stack)\n");
	for (int i = 0; i < 4; i++) {
		struct row *r = &rows[i];
		printf("%s\n", r->net);
		print_fig("ceiling (raw frames)", r->ceil, 0);
		print_fig("ustack", r->us, r->ceil.gbps);
		print_fig("ustack, 2 processes", r->us2, r->ceil.gbps);
		print_fig("ustack, gro=1", r->usg, r->ceil.gbps);
		if (i < 3)
			print_fig("vdestack", r->vs, r->ceil.gbps);
		if (r->us.gbps > 0 && r->vs.gbps > 0)
			printf("  ustack / vdestack      %7.2fx\n", r->us.gbps / r->vs.gbps);
	}
	if (json) {
		FILE *j = fopen(json, "w");
		if (j) {
			fprintf(j, "{\"seconds\": %.1f, \"networks\": [\n", secs);
			for (int i = 0; i < 4; i++) {
				fprintf(j, "  {\"network\": \"%s\", ", rows[i].net);
				json_fig(j, "ceiling", rows[i].ceil, false);
				json_fig(j, "ustack", rows[i].us, false);
				json_fig(j, "ustack_2proc", rows[i].us2, false);
				json_fig(j, "ustack_gro", rows[i].usg, false);
				json_fig(j, "vdestack", rows[i].vs, true);
				fprintf(j, "}%s\n", i < 3 ? "," : "");
			}
			fprintf(j, "]}\n");
			fclose(j);
			printf("(JSON: %s)\n", json);
		}
	}
	if (vsw > 0) {
		kill(vsw, SIGTERM);
		waitpid(vsw, NULL, 0);
	}
	if (sw)
		vdeswitch_stop(sw);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.pid'", dir, sw2);
	int rc = system(cmd);
	(void) rc;
	return 0;
}
