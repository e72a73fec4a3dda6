/* SPDX-License-Identifier: GPL-2.0-or-later
 * iothnamed: the configuration file (the original iothnamed's format).
 * One directive a line: stack, rstack, fstack, dns, net, auth, static,
 * option; '#' starts a comment line. Every error names its line and why. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <ioth.h>
#include <iothconf.h>
#include <iothdns.h>
#include "named_int.h"

struct nd_conf nd_conf = {.hashttl = ND_DEFAULT_HASHTTL, .backlog = ND_DEFAULT_BACKLOG,
	.tcptimeout = ND_DEFAULT_TCPTIMEOUT, .hrevmode = ND_HREV_ALWAYS};

struct nd_net *nd_nets[ND_MAXNETS];
char *nd_netnames[ND_MAXNETS];
int nd_nnets;
struct nd_auth *nd_auth_head;
static struct nd_auth **auth_tail = &nd_auth_head;
static int auth_active[ND_A_COUNT];
static int stack_seen[2];
struct nd_record *nd_static;

static const char *auth_names[ND_A_COUNT] = {"error", "accept", "static", "otip",
	"hash", "cache", "hrev", "fwd"};
/* arguments after the net names: name, base address, password */
static const int auth_nargs[ND_A_COUNT] = {1, 0, 1, 3, 2, 1, 1, 1};

static void report(FILE *errf, const char *path, int lineno, const char *fmt, ...) {
	va_list ap;
	if (errf == NULL)
		return;
	va_start(ap, fmt);
	if (lineno > 0)
		fprintf(errf, "%s:%d: ", path, lineno);
	else
		fprintf(errf, "%s: ", path);
	vfprintf(errf, fmt, ap);
	fputc('\n', errf);
	va_end(ap);
}

/* Split s in place into at most max words: blanks separate, "..." and
 * '...' quote, backslash escapes the next character. -1 if there are more
 * than max words or a quote is not closed. */
static int split(char *s, char **w, int max) {
	int n = 0;
	char *out = s;
	while (*s) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (n == max)
			return -1;
		w[n++] = out;
		char quote = 0;
		while (*s && (quote || (*s != ' ' && *s != '\t'))) {
			if (quote && *s == quote) {
				quote = 0;
				s++;
			} else if (!quote && (*s == '"' || *s == '\'')) {
				quote = *s++;
			} else if (*s == '\\' && s[1]) {
				*out++ = s[1];
				s += 2;
			} else
				*out++ = *s++;
		}
		if (quote)
			return -1;
		if (*s)
			s++;
		*out++ = '\0';
	}
	return n;
}

void nd_name_canon(char *dst, const char *src, size_t size) {
	size_t i;
	for (i = 0; src[i] && i + 1 < size; i++)
		dst[i] = tolower((unsigned char) src[i]);
	dst[i] = '\0';
	if (i > 0 && dst[i - 1] == '.')
		dst[i - 1] = '\0';
}

int nd_getnet(const char *name, int add) {
	for (int i = 0; i < nd_nnets; i++)
		if (strcmp(nd_netnames[i], name) == 0)
			return i;
	if (!add || nd_nnets >= ND_MAXNETS)
		return -1;
	if ((nd_netnames[nd_nnets] = strdup(name)) == NULL)
		return -1;
	return nd_nnets++;
}

/* "A.B.C.D[/N]" or "X:X::X[/N]": IPv4 as v4-mapped, prefix made IPv6 */
static int parse_prefix(const char *s, struct in6_addr *a, int *prefix) {
	char buf[INET6_ADDRSTRLEN + 8];
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	char *slash = strchr(buf, '/');
	long p = -1;
	if (slash) {
		char *end;
		*slash++ = '\0';
		p = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || p < 0)
			return -1;
	}
	struct in_addr v4;
	if (inet_pton(AF_INET, buf, &v4) == 1) {
		if (p > 32)
			return -1;
		memset(a, 0, sizeof(*a));
		a->s6_addr[10] = a->s6_addr[11] = 0xff;
		memcpy(&a->s6_addr[12], &v4, 4);
		*prefix = (p < 0 ? 32 : p) + 96;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, a) != 1 || p > 128)
		return -1;
	*prefix = p < 0 ? 128 : p;
	return 0;
}

