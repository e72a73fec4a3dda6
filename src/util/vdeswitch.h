/* SPDX-License-Identifier: LGPL-2.1-or-later
 * An embedded VDE switch: the calling process becomes a switch at a path of
 * its own, so the demo, tests and benchmarks need no external process.
 * Stacks (in this process or others) join it with "vde://PATH". */
#ifndef IOTH_UTIL_VDESWITCH_H
#define IOTH_UTIL_VDESWITCH_H

struct vdeswitch;

/* Start a switch. If path is NULL a unique one under /tmp is made up.
 * Return NULL with errno set on failure. */
struct vdeswitch *vdeswitch_start(const char *path);
/* The VNL that joins the switch, e.g. "vde:///tmp/ioth-sw-1234-0". */
const char *vdeswitch_vnl(const struct vdeswitch *sw);
/* Stop forwarding, close the switch and remove its directory. */
void vdeswitch_stop(struct vdeswitch *sw);

#endif
