/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ustack's only entry point: the libioth plugin ABI (docs/libioth.md).
 * ioth_ustack_newstack builds a stack (lo + one VDE interface per VNL)
 * and fills the Berkeley calls; each call finds its stack through
 * libioth's getstackdata() and its socket through the fd table.
 *
 * Options (after "ustack," in the stack string), comma-separated:
 *   mac=XX:XX:XX:XX:XX:XX   MAC of the next VDE interface (vde0, vde1, ...
 *                           in order); default: random, locally administered
 *   mtu=N                   MTU of the VDE interfaces, 68..65535 (1500)
 *   accept_ra=0|1           IPv6 router advertisements processed (1), as the sysctl
 *   autoconf=0|1            SLAAC addresses from them (1), as the sysctl
 *   tcp_rmem=N              TCP's largest receive buffer, 65536..1 GiB, as
 *                           the sysctl's third field: the receive queue of a
 *                           socket without SO_RCVBUF, and the window scale
 *                           offered (4 MiB: 7)
 *   tcp_min_tso_segs=N      segments of TCP's GSO packets, 1..127 (2), as
 *                           the sysctl: where PSH goes in a burst
 *   tcp_slow_start_after_idle=0|1  cwnd restarts after an idle RTO (1,
 *                           as the sysctl)
 *   cc=NAME                 TCP's congestion control, cubic (the default,
 *                           as Linux) or reno, as the sysctl
 *                           tcp_congestion_control; a socket may choose
 *                           another with TCP_CONGESTION
 *   tcp_timestamps=0|1      RFC 7323 timestamps offered and accepted (1),
 *                           as the sysctl
 *   gro=0|1                 receive offload: in-order TCP data read from
 *                           a VNL in one batch is acknowledged once, as
 *                           Linux does behind a NIC with GRO (1), or
 *                           every second segment, as behind a tap (0,
 *                           the default)
 *   tcp_ecn=0|1|2           ECN as the sysctl: off, asked and accepted,
 *                           accepted only (2, the default)
 *   tcp_mtu_probing=0|1|2   packetization-layer path MTU discovery (RFC
 *                           4821) as the sysctl: off (0, the default), on
 *                           once a black hole is suspected, always
 *   tcp_base_mss=N          the MSS probing starts from, 48..65495 (1024),
 *                           as the sysctl
 *   tcp_challenge_ack_limit=N  RFC 5961 challenge ACKs the whole stack
 *                           sends per second (a random budget of N/2 to
 *                           N*3/2-1 each second), as the sysctl; 0 or
 *                           2147483647: no limit (the default, Linux's
 *                           since 6.0)
 *   tcp_notsent_lowat=N     TCP_NOTSENT_LOWAT of sockets that set none, as
 *                           the sysctl (0 or 4294967295: none, the default)
 *   tcp_fastopen=N          TCP Fast Open, Linux's sysctl bits (decimal or
 *                           0x hex): 1 client, 2 server, 0x200 no cookie
 *                           needed, 0x400 every listener; default 1
 *   snmp=FILE               the counters (Linux's /proc/net/snmp lines)
 *                           written to FILE when the stack is deleted
 *   tcp_fastopen_key=K      the server's cookie key, as the sysctl:
 *                           XXXXXXXX-XXXXXXXX-XXXXXXXX-XXXXXXXX (hex);
 *                           default random */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <netinet/in.h>

/* <net/if.h> (through stack.h) before <ioth.h>: glibc's header must come
 * first for <linux/if.h>, which nlinline includes, to step aside */
#include "link/link.h"
#include "net/net.h"
#include "net/net6.h"
#include "socket/api.h"
#include "socket/sock.h"
#include "tcp/tcp.h"
#include "udp/udp.h"
#include "ustack.h"

#include <ioth.h>
#include <plugin_linger.h>

#define EXPORT __attribute__((visibility("default")))
#define MAX_VNL 64

/* libioth's getstackdata, the same for every stack; set by each newstack
 * (atomically: a stack may be created while others are in use) */
static void *(*getstackdata)(void);

static struct ustack *stack_of_call(void) {
	void *(*f)(void) = __atomic_load_n(&getstackdata, __ATOMIC_ACQUIRE);
	return f ? f() : NULL;
}

/* The calling process's stack of this call. A stack inherited through
 * fork() is the parent's (core/stack.h stack_inherited): a child's call
 * on it would take locks that nobody will release, read the parent's
 * frames or inject bytes into its connections. It fails with
 * EOPNOTSUPP (docs/ustack.md, "fork") and touches nothing. */
#define CUR(s) \
	struct ustack *s = stack_of_call(); \
	if (s != NULL && stack_inherited(s)) \
		return errno = EOPNOTSUPP, -1

struct opts {
	uint8_t mac[MAX_VNL][6];
	int nmac;
	uint32_t mtu;
	int accept_ra, autoconf;
	uint32_t tcp_rmem, tso_segs, notsent_lowat;
	int ssai;
	const struct tcp_cc_ops *cc;
	long tcp_fastopen;            /* -1: the default */
	int tcp_timestamps, tcp_ecn, gro, tcp_mtu_probing;
	uint32_t tcp_base_mss, tcp_challenge_ack_limit;
	bool tfo_key_set;
	uint8_t tfo_key[16];
	char *pcap;     /* pcap=FILE (allocated) */
	char *snmp;     /* snmp=FILE (allocated) */
};

/* The numeric options: name=VALUE, VALUE in [min, max] (else EINVAL),
 * stored in the field at off of struct opts (an int, a uint32_t or a
 * long). A DIGIT option takes one decimal digit only (accept_ra=1); the
 * others a number as strtoul reads it (BASE0: in C's notations), not
 * empty where NONEMPTY; ALLONES0: the largest value means 0 (Linux's
 * tcp_notsent_lowat default, "no limit"). */
#define OPT_DIGIT 1
#define OPT_NONEMPTY 2
#define OPT_BASE0 4
#define OPT_ALLONES0 8
#define OPT_FIELD(f) offsetof(struct opts, f), sizeof(((struct opts *) 0)->f)
static const struct num_opt {
	const char *name;
	unsigned long min, max;
	unsigned flags;
	size_t off, size;
} num_opts[] = {
	{"mtu", 68, 65535, 0, OPT_FIELD(mtu)},
	{"accept_ra", 0, 1, OPT_DIGIT, OPT_FIELD(accept_ra)},
	{"autoconf", 0, 1, OPT_DIGIT, OPT_FIELD(autoconf)},
	{"tcp_rmem", 65536, 1ul << 30, 0, OPT_FIELD(tcp_rmem)},
	{"tcp_slow_start_after_idle", 0, 1, OPT_DIGIT, OPT_FIELD(ssai)},
	{"tcp_min_tso_segs", 1, 127, 0, OPT_FIELD(tso_segs)},
	{"tcp_notsent_lowat", 0, 0xffffffffUL, OPT_NONEMPTY | OPT_ALLONES0, OPT_FIELD(notsent_lowat)},
	{"tcp_ecn", 0, 2, OPT_DIGIT, OPT_FIELD(tcp_ecn)},
	{"tcp_timestamps", 0, 1, OPT_DIGIT, OPT_FIELD(tcp_timestamps)},
	{"tcp_fastopen", 0, 0xffffffffUL, OPT_NONEMPTY | OPT_BASE0, OPT_FIELD(tcp_fastopen)},
	{"tcp_mtu_probing", 0, 2, OPT_DIGIT, OPT_FIELD(tcp_mtu_probing)},
	{"tcp_base_mss", 48, 65495, OPT_NONEMPTY, OPT_FIELD(tcp_base_mss)},
	{"gro", 0, 1, OPT_DIGIT, OPT_FIELD(gro)},
	{"tcp_challenge_ack_limit", 0, 2147483647, OPT_NONEMPTY | OPT_ALLONES0, OPT_FIELD(tcp_challenge_ack_limit)},
};
#undef OPT_FIELD

/* tok, "name=VALUE", when a numeric option: 1 (set), -EINVAL (a bad
 * value); 0 when tok is not one of them. */
static int parse_num_opt(const char *tok, struct opts *o) {
	for (size_t i = 0; i < sizeof(num_opts) / sizeof(num_opts[0]); i++) {
		const struct num_opt *n = &num_opts[i];
		size_t l = strlen(n->name);
		if (strncmp(tok, n->name, l) != 0 || tok[l] != '=')
			continue;
		const char *val = tok + l + 1;
		unsigned long v;
		char *end;
		if (n->flags & OPT_DIGIT) {
			if (val[0] < '0' || val[0] > '9' || val[1] != 0)
				return -EINVAL;
			v = (unsigned long) (val[0] - '0');
		} else {
			v = strtoul(val, &end, (n->flags & OPT_BASE0) ? 0 : 10);
			if (((n->flags & OPT_NONEMPTY) && val[0] == 0) || *end)
				return -EINVAL;
		}
		if (v < n->min || v > n->max)
			return -EINVAL;
		if ((n->flags & OPT_ALLONES0) && v == n->max)
			v = 0;
		char *f = (char *) o + n->off;
		if (n->size == sizeof(long)) {
			long lv = (long) v;
			memcpy(f, &lv, sizeof(lv));
		} else {
			uint32_t v32 = (uint32_t) v;   /* an int field holds a small value alike */
			memcpy(f, &v32, sizeof(v32));
		}
		return 1;
	}
	return 0;
}

/* a FILE option's value into *path (allocated, the one before freed):
 * 0, -EINVAL (empty) or -ENOMEM */
static int opt_file(const char *val, char **path) {
	free(*path);
	*path = NULL;
	if (val[0] == 0)
		return -EINVAL;
	*path = strdup(val);
	return *path ? 0 : -ENOMEM;
}

static int parse_options(const char *options, struct opts *o) {
	o->nmac = 0;
	o->mtu = 1500;
	o->accept_ra = o->autoconf = 1;
	o->tcp_rmem = 0;
	o->tso_segs = 0;
	o->notsent_lowat = 0;
	o->ssai = 1;
	o->cc = NULL;
	o->tcp_fastopen = -1;
	o->tcp_timestamps = 1;
	o->tcp_ecn = 2;
	o->tcp_mtu_probing = 0;
	o->tcp_base_mss = 0;
	o->tcp_challenge_ack_limit = 0;
	o->gro = 0;
	o->tfo_key_set = false;
	o->pcap = NULL;
	o->snmp = NULL;
	if (options == NULL || *options == 0)
		return 0;
	char *dup = strdup(options);
	if (dup == NULL)
		return -ENOMEM;
	int err = 0;
	char *save = NULL;
	for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int num = parse_num_opt(tok, o);
		if (num < 0) {
			err = num;
			break;
		}
		if (num > 0)
			continue;
		if (strncmp(tok, "mac=", 4) == 0) {
			if (o->nmac == MAX_VNL || !ioth_macton(tok + 4, o->mac[o->nmac]) ||
					(o->mac[o->nmac][0] & 1)) {
				err = -EINVAL;
				break;
			}
			o->nmac++;
		} else if (strncmp(tok, "tcp_fastopen_key=", 17) == 0) {
			if (tcp_fo_key_parse(tok + 17, o->tfo_key) < 0) {
				err = -EINVAL;
				break;
			}
			o->tfo_key_set = true;
		} else if (strncmp(tok, "cc=", 3) == 0) {
			if ((o->cc = tcp_cc_find(tok + 3)) == NULL) {
				err = -EINVAL;
				break;
			}
		} else if (strncmp(tok, "snmp=", 5) == 0 || strncmp(tok, "pcap=", 5) == 0) {
			/* the file of the counters or of the capture (link/pcap.c);
			 * the last one given */
			if ((err = opt_file(tok + 5, tok[0] == 's' ? &o->snmp : &o->pcap)) < 0)
				break;
		} else {
			err = -EINVAL;
			break;
		}
	}
	free(dup);
	if (err < 0) {
		free(o->pcap);
		o->pcap = NULL;
		free(o->snmp);
		o->snmp = NULL;
	}
	return err;
}

