/* Lock files next to database files; see lockfile.h. */
#include "ovsdb/lockfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/hash.h"
#include "lib/hmap.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(lockfile);

struct lockfile {
    struct hmap_node node; /* In 'held_locks', hashed on dev+ino. */
    char *name;            /* Name of the lock file. */
    dev_t device;
    ino_t inode;
    int fd;
};

/* Lock files this process holds, keyed by device and inode so that two
 * spellings of one name are recognised. */
static struct hmap held_locks = HMAP_INITIALIZER(&held_locks);
static pthread_mutex_t held_locks_mutex = PTHREAD_MUTEX_INITIALIZER;

static uint32_t
lockfile_hash(dev_t device, ino_t inode)
{
    return hash_bytes(&device, sizeof device,
                      hash_bytes(&inode, sizeof inode, 0));
}

static struct lockfile *
lockfile_find(dev_t device, ino_t inode)
{
    struct lockfile *lock;
    HMAP_FOR_EACH_WITH_HASH (lock, node, lockfile_hash(device, inode),
                             &held_locks) {
        if (lock->device == device && lock->inode == inode) {
            return lock;
        }
    }
    return NULL;
}

char *
lockfile_resolve(const char *file_name)
{
    char *name = xstrdup(file_name);
    for (int i = 0; i < 10; i++) {
        struct stat st;
        if (lstat(name, &st) || !S_ISLNK(st.st_mode)) {
            break;
        }

        size_t size = st.st_size > 0 ? (size_t) st.st_size + 1 : PATH_MAX;
        char *target = xmalloc(size);
        ssize_t n = readlink(name, target, size);
        if (n < 0 || (size_t) n >= size) {
            free(target);
            break;
        }
        target[n] = '\0';

        const char *slash = strrchr(name, '/');
        if (target[0] != '/' && slash) {
            char *joined =
                xasprintf("%.*s/%s", (int) (slash - name), name, target);
            free(target);
            target = joined;
        }
        free(name);
        name = target;
    }
    return name;
}

char *
lockfile_sibling_name(const char *file_name, const char *kind)
{
    char *resolved = lockfile_resolve(file_name);
    const char *slash = strrchr(resolved, '/');
    char *name =
        (slash ? xasprintf("%.*s.%s.~%s~", (int) (slash - resolved + 1),
                           resolved, slash + 1, kind)
               : xasprintf(".%s.~%s~", resolved, kind));
    free(resolved);
    return name;
}

char *
lockfile_name(const char *file_name)
{
    return lockfile_sibling_name(file_name, "lock");
}

/* Tries to take the fcntl() lock on 'fd' (the open lock file
 * 'lock_name'), logging why not on failure. */
static int
lockfile_try_lock(int fd, const char *lock_name)
{
    struct flock l = {
        .l_type = F_WRLCK,
        .l_whence = SEEK_SET,
        .l_start = 0,
        .l_len = 0,
    };
    if (!fcntl(fd, F_SETLK, &l)) {
        return 0;
    }

    int error = errno;
    if (error == EACCES) {
        error = EAGAIN;
    }
    if (error == EAGAIN) {
        struct flock holder = l;
        if (!fcntl(fd, F_GETLK, &holder) && holder.l_type != F_UNLCK) {
            VLOG_WARN("%s: cannot lock file because it is already locked "
                      "by pid %ld",
                      lock_name, (long) holder.l_pid);
        } else {
            VLOG_WARN("%s: cannot lock file because it is already locked "
                      "by another process",
                      lock_name);
        }
    } else {
        VLOG_WARN("%s: failed to lock file: %s", lock_name,
                  ovs_strerror(error));
    }
    return error;
}

int
lockfile_lock(const char *file_name, struct lockfile **lockp)
{
    *lockp = NULL;

    char *lock_name = lockfile_name(file_name);

    /* Check for a lock of our own before opening the file: closing any
     * descriptor of it, even a new one, would drop that lock. */
    struct stat st;
    if (!stat(lock_name, &st)) {
        pthread_mutex_lock(&held_locks_mutex);
        bool held = lockfile_find(st.st_dev, st.st_ino) != NULL;
        pthread_mutex_unlock(&held_locks_mutex);
        if (held) {
            VLOG_WARN("%s: cannot lock file because this process has "
                      "already locked it",
                      lock_name);
            free(lock_name);
            return EDEADLK;
        }
    }

    int fd = open(lock_name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        int error = errno;
        /* Two lines, as OVS logs them: scripts that grep for either keep
         * working. */
        VLOG_WARN("%s: failed to open lock file: %s", lock_name,
                  ovs_strerror(error));
        VLOG_WARN("%s: failed to lock file: %s", lock_name,
                  ovs_strerror(error));
        free(lock_name);
        return error;
    }

    if (fstat(fd, &st)) {
        int error = errno;
        VLOG_WARN("%s: failed to stat lock file: %s", lock_name,
                  ovs_strerror(error));
        close(fd);
        free(lock_name);
        return error;
    }

    pthread_mutex_lock(&held_locks_mutex);
    int error;
    if (lockfile_find(st.st_dev, st.st_ino)) {
        /* Another thread locked the file since the check above.  'fd' is
         * left open on purpose: closing it would drop that lock. */
        VLOG_WARN("%s: cannot lock file because this process has already "
                  "locked it",
                  lock_name);
        error = EDEADLK;
    } else {
        error = lockfile_try_lock(fd, lock_name);
        if (error) {
            close(fd);
        } else {
            struct lockfile *lock = xmalloc(sizeof *lock);
            lock->name = lock_name;
            lock->device = st.st_dev;
            lock->inode = st.st_ino;
            lock->fd = fd;
            hmap_insert(&held_locks, &lock->node,
                        lockfile_hash(st.st_dev, st.st_ino));
            lock_name = NULL;
            *lockp = lock;
        }
    }
    pthread_mutex_unlock(&held_locks_mutex);

    free(lock_name);
    return error;
}

void
lockfile_unlock(struct lockfile *lock)
{
    if (!lock) {
        return;
    }
    pthread_mutex_lock(&held_locks_mutex);
    hmap_remove(&held_locks, &lock->node);
    pthread_mutex_unlock(&held_locks_mutex);

    /* Closing the descriptor releases the fcntl() lock.  The file stays,
     * as it does in OVS: removing it would race with another process
     * that has just opened it and is about to lock it. */
    close(lock->fd);
    free(lock->name);
    free(lock);
}
