/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Shared by the plugins whose sockets are the host's file descriptors
 * (kernel, vdestack): every call of struct ioth_functions but socket
 * (each plugin makes its sockets its own way) is the system call. Header
 * only: each plugin is a module of its own. */
#ifndef IOTH_PLUGIN_SYSCALLS_H
#define IOTH_PLUGIN_SYSCALLS_H
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <ioth.h>

#define IOTH_SYSCALL(f, call) ((typeof((f)->call)) (void (*)(void)) call)

static inline void ioth_plugin_syscalls(struct ioth_functions *f) {
	f->close = IOTH_SYSCALL(f, close);
	f->bind = IOTH_SYSCALL(f, bind);
	f->connect = IOTH_SYSCALL(f, connect);
	f->listen = IOTH_SYSCALL(f, listen);
	f->accept = IOTH_SYSCALL(f, accept);
	f->getsockname = IOTH_SYSCALL(f, getsockname);
	f->getpeername = IOTH_SYSCALL(f, getpeername);
	f->setsockopt = IOTH_SYSCALL(f, setsockopt);
	f->getsockopt = IOTH_SYSCALL(f, getsockopt);
	f->shutdown = IOTH_SYSCALL(f, shutdown);
	f->ioctl = IOTH_SYSCALL(f, ioctl);
	f->fcntl = IOTH_SYSCALL(f, fcntl);
	f->read = IOTH_SYSCALL(f, read);
	f->readv = IOTH_SYSCALL(f, readv);
	f->recv = IOTH_SYSCALL(f, recv);
	f->recvfrom = IOTH_SYSCALL(f, recvfrom);
	f->recvmsg = IOTH_SYSCALL(f, recvmsg);
	f->write = IOTH_SYSCALL(f, write);
	f->writev = IOTH_SYSCALL(f, writev);
	f->send = IOTH_SYSCALL(f, send);
	f->sendto = IOTH_SYSCALL(f, sendto);
	f->sendmsg = IOTH_SYSCALL(f, sendmsg);
}

#endif
