/* SPDX-License-Identifier: LGPL-2.1-or-later
 * The `kernel` plugin: the host's own stack. Every call is the system call;
 * the plugin exists so that "kernel" can be named like any other stack
 * (ioth_newstack("kernel", NULL)), e.g. on a command line. The host's
 * interfaces are what they are: VNLs are ignored, as the original kernel
 * plugin ignores them (programs run as `vdens vde:// prog kernel VNL`). */
#include <errno.h>
#include <ioth.h>

#define EXPORT __attribute__((visibility("default")))
#define SYSCALL(call) ((typeof(f->call)) (void (*)(void)) call)

EXPORT const char *ioth_kernel_license = "SPDX-License-Identifier: LGPL-2.1-or-later";

/* The stack data only needs to be non-NULL and unique per stack. */
static char kernel_stack;

EXPORT void *ioth_kernel_newstack(const char *vnlv[], const char *options,
		struct ioth_functions *f) {
	f->socket = SYSCALL(socket);
	f->close = SYSCALL(close);
	f->bind = SYSCALL(bind);
	f->connect = SYSCALL(connect);
	f->listen = SYSCALL(listen);
	f->accept = SYSCALL(accept);
	f->getsockname = SYSCALL(getsockname);
	f->getpeername = SYSCALL(getpeername);
	f->setsockopt = SYSCALL(setsockopt);
	f->getsockopt = SYSCALL(getsockopt);
	f->shutdown = SYSCALL(shutdown);
	f->ioctl = SYSCALL(ioctl);
	f->fcntl = SYSCALL(fcntl);
	f->read = SYSCALL(read);
	f->readv = SYSCALL(readv);
	f->recv = SYSCALL(recv);
	f->recvfrom = SYSCALL(recvfrom);
	f->recvmsg = SYSCALL(recvmsg);
	f->write = SYSCALL(write);
	f->writev = SYSCALL(writev);
	f->send = SYSCALL(send);
	f->sendto = SYSCALL(sendto);
	f->sendmsg = SYSCALL(sendmsg);
	return &kernel_stack;
}

EXPORT int ioth_kernel_delstack(void *stackdata) {
	return 0;
}
