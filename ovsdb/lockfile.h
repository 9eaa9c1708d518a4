/* Advisory lock files, so that two processes never write the same
 * database file at once.
 *
 * The lock for file "DIR/NAME" is an fcntl() write lock on the empty file
 * "DIR/.NAME.~lock~" (created with mode 0600 and left in place after
 * unlocking), where "DIR/NAME" is the file after following symbolic
 * links, so that every name of a database shares one lock.  This is the
 * same file and the same kind of lock that Open vSwitch uses, so Turnout
 * and OVS programs also exclude each other.
 *
 * fcntl() locks belong to a process, not to a file descriptor: a second
 * lock by the same process would succeed and closing either descriptor
 * would drop both.  This module therefore also remembers which lock files
 * the process holds and refuses to lock one twice.  It is thread-safe. */
#ifndef OVSDB_LOCKFILE_H
#define OVSDB_LOCKFILE_H 1

struct lockfile;

/* Returns 'file_name' with symbolic links followed (up to 10 levels; a
 * relative link target is taken relative to the link's directory), as a
 * malloc'd string.  A name that is not a link, or does not exist, is
 * returned as is.  This is the file that a lock protects and that
 * replacing a database renames over. */
char *lockfile_resolve(const char *file_name);

/* Returns the name of the lock file for 'file_name' (after following
 * symbolic links), as a malloc'd string: "foo.db" gives ".foo.db.~lock~",
 * "/a/b/foo.db" gives "/a/b/.foo.db.~lock~". */
char *lockfile_name(const char *file_name);

/* Returns the name of a hidden file of 'kind' beside 'file_name' (after
 * following symbolic links), named like its lock file: kind "journal"
 * gives "/a/b/.foo.db.~journal~" for "/a/b/foo.db". */
char *lockfile_sibling_name(const char *file_name, const char *kind);

/* Locks 'file_name'.  Returns 0 and stores the new lock in '*lockp', or
 * stores NULL and returns:
 *
 *   - EAGAIN if another process holds the lock (a warning names its pid),
 *   - EDEADLK if this process holds it already,
 *   - another errno value if the lock file cannot be opened or locked.
 *
 * Each failure is also logged as a warning naming the lock file. */
int lockfile_lock(const char *file_name, struct lockfile **lockp);

/* Releases 'lock' and frees it.  A null 'lock' is a no-op. */
void lockfile_unlock(struct lockfile *lock);

#endif /* ovsdb/lockfile.h */
