/* SPDX-License-Identifier: GPL-2.0-or-later
 * namedhcp, namedhcp4: options, configuration file, stacks, resolver. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <iothconf.h>
#include "../rcline.h"
#include "common.h"

static const char *tags[O_N] = {"stack", "dnsstack", "iface", "resolvconf", "nameserver",
	"macaddr", "dns", "dnssearch", "ntp", "daemon", "pidfile", "verbose"};
static const int has_arg[O_N] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0};
volatile int nd_quit;
static int use_syslog;

static void onsignal(int sig) { (void) sig; nd_quit = 1; }

void nd_log(struct nd_server *s, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	if (use_syslog)
		vsyslog(LOG_INFO, fmt, ap);
	else {
		fprintf(stderr, "%s: ", s->prog);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
}

static void usage(const char *prog, FILE *f) {
	fprintf(f,
		"Usage: %s [OPTIONS]\n"
		"  -f, --rcfile FILE          configuration file (command line options win)\n"
		"  -s, --stack STACK          iothconf stack string, or a VNL (begins with scheme://)\n"
		"  -R, --dnsstack STACK       the stack for DNS queries (default: the same)\n"
		"  -i, --iface NAME           interface (default vde0)\n"
		"  -r, --resolvconf FILE      resolver configuration (default /etc/resolv.conf)\n"
		"  -n, --nameserver LIST      DNS servers to ask (instead of --resolvconf)\n"
		"  -m, --macaddr MAC          the server's MAC (mac= of the stack string)\n"
		"  -D, --dns LIST             DNS servers told to clients\n"
		"  -S, --dnssearch LIST       search domains told to clients\n"
		"  -N, --ntp LIST             NTP servers told to clients\n"
		"  -d, --daemon               run in background (messages to syslog)\n"
		"  -p, --pidfile FILE         write the pid there\n"
		"  -v, --verbose              tell each answer\n", prog);
}

static int read_rcfile(struct nd_server *s, const char *path) {
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "%s: %s: %s\n", s->prog, path, strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, ret = 0;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		char *tag, *val;
		if (rcline_split(line, &tag, &val) < 0)
			continue;
		int i;
		for (i = 0; i < O_N && strcmp(tag, tags[i]) != 0; i++)
			;
		if (i == O_N) {
			fprintf(stderr, "%s: %s:%d: unknown tag '%s'\n", s->prog, path, lineno, tag);
			ret = -1;
		} else if (has_arg[i] && *val == 0) {
			fprintf(stderr, "%s: %s:%d: '%s' needs a value\n", s->prog, path, lineno, tag);
			ret = -1;
		} else if (!has_arg[i] && *val != 0) {
			fprintf(stderr, "%s: %s:%d: '%s' takes no value\n", s->prog, path, lineno, tag);
			ret = -1;
		} else if (s->opt[i] == NULL)
			s->opt[i] = strdup(val);
	}
	free(line);
	fclose(f);
	return ret;
}

int nd_addrlist(const char *list, int family, void *out, int max) {
	if (list == NULL)
		return 0;
	char *copy = strdup(list), *save = NULL;
	int n = 0;
	for (char *t = strtok_r(copy, ", \t", &save); t != NULL; t = strtok_r(NULL, ", \t", &save)) {
		uint8_t a[16];
		if (inet_pton(family, t, a) != 1) {
			free(copy);
			return -1;
		}
		if (n < max)
			memcpy((uint8_t *) out + n * (family == AF_INET ? 4 : 16), a, family == AF_INET ? 4 : 16);
		n++;
	}
	free(copy);
	return n > max ? max : n;
}

int nd_name_encode(const char *name, uint8_t *out, size_t len) {
	size_t o = 0;
	const char *p = name;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t) (dot - p) : strlen(p);
		if (l == 0 || l > 63 || o + 1 + l + 1 > len)
			return -1;
		out[o++] = l;
		memcpy(out + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
	if (o + 1 > len || o + 1 > 255)
		return -1;
	out[o++] = 0;
	return o;
}

int nd_name_decode(const uint8_t *p, size_t len, char *out, size_t outlen) {
	size_t i = 0, o = 0;
	while (i < len) {
		uint8_t l = p[i++];
		if (l == 0)
			break;
		if (l > 63 || i + l > len || o + l + 2 > outlen)
			return -1;
		if (o > 0)
			out[o++] = '.';
		for (int k = 0; k < l; k++) {
			char c = p[i + k];
			if (!isalnum((unsigned char) c) && c != '-' && c != '_')
				return -1;
			out[o++] = c;
		}
		i += l;
	}
	if (o == 0)
		return -1;
	out[o] = 0;
	return 0;
}

/* the --stack rule of iothradvd: a VNL only if it begins with scheme:// */
static int is_vnl(const char *s) {
	if (!isalpha((unsigned char) *s))
		return 0;
	while (isalnum((unsigned char) *s) || *s == '+' || *s == '-' || *s == '.')
		s++;
	return strncmp(s, "://", 3) == 0;
}

static struct ioth *make_stack(struct nd_server *s, const char *spec, const char *mac) {
	char *conf;
	int n = is_vnl(spec) ?
		asprintf(&conf, "stack=ustack,vnl=%s,eth%s%s", spec, mac ? ",mac=" : "", mac ? mac : "") :
		asprintf(&conf, "%s%s%s", spec, mac ? ",mac=" : "", mac ? mac : "");
	if (n < 0)
		exit(1);
	struct ioth *st = ioth_newstackc(conf);
	if (st == NULL) {
		fprintf(stderr, "%s: cannot make the stack '%s': %s\n", s->prog, conf, strerror(errno));
		exit(1);
	}
	free(conf);
	return st;
}

