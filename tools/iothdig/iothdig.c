/* SPDX-License-Identifier: GPL-2.0-or-later
 * iothdig: ask a DNS question through an ioth stack, print the answers as
 * "dig +short" does.
 *
 *   iothdig [-s STACKCONFIG] [-c RESOLVCONF] [-t] [@SERVER] NAME [TYPE]
 *   iothdig [-s STACKCONFIG] [-c RESOLVCONF] [-t] [@SERVER] -x ADDRESS
 *
 * STACKCONFIG is an iothconf string ("stack=vdestack,vnl=vde:///tmp/sw,
 * eth,ip=198.18.0.2/24,dns=198.18.0.1"); without -s the host kernel's
 * stack. The servers come from @SERVER (ADDR or ADDR#PORT), else from
 * -c FILE, else from the stack configuration (ioth_resolvconf), else
 * /etc/resolv.conf. -t: TCP only. The resolver's search list applies.
 *
 * Exit status: 0 an answer (even NXDOMAIN, as dig), 1 usage, 9 no server
 * answered, 10 other errors. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <ioth.h>
#include <iothdns.h>
#ifdef HAVE_IOTHCONF
#include <iothconf.h>
#endif

static const struct {
	const char *name;
	int type;
} types[] = {
	{"A", IOTHDNS_TYPE_A}, {"NS", IOTHDNS_TYPE_NS}, {"CNAME", IOTHDNS_TYPE_CNAME},
	{"SOA", IOTHDNS_TYPE_SOA}, {"NULL", IOTHDNS_TYPE_NULL}, {"PTR", IOTHDNS_TYPE_PTR},
	{"MX", IOTHDNS_TYPE_MX}, {"TXT", IOTHDNS_TYPE_TXT}, {"AAAA", IOTHDNS_TYPE_AAAA},
	{"SRV", IOTHDNS_TYPE_SRV}, {"ANY", IOTHDNS_TYPE_ANY},
};

static int parse_type(const char *s) {
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(s, types[i].name) == 0)
			return types[i].type;
	/* RFC 3597 5: TYPEnnn */
	if (strncasecmp(s, "TYPE", 4) == 0 && s[4]) {
		char *end;
		long v = strtol(s + 4, &end, 10);
		if (*end == '\0' && v > 0 && v < 65536)
			return v;
	}
	return -1;
}

/* TXT strings as dig prints them: quoted, with " and \ escaped and
 * non-printable bytes as \DDD */
static void print_string(const char *s) {
	putchar('"');
	for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\%03d", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void print_name(const char *n) {
	printf("%s.", n);
}

static int print_rr(int section, struct iothdns_rr *rr, struct iothdns_pkt *pkt, void *arg) {
	char buf[IOTHDNS_MAXNAME];
	char addr[INET6_ADDRSTRLEN];
	uint8_t raw[16];
	int *count = arg;
	if (section != IOTHDNS_SEC_ANSWER)
		return 0;
	(*count)++;
	switch (rr->type) {
		case IOTHDNS_TYPE_A:
			printf("%s\n", inet_ntop(AF_INET, iothdns_get_a(pkt, raw), addr, sizeof(addr)));
			break;
		case IOTHDNS_TYPE_AAAA:
			printf("%s\n", inet_ntop(AF_INET6, iothdns_get_aaaa(pkt, raw), addr, sizeof(addr)));
			break;
		case IOTHDNS_TYPE_CNAME:
		case IOTHDNS_TYPE_NS:
		case IOTHDNS_TYPE_PTR:
			print_name(iothdns_get_name(pkt, buf));
			putchar('\n');
			break;
		case IOTHDNS_TYPE_MX: {
			unsigned pref = iothdns_get_int16(pkt);
			printf("%u ", pref);
			print_name(iothdns_get_name(pkt, buf));
			putchar('\n');
			break;
		}
		case IOTHDNS_TYPE_SRV: {
			unsigned prio = iothdns_get_int16(pkt);
			unsigned weight = iothdns_get_int16(pkt);
			unsigned port = iothdns_get_int16(pkt);
			printf("%u %u %u ", prio, weight, port);
			print_name(iothdns_get_name(pkt, buf));
			putchar('\n');
			break;
		}
		case IOTHDNS_TYPE_TXT: {
			/* the strings fill the record */
			int left = rr->rdlength;
			int first = 1;
			while (left > 0) {
				char s[IOTHDNS_MAXSTRING + 1];
				iothdns_get_string(pkt, s);
				left -= 1 + strlen(s);
				if (!first)
					putchar(' ');
				print_string(s);
				first = 0;
			}
			putchar('\n');
			break;
		}
		case IOTHDNS_TYPE_SOA: {
			print_name(iothdns_get_name(pkt, buf));
			putchar(' ');
			print_name(iothdns_get_name(pkt, buf));
			for (int i = 0; i < 5; i++)
				printf(" %u", iothdns_get_int32(pkt));
			putchar('\n');
			break;
		}
		default: {
			/* RFC 3597 5: \# length hex */
			printf("\\# %u", rr->rdlength);
			if (rr->rdlength)
				putchar(' ');
			for (int i = 0; i < rr->rdlength; i++)
				printf("%02X", iothdns_get_int8(pkt));
			putchar('\n');
		}
	}
	return 0;
}

