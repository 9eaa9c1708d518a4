/* ovs-vsctl: configures ovs-vswitchd through its Open_vSwitch database.
 * This file holds the program: global options, and the run loop that
 * connects, runs every command in one transaction, commits (retrying
 * when the database changed meanwhile) and waits for ovs-vswitchd to
 * apply the change. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/dirs.h"
#include "lib/fatal-signal.h"
#include "lib/poll-loop.h"
#include "lib/stream-ssl.h"
#include "lib/stream.h"
#include "lib/table.h"
#include "lib/util.h"
#include "lib/vlog.h"
#include "ovsdb/idl-txn.h"
#include "ovsdb/idl.h"
#include "ovsdb/ovsdb-data.h"
#include "ovsdb/vswitch-idl.h"
#include "utilities/db-ctl.h"
#include "utilities/vsctl.h"

VLOG_DEFINE_THIS_MODULE(vsctl);
/* OVS's IDL logs a failed transaction under this name before ovs-vsctl
 * reports it. */
VLOG_DEFINE_MODULE__(ovsdb_idl);

static const char *db;
static bool wait_for_reload = true;
static bool dry_run;
static bool oneline;
static bool retry;
static int timeout_secs;

static noreturn void usage(void);

/* The interfaces that the committed transaction inserted, by their UUIDs
 * in the database. */
static struct uuid *added_ifaces;
static size_t n_added_ifaces;

/* The order in which OVS registers its commands (which decides the order
 * of --commands). */
/* clang-format off */
static const char *const command_order[] = {
    "comment", "get", "list", "find", "set", "add", "remove", "clear",
    "create", "destroy", "wait-until",
    "init", "show",
    "add-br", "del-br", "list-br", "br-exists", "br-to-vlan", "br-to-parent",
    "br-set-external-id", "br-get-external-id",
    "list-ports", "add-port", "add-bond", "add-bond-iface", "del-bond-iface",
    "del-port", "port-to-br",
    "list-ifaces", "iface-to-br",
    "get-controller", "del-controller", "set-controller",
    "get-fail-mode", "del-fail-mode", "set-fail-mode",
    "get-manager", "del-manager", "set-manager",
    "get-ssl", "del-ssl", "set-ssl",
    "add-aa-mapping", "del-aa-mapping", "get-aa-mapping",
    "emer-reset",
    "add-zone-tp", "del-zone-tp", "list-zone-tp", "list-dp-cap",
    NULL,
};
/* clang-format on */

/* Returns the default database, valid until the program exits. */
static const char *
default_db(void)
{
    static char *text;
    if (!text) {
        text = xasprintf("unix:%s/db.sock", ovs_rundir());
    }
    return text;
}

/* Parses the global options.  Command options that appear among them
 * ("--may-exist add-br br0") go to 'local_options' for the first
 * command. */
