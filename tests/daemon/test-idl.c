/* test-idl: drives the IDL with the generated vswitch binding against a
 * server, for tests/test_idl.py.
 *
 *   test-idl [OPTIONS] REMOTE
 *
 * reads commands from stdin, one per line, runs each to completion (the
 * IDL runs while it waits) and prints one line of result:
 *
 *   synced                 waits until the replica is complete: "synced"
 *   bridges                "BR:PORT,PORT;BR:..." sorted by name
 *   wait-bridges TEXT      waits until "bridges" would print TEXT
 *   tracked                the tracked changes of Bridge and Port rows,
 *                          sorted ("Bridge br0 modified ports;Port p1
 *                          inserted"), then clears them
 *   seqno                  the IDL's seqno
 *   last-txn-id            the last transaction id the server reported
 *   add-br BR              inserts bridge BR (with port and interface BR)
 *   add-port BR PORT       adds PORT (with interface PORT) to BR: the
 *                          transaction status
 *   race-add-port BR PORT  verifies BR's ports, lets a second IDL add
 *                          PORT-other to BR, then commits adding PORT:
 *                          the status ("try again")
 *   cond-bridge NAME       replicates only bridge NAME: "ok" once the
 *                          server applies it
 *   lock NAME              "locked" or "contended"
 *   lock2 NAME             the same with a second IDL (the first keeps
 *                          its lock)
 *   aware                  makes the IDL db-change-aware: "ok"
 *   missing                "missing" if the server lacks the database
 *                          (as _Server says), else "present"
 *   wait-missing           waits until that is "missing": "missing"
 *   ext BR                 bridge BR's external_ids, "K=V,..." sorted
 *   wait-ext BR TEXT       waits until "ext BR" would print TEXT ("-" for
 *                          none)
 *
 * Logging options as usual (the IDL logs at debug level what it resumes
 * with; the jsonrpc module logs every message at debug level). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ds.h"
#include "lib/poll-loop.h"
#include "lib/smap.h"
#include "lib/sset.h"
#include "lib/timeval.h"
#include "lib/util.h"
#include "lib/vlog.h"
#include "ovsdb/vswitch-idl.h"

#define TIMEOUT_MS 20000

static struct idl *idl;
static struct idl *idl2; /* Second client, made on demand. */
static const char *remote;

static noreturn void
usage(void)
{
    printf("%s: IDL test utility\n"
           "usage: %s [OPTIONS] REMOTE   (commands on stdin)\n",
           program_name, program_name);
    vlog_usage();
    exit(EXIT_SUCCESS);
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        VLOG_OPTION_ENUMS = UCHAR_MAX + 1,
    };
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };

    for (;;) {
        int c = getopt_long(argc, argv, "+hv::", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'h':
            usage();

            VLOG_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }
}

/* Runs 'i' until 'done' returns true or the timeout expires (fatal). */
static void
run_until(struct idl *i, bool (*done)(struct idl *, const void *),
          const void *aux)
{
    long long deadline = time_msec() + TIMEOUT_MS;
    for (;;) {
        idl_run(i);
        if (done(i, aux)) {
            return;
        }
        if (time_msec() >= deadline) {
            ovs_fatal(0, "timed out");
        }
        idl_wait(i);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

static bool
is_synced(struct idl *i, const void *aux OVS_UNUSED)
{
    return idl_is_connected(i);
}

static int
compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static char *
bridges_string(struct idl *i)
{
    struct sset bridges = SSET_INITIALIZER(&bridges);
    const struct ovsrec_bridge *br;

    OVSREC_BRIDGE_FOR_EACH(br, i)
    {
        const char **names = xmalloc((br->n_ports + 1) * sizeof *names);
        for (size_t j = 0; j < br->n_ports; j++) {
            names[j] = br->ports[j]->name;
        }
        qsort(names, br->n_ports, sizeof *names, compare_strings);
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_format(&s, "%s:", br->name);
        for (size_t j = 0; j < br->n_ports; j++) {
            ds_put_format(&s, "%s%s", j ? "," : "", names[j]);
        }
        sset_add(&bridges, ds_cstr(&s));
        ds_destroy(&s);
        free(names);
    }

    struct ds out = DS_EMPTY_INITIALIZER;
    const char **sorted = sset_sort(&bridges);
    for (size_t j = 0; j < sset_count(&bridges); j++) {
        ds_put_format(&out, "%s%s", j ? ";" : "", sorted[j]);
    }
    free(sorted);
    sset_destroy(&bridges);
    return ds_steal_cstr(&out);
}

static bool
bridges_match(struct idl *i, const void *text)
{
    char *s = bridges_string(i);
    bool match = !strcmp(s, text);
    free(s);
    return match;
}

static void
put_change(struct sset *changes, const char *table, const char *name,
           const struct idl_row *row)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "%s %s ", table, name);
    if (idl_row_is_deleted(row)) {
        ds_put_cstr(&s, "deleted");
    } else if (idl_row_is_new(row)) {
        ds_put_cstr(&s, "inserted");
    } else {
        ds_put_cstr(&s, "modified");
        const struct idl_table_class *tc = row->table_class;
        for (size_t i = 0; i < tc->n_columns; i++) {
            if (idl_track_is_updated(row, &tc->columns[i])) {
                ds_put_format(&s, " %s", tc->columns[i].name);
            }
        }
    }
    sset_add(changes, ds_cstr(&s));
    ds_destroy(&s);
}

