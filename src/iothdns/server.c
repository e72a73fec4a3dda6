/* SPDX-License-Identifier: LGPL-2.1-or-later
 * server.c: the server side. Read a request from a UDP or TCP socket of
 * any ioth stack, let the user's callback compose the reply, send it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "iothdns_int.h"

#define DNS_MAXMSG 65535
/* RFC 7766 6.2.3: a server may close idle connections; a request that
 * started arriving must complete within this time. */
#define DNS_TCP_READ_MS (5 * IOTHDNS_TIMEOUT_MS)

/* The UDP payload size the client can receive: 512 (RFC 1035 4.2.1) or
 * what its OPT record says (RFC 6891 6.2.5). */
static size_t client_udp_size(struct iothdns_pkt *req) {
	struct iothdns_rr rr;
	char name[IOTHDNS_MAXNAME];
	int section;
	size_t size = IOTHDNS_UDP_MAXBUF;
	while ((section = iothdns_get_rr(req, &rr, name)) != 0)
		if (section == IOTHDNS_SEC_ADDITIONAL && rr.type == IOTHDNS_TYPE_OPT &&
				name[0] == '\0' && rr.class > size)
			size = rr.class;
	return size;
}

/* A FORMERR reply with no question (RFC 1035 4.1.1) for a request we
 * cannot parse; never for something that claims to be a response. */
static size_t formerr(const uint8_t *req, size_t len, uint8_t *out) {
	if (len < 4 || (req[2] & 0x80))
		return 0;
	memset(out, 0, DNS_HDRLEN);
	out[0] = req[0];
	out[1] = req[1];
	out[2] = 0x80 | (req[2] & 0x79);   /* QR, same opcode and RD */
	out[3] = IOTHDNS_RCODE_EFMT;
	return DNS_HDRLEN;
}

/* Parse the request and get the reply: a malloc'd message in *out. */
static size_t handle(uint8_t *req, size_t len, parse_request_t *parse_request, void *arg,
		uint8_t **out, size_t *udpsize) {
	struct iothdns_header h;
	char qname[IOTHDNS_MAXNAME];
	size_t rlen = 0;
	*out = NULL;
	struct iothdns_pkt *pkt = iothdns_get_header(&h, req, len, qname);
	if (pkt == NULL || ((req[4] << 8) | req[5]) != 1) {
		iothdns_free(pkt);
		if ((*out = malloc(DNS_HDRLEN)) != NULL && (rlen = formerr(req, len, *out)) == 0) {
			free(*out);
			*out = NULL;
		}
		return rlen;
	}
	if (udpsize)
		*udpsize = client_udp_size(pkt);
	iothdns_free(pkt);
	if (!IOTHDNS_IS_QUERY(h.flags))
		return 0;
	struct iothdns_pkt *reply = parse_request(&h, arg);
	if (reply == NULL)
		return 0;
	rlen = iothdns_buflen(reply);
	if (rlen > 0 && (*out = malloc(rlen)) != NULL)
		memcpy(*out, iothdns_buf(reply), rlen);
	else
		rlen = 0;
	iothdns_free(reply);
	return rlen;
}

/* RFC 2181 9: a reply that does not fit is cut to the header and the
 * question, with TC set; the client asks again over TCP. */
static size_t truncate_reply(uint8_t *msg, size_t len) {
	size_t pos = DNS_HDRLEN;
	int qd = (msg[4] << 8) | msg[5];
	for (int i = 0; i < qd; i++) {
		if (dns_name_decode(msg, len, &pos, len, NULL) < 0 || pos + 4 > len)
			return DNS_HDRLEN;
		pos += 4;
	}
	msg[2] |= IOTHDNS_TRUNC >> 8;
	memset(msg + 6, 0, 6);
	if (pos == DNS_HDRLEN)
		memset(msg + 4, 0, 2);
	return pos;
}

int iothdns_udp_process_request(int fd, parse_request_t *parse_request, void *arg) {
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	uint8_t *reply = NULL;
	size_t udpsize = IOTHDNS_UDP_MAXBUF;
	if (parse_request == NULL)
		return errno = EINVAL, -1;
	uint8_t *buf = malloc(DNS_MAXMSG);
	if (buf == NULL)
		return errno = ENOMEM, -1;
	ssize_t n = ioth_recvfrom(fd, buf, DNS_MAXMSG, 0, (struct sockaddr *) &from, &fromlen);
	if (n > 0) {
		size_t rlen = handle(buf, n, parse_request, arg, &reply, &udpsize);
		if (rlen > udpsize)
			rlen = truncate_reply(reply, rlen);
		if (rlen > 0)
			ioth_sendto(fd, reply, rlen, 0, (struct sockaddr *) &from, fromlen);
	}
	free(reply);
	free(buf);
	return n;
}

int iothdns_tcp_process_request(int fd, parse_request_t *parse_request, void *arg) {
	uint8_t lenbuf[2];
	uint8_t *reply = NULL;
	int64_t deadline = dns_now_ms() + DNS_TCP_READ_MS;
	if (parse_request == NULL)
		return errno = EINVAL, -1;
	int rv = dns_read_all(fd, lenbuf, 2, deadline);
	if (rv <= 0)
		return rv == 0 ? 0 : (errno = errno ? errno : EBADMSG, -1);
	size_t len = (lenbuf[0] << 8) | lenbuf[1];
	if (len == 0)
		return errno = EBADMSG, -1;
	uint8_t *buf = malloc(len);
	if (buf == NULL)
		return errno = ENOMEM, -1;
	if (dns_read_all(fd, buf, len, deadline) <= 0) {
		free(buf);
		return errno = EBADMSG, -1;
	}
	size_t rlen = handle(buf, len, parse_request, arg, &reply, NULL);
	free(buf);
	if (rlen > 0) {
		uint8_t *out = malloc(rlen + 2);
		if (out == NULL) {
			free(reply);
			return errno = ENOMEM, -1;
		}
		out[0] = rlen >> 8;
		out[1] = rlen;
		memcpy(out + 2, reply, rlen);
		int wrv = dns_write_all(fd, out, rlen + 2, dns_now_ms() + DNS_TCP_READ_MS);
		free(out);
		free(reply);
		if (wrv < 0)
			return -1;
	}
	return len;
}