static void
parse_options(int argc, char *argv[], struct smap *local_options)
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_ONELINE,
        OPT_NO_SYSLOG,
        OPT_NO_WAIT,
        OPT_DRY_RUN,
        OPT_RETRY,
        OPT_COMMANDS,
        OPT_OPTIONS,
        OPT_LEADER_ONLY,
        OPT_NO_LEADER_ONLY,
        OPT_SHUFFLE,
        OPT_NO_SHUFFLE,
        OPT_LOCAL,
        VLOG_OPTION_ENUMS,
        TABLE_OPTION_ENUMS,
        STREAM_SSL_OPTION_ENUMS,
    };
    static const struct option global_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"no-syslog", no_argument, NULL, OPT_NO_SYSLOG},
        {"no-wait", no_argument, NULL, OPT_NO_WAIT},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"oneline", no_argument, NULL, OPT_ONELINE},
        {"timeout", required_argument, NULL, 't'},
        {"retry", no_argument, NULL, OPT_RETRY},
        {"help", no_argument, NULL, 'h'},
        {"commands", no_argument, NULL, OPT_COMMANDS},
        {"options", no_argument, NULL, OPT_OPTIONS},
        {"leader-only", no_argument, NULL, OPT_LEADER_ONLY},
        {"no-leader-only", no_argument, NULL, OPT_NO_LEADER_ONLY},
        {"shuffle-remotes", no_argument, NULL, OPT_SHUFFLE},
        {"no-shuffle-remotes", no_argument, NULL, OPT_NO_SHUFFLE},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        TABLE_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const size_t n_global = sizeof global_options / sizeof *global_options - 1;

    /* Append every command option as a long option that getopt accepts,
     * so that "--if-exists del-br br0" works. */
    const char *command_options[] = {
        "if-exists", "may-exist",        "with-iface",
        "all",       "fake-iface",       "real",
        "fake",      "bootstrap",        "columns",
        "id",        "inactivity-probe", "lacp",
        "force",
    };
    const size_t n_cmd = sizeof command_options / sizeof *command_options;
    struct option *options = xcalloc(n_global + n_cmd + 1, sizeof *options);
    memcpy(options, global_options, n_global * sizeof *options);
    size_t n_options = n_global;
    for (size_t i = 0; i < n_cmd; i++) {
        bool has_arg;
        if (ctl_is_command_option(command_options[i], &has_arg)) {
            options[n_options].name = command_options[i];
            options[n_options].has_arg =
                has_arg ? required_argument : no_argument;
            options[n_options].flag = NULL;
            options[n_options].val = INT_MAX;
            n_options++;
        }
    }

    table_parse_format(&ctl_table_style, "list");
    for (;;) {
        int idx = -1;
        int c = getopt_long(argc, argv, "+hVt:f:d:v::p:c:C:", options, &idx);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_DB:
            db = optarg;
            break;
        case OPT_ONELINE:
            oneline = true;
            break;
        case OPT_NO_SYSLOG:
            vlog_set_levels(&VLM_vsctl, VLF_SYSLOG, VLL_WARN);
            break;
        case OPT_NO_WAIT:
            wait_for_reload = false;
            break;
        case OPT_DRY_RUN:
            dry_run = true;
            break;
        case OPT_RETRY:
            retry = true;
            break;
        case OPT_LEADER_ONLY:
        case OPT_NO_LEADER_ONLY:
        case OPT_SHUFFLE:
        case OPT_NO_SHUFFLE:
            break;
        case 'h':
            usage();
        case OPT_COMMANDS:
            ctl_print_commands();
            exit(EXIT_SUCCESS);
        case OPT_OPTIONS:
            for (size_t i = 0; i < n_global; i++) {
                const struct option *o = &global_options[i];
                printf("--%s%s\n", o->name,
                       o->has_arg == no_argument ? "" : "=ARG");
                if (o->val > 0 && o->val < UCHAR_MAX && o->val != 'v') {
                    printf("-%c%s\n", o->val,
                           o->has_arg == no_argument ? "" : " ARG");
                } else if (o->val == 'v') {
                    printf("-v ARG\n");
                }
            }
            exit(EXIT_SUCCESS);
        case 'V':
            print_program_version();
            printf("DB Schema %s\n", "8.3.1");
            exit(EXIT_SUCCESS);
        case 't':
            if (!str_to_int(optarg, 10, &timeout_secs) || timeout_secs < 1) {
                ctl_fatal("value %s on -t or --timeout is invalid", optarg);
            }
            break;
        case INT_MAX: {
            /* OVS takes a repeated option here without complaint. */
            char *key = xasprintf("--%s", options[idx].name);
            smap_replace(local_options, key, optarg ? optarg : "");
            if (!optarg) {
                char *flag = xasprintf("%s\x01", key);
                smap_replace(local_options, flag, "");
                free(flag);
            }
            free(key);
            break;
        }
        case '?':
            exit(EXIT_FAILURE);

            VLOG_OPTION_HANDLERS
            TABLE_OPTION_HANDLERS(&ctl_table_style)
            STREAM_SSL_OPTION_HANDLERS
        default:
            abort();
        }
    }
    free(options);

    if (!db) {
        db = default_db();
    }
}

