/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libFuzzer target: the configuration string parser of libiothconf. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "iothconf_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	struct ic_request req;
	for (int mode = 0; mode < 3; mode++)
		if (ic_parse(s, mode, &req) == 0)
			ic_request_free(&req);
	free(s);
	return 0;
}
