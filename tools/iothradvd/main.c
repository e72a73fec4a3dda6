/* SPDX-License-Identifier: GPL-2.0-or-later
 * iothradvd: an IPv6 router advertisement daemon on an ioth stack, built on
 * libiothradvd. Options and configuration file: see iothradvd(8). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <ioth.h>
#include <iothconf.h>
#include <iothradvd.h>

#include "../rcline.h"

#define MAXPREFIX 64

enum {O_STACK, O_DAEMON, O_PIDFILE, O_VERBOSE, O_PERIOD, O_IFACE, O_MACADDR, O_HOPLIMIT,
	O_FLAGS, O_LIFETIME, O_REACHABLE, O_RETRANSMIT, O_MTU, O_DNS, O_DNSSEARCH, O_DNSLIFETIME, O_N};
static const char *tags[O_N] = {"stack", "daemon", "pidfile", "verbose", "period", "iface",
	"macaddr", "hoplimit", "flags", "lifetime", "reachable", "retransmit", "mtu",
	"dns", "dnssearch", "dnslifetime"};
static const int has_arg[O_N] = {1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
/* the short options, in the order of the tags (0: long option only) */
static const char shortopt[O_N] = {'s', 'd', 'p', 'v', 'P', 'i', 'm', 'H', 'F', 'L', 'r', 'R', 'M',
	'D', 'S', 0};
static char *opt[O_N];          /* NULL: not given; "" for a flag that is set */

static struct iothraprefix prefixes[MAXPREFIX];
static int nprefixes;

static volatile sig_atomic_t quit;
static void onsignal(int sig) { (void) sig; quit = 1; }

static void usage(FILE *f) {
	fprintf(f,
		"Usage: iothradvd [OPTIONS] [PREFIX ...]\n"
		"  PREFIX: addr/len/flags/valid/preferred (flags: L on link, A autoconf, R router address)\n"
		"  -s, --stack STACK        an iothconf stack string (stack=...,vnl=...,eth,...) or a VNL\n"
		"  -f, --rcfile FILE        configuration file (command line options win)\n"
		"  -d, --daemon             run in background\n"
		"  -p, --pidfile FILE       write the pid there\n"
		"  -v, --verbose            tell what happens on stderr\n"
		"  -P, --period SECONDS     unsolicited advertisements every SECONDS (0: answers only)\n"
		"  -i, --iface NAME         the interface (default vde0)\n"
		"  -m, --macaddr MAC        the MAC of the interface (mac= of the stack string)\n"
		"  -H, --hoplimit N         current hop limit advertised (default 64)\n"
		"  -F, --flags CODES        M managed, O other, H home agent, h high / l low preference, P proxy\n"
		"  -L, --lifetime SECONDS   router lifetime (default 1800; 0: not a default router)\n"
		"  -r, --reachable MS       reachable time\n"
		"  -R, --retransmit MS      retransmission timer\n"
		"  -M, --mtu MTU            MTU option\n"
		"  -D, --dns ADDR[,ADDR]    recursive DNS servers (RFC 8106 RDNSS option)\n"
		"  -S, --dnssearch DOMAIN[,DOMAIN]  DNS search list (RFC 8106 DNSSL option)\n"
		"      --dnslifetime SECONDS  lifetime of both (default 3 periods, at least 1800)\n"
		"  -h, --help\n");
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v) {
	char *end;
	if (s == NULL || !isdigit((unsigned char) *s))
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return (*end != 0 || errno != 0 || *v > max) ? -1 : 0;
}