static void
usage(void)
{
    printf("%s: ovs-vswitchd management utility\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n",
           program_name, program_name);
    fputs(
        "\nOpen vSwitch commands:\n"
        "  init                        initialize database, if not yet "
        "initialized\n"
        "  show                        print overview of database contents\n"
        "  emer-reset                  reset configuration to clean state\n"
        "\nBridge commands:\n"
        "  add-br BRIDGE               create a new bridge named BRIDGE\n"
        "  add-br BRIDGE PARENT VLAN   create new fake BRIDGE in PARENT on "
        "VLAN\n"
        "  del-br BRIDGE               delete BRIDGE and all of its ports\n"
        "  list-br                     print the names of all the bridges\n"
        "  br-exists BRIDGE            exit 2 if BRIDGE does not exist\n"
        "  br-to-vlan BRIDGE           print the VLAN which BRIDGE is on\n"
        "  br-to-parent BRIDGE         print the parent of BRIDGE\n"
        "  br-set-external-id BRIDGE KEY VALUE  set KEY on BRIDGE to VALUE\n"
        "  br-set-external-id BRIDGE KEY  unset KEY on BRIDGE\n"
        "  br-get-external-id BRIDGE KEY  print value of KEY on BRIDGE\n"
        "  br-get-external-id BRIDGE  list key-value pairs on BRIDGE\n"
        "\nPort commands (a bond is considered to be a single port):\n"
        "  list-ports BRIDGE           print the names of all the ports on "
        "BRIDGE\n"
        "  add-port BRIDGE PORT        add network device PORT to BRIDGE\n"
        "  add-bond BRIDGE PORT IFACE...  add bonded port PORT in BRIDGE "
        "from IFACES\n"
        "  del-port [BRIDGE] PORT      delete PORT (which may be bonded) "
        "from BRIDGE\n"
        "  port-to-br PORT             print name of bridge that contains "
        "PORT\n"
        "\nInterface commands (a bond consists of multiple interfaces):\n"
        "  list-ifaces BRIDGE          print the names of all interfaces on "
        "BRIDGE\n"
        "  iface-to-br IFACE           print name of bridge that contains "
        "IFACE\n"
        "\nController commands:\n"
        "  get-controller BRIDGE      print the controllers for BRIDGE\n"
        "  del-controller BRIDGE      delete the controllers for BRIDGE\n"
        "  [--inactivity-probe=MSECS]\n"
        "  set-controller BRIDGE TARGET...  set the controllers for BRIDGE\n"
        "  get-fail-mode BRIDGE       print the fail-mode for BRIDGE\n"
        "  del-fail-mode BRIDGE       delete the fail-mode for BRIDGE\n"
        "  set-fail-mode BRIDGE MODE  set the fail-mode for BRIDGE to MODE\n"
        "\nManager commands:\n"
        "  get-manager                print the managers\n"
        "  del-manager                delete the managers\n"
        "  [--inactivity-probe=MSECS]\n"
        "  set-manager TARGET...      set the list of managers to TARGET...\n"
        "\nSSL commands:\n"
        "  get-ssl                     print the SSL configuration\n"
        "  del-ssl                     delete the SSL configuration\n"
        "  set-ssl PRIV-KEY CERT CA-CERT  set the SSL configuration\n"
        "\nAuto Attach commands:\n"
        "  add-aa-mapping BRIDGE I-SID VLAN   add Auto Attach mapping to "
        "BRIDGE\n"
        "  del-aa-mapping BRIDGE I-SID VLAN   delete Auto Attach mapping "
        "VLAN from BRIDGE\n"
        "  get-aa-mapping BRIDGE              get Auto Attach mappings from "
        "BRIDGE\n"
        "\nSwitch commands:\n"
        "  emer-reset                  reset switch to known good state\n"
        "\nDatabase commands:\n"
        "  list TBL [REC]              list RECord (or all records) in TBL\n"
        "  find TBL CONDITION...       list records satisfying CONDITION in "
        "TBL\n"
        "  get TBL REC COL[:KEY]       print values of COLumns in RECord in "
        "TBL\n"
        "  set TBL REC COL[:KEY]=VALUE set COLumn values in RECord in TBL\n"
        "  add TBL REC COL [KEY=]VALUE add (KEY=)VALUE to COLumn in RECord "
        "in TBL\n"
        "  remove TBL REC COL [KEY=]VALUE  remove (KEY=)VALUE from COLumn\n"
        "  clear TBL REC COL           clear values from COLumn in RECord "
        "in TBL\n"
        "  create TBL COL[:KEY]=VALUE  create and initialize new record\n"
        "  destroy TBL REC             delete RECord from TBL\n"
        "  wait-until TBL REC [COL[:KEY]=VALUE]  wait until condition is "
        "true\n"
        "Potentially unsafe database commands require --force option.\n",
        stdout);
    ctl_print_row_id_help();
    printf("\nOptions:\n"
           "  --db=DATABASE               connect to DATABASE\n"
           "                              (default: %s)\n"
           "  --no-wait                   do not wait for ovs-vswitchd to "
           "reconfigure\n"
           "  --retry                     keep trying to connect to server "
           "forever\n"
           "  -t, --timeout=SECS          wait at most SECS seconds for "
           "ovs-vswitchd\n"
           "  --dry-run                   do not commit changes to database\n"
           "  --oneline                   print exactly one line of output "
           "per command\n",
           default_db());
    table_usage();
    printf("\nLogging options:\n"
           "  -vSPEC, --verbose=SPEC   set logging levels\n"
           "  -v, --verbose            set maximum verbosity level\n"
           "  --log-file[=FILE]        enable logging to specified FILE\n"
           "                           (default: %s/%s.log)\n"
           "  --syslog-method=(libc|unix:file|udp:ip:port)\n"
           "                           specify how to send messages to "
           "syslog daemon\n"
           "  --syslog-target=HOST:PORT  also send syslog msgs to HOST:PORT "
           "via UDP\n"
           "  --no-syslog             equivalent to "
           "--verbose=vsctl:syslog:warn\n",
           ovs_logdir(), program_name);
    fputs("\nActive database connection methods:\n"
          "  tcp:HOST:PORT           PORT at remote HOST\n"
          "  ssl:HOST:PORT           SSL PORT at remote HOST\n"
          "  unix:FILE               Unix domain socket named FILE\n"
          "Passive database connection methods:\n"
          "  ptcp:PORT[:IP]          listen to TCP PORT on IP\n"
          "  pssl:PORT[:IP]          listen for SSL on PORT on IP\n"
          "  punix:FILE              listen on Unix domain socket FILE\n"
          "PKI configuration (required to use SSL):\n"
          "  -p, --private-key=FILE  file with private key\n"
          "  -c, --certificate=FILE  file with certificate for private key\n"
          "  -C, --ca-cert=FILE      file with peer CA certificate\n"
          "  --bootstrap-ca-cert=FILE  file with peer CA certificate to read "
          "or create\n"
          "SSL options:\n"
          "  --ssl-protocols=PROTOS  list of SSL protocols to enable\n"
          "  --ssl-ciphers=CIPHERS   list of SSL ciphers to enable\n"
          "\nOther options:\n"
          "  -h, --help                  display this help message\n"
          "  -V, --version               display version information\n",
          stdout);
    exit(EXIT_SUCCESS);
}

