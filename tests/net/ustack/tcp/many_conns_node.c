/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The ustack end of test_tcp_many_conns.sh: one stack (through libioth, as
 * a user has it) listening on PORT, which accepts N connections from the
 * Linux client (source ports BASE to BASE+N-1; fewer when the fd limit
 * cannot be raised: the READY line says how many), and then:
 *   1. with all N established and idle, the heap's growth since before the
 *      first accept (glibc's mallinfo2: blocks in use, small and mmapped),
 *      per connection: "idle bytes_per_conn=B" (under AddressSanitizer its
 *      allocator pads and quarantines every block: "idle skipped (ASan)");
 *      the file IDLEFILE is then created for the client;
 *   2. on every connection whose peer port is BASE + a multiple of
 *      SAMPLE, in port order: SAMPLEBYTES of the client's pattern read and
 *      checked, the same count of ours sent back;
 *   3. EOF read on every connection (the client closes all), each closed,
 *      the listener closed, the stack deleted (it lingers until our FINs
 *      are acknowledged);
 * and prints "open fds before=F after=F" (counted in /proc/self/fd before
 * the stack was made and after it was deleted). Exit 0 when all went
 * right. The pattern of connection i: byte k is (k * 7 + i * 13) & 0xff
 * from the client, (k * 11 + i * 5) & 0xff from us. */
#include <dirent.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>

#include "../ustest.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

static int count_fds(void) {
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (d == NULL)
		return -1;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;   /* the directory's own */
}

static size_t heap_in_use(void) {
	malloc_trim(0);
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

static int read_full(int fd, unsigned char *buf, size_t len) {
	size_t off = 0;
	while (off < len) {
		ssize_t n = ioth_recv(fd, buf + off, len - off, 0);
		if (n <= 0)
			return -1;
		off += (size_t) n;
	}
	return 0;
}

int main(int argc, char *argv[]) {
	signal(SIGPIPE, SIG_IGN);
	if (argc != 10) {
		fprintf(stderr, "usage: %s VNL MAC ADDR PORT N BASE SAMPLE SAMPLEBYTES IDLEFILE\n", argv[0]);
		return 2;
	}
	int n = atoi(argv[5]), base = atoi(argv[6]), sample = atoi(argv[7]);
	size_t sbytes = (size_t) atol(argv[8]);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	/* a ustack socket holds two kernel fds (the pair of its readiness
	 * descriptor): room for two each. Without CAP_SYS_RESOURCE the hard
	 * limit stays, and as many connections as it allows are made, said
	 * on the READY line (a container's 20,000: 9,968) */
	rlim_t need = (rlim_t) n * 2 + 64;
	if (rl.rlim_max < need) {
		rl.rlim_max = need;
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			getrlimit(RLIMIT_NOFILE, &rl);
			if (rl.rlim_max < 2 * 1000 + 64) {
				printf("SKIP: RLIMIT_NOFILE's hard limit %lu allows under 1000 connections\n",
						(unsigned long) rl.rlim_max);
				return 77;
			}
			n = (int) ((rl.rlim_max - 64) / 2);
			fprintf(stderr, "RLIMIT_NOFILE's hard limit is %lu and cannot be raised (no CAP_SYS_RESOURCE): %d connections\n",
					(unsigned long) rl.rlim_max, n);
		}
	}
	rl.rlim_cur = rl.rlim_max;
	REQUIRE(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	int fds0 = count_fds();
	char opts[128];
	snprintf(opts, sizeof(opts), "ustack,accept_ra=0,mac=%s", argv[2]);
	struct ioth *st = ustest_stack(opts, argv[1], argv[3], 24);
	REQUIRE(st);
	int l = ioth_msocket(st, AF_INET, SOCK_STREAM, 0);
	REQUIRE(l >= 0);
	int one = 1;
	REQUIRE(ioth_setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0);
	struct sockaddr_in b = {.sin_family = AF_INET, .sin_port = htons((uint16_t) atoi(argv[4]))};
	REQUIRE(ioth_bind(l, (struct sockaddr *) &b, sizeof(b)) == 0);
	REQUIRE(ioth_listen(l, 1024) == 0);
	int *fd = calloc((size_t) n, sizeof(int));
	int *port = calloc((size_t) n, sizeof(int));
	REQUIRE(fd && port);
	size_t heap0 = heap_in_use();
	printf("READY conns=%d\n", n);
	fflush(stdout);
	int rc = 0;
	for (int i = 0; i < n; i++) {
		struct sockaddr_in p;
		socklen_t pl = sizeof(p);
		fd[i] = ioth_accept(l, (struct sockaddr *) &p, &pl);
		if (fd[i] < 0) {
			fprintf(stderr, "accept %d: %s\n", i, strerror(errno));
			return 1;
		}
		port[i] = ntohs(p.sin_port);
	}
	/* what the last handshakes left (delayed ACK timers) runs out */
	usleep(300000);
	size_t heap1 = heap_in_use();
#ifdef UNDER_ASAN
	(void) heap0;
	(void) heap1;
	printf("idle skipped (ASan: its allocator pads and quarantines every block)\n");
#else
	printf("idle bytes_per_conn=%zu heap_before=%zu heap_idle=%zu\n", (heap1 - heap0) / (size_t) n, heap0,
			heap1);
#endif
	printf("open fds with %d connections: %d\n", n, count_fds());
	fflush(stdout);
	FILE *f = fopen(argv[9], "w");
	REQUIRE(f);
	fclose(f);

	/* 2. data on the sample, in port order */
	unsigned char *buf = malloc(sbytes);
	REQUIRE(buf);
	int sampled = 0;
	for (int want = 0; want < n; want += sample) {
		int i;
		for (i = 0; i < n && port[i] != base + want; i++)
			;
		if (i == n) {
			fprintf(stderr, "no connection from port %d\n", base + want);
			rc = 1;
			continue;
		}
		if (read_full(fd[i], buf, sbytes) < 0) {
			fprintf(stderr, "connection %d: short read\n", want);
			rc = 1;
			continue;
		}
		for (size_t k = 0; k < sbytes; k++)
			if (buf[k] != (unsigned char) ((k * 7 + (size_t) want * 13) & 0xff)) {
				fprintf(stderr, "connection %d: byte %zu differs\n", want, k);
				rc = 1;
				break;
			}
		for (size_t k = 0; k < sbytes; k++)
			buf[k] = (unsigned char) ((k * 11 + (size_t) want * 5) & 0xff);
		size_t off = 0;
		while (off < sbytes) {
			ssize_t w = ioth_send(fd[i], buf + off, sbytes - off, MSG_NOSIGNAL);
			if (w <= 0) {
				fprintf(stderr, "connection %d: send: %s\n", want, strerror(errno));
				rc = 1;
				break;
			}
			off += (size_t) w;
		}
		sampled++;
	}
	free(buf);
	printf("sampled %d connections, %zu bytes each way\n", sampled, sbytes);
	fflush(stdout);

	/* 3. the client closes all: EOF on each, then ours closed */
	int eofs = 0;
	for (int i = 0; i < n; i++) {
		char c;
		ssize_t r = ioth_recv(fd[i], &c, 1, 0);
		if (r == 0)
			eofs++;
		else
			fprintf(stderr, "connection from port %d: %zd (%s) where EOF was due\n", port[i], r, strerror(errno));
		REQUIRE(ioth_close(fd[i]) == 0);
	}
	REQUIRE(ioth_close(l) == 0);
	printf("eof on %d of %d\n", eofs, n);
	if (eofs != n)
		rc = 1;
	free(fd);
	free(port);
	REQUIRE(ioth_delstack(st) == 0);
#ifndef UNDER_ASAN
	/* the stack gone, its connections' memory is back (ASan: its leak
	 * check at exit) */
	size_t heap2 = heap_in_use();
	printf("heap after=%zu left_per_conn=%zu\n", heap2, heap2 > heap0 ? (heap2 - heap0) / (size_t) n : 0);
#endif
	printf("open fds before=%d after=%d\n", fds0, count_fds());
	fflush(stdout);
	return rc;
}
