/* SPDX-License-Identifier: LGPL-2.1-or-later
 * License check between the program (ioth_set_license) and a plugin
 * (its ioth_NAME_license string), both SPDX expressions.
 *
 * A plugin without a license string, or under a license that allows linking
 * from any program (LGPL and the permissive ones), loads everywhere. A
 * copyleft plugin (GPL, AGPL) loads only in a program that declared a
 * license that may be combined with it. "A OR B" on either side is
 * compatible when any alternative is. The same license on both sides is
 * compatible, whatever it is. Anything else not understood is refused:
 * in doubt, deny. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "internal.h"

#define SPDX_PREFIX "SPDX-License-Identifier:"

/* Every string the program ever set is kept until the library unloads: a
 * loader on another thread may be reading the previous one. Programs set
 * their license once or twice, so the list stays tiny. */
struct license_str {
	struct license_str *next;
	char text[];
};
static _Atomic(struct license_str *) all_licenses;
static _Atomic(const char *) program_license;

void ioth_set_license(const char *license) {
	if (license == NULL) {
		atomic_store(&program_license, NULL);
		return;
	}
	size_t len = strlen(license) + 1;
	struct license_str *l = malloc(sizeof(*l) + len);
	if (l == NULL)
		return;
	memcpy(l->text, license, len);
	l->next = atomic_load(&all_licenses);
	while (!atomic_compare_exchange_weak(&all_licenses, &l->next, l))
		;
	atomic_store(&program_license, l->text);
}

__attribute__((destructor)) static void license_fini(void) {
	struct license_str *l = atomic_exchange(&all_licenses, NULL);
	while (l) {
		struct license_str *next = l->next;
		free(l);
		l = next;
	}
}

const char *ioth_program_license(void) {
	return atomic_load(&program_license);
}

static const char *skip_prefix(const char *s) {
	if (strncasecmp(s, SPDX_PREFIX, strlen(SPDX_PREFIX)) == 0)
		s += strlen(SPDX_PREFIX);
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static int permissive(const char *id) {
	static const char *const ids[] = {"MIT", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0",
		"ISC", "Zlib", "MPL-2.0", "0BSD", "Unlicense", "CC0-1.0", "BSL-1.0", NULL};
	if (strncasecmp(id, "LGPL-", 5) == 0)
		return 1;
	for (int i = 0; ids[i]; i++)
		if (strcasecmp(id, ids[i]) == 0)
			return 1;
	return 0;
}

/* Programs that may combine with a copyleft plugin license, by plugin id. */
static int copyleft_ok(const char *plugin, const char *prg) {
	static const struct {
		const char *plugin;
		const char *prg[6];
	} table[] = {
		{"GPL-2.0-only", {"GPL-2.0-only", "GPL-2.0-or-later", NULL}},
		{"GPL-2.0-or-later", {"GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0-only",
			"GPL-3.0-or-later", "AGPL-3.0-only", "AGPL-3.0-or-later"}},
		/* A GPL-2.0-or-later program may be conveyed under GPL-3.0. */
		{"GPL-3.0-only", {"GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later",
			"AGPL-3.0-only", "AGPL-3.0-or-later", NULL}},
		{"GPL-3.0-or-later", {"GPL-2.0-or-later", "GPL-3.0-only", "GPL-3.0-or-later",
			"AGPL-3.0-only", "AGPL-3.0-or-later", NULL}},
		{"AGPL-3.0-only", {"AGPL-3.0-only", "AGPL-3.0-or-later", NULL}},
		{"AGPL-3.0-or-later", {"AGPL-3.0-only", "AGPL-3.0-or-later", NULL}},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (strcasecmp(plugin, table[i].plugin) != 0)
			continue;
		for (int j = 0; j < 6 && table[i].prg[j]; j++)
			if (strcasecmp(prg, table[i].prg[j]) == 0)
				return 1;
		return 0;
	}
	return 0;
}

/* The deprecated SPDX forms still found in programs: "GPL-2.0+" is
 * GPL-2.0-or-later, a bare "GPL-2.0" is GPL-2.0-only (same for GPL-3.0,
 * AGPL-3.0). */
static void normalize_id(char *id, size_t size) {
	static const char *const bare[] = {"GPL-2.0", "GPL-3.0", "AGPL-3.0", NULL};
	size_t len = strlen(id);
	if (len > 1 && id[len - 1] == '+') {
		id[len - 1] = 0;
		if (len - 1 + strlen("-or-later") < size)
			strcat(id, "-or-later");
		return;
	}
	for (int i = 0; bare[i]; i++)
		if (strcasecmp(id, bare[i]) == 0 && len + strlen("-only") < size) {
			strcat(id, "-only");
			return;
		}
}

/* Split an "A OR B OR C" expression (parentheses dropped) into ids.
 * Return -1 for expressions with AND or WITH: those are compared whole. */
static int split_or(const char *expr, char ids[][64], int max) {
	int n = 0;
	const char *p = expr;
	while (*p && n < max) {
		while (*p == ' ' || *p == '(' || *p == ')')
			p++;
		const char *end = p;
		while (*end && *end != ' ' && *end != ')')
			end++;
		if (end > p) {
			size_t len = (size_t) (end - p);
			if (len >= 64)
				len = 63;
			if ((len == 3 && strncasecmp(p, "AND", 3) == 0) ||
					(len == 4 && strncasecmp(p, "WITH", 4) == 0))
				return -1;
			if (!(len == 2 && strncasecmp(p, "OR", 2) == 0)) {
				memcpy(ids[n], p, len);
				ids[n][len] = 0;
				normalize_id(ids[n], 64);
				n++;
			}
		}
		p = end;
	}
	return n;
}

int ioth_license_compatible(const char *prg_license, const char *plugin_license) {
	if (plugin_license == NULL)
		return 1;
	char plugin_ids[8][64], prg_ids[8][64];
	const char *plugin_expr = skip_prefix(plugin_license);
	int nplugin = split_or(plugin_expr, plugin_ids, 8);
	if (nplugin < 0)
		return prg_license && strcasecmp(skip_prefix(prg_license), plugin_expr) == 0;
	if (nplugin == 0)
		return 1; /* an empty license string states no requirement */
	for (int i = 0; i < nplugin; i++)
		if (permissive(plugin_ids[i]))
			return 1;
	if (prg_license == NULL)
		return 0;
	int nprg = split_or(skip_prefix(prg_license), prg_ids, 8);
	/* The very same license is always compatible (as in the original
	 * libioth): this admits a plugin under a license we do not know, e.g. a
	 * vendor's "LicenseRef-..." loaded by that vendor's programs. */
	for (int i = 0; i < nplugin; i++)
		for (int j = 0; j < nprg; j++)
			if (strcasecmp(plugin_ids[i], prg_ids[j]) == 0 ||
					copyleft_ok(plugin_ids[i], prg_ids[j]))
				return 1;
	return 0;
}
