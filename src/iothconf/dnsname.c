/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Domain names in RFC 1035 wire format, as DHCPv6 (RFC 8415 10) and RA
 * DNSSL (RFC 8106 5.2) carry them: uncompressed, one after the other. */
#include <errno.h>
#include <string.h>
#include <ctype.h>
#include "iothconf_int.h"

static int label_char(int c) {
	return isalnum(c) || c == '-' || c == '_';
}

/* the user's names: RFC 1123 host names, '_' tolerated (service labels) */
int ic_dname_valid(const char *name) {
	size_t len = strlen(name), lab = 0;
	if (len == 0 || len > 253 + (name[len - 1] == '.'))
		return 0;
	if (name[len - 1] == '.')
		len--;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.') {
			/* RFC 1123 2.1: a label neither starts nor ends with '-' */
			if (lab == 0 || name[i - 1] == '-')
				return 0;
			lab = 0;
		} else if (!label_char((unsigned char) name[i]) || ++lab > 63)
			return 0;
		else if (lab == 1 && name[i] == '-')
			return 0;
	}
	return lab > 0 && name[len - 1] != '-';
}

int ic_dname_encode(const char *name, uint8_t *out, size_t outlen) {
	size_t o = 0;
	const char *p = name;
	if (!ic_dname_valid(name))
		return -EINVAL;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t) (dot - p) : strlen(p);
		if (o + 1 + l + 1 > outlen)
			return -ENOSPC;
		out[o++] = l;
		memcpy(out + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
	if (o + 1 > outlen)
		return -ENOSPC;
	out[o++] = 0;
	return o;
}

int ic_dnames_decode(const uint8_t *p, size_t len, char *out, size_t outlen) {
	size_t i = 0, o = 0;
	int count = 0;
	if (outlen == 0)
		return -ENOSPC;
	out[0] = 0;
	while (i < len) {
		if (p[i] == 0) {
			/* zero padding after the last name (RFC 8106 5.2) */
			i++;
			continue;
		}
		size_t start = o, namelen = 0;
		if (count > 0) {
			if (o + 1 >= outlen)
				return -ENOSPC;
			out[o++] = ' ';
		}
		for (;;) {
			if (i >= len)
				return -EBADMSG;   /* name runs past the option */
			uint8_t l = p[i++];
			if (l == 0)
				break;
			if (l > 63)
				return -EBADMSG;   /* compression or reserved label type */
			if (i + l > len)
				return -EBADMSG;
			namelen += l + 1;
			if (namelen > 255)
				return -EBADMSG;
			if (o + l + 2 > outlen)
				return -ENOSPC;
			if (o > start + (count > 0))
				out[o++] = '.';
			for (size_t k = 0; k < l; k++) {
				int c = p[i + k];
				if (!label_char(c))
					return -EBADMSG;   /* would break resolv.conf text */
				out[o++] = c;
			}
			i += l;
		}
		out[o] = 0;
		count++;
	}
	return count;
}
