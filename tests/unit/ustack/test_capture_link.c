/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The capture link (link/capture.c), the test link of the unit tests and
 * fuzzers: the frames sent are kept up to LINK_CAPTURE_MAX (the rest
 * counted as sent and forgotten), a frame injected reaches the stack, and
 * with pcap_open (stack option pcap=) both ways are written to the file
 * in order, as on a VDE link. */
#include <stdio.h>
#include <unistd.h>

#include "ut_stack.h"

static const uint8_t BCAST[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* an ARP request from the peer 198.18.0.2 for our 198.18.0.1 */
static size_t arp_request(uint8_t *buf) {
	struct eth_repr e = {.type = ETHW_P_ARP};
	memcpy(e.dst, BCAST, 6);
	memcpy(e.src, UT_PEER_MAC, 6);
	eth_emit(&e, buf, 14);
	struct arp_repr a = {.op = ARPW_REQUEST, .spa = inet_addr("198.18.0.2"),
		.tpa = inet_addr("198.18.0.1")};
	memcpy(a.sha, UT_PEER_MAC, 6);
	arp_emit(&a, buf + 14, 28);
	return 42;
}

/* one pcap record at *off of buf (n bytes): its frame and length */
static const uint8_t *pcap_record(const uint8_t *buf, size_t n, size_t *off, uint32_t *len) {
	uint32_t h[4];
	assert_true(*off + sizeof(h) <= n);
	memcpy(h, buf + *off, sizeof(h));
	assert_int_equal(h[2], h[3]);   /* caplen == len: small frames */
	*len = h[2];
	const uint8_t *frame = buf + *off + sizeof(h);
	*off += sizeof(h) + h[2];
	assert_true(*off <= n);
	return frame;
}

static void test_pcap_both_ways(void **state) {
	char path[] = "/tmp/ustack_test_capture_XXXXXX";
	int tmp = mkstemp(path);
	assert_true(tmp >= 0);
	close(tmp);
	struct ustack *s = ut_stack();
	stack_lock(s);
	assert_int_equal(pcap_open(s, path), 0);
	stack_unlock(s);
	uint8_t req[64];
	size_t rlen = arp_request(req);
	ut_inject(s, req, rlen);
	/* the reply, kept by the link */
	assert_int_equal(ut_cap.n, 1);
	struct arp_repr a;
	assert_int_equal(arp_parse(ut_cap.frame[0] + 14, ut_cap.len[0] - 14, &a), 0);
	assert_int_equal(a.op, ARPW_REPLY);
	assert_memory_equal(a.sha, UT_MAC, 6);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t buf[1024];
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	unlink(path);
	uint32_t magic;
	assert_true(n >= 24);
	memcpy(&magic, buf, 4);
	assert_int_equal(magic, 0xa1b2c3d4u);
	size_t off = 24;
	uint32_t len;
	const uint8_t *fr = pcap_record(buf, n, &off, &len);
	assert_int_equal(len, rlen);                 /* first the request received */
	assert_memory_equal(fr, req, rlen);
	fr = pcap_record(buf, n, &off, &len);
	assert_int_equal(len, ut_cap.len[0]);        /* then the reply sent */
	assert_memory_equal(fr, ut_cap.frame[0], len);
	assert_int_equal(off, n);
	ut_stack_free(s);
}

static void test_kept_bounded(void **state) {
	struct ustack *s = ut_stack();
	int fd = ut_udp_socket(s, 0);
	assert_true(fd >= 0);
	int on = 1;
	assert_int_equal(api_setsockopt(s, fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)), 0);
	uint64_t tx0 = ut_eth(s)->st.tx_packets;
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9),
		.sin_addr.s_addr = inet_addr("198.18.0.255")};
	int total = LINK_CAPTURE_MAX + 10;
	for (int i = 0; i < total; i++) {
		struct iovec iov = {.iov_base = &i, .iov_len = sizeof(i)};
		struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1};
		assert_int_equal(api_sendmsg(s, fd, &msg, 0), (ssize_t) sizeof(i));
	}
	/* the first LINK_CAPTURE_MAX kept, in order; all of them sent */
	assert_int_equal(ut_cap.n, LINK_CAPTURE_MAX);
	int last;
	memcpy(&last, ut_cap.frame[LINK_CAPTURE_MAX - 1] + ut_cap.len[LINK_CAPTURE_MAX - 1] - sizeof(last),
			sizeof(last));
	assert_int_equal(last, LINK_CAPTURE_MAX - 1);
	assert_int_equal(ut_eth(s)->st.tx_packets - tx0, (uint64_t) total);
	ut_cap_clear();
	assert_int_equal(ut_cap.n, 0);
	api_close(s, fd);
	ut_stack_free(s);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcap_both_ways),
		cmocka_unit_test(test_kept_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
