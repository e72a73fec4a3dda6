/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Included first in every file of libiothradvd (-include): only the
 * declarations of iothradvd.h are exported. */
#pragma GCC visibility push(default)
#include <iothradvd.h>
#pragma GCC visibility pop
