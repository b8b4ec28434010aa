/*
 * Write faults (wfault.h): the set armed on a device, and a write bio
 * meeting them.
 *
 * A bio is handled in three steps.  First its plan: one action per
 * sector (write, lose, tear, misdirect), from the armed faults in the
 * order they were armed (the first to claim a sector wins) and then the
 * random faults; a WFAULT_ERROR fails the bio at once.  Then the writes:
 * runs of plain sectors go to the copy as they are, the others as their
 * fault says.  Last, the marks: every sector a fault kept from its write
 * is stale, every victim of a misdirect misdirected.  Each fault that
 * fired is traced once per bio (TRACE_WFAULT), each random hit once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dev.h"
#include "fei.h"
#include "fs.h"
#include "imap.h"
#include "inode.h"
#include "mirror.h"
#include "range.h"
#include "rng.h"
#include "trace.h"
#include "wfault.h"
#include "xmalloc.h"

void
wfault_init(struct wfault_set *w)
{
	memset(w, 0, sizeof(*w));
}

void
wfault_destroy(struct wfault_set *w)
{
	free(w->v);
	memset(w, 0, sizeof(*w));
}

void
wfault_clone(struct wfault_set *dst, const struct wfault_set *src)
{
	*dst = *src;
	dst->v = NULL;
	dst->cap = src->n;
	if (src->n > 0) {
		dst->v = xreallocarray(NULL, src->n, sizeof(*dst->v));
		memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	}
}

void
wfault_add(struct wfault_set *w, const struct wfault *f)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 4;
		w->v = xreallocarray(w->v, w->cap, sizeof(*w->v));
	}
	w->v[w->n++] = *f;
}

int
wfault_check(const struct wfault_set *w, int copies, const char **why)
{
	const struct wfault_random *r = &w->random;

	for (size_t i = 0; i < w->n; i++) {
		const struct wfault *f = &w->v[i];

		if (f->copy < 1 || f->copy > copies || f->kind >= WFAULT_KINDS ||
		    f->start >= f->end || f->left == 0 ||
		    (f->kind == WFAULT_TORN && f->arg == 0)) {
			*why = "a write fault is malformed (copy, kind, range, "
			    "count or torn bytes)";
			return -1;
		}
	}
	if (r->num != 0 && (r->den == 0 || r->num > r->den || r->kinds == 0 ||
	    (r->kinds & ~((1u << WFAULT_KINDS) - 1)) != 0)) {
		*why = "the random write faults have a bad rate or no kind";
		return -1;
	}
	return 0;
}

/* --- the plan of one bio --------------------------------------------------- */

/* What happens to one sector of the bio. */
struct action {
	uint8_t		kind;		/* WFAULT_* + 1; 0: written as is */
	uint64_t	arg;		/* torn bytes, or where it lands */
};

struct bio {
	struct fs	*fs;
	int		 k;
	uint64_t	 logical;	/* of sector 0 */
	uint32_t	 ino;		/* 0: no owner */
	uint64_t	 file_off;	/* of sector 0 */
	uint64_t	 n;		/* sectors */
	uint64_t	 ss;
	struct action	*act;		/* n of them, or NULL: none faulted */
};

/*
 * The file and file offset whose extent holds logical L (the extent
 * items' backrefs, by walking every inode: only scrub write-backs ask,
 * one sector at a time).  False when no file's item covers L.
 */
static bool
owner_of(struct fs *fs, uint64_t l, uint32_t *ino, uint64_t *off)
{
	for (size_t i = 1; i <= fs_ninodes(fs); i++) {
		struct fs_inode *ip = fs_inode(fs, (uint32_t)i);
		const struct fei_tree *items = inode_items(fs, ip);

		for (const struct fei_item *it = fei_first(items); it != NULL;
		    it = fei_next(items, it)) {
			uint64_t s = it->disk_bytenr + it->offset;

			if (it->disk_bytenr != 0 && l >= s &&
			    l - s < it->num_bytes) {
				*ino = (uint32_t)i;
				*off = it->file_offset + (l - s);
				return true;
			}
		}
	}
	return false;
}

