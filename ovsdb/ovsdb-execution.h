/* Execution of the "transact" method of RFC 7047 (section 4.1.3): the
 * operations insert, select, update, mutate, delete, wait, commit,
 * abort, comment and assert, with the results array exactly as
 * ovsdb-server returns it:
 *
 *   - one result per operation: {"uuid": ["uuid", U]} for insert,
 *     {"rows": [...]} for select, {"count": N} for update, mutate and
 *     delete, {} for the others;
 *   - if an operation fails, its error object takes its slot, every
 *     later slot is null, and nothing changes;
 *   - if every operation succeeds but committing fails, the error object
 *     is appended after the results.
 *
 * The caller checks the database name (the first element of the params
 * array) and handles "wait" operations that are not yet satisfied by
 * running the same request again later. */
#ifndef OVSDB_OVSDB_EXECUTION_H
#define OVSDB_OVSDB_EXECUTION_H 1

#include <jansson.h>
#include <stdbool.h>

struct ovsdb;
struct ovsdb_txn;

/* What the session that sent the request may do. */
struct ovsdb_execution_options {
    /* True for a read-only session or server: insert, update, mutate,
     * delete and commit fail with "not allowed". */
    bool read_only;

    /* If nonnull, the name of a database that the server maintains itself
     * ("_Server"): insert, update, mutate and delete fail with "not
     * allowed" and OVS's message for reserved databases. */
    const char *reserved_db;

    /* Returns true if the session holds the lock 'name' (for "assert").
     * NULL means the session holds no locks. */
    bool (*lock_held)(const char *name, void *aux);
    void *aux;

    /* Milliseconds since the request first arrived, for the "timeout" of
     * "wait" operations. */
    long long elapsed_msec;
};

/* The outcome of ovsdb_execution_compose(). */
struct ovsdb_execution {
    /* The results array, or NULL if a "wait" is not satisfied yet: run
     * the request again when the database changes or, at the latest,
     * after 'timeout_msec' (LLONG_MAX: no limit). */
    json_t *results;
    long long timeout_msec;

    /* If 'results' is nonnull and every operation succeeded: the open
     * transaction that the caller commits (and then either appends the
     * commit error to 'results' or replies).  Otherwise NULL. */
    struct ovsdb_txn *txn;

    /* True if some "commit" operation asked for "durable": the reply must
     * wait until the transaction is on stable storage. */
    bool durable;
};

/* Executes the operations of 'params' (["db-name", op...]) on 'db'
 * without committing them; see struct ovsdb_execution. */
void ovsdb_execution_compose(struct ovsdb *db, const json_t *params,
                             const struct ovsdb_execution_options *,
                             struct ovsdb_execution *);

/* Executes 'params' and commits the result in memory, for callers without
 * storage.  Returns the results array, or NULL if a "wait" is not yet
 * satisfied (then '*timeout_msec' says how long to wait at most). */
json_t *ovsdb_execution_run(struct ovsdb *db, const json_t *params,
                            const struct ovsdb_execution_options *,
                            long long *timeout_msec);

#endif /* ovsdb/ovsdb-execution.h */
