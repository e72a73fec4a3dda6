/* SPDX-License-Identifier: LGPL-2.1-or-later
 * ustack's own vxlan:// endpoint (link/vxlan.c), used by link/vde.c in
 * place of libvdeplug's module for VNLs that start with "vxlan://".
 * The same contract as libvdeplug's calls: -1 with errno (EAGAIN: nothing,
 * or a packet that is no frame for us). */
#ifndef USTACK_LINK_VXLAN_H
#define USTACK_LINK_VXLAN_H
#include <sys/types.h>

void *vx_open(const char *vnl);
int vx_datafd(void *conn);
ssize_t vx_recv(void *conn, void *buf, size_t len);
ssize_t vx_send(void *conn, const void *buf, size_t len);
void vx_close(void *conn);
#endif
