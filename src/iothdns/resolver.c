/* SPDX-License-Identifier: LGPL-2.1-or-later
 * resolver.c: the resolver context (resolv.conf syntax) and the client
 * side of the protocol over an ioth stack.
 *
 * Thread safety: the configuration is an immutable, reference counted
 * object. A lookup takes a reference under the context's lock and then
 * works without the lock; an update builds a new configuration and swaps
 * it in, so lookups in flight finish with the one they started with. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/random.h>
#include "iothdns_int.h"

#define DNS_MAXSEARCH 8          /* glibc's historic MAXDNSRCH is 6 */
#define DNS_EDNS_PAYLOAD 1232    /* DNS flag day 2020: no IP fragmentation */
#define DNS_MAX_NDOTS 15         /* glibc RES_MAXNDOTS */
#define DNS_MAX_TIMEOUT 30       /* glibc RES_MAXRETRANS */
#define DNS_MAX_ATTEMPTS 5       /* glibc RES_MAXRETRY */
#define DNS_DEFAULT_ATTEMPTS 2   /* glibc RES_DFLRETRY */
#define DNS_MAXMSG 65535

struct dns_cfg {
	int refs;
	int nns;
	struct sockaddr_in6 ns[IOTHDNS_MAXNS]; /* or sockaddr_in in the same storage */
	int nsearch;
	char search[DNS_MAXSEARCH][IOTHDNS_MAXNAME];
	int ndots;
	int timeout_ms;
	int attempts;
	int rotate;
	int edns;
};

struct iothdns {
	struct ioth *stack;
	pthread_mutex_t lock;  /* protects cfg (the pointer and refs), paths, rotor */
	struct dns_cfg *cfg;
	char *paths[IOTHDNS_PATH_SIZE];
	unsigned int rotor;
};

static const char *default_paths[IOTHDNS_PATH_SIZE] = {
	IOTHDNS_DEFAULT_HOSTS,
	IOTHDNS_DEFAULT_SERVICES
};

/* ------------------------------------------------------------------ */
/* configuration */

static struct dns_cfg *cfg_new(void) {
	struct dns_cfg *cfg = calloc(1, sizeof(*cfg));
	if (cfg == NULL)
		return NULL;
	cfg->refs = 1;
	cfg->ndots = 1;
	cfg->timeout_ms = IOTHDNS_TIMEOUT_MS;
	cfg->attempts = DNS_DEFAULT_ATTEMPTS;
	cfg->edns = 1;
	return cfg;
}

/* "addr", "addr%zone" (IPv6: an interface of the stack, or its index),
 * extension "addr#port". */