static char *
tracked_string(struct idl *i)
{
    struct sset changes = SSET_INITIALIZER(&changes);
    const struct ovsrec_bridge *br;
    const struct ovsrec_port *port;

    OVSREC_BRIDGE_FOR_EACH_TRACKED(br, i)
    {
        put_change(&changes, "Bridge", br->name, &br->header_);
    }
    OVSREC_PORT_FOR_EACH_TRACKED(port, i)
    {
        put_change(&changes, "Port", port->name, &port->header_);
    }
    idl_track_clear(i);

    struct ds out = DS_EMPTY_INITIALIZER;
    const char **sorted = sset_sort(&changes);
    for (size_t j = 0; j < sset_count(&changes); j++) {
        ds_put_format(&out, "%s%s", j ? ";" : "", sorted[j]);
    }
    free(sorted);
    sset_destroy(&changes);
    return ds_steal_cstr(&out);
}

static const struct ovsrec_bridge *
find_bridge(struct idl *i, const char *name)
{
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH(br, i)
    {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    ovs_fatal(0, "no bridge %s", name);
}

/* Adds port 'name' with its interface to 'br' in 'txn'. */
static void
add_port(struct idl_txn *txn, const struct ovsrec_bridge *br, const char *name)
{
    struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
    ovsrec_interface_set_name(iface, name);
    struct ovsrec_port *port = ovsrec_port_insert(txn);
    ovsrec_port_set_name(port, name);
    ovsrec_port_set_interfaces(port, &iface, 1);
    ovsrec_bridge_update_ports_addvalue(br, port);
}

static const char *
do_add_br(const char *name)
{
    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(idl);
    struct idl_txn *txn = idl_txn_create(idl);
    if (!ovs) {
        ovs = ovsrec_open_vswitch_insert(txn);
    }
    struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
    ovsrec_interface_set_name(iface, name);
    ovsrec_interface_set_type(iface, "internal");
    struct ovsrec_port *port = ovsrec_port_insert(txn);
    ovsrec_port_set_name(port, name);
    ovsrec_port_set_interfaces(port, &iface, 1);
    struct ovsrec_bridge *br = ovsrec_bridge_insert(txn);
    ovsrec_bridge_set_name(br, name);
    ovsrec_bridge_set_ports(br, &port, 1);
    ovsrec_open_vswitch_update_bridges_addvalue(ovs, br);
    idl_txn_add_comment(txn, "test-idl: add-br %s", name);
    enum idl_txn_status status = idl_txn_commit_block(txn);
    idl_txn_destroy(txn);
    return idl_txn_status_to_string(status);
}

static const char *
do_add_port(struct idl *i, const char *br_name, const char *name)
{
    struct idl_txn *txn = idl_txn_create(i);
    add_port(txn, find_bridge(i, br_name), name);
    enum idl_txn_status status = idl_txn_commit_block(txn);
    idl_txn_destroy(txn);
    return idl_txn_status_to_string(status);
}

static void
ensure_idl2(void)
{
    if (!idl2) {
        idl2 = idl_create(remote, &ovsrec_idl_class, true, true);
        run_until(idl2, is_synced, NULL);
    }
}

static const char *
do_race_add_port(const char *br_name, const char *name)
{
    struct idl_txn *txn = idl_txn_create(idl);
    const struct ovsrec_bridge *br = find_bridge(idl, br_name);
    ovsrec_bridge_verify_ports(br);
    add_port(txn, br, name);

    /* Another client changes the bridge's ports meanwhile. */
    ensure_idl2();
    char *other = xasprintf("%s-other", name);
    const char *status2 = do_add_port(idl2, br_name, other);
    free(other);
    if (strcmp(status2, "success")) {
        ovs_fatal(0, "second client: %s", status2);
    }

    enum idl_txn_status status = idl_txn_commit_block(txn);
    idl_txn_destroy(txn);
    return idl_txn_status_to_string(status);
}

static bool
cond_applied(struct idl *i, const void *seqno)
{
    return idl_get_condition_seqno(i) >= *(const unsigned int *) seqno;
}

static bool
is_missing(struct idl *i, const void *aux OVS_UNUSED)
{
    return idl_is_database_missing(i);
}

/* Bridge 'name''s external_ids as "K=V,..." sorted by key, or NULL if
 * there is no such bridge. */
static char *
bridge_ext_string(struct idl *i, const char *name)
{
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH(br, i)
    {
        if (!strcmp(br->name, name)) {
            const struct smap_node **nodes = smap_sort(&br->external_ids);
            struct ds s = DS_EMPTY_INITIALIZER;
            for (size_t j = 0; j < smap_count(&br->external_ids); j++) {
                ds_put_format(&s, "%s%s=%s", j ? "," : "", nodes[j]->key,
                              nodes[j]->value);
            }
            free(nodes);
            return ds_steal_cstr(&s);
        }
    }
    return NULL;
}

struct ext_wait {
    const char *bridge;
    const char *text; /* "" for none. */
};

static bool
ext_matches(struct idl *i, const void *w_)
{
    const struct ext_wait *w = w_;
    char *s = bridge_ext_string(i, w->bridge);
    bool match = s && !strcmp(s, w->text);
    free(s);
    return match;
}

static bool
lock_decided(struct idl *i, const void *aux OVS_UNUSED)
{
    return idl_has_lock(i) || idl_is_lock_contended(i);
}

static void
run_command(char *line)
{
    char *save = NULL;
    char *cmd = strtok_r(line, " \t\n", &save);
    char *arg1 = strtok_r(NULL, " \t\n", &save);
    char *arg2 = strtok_r(NULL, " \t\n", &save);

    if (!cmd) {
        return;
    }
    idl_run(idl);
    if (!strcmp(cmd, "synced")) {
        run_until(idl, is_synced, NULL);
        puts("synced");
    } else if (!strcmp(cmd, "bridges")) {
        char *s = bridges_string(idl);
        puts(s);
        free(s);
    } else if (!strcmp(cmd, "wait-bridges") && arg1) {
        run_until(idl, bridges_match, arg1);
        puts(arg1);
    } else if (!strcmp(cmd, "tracked")) {
        char *s = tracked_string(idl);
        puts(s);
        free(s);
    } else if (!strcmp(cmd, "seqno")) {
        printf("%u\n", idl_get_seqno(idl));
    } else if (!strcmp(cmd, "last-txn-id")) {
        printf(UUID_FMT "\n", UUID_ARGS(idl_get_last_txn_id(idl)));
    } else if (!strcmp(cmd, "add-br") && arg1) {
        puts(do_add_br(arg1));
    } else if (!strcmp(cmd, "add-port") && arg2) {
        puts(do_add_port(idl, arg1, arg2));
    } else if (!strcmp(cmd, "race-add-port") && arg2) {
        puts(do_race_add_port(arg1, arg2));
    } else if (!strcmp(cmd, "cond-bridge") && arg1) {
        struct idl_condition cond;
        idl_condition_init(&cond);
        ovsrec_bridge_add_clause_name(&cond, IDL_F_EQ, arg1);
        unsigned int seqno = ovsrec_bridge_set_condition(idl, &cond);
        idl_condition_destroy(&cond);
        run_until(idl, cond_applied, &seqno);
        puts("ok");
    } else if ((!strcmp(cmd, "lock") || !strcmp(cmd, "lock2")) && arg1) {
        struct idl *i = idl;
        if (!strcmp(cmd, "lock2")) {
            ensure_idl2();
            i = idl2;
        }
        idl_set_lock(i, arg1);
        run_until(i, lock_decided, NULL);
        puts(idl_has_lock(i) ? "locked" : "contended");
    } else if (!strcmp(cmd, "aware")) {
        idl_set_db_change_aware(idl, true);
        puts("ok");
    } else if (!strcmp(cmd, "missing")) {
        puts(idl_is_database_missing(idl) ? "missing" : "present");
    } else if (!strcmp(cmd, "wait-missing")) {
        run_until(idl, is_missing, NULL);
        puts("missing");
    } else if (!strcmp(cmd, "ext") && arg1) {
        char *s = bridge_ext_string(idl, arg1);
        puts(s ? s : "no such bridge");
        free(s);
    } else if (!strcmp(cmd, "wait-ext") && arg2) {
        struct ext_wait w = {arg1, strcmp(arg2, "-") ? arg2 : ""};
        run_until(idl, ext_matches, &w);
        puts(arg2);
    } else {
        ovs_fatal(0, "unknown command or missing argument: %s", cmd);
    }
    fflush(stdout);
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    vlog_init();
    parse_options(argc, argv);
    if (optind + 1 != argc) {
        ovs_fatal(0, "exactly one argument (the remote) is required");
    }
    remote = argv[optind];

    idl = idl_create(remote, &ovsrec_idl_class, true, true);
    idl_track_add_all(idl);

    char line[1024];
    while (fgets(line, sizeof line, stdin)) {
        run_command(line);
    }
    idl_destroy(idl);
    idl_destroy(idl2);
    return 0;
}
