/*
 * A driver that runs a libFuzzer target on files, without libFuzzer: for
 * each file named on the command line, read it whole and pass it to
 * LLVMFuzzerTestOneInput().  The targets check their own promises and
 * abort when one breaks, so a plain build's `make check` runs the
 * corpus and the bundled scenarios through the same checks that
 * `./configure --enable-fuzzing` fuzzes from (tests/fuzz-corpus.sh).
 *
 * Exit status 0 when every input ran, 2 when a file could not be read;
 * a broken promise aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Read PATH whole into a malloc'ed buffer (*SIZE bytes); NULL on error. */
static uint8_t *
read_whole(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (n == cap) {
			uint8_t *nb;

			cap = cap ? 2 * cap : 4096;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*size = n;
	return buf;
}

int
main(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		size_t size = 0;
		uint8_t *buf = read_whole(argv[i], &size);

		if (buf == NULL) {
			fprintf(stderr, "replay: %s: cannot read it\n", argv[i]);
			rc = 2;
			continue;
		}
		LLVMFuzzerTestOneInput(buf, size);
		free(buf);
	}
	return rc;
}