static int parse_nameserver(const char *text, struct sockaddr_in6 *out, struct ioth *stack) {
	char buf[INET6_ADDRSTRLEN + 16];
	char *hash, *pct;
	int port = IOTHDNS_DEFAULT_PORT;
	if (snprintf(buf, sizeof(buf), "%s", text) >= (int) sizeof(buf))
		return -1;
	if ((hash = strchr(buf, '#')) != NULL) {
		char *end;
		long p = strtol(hash + 1, &end, 10);
		if (*end || p <= 0 || p > 65535)
			return -1;
		port = p;
		*hash = '\0';
	}
	memset(out, 0, sizeof(*out));
	struct sockaddr_in *sin = (struct sockaddr_in *) out;
	if (inet_pton(AF_INET, buf, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		return 0;
	}
	unsigned long scope = 0;
	if ((pct = strchr(buf, '%')) != NULL) {
		char *end;
		if (pct[1] == '\0')
			return -1;
		scope = strtoul(pct + 1, &end, 10);
		if (*end) {
			/* RFC 4007 11.2: a zone by interface name */
			int index = ioth_if_nametoindex(stack, pct + 1);
			if (index <= 0)
				return -1;
			scope = index;
		}
		*pct = '\0';
	}
	if (inet_pton(AF_INET6, buf, &out->sin6_addr) == 1) {
		out->sin6_family = AF_INET6;
		out->sin6_port = htons(port);
		out->sin6_scope_id = scope;
		return 0;
	}
	return -1;
}

static int option_value(const char *opt, const char *key, int max, int *val) {
	size_t klen = strlen(key);
	if (strncmp(opt, key, klen) != 0)
		return 0;
	char *end;
	long v = strtol(opt + klen, &end, 10);
	if (*end || end == opt + klen || v < 0)
		return 1; /* malformed: ignored, as glibc does */
	*val = v > max ? max : v;
	return 1;
}

/* resolv.conf(5): one keyword per line, "#" or ";" start comments, the
 * last "search" or "domain" wins, unknown keywords are ignored. */
static struct dns_cfg *cfg_parse(FILE *f, struct ioth *stack) {
	struct dns_cfg *cfg = cfg_new();
	char *line = NULL;
	size_t linesize = 0;
	if (cfg == NULL)
		return NULL;
	while (getline(&line, &linesize, f) >= 0) {
		char *save = NULL;
		char *key = strtok_r(line, " \t\r\n", &save);
		char *arg;
		if (key == NULL || key[0] == '#' || key[0] == ';')
			continue;
		if (strcmp(key, "nameserver") == 0) {
			arg = strtok_r(NULL, " \t\r\n", &save);
			if (arg && cfg->nns < IOTHDNS_MAXNS && parse_nameserver(arg, &cfg->ns[cfg->nns], stack) == 0)
				cfg->nns++;
		} else if (strcmp(key, "domain") == 0 || strcmp(key, "search") == 0) {
			cfg->nsearch = 0;
			while ((arg = strtok_r(NULL, " \t\r\n", &save)) != NULL && cfg->nsearch < DNS_MAXSEARCH) {
				uint8_t wire[DNS_MAXWIRENAME];
				if (arg[0] == '#' || arg[0] == ';')
					break;
				if (dns_name_encode(arg, wire) <= 1)
					continue; /* invalid or root */
				snprintf(cfg->search[cfg->nsearch++], IOTHDNS_MAXNAME, "%s", arg);
				if (key[0] == 'd')
					break;
			}
		} else if (strcmp(key, "options") == 0) {
			while ((arg = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
				int v;
				if (option_value(arg, "ndots:", DNS_MAX_NDOTS, &cfg->ndots))
					continue;
				if (option_value(arg, "timeout:", DNS_MAX_TIMEOUT, &v)) {
					cfg->timeout_ms = (v < 1 ? 1 : v) * 1000;
					continue;
				}
				if (option_value(arg, "attempts:", DNS_MAX_ATTEMPTS, &cfg->attempts)) {
					if (cfg->attempts < 1)
						cfg->attempts = 1;
					continue;
				}
				if (strcmp(arg, "rotate") == 0)
					cfg->rotate = 1;
				else if (strcmp(arg, "edns0") == 0)
					cfg->edns = 1;
				else if (strcmp(arg, "no-edns0") == 0)
					cfg->edns = 0;
			}
		}
	}
	free(line);
	return cfg;
}

static struct dns_cfg *cfg_from(const char *path, const char *str, struct ioth *stack) {
	FILE *f;
	struct dns_cfg *cfg;
	if (str != NULL)
		f = fmemopen((void *) str, strlen(str) + 1, "r");
	else
		f = fopen(path ? path : IOTHDNS_DEFAULT_RESOLV_CONF, "r");
	if (f == NULL)
		return NULL;
	cfg = cfg_parse(f, stack);
	fclose(f);
	if (cfg == NULL)
		errno = ENOMEM;
	return cfg;
}

static void cfg_put(struct iothdns *dns, struct dns_cfg *cfg) {
	int last;
	pthread_mutex_lock(&dns->lock);
	last = (--cfg->refs == 0);
	pthread_mutex_unlock(&dns->lock);
	if (last)
		free(cfg);
}

static struct dns_cfg *cfg_get(struct iothdns *dns) {
	struct dns_cfg *cfg;
	pthread_mutex_lock(&dns->lock);
	cfg = dns->cfg;
	cfg->refs++;
	pthread_mutex_unlock(&dns->lock);
	return cfg;
}

static void cfg_swap(struct iothdns *dns, struct dns_cfg *cfg) {
	pthread_mutex_lock(&dns->lock);
	struct dns_cfg *old = dns->cfg;
	dns->cfg = cfg;
	pthread_mutex_unlock(&dns->lock);
	if (old)
		cfg_put(dns, old);
}

static struct iothdns *dns_new(struct ioth *stack, struct dns_cfg *cfg) {
	if (cfg == NULL)
		return NULL;
	struct iothdns *dns = calloc(1, sizeof(*dns));
	if (dns == NULL) {
		free(cfg);
		return errno = ENOMEM, NULL;
	}
	dns->stack = stack;
	pthread_mutex_init(&dns->lock, NULL);
	dns->cfg = cfg;
	return dns;
}

struct iothdns *iothdns_init(struct ioth *stack, char *path_config) {
	return dns_new(stack, cfg_from(path_config, NULL, stack));
}

struct iothdns *iothdns_init_strcfg(struct ioth *stack, char *config) {
	return dns_new(stack, cfg_from(NULL, config, stack));
}

int iothdns_update(struct iothdns *iothdns, char *path_config) {
	if (iothdns == NULL)
		return errno = EINVAL, -1;
	struct dns_cfg *cfg = cfg_from(path_config, NULL, iothdns->stack);
	if (cfg == NULL)
		return -1;
	cfg_swap(iothdns, cfg);
	return 0;
}

int iothdns_update_strcfg(struct iothdns *iothdns, char *config) {
	if (iothdns == NULL)
		return errno = EINVAL, -1;
	struct dns_cfg *cfg = cfg_from(NULL, config, iothdns->stack);
	if (cfg == NULL)
		return -1;
	cfg_swap(iothdns, cfg);
	return 0;
}

int iothdns_add_nameserver(struct iothdns *iothdns, int af, void *in46_addr) {
	if (iothdns == NULL || in46_addr == NULL)
		return errno = EINVAL, -1;
	if (af != AF_INET && af != AF_INET6)
		return errno = EAFNOSUPPORT, -1;
	struct dns_cfg *cfg = malloc(sizeof(*cfg));
	if (cfg == NULL)
		return errno = ENOMEM, -1;
	pthread_mutex_lock(&iothdns->lock);
	*cfg = *iothdns->cfg;
	cfg->refs = 1;
	if (cfg->nns >= IOTHDNS_MAXNS) {
		pthread_mutex_unlock(&iothdns->lock);
		free(cfg);
		return errno = ENOSPC, -1;
	}
	struct sockaddr_in6 *ns = &cfg->ns[cfg->nns++];
	memset(ns, 0, sizeof(*ns));
	if (af == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *) ns;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(IOTHDNS_DEFAULT_PORT);
		memcpy(&sin->sin_addr, in46_addr, sizeof(struct in_addr));
	} else {
		ns->sin6_family = AF_INET6;
		ns->sin6_port = htons(IOTHDNS_DEFAULT_PORT);
		memcpy(&ns->sin6_addr, in46_addr, sizeof(struct in6_addr));
	}
	struct dns_cfg *old = iothdns->cfg;
	iothdns->cfg = cfg;
	pthread_mutex_unlock(&iothdns->lock);
	cfg_put(iothdns, old);
	return 0;
}

void iothdns_setpath(struct iothdns *iothdns, enum iothdns_pathtag pathtag, char *newvalue) {
	if (iothdns == NULL || pathtag < 0 || pathtag >= IOTHDNS_PATH_SIZE)
		return;
	char *copy = newvalue ? strdup(newvalue) : NULL;
	pthread_mutex_lock(&iothdns->lock);
	free(iothdns->paths[pathtag]);
	iothdns->paths[pathtag] = copy;
	pthread_mutex_unlock(&iothdns->lock);
}

int iothdns_getpath(struct iothdns *iothdns, enum iothdns_pathtag pathtag, char *buf, size_t size) {
	if (iothdns == NULL || pathtag < 0 || pathtag >= IOTHDNS_PATH_SIZE)
		return errno = EINVAL, -1;
	pthread_mutex_lock(&iothdns->lock);
	const char *value = iothdns->paths[pathtag] ? iothdns->paths[pathtag] : default_paths[pathtag];
	int rv = snprintf(buf, size, "%s", value);
	pthread_mutex_unlock(&iothdns->lock);
	return rv;
}

void dns_path(struct iothdns *dns, enum iothdns_pathtag tag, char *buf, size_t size) {
	char path[4096];
	if (dns == NULL || iothdns_getpath(dns, tag, path, sizeof(path)) < 0)
		snprintf(path, sizeof(path), "%s", default_paths[tag]);
	const char *home = getenv("HOME");
	/* the original's README shows "~/.myetc/hosts" */
	if (path[0] == '~' && path[1] == '/' && home != NULL)
		snprintf(buf, size, "%s%s", home, path + 1);
	else
		snprintf(buf, size, "%s", path);
}

void iothdns_fini(struct iothdns *iothdns) {
	if (iothdns == NULL)
		return;
	cfg_put(iothdns, iothdns->cfg);
	for (int i = 0; i < IOTHDNS_PATH_SIZE; i++)
		free(iothdns->paths[i]);
	pthread_mutex_destroy(&iothdns->lock);
	free(iothdns);
}

struct ioth *dns_stack(struct iothdns *dns) {
	return dns->stack;
}

void dns_local_domain(struct iothdns *dns, char *buf, size_t size) {
	struct dns_cfg *cfg = cfg_get(dns);
	snprintf(buf, size, "%s", cfg->nsearch > 0 ? cfg->search[0] : "");
	cfg_put(dns, cfg);
}

/* ------------------------------------------------------------------ */
/* one exchange with one server */

static uint32_t dns_random(void) {
	uint32_t v;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == sizeof(v))
		return v;
	/* no entropy yet (early boot): still unpredictable enough to vary */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t) ts.tv_nsec * 2654435761u ^ (uint32_t) getpid() ^ (uint32_t) ts.tv_sec;
}

