/* db-ctl: the command framework of ovs-vsctl-like tools, reusable by
 * any tool that edits one OVSDB database through the IDL (ovs-vsctl now,
 * ovn-nbctl and ovn-sbctl later).
 *
 * A tool registers its command table and the ways each table's rows are
 * named on the command line, then:
 *
 *     commands = ctl_parse_commands(argc, argv, &local_options, &n);
 *     for each command: ctl_context_init(...); syntax->prerequisites(ctx)
 *     loop: idl_run until the replica is there; open a transaction;
 *           syntax->run(ctx) for each; commit; retry on TRY_AGAIN;
 *           syntax->postprocess(ctx); print outputs.
 *
 * The generic database commands (list, find, get, set, add, remove,
 * clear, create, destroy, wait-until, comment) live in db-ctl-cmds.c
 * and are registered by ctl_init().  Errors in user input end the
 * program through ctl_fatal(), before anything is committed, so that the
 * database stays unchanged. */
#ifndef UTILITIES_DB_CTL_H
#define UTILITIES_DB_CTL_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lib/ds.h"
#include "lib/smap.h"
#include "lib/table.h"
#include "lib/util.h"
#include "ovsdb/idl-provider.h"

struct ctl_context;
struct idl;
struct idl_txn;
struct ovsdb_symbol_table;

enum ctl_mode { CTL_RO, CTL_RW };

struct ctl_command_syntax {
    const char *name;
    int min_args;
    int max_args; /* INT_MAX for no limit. */
    /* Argument summary for --commands ("!TABLE *RECORD"). */
    const char *arguments;
    /* Registers with the IDL the columns that run() needs. */
    void (*prerequisites)(struct ctl_context *);
    /* Does the command's work inside the transaction. */
    void (*run)(struct ctl_context *);
    /* Runs after a successful commit (e.g. to print new UUIDs). */
    void (*postprocess)(struct ctl_context *);
    /* Comma-separated options the command accepts: "--if-exists,--id=";
     * a trailing '=' means the option takes a value. */
    const char *options;
    enum ctl_mode mode;
};

/* One way of naming a row of a table on the command line: a row of
 * 'table' whose 'name_column' equals the name (with 'name_column' NULL,
 * the table's only row, named "."), and then, if 'uuid_column' is
 * nonnull, the row that its 'uuid_column' refers to. */
struct ctl_row_id {
    const struct idl_table_class *table;
    const struct idl_column *name_column;
    const struct idl_column *uuid_column;
};

#define CTL_MAX_ROW_IDS 2
struct ctl_table_class {
    struct ctl_row_id row_ids[CTL_MAX_ROW_IDS];
};

/* One command of a command line, as parsed. */
struct ctl_command {
    const struct ctl_command_syntax *syntax;
    int argc;
    char **argv;         /* argv[0] is the command name. */
    struct smap options; /* "--if-exists" -> "", "--id" -> "@x". */
    struct ds output;    /* Text output, or... */
    struct table *table; /* ...table output. */
};

struct ctl_context {
    /* The command being run. */
    int argc;
    char **argv;
    const struct smap *options;

    struct idl *idl;
    struct idl_txn *txn;
    struct ovsdb_symbol_table *symtab;

    struct ds output;
    struct table *table;

    /* Set by a command (wait-until) that must run again once the replica
     * changes. */
    bool try_again;

    /* Called when a command changes the database behind a tool's cache
     * of it. */
    void (*invalidate_cache)(struct ctl_context *);
    void *pvt; /* The tool's own per-run state. */
};

/* Sets up the framework for the database of 'idl_class' with the row
 * naming rules 'tables' (indexed like idl_class->tables) and registers
 * the generic database commands.  'invalidate_cache' may be NULL. */
void ctl_init(const struct idl_class *idl_class,
              const struct ctl_table_class *tables,
              void (*invalidate_cache)(struct ctl_context *));
void ctl_register_commands(const struct ctl_command_syntax *);
/* Puts the commands named in 'order' (NULL-terminated) first, in that
 * order, as if registered so: --commands lists them in the order of a
 * hash table that depends on it. */
void ctl_order_commands(const char *const *order);

/* Prints "PROGRAM: MESSAGE" on stderr and exits with status 1. */
noreturn void ctl_fatal(const char *format, ...) PRINTF_FORMAT(1, 2);

/* Splits argv (what follows the global options) into commands separated
 * by "--", each with its own leading options.  'local_options' are the
 * command options that came before the first command among the global
 * ones; they go to the first command. */
struct ctl_command *ctl_parse_commands(int argc, char *argv[],
                                       struct smap *local_options,
                                       size_t *n_commands);
void ctl_commands_destroy(struct ctl_command *, size_t n);

/* True if 'name' (without "--") is an option that some command takes,
 * so that the option parser can set it aside for the first command.
 * '*has_arg' says whether it takes a value. */
bool ctl_is_command_option(const char *name, bool *has_arg);

/* Prints the command table for --commands and the list of ways to name
 * rows ("Database commands may reference a row...") for --help. */
void ctl_print_commands(void);
void ctl_print_row_id_help(void);

/* Per-command contexts. */
void ctl_context_init(struct ctl_context *, struct ctl_command *, struct idl *,
                      struct idl_txn *, struct ovsdb_symbol_table *,
                      void (*invalidate_cache)(struct ctl_context *));
void ctl_context_init_command(struct ctl_context *, struct ctl_command *);
/* Moves the output of the context back into 'command'. */
void ctl_context_done_command(struct ctl_context *, struct ctl_command *);
void ctl_context_done(struct ctl_context *, struct ctl_command *);
void ctl_context_invalidate_cache(struct ctl_context *);

/* Helpers for commands. */
bool ctl_has_option(const struct ctl_context *, const char *name);
const char *ctl_get_option(const struct ctl_context *, const char *name);
const struct idl_table_class *ctl_get_table(const char *name);
const struct idl_column *ctl_get_column(const struct idl_table_class *,
                                        const char *name);
/* Finds the row of 'table' named 'record_id' (see struct ctl_row_id),
 * or by UUID, UUID prefix or "@name"; NULL or fatal error ("no row ...")
 * depending on 'must_exist'. */
const struct idl_row *ctl_get_row(struct ctl_context *,
                                  const struct idl_table_class *,
                                  const char *record_id, bool must_exist);
/* Makes the IDL replicate every column that row naming in 'table' needs
 * (and the table itself). */
void ctl_add_table_prereqs(struct idl *, const struct idl_table_class *);

/* The table style that list and find print with. */
extern struct table_style ctl_table_style;

/* The IDL class given to ctl_init(). */
extern const struct idl_class *ctl_idl_class;
extern const struct ctl_table_class *ctl_classes;

/* The generic database commands (db-ctl-cmds.c). */
extern const struct ctl_command_syntax ctl_db_commands[];

#endif /* utilities/db-ctl.h */