void nd_revname_addr(int af, const void *addr, int prefix, char *dst, size_t size) {
	const uint8_t *v = addr;
	size_t pos = 0;
	dst[0] = '\0';
	if (af == AF_INET) {
		int bytes = prefix / 8;
		if (bytes > 4)
			bytes = 4;
		if (bytes < 4 && bytes > 0)
			pos += snprintf(dst + pos, size - pos, ".");
		for (int i = bytes - 1; i >= 0; i--)
			pos += snprintf(dst + pos, size - pos, "%u.", v[i]);
		snprintf(dst + pos, size - pos, "%s", "in-addr.arpa");
	} else {
		int nibbles = prefix / 4;
		if (nibbles > 32)
			nibbles = 32;
		if (nibbles < 32 && nibbles > 0)
			pos += snprintf(dst + pos, size - pos, ".");
		for (int i = nibbles - 1; i >= 0; i--) {
			int nib = (i & 1) ? (v[i / 2] & 0xf) : (v[i / 2] >> 4);
			pos += snprintf(dst + pos, size - pos, "%x.", nib);
		}
		snprintf(dst + pos, size - pos, "%s", "ip6.arpa");
	}
	/* a zero prefix is the whole reverse tree: ".in-addr.arpa" */
	if ((af == AF_INET && prefix < 8) || (af == AF_INET6 && prefix < 4)) {
		size_t l = strlen(dst);
		if (l + 2 <= size) {
			memmove(dst + 1, dst, l + 1);
			dst[0] = '.';
		}
	}
}

const char *nd_revname(const char *src, char *dst, size_t size) {
	struct in6_addr a;
	int prefix;
	if (parse_prefix(src, &a, &prefix) < 0)
		return NULL;
	if (IN6_IS_ADDR_V4MAPPED(&a))
		nd_revname_addr(AF_INET, &a.s6_addr[12], prefix - 96, dst, size);
	else
		nd_revname_addr(AF_INET6, &a, prefix, dst, size);
	return dst;
}

static int add_record(const char *name, int type, const void *data, size_t len) {
	struct nd_record *r = calloc(1, sizeof(*r) + len);
	if (r == NULL)
		return -1;
	nd_name_canon(r->name, name, sizeof(r->name));
	r->type = type;
	r->len = len;
	memcpy(r->data, data, len);
	struct nd_record **pp = &nd_static;
	while (*pp)
		pp = &(*pp)->next;
	*pp = r;
	return 0;
}

/* a name for a record: at most 255 bytes, labels of at most 63 */
static int valid_name(const char *s) {
	size_t len = strlen(s), label = 0;
	if (len == 0 || len > 253 + (s[len - 1] == '.'))
		return 0;
	for (; *s; s++) {
		if (*s == '.') {
			if (label == 0 && s[1] != '\0')
				return 0;
			label = 0;
		} else if (++label > 63)
			return 0;
	}
	return 1;
}

