/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The stack option string ("ustack,mac=...,mtu=..."), through the plugin's
 * own entry point: the input, as a string, is the options of a new stack
 * with no VNL. Either a stack is made (and deleted) or it fails with
 * errno set; never a crash or a leak. Inputs with pcap= or snmp= are
 * skipped (those options create the file they name). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ioth.h>

void *ioth_ustack_newstack(const char *vnlv[], const char *options, struct ioth_functions *f);
int ioth_ustack_delstack(void *stackdata);

static void *no_stack(void) {
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	if (size > 4096)
		return 0;
	char *options = malloc(size + 1);
	memcpy(options, data, size);
	options[size] = '\0';
	/* pcap=FILE and snmp=FILE make (truncate) FILE: never with a fuzzed
	 * name */
	if (strstr(options, "pcap=") || strstr(options, "snmp=")) {
		free(options);
		return 0;
	}
	const char *vnlv[] = {NULL};
	struct ioth_functions f = {.getstackdata = no_stack};
	errno = 0;
	void *st = ioth_ustack_newstack(vnlv, options, &f);
	if (st)
		ioth_ustack_delstack(st);
	else if (errno == 0)
		__builtin_trap(); /* a failure must say why */
	free(options);
	return 0;
}