static socklen_t ns_len(const struct sockaddr_in6 *ns) {
	return ns->sin6_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

/* Is from the server we asked (address and port)? */
static int same_peer(const struct sockaddr_in6 *ns, const struct sockaddr_storage *from) {
	if (ns->sin6_family != from->ss_family)
		return 0;
	if (ns->sin6_family == AF_INET) {
		const struct sockaddr_in *a = (const void *) ns, *b = (const void *) from;
		return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *b = (const void *) from;
	return ns->sin6_port == b->sin6_port &&
		memcmp(&ns->sin6_addr, &b->sin6_addr, sizeof(b->sin6_addr)) == 0;
}

/* RFC 5452 10: a random source port for each query; the stack picks one
 * if ours are all taken. */
static void bind_random_port(int fd, int family) {
	for (int try = 0; try < 8; try++) {
		uint16_t port = 1024 + dns_random() % (65536 - 1024);
		int rv;
		if (family == AF_INET) {
			struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(port)};
			rv = ioth_bind(fd, (struct sockaddr *) &sin, sizeof(sin));
		} else {
			struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
			rv = ioth_bind(fd, (struct sockaddr *) &sin6, sizeof(sin6));
		}
		if (rv == 0 || errno != EADDRINUSE)
			return;
	}
}

struct query {
	const char *name;
	uint16_t qtype;
	uint16_t id;
	int edns;
	uint8_t *reply;  /* DNS_MAXMSG + 1 bytes */
	size_t replylen;
};

static struct iothdns_pkt *build_query(struct query *q) {
	struct iothdns_header h = {q->id, IOTHDNS_QUERY | IOTHDNS_RD, q->name, q->qtype, IOTHDNS_CLASS_IN};
	struct iothdns_pkt *pkt = iothdns_put_header(&h);
	if (pkt && q->edns)
		dns_put_opt(pkt, DNS_EDNS_PAYLOAD);
	return pkt;
}

static enum dns_verdict udp_exchange(struct ioth *stack, const struct sockaddr_in6 *ns,
		struct query *q, int timeout_ms) {
	enum dns_verdict v = DNS_DROP;
	struct iothdns_pkt *pkt = build_query(q);
	int fd = ioth_msocket(stack, ns->sin6_family, SOCK_DGRAM, 0);
	if (pkt == NULL || fd < 0)
		goto out;
	bind_random_port(fd, ns->sin6_family);
	if (ioth_sendto(fd, iothdns_buf(pkt), iothdns_buflen(pkt), 0,
				(const struct sockaddr *) ns, ns_len(ns)) < 0)
		goto out;
	int64_t deadline = dns_now_ms() + timeout_ms;
	while (dns_wait_fd(fd, POLLIN, deadline) > 0) {
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		ssize_t n = ioth_recvfrom(fd, q->reply, DNS_MAXMSG, MSG_DONTWAIT,
				(struct sockaddr *) &from, &fromlen);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			break; /* e.g. ECONNREFUSED from an ICMP port unreachable */
		}
		/* RFC 5452 9.1: only the server and port we asked */
		if (!same_peer(ns, &from))
			continue;
		v = dns_reply_verdict(q->reply, n, q->id, q->name, q->qtype,
				q->edns ? DNS_V_EDNS : 0);
		if (v != DNS_DROP) {
			q->replylen = n;
			break;
		}
	}
out:
	if (fd >= 0)
		ioth_close(fd);
	iothdns_free(pkt);
	return v;
}