/* The name of the process that ran us, for the transaction comment. */
static char *
invoker_name(void)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/comm", (long) getppid());
    FILE *f = fopen(path, "r");
    char buf[256] = "";
    if (f) {
        if (fgets(buf, sizeof buf, f)) {
            buf[strcspn(buf, "\n")] = '\0';
        }
        fclose(f);
    }
    return xstrdup(buf[0] ? buf : "unknown");
}

/* Prints the output of each command. */
static void
print_outputs(struct ctl_command *commands, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct ctl_command *c = &commands[i];
        if (c->table) {
            table_print(c->table, &ctl_table_style);
        } else if (oneline) {
            struct ds line = DS_EMPTY_INITIALIZER;
            const char *s = ds_cstr(&c->output);
            size_t len = strlen(s);
            if (len && s[len - 1] == '\n') {
                len--;
            }
            for (size_t j = 0; j < len; j++) {
                if (s[j] == '\n') {
                    ds_put_cstr(&line, "\\n");
                } else if (s[j] == '\\') {
                    ds_put_cstr(&line, "\\\\");
                } else {
                    ds_put_char(&line, s[j]);
                }
            }
            ds_put_char(&line, '\n');
            fputs(ds_cstr(&line), stdout);
            ds_destroy(&line);
        } else {
            fputs(ds_cstr(&c->output), stdout);
        }
    }
    fflush(stdout);
}

