/* SPDX-License-Identifier: GPL-2.0-or-later
 * iothnamed [-d] [-p PIDFILE] CONFIG: a DNS server, forwarder and cache on
 * any ioth stack. One thread runs the sockets (UDP and TCP port 53 on the
 * request stack, UDP to the forwarders on the forwarding stack); a thread
 * per query asks a forwarder over TCP when its UDP answer was truncated
 * and the client came over TCP. See iothnamed(8). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/random.h>
#include <ioth.h>
#include <iothdns.h>
#include "named_int.h"

#define DNS_PORT 53
#define MAXCONN 64
#define MAXPENDING 512
#define FWD_TRY_MS 2000
#define FWD_TCP_MS 4000
#define MAXMSG 65535

static int use_syslog;
static volatile sig_atomic_t quit, dump;

static void logmsg(int level, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	if (use_syslog)
		vsyslog(level, fmt, ap);
	else {
		fprintf(stderr, "iothnamed: ");
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

static int64_t now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- sockets ---- */
enum {S_U4, S_U6, S_T4, S_T6, S_F4, S_F6, S_PIPE, S_NFIXED};
static int sfd[S_NFIXED] = {-1, -1, -1, -1, -1, -1, -1};
static int pipefd[2] = {-1, -1};

struct conn {
	int fd;
	unsigned gen;
	struct in6_addr from;
	int64_t last;
	size_t have;
	uint8_t buf[2 + MAXMSG];
};
static struct conn *conns[MAXCONN];
static unsigned conngen;

struct pending {
	int used;
	uint16_t upid, cliid;
	int conn;                  /* -1: UDP client */
	unsigned gen;
	int udpfd;
	struct sockaddr_storage cli;
	socklen_t clilen;
	size_t maxlen;
	char qname[IOTHDNS_MAXNAME];
	uint16_t qtype;
	int server, tries;
	int64_t deadline;
	uint8_t *req;
	size_t reqlen;
};
static struct pending pend[MAXPENDING];
static int fwd_rr;

static void to_mapped(const struct sockaddr *sa, struct in6_addr *a) {
	if (sa->sa_family == AF_INET) {
		memset(a, 0, sizeof(*a));
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
		memcpy(&a->s6_addr[12], &((const struct sockaddr_in *) sa)->sin_addr, 4);
	} else
		*a = ((const struct sockaddr_in6 *) sa)->sin6_addr;
}

