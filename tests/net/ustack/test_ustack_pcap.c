/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The capture option (ustack,pcap=FILE): two stacks on an embedded VDE
 * switch, the server's stack capturing; a TCP connection with a few
 * bytes each way. The real tcpdump reads the file back and must show the
 * handshake (SYN, SYN-ACK, ACK) with the right addresses and ports, the
 * data, and the ARP exchange before it (frames of both directions). A
 * stack whose capture file cannot be made is refused. */
#include <sys/wait.h>

#include "ustest.h"
#include "vdeswitch.h"

#define PORT 7007

static int count_lines(const char *out, const char *a, const char *b) {
	int n = 0;
	for (const char *l = out; l && *l;) {
		const char *e = strchr(l, '\n');
		size_t len = e ? (size_t) (e - l) : strlen(l);
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int) (len < 511 ? len : 511), l);
		if (strstr(line, a) && (b == NULL || strstr(line, b)))
			n++;
		l = e ? e + 1 : NULL;
	}
	return n;
}

int main(void) {
	/* both readers are checked: without one the test is skipped, not
	 * passed with a part left out */
	if (system("tcpdump --version >/dev/null 2>&1") != 0 || system("tshark --version >/dev/null 2>&1") != 0) {
		printf("SKIP: tcpdump or tshark is not installed (scripts/install-deps)\n");
		return 77;
	}
	char file[128], opts[160];
	snprintf(file, sizeof(file), "/tmp/ustack_pcap_%d.pcap", (int) getpid());
	snprintf(opts, sizeof(opts), "ustack,pcap=%s", file);

	/* a file that cannot be made: no stack */
	errno = 0;
	CHECK(ioth_newstack("ustack,pcap=/nonexistent-dir/x.pcap", "vde:///nonexistent") == NULL);
	CHECK(ioth_newstack("ustack,pcap=", NULL) == NULL && errno == EINVAL);

	struct vdeswitch *sw = vdeswitch_start(NULL);
	REQUIRE(sw != NULL);
	struct ioth *srv = ustest_stack(opts, vdeswitch_vnl(sw), "198.18.0.1", 24);
	struct ioth *cli = ustest_stack(NULL, vdeswitch_vnl(sw), "198.18.0.2", 24);
	REQUIRE(srv != NULL && cli != NULL);

	int l = ioth_msocket(srv, AF_INET, SOCK_STREAM, 0);
	int c = ioth_msocket(cli, AF_INET, SOCK_STREAM, 0);
	REQUIRE(l >= 0 && c >= 0);
	struct sockaddr_in sa = sin4("198.18.0.1", PORT);
	REQUIRE(ioth_bind(l, (struct sockaddr *) &sa, sizeof(sa)) == 0);
	REQUIRE(ioth_listen(l, 1) == 0);
	REQUIRE(ioth_connect(c, (struct sockaddr *) &sa, sizeof(sa)) == 0);
	int a = ioth_accept(l, NULL, NULL);
	REQUIRE(a >= 0);
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	CHECK(ioth_getsockname(c, (struct sockaddr *) &me, &ml) == 0);
	CHECK(ioth_send(c, "ciao\n", 5, 0) == 5);
	char buf[16];
	CHECK(ioth_recv(a, buf, sizeof(buf), 0) == 5);
	CHECK(ioth_send(a, "hello", 5, 0) == 5);
	CHECK(ioth_recv(c, buf, sizeof(buf), 0) == 5);
	ioth_close(c);
	ioth_close(a);
	ioth_close(l);
	ioth_delstack(cli);
	ioth_delstack(srv);
	vdeswitch_stop(sw);

	char cmd[256];
	snprintf(cmd, sizeof(cmd), "tcpdump -nn -r %s 2>&1", file);
	FILE *p = popen(cmd, "r");
	REQUIRE(p != NULL);
	static char out[1 << 16];
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	int st = pclose(p);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	char cport[64], sport[64];
	snprintf(cport, sizeof(cport), "198.18.0.2.%d > 198.18.0.1.%d:", ntohs(me.sin_port), PORT);
	snprintf(sport, sizeof(sport), "198.18.0.1.%d > 198.18.0.2.%d:", PORT, ntohs(me.sin_port));
	CHECK(count_lines(out, cport, "Flags [S], seq") == 1);
	CHECK(count_lines(out, sport, "Flags [S.], seq") == 1);
	CHECK(count_lines(out, cport, "Flags [.], ack 1,") == 1);
	CHECK(count_lines(out, cport, "length 5") >= 1);
	CHECK(count_lines(out, sport, "length 5") >= 1);
	CHECK(count_lines(out, "ARP, Request who-has 198.18.0.1", NULL) >= 1);
	CHECK(count_lines(out, "ARP, Reply 198.18.0.1 is-at", NULL) >= 1);
	if (ustest_failures || getenv("USTEST_VERBOSE"))
		fprintf(stderr, "tcpdump said:\n%s", out);
	/* tshark reads it too */
	snprintf(cmd, sizeof(cmd), "tshark -r %s -Y 'tcp.flags.syn==1' 2>/dev/null | wc -l", file);
	p = popen(cmd, "r");
	int syns = 0;
	CHECK(p && fscanf(p, "%d", &syns) == 1 && syns == 2);
	if (p)
		pclose(p);
	unlink(file);
	return ustest_done("test_ustack_pcap");
}
