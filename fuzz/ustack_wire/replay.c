/* SPDX-License-Identifier: LGPL-2.1-or-later
 * Replays a fuzz target's committed corpus without libFuzzer, so that
 * `make check` (plain and ASan+UBSan, gcc or clang) runs every seed and
 * every crash reproducer kept in the corpus through the target's
 * invariants. Inputs: the files of FUZZ_CORPUS_DIR, or of the directories
 * or files given as arguments. Exit 0 when all ran, 1 on a read error,
 * 77 (skip) when there is no input at all; an invariant failure aborts. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = malloc(cap);
	size_t n;
	while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf == NULL) {
		fprintf(stderr, "%s: out of memory\n", path);
		return -1;
	}
	/* an exact-size copy, so AddressSanitizer sees any overread */
	uint8_t *exact = malloc(len ? len : 1);
	if (exact == NULL) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 1;
}

static int run_path(const char *path) {
	struct stat st;
	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	DIR *d = opendir(path);
	if (d == NULL) {
		perror(path);
		return -1;
	}
	int count = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		int rc = run_path(p);
		if (rc < 0) {
			count = -1;
			break;
		}
		count += rc;
	}
	closedir(d);
	return count;
}

int main(int argc, char **argv) {
	int total = 0;
#ifdef FUZZ_CORPUS_DIR
	if (argc < 2) {
		total = run_path(FUZZ_CORPUS_DIR);
		if (total < 0)
			return 1;
	}
#endif
	for (int i = 1; i < argc; i++) {
		int rc = run_path(argv[i]);
		if (rc < 0)
			return 1;
		total += rc;
	}
	if (total == 0) {
		printf("SKIP: no corpus input\n");
		return 77;
	}
	printf("%d inputs replayed\n", total);
	return 0;
}
