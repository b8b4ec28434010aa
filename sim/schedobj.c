/*
 * The scheduler's objects as a world declares them (sched.h): locks,
 * queues and events, and the names and keys they go by.
 *
 * The data model is sched.h's.  An object's key is what the partial-order
 * reduction compares (por.h): por_key() of its kind and either a key the
 * world chose or, for the _init functions without one, the FNV-1a hash of
 * its name as cut to SCHED_NAME, so that objects partition exactly as
 * their names do (but for 2^-61 collisions, which only make more steps
 * dependent).  A lock or a queue is also a node of the world's lock-order
 * graph (lockorder.h), by its own key or, for a lock of a class
 * (sched_lock_init_class()), by the class's: every page lock is one node,
 * as lockdep has one class for them.  With no world (S NULL) an object
 * has no node.  Names are copied and cut to fit; nothing here allocates
 * but a queue's items, which sched_queue_free() releases.
 */
#include <stdlib.h>
#include <string.h>

#include "lockorder.h"
#include "por.h"
#include "rng.h"
#include "sched.h"
#include "sched_int.h"

void
sched_name_num(char *buf, const char *prefix, uint64_t n, const char *suffix)
{
	char digits[20];
	size_t len = 0, k = 0;

	for (; *prefix != '\0' && len < SCHED_NAME - 1; prefix++)
		buf[len++] = *prefix;
	do {
		digits[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	while (k > 0 && len < SCHED_NAME - 1)
		buf[len++] = digits[--k];
	for (; *suffix != '\0' && len < SCHED_NAME - 1; suffix++)
		buf[len++] = *suffix;
	buf[len] = '\0';
}

/*
 * The key of NAME: FNV-1a over its bytes, mixed, in SCHED_KEY_MAX.  It
 * partitions objects exactly as their names do, but for 2^-61 collisions,
 * which only make more steps dependent.
 */
uint64_t
sched_name_key(const char *name)
{
	return rng_hash_bytes(name, strlen(name)) & SCHED_KEY_MAX;
}

/* A free lock of class KEY, in S's lock-order graph. */
void
sched_lock_init_key(struct sched *s, struct sched_lock *l,
    enum sched_lock_kind kind, uint64_t key, const char *name)
{
	sched_name_copy(l->name, name);
	l->kind = kind;
	l->owner = -1;
	l->key = por_key(POR_LOCK, key);
	l->order_id = s == NULL ? -1 : lockorder_node(&s->graph, l->key,
	    l->name);
}

/* A free lock of object KEY in class CLASS_KEY (sched.h). */
void
sched_lock_init_class(struct sched *s, struct sched_lock *l,
    enum sched_lock_kind kind, uint64_t key, const char *name,
    uint64_t class_key, const char *class_name)
{
	sched_name_copy(l->name, name);
	l->kind = kind;
	l->owner = -1;
	l->key = por_key(POR_LOCK, key);
	l->order_id = s == NULL ? -1 : lockorder_node(&s->graph,
	    por_key(POR_LOCK, class_key), class_name);
}

/* A free lock keyed by its name (as cut to SCHED_NAME). */
void
sched_lock_init(struct sched *s, struct sched_lock *l,
    enum sched_lock_kind kind, const char *name)
{
	sched_name_copy(l->name, name);
	sched_lock_init_key(s, l, kind, sched_name_key(l->name), name);
}

/* An empty queue of key KEY; its items array is the caller's to free
 * with sched_queue_free(). */
void
sched_queue_init_key(struct sched *s, struct sched_queue *q, uint64_t key,
    const char *name)
{
	memset(q, 0, sizeof(*q));
	sched_name_copy(q->name, name);
	q->key = por_key(POR_QUEUE, key);
	q->order_id = s == NULL ? -1 : lockorder_node(&s->graph, q->key,
	    q->name);
}

/* An empty queue keyed by its name. */
void
sched_queue_init(struct sched *s, struct sched_queue *q, const char *name)
{
	sched_name_copy(q->name, name);
	sched_queue_init_key(s, q, sched_name_key(q->name), name);
}

/* Release Q's items array (not the items). */
void
sched_queue_free(struct sched_queue *q)
{
	free(q->items);
	free(q->from);
	q->items = NULL;
	q->from = NULL;
	q->head = q->tail = q->cap = 0;
}

/* A pending event of key KEY, signalled through VIA's workers if VIA is
 * set. */
void
sched_event_init_key(struct sched_event *ev, uint64_t key, const char *name,
    struct sched_queue *via)
{
	sched_name_copy(ev->name, name);
	ev->done = false;
	ev->via = via;
	ev->key = por_key(POR_EVENT, key);
	ev->owner = NULL;
}

/* A pending event keyed by its name. */
void
sched_event_init(struct sched_event *ev, const char *name,
    struct sched_queue *via)
{
	sched_name_copy(ev->name, name);
	sched_event_init_key(ev, sched_name_key(ev->name), name, via);
}