/* snmp=FILE: made (or truncated) with the stack, so that a file that
 * cannot be made fails ioth_newstack; 0 or -errno */
static int snmp_open(struct ustack *s, const char *path) {
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	s->snmp_fd = fd;
	return 0;
}

/* The counters as Linux's /proc/net/snmp shows them: for each protocol a
 * line of names and a line of values (only the counters ustack keeps). */
static void snmp_write(struct ustack *s) {
	if (s->snmp_fd < 0)
		return;
	FILE *f = fdopen(s->snmp_fd, "w");
	if (f == NULL)
		return;
	s->snmp_fd = -1;
	const struct net_mib *m = s->mib;
	fprintf(f, "Ip: InReceives InHdrErrors InAddrErrors InUnknownProtos InDelivers\n");
	fprintf(f, "Ip: %llu %llu %llu %llu %llu\n", (unsigned long long) m->ip4.InReceives,
			(unsigned long long) m->ip4.InHdrErrors, (unsigned long long) m->ip4.InAddrErrors,
			(unsigned long long) m->ip4.InUnknownProtos, (unsigned long long) m->ip4.InDelivers);
	fprintf(f, "Icmp: InMsgs InErrors InCsumErrors OutMsgs\n");
	fprintf(f, "Icmp: %llu %llu %llu %llu\n", (unsigned long long) m->icmp4.InMsgs,
			(unsigned long long) m->icmp4.InErrors, (unsigned long long) m->icmp4.InCsumErrors,
			(unsigned long long) m->icmp4.OutMsgs);
	if (s->tcp) {
		const struct tcp_stack *t = s->tcp;
		fprintf(f, "Tcp: ActiveOpens PassiveOpens AttemptFails EstabResets InSegs OutSegs RetransSegs "
				"InErrs OutRsts InCsumErrors\n");
		fprintf(f, "Tcp: %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu\n",
				(unsigned long long) t->mib.ActiveOpens, (unsigned long long) t->mib.PassiveOpens,
				(unsigned long long) t->mib.AttemptFails, (unsigned long long) t->mib.EstabResets,
				(unsigned long long) t->mib.InSegs, (unsigned long long) t->mib.OutSegs,
				(unsigned long long) t->mib.RetransSegs, (unsigned long long) t->mib.InErrs,
				(unsigned long long) t->mib.OutRsts, (unsigned long long) t->mib.InCsumErrors);
		/* /proc/net/netstat's names */
		fprintf(f, "TcpExt: TCPMTUPFail TCPMTUPSuccess TCPTimeouts\n");
		fprintf(f, "TcpExt: %llu %llu %llu\n", (unsigned long long) t->mib.MTUPFail,
				(unsigned long long) t->mib.MTUPSuccess, (unsigned long long) t->mib.RTOs);
	}
	if (s->udp) {
		const struct udp_stack *u = s->udp;
		fprintf(f, "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors InCsumErrors\n");
		fprintf(f, "Udp: %llu %llu %llu %llu %llu %llu\n", (unsigned long long) u->InDatagrams,
				(unsigned long long) u->NoPorts, (unsigned long long) u->InErrors,
				(unsigned long long) u->OutDatagrams, (unsigned long long) u->RcvbufErrors,
				(unsigned long long) u->InCsumErrors);
	}
	fclose(f);
}