/* RFC 1035 3.5, RFC 3596 2.5 */
static int reverse_name(const char *addr, char *out, size_t size) {
	uint8_t a[16];
	if (inet_pton(AF_INET, addr, a) == 1) {
		snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa.", a[3], a[2], a[1], a[0]);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, a) == 1) {
		size_t len = 0;
		for (int i = 15; i >= 0; i--)
			len += snprintf(out + len, size - len, "%x.%x.", a[i] & 0xf, a[i] >> 4);
		snprintf(out + len, size - len, "ip6.arpa.");
		return 0;
	}
	return -1;
}

static struct ioth *make_stack(const char *config, char **resolvconf) {
	*resolvconf = NULL;
	if (config == NULL)
		return NULL;
#ifdef HAVE_IOTHCONF
	struct ioth *stack = ioth_newstackc(config);
	if (stack == NULL) {
		fprintf(stderr, "iothdig: cannot create the stack \"%s\": %s\n", config, strerror(errno));
		exit(10);
	}
	*resolvconf = ioth_resolvconf(stack, NULL);
	return stack;
#else
	/* without libiothconf: only the kernel stack */
	if (strcmp(config, "stack=kernel") == 0 || strcmp(config, "") == 0)
		return NULL;
	fprintf(stderr, "iothdig: built without libiothconf: only -s stack=kernel\n");
	exit(1);
#endif
}

static void usage(void) {
	fprintf(stderr, "usage: iothdig [-s STACKCONFIG] [-c RESOLVCONF] [-t] [@SERVER] NAME [TYPE]\n"
			"       iothdig [-s STACKCONFIG] [-c RESOLVCONF] [-t] [@SERVER] -x ADDRESS\n");
	exit(1);
}

int main(int argc, char *argv[]) {
	const char *stackconfig = NULL, *conffile = NULL, *server = NULL;
	const char *name = NULL, *typename = NULL, *reverse = NULL;
	int tcp = 0, opt;
	char revname[IOTHDNS_MAXNAME];
	ioth_set_license("GPL-2.0-or-later");
	/* "@server" may come anywhere, as with dig */
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '@') {
			server = argv[i] + 1;
			for (int j = i; j < argc - 1; j++)
				argv[j] = argv[j + 1];
			argc--;
			i--;
		}
	while ((opt = getopt(argc, argv, "s:c:tx:h")) != -1) {
		switch (opt) {
			case 's': stackconfig = optarg; break;
			case 'c': conffile = optarg; break;
			case 't': tcp = 1; break;
			case 'x': reverse = optarg; break;
			default: usage();
		}
	}
	if (reverse) {
		if (optind != argc || reverse_name(reverse, revname, sizeof(revname)) < 0)
			usage();
		name = revname;
		typename = "PTR";
	} else {
		if (optind >= argc || argc - optind > 2)
			usage();
		name = argv[optind];
		typename = argc - optind == 2 ? argv[optind + 1] : "A";
	}
	int type = parse_type(typename);
	if (type < 0) {
		fprintf(stderr, "iothdig: unknown type %s\n", typename);
		return 1;
	}
	char *stackresolv;
	struct ioth *stack = make_stack(stackconfig, &stackresolv);
	struct iothdns *dns;
	if (server) {
		char *cfg;
		if (asprintf(&cfg, "nameserver %s\n", server) < 0)
			return 10;
		dns = iothdns_init_strcfg(stack, cfg);
		free(cfg);
	} else if (conffile)
		dns = iothdns_init(stack, (char *) conffile);
	else if (stackresolv)
		dns = iothdns_init_strcfg(stack, stackresolv);
	else
		dns = iothdns_init(stack, NULL);
	free(stackresolv);
	if (dns == NULL) {
		fprintf(stderr, "iothdig: resolver configuration: %s\n", strerror(errno));
		return 10;
	}
	int count = 0;
	int rv = tcp ? iothdns_lookup_cb_tcp(dns, name, type, print_rr, &count) :
		iothdns_lookup_cb(dns, name, type, print_rr, &count);
	int status = 0;
	if (rv < 0) {
		switch (errno) {
			case ENOENT:
				fprintf(stderr, ";; %s: NXDOMAIN\n", name);
				break;
			case EAGAIN:
				fprintf(stderr, ";; %s: SERVFAIL\n", name);
				break;
			case ECONNREFUSED:
				/* a DNS answer code, not a refused connection */
				fprintf(stderr, ";; %s: REFUSED (the servers refused the query, or answered "
						"NOTIMP or FORMERR)\n", name);
				break;
			case ETIMEDOUT:
				fprintf(stderr, ";; connection timed out; no servers could be reached\n");
				status = 9;
				break;
			default:
				fprintf(stderr, ";; %s: %s\n", name, strerror(errno));
				status = 10;
		}
	}
	fflush(stdout);
	iothdns_fini(dns);
	if (stack)
		ioth_delstack(stack);
	return status;
}
