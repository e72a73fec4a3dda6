/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Capture (stack option pcap=FILE): every Ethernet frame of every VDE
 * interface of the stack, received or sent, appended to FILE in the
 * classic pcap format (microsecond timestamps, LINKTYPE_ETHERNET), so
 * that tcpdump -r and tshark read it. One writev per frame, with the
 * stack lock held (which orders the records): the file is complete at
 * every moment, and a reader may follow it while the stack runs. The
 * file is bounded (PCAP_MAX_BYTES): past it, frames are no longer
 * written. A frame that fails to be written stops the capture. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "link.h"

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_LINKTYPE_ETHERNET 1u
#define PCAP_SNAPLEN 65535u
#define PCAP_MAX_BYTES (1ull << 30)

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t sec, usec, caplen, len;
};

int pcap_open(struct ustack *s, const char *path) {
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	struct pcap_file_hdr h = {
		.magic = PCAP_MAGIC_USEC, .major = 2, .minor = 4,
		.snaplen = PCAP_SNAPLEN, .linktype = PCAP_LINKTYPE_ETHERNET,
	};
	if (write(fd, &h, sizeof(h)) != (ssize_t) sizeof(h)) {
		int e = errno ? errno : EIO;
		close(fd);
		return -e;
	}
	s->pcap_fd = fd;
	s->pcap_bytes = sizeof(h);
	return 0;
}

void pcap_frame(struct ustack *s, const uint8_t *frame, size_t len) {
	size_t cap = len > PCAP_SNAPLEN ? PCAP_SNAPLEN : len;
	if (s->pcap_bytes + sizeof(struct pcap_rec_hdr) + cap > PCAP_MAX_BYTES)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct pcap_rec_hdr r = {
		.sec = (uint32_t) ts.tv_sec, .usec = (uint32_t) (ts.tv_nsec / 1000),
		.caplen = (uint32_t) cap, .len = (uint32_t) len,
	};
	struct iovec iov[2] = {{&r, sizeof(r)}, {(void *) frame, cap}};
	ssize_t n = writev(s->pcap_fd, iov, 2);
	if (n != (ssize_t) (sizeof(r) + cap)) {
		/* a short or failed write would corrupt what follows: stop here */
		close(s->pcap_fd);
		s->pcap_fd = -1;
		return;
	}
	s->pcap_bytes += (uint64_t) n;
}