static void random_mac(struct ustack *s, uint8_t *mac) {
	if (getrandom(mac, 6, GRND_NONBLOCK) != 6)
		for (int i = 0; i < 6; i++)
			mac[i] = (uint8_t) stack_random(s);
	/* unicast, locally administered (IEEE 802 U/L bit) */
	mac[0] = (uint8_t) ((mac[0] & 0xfc) | 0x02);
}

static void stack_destroy(struct ustack *s) {
	ustack_destroy(s);
	rt_put();
}

EXPORT void *ioth_ustack_newstack(const char *vnlv[], const char *options, struct ioth_functions *f);

/* What the program sent goes out before its stack does: datagrams waiting
 * for a neighbour resolution, and the data and FIN of the TCP connections it
 * closed, until acknowledged; for at most $IOTH_DELSTACK_LINGER seconds
 * (10 by default, 0: delete at once). An unanswered resolution gives up by
 * itself after its probes (3 s for ARP), as on Linux. */
static int stack_pending(void *arg) {
	struct ustack *s = arg;
	stack_lock(s);
	bool pending = neigh_stack_pending(s) || tcp_stack_pending(s);
	stack_unlock(s);
	return pending;
}

static void stack_linger(struct ustack *s) {
	ioth_plugin_linger_wait(stack_pending, s, 5);
}

