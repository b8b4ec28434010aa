/*
 * Folding report lines (wrap.h): greedy, word by word, so that the text
 * reads in order and each line is as full as it can be.  A word is a run
 * without spaces, cut after each comma when commas break too; a space
 * between words is dropped at a break, a comma stays on its line.
 */
#include <string.h>

#include "wrap.h"

/* The length of the word at W: up to a space, or just past a comma. */
static size_t
word_len(const char *w, bool commas)
{
	size_t len = strcspn(w, commas ? " ," : " ");

	return w[len] == ',' ? len + 1 : len;
}

/* Put TEXT on F in lines of at most WIDTH columns where words allow:
 * greedy breaking, since report lines are prose or schedule strings. */
void
wrap_put(FILE *f, const char *text, int indent, int cont, int width,
    bool commas)
{
	const char *w = text;
	int col = indent, start = indent;
	bool space = false;
	size_t len;

	fprintf(f, "%*s", indent, "");
	while (*w != '\0') {
		len = word_len(w, commas);
		if (col > start && col + space + (int)len > width) {
			fprintf(f, "\n%*s", cont, "");
			col = start = cont;
			space = false;
		}
		if (space && col > start) {
			fputc(' ', f);
			col++;
		}
		fwrite(w, 1, len, f);
		col += (int)len;
		w += len;
		space = *w == ' ';
		while (*w == ' ')
			w++;
	}
	fputc('\n', f);
}
