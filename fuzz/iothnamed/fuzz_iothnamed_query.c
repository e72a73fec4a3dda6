/* SPDX-License-Identifier: GPL-2.0-or-later
 * libFuzzer target: iothnamed's query path (nd_process in
 * tools/iothnamed/core.c), what any client on the network can send, with a
 * configuration that turns on every kind of answer: static records of
 * every type, hash names and their reverse, OTIP, error, cache (fed with
 * the same bytes, as a forwarder's reply), forwarding.
 * Input: byte 0 chooses the client (bit 0: an allowed or a refused
 * address; bit 1: IPv4 or IPv6), TCP (bit 2) and the clock (bits 3-7,
 * steps of OTIP periods); the rest is the request.
 * Invariants: no crash, no read outside the input; a reply is at least a
 * header, carries the request's id, is a response, and over UDP is not
 * longer than what the client can take. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "named.h"

static const char *conf[] = {
	"net local 198.18.0.0/24",
	"net local fd00:a::/64",
	"net other 198.18.9.0/24",
	"auth accept local",
	"auth error local .err.test",
	"auth static local foo.test",
	"auth static local .foo.test",
	"auth static local 198.18.5.0/24",
	"auth static local fd00:5::/64",
	"auth static local hash.local",
	"static AAAA hash.local fd00:7::",
	"auth hash local .hash.local hash.local",
	"auth hrev local hash.local/64",
	"auth otip local .otip fd00:8:: pw",
	"auth cache local .",
	"auth fwd local .",
	"static A one.foo.test 198.18.5.1",
	"static AAAA one.foo.test fd00:5::1",
	"static PTR 198.18.5.1 one.foo.test",
	"static PTR fd00:5::1 one.foo.test",
	"static CNAME alias.foo.test one.foo.test",
	"static NS sub.foo.test ns.foo.test",
	"static MX foo.test 10 mail.foo.test",
	"static TXT txt.foo.test \"one string\" \"two strings\"",
	"option hrevmode always",
	"option hashttl 300",
	NULL};

static void setup(void) {
	static int done;
	if (done)
		return;
	done = 1;
	FILE *null = fopen("/dev/null", "w");
	for (int i = 0; conf[i] != NULL; i++)
		if (nd_config_line("fuzz", i + 1, conf[i], null, 0) < 0)
			abort();
	if (nd_config_finish("fuzz", null) < 0)
		abort();
	fclose(null);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	setup();
	if (size < 1)
		return 0;
	uint8_t ctl = data[0];
	data++;
	size--;
	struct in6_addr from;
	if (ctl & 2)
		inet_pton(AF_INET6, ctl & 1 ? "fd00:b::1" : "fd00:a::1", &from);
	else
		inet_pton(AF_INET6, ctl & 1 ? "::ffff:198.18.9.1" : "::ffff:198.18.0.1", &from);
	int tcp = (ctl & 4) != 0;
	time_t now = 1800000000 + (time_t) (ctl >> 3) * ND_OTIP_PERIOD;
	/* a copy of exactly the input's size: ASan sees any read past it */
	uint8_t *req = malloc(size ? size : 1);
	memcpy(req, data, size);
	uint8_t *reply = NULL;
	size_t replylen = 0, maxlen = 0;
	enum nd_action a = nd_process(req, size, &from, tcp, now, &reply, &replylen, &maxlen);
	if (a == ND_REPLY) {
		if (reply == NULL || replylen < 12 || replylen > 65535)
			abort();
		if (size >= 2 && memcmp(reply, req, 2) != 0)
			abort();                       /* the request's id */
		if (!(reply[2] & 0x80))
			abort();                       /* QR */
		if (!tcp && maxlen >= 512 && replylen > maxlen)
			abort();
		free(reply);
	} else if (a != ND_DROP && a != ND_FORWARD)
		abort();
	/* the same bytes as a forwarder's reply into the cache, then asked again */
	nd_cache_feed(req, size, now);
	reply = NULL;
	if (nd_process(req, size, &from, tcp, now + 1, &reply, &replylen, &maxlen) == ND_REPLY)
		free(reply);
	nd_cache_clean(now + 100000);
	free(req);
	return 0;
}