/* addr/len/flags/valid/preferred; valid and preferred also "infinity" */
static int parse_prefix(const char *spec) {
	if (nprefixes >= MAXPREFIX) {
		fprintf(stderr, "iothradvd: at most %d prefixes\n", MAXPREFIX);
		return -1;
	}
	char *s = strdup(spec), *field[5] = {0}, *save = NULL;
	int n = 0;
	for (char *t = strtok_r(s, "/", &save); t != NULL && n < 6; t = strtok_r(NULL, "/", &save))
		if (n < 5)
			field[n++] = t;
		else
			n++;
	struct iothraprefix p = {.prefixlen = 64, .flags = ND_OPT_PI_FLAG_ONLINK | ND_OPT_PI_FLAG_AUTO,
		.valid_time = 86400, .preferred_time = 14400};
	unsigned long v;
	int ok = n >= 1 && n <= 5 && inet_pton(AF_INET6, field[0], &p.prefix) == 1;
	if (ok && n >= 2)
		ok = parse_uint(field[1], 128, &v) == 0 && (p.prefixlen = v, 1);
	if (ok && n >= 3) {
		p.flags = 0;
		for (char *c = field[2]; *c && ok; c++)
			switch (*c) {
			case 'L': p.flags |= ND_OPT_PI_FLAG_ONLINK; break;
			case 'A': p.flags |= ND_OPT_PI_FLAG_AUTO; break;
			case 'R': p.flags |= ND_OPT_PI_FLAG_RADDR; break;
			case '-': break;
			default: ok = 0;
			}
	}
	for (int i = 3; ok && i < n; i++) {
		uint32_t *dst = i == 3 ? &p.valid_time : &p.preferred_time;
		if (strcmp(field[i], "infinity") == 0)
			*dst = 0xffffffff;
		else
			ok = parse_uint(field[i], 0xffffffff, &v) == 0 && (*dst = v, 1);
	}
	if (ok && p.preferred_time > p.valid_time)
		ok = 0;   /* RFC 4862 5.5.3 c: hosts ignore such a prefix */
	free(s);
	if (!ok) {
		fprintf(stderr, "iothradvd: bad prefix '%s' (addr/len/flags/valid/preferred, preferred <= valid)\n", spec);
		return -1;
	}
	prefixes[nprefixes++] = p;
	return 0;
}

static int parse_flags(const char *s, uint8_t *flags) {
	*flags = 0;
	for (; *s; s++)
		switch (*s) {
		case 'M': *flags |= ND_RA_FLAG_MANAGED; break;
		case 'O': *flags |= ND_RA_FLAG_OTHER; break;
		case 'H': *flags |= ND_RA_FLAG_HOME_AGENT; break;
		case 'h': *flags = (*flags & ~0x18) | 0x08; break;
		case 'l': *flags = (*flags & ~0x18) | 0x18; break;
		case 'P': *flags |= 0x04; break;
		case '-': break;
		default: return -1;
		}
	return 0;
}

/* tag [value] lines; '#' comments; the command line wins; prefix repeats */
static int read_rcfile(const char *path) {
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "iothradvd: %s: %s\n", path, strerror(errno));
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
		if (strcmp(tag, "prefix") == 0) {
			if (*val == 0 || parse_prefix(val) < 0) {
				fprintf(stderr, "iothradvd: %s:%d: prefix needs addr/len/flags/valid/preferred\n", path, lineno);
				ret = -1;
			}
			continue;
		}
		int i;
		for (i = 0; i < O_N && strcmp(tag, tags[i]) != 0; i++)
			;
		if (i == O_N) {
			fprintf(stderr, "iothradvd: %s:%d: unknown tag '%s'\n", path, lineno, tag);
			ret = -1;
		} else if (has_arg[i] && *val == 0) {
			fprintf(stderr, "iothradvd: %s:%d: '%s' needs a value\n", path, lineno, tag);
			ret = -1;
		} else if (!has_arg[i] && *val != 0) {
			fprintf(stderr, "iothradvd: %s:%d: '%s' takes no value\n", path, lineno, tag);
			ret = -1;
		} else if (opt[i] == NULL)
			opt[i] = strdup(val);
	}
	free(line);
	fclose(f);
	return ret;
}

/* The --stack rule: a value that begins with a URL scheme ("vde://...",
 * "vxvde://...": letters, digits, '+', '-', '.' then "://") is a VNL, and
 * iothradvd makes a ustack on it with "eth"; anything else is an iothconf
 * stack string (stack=NAME,vnl=VNL,eth,ip=...), even if it contains "://". */
static int is_vnl(const char *s) {
	if (!isalpha((unsigned char) *s))
		return 0;
	while (isalnum((unsigned char) *s) || *s == '+' || *s == '-' || *s == '.')
		s++;
	return strncmp(s, "://", 3) == 0;
}