static int conf_static(char **w, int n, const char **why) {
	char rev[IOTHDNS_MAXNAME];
	if (n < 3)
		return *why = "static needs a type, a name and data", -1;
	if (!valid_name(w[1]) && nd_revname(w[1], rev, sizeof(rev)) == NULL)
		return *why = "bad record name", -1;
	if (strcasecmp(w[0], "A") == 0) {
		struct in_addr a;
		if (n != 3 || inet_pton(AF_INET, w[2], &a) != 1)
			return *why = "static A NAME IPV4ADDR", -1;
		return add_record(w[1], IOTHDNS_TYPE_A, &a, 4);
	} else if (strcasecmp(w[0], "AAAA") == 0) {
		struct in6_addr a;
		if (n != 3 || inet_pton(AF_INET6, w[2], &a) != 1)
			return *why = "static AAAA NAME IPV6ADDR", -1;
		return add_record(w[1], IOTHDNS_TYPE_AAAA, &a, 16);
	} else if (strcasecmp(w[0], "PTR") == 0) {
		if (n != 3 || !valid_name(w[2]))
			return *why = "static PTR ADDRESS-OR-NAME NAME", -1;
		/* the owner may be written as the address itself */
		const char *owner = w[1];
		if (nd_revname(w[1], rev, sizeof(rev)) != NULL) {
			if (strchr(w[1], '/'))
				return *why = "static PTR takes an address, not a prefix", -1;
			owner = rev;
		}
		return add_record(owner, IOTHDNS_TYPE_PTR, w[2], strlen(w[2]) + 1);
	} else if (strcasecmp(w[0], "CNAME") == 0 || strcasecmp(w[0], "NS") == 0) {
		if (n != 3 || !valid_name(w[2]))
			return *why = "static CNAME|NS NAME NAME", -1;
		return add_record(w[1], toupper((unsigned char) w[0][0]) == 'C' ?
				IOTHDNS_TYPE_CNAME : IOTHDNS_TYPE_NS, w[2], strlen(w[2]) + 1);
	} else if (strcasecmp(w[0], "MX") == 0) {
		char *end;
		long prio = n == 4 ? strtol(w[2], &end, 10) : -1;
		if (n != 4 || *w[2] == '\0' || *end != '\0' || prio < 0 || prio > 65535 || !valid_name(w[3]))
			return *why = "static MX NAME PREFERENCE NAME", -1;
		size_t l = strlen(w[3]) + 1;
		uint8_t buf[2 + IOTHDNS_MAXNAME];
		buf[0] = prio >> 8;
		buf[1] = prio;
		memcpy(buf + 2, w[3], l);
		return add_record(w[1], IOTHDNS_TYPE_MX, buf, 2 + l);
	} else if (strcasecmp(w[0], "TXT") == 0) {
		/* the strings, each with its length byte (RFC 1035 3.3.14) */
		uint8_t buf[65535];
		size_t len = 0;
		for (int i = 2; i < n; i++) {
			size_t l = strlen(w[i]);
			if (l > 255)
				return *why = "a TXT string is longer than 255 bytes", -1;
			if (len + 1 + l > 4096)
				return *why = "TXT record too long", -1;
			buf[len++] = l;
			memcpy(buf + len, w[i], l);
			len += l;
		}
		return add_record(w[1], IOTHDNS_TYPE_TXT, buf, len);
	}
	return *why = "unknown record type (A, AAAA, PTR, CNAME, NS, MX, TXT)", -1;
}

static int conf_option(char **w, int n, const char **why) {
	if (n != 2)
		return *why = "option NAME VALUE", -1;
	if (strcasecmp(w[0], "hrevmode") == 0) {
		static const char *modes[] = {"always", "net", "same", "never"};
		for (int i = 0; i < 4; i++)
			if (strcasecmp(w[1], modes[i]) == 0)
				return nd_conf.hrevmode = i, 0;
		return *why = "hrevmode is always, net, same or never", -1;
	}
	if (strcasecmp(w[0], "hashttl") != 0 && strcasecmp(w[0], "tcplistenbacklog") != 0 &&
			strcasecmp(w[0], "tcptimeout") != 0)
		return *why = "unknown option (hrevmode, hashttl, tcplistenbacklog, tcptimeout)", -1;
	char *end;
	long v = strtol(w[1], &end, 10);
	if (*w[1] == '\0' || *end != '\0' || v < 0 || v > INT32_MAX)
		return *why = "the value must be a number", -1;
	if (strcasecmp(w[0], "hashttl") == 0)
		nd_conf.hashttl = v;
	else if (strcasecmp(w[0], "tcplistenbacklog") == 0)
		nd_conf.backlog = v;
	else if (strcasecmp(w[0], "tcptimeout") == 0) {
		if (v == 0)
			return *why = "tcptimeout must be at least 1 second", -1;
		nd_conf.tcptimeout = v;
	} else
		return *why = "unknown option (hrevmode, hashttl, tcplistenbacklog, tcptimeout)", -1;
	return 0;
}

