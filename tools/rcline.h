/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The configuration files of the daemons (iothradvd, namedhcp): lines of
 * "tag value", blank lines and '#' comments. */
#ifndef IOTH_TOOLS_RCLINE_H
#define IOTH_TOOLS_RCLINE_H
#include <ctype.h>
#include <string.h>

/* Split line in place: 0 and *tag, *val (trimmed, maybe empty), or -1 for
 * a blank or comment line. */
static inline int rcline_split(char *line, char **tag, char **val) {
	char *p = line;
	while (isspace((unsigned char) *p))
		p++;
	if (*p == 0 || *p == '#')
		return -1;
	*tag = p;
	while (*p && !isspace((unsigned char) *p))
		p++;
	if (*p)
		*p++ = 0;
	while (isspace((unsigned char) *p))
		p++;
	char *e = p + strlen(p);
	while (e > p && isspace((unsigned char) e[-1]))
		*--e = 0;
	*val = p;
	return 0;
}
#endif