static int tcp_connect(int fd, const struct sockaddr_in6 *ns, int64_t deadline) {
	int fl = ioth_fcntl(fd, F_GETFL, 0);
	if (fl >= 0)
		ioth_fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (ioth_connect(fd, (const struct sockaddr *) ns, ns_len(ns)) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	if (dns_wait_fd(fd, POLLOUT, deadline) <= 0)
		return -1;
	int err = 0;
	socklen_t errlen = sizeof(err);
	if (ioth_getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0 || err != 0)
		return -1;
	return 0;
}

/* RFC 1035 4.2.2 / RFC 7766 8: two-byte length, then the message */
static enum dns_verdict tcp_exchange(struct ioth *stack, const struct sockaddr_in6 *ns,
		struct query *q, int timeout_ms) {
	enum dns_verdict v = DNS_DROP;
	struct iothdns_pkt *pkt = build_query(q);
	int fd = ioth_msocket(stack, ns->sin6_family, SOCK_STREAM, 0);
	int64_t deadline = dns_now_ms() + timeout_ms;
	if (pkt == NULL || fd < 0)
		goto out;
	if (tcp_connect(fd, ns, deadline) < 0)
		goto out;
	size_t qlen = iothdns_buflen(pkt);
	uint8_t *out = malloc(qlen + 2);
	if (out == NULL)
		goto out;
	out[0] = qlen >> 8;
	out[1] = qlen;
	memcpy(out + 2, iothdns_buf(pkt), qlen);
	int wrv = dns_write_all(fd, out, qlen + 2, deadline);
	free(out);
	if (wrv < 0)
		goto out;
	uint8_t lenbuf[2];
	if (dns_read_all(fd, lenbuf, 2, deadline) <= 0)
		goto out;
	size_t rlen = (lenbuf[0] << 8) | lenbuf[1];
	if (rlen == 0 || dns_read_all(fd, q->reply, rlen, deadline) <= 0)
		goto out;
	v = dns_reply_verdict(q->reply, rlen, q->id, q->name, q->qtype,
			DNS_V_TCP | (q->edns ? DNS_V_EDNS : 0));
	if (v != DNS_DROP)
		q->replylen = rlen;
out:
	if (fd >= 0)
		ioth_close(fd);
	iothdns_free(pkt);
	return v;
}

/* ------------------------------------------------------------------ */
/* one name, all servers */

static int reply_ancount(const uint8_t *msg) {
	return (msg[6] << 8) | msg[7];
}

/* 0 (reply in q), -ENOENT, -EAGAIN (SERVFAIL), -ECONNREFUSED, -ETIMEDOUT */
static int query_servers(struct iothdns *dns, struct dns_cfg *cfg, struct query *q, int tcp) {
	struct sockaddr_in6 loopback[1];
	const struct sockaddr_in6 *servers = cfg->ns;
	int nns = cfg->nns;
	int got_servfail = 0, got_refused = 0;
	unsigned int start = 0;
	if (nns == 0) {
		/* resolv.conf(5): no nameserver line means the local machine */
		parse_nameserver("127.0.0.1", &loopback[0], NULL);
		servers = loopback;
		nns = 1;
	}
	if (cfg->rotate) {
		pthread_mutex_lock(&dns->lock);
		start = dns->rotor++;
		pthread_mutex_unlock(&dns->lock);
	}
	for (int attempt = 0; attempt < cfg->attempts; attempt++) {
		for (int i = 0; i < nns; i++) {
			const struct sockaddr_in6 *ns = &servers[(start + i) % nns];
			int use_tcp = tcp;
			q->edns = cfg->edns;
			for (int step = 0; step < 3; step++) {
				enum dns_verdict v;
				/* a fresh id for every query sent (RFC 5452 4.3) */
				q->id = dns_random();
				v = use_tcp ? tcp_exchange(dns->stack, ns, q, cfg->timeout_ms) :
					udp_exchange(dns->stack, ns, q, cfg->timeout_ms);
				if (v == DNS_TRUNCATED && !use_tcp) {
					use_tcp = 1;
					continue;
				}
				if (v == DNS_FORMERR_EDNS && q->edns) {
					q->edns = 0;
					continue;
				}
				switch (v) {
					case DNS_ANSWER:
						return 0;
					case DNS_NXDOMAIN:
						return -ENOENT;
					case DNS_SERVFAIL:
						got_servfail = 1;
						break;
					case DNS_REFUSED:
					case DNS_MALFORMED:
					case DNS_FORMERR_EDNS:
						got_refused = 1;
						break;
					default:
						break;
				}
				break;
			}
		}
	}
	if (got_servfail)
		return -EAGAIN;
	if (got_refused)
		return -ECONNREFUSED;
	return -ETIMEDOUT;
}

static int count_dots(const char *name) {
	int dots = 0;
	for (const char *p = name; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '.')
			dots++;
	}
	return dots;
}

