/*
 * The standalone engine: replay files and directories (recursively, in
 * sorted order) through LLVMFuzzerTestOneInput, as OSS-Fuzz's reproduce and
 * ctest's corpus tests call it. Arguments starting with '-' are engine flags
 * (-runs=100, -timeout=25) and are ignored. Each input is copied into a
 * buffer of its exact size so ASan sees any over-read.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	uint8_t *buf;

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		return 1;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return 1;
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || (n && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	fprintf(stderr, "Running: %s (%ld bytes)\n", path, n);
	LLVMFuzzerTestOneInput(n ? buf : NULL, (size_t)n);
	free(buf);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, int *count)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t nn = 0, cap = 0;
	int bad = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "cannot stat %s\n", path);
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	d = opendir(path);
	if (!d)
		return 1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (nn == cap) {
			char **nb = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names));
			if (!nb)
				break;
			names = nb;
		}
		names[nn] = malloc(strlen(path) + strlen(de->d_name) + 2);
		if (names[nn])
			sprintf(names[nn++], "%s/%s", path, de->d_name);
	}
	closedir(d);
	if (names)
		qsort(names, nn, sizeof(*names), cmp);
	for (size_t i = 0; i < nn; i++) {
		bad |= run_path(names[i], count);
		free(names[i]);
	}
	free(names);
	return bad;
}

int main(int argc, char **argv)
{
	int bad = 0, count = 0;
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		bad |= run_path(argv[i], &count);
	}
	fprintf(stderr, "replay: %d passed, %d failed\n", bad ? 0 : count, bad);
	return bad;
}