EXPORT int ioth_ustack_delstack(void *stackdata) {
	struct ustack *s = stackdata;
	if (s == NULL)
		return errno = EINVAL, -1;
	/* a child forgets its parent's stack; the parent's is untouched */
	if (stack_inherited(s))
		return 0;
	if (sock_count(s) > 0)
		return errno = EBUSY, -1;
	stack_linger(s);
	stack_lock(s);
	snmp_write(s);
	stack_unlock(s);
	stack_destroy(s);
	return 0;
}

/* --- the Berkeley calls --- */

static int us_socket(int domain, int type, int protocol) {
	CUR(s);
	return api_socket(s, domain, type, protocol);
}
static int us_close(int fd) {
	struct ustack *s = stack_of_call();
	if (s != NULL && stack_inherited(s)) {
		int r = sock_close_inherited(s, fd);
		return r < 0 ? (errno = -r, -1) : 0;
	}
	return api_close(s, fd);
}
static int us_bind(int fd, const struct sockaddr *a, socklen_t l) {
	CUR(s);
	return api_bind(s, fd, a, l);
}
static int us_connect(int fd, const struct sockaddr *a, socklen_t l) {
	CUR(s);
	return api_connect(s, fd, a, l);
}
static int us_listen(int fd, int backlog) {
	CUR(s);
	return api_listen(s, fd, backlog);
}
static int us_accept(int fd, struct sockaddr *a, socklen_t *l) {
	CUR(s);
	return api_accept(s, fd, a, l);
}
static int us_getsockname(int fd, struct sockaddr *a, socklen_t *l) {
	CUR(s);
	return api_getname(s, fd, a, l, 0);
}
static int us_getpeername(int fd, struct sockaddr *a, socklen_t *l) {
	CUR(s);
	return api_getname(s, fd, a, l, 1);
}
static int us_setsockopt(int fd, int level, int name, const void *v, socklen_t l) {
	CUR(s);
	return api_setsockopt(s, fd, level, name, v, l);
}
static int us_getsockopt(int fd, int level, int name, void *v, socklen_t *l) {
	CUR(s);
	return api_getsockopt(s, fd, level, name, v, l);
}
static int us_shutdown(int fd, int how) {
	CUR(s);
	return api_shutdown(s, fd, how);
}
static int us_ioctl(int fd, unsigned long cmd, ...) {
	CUR(s);
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return api_ioctl(s, fd, cmd, arg);
}
static int us_fcntl(int fd, int cmd, ...) {
	CUR(s);
	va_list ap;
	va_start(ap, cmd);
	long arg = va_arg(ap, long);
	va_end(ap);
	return api_fcntl(s, fd, cmd, arg);
}
static ssize_t us_recvmsg(int fd, struct msghdr *msg, int flags) {
	CUR(s);
	return api_recvmsg(s, fd, msg, flags);
}
static ssize_t us_recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
		socklen_t *fromlen) {
	CUR(s);
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	if (from && fromlen) {
		msg.msg_name = from;
		msg.msg_namelen = *fromlen;
	}
	ssize_t r = api_recvmsg(s, fd, &msg, flags);
	if (r >= 0 && from && fromlen)
		*fromlen = msg.msg_namelen;
	return r;
}
static ssize_t us_recv(int fd, void *buf, size_t len, int flags) {
	return us_recvfrom(fd, buf, len, flags, NULL, NULL);
}
static ssize_t us_read(int fd, void *buf, size_t len) {
	CUR(s);
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	return api_readv(s, fd, &iov, 1);
}
static ssize_t us_readv(int fd, const struct iovec *iov, int iovcnt) {
	CUR(s);
	return api_readv(s, fd, iov, iovcnt);
}
static ssize_t us_sendmsg(int fd, const struct msghdr *msg, int flags) {
	CUR(s);
	return api_sendmsg(s, fd, msg, flags);
}
static ssize_t us_sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
		socklen_t tolen) {
	CUR(s);
	return api_sendto(s, fd, buf, len, flags, to, tolen);
}
static ssize_t us_send(int fd, const void *buf, size_t len, int flags) {
	return us_sendto(fd, buf, len, flags, NULL, 0);
}
static ssize_t us_write(int fd, const void *buf, size_t len) {
	return us_sendto(fd, buf, len, 0, NULL, 0);
}
static ssize_t us_writev(int fd, const struct iovec *iov, int iovcnt) {
	CUR(s);
	return api_writev(s, fd, iov, iovcnt);
}

