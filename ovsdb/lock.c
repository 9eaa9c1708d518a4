/* OVSDB locks: one queue of waiters per lock name. */
#include "ovsdb/lock.h"

#include <stdlib.h>
#include <string.h>

#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/list.h"
#include "lib/util.h"

struct ovsdb_lock_server {
    struct hmap locks; /* "struct ovsdb_lock"s by name. */
};

/* A lock exists while it has waiters. */
struct ovsdb_lock {
    struct hmap_node node; /* In 'server->locks'. */
    struct ovsdb_lock_server *server;
    char *name;
    struct list waiters; /* Front is the owner. */
};

struct ovsdb_lock_waiter {
    struct list node; /* In the lock's 'waiters'. */
    struct ovsdb_lock *lock;
    void *owner;
};

struct ovsdb_lock_server *
ovsdb_lock_server_create(void)
{
    struct ovsdb_lock_server *server = xmalloc(sizeof *server);
    hmap_init(&server->locks);
    return server;
}

void
ovsdb_lock_server_destroy(struct ovsdb_lock_server *server)
{
    if (server) {
        ovs_assert(hmap_is_empty(&server->locks));
        hmap_destroy(&server->locks);
        free(server);
    }
}

static struct ovsdb_lock *
lock_find_or_create(struct ovsdb_lock_server *server, const char *name)
{
    uint32_t hash = hash_string(name, 0);
    struct ovsdb_lock *lock;
    HMAP_FOR_EACH_WITH_HASH (lock, node, hash, &server->locks) {
        if (!strcmp(lock->name, name)) {
            return lock;
        }
    }
    lock = xmalloc(sizeof *lock);
    lock->server = server;
    lock->name = xstrdup(name);
    list_init(&lock->waiters);
    hmap_insert(&server->locks, &lock->node, hash);
    return lock;
}

static struct ovsdb_lock_waiter *
lock_get_owner(const struct ovsdb_lock *lock)
{
    return (list_is_empty(&lock->waiters)
                ? NULL
                : CONTAINER_OF(list_front(&lock->waiters),
                               struct ovsdb_lock_waiter, node));
}

struct ovsdb_lock_waiter *
ovsdb_lock_server_lock(struct ovsdb_lock_server *server, const char *name,
                       void *owner, enum ovsdb_lock_mode mode,
                       struct ovsdb_lock_waiter **victimp)
{
    struct ovsdb_lock *lock = lock_find_or_create(server, name);
    struct ovsdb_lock_waiter *waiter = xmalloc(sizeof *waiter);
    waiter->lock = lock;
    waiter->owner = owner;

    if (victimp) {
        *victimp = NULL;
    }
    if (mode == OVSDB_LOCK_STEAL) {
        struct ovsdb_lock_waiter *victim = lock_get_owner(lock);
        list_push_front(&lock->waiters, &waiter->node);
        if (victimp) {
            *victimp = victim;
        }
    } else {
        list_push_back(&lock->waiters, &waiter->node);
    }
    return waiter;
}

struct ovsdb_lock_waiter *
ovsdb_lock_waiter_remove(struct ovsdb_lock_waiter *waiter)
{
    if (!waiter) {
        return NULL;
    }
    struct ovsdb_lock *lock = waiter->lock;
    bool was_owner = ovsdb_lock_waiter_is_owner(waiter);
    list_remove(&waiter->node);
    free(waiter);

    if (list_is_empty(&lock->waiters)) {
        /* A lock lives only as long as someone waits for it. */
        hmap_remove(&lock->server->locks, &lock->node);
        free(lock->name);
        free(lock);
        return NULL;
    }
    return was_owner ? lock_get_owner(lock) : NULL;
}

bool
ovsdb_lock_waiter_is_owner(const struct ovsdb_lock_waiter *waiter)
{
    return lock_get_owner(waiter->lock) == waiter;
}

const char *
ovsdb_lock_waiter_get_name(const struct ovsdb_lock_waiter *waiter)
{
    return waiter->lock->name;
}

void *
ovsdb_lock_waiter_get_owner(const struct ovsdb_lock_waiter *waiter)
{
    return waiter->owner;
}

unsigned int
ovsdb_lock_server_count(const struct ovsdb_lock_server *server)
{
    return hmap_count(&server->locks);
}
