/* SPDX-License-Identifier: LGPL-2.1-or-later
 * files.c: hosts(5) and services(5) files, consulted before the DNS as
 * glibc does with "hosts: files dns" in nsswitch.conf. A missing file is
 * an empty one. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include "iothdns_int.h"

#define WS " \t\r\n"

/* Cut a comment off and return the first token. */
static char *first_token(char *line, char **save) {
	char *hash = strchr(line, '#');
	if (hash)
		*hash = '\0';
	return strtok_r(line, WS, save);
}

/* glibc's files backend reads the address with inet_pton, and an IPv4
 * line answers an AF_INET6 query only through mapping, which getaddrinfo
 * does itself: here a line matches its own family only. */
static int parse_host_addr(const char *text, int af, void *addr) {
	char buf[INET6_ADDRSTRLEN + 16];
	snprintf(buf, sizeof(buf), "%s", text);
	char *pct = strchr(buf, '%');
	if (pct)
		*pct = '\0'; /* a zone index, as in fe80::1%eth0 */
	return inet_pton(af, buf, addr) == 1;
}

/* Each line of the file at path to fn, until fn returns true; a missing
 * file has no lines. */
static void each_line(const char *path, bool (*fn)(char *line, void *arg), void *arg) {
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return;
	char *line = NULL;
	size_t size = 0;
	while (getline(&line, &size, f) >= 0 && !fn(line, arg))
		;
	free(line);
	fclose(f);
}

struct host_query {
	int af;
	size_t alen;
	const char *name;          /* hosts_lookup: the name, the answers */
	void *addrs;
	int n;
	char *canon;
	int count;
	const void *addr;          /* hosts_reverse: the address, the name */
	char *out;
	size_t outlen;
	int found;
};

static bool host_by_name(char *line, void *arg) {
	struct host_query *q = arg;
	char *save = NULL, *tok;
	uint8_t addr[16];
	char *addrtext = first_token(line, &save);
	if (addrtext == NULL || !parse_host_addr(addrtext, q->af, addr))
		return false;
	char *cname = NULL;
	int match = 0;
	while ((tok = strtok_r(NULL, WS, &save)) != NULL) {
		if (cname == NULL)
			cname = tok;
		if (dns_name_equal(tok, q->name))
			match = 1;
	}
	if (!match)
		return false;
	if (q->count == 0 && q->canon)
		snprintf(q->canon, IOTHDNS_MAXNAME, "%s", cname);
	if (q->count < q->n && q->addrs)
		memcpy((uint8_t *) q->addrs + q->count * q->alen, addr, q->alen);
	q->count++;
	return false;
}

int hosts_lookup(const char *path, int af, const char *name,
		void *addrs, int n, char *canon) {
	struct host_query q = {.af = af, .alen = af == AF_INET ? 4 : 16, .name = name, .addrs = addrs, .n = n,
		.canon = canon};
	each_line(path, host_by_name, &q);
	return q.count;
}

static bool host_by_addr(char *line, void *arg) {
	struct host_query *q = arg;
	char *save = NULL;
	uint8_t a[16];
	char *addrtext = first_token(line, &save);
	if (addrtext == NULL || !parse_host_addr(addrtext, q->af, a) || memcmp(a, q->addr, q->alen) != 0)
		return false;
	char *cname = strtok_r(NULL, WS, &save);
	if (cname == NULL)
		return false;
	snprintf(q->out, q->outlen, "%s", cname);
	q->found = 1;
	return true;
}

int hosts_reverse(const char *path, int af, const void *addr,
		char *out, size_t outlen) {
	struct host_query q = {.af = af, .alen = af == AF_INET ? 4 : 16, .addr = addr, .out = out, .outlen = outlen};
	each_line(path, host_by_addr, &q);
	return q.found;
}

/* services(5): "name port/protocol aliases..." */
static int service_line(char *line, int *port, char **proto, char **save) {
	char *name = first_token(line, save);
	char *pp = name ? strtok_r(NULL, WS, save) : NULL;
	char *slash;
	if (pp == NULL || (slash = strchr(pp, '/')) == NULL)
		return 0;
	*slash = '\0';
	char *end;
	long p = strtol(pp, &end, 10);
	if (*end || p < 0 || p > 65535)
		return 0;
	*port = p;
	*proto = slash + 1;
	return 1;
}

struct service_query {
	const char *service;       /* services_port: the name, its port */
	int port;                  /* services_name: the port, its name */
	const char *proto;
	char *out;
	size_t outlen;
	int found;
};

static bool service_by_name(char *line, void *arg) {
	struct service_query *q = arg;
	char *save = NULL, *pr, *tok;
	int port;
	char *name = line;
	if (!service_line(line, &port, &pr, &save))
		return false;
	if (strcmp(pr, q->proto) != 0)
		return false;
	/* strtok_r wrote a NUL after the name: line starts with it unless
	 * there was leading space */
	name += strspn(name, WS);
	if (strcmp(name, q->service) == 0) {
		q->found = port;
		return true;
	}
	while ((tok = strtok_r(NULL, WS, &save)) != NULL)
		if (strcmp(tok, q->service) == 0) {
			q->found = port;
			return true;
		}
	return false;
}

int services_port(const char *path, const char *service, const char *proto) {
	struct service_query q = {.service = service, .proto = proto, .found = -1};
	each_line(path, service_by_name, &q);
	return q.found;
}

static bool service_by_port(char *line, void *arg) {
	struct service_query *q = arg;
	char *save = NULL, *pr;
	int p;
	if (!service_line(line, &p, &pr, &save) || p != q->port || strcmp(pr, q->proto) != 0)
		return false;
	snprintf(q->out, q->outlen, "%s", line + strspn(line, WS));
	q->found = 1;
	return true;
}

int services_name(const char *path, int port, const char *proto,
		char *out, size_t outlen) {
	struct service_query q = {.port = port, .proto = proto, .out = out, .outlen = outlen};
	each_line(path, service_by_port, &q);
	return q.found;
}