/* Outcome of one attempt at running the commands. */
enum attempt {
    ATTEMPT_DONE,
    ATTEMPT_RETRY,    /* Replica changed under us or wait-until not met. */
    ATTEMPT_FALLBACK, /* The fast path of add-port/del-port gave up. */
};

static void
record_added_ifaces(const struct idl_txn *txn)
{
    size_t n;
    const struct uuid *uuids = vsctl_new_ifaces(&n);
    added_ifaces = xrealloc(added_ifaces, (n + 1) * sizeof *added_ifaces);
    n_added_ifaces = 0;
    for (size_t i = 0; i < n; i++) {
        const struct uuid *real = idl_txn_get_insert_uuid(txn, &uuids[i]);
        if (real) {
            added_ifaces[n_added_ifaces++] = *real;
        }
    }
}

/* Once ovs-vswitchd has applied the change: reports the interfaces added
 * that it could not set up (it gives them OpenFlow port -1). */
static void
report_iface_errors(struct idl *idl)
{
    bool any = false;
    for (size_t i = 0; i < n_added_ifaces; i++) {
        const struct ovsrec_interface *iface =
            ovsrec_interface_get_for_uuid(idl, &added_ifaces[i]);
        if (!iface || !iface->n_ofport || iface->ofport[0] != -1) {
            continue;
        }
        if (iface->n_error) {
            fprintf(stderr,
                    "%s: Error detected while setting up '%s': %s.  See "
                    "ovs-vswitchd log for details.\n",
                    program_name, iface->name, iface->error[0]);
        } else {
            fprintf(stderr,
                    "%s: Error detected while setting up '%s'.  See "
                    "ovs-vswitchd log for details.\n",
                    program_name, iface->name);
        }
        any = true;
    }
    if (any) {
        fprintf(stderr, "%s: The default log directory is \"%s\".\n",
                program_name, ovs_logdir());
    }
}

static enum attempt
do_vsctl(const char *args, struct ctl_command *commands, size_t n,
         struct idl *idl, int64_t *next_cfgp)
{
    vsctl_forget_new_ifaces();
    struct idl_txn *txn = idl_txn_create(idl);
    if (dry_run) {
        idl_txn_set_dry_run(txn);
    }
    char *invoker = invoker_name();
    idl_txn_add_comment(txn, "ovs-vsctl (invoked by %s): %s", invoker, args);
    free(invoker);

    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(idl);
    if (!ovs) {
        /* An empty database gets its root row here, as with OVS. */
        ovs = ovsrec_open_vswitch_insert(txn);
    }

    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    struct ctl_context ctx;
    ctl_context_init(&ctx, NULL, idl, txn, symtab, vsctl_invalidate_cache);
    bool try_again = false;
    for (size_t i = 0; i < n; i++) {
        ctl_context_init_command(&ctx, &commands[i]);
        if (commands[i].syntax->run) {
            commands[i].syntax->run(&ctx);
        }
        try_again = ctx.try_again;
        ctl_context_done_command(&ctx, &commands[i]);
        if (try_again) {
            break;
        }
    }
    if (!try_again) {
        const char *unused = ovsdb_symbol_table_find_uncreated(symtab);
        if (unused) {
            ctl_fatal("row id \"%s\" is referenced but never created (e.g. "
                      "with \"-- --id=%s create ...\")",
                      unused, unused);
        }
    }