/* Sector I of the bio: claimed by a fault already. */
static bool
claimed(const struct bio *b, uint64_t i)
{
	return b->act != NULL && b->act[i].kind != 0;
}

static void
claim(struct bio *b, uint64_t i, enum wfault_kind kind, uint64_t arg)
{
	if (b->act == NULL)
		b->act = xcalloc(b->n, sizeof(*b->act));
	b->act[i].kind = (uint8_t)(kind + 1);
	b->act[i].arg = arg;
}

/*
 * The sectors [*first, *last) of the bio that fault F's range covers, or
 * false if none.
 */
static bool
overlap(const struct bio *b, const struct wfault *f, uint64_t *first,
    uint64_t *last)
{
	uint64_t base, s, t;

	if (f->copy != b->k || (f->ino != 0 && f->ino != b->ino))
		return false;
	base = f->ino != 0 ? b->file_off : b->logical;
	s = f->start > base ? f->start : base;
	t = f->end < base + b->n * b->ss ? f->end : base + b->n * b->ss;
	if (s >= t)
		return false;
	*first = (s - base) / b->ss;
	*last = (t - base + b->ss - 1) / b->ss;
	return true;
}

/*
 * Fault F meets the bio: use one of its writes and claim its sectors.
 * True if it fails the whole bio.
 */
static bool
fire(struct bio *b, struct wfault_set *w, size_t fi)
{
	struct wfault *f = &w->v[fi];
	uint64_t first, last, base;

	if (!overlap(b, f, &first, &last))
		return false;
	fs_emit(b->fs, TRACE_WFAULT, b->ino, b->logical + first * b->ss,
	    f->kind == WFAULT_MISDIRECT ? f->arg + ((f->ino ? b->file_off :
	    b->logical) + first * b->ss - f->start) : b->file_off +
	    first * b->ss, (uint64_t)b->k, (uint64_t)f->kind);
	if (f->kind == WFAULT_ERROR) {
		if (f->left != WFAULT_EVERY)
			f->left--;
		return true;
	}
	base = f->ino != 0 ? b->file_off : b->logical;
	for (uint64_t i = first; i < last; i++) {
		uint64_t arg = f->arg;

		if (claimed(b, i))
			continue;
		if (f->kind == WFAULT_MISDIRECT)
			arg = f->arg + (base + i * b->ss - f->start);
		claim(b, i, f->kind, arg);
	}
	if (f->left != WFAULT_EVERY)
		f->left--;
	return false;
}

/* Drop the faults with no write left. */
static void
sweep(struct wfault_set *w)
{
	size_t j = 0;

	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].left != 0)
			w->v[j++] = w->v[i];
	w->n = j;
}

/* Some copy other than K holds sector L intact (the fault atlas). */
static bool
other_intact(struct fs *fs, int k, uint64_t l)
{
	for (int j = 1; j <= (int)fs_cfg(fs)->mirrors; j++)
		if (j != k && dev_sector_intact(fs, fs_dev(fs), j, l))
			return true;
	return false;
}

/*
 * A written sector of copy K, other than [avoid, avoid + ss), drawn from
 * the fault stream, for a random misdirect; false if none (or, when
 * SAFE, if the one drawn keeps no other intact copy).
 */
static bool
victim(struct fs *fs, int k, uint64_t avoid, bool safe, uint64_t *out)
{
	const struct imap *c = &dev_mirror(fs, fs_dev(fs), k)->content;
	uint64_t ss = fs_sectorsize(fs), total = 0, pick;

	/* Each run counts the sectors it touches (a torn write leaves runs
	   that end inside a sector; a sector two runs share counts twice,
	   a small bias the fault stream does not mind). */
	for (const struct imap_ent *e = imap_first(c); e != NULL;
	    e = imap_next(c, e))
		total += (range_round_up(e->end, ss) -
		    range_round_down(e->start, ss)) / ss;
	if (total < 2)
		return false;
	pick = rng_below(fs_rng(fs), total);
	for (const struct imap_ent *e = imap_first(c); e != NULL;
	    e = imap_next(c, e)) {
		uint64_t s = range_round_down(e->start, ss);
		uint64_t n = (range_round_up(e->end, ss) - s) / ss;

		if (pick >= n) {
			pick -= n;
			continue;
		}
		*out = s + pick * ss;
		break;
	}
	if (*out == avoid)
		return false;
	return !safe || other_intact(fs, k, *out);
}