static int try_name(struct iothdns *dns, struct dns_cfg *cfg, const char *fqdn,
		uint16_t qtype, int tcp, struct query *q, struct dns_result *res, int *have_nodata) {
	q->name = fqdn;
	q->qtype = qtype;
	int rv = query_servers(dns, cfg, q, tcp);
	if (rv < 0)
		return rv;
	if (reply_ancount(q->reply) > 0 || !*have_nodata) {
		free(res->msg);
		res->msg = malloc(q->replylen);
		if (res->msg == NULL)
			return -ENOMEM;
		memcpy(res->msg, q->reply, q->replylen);
		res->len = q->replylen;
		snprintf(res->qname, sizeof(res->qname), "%s", fqdn);
	}
	if (reply_ancount(q->reply) > 0)
		return 0;
	*have_nodata = 1;
	return -ENODATA;
}

int dns_resolve(struct iothdns *dns, const char *name, uint16_t qtype,
		int tcp, int search, struct dns_result *res) {
	uint8_t wire[DNS_MAXWIRENAME];
	char cand[IOTHDNS_MAXNAME];
	struct query q = {0};
	int have_nodata = 0, got_servfail = 0;
	int rv = -ENOENT;
	memset(res, 0, sizeof(*res));
	if (name == NULL || name[0] == '\0' || dns_name_encode(name, wire) < 0)
		return -EINVAL;
	q.reply = malloc(DNS_MAXMSG + 1);
	if (q.reply == NULL)
		return -ENOMEM;
	struct dns_cfg *cfg = cfg_get(dns);
	size_t nlen = strlen(name);
	int absolute = name[nlen - 1] == '.' && (nlen < 2 || name[nlen - 2] != '\\');
	int as_is_first = !search || absolute || count_dots(name) >= cfg->ndots;
	/* res_search(3): the name as is, then (or before) name.domain for each
	 * search domain; NXDOMAIN and NODATA move on, SERVFAIL too (remembered),
	 * a timeout stops. */
	int ncand = 1 + ((search && !absolute) ? cfg->nsearch : 0);
	for (int c = 0; c < ncand; c++) {
		int as_is = as_is_first ? (c == 0) : (c == ncand - 1);
		if (as_is)
			snprintf(cand, sizeof(cand), "%s", name);
		else {
			int d = as_is_first ? c - 1 : c;
			if ((size_t) snprintf(cand, sizeof(cand), "%s.%s", name, cfg->search[d]) >= sizeof(cand) ||
					dns_name_encode(cand, wire) < 0)
				continue;
		}
		rv = try_name(dns, cfg, cand, qtype, tcp, &q, res, &have_nodata);
		if (rv == 0)
			break;
		if (rv == -EAGAIN) {
			got_servfail = 1;
			continue;
		}
		if (rv == -ENOENT || rv == -ENODATA)
			continue;
		break;
	}
	if (rv != 0 && rv != -ETIMEDOUT && rv != -ENOMEM && rv != -ECONNREFUSED) {
		if (have_nodata)
			rv = -ENODATA;
		else if (got_servfail)
			rv = -EAGAIN;
		else
			rv = -ENOENT;
	}
	if (rv != 0 && rv != -ENODATA) {
		free(res->msg);
		res->msg = NULL;
	}
	cfg_put(dns, cfg);
	free(q.reply);
	return rv;
}