    bool fallback = vsctl_ports_fallback_requested();
    /* As OVS's, only a transaction that changes something asks
     * ovs-vswitchd to reconfigure. */
    bool reconfigure =
        wait_for_reload && !try_again && idl_txn_has_changes(txn);
    if (reconfigure) {
        idl_txn_increment(txn, &ovs->header_,
                          ovsrec_open_vswitch_col_next_cfg);
    }
    /* A dry run that would have changed something still waits, as OVS's
     * does, for a reconfiguration that never comes (until --timeout). */
    int64_t dry_run_next_cfg =
        reconfigure && dry_run ? ovs->next_cfg + 1 : INT64_MIN;

    enum idl_txn_status status = IDL_TXN_TRY_AGAIN;
    if (!try_again) {
        status = idl_txn_commit_block(txn);
        if (wait_for_reload && status == IDL_TXN_SUCCESS) {
            *next_cfgp = idl_txn_get_increment_new_value(txn);
            record_added_ifaces(txn);
        }
        if (status == IDL_TXN_UNCHANGED || status == IDL_TXN_SUCCESS) {
            for (size_t i = 0; i < n; i++) {
                if (commands[i].syntax->postprocess) {
                    ctl_context_init_command(&ctx, &commands[i]);
                    commands[i].syntax->postprocess(&ctx);
                    ctl_context_done_command(&ctx, &commands[i]);
                }
            }
        }
    }
    char *error = nullable_xstrdup(idl_txn_get_error(txn));
    idl_txn_destroy(txn);
    vsctl_context_done(&ctx);
    ctl_context_done(&ctx, NULL);
    ovsdb_symbol_table_destroy(symtab);

    switch (status) {
    case IDL_TXN_UNCOMMITTED:
    case IDL_TXN_INCOMPLETE:
        abort();
    case IDL_TXN_ABORTED:
        ctl_fatal("transaction aborted");
    case IDL_TXN_UNCHANGED:
    case IDL_TXN_SUCCESS:
        break;
    case IDL_TXN_TRY_AGAIN:
        /* Forget the outputs of this attempt. */
        for (size_t i = 0; i < n; i++) {
            ds_clear(&commands[i].output);
            if (commands[i].table) {
                table_destroy(commands[i].table);
                free(commands[i].table);
                commands[i].table = NULL;
            }
        }
        free(error);
        return fallback ? ATTEMPT_FALLBACK : ATTEMPT_RETRY;
    case IDL_TXN_ERROR:
        vlog(&VLM_ovsdb_idl, VLL_WARN, "transaction error: %s", error);
        ctl_fatal("transaction error: %s", error);
    case IDL_TXN_NOT_LOCKED:
        ctl_fatal("database not locked");
    }
    free(error);

    print_outputs(commands, n);
    if (status == IDL_TXN_UNCHANGED) {
        *next_cfgp = dry_run_next_cfg;
    }
    return ATTEMPT_DONE;
}

/* Creates the IDL and makes it replicate what 'commands' need. */
static struct idl *
connect_idl(struct ctl_command *commands, size_t n_commands)
{
    struct idl *idl = idl_create(db, &ovsrec_idl_class, false, retry);
    idl_add_table(idl, ovsrec_table_open_vswitch);
    if (wait_for_reload) {
        idl_add_column(idl, ovsrec_open_vswitch_col_next_cfg);
        idl_add_column(idl, ovsrec_open_vswitch_col_cur_cfg);
        idl_add_column(idl, ovsrec_interface_col_name);
        idl_add_column(idl, ovsrec_interface_col_ofport);
        idl_add_column(idl, ovsrec_interface_col_error);
    }

    struct ctl_context ctx;
    ctl_context_init(&ctx, NULL, idl, NULL, NULL, vsctl_invalidate_cache);
    for (size_t i = 0; i < n_commands; i++) {
        if (commands[i].syntax->prerequisites) {
            ctl_context_init_command(&ctx, &commands[i]);
            commands[i].syntax->prerequisites(&ctx);
            ctl_context_done_command(&ctx, &commands[i]);
        }
    }
    ctl_context_done(&ctx, NULL);
    return idl;
}