static socklen_t server_sa(int i, struct sockaddr_storage *ss) {
	memset(ss, 0, sizeof(*ss));
	if (IN6_IS_ADDR_V4MAPPED(&nd_conf.fwd[i])) {
		struct sockaddr_in *s = (struct sockaddr_in *) ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(DNS_PORT);
		memcpy(&s->sin_addr, &nd_conf.fwd[i].s6_addr[12], 4);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s = (struct sockaddr_in6 *) ss;
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(DNS_PORT);
	s->sin6_addr = nd_conf.fwd[i];
	return sizeof(*s);
}

static int open_server(struct ioth *stack, int af, int type) {
	int fd = ioth_msocket(stack, af, type, 0);
	int one = 1;
	if (fd < 0)
		return -1;
	ioth_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_storage ss = {0};
	socklen_t len;
	if (af == AF_INET6) {
		ioth_setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		struct sockaddr_in6 *s = (struct sockaddr_in6 *) &ss;
		s->sin6_family = AF_INET6;
		s->sin6_port = htons(DNS_PORT);
		len = sizeof(*s);
	} else {
		struct sockaddr_in *s = (struct sockaddr_in *) &ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(DNS_PORT);
		len = sizeof(*s);
	}
	if (ioth_bind(fd, (struct sockaddr *) &ss, len) < 0 ||
			(type == SOCK_STREAM && ioth_listen(fd, nd_conf.backlog) < 0)) {
		int e = errno;
		ioth_close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static void send_tcp(int fd, const uint8_t *msg, size_t len) {
	uint8_t *out = malloc(len + 2);
	if (out == NULL)
		return;
	out[0] = len >> 8;
	out[1] = len;
	memcpy(out + 2, msg, len);
	size_t done = 0;
	while (done < len + 2) {
		ssize_t n = ioth_send(fd, out + done, len + 2 - done, MSG_NOSIGNAL);
		if (n <= 0)
			break;
		done += n;
	}
	free(out);
}

static void conn_close(int i) {
	if (conns[i] == NULL)
		return;
	ioth_close(conns[i]->fd);
	free(conns[i]);
	conns[i] = NULL;
}

/* ---- forwarding ---- */

static void pending_free(struct pending *p) {
	free(p->req);
	p->req = NULL;
	p->used = 0;
}

static void pending_reply(struct pending *p, uint8_t *msg, size_t len) {
	msg[0] = p->cliid >> 8;
	msg[1] = p->cliid;
	if (p->conn < 0) {
		len = nd_truncate(msg, len, p->maxlen);
		ioth_sendto(p->udpfd, msg, len, 0, (struct sockaddr *) &p->cli, p->clilen);
	} else if (conns[p->conn] && conns[p->conn]->gen == p->gen)
		send_tcp(conns[p->conn]->fd, msg, len);
}

static int fwd_send(struct pending *p) {
	struct sockaddr_storage ss;
	socklen_t len = server_sa(p->server, &ss);
	int fd = sfd[ss.ss_family == AF_INET ? S_F4 : S_F6];
	p->deadline = now_ms() + FWD_TRY_MS;
	if (fd < 0)
		return -1;
	p->req[0] = p->upid >> 8;
	p->req[1] = p->upid;
	return ioth_sendto(fd, p->req, p->reqlen, 0, (struct sockaddr *) &ss, len) < 0 ? -1 : 0;
}

static void forward(const uint8_t *req, size_t len, size_t maxlen, int udpfd,
		const struct sockaddr_storage *cli, socklen_t clilen, int conn) {
	struct pending *p = NULL;
	for (int i = 0; i < MAXPENDING; i++)
		if (!pend[i].used) {
			p = &pend[i];
			break;
		}
	if (p == NULL) {
		nd_stats.dropped++;
		return;
	}
	struct iothdns_header h;
	struct iothdns_pkt *pk = iothdns_get_header(&h, (void *) req, len, p->qname);
	if (pk == NULL)
		return;
	iothdns_free(pk);
	uint16_t id;
	do {
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			id = (uint16_t) random();
		int clash = 0;
		for (int i = 0; i < MAXPENDING; i++)
			if (pend[i].used && pend[i].upid == id)
				clash = 1;
		if (!clash)
			break;
	} while (1);
	if ((p->req = malloc(len)) == NULL)
		return;
	memcpy(p->req, req, len);
	p->used = 1;
	p->reqlen = len;
	p->upid = id;
	p->cliid = (req[0] << 8) | req[1];
	p->qtype = h.qtype;
	p->conn = conn;
	p->gen = conn >= 0 ? conns[conn]->gen : 0;
	p->udpfd = udpfd;
	if (cli)
		memcpy(&p->cli, cli, clilen);
	p->clilen = clilen;
	p->maxlen = maxlen;
	p->server = fwd_rr;
	p->tries = 1;
	fwd_rr = (fwd_rr + 1) % nd_conf.nfwd;
	fwd_send(p);
}

/* a forwarder's truncated answer for a TCP client: ask it over TCP */
struct tcpjob {
	struct pending p;
	uint8_t *reply;
	size_t replylen;
};

static int read_full(int fd, uint8_t *buf, size_t len, int64_t deadline) {
	size_t done = 0;
	while (done < len) {
		int64_t left = deadline - now_ms();
		struct pollfd pfd = {fd, POLLIN, 0};
		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -1;
		ssize_t n = ioth_recv(fd, buf + done, len - done, 0);
		if (n <= 0)
			return -1;
		done += n;
	}
	return 0;
}

static void *tcpjob_run(void *arg) {
	struct tcpjob *j = arg;
	struct sockaddr_storage ss;
	socklen_t sl = server_sa(j->p.server, &ss);
	int64_t deadline = now_ms() + FWD_TCP_MS;
	int fd = ioth_msocket(nd_conf.fstack, ss.ss_family, SOCK_STREAM, 0);
	if (fd >= 0) {
		if (ioth_connect(fd, (struct sockaddr *) &ss, sl) == 0) {
			uint8_t *out = malloc(j->p.reqlen + 2);
			if (out) {
				out[0] = j->p.reqlen >> 8;
				out[1] = j->p.reqlen;
				memcpy(out + 2, j->p.req, j->p.reqlen);
				if (ioth_send(fd, out, j->p.reqlen + 2, MSG_NOSIGNAL) == (ssize_t) j->p.reqlen + 2) {
					uint8_t l[2];
					if (read_full(fd, l, 2, deadline) == 0) {
						size_t len = (l[0] << 8) | l[1];
						if (len >= 12 && (j->reply = malloc(len)) != NULL) {
							if (read_full(fd, j->reply, len, deadline) == 0)
								j->replylen = len;
						}
					}
				}
				free(out);
			}
		}
		ioth_close(fd);
	}
	if (write(pipefd[1], &j, sizeof(j)) != sizeof(j)) {
		free(j->reply);
		free(j->p.req);
		free(j);
	}
	return NULL;
}

static void tcpjob_done(struct tcpjob *j) {
	if (j->replylen > 0) {
		nd_cache_feed(j->reply, j->replylen, time(NULL));
		pending_reply(&j->p, j->reply, j->replylen);
	} else {
		uint8_t *sf;
		size_t n = nd_servfail(j->p.req, j->p.reqlen, &sf);
		if (n > 0) {
			pending_reply(&j->p, sf, n);
			free(sf);
		}
	}
	free(j->reply);
	free(j->p.req);
	free(j);
}

static void fwd_answer(int fd) {
	uint8_t *buf = malloc(MAXMSG);
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	if (buf == NULL)
		return;
	ssize_t n = ioth_recvfrom(fd, buf, MAXMSG, 0, (struct sockaddr *) &from, &fl);
	if (n < 12) {
		free(buf);
		return;
	}
	struct iothdns_header h;
	char qname[IOTHDNS_MAXNAME];
	struct iothdns_pkt *pk = iothdns_get_header(&h, buf, n, qname);
	if (pk == NULL) {
		free(buf);
		return;
	}
	iothdns_free(pk);
	struct in6_addr fa;
	to_mapped((struct sockaddr *) &from, &fa);
	for (int i = 0; i < MAXPENDING; i++) {
		struct pending *p = &pend[i];
		if (!p->used || p->upid != h.id || p->qtype != h.qtype || strcasecmp(p->qname, qname) != 0 ||
				memcmp(&fa, &nd_conf.fwd[p->server], 16) != 0)
			continue;
		nd_cache_feed(buf, n, time(NULL));
		if ((h.flags & IOTHDNS_TRUNC) && p->conn >= 0) {
			struct tcpjob *j = calloc(1, sizeof(*j));
			pthread_t t;
			if (j) {
				j->p = *p;
				p->req = NULL;   /* the job owns it now */
				pthread_attr_t attr;
				pthread_attr_init(&attr);
				pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
				if (pthread_create(&t, &attr, tcpjob_run, j) != 0) {
					p->req = j->p.req;
					free(j);
				}
				pthread_attr_destroy(&attr);
			}
		} else
			pending_reply(p, buf, n);
		pending_free(p);
		break;
	}
	free(buf);
}

static void fwd_timeouts(void) {
	int64_t t = now_ms();
	for (int i = 0; i < MAXPENDING; i++) {
		struct pending *p = &pend[i];
		if (!p->used || p->deadline > t)
			continue;
		if (p->conn >= 0 && (conns[p->conn] == NULL || conns[p->conn]->gen != p->gen)) {
			pending_free(p);
			continue;
		}
		if (p->tries < nd_conf.nfwd) {
			p->tries++;
			p->server = (p->server + 1) % nd_conf.nfwd;
			fwd_send(p);
			continue;
		}
		nd_stats.fwdtimeouts++;
		uint8_t *sf;
		size_t n = nd_servfail(p->req, p->reqlen, &sf);
		if (n > 0) {
			pending_reply(p, sf, n);
			free(sf);
		}
		pending_free(p);
	}
}

/* ---- requests ---- */

static void request(const uint8_t *req, size_t len, const struct in6_addr *from, int udpfd,
		const struct sockaddr_storage *cli, socklen_t clilen, int conn) {
	uint8_t *reply;
	size_t rlen, maxlen = 512;
	switch (nd_process(req, len, from, conn >= 0, time(NULL), &reply, &rlen, &maxlen)) {
		case ND_REPLY:
			if (conn >= 0)
				send_tcp(conns[conn]->fd, reply, rlen);
			else
				ioth_sendto(udpfd, reply, rlen, 0, (const struct sockaddr *) cli, clilen);
			free(reply);
			break;
		case ND_FORWARD:
			forward(req, len, maxlen, udpfd, cli, clilen, conn);
			break;
		case ND_DROP:
			break;
	}
}

static void udp_request(int fd) {
	uint8_t buf[MAXMSG];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = ioth_recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *) &from, &fl);
	if (n < 0)
		return;
	struct in6_addr fa;
	to_mapped((struct sockaddr *) &from, &fa);
	request(buf, n, &fa, fd, &from, fl, -1);
}

static void tcp_accept(int lfd) {
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	int fd = ioth_accept(lfd, (struct sockaddr *) &from, &fl);
	if (fd < 0)
		return;
	struct in6_addr fa;
	to_mapped((struct sockaddr *) &from, &fa);
	int i;
	for (i = 0; i < MAXCONN; i++)
		if (conns[i] == NULL)
			break;
	/* auth accept: who may use TCP */
	if (i == MAXCONN || !nd_authck(ND_A_ACCEPT, &fa) || (conns[i] = malloc(sizeof(struct conn))) == NULL) {
		ioth_close(fd);
		return;
	}
	conns[i]->fd = fd;
	conns[i]->gen = ++conngen;
	conns[i]->from = fa;
	conns[i]->have = 0;
	conns[i]->last = now_ms();
}

static void tcp_read(int i) {
	struct conn *c = conns[i];
	ssize_t n = ioth_recv(c->fd, c->buf + c->have, sizeof(c->buf) - c->have, 0);
	if (n <= 0) {
		conn_close(i);
		return;
	}
	c->have += n;
	c->last = now_ms();
	while (conns[i] == c && c->have >= 2) {
		size_t len = (c->buf[0] << 8) | c->buf[1];
		if (len == 0) {
			nd_stats.dropped++;
			conn_close(i);
			return;
		}
		if (c->have < len + 2)
			break;
		request(c->buf + 2, len, &c->from, -1, NULL, 0, i);
		memmove(c->buf, c->buf + 2 + len, c->have - len - 2);
		c->have -= len + 2;
	}
}

static void on_signal(int sig) {
	if (sig == SIGUSR1)
		dump = 1;
	else
		quit = 1;
}

static void print_stats(void) {
	logmsg(LOG_INFO, "queries %lu answered %lu formerr %lu dropped %lu refused %lu notimp %lu "
			"forwarded %lu cachehits %lu truncated %lu fwdtimeouts %lu",
			nd_stats.queries, nd_stats.answered, nd_stats.formerr, nd_stats.dropped,
			nd_stats.refused, nd_stats.notimp, nd_stats.forwarded, nd_stats.cachehits,
			nd_stats.truncated, nd_stats.fwdtimeouts);
}

static void usage(void) {
	fprintf(stderr, "Usage: iothnamed [-d|--daemon] [-p|--pidfile PIDFILE] CONFIG\n");
	exit(2);
}

int main(int argc, char *argv[]) {
	static const struct option opts[] = {
		{"daemon", no_argument, NULL, 'd'}, {"pidfile", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int daemonize = 0, c;
	char *pidfile = NULL;
	while ((c = getopt_long(argc, argv, "dp:h", opts, NULL)) != -1) {
		switch (c) {
			case 'd': daemonize = 1; break;
			case 'p': pidfile = optarg; break;
			default: usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	char *config = realpath(argv[optind], NULL);
	if (config == NULL) {
		fprintf(stderr, "iothnamed: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	/* check the whole file first: its errors reach the terminal */
	if (nd_read_config(config, stderr, 0) < 0) {
		free(config);
		return 1;
	}
	nd_config_free();
	char *pidpath = NULL;
	if (pidfile) {
		/* the directory must exist; the file is written after daemon() */
		char *cwd = getcwd(NULL, 0);
		if (pidfile[0] == '/' || cwd == NULL)
			pidpath = strdup(pidfile);
		else if (asprintf(&pidpath, "%s/%s", cwd, pidfile) < 0)
			pidpath = NULL;
		free(cwd);
	}
	if (daemonize) {
		/* before the stacks: their threads would not survive the fork */
		if (daemon(0, 0) < 0) {
			perror("iothnamed: daemon");
			return 1;
		}
		use_syslog = 1;
		openlog("iothnamed", LOG_PID, LOG_DAEMON);
	}
	if (pidpath) {
		FILE *f = fopen(pidpath, "w");
		if (f == NULL) {
			logmsg(LOG_ERR, "%s: %s", pidpath, strerror(errno));
			return 1;
		}
		fprintf(f, "%d\n", getpid());
		fclose(f);
	}
	FILE *errf = stderr;
	char *errbuf = NULL;
	size_t errlen = 0;
	if (use_syslog)
		errf = open_memstream(&errbuf, &errlen);
	int rv = nd_read_config(config, errf, 1);
	free(config);
	if (use_syslog) {
		fclose(errf);
		if (errbuf && errlen)
			logmsg(LOG_ERR, "%s", errbuf);
		free(errbuf);
	}
	if (rv < 0)
		return 1;
	sfd[S_U4] = open_server(nd_conf.rstack, AF_INET, SOCK_DGRAM);
	sfd[S_U6] = open_server(nd_conf.rstack, AF_INET6, SOCK_DGRAM);
	if (sfd[S_U4] < 0 && sfd[S_U6] < 0) {
		logmsg(LOG_ERR, "cannot open UDP port %d: %s", DNS_PORT, strerror(errno));
		return 1;
	}
	sfd[S_T4] = open_server(nd_conf.rstack, AF_INET, SOCK_STREAM);
	sfd[S_T6] = open_server(nd_conf.rstack, AF_INET6, SOCK_STREAM);
	if (sfd[S_T4] < 0 && sfd[S_T6] < 0)
		logmsg(LOG_WARNING, "cannot open TCP port %d: %s", DNS_PORT, strerror(errno));
	for (int i = 0; i < nd_conf.nfwd; i++) {
		int v4 = IN6_IS_ADDR_V4MAPPED(&nd_conf.fwd[i]);
		int *fd = &sfd[v4 ? S_F4 : S_F6];
		if (*fd < 0 && (*fd = ioth_msocket(nd_conf.fstack, v4 ? AF_INET : AF_INET6, SOCK_DGRAM, 0)) < 0)
			logmsg(LOG_WARNING, "cannot open a forwarding socket: %s", strerror(errno));
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		logmsg(LOG_ERR, "pipe: %s", strerror(errno));
		return 1;
	}
	sfd[S_PIPE] = pipefd[0];
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!daemonize)
		logmsg(LOG_INFO, "ready");
	int64_t lastclean = now_ms();
	while (!quit) {
		struct pollfd pfd[S_NFIXED + MAXCONN];
		int idx[S_NFIXED + MAXCONN];
		int n = 0;
		for (int i = 0; i < S_NFIXED; i++)
			if (sfd[i] >= 0) {
				pfd[n] = (struct pollfd) {sfd[i], POLLIN, 0};
				idx[n++] = i;
			}
		for (int i = 0; i < MAXCONN; i++)
			if (conns[i]) {
				pfd[n] = (struct pollfd) {conns[i]->fd, POLLIN, 0};
				idx[n++] = S_NFIXED + i;
			}
		int r = poll(pfd, n, 200);
		if (dump) {
			dump = 0;
			print_stats();
		}
		for (int k = 0; r > 0 && k < n; k++) {
			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			int i = idx[k];
			if (i == S_U4 || i == S_U6)
				udp_request(sfd[i]);
			else if (i == S_T4 || i == S_T6)
				tcp_accept(sfd[i]);
			else if (i == S_F4 || i == S_F6)
				fwd_answer(sfd[i]);
			else if (i == S_PIPE) {
				struct tcpjob *j;
				if (read(pipefd[0], &j, sizeof(j)) == sizeof(j))
					tcpjob_done(j);
			} else if (conns[i - S_NFIXED])
				tcp_read(i - S_NFIXED);
		}
		int64_t t = now_ms();
		fwd_timeouts();
		if (t - lastclean >= 1000) {
			lastclean = t;
			nd_cache_clean(time(NULL));
			for (int i = 0; i < MAXCONN; i++)
				if (conns[i] && t - conns[i]->last > (int64_t) nd_conf.tcptimeout * 1000)
					conn_close(i);
		}
	}
	print_stats();
	for (int i = 0; i < MAXCONN; i++)
		conn_close(i);
	if (pidpath)
		unlink(pidpath);
	return 0;
}
