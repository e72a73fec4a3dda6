/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Included first in every file of libiothdns (-include): the declarations
 * of iothdns.h get default visibility, everything else is hidden
 * (-fvisibility=hidden), so the exported ABI is exactly the header. */
#pragma GCC visibility push(default)
#include <iothdns.h>
#pragma GCC visibility pop