int main(int argc, char *argv[]) {
	static const struct option longopts[] = {
		{"stack", required_argument, NULL, 's'}, {"rcfile", required_argument, NULL, 'f'},
		{"daemon", no_argument, NULL, 'd'}, {"pidfile", required_argument, NULL, 'p'},
		{"verbose", no_argument, NULL, 'v'}, {"period", required_argument, NULL, 'P'},
		{"iface", required_argument, NULL, 'i'}, {"macaddr", required_argument, NULL, 'm'},
		{"hoplimit", required_argument, NULL, 'H'}, {"flags", required_argument, NULL, 'F'},
		{"lifetime", required_argument, NULL, 'L'}, {"reachable", required_argument, NULL, 'r'},
		{"retransmit", required_argument, NULL, 'R'}, {"mtu", required_argument, NULL, 'M'},
		{"dns", required_argument, NULL, 'D'}, {"dnssearch", required_argument, NULL, 'S'},
		{"dnslifetime", required_argument, NULL, 1000 + O_DNSLIFETIME},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *rcfile = NULL;
	int c;
	while ((c = getopt_long(argc, argv, "s:f:dp:vP:i:m:H:F:L:r:R:M:D:S:h", longopts, NULL)) != -1) {
		int o = -1;
		for (int i = 0; i < O_N; i++)
			if ((shortopt[i] != 0 && c == shortopt[i]) || c == 1000 + i)
				o = i;
		if (c == 'f')
			rcfile = optarg;
		else if (c == 'h') {
			usage(stdout);
			return 0;
		} else if (c != '?' && o >= 0)
			opt[o] = optarg ? optarg : "";
		else {
			usage(stderr);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++)
		if (parse_prefix(argv[i]) < 0)
			return 2;
	if (rcfile != NULL && read_rcfile(rcfile) < 0)
		return 2;

	struct iothradata data = {.curhoplimit = 64, .router_lifetime = 1800};
	unsigned long v, period = 0;
	int bad = 0;
#define NUM(o, max, dst) do { if (opt[o] != NULL) { \
		if (parse_uint(opt[o], max, &v) < 0) { \
			fprintf(stderr, "iothradvd: bad %s '%s'\n", tags[o], opt[o]); bad = 1; \
		} else dst = v; } } while (0)
	NUM(O_PERIOD, 86400, period);
	NUM(O_HOPLIMIT, 255, data.curhoplimit);
	NUM(O_LIFETIME, 9000, data.router_lifetime);   /* RFC 4861 6.2.1: at most 9000 */
	NUM(O_REACHABLE, 3600000, data.reachable);      /* 6.2.1: at most one hour */
	NUM(O_RETRANSMIT, 0xffffffff, data.retransmit);
	NUM(O_MTU, 0xffffffff, data.mtu);
	if (opt[O_FLAGS] != NULL && parse_flags(opt[O_FLAGS], &data.flags) < 0) {
		fprintf(stderr, "iothradvd: bad flags '%s' (M O H h l P)\n", opt[O_FLAGS]);
		bad = 1;
	}
	if (opt[O_MTU] != NULL && data.mtu != 0 && data.mtu < 1280) {
		fprintf(stderr, "iothradvd: MTU %u is below the IPv6 minimum 1280\n", data.mtu);
		bad = 1;
	}
	struct in6_addr dns[IOTHRADVD_MAXDNS];
	int ndns = 0;
	if (opt[O_DNS] != NULL) {
		char *list = strdup(opt[O_DNS]), *save = NULL;
		for (char *t = strtok_r(list, ", \t", &save); t != NULL; t = strtok_r(NULL, ", \t", &save))
			if (ndns >= IOTHRADVD_MAXDNS || inet_pton(AF_INET6, t, &dns[ndns++]) != 1) {
				fprintf(stderr, "iothradvd: bad dns '%s' (at most %d IPv6 addresses)\n",
						opt[O_DNS], IOTHRADVD_MAXDNS);
				bad = 1;
				break;
			}
		free(list);
	}
	/* RFC 8106 5.1: by default at least 3 times the advertisement interval */
	unsigned long dnslifetime = 3 * period > 1800 ? 3 * period : 1800;
	NUM(O_DNSLIFETIME, 0xffffffff, dnslifetime);
	uint8_t mac[6];
	if (opt[O_MACADDR] != NULL && ioth_macton(opt[O_MACADDR], mac) < 0) {
		fprintf(stderr, "iothradvd: bad MAC address '%s'\n", opt[O_MACADDR]);
		bad = 1;
	}
	if (bad)
		return 2;
	if (nprefixes == 0 && opt[O_VERBOSE])
		fprintf(stderr, "iothradvd: no prefix: advertising the router only\n");
	const char *iface = opt[O_IFACE] ? opt[O_IFACE] : "vde0";

	if (opt[O_DAEMON] && daemon(0, 0) < 0) {
		perror("iothradvd: daemon");
		return 1;
	}
	if (opt[O_PIDFILE]) {
		FILE *f = fopen(opt[O_PIDFILE], "w");
		if (f == NULL) {
			fprintf(stderr, "iothradvd: %s: %s\n", opt[O_PIDFILE], strerror(errno));
			return 1;
		}
		fprintf(f, "%d\n", getpid());
		fclose(f);
	}

	struct ioth *stack = NULL;
	if (opt[O_STACK] != NULL) {
		char *conf;
		const char *mac_opt = opt[O_MACADDR] ? ",mac=" : "";
		const char *mac_val = opt[O_MACADDR] ? opt[O_MACADDR] : "";
		int n = is_vnl(opt[O_STACK]) ?
			asprintf(&conf, "stack=ustack,vnl=%s,eth%s%s", opt[O_STACK], mac_opt, mac_val) :
			asprintf(&conf, "%s%s%s", opt[O_STACK], mac_opt, mac_val);
		if (n < 0)
			return 1;
		if (opt[O_VERBOSE])
			fprintf(stderr, "iothradvd: stack %s\n", conf);
		stack = ioth_newstackc(conf);
		if (stack == NULL) {
			fprintf(stderr, "iothradvd: cannot make the stack '%s': %s\n", conf, strerror(errno));
			free(conf);
			return 1;
		}
		free(conf);
	} else if (opt[O_MACADDR] != NULL)
		fprintf(stderr, "iothradvd: --macaddr ignored on the kernel stack\n");
	int ifindex = ioth_if_nametoindex(stack, iface);
	if (ifindex <= 0) {
		fprintf(stderr, "iothradvd: no interface %s\n", iface);
		return 1;
	}
	struct sigaction sa = {.sa_handler = onsignal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	struct iothradvd *radvd = iothradvd_start(stack, ifindex, (int) period, &data, prefixes, nprefixes);
	if (radvd == NULL) {
		fprintf(stderr, "iothradvd: cannot start on %s: %s\n", iface, strerror(errno));
		return 1;
	}
	/* with a period, the daemon advertises again at once with the DNS
	 * options */
	if ((ndns > 0 || opt[O_DNSSEARCH] != NULL) &&
			iothradvd_setdns(radvd, dns, ndns, opt[O_DNSSEARCH], (uint32_t) dnslifetime) < 0) {
		fprintf(stderr, "iothradvd: bad dnssearch '%s'\n", opt[O_DNSSEARCH] ? opt[O_DNSSEARCH] : "");
		iothradvd_stop(radvd);
		return 2;
	}
	if (opt[O_VERBOSE]) {
		fprintf(stderr, "iothradvd: on %s (index %d), period %lu s, hop limit %u, flags 0x%02x, "
				"lifetime %u s, reachable %u ms, retransmit %u ms, mtu %u\n", iface, ifindex, period,
				data.curhoplimit, data.flags, data.router_lifetime, data.reachable, data.retransmit, data.mtu);
		for (int i = 0; i < nprefixes; i++) {
			char a[INET6_ADDRSTRLEN];
			inet_ntop(AF_INET6, &prefixes[i].prefix, a, sizeof(a));
			fprintf(stderr, "iothradvd: prefix %s/%u flags 0x%02x valid %u preferred %u\n", a,
					prefixes[i].prefixlen, prefixes[i].flags, prefixes[i].valid_time, prefixes[i].preferred_time);
		}
	}
	while (!quit) {
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
	}
	struct iothradvd_stats st;
	iothradvd_getstats(radvd, &st);
	iothradvd_stop(radvd);
	if (opt[O_VERBOSE])
		fprintf(stderr, "iothradvd: %llu advertisements sent, %llu solicitations answered, "
				"%llu dropped, %llu send errors\n", (unsigned long long) st.ra_sent,
				(unsigned long long) st.rs_received, (unsigned long long) st.rs_dropped,
				(unsigned long long) st.send_errors);
	if (stack != NULL)
		ioth_delstack(stack);
	if (opt[O_PIDFILE])
		unlink(opt[O_PIDFILE]);
	return 0;
}
