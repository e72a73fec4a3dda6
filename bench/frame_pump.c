/* SPDX-License-Identifier: LGPL-2.1-or-later
 * frame_pump: the raw frame ceiling of a VNL between two processes (two
 * "hosts"), no stack: what any stack on that path can hope for.
 *
 *   frame_pump rx VNL SECS          announce MAC 02:00:00:00:00:02 (a
 *                                   broadcast frame every 100 ms until data
 *                                   comes), count the bytes of the frames
 *                                   received for SECS after the first one
 *   frame_pump tx VNL SECS FRAME    wait for the announcement, then send
 *                                   FRAME-byte frames to that MAC as fast
 *                                   as libvdeplug takes them, for SECS
 *
 * rx prints "rx FRAMES frames BYTES bytes in S s: G Gbit/s" (bytes of
 * whole frames). Used by bench/hosts_bench.sh; it asserts nothing. */
#define _GNU_SOURCE
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvdeplug.h>

#define ETYPE0 0x88
#define ETYPE1 0xb5   /* IEEE local experimental ethertype */

static const uint8_t rmac[6] = {2, 0, 0, 0, 0, 2}, smac[6] = {2, 0, 0, 0, 0, 1};

static double now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int do_rx(VDECONN *c, double secs) {
	static uint8_t buf[65536 + 64];
	uint8_t hello[60] = {0};
	memset(hello, 0xff, 6);
	memcpy(hello + 6, rmac, 6);
	hello[12] = ETYPE0;
	hello[13] = ETYPE1;
	int fd = vde_datafd(c);
	double t0 = 0, last = 0, deadline = now() + 30;
	unsigned long frames = 0, bytes = 0;
	for (;;) {
		double t = now();
		if (t0 == 0 && t > deadline) {
			fprintf(stderr, "frame_pump rx: no frame in 30 s\n");
			return 1;
		}
		if (t0 != 0 && t - t0 > secs + 1)
			break;
		if (t0 == 0)
			vde_send(c, hello, sizeof(hello), 0);
		struct pollfd pfd = {fd, POLLIN, 0};
		if (poll(&pfd, 1, 100) != 1)
			continue;
		ssize_t n = vde_recv(c, buf, sizeof(buf), 0);
		if (n < 14 || buf[12] != ETYPE0 || buf[13] != ETYPE1 || memcmp(buf + 6, smac, 6) != 0)
			continue;
		t = now();
		if (t0 == 0) {
			t0 = t;   /* the first frame starts the clock: not counted */
			continue;
		}
		frames++;
		bytes += (unsigned long) n;
		last = t;
	}
	double span = last - t0;
	printf("rx %lu frames %lu bytes in %.2f s: %.3f Gbit/s\n", frames, bytes, span,
			span > 0 ? (double) bytes * 8 / span / 1e9 : 0.0);
	return frames ? 0 : 1;
}

static int do_tx(VDECONN *c, double secs, size_t frame) {
	static uint8_t buf[65536 + 64];
	int fd = vde_datafd(c);
	double deadline = now() + 30;
	/* the announcement: libvdeplug's vxvde learns where the MAC lives */
	for (;;) {
		if (now() > deadline) {
			fprintf(stderr, "frame_pump tx: no announcement in 30 s\n");
			return 1;
		}
		struct pollfd pfd = {fd, POLLIN, 0};
		if (poll(&pfd, 1, 100) != 1)
			continue;
		ssize_t n = vde_recv(c, buf, sizeof(buf), 0);
		if (n >= 14 && memcmp(buf + 6, rmac, 6) == 0 && buf[12] == ETYPE0 && buf[13] == ETYPE1)
			break;
	}
	memset(buf, 0x5a, frame);
	memcpy(buf, rmac, 6);
	memcpy(buf + 6, smac, 6);
	buf[12] = ETYPE0;
	buf[13] = ETYPE1;
	double end = now() + secs;
	unsigned long sent = 0;
	while (now() < end) {
		if (vde_send(c, buf, frame, 0) < 0) {
			struct pollfd pfd = {fd, POLLOUT, 0};
			poll(&pfd, 1, 10);
		} else
			sent++;
	}
	printf("tx %lu frames of %zu bytes in %.2f s\n", sent, frame, secs);
	return 0;
}

int main(int argc, char **argv) {
	if (argc < 4 || (strcmp(argv[1], "tx") == 0 && argc < 5)) {
		fprintf(stderr, "usage: frame_pump rx VNL SECS | frame_pump tx VNL SECS FRAME\n");
		return 2;
	}
	VDECONN *c = vde_open(argv[2], "frame_pump", NULL);
	if (c == NULL) {
		perror(argv[2]);
		return 1;
	}
	double secs = atof(argv[3]);
	int rc;
	if (strcmp(argv[1], "rx") == 0)
		rc = do_rx(c, secs);
	else {
		size_t frame = (size_t) atol(argv[4]);
		rc = frame < 14 || frame > 65536 ? 2 : do_tx(c, secs, frame);
	}
	vde_close(c);
	return rc;
}
