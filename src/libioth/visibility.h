/* Force-included in every libioth source: the public header's declarations
 * get default visibility, everything else stays hidden
 * (-fvisibility=hidden), so the exported ABI is exactly ioth.h's. */
#pragma GCC visibility push(default)
#include <ioth.h>
#pragma GCC visibility pop