static int conf_auth(char **w, int n, const char **why) {
	int type;
	for (type = 0; type < ND_A_COUNT; type++)
		if (strcasecmp(w[0], auth_names[type]) == 0)
			break;
	if (n < 1 || type == ND_A_COUNT)
		return *why = "unknown auth type (accept, error, static, hash, hrev, otip, cache, fwd)", -1;
	if (n != 2 + auth_nargs[type]) {
		static const char *usage[ND_A_COUNT] = {"auth error NETS NAME", "auth accept NETS",
			"auth static NETS NAME", "auth otip NETS NAME BASEADDR PASSWORD",
			"auth hash NETS NAME BASEADDR", "auth cache NETS NAME", "auth hrev NETS PREFIX",
			"auth fwd NETS NAME"};
		return *why = usage[type], -1;
	}
	struct nd_auth *a = calloc(1, sizeof(*a));
	if (a == NULL)
		return *why = strerror(errno), -1;
	a->type = type;
	char nets[strlen(w[1]) + 1];
	strcpy(nets, w[1]);
	for (char *save, *s = strtok_r(nets, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		int i = nd_getnet(s, 0);
		if (i < 0) {
			free(a);
			return *why = "unknown net name (define it with net first)", -1;
		}
		a->nets |= (uint64_t) 1 << i;
	}
	if (auth_nargs[type] >= 1) {
		const char *name = w[2];
		char rev[IOTHDNS_MAXNAME];
		/* an address or prefix stands for its reverse domain */
		if (nd_revname(w[2], rev, sizeof(rev)) != NULL)
			name = rev;
		else if (strchr(w[2], '/')) {
			/* NAME/PREFIX: the prefix of NAME's address, resolved later */
			char *slash = strchr(w[2], '/'), *end;
			long p = strtol(slash + 1, &end, 10);
			if (slash[1] == '\0' || *end != '\0' || p < 0 || p > 128) {
				free(a);
				return *why = "bad prefix length", -1;
			}
			*slash = '\0';
			if (!valid_name(w[2])) {
				free(a);
				return *why = "bad name before the prefix", -1;
			}
			a->basename_rev = strdup(w[2]);
			a->rev_prefix = p;
			name = "";
		} else if (strcmp(w[2], ".") != 0 && !valid_name(w[2] + (w[2][0] == '.'))) {
			free(a);
			return *why = "bad domain name", -1;
		}
		nd_name_canon(a->name, name, sizeof(a->name));
		a->has_name = 1;
	}
	if (auth_nargs[type] >= 2) {
		if (inet_pton(AF_INET6, w[3], &a->base) != 1) {
			if (!valid_name(w[3])) {
				free(a);
				return *why = "the base address must be an IPv6 address or a name", -1;
			}
			a->basename = strdup(w[3]);
		}
	}
	if (auth_nargs[type] >= 3)
		a->pwd = strdup(w[4]);
	*auth_tail = a;
	auth_tail = &a->next;
	auth_active[type] = 1;
	return 0;
}

static int conf_stack(const char *dir, const char *value, int make, const char **why) {
	int both = strcasecmp(dir, "stack") == 0;
	int rs = both || strcasecmp(dir, "rstack") == 0;
	int kind = both ? 1 : 2;
	if (nd_conf.stack_kind != 0 && nd_conf.stack_kind != kind)
		return *why = "stack and rstack/fstack cannot be used together", -1;
	nd_conf.stack_kind = kind;
	struct ioth **sp = rs ? &nd_conf.rstack : &nd_conf.fstack;
	int *s = &stack_seen[rs ? 0 : 1];
	if (!make) {
		*s = 1;
		return 0;
	}
	if (!*s) {
		/* the first line creates the stack: stack= and vnl= go there */
		if ((*sp = ioth_newstackc(value)) == NULL)
			return *why = errno == EINVAL ? "cannot create the stack: invalid stack configuration" :
				"cannot create the stack", -1;
		if (both)
			nd_conf.fstack = *sp;
		*s = 1;
	} else {
		/* more lines add to its configuration (ioth_config adds ip=) */
		errno = 0;
		int rv = ioth_config(*sp, value);
		if (rv < 0)
			return *why = errno == EINVAL ? "invalid configuration (stack= and vnl= belong to the first line)" :
				"configuration failed", -1;
		if (errno != 0 && rv == 0)
			return *why = "configuration failed", -1;
	}
	return 0;
}

int nd_config_line(const char *path, int lineno, const char *line, FILE *errf, int make) {
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '#' || *line == '\0')
		return 0;
	size_t len = strlen(line);
	char dir[len + 1], value[len + 1];
	size_t i = 0;
	while (isalnum((unsigned char) line[i]))
		i++;
	memcpy(dir, line, i);
	dir[i] = '\0';
	if (i == 0 || (line[i] != '\0' && line[i] != ' ' && line[i] != '\t')) {
		report(errf, path, lineno, "syntax error: a line starts with a directive");
		return -1;
	}
	const char *v = line + i;
	while (*v == ' ' || *v == '\t')
		v++;
	strcpy(value, v);
	for (size_t l = strlen(value); l > 0 && strchr(" \t\r\n", value[l - 1]); l--)
		value[l - 1] = '\0';
	const char *why = NULL;
	int rv = 0;
	char *w[8];
	int n;
	if (strcasecmp(dir, "stack") == 0 || strcasecmp(dir, "rstack") == 0 ||
			strcasecmp(dir, "fstack") == 0) {
		if (value[0] == '\0')
			why = "the stack configuration is missing", rv = -1;
		else
			rv = conf_stack(dir, value, make, &why);
	} else if (strcasecmp(dir, "dns") == 0) {
		struct in6_addr a;
		int prefix;
		if (nd_conf.nfwd >= ND_MAXFWD)
			why = "up to three dns servers may be listed", rv = -1;
		else if (strchr(value, '/') || parse_prefix(value, &a, &prefix) < 0)
			why = "dns takes one IPv4 or IPv6 address", rv = -1;
		else
			nd_conf.fwd[nd_conf.nfwd++] = a;
	} else if (strcasecmp(dir, "net") == 0) {
		struct in6_addr a, mask;
		int prefix;
		if ((n = split(value, w, 8)) != 2)
			why = "net NAME ADDRESS/PREFIX", rv = -1;
		else if (parse_prefix(w[1], &a, &prefix) < 0)
			why = "bad address or prefix", rv = -1;
		else {
			int idx = nd_getnet(w[0], 1);
			struct nd_net *net = malloc(sizeof(*net));
			if (idx < 0 || net == NULL) {
				free(net);
				why = "too many net names (at most 64)", rv = -1;
			} else {
				memset(&mask, 0, sizeof(mask));
				for (int b = 0; b < prefix; b++)
					mask.s6_addr[b / 8] |= 0x80 >> (b % 8);
				net->addr = a;
				net->mask = mask;
				net->next = nd_nets[idx];
				nd_nets[idx] = net;
			}
		}
	} else if (strcasecmp(dir, "auth") == 0) {
		if ((n = split(value, w, 8)) < 0 || n < 2)
			why = "auth TYPE NETS [ARGS]", rv = -1;
		else
			rv = conf_auth(w, n, &why);
	} else if (strcasecmp(dir, "static") == 0) {
		if ((n = split(value, w, 8)) < 0)
			why = "too many words or an unclosed quote", rv = -1;
		else
			rv = conf_static(w, n, &why);
	} else if (strcasecmp(dir, "option") == 0) {
		if ((n = split(value, w, 8)) < 0)
			why = "option NAME VALUE", rv = -1;
		else
			rv = conf_option(w, n, &why);
	} else
		why = "unknown directive (stack, rstack, fstack, dns, net, auth, static, option)", rv = -1;
	if (rv < 0)
		report(errf, path, lineno, "%s: %s", dir, why ? why : "error");
	return rv < 0 ? -1 : 0;
}