/* ------------------------------------------------------------------ */
/* the client API */

int dns_lookup_addrs(struct iothdns *dns, const char *name,
		uint16_t qtype, void *addrs, int n, char *canon) {
	char cur[IOTHDNS_MAXNAME + 1]; /* room for the dot of an absolute name */
	char chainend[IOTHDNS_MAXNAME];
	snprintf(cur, sizeof(cur), "%s", name);
	/* The answer may stop at a CNAME whose target lives elsewhere: ask
	 * again for the target, a bounded number of times. */
	for (int hop = 0; hop <= DNS_MAX_CNAME_CHAIN; hop++) {
		struct dns_result res;
		int rv = dns_resolve(dns, cur, qtype, 0, hop == 0, &res);
		if (rv == -ENODATA) {
			if (canon)
				snprintf(canon, IOTHDNS_MAXNAME, "%s", res.qname);
			free(res.msg);
			return 0;
		}
		if (rv < 0)
			return rv;
		int count = dns_collect_addrs(res.msg, res.len, res.qname, qtype, addrs, n, chainend);
		int moved = !dns_name_equal(chainend, res.qname);
		free(res.msg);
		if (canon)
			snprintf(canon, IOTHDNS_MAXNAME, "%s", chainend);
		if (count != 0 || !moved)
			return count < 0 ? 0 : count;
		snprintf(cur, sizeof(cur), "%s.", chainend);
	}
	return 0;
}