void nd_setup(struct nd_server *s, int family, int argc, char *argv[]) {
	static const struct option longopts[] = {
		{"rcfile", required_argument, NULL, 'f'}, {"stack", required_argument, NULL, 's'},
		{"dnsstack", required_argument, NULL, 'R'}, {"iface", required_argument, NULL, 'i'},
		{"resolvconf", required_argument, NULL, 'r'}, {"nameserver", required_argument, NULL, 'n'},
		{"macaddr", required_argument, NULL, 'm'}, {"dns", required_argument, NULL, 'D'},
		{"dnssearch", required_argument, NULL, 'S'}, {"ntp", required_argument, NULL, 'N'},
		{"daemon", no_argument, NULL, 'd'}, {"pidfile", required_argument, NULL, 'p'},
		{"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	static const char codes[] = "sRirnmDSNdpv";
	const char *rcfile = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "f:s:R:i:r:n:m:D:S:N:dp:vh", longopts, NULL)) != -1) {
		const char *k = c != '?' && c != 'f' && c != 'h' ? strchr(codes, c) : NULL;
		if (c == 'f')
			rcfile = optarg;
		else if (c == 'h') {
			usage(s->prog, stdout);
			exit(0);
		} else if (k != NULL)
			s->opt[k - codes] = optarg ? optarg : "";
		else {
			usage(s->prog, stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		usage(s->prog, stderr);
		exit(2);
	}
	if (rcfile != NULL && read_rcfile(s, rcfile) < 0)
		exit(2);
	uint8_t tmp[8][16];
	const int lists[] = {O_DNS, O_NTP};
	for (int i = 0; i < 2; i++)
		if (nd_addrlist(s->opt[lists[i]], family, tmp, 8) < 0) {
			fprintf(stderr, "%s: bad %s list '%s'\n", s->prog, tags[lists[i]], s->opt[lists[i]]);
			exit(2);
		}
	if (s->opt[O_MACADDR] != NULL && ioth_macton(s->opt[O_MACADDR], s->mac) < 0) {
		fprintf(stderr, "%s: bad MAC address '%s'\n", s->prog, s->opt[O_MACADDR]);
		exit(2);
	}
	s->verbose = s->opt[O_VERBOSE] != NULL;
	if (s->opt[O_DAEMON]) {
		if (daemon(0, 0) < 0) {
			perror("daemon");
			exit(1);
		}
		use_syslog = 1;
		openlog(s->prog, LOG_PID, LOG_DAEMON);
	}
	if (s->opt[O_PIDFILE]) {
		FILE *f = fopen(s->opt[O_PIDFILE], "w");
		if (f == NULL) {
			fprintf(stderr, "%s: %s: %s\n", s->prog, s->opt[O_PIDFILE], strerror(errno));
			exit(1);
		}
		fprintf(f, "%d\n", getpid());
		fclose(f);
	}
	if (s->opt[O_STACK])
		s->stack = make_stack(s, s->opt[O_STACK], s->opt[O_MACADDR]);
	s->dnsstack = s->opt[O_DNSSTACK] ? make_stack(s, s->opt[O_DNSSTACK], NULL) : s->stack;
	const char *iface = s->opt[O_IFACE] ? s->opt[O_IFACE] : "vde0";
	s->ifindex = ioth_if_nametoindex(s->stack, iface);
	if (s->ifindex <= 0) {
		fprintf(stderr, "%s: no interface %s\n", s->prog, iface);
		exit(1);
	}
	if (ioth_linkgetaddr(s->stack, s->ifindex, s->mac) < 0)
		memset(s->mac, 0, 6);
	if (s->opt[O_NAMESERVER]) {
		char *cfg = NULL;
		size_t cl = 0;
		FILE *m = open_memstream(&cfg, &cl);
		char *copy = strdup(s->opt[O_NAMESERVER]), *save = NULL;
		for (char *t = strtok_r(copy, ", \t", &save); t != NULL; t = strtok_r(NULL, ", \t", &save)) {
			uint8_t a[16];
			if (inet_pton(AF_INET, t, a) != 1 && inet_pton(AF_INET6, t, a) != 1) {
				fprintf(stderr, "%s: bad nameserver '%s'\n", s->prog, t);
				exit(2);
			}
			fprintf(m, "nameserver %s\n", t);
		}
		free(copy);
		fclose(m);
		s->dns = iothdns_init_strcfg(s->dnsstack, cfg);
		free(cfg);
	} else
		s->dns = iothdns_init(s->dnsstack, s->opt[O_RESOLVCONF]);
	if (s->dns == NULL) {
		fprintf(stderr, "%s: resolver: %s\n", s->prog, strerror(errno));
		exit(1);
	}
	struct sigaction sa = {.sa_handler = onsignal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void nd_cleanup(struct nd_server *s) {
	iothdns_fini(s->dns);
	if (s->dnsstack != NULL && s->dnsstack != s->stack)
		ioth_delstack(s->dnsstack);
	if (s->stack != NULL)
		ioth_delstack(s->stack);
	if (s->opt[O_PIDFILE])
		unlink(s->opt[O_PIDFILE]);
}