int nd_read_config(const char *path, FILE *errf, int make) {
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		report(errf, path, 0, "%s", strerror(errno));
		return -1;
	}
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	int rv = 0;
	for (int lineno = 1; (len = getline(&line, &size, f)) >= 0; lineno++) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (strlen(line) != (size_t) len) {
			report(errf, path, lineno, "a NUL byte in the line");
			rv = -1;
			continue;
		}
		if (nd_config_line(path, lineno, line, errf, make) < 0)
			rv = -1;
	}
	free(line);
	fclose(f);
	if (rv == 0 && make)
		rv = nd_config_finish(path, errf);
	return rv;
}

/* the base address of a name: a static AAAA record, else ask the forwarders */
static int resolve_base(const char *name, struct in6_addr *a) {
	char canon[IOTHDNS_MAXNAME];
	nd_name_canon(canon, name, sizeof(canon));
	for (struct nd_record *r = nd_static; r; r = r->next)
		if (r->type == IOTHDNS_TYPE_AAAA && strcmp(r->name, canon) == 0) {
			memcpy(a, r->data, 16);
			return 0;
		}
	if (nd_conf.nfwd == 0)
		return -1;
	struct iothdns *dns = iothdns_init_strcfg(nd_conf.fstack, "");
	if (dns == NULL)
		return -1;
	for (int i = 0; i < nd_conf.nfwd; i++) {
		if (IN6_IS_ADDR_V4MAPPED(&nd_conf.fwd[i]))
			iothdns_add_nameserver(dns, AF_INET, &nd_conf.fwd[i].s6_addr[12]);
		else
			iothdns_add_nameserver(dns, AF_INET6, &nd_conf.fwd[i]);
	}
	int n = iothdns_lookup_aaaa(dns, canon, a, 1);
	iothdns_fini(dns);
	return n > 0 ? 0 : -1;
}