static int lookup_family(struct iothdns *dns, int af, const char *name, void *addrs, int n) {
	uint8_t tmp[sizeof(struct in6_addr)];
	int other = af == AF_INET ? AF_INET6 : AF_INET;
	char hostsfile[4096];
	if (dns == NULL || name == NULL)
		return errno = EINVAL, -1;
	if (inet_pton(af, name, tmp) == 1) {
		if (n > 0 && addrs)
			memcpy(addrs, tmp, af == AF_INET ? 4 : 16);
		return 1;
	}
	/* a numeric address of the other family: no such address, no query */
	if (inet_pton(other, name, tmp) == 1)
		return 0;
	dns_path(dns, IOTHDNS_HOSTS, hostsfile, sizeof(hostsfile));
	int rv = hosts_lookup(hostsfile, af, name, addrs, addrs ? n : 0, NULL);
	if (rv > 0)
		return rv;
	rv = dns_lookup_addrs(dns, name, af == AF_INET ? IOTHDNS_TYPE_A : IOTHDNS_TYPE_AAAA,
			addrs, addrs ? n : 0, NULL);
	if (rv < 0)
		return errno = -rv, -1;
	return rv;
}

int iothdns_lookup_a(struct iothdns *iothdns, const char *name, struct in_addr *a, int n) {
	return lookup_family(iothdns, AF_INET, name, a, n);
}

int iothdns_lookup_aaaa(struct iothdns *iothdns, const char *name, struct in6_addr *aaaa, int n) {
	return lookup_family(iothdns, AF_INET6, name, aaaa, n);
}