int
main(int argc, char *argv[])
{
    struct smap local_options = SMAP_INITIALIZER(&local_options);

    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    fatal_signal_init();
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);

    vsctl_tables_init();
    ctl_init(&ovsrec_idl_class, vsctl_tables, vsctl_invalidate_cache);
    ctl_register_commands(vsctl_bridge_commands);
    ctl_register_commands(vsctl_show_commands);
    ctl_register_commands(vsctl_remote_commands);
    ctl_register_commands(vsctl_datapath_commands);
    ctl_order_commands(command_order);

    /* The transaction comment quotes the whole command line. */
    struct ds args = DS_EMPTY_INITIALIZER;
    for (int i = 0; i < argc; i++) {
        ds_put_format(&args, "%s%s", i ? " " : "", argv[i]);
    }

    parse_options(argc, argv, &local_options);
    VLOG_DBG("Called as %s", ds_cstr(&args));
    size_t n_commands;
    struct ctl_command *commands = ctl_parse_commands(
        argc - optind, argv + optind, &local_options, &n_commands);

    if (timeout_secs) {
        alarm(timeout_secs);
    }

    bool fast = vsctl_ports_use_fast_path(commands, n_commands);
    struct idl *idl = connect_idl(commands, n_commands);
    unsigned int seqno = 0;
    unsigned int cond_seqno = 0;
    int64_t next_cfg = INT64_MIN;
    bool done = false;
    for (;;) {
        fatal_signal_run();
        idl_run(idl);
        if (!idl_is_alive(idl)) {
            int error = idl_get_last_error(idl);
            ctl_fatal("%s: database connection failed (%s)", db,
                      ovs_retval_to_string(error));
        }
        if (!done && idl_has_ever_connected(idl) && idl_is_connected(idl)
            && (seqno != idl_get_seqno(idl)
                || cond_seqno != idl_get_condition_seqno(idl))) {
            seqno = idl_get_seqno(idl);
            cond_seqno = idl_get_condition_seqno(idl);
            enum attempt attempt =
                do_vsctl(ds_cstr(&args), commands, n_commands, idl, &next_cfg);
            if (attempt == ATTEMPT_DONE) {
                done = true;
                if (!wait_for_reload || next_cfg == INT64_MIN) {
                    break;
                }
            } else if (attempt == ATTEMPT_FALLBACK && fast) {
                /* Start over, replicating everything the general
                 * commands read. */
                fast = false;
                vsctl_ports_leave_fast_path(commands, n_commands);
                idl_destroy(idl);
                idl = connect_idl(commands, n_commands);
                seqno = cond_seqno = 0;
                continue;
            } else if (seqno != idl_get_seqno(idl)) {
                /* The change that made the commit fail arrived while it
                 * was waiting for the reply: try again at once. */
                poll_immediate_wake();
            }
        }
        if (done) {
            const struct ovsrec_open_vswitch *ovs =
                ovsrec_open_vswitch_first(idl);
            if (ovs && ovs->cur_cfg >= next_cfg) {
                report_iface_errors(idl);
                break;
            }
        }
        idl_wait(idl);
        fatal_signal_wait();
        poll_block();
    }

    idl_destroy(idl);
    free(added_ifaces);
    ctl_commands_destroy(commands, n_commands);
    smap_destroy(&local_options);
    ds_destroy(&args);
    return EXIT_SUCCESS;
}
