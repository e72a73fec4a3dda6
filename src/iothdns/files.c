/* SPDX-License-Identifier: LGPL-2.1-or-later
 * files.c: hosts(5) and services(5) files, consulted before the DNS as
 * glibc does with "hosts: files dns" in nsswitch.conf. A missing file is
 * an empty one. */
#include <errno.h>
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

int hosts_lookup(const char *path, int af, const char *name,
		void *addrs, int n, char *canon) {
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t size = 0;
	int count = 0;
	size_t alen = af == AF_INET ? 4 : 16;
	if (f == NULL)
		return 0;
	while (getline(&line, &size, f) >= 0) {
		char *save = NULL, *tok;
		uint8_t addr[16];
		char *addrtext = first_token(line, &save);
		if (addrtext == NULL || !parse_host_addr(addrtext, af, addr))
			continue;
		char *cname = NULL;
		int match = 0;
		while ((tok = strtok_r(NULL, WS, &save)) != NULL) {
			if (cname == NULL)
				cname = tok;
			if (dns_name_equal(tok, name))
				match = 1;
		}
		if (!match)
			continue;
		if (count == 0 && canon)
			snprintf(canon, IOTHDNS_MAXNAME, "%s", cname);
		if (count < n && addrs)
			memcpy((uint8_t *) addrs + count * alen, addr, alen);
		count++;
	}
	free(line);
	fclose(f);
	return count;
}

int hosts_reverse(const char *path, int af, const void *addr,
		char *out, size_t outlen) {
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t size = 0;
	int found = 0;
	size_t alen = af == AF_INET ? 4 : 16;
	if (f == NULL)
		return 0;
	while (!found && getline(&line, &size, f) >= 0) {
		char *save = NULL;
		uint8_t a[16];
		char *addrtext = first_token(line, &save);
		if (addrtext == NULL || !parse_host_addr(addrtext, af, a) || memcmp(a, addr, alen) != 0)
			continue;
		char *cname = strtok_r(NULL, WS, &save);
		if (cname) {
			snprintf(out, outlen, "%s", cname);
			found = 1;
		}
	}
	free(line);
	fclose(f);
	return found;
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

int services_port(const char *path, const char *service, const char *proto) {
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t size = 0;
	int found = -1;
	if (f == NULL)
		return -1;
	while (found < 0 && getline(&line, &size, f) >= 0) {
		char *save = NULL, *pr, *tok;
		int port;
		char *name = line;
		if (!service_line(line, &port, &pr, &save))
			continue;
		if (strcmp(pr, proto) != 0)
			continue;
		/* strtok_r wrote a NUL after the name: line starts with it unless
		 * there was leading space */
		name += strspn(name, WS);
		if (strcmp(name, service) == 0) {
			found = port;
			break;
		}
		while ((tok = strtok_r(NULL, WS, &save)) != NULL)
			if (strcmp(tok, service) == 0) {
				found = port;
				break;
			}
	}
	free(line);
	fclose(f);
	return found;
}

int services_name(const char *path, int port, const char *proto,
		char *out, size_t outlen) {
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t size = 0;
	int found = 0;
	if (f == NULL)
		return 0;
	while (!found && getline(&line, &size, f) >= 0) {
		char *save = NULL, *pr;
		int p;
		if (!service_line(line, &p, &pr, &save) || p != port || strcmp(pr, proto) != 0)
			continue;
		snprintf(out, outlen, "%s", line + strspn(line, WS));
		found = 1;
	}
	free(line);
	fclose(f);
	return found;
}