void *ioth_ustack_newstack(const char *vnlv[], const char *options, struct ioth_functions *f) {
	struct opts o;
	int err = parse_options(options, &o);
	if (err < 0)
		return errno = -err, NULL;
	int nvnl = 0;
	while (vnlv && vnlv[nvnl])
		nvnl++;
	if (nvnl > MAX_VNL) {
		free(o.pcap);
		free(o.snmp);
		return errno = EINVAL, NULL;
	}
	if ((err = rt_get()) < 0) {
		free(o.pcap);
		free(o.snmp);
		return errno = -err, NULL;
	}
	struct ustack *s = ustack_create();
	if (s == NULL) {
		free(o.pcap);
		free(o.snmp);
		rt_put();
		return errno = ENOMEM, NULL;
	}
	if (o.pcap) {
		err = pcap_open(s, o.pcap);
		free(o.pcap);
		o.pcap = NULL;
		if (err < 0) {
			free(o.snmp);
			goto fail;
		}
	}
	if (o.snmp) {
		err = snmp_open(s, o.snmp);
		free(o.snmp);
		if (err < 0)
			goto fail;
	}
	s->accept_ra = (uint8_t) o.accept_ra;
	s->autoconf = (uint8_t) o.autoconf;
	s->vde_mtu = o.mtu;
	s->tcp_rmem_max = o.tcp_rmem;
	s->tcp_min_tso_segs = o.tso_segs;
	s->tcp_notsent_lowat = o.notsent_lowat;
	s->tcp_ecn = (uint8_t) o.tcp_ecn;
	s->tcp_mtu_probing = (uint8_t) o.tcp_mtu_probing;
	s->tcp_base_mss = o.tcp_base_mss;
	s->tcp_challenge_ack_limit = o.tcp_challenge_ack_limit;
	s->gro = o.gro != 0;
	s->tcp_no_ssai = !o.ssai;
	s->tcp_cc = o.cc;
	s->tcp_timestamps = o.tcp_timestamps != 0;
	if (o.tcp_fastopen >= 0)
		s->tcp_fastopen = (uint32_t) o.tcp_fastopen;
	if (o.tfo_key_set) {
		memcpy(s->tfo_key, o.tfo_key, 16);
		s->tfo_key_set = true;
	}
	s->vde_links = true;
	for (int i = 0; i < nvnl; i++) {
		uint8_t mac[6];
		if (i < o.nmac)
			memcpy(mac, o.mac[i], 6);
		else
			random_mac(s, mac);
		/* "IFNAME:VNL" names the interface (as the original vdestack plugin):
		 * a ':' before any "://", or with no "://", ends the name. */
		const char *vnl = vnlv[i], *scheme = strstr(vnl, "://"), *colon = strchr(vnl, ':');
		int namelen = 0;
		if (colon && colon > vnl && !(scheme && colon >= scheme)) {
			namelen = (int) (colon - vnl);
			vnl = colon + 1;
		}
		struct netif *ifp = vde_netif_open(s, vnl, mac, o.mtu);
		if (ifp == NULL) {
			err = errno ? -errno : -EINVAL;
			goto fail;
		}
		ustack_attach(s, ifp);
		if (namelen > 0)
			snprintf(ifp->name, sizeof(ifp->name), "%.*s", namelen, vnlv[i]);
		else
			snprintf(ifp->name, sizeof(ifp->name), "vde%d", i);
	}
	for (struct netif *ifp = s->ifaces; ifp; ifp = ifp->next)
		if ((err = link_start(ifp)) < 0)
			goto fail;
	__atomic_store_n(&getstackdata, f->getstackdata, __ATOMIC_RELEASE);
	f->socket = us_socket;
	f->close = us_close;
	f->bind = us_bind;
	f->connect = us_connect;
	f->listen = us_listen;
	f->accept = us_accept;
	f->getsockname = us_getsockname;
	f->getpeername = us_getpeername;
	f->setsockopt = us_setsockopt;
	f->getsockopt = us_getsockopt;
	f->shutdown = us_shutdown;
	f->ioctl = us_ioctl;
	f->fcntl = us_fcntl;
	f->read = us_read;
	f->readv = us_readv;
	f->recv = us_recv;
	f->recvfrom = us_recvfrom;
	f->recvmsg = us_recvmsg;
	f->write = us_write;
	f->writev = us_writev;
	f->send = us_send;
	f->sendto = us_sendto;
	f->sendmsg = us_sendmsg;
	return s;
fail:
	stack_destroy(s);
	errno = -err;
	return NULL;
}