/* The random write faults' hits on the sectors no armed fault claimed. */
static void
random_hits(struct bio *b, const struct wfault_random *r)
{
	struct fs *fs = b->fs;
	struct rng *rng = fs_rng(fs);
	unsigned kinds[WFAULT_KINDS], nk = 0;

	for (unsigned q = 0; q < WFAULT_KINDS; q++)
		if (r->kinds & (1u << q))
			kinds[nk++] = q;
	for (uint64_t i = 0;; i++) {
		uint64_t skip = rng_geometric(rng, r->num, r->den), l, arg = 0;
		enum wfault_kind kind;

		if (skip >= b->n - i)
			break;
		i += skip;
		l = b->logical + i * b->ss;
		kind = (enum wfault_kind)kinds[rng_below(rng, nk)];
		if (kind == WFAULT_TORN)
			arg = 1 + rng_below(rng, b->ss - 1);
		if (claimed(b, i) || (r->safe && !other_intact(fs, b->k, l)) ||
		    (kind == WFAULT_MISDIRECT &&
		    !victim(fs, b->k, l, r->safe, &arg)))
			continue;
		claim(b, i, kind, arg);
		fs_emit(fs, TRACE_WFAULT, b->ino, l, kind == WFAULT_MISDIRECT ?
		    arg : b->file_off + i * b->ss, (uint64_t)b->k,
		    (uint64_t)kind);
	}
}

/* --- the writes ----------------------------------------------------------- */

int
wfault_write(struct fs *fs, int k, uint64_t logical, const struct imap *src,
    uint64_t s, uint64_t t, uint32_t keep_aux, uint32_t ino,
    uint64_t file_off)
{
	struct dev *d = fs_dev(fs);
	struct wfault_set *w = dev_wfaults(fs, d);
	uint64_t ss = fs_sectorsize(fs);
	struct bio b = { .fs = fs, .k = k, .logical = logical, .ino = ino,
	    .file_off = file_off, .n = (t - s) / ss, .ss = ss };
	bool failed = false;

	if (!dev_online(d, k))
		return -EIO;
	if (w->n == 0 && w->random.num == 0) {
		dev_write_from(fs, d, k, logical, src, s, t, keep_aux);
		return 0;
	}
	if (b.ino == 0 && !owner_of(fs, logical, &b.ino, &b.file_off))
		b.ino = 0;
	for (size_t i = 0; i < w->n && !failed; i++)
		failed = fire(&b, w, i);
	sweep(w);
	if (failed) {
		dev_stale(fs, d, k, logical, logical + (t - s), MIRROR_STALE);
		free(b.act);
		return -EIO;
	}
	if (w->random.num != 0)
		random_hits(&b, &w->random);
	if (b.act == NULL) {
		dev_write_from(fs, d, k, logical, src, s, t, keep_aux);
		return 0;
	}
	/* Invariant: sectors before I are done. */
	for (uint64_t i = 0; i < b.n; ) {
		uint64_t j = i, a = s + i * ss, l = logical + i * ss;
		const struct action *x = &b.act[i];

		if (x->kind == 0) {
			while (j < b.n && b.act[j].kind == 0)
				j++;
			dev_write_from(fs, d, k, l, src, a, s + j * ss,
			    keep_aux);
			i = j;
			continue;
		}
		switch (x->kind - 1) {
		case WFAULT_TORN:
			dev_write_from(fs, d, k, l, src, a, a + x->arg,
			    keep_aux);
			break;
		case WFAULT_MISDIRECT:
			dev_write_from(fs, d, k, x->arg, src, a, a + ss,
			    keep_aux);
			dev_stale(fs, d, k, x->arg, x->arg + ss,
			    MIRROR_MISDIRECTED);
			break;
		default:	/* lost: nothing reaches the copy */
			break;
		}
		dev_stale(fs, d, k, l, l + ss, MIRROR_STALE);
		i++;
	}
	free(b.act);
	return 0;
}