int iothdns_lookup_aaaa_compat(struct iothdns *iothdns, const char *name, struct in6_addr *aaaa, int n) {
	int n6 = iothdns_lookup_aaaa(iothdns, name, aaaa, n);
	if (n6 < 0)
		return n6;
	int room = n - n6;
	if (room < 0)
		room = 0;
	struct in_addr *a4 = room > 0 ? calloc(room, sizeof(*a4)) : NULL;
	int n4 = iothdns_lookup_a(iothdns, name, a4, a4 ? room : 0);
	if (n4 < 0) {
		free(a4);
		return n6;
	}
	for (int i = 0; i < n4 && i < room; i++) {
		struct in6_addr *m = &aaaa[n6 + i];
		memset(m, 0, sizeof(*m));
		m->s6_addr[10] = m->s6_addr[11] = 0xff;
		memcpy(&m->s6_addr[12], &a4[i], 4);
	}
	free(a4);
	return n6 + n4;
}

/* A numeric name asked as A/AAAA: the answer is made here, never asked
 * to a server. */
static struct iothdns_pkt *numeric_reply(const char *name, int qtype, uint8_t **buf, size_t *len) {
	uint8_t addr[16];
	int af = qtype == IOTHDNS_TYPE_A ? AF_INET : AF_INET6;
	int other = af == AF_INET ? AF_INET6 : AF_INET;
	int match = inet_pton(af, name, addr) == 1;
	if (!match && inet_pton(other, name, addr) != 1)
		return NULL;
	struct iothdns_header h = {0, IOTHDNS_RESPONSE | IOTHDNS_RD | IOTHDNS_RA, name, qtype, IOTHDNS_CLASS_IN};
	struct iothdns_pkt *out = iothdns_put_header(&h);
	if (out == NULL)
		return NULL;
	if (match) {
		struct iothdns_rr rr = {name, qtype, IOTHDNS_CLASS_IN, 0, 0};
		iothdns_put_rr(IOTHDNS_SEC_ANSWER, out, &rr);
		iothdns_put_data(out, addr, af == AF_INET ? 4 : 16);
	}
	*len = iothdns_buflen(out);
	*buf = malloc(*len);
	if (*buf)
		memcpy(*buf, iothdns_buf(out), *len);
	iothdns_free(out);
	return *buf ? iothdns_get_header(&h, *buf, *len, NULL) : NULL;
}

static int lookup_cb_common(struct iothdns *dns, const char *name, int qtype,
		lookup_cb_t *lookup_cb, void *arg, int tcp) {
	struct iothdns_header h;
	struct iothdns_pkt *pkt = NULL;
	char qname[IOTHDNS_MAXNAME];
	uint8_t *msg = NULL;
	size_t len = 0;
	if (dns == NULL || name == NULL || lookup_cb == NULL || qtype < 0 || qtype > 65535)
		return errno = EINVAL, -1;
	if (qtype == IOTHDNS_TYPE_A || qtype == IOTHDNS_TYPE_AAAA)
		pkt = numeric_reply(name, qtype, &msg, &len);
	if (pkt == NULL) {
		struct dns_result res;
		int rv = dns_resolve(dns, name, qtype, tcp, 1, &res);
		if (rv < 0 && rv != -ENODATA)
			return errno = -rv, -1;
		msg = res.msg;
		pkt = iothdns_get_header(&h, msg, res.len, qname);
		if (pkt == NULL) {
			free(msg);
			return errno = EBADMSG, -1;
		}
	}
	struct iothdns_rr rr;
	char rname[IOTHDNS_MAXNAME];
	int section, retval = 0;
	while (retval == 0 && (section = iothdns_get_rr(pkt, &rr, rname)) != 0)
		retval = lookup_cb(section, &rr, pkt, arg);
	iothdns_free(pkt);
	free(msg);
	return retval;
}

int iothdns_lookup_cb(struct iothdns *iothdns, const char *name, int qtype,
		lookup_cb_t *lookup_cb, void *arg) {
	return lookup_cb_common(iothdns, name, qtype, lookup_cb, arg, 0);
}

int iothdns_lookup_cb_tcp(struct iothdns *iothdns, const char *name, int qtype,
		lookup_cb_t *lookup_cb, void *arg) {
	return lookup_cb_common(iothdns, name, qtype, lookup_cb, arg, 1);
}
