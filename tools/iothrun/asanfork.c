/* SPDX-License-Identifier: LGPL-2.1-or-later
 * libiothrun in an AddressSanitizer build: the locks libasan leaves open
 * at fork, taken around it.
 *
 * GCC 12's libasan (Debian 12) does nothing at fork: a thread that holds
 * one of its allocator's locks while another thread forks leaves that lock
 * held forever in the child (the thread that would release it does not
 * exist there), and the child's first allocation that needs it waits
 * forever. The owner of a shared stack always has threads that allocate
 * (ustack's event thread, one server thread per process sharing the
 * stack), so its forked children (nginx's workers, python3's children and
 * their own children, which inherit the held lock) hung so: seen with gdb,
 * a grandchild waiting in SizeClassAllocator64::GetFromAllocator for the
 * region mutex of size class 36 (an 8 KiB batch of the quarantine), its
 * parent single-threaded, the lock held since the owner's fork.
 * Later sanitizer runtimes take these locks around fork themselves (LLVM
 * 18's InstallAtForkHandler: the thread registry, the allocator, the stack
 * depot). Here the same functions are called from a pthread_atfork
 * handler: libasan does not export them, but its symbol table (.symtab,
 * not stripped in Debian's libasan8) names them, so they are found in the
 * library's file and called at its load address:
 *   __lsan::LockThreadRegistry / UnlockThreadRegistry   (asan's thread registry)
 *   __asan::asan_mz_force_lock / asan_mz_force_unlock    (the allocator: every
 *                                                         size class, the large
 *                                                         allocator, the fallback)
 *   __sanitizer::StackDepotLockAll / StackDepotUnlockAll (the stack depot)
 * The handler is registered before any other of the process's stack
 * (before the stack is made: ustack's child handler frees, iothrun's
 * prepare allocates), so its prepare runs after every other prepare and its
 * parent/child handlers before the others: nothing allocates while the
 * locks are held. (A library that registered a handler before libiothrun's
 * constructor would run its child handler with the locks held.) A libasan without those symbols: nothing is done (and
 * IOTHRUN_DEBUG says so). In a plain build this file is empty. */
#define _GNU_SOURCE
#include "iothrun_int.h"

#if defined(__SANITIZE_ADDRESS__)
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef void (*fn)(void);

static const char *const names[] = {
	"_ZN6__lsan18LockThreadRegistryEv",
	"_ZN6__asan18asan_mz_force_lockEv",
	"_ZN11__sanitizer17StackDepotLockAllEv",
	"_ZN11__sanitizer19StackDepotUnlockAllEv",
	"_ZN6__asan20asan_mz_force_unlockEv",
	"_ZN6__lsan20UnlockThreadRegistryEv",
};
#define NFN (sizeof(names) / sizeof(names[0]))
static fn fns[NFN];

struct where {
	char path[4096];
	ElfW(Addr) base;
};

static int find_asan(struct dl_phdr_info *info, size_t size, void *arg) {
	(void) size;
	struct where *w = arg;
	if (info->dlpi_name && strstr(info->dlpi_name, "/libasan.so")) {
		snprintf(w->path, sizeof(w->path), "%s", info->dlpi_name);
		w->base = info->dlpi_addr;
		return 1;
	}
	return 0;
}

/* the symbols of names[] in the file's .symtab, relocated by base */
static int lookup(const struct where *w) {
	int fd = open(w->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	void *map = MAP_FAILED;
	if (fstat(fd, &st) == 0 && (size_t) st.st_size > sizeof(ElfW(Ehdr)))
		map = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	const char *f = map;
	size_t fsize = (size_t) st.st_size;
	const ElfW(Ehdr) *eh = map;
	int found = 0;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0 && eh->e_shoff > 0 &&
			eh->e_shoff + (size_t) eh->e_shnum * sizeof(ElfW(Shdr)) <= fsize) {
		const ElfW(Shdr) *sh = (const ElfW(Shdr) *) (f + eh->e_shoff);
		for (unsigned i = 0; i < eh->e_shnum; i++) {
			if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
				continue;
			const ElfW(Shdr) *strs = &sh[sh[i].sh_link];
			if (sh[i].sh_offset + sh[i].sh_size > fsize || strs->sh_offset + strs->sh_size > fsize)
				break;
			const ElfW(Sym) *sym = (const ElfW(Sym) *) (f + sh[i].sh_offset);
			size_t n = sh[i].sh_size / sizeof(ElfW(Sym));
			for (size_t k = 0; k < n; k++) {
				if (ELF64_ST_TYPE(sym[k].st_info) != STT_FUNC || sym[k].st_value == 0 ||
						sym[k].st_name >= strs->sh_size)
					continue;
				const char *nm = f + strs->sh_offset + sym[k].st_name;
				for (size_t j = 0; j < NFN; j++)
					if (fns[j] == NULL && strcmp(nm, names[j]) == 0) {
						fns[j] = (fn) (w->base + sym[k].st_value);
						found++;
					}
			}
			break;
		}
	}
	munmap(map, fsize);
	return found == (int) NFN ? 0 : -1;
}

static void before(void) {
	for (size_t j = 0; j < NFN / 2; j++)
		fns[j]();
}

static void after(void) {
	for (size_t j = NFN / 2; j < NFN; j++)
		fns[j]();
}

void iothrun_asan_fork_init(void) {
	static struct where w;
	if (dl_iterate_phdr(find_asan, &w) == 0 || lookup(&w) < 0) {
		if (iothrun_debug)
			iothrun_log("libasan's allocator locks not found (%s): no lock around fork",
					w.path[0] ? w.path : "no libasan");
		return;
	}
	pthread_atfork(before, after, after);
	if (iothrun_debug)
		iothrun_log("libasan's allocator, thread registry and stack depot locked around fork (%s)",
				w.path);
}
#else
void iothrun_asan_fork_init(void) {
}
#endif