int nd_config_finish(const char *path, FILE *errf) {
	int rv = 0;
	for (struct nd_auth *a = nd_auth_head; a; a = a->next) {
		if (a->basename) {
			if (resolve_base(a->basename, &a->base) < 0) {
				report(errf, path, 0, "auth %s: cannot find the address of %s", auth_names[a->type],
						a->basename);
				rv = -1;
			}
		}
		if (a->basename_rev) {
			struct in6_addr base;
			if (resolve_base(a->basename_rev, &base) < 0) {
				report(errf, path, 0, "auth %s: cannot find the address of %s", auth_names[a->type],
						a->basename_rev);
				rv = -1;
			} else {
				char rev[IOTHDNS_MAXNAME];
				nd_revname_addr(AF_INET6, &base, a->rev_prefix, rev, sizeof(rev));
				nd_name_canon(a->name, rev, sizeof(a->name));
			}
		}
	}
	return rv;
}

void nd_config_free(void) {
	while (nd_auth_head) {
		struct nd_auth *n = nd_auth_head->next;
		free(nd_auth_head->basename);
		free(nd_auth_head->basename_rev);
		free(nd_auth_head->pwd);
		free(nd_auth_head);
		nd_auth_head = n;
	}
	auth_tail = &nd_auth_head;
	for (int i = 0; i < nd_nnets; i++) {
		while (nd_nets[i]) {
			struct nd_net *n = nd_nets[i]->next;
			free(nd_nets[i]);
			nd_nets[i] = n;
		}
		free(nd_netnames[i]);
		nd_netnames[i] = NULL;
	}
	nd_nnets = 0;
	while (nd_static) {
		struct nd_record *n = nd_static->next;
		free(nd_static);
		nd_static = n;
	}
	memset(auth_active, 0, sizeof(auth_active));
	memset(stack_seen, 0, sizeof(stack_seen));
	nd_conf.stack_kind = 0;
	nd_conf.nfwd = 0;
	nd_conf.hashttl = ND_DEFAULT_HASHTTL;
	nd_conf.hrevmode = ND_HREV_ALWAYS;
}

int nd_auth_active(int type) {
	return auth_active[type];
}

uint64_t nd_netmask_of(const struct in6_addr *from) {
	uint64_t m = 0;
	for (int i = 0; i < nd_nnets; i++)
		for (struct nd_net *n = nd_nets[i]; n; n = n->next) {
			int match = 1;
			for (int b = 0; b < 16 && match; b++)
				if ((from->s6_addr[b] & n->mask.s6_addr[b]) != (n->addr.s6_addr[b] & n->mask.s6_addr[b]))
					match = 0;
			if (match) {
				m |= (uint64_t) 1 << i;
				break;
			}
		}
	return m;
}

int nd_authck(int type, const struct in6_addr *from) {
	uint64_t m = nd_netmask_of(from);
	for (struct nd_auth *a = nd_auth_head; a; a = a->next)
		if (a->type == type && (a->nets & m))
			return 1;
	return 0;
}
