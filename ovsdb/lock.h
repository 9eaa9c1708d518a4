/* OVSDB locks (RFC 7047 section 4.1.8-4.1.10, and the "steal" method of
 * ovsdb-server(7)): named, server-wide locks that clients take to elect
 * one of themselves for a job.
 *
 * Each lock has a queue of waiters; the waiter at the front owns the
 * lock.  "lock" joins the back of the queue, "steal" goes to the front
 * (the previous owner stays queued, second, so it gets the lock back
 * when the thief lets go), and "unlock" or the client's disconnection
 * leaves the queue, handing the lock to the next waiter.  A client has
 * at most one waiter per lock name.
 *
 * This module keeps only the queues; the caller tells clients what
 * happened (the "locked" and "stolen" notifications), using the waiters
 * that the functions below return.  A waiter's 'owner' is an opaque
 * pointer to the client. */
#ifndef OVSDB_LOCK_H
#define OVSDB_LOCK_H 1

#include <stdbool.h>

struct ovsdb_lock_server;
struct ovsdb_lock_waiter;

enum ovsdb_lock_mode {
    OVSDB_LOCK_WAIT, /* "lock": wait in line. */
    OVSDB_LOCK_STEAL /* "steal": take the lock at once. */
};

struct ovsdb_lock_server *ovsdb_lock_server_create(void);
/* Frees 'server', which must have no waiters left.  NULL is a no-op. */
void ovsdb_lock_server_destroy(struct ovsdb_lock_server *server);

/* Queues a new waiter for lock 'name' on behalf of 'owner' and returns
 * it.  The caller must not already have a waiter on 'name'.  With
 * OVSDB_LOCK_STEAL the new waiter owns the lock at once; if that took
 * the lock from another waiter, stores that waiter (the victim, to be
 * told "stolen") in '*victimp', otherwise NULL.  'victimp' may be NULL
 * with OVSDB_LOCK_WAIT. */
struct ovsdb_lock_waiter *
ovsdb_lock_server_lock(struct ovsdb_lock_server *server, const char *name,
                       void *owner, enum ovsdb_lock_mode mode,
                       struct ovsdb_lock_waiter **victimp);

/* Removes 'waiter' from its queue and frees it.  If 'waiter' owned the
 * lock and another waiter is queued, that one owns it now and is
 * returned (to be told "locked"); otherwise returns NULL. */
struct ovsdb_lock_waiter *
ovsdb_lock_waiter_remove(struct ovsdb_lock_waiter *waiter);

/* Returns true if 'waiter' owns its lock. */
bool ovsdb_lock_waiter_is_owner(const struct ovsdb_lock_waiter *waiter);

/* Returns the name of the lock 'waiter' waits for. */
const char *ovsdb_lock_waiter_get_name(const struct ovsdb_lock_waiter *waiter);

/* Returns the 'owner' that 'waiter' was created with. */
void *ovsdb_lock_waiter_get_owner(const struct ovsdb_lock_waiter *waiter);

/* Returns the number of distinct lock names with waiters. */
unsigned int ovsdb_lock_server_count(const struct ovsdb_lock_server *server);

#endif /* ovsdb/lock.h */
