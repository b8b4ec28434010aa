/*
 * Schedule strings: the record of the choices a run made, and the replay
 * policy that follows one; sched_int.h's struct sched holds both.  The
 * language is described under "Schedule strings" in blksim-scenario(5).
 */
#include <stdio.h>
#include <string.h>

#include "replay.h"
#include "sched_int.h"

/* "T1", "W2" or "D3" for action A, into BUF (at least 12 bytes; it is
 * written for every step of every run, so by hand, not by snprintf). */
const char *
replay_label(const struct sched *s, uint32_t a, char *buf, size_t size)
{
	char digits[11];
	unsigned n;
	size_t i = 0, k = 0;

	if (sched_act_is_post(a)) {
		buf[i++] = 'D';
		n = a - SCHED_MAX_ENTITIES + 1;
	} else {
		buf[i++] = s->ent[a]->role == SCHED_TASK ? 'T' : 'W';
		n = (unsigned)s->ent[a]->nth;
	}
	do {
		digits[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	while (k > 0 && i + 1 < size)
		buf[i++] = digits[--k];
	buf[i] = '\0';
	return buf;
}

/* A is among the NEN actions of EN. */
static bool
is_enabled(const uint32_t *en, size_t nen, uint32_t a)
{
	size_t i;

	for (i = 0; i < nen; i++)
		if (en[i] == a)
			return true;
	return false;
}

/* "T1, D2" into BUF. */
static void
list_enabled(const struct sched *s, const uint32_t *en, size_t nen,
    char *buf, size_t size)
{
	char lab[16];
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < nen; i++)
		sched_str_add(buf, size, "%s%s", i ? ", " : "",
		    replay_label(s, en[i], lab, sizeof(lab)));
}

/*
 * Parse the next replay token into *A: returns 1, 0 at the end of the
 * string, or -1 with *WHAT set to what is wrong.
 */
static int
replay_token(struct sched *s, uint32_t *a, const char **what)
{
	const char *p = s->rp;
	unsigned long n = 0;
	char kind;
	int k;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	kind = *p++;
	if ((kind != 'T' && kind != 'W' && kind != 'D') ||
	    *p < '0' || *p > '9') {
		*what = "is not an action (T<n>, W<n> or D<n>)";
		return -1;
	}
	while (*p >= '0' && *p <= '9' && n < 1000000)
		n = n * 10 + (unsigned long)(*p++ - '0');
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != ',' && *p != '\0') {
		*what = "is not an action (T<n>, W<n> or D<n>)";
		return -1;
	}
	if (*p == ',')
		p++;
	s->rp = p;
	*what = "names no action of this world";
	if (kind == 'D') {
		if (n == 0 || n > s->nact)
			return -1;
		*a = (uint32_t)(SCHED_MAX_ENTITIES + n - 1);
		return 1;
	}
	for (k = 0; k < s->nent; k++)
		if (s->ent[k]->nth == (int)n && (s->ent[k]->role ==
		    SCHED_TASK) == (kind == 'T')) {
			*a = (uint32_t)k;
			return 1;
		}
	return -1;
}

/* The replay policy: the string's next action among the NEN of s->en,
 * or false with a BAD_REPLAY outcome. */
bool
replay_choose(struct sched *s, size_t nen, uint32_t *a)
{
	const uint32_t *en = s->en;
	const char *start = s->rp, *what;
	char list[96], lab[16];
	int r;

	while (*start == ' ' || *start == '\t')
		start++;
	r = replay_token(s, a, &what);
	list_enabled(s, en, nen, list, sizeof(list));
	if (r == 0) {
		sched_fail(s, SCHED_BAD_REPLAY, "step %zu: the schedule "
		    "ends, but %s can run", s->steps + 1, list);
		return false;
	}
	if (r < 0) {
		sched_fail(s, SCHED_BAD_REPLAY, "step %zu: \"%.*s\" %s",
		    s->steps + 1, (int)strcspn(start, ","), start, what);
		return false;
	}
	if (!is_enabled(en, nen, *a)) {
		sched_fail(s, SCHED_BAD_REPLAY, "step %zu: %s cannot run "
		    "(enabled: %s)", s->steps + 1,
		    replay_label(s, *a, lab, sizeof(lab)), list);
		return false;
	}
	return true;
}

/* Append A to the schedule string, or mark it truncated. */
void
replay_note(struct sched *s, uint32_t a)
{
	char lab[16];
	size_t n;

	replay_label(s, a, lab, sizeof(lab));
	n = strlen(lab) + (s->slen > 0);
	if (s->truncated || s->slen + n >= sizeof(s->sched)) {
		s->truncated = true;
		return;
	}
	if (s->slen > 0)
		s->sched[s->slen++] = ',';
	memcpy(s->sched + s->slen, lab, strlen(lab) + 1);
	s->slen += strlen(lab);
}

/* At the end of a replayed run: a string that names more actions does
 * not fit the world. */
void
replay_end(struct sched *s)
{
	const char *what;
	uint32_t a;

	if (replay_token(s, &a, &what) != 0)
		sched_fail(s, SCHED_BAD_REPLAY, "the world ends after step "
		    "%zu, but the schedule goes on", s->steps);
}
