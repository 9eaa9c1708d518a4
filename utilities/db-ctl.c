/* db-ctl: command registry, command-line splitting, table/column/row
 * lookup and per-command contexts.  See db-ctl.h. */
#include "utilities/db-ctl.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/hash-order.h"
#include "lib/uuid.h"
#include "lib/vlog.h"
#include "ovsdb/idl.h"
#include "ovsdb/ovsdb-data.h"

VLOG_DEFINE_THIS_MODULE(db_ctl_base);

const struct idl_class *ctl_idl_class;
const struct ctl_table_class *ctl_classes;
struct table_style ctl_table_style = {TF_LIST, CF_STRING, true, false, 0};

static void (*ctl_invalidate_cache_cb)(struct ctl_context *);

/* Registered commands, in registration order. */
static const struct ctl_command_syntax **commands;
static size_t n_commands, allocated_commands;

void
ctl_fatal(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *message = xvasprintf(format, args);
    va_end(args);

    /* The message goes to the log file too, as OVS's tools log it, but
     * the console gets it only once, from ovs_fatal(). */
    vlog_set_levels(&VLM_db_ctl_base, VLF_CONSOLE, VLL_OFF);
    VLOG_ERR("%s", message);
    ovs_fatal(0, "%s", message);
}

void
ctl_register_commands(const struct ctl_command_syntax *syntaxes)
{
    for (const struct ctl_command_syntax *p = syntaxes; p->name; p++) {
        if (n_commands >= allocated_commands) {
            commands =
                x2nrealloc(commands, &allocated_commands, sizeof *commands);
        }
        commands[n_commands++] = p;
    }
}

void
ctl_order_commands(const char *const *order)
{
    size_t next = 0;
    for (const char *const *name = order; *name; name++) {
        for (size_t i = next; i < n_commands; i++) {
            if (!strcmp(commands[i]->name, *name)) {
                const struct ctl_command_syntax *c = commands[i];
                memmove(&commands[next + 1], &commands[next],
                        (i - next) * sizeof *commands);
                commands[next++] = c;
                break;
            }
        }
    }
}

void
ctl_init(const struct idl_class *idl_class,
         const struct ctl_table_class *tables,
         void (*invalidate_cache)(struct ctl_context *))
{
    ctl_idl_class = idl_class;
    ctl_classes = tables;
    ctl_invalidate_cache_cb = invalidate_cache;
    ctl_register_commands(ctl_db_commands);
}

static const struct ctl_command_syntax *
find_command(const char *name)
{
    for (size_t i = 0; i < n_commands; i++) {
        if (!strcmp(commands[i]->name, name)) {
            return commands[i];
        }
    }
    return NULL;
}

/* Looks up option 'name' (with its leading "--") in the comma-separated
 * option list 'options'.  Returns 0 if absent, 1 if it takes no value, 2
 * if it takes one. */
static int
option_kind(const char *options, const char *name)
{
    size_t len = strlen(name);
    const char *p = options;

    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t) (end - p) : strlen(p);
        bool has_arg = n && p[n - 1] == '=';
        size_t name_len = has_arg ? n - 1 : n;
        if (name_len == len && !strncmp(p, name, len)) {
            return has_arg ? 2 : 1;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

bool
ctl_is_command_option(const char *name, bool *has_arg)
{
    char *full = xasprintf("--%s", name);
    bool found = false;
    for (size_t i = 0; i < n_commands && !found; i++) {
        int kind = option_kind(commands[i]->options, full);
        if (kind) {
            *has_arg = kind == 2;
            found = true;
        }
    }
    free(full);
    return found;
}

/* Parses argv[0..argc) (without "--") into 'command'. */
static void
parse_command(int argc, char *argv[], struct smap *local_options,
              struct ctl_command *command)
{
    int i;

    smap_init(&command->options);
    if (local_options) {
        smap_clone(&command->options, local_options);
    }
    for (i = 0; i < argc; i++) {
        const char *option = argv[i];
        if (option[0] != '-') {
            break;
        }
        const char *equals = strchr(option, '=');
        char *key =
            equals ? xmemdup0(option, equals - option) : xstrdup(option);
        const char *value = equals ? equals + 1 : "";
        if (smap_get(&command->options, key)) {
            ctl_fatal("'%s' option specified multiple times", argv[i]);
        }
        smap_add(&command->options, key, value);
        if (!equals) {
            /* Remember that no value was given. */
            char *flag = xasprintf("%s\x01", key);
            smap_add(&command->options, flag, "");
            free(flag);
        }
        free(key);
    }
    if (i == argc) {
        ctl_fatal("missing command name (use --help for help)");
    }

    const struct ctl_command_syntax *p = find_command(argv[i]);
    if (!p) {
        ctl_fatal("unknown command '%s'; use --help for help", argv[i]);
    }

    struct smap_node *node;
    SMAP_FOR_EACH (node, &command->options) {
        size_t klen = strlen(node->key);
        if (klen && node->key[klen - 1] == '\x01') {
            continue;
        }
        int kind = option_kind(p->options, node->key);
        char *flag = xasprintf("%s\x01", node->key);
        bool no_value = smap_get(&command->options, flag) != NULL;
        free(flag);
        if (!kind) {
            ctl_fatal("'%s' command has no '%s' option", argv[i], node->key);
        } else if (kind == 2 && no_value) {
            ctl_fatal("missing argument to '%s' option on '%s' command",
                      node->key, argv[i]);
        } else if (kind == 1 && !no_value) {
            ctl_fatal("'%s' option on '%s' does not accept an argument",
                      node->key, argv[i]);
        }
    }

    int n_arg = argc - i - 1;
    if (n_arg < p->min_args) {
        ctl_fatal("'%s' command requires at least %d arguments", p->name,
                  p->min_args);
    } else if (n_arg > p->max_args) {
        for (int j = i + 1; j < argc; j++) {
            if (argv[j][0] == '-') {
                ctl_fatal("'%s' command takes at most %d arguments "
                          "(note that options must precede command names "
                          "and follow a \"--\" argument)",
                          p->name, p->max_args);
            }
        }
        ctl_fatal("'%s' command takes at most %d arguments", p->name,
                  p->max_args);
    }

    command->syntax = p;
    command->argc = n_arg + 1;
    command->argv = &argv[i];
    ds_init(&command->output);
    command->table = NULL;
}

struct ctl_command *
ctl_parse_commands(int argc, char *argv[], struct smap *local_options,
                   size_t *n_commandsp)
{
    /* The commands' smaps must not move once initialized, so the array
     * gets its final size up front. */
    size_t max = 1;
    for (int i = 0; i < argc; i++) {
        max += !strcmp(argv[i], "--");
    }
    struct ctl_command *cmds = xcalloc(max, sizeof *cmds);
    size_t n = 0;
    int start = 0;

    for (int i = 0; i <= argc; i++) {
        if (i == argc || !strcmp(argv[i], "--")) {
            if (i > start) {
                parse_command(i - start, &argv[start],
                              n == 0 ? local_options : NULL, &cmds[n]);
                n++;
            }
            start = i + 1;
        }
    }
    if (!n) {
        ctl_fatal("missing command name (use --help for help)");
    }
    *n_commandsp = n;
    return cmds;
}

void
ctl_commands_destroy(struct ctl_command *cmds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        smap_destroy(&cmds[i].options);
        ds_destroy(&cmds[i].output);
        if (cmds[i].table) {
            table_destroy(cmds[i].table);
            free(cmds[i].table);
        }
    }
    free(cmds);
}

void
ctl_print_commands(void)
{
    const char **names = xmalloc(n_commands * sizeof *names);
    for (size_t i = 0; i < n_commands; i++) {
        names[i] = commands[i]->name;
    }
    /* OVS prints them in its hash table's order. */
    hash_order_strings(names, n_commands);

    struct ds out = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < n_commands; i++) {
        const struct ctl_command_syntax *p = find_command(names[i]);
        const char *o = p->options;
        while (o && *o) {
            const char *end = strchr(o, ',');
            size_t len = end ? (size_t) (end - o) : strlen(o);
            ds_put_format(&out, "[%.*s] ", (int) len, o);
            o = end ? end + 1 : NULL;
        }
        ds_put_format(&out, ",%s,", p->name);
        ds_put_cstr(&out, p->arguments ? p->arguments : "");
        ds_put_char(&out, '\n');
    }
    fputs(ds_cstr(&out), stdout);
    ds_destroy(&out);
    free(names);
}

void
ctl_print_row_id_help(void)
{
    printf("Database commands may reference a row in each table in the "
           "following ways:\n");
    for (size_t i = 0; i < ctl_idl_class->n_tables; i++) {
        const struct idl_table_class *t = &ctl_idl_class->tables[i];
        printf("  %s:\n    by UUID\n", t->name);
        for (int j = 0; j < CTL_MAX_ROW_IDS; j++) {
            const struct ctl_row_id *id = &ctl_classes[i].row_ids[j];
            if (!id->table) {
                break;
            }
            if (!id->name_column) {
                printf("    as \".\"\n");
            } else if (id->uuid_column) {
                printf("    via \"%s\" of %s with matching \"%s\"\n",
                       id->uuid_column->name, id->table->name,
                       id->name_column->name);
            } else {
                printf("    by \"%s\"\n", id->name_column->name);
            }
        }
    }
}

/* Contexts. */

void
ctl_context_init_command(struct ctl_context *ctx, struct ctl_command *command)
{
    ctx->argc = command->argc;
    ctx->argv = command->argv;
    ctx->options = &command->options;
    ds_swap(&ctx->output, &command->output);
    ctx->table = command->table;
    ctx->try_again = false;
}

void
ctl_context_init(struct ctl_context *ctx, struct ctl_command *command,
                 struct idl *idl, struct idl_txn *txn,
                 struct ovsdb_symbol_table *symtab,
                 void (*invalidate_cache)(struct ctl_context *))
{
    memset(ctx, 0, sizeof *ctx);
    ds_init(&ctx->output);
    if (command) {
        ctl_context_init_command(ctx, command);
    }
    ctx->idl = idl;
    ctx->txn = txn;
    ctx->symtab = symtab;
    ctx->invalidate_cache =
        invalidate_cache ? invalidate_cache : ctl_invalidate_cache_cb;
}

void
ctl_context_done_command(struct ctl_context *ctx, struct ctl_command *command)
{
    ds_swap(&ctx->output, &command->output);
    command->table = ctx->table;
}

void
ctl_context_done(struct ctl_context *ctx, struct ctl_command *command)
{
    if (command) {
        ctl_context_done_command(ctx, command);
    }
    ds_destroy(&ctx->output);
}

void
ctl_context_invalidate_cache(struct ctl_context *ctx)
{
    if (ctx->invalidate_cache) {
        ctx->invalidate_cache(ctx);
    }
}

bool
ctl_has_option(const struct ctl_context *ctx, const char *name)
{
    return smap_get(ctx->options, name) != NULL;
}

const char *
ctl_get_option(const struct ctl_context *ctx, const char *name)
{
    return smap_get(ctx->options, name);
}

/* Tables and columns. */

const struct idl_table_class *
ctl_get_table(const char *name)
{
    const struct idl_table_class *best = NULL;
    size_t n_prefix = 0;
    size_t len = strlen(name);

    for (size_t i = 0; i < ctl_idl_class->n_tables; i++) {
        const struct idl_table_class *t = &ctl_idl_class->tables[i];
        if (!strcasecmp(t->name, name)) {
            return t;
        }
        if (!strncasecmp(t->name, name, len)) {
            best = t;
            n_prefix++;
        }
    }
    if (n_prefix == 1) {
        return best;
    } else if (n_prefix > 1) {
        struct ds s = DS_EMPTY_INITIALIZER;
        for (size_t i = 0; i < ctl_idl_class->n_tables; i++) {
            const struct idl_table_class *t = &ctl_idl_class->tables[i];
            if (!strncasecmp(t->name, name, len)) {
                ds_put_format(&s, "%s%s", s.length ? ", " : "", t->name);
            }
        }
        ctl_fatal("\"%s\" matches multiple table names: %s", name,
                  ds_cstr(&s));
    }
    ctl_fatal("unknown table \"%s\"", name);
}

/* Compares column names as OVS's tools do: case-insensitively, with '-'
 * and '_' equal ("external-ids" is external_ids). */
static int
column_name_ncmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = tolower((unsigned char) a[i]);
        int cb = tolower((unsigned char) b[i]);
        ca = ca == '-' ? '_' : ca;
        cb = cb == '-' ? '_' : cb;
        if (ca != cb || !ca) {
            return ca - cb;
        }
    }
    return 0;
}

static int
column_name_cmp(const char *a, const char *b)
{
    return column_name_ncmp(a, b, SIZE_MAX);
}

/* The "_uuid" pseudo-column that every table has. */
static const struct idl_column uuid_column = {
    .name = "_uuid",
    .type = {.key = {.type = OVSDB_TYPE_UUID},
             .value = {.type = OVSDB_TYPE_VOID},
             .n_min = 1,
             .n_max = 1},
    .offset = IDL_NO_MEMBER,
    .n_offset = IDL_NO_MEMBER,
    .value_offset = IDL_NO_MEMBER,
    .index = UINT_MAX,
};
const struct idl_column *const ctl_uuid_column = &uuid_column;

const struct idl_column *
ctl_get_column(const struct idl_table_class *table, const char *name)
{
    const struct idl_column *best = NULL;
    size_t n_prefix = 0;
    size_t len = strlen(name);

    if (!column_name_cmp(name, "_uuid")) {
        return &uuid_column;
    }
    for (size_t i = 0; i < table->n_columns; i++) {
        const struct idl_column *c = &table->columns[i];
        if (!column_name_cmp(c->name, name)) {
            return c;
        }
        if (len && !column_name_ncmp(c->name, name, len)) {
            best = c;
            n_prefix++;
        }
    }
    if (len && !column_name_ncmp("_uuid", name, len)) {
        best = &uuid_column;
        n_prefix++;
    }
    if (n_prefix == 1) {
        return best;
    } else if (n_prefix > 1) {
        struct ds s = DS_EMPTY_INITIALIZER;
        if (!column_name_ncmp("_uuid", name, len)) {
            ds_put_cstr(&s, "_uuid");
        }
        for (size_t i = 0; i < table->n_columns; i++) {
            const struct idl_column *c = &table->columns[i];
            if (!column_name_ncmp(c->name, name, len)) {
                ds_put_format(&s, "%s%s", s.length ? ", " : "", c->name);
            }
        }
        ctl_fatal("%s contains more than one column whose name matches "
                  "\"%s\": %s",
                  table->name, name, ds_cstr(&s));
    }
    ctl_fatal("%s does not contain a column whose name matches \"%s\"",
              table->name, name);
}

void
ctl_add_table_prereqs(struct idl *idl, const struct idl_table_class *table)
{
    idl_add_table(idl, table);
    for (int i = 0; i < CTL_MAX_ROW_IDS; i++) {
        const struct ctl_row_id *id = &ctl_classes[table->index].row_ids[i];
        if (!id->table) {
            break;
        }
        idl_add_table(idl, id->table);
        if (id->name_column) {
            idl_add_column(idl, id->name_column);
        }
        if (id->uuid_column) {
            idl_add_column(idl, id->uuid_column);
        }
    }
}

/* Returns true if the value of 'column' in 'row' is the single atom
 * that 'name' spells. */
static bool
row_name_matches(const struct idl_row *row, const struct idl_column *column,
                 const char *name)
{
    const struct ovsdb_datum *d = idl_read(row, column);
    if (d->n != 1) {
        return false;
    }
    switch (column->type.key.type) {
    case OVSDB_TYPE_STRING:
        return !strcmp(d->keys[0].string, name);
    case OVSDB_TYPE_INTEGER: {
        long long int v;
        return str_to_llong(name, 10, &v) && v == d->keys[0].integer;
    }
    default:
        return false;
    }
}

static const struct idl_row *
get_row_by_id(struct ctl_context *ctx, const struct idl_table_class *table,
              const struct ctl_row_id *id, const char *record_id)
{
    const struct idl_row *referrer = NULL;

    if (!id->name_column) {
        if (strcmp(record_id, ".")) {
            return NULL;
        }
        referrer = idl_first_row(ctx->idl, id->table);
        if (!referrer || idl_next_row(referrer)) {
            return NULL;
        }
    } else {
        for (const struct idl_row *row = idl_first_row(ctx->idl, id->table);
             row; row = idl_next_row(row)) {
            if (row_name_matches(row, id->name_column, record_id)) {
                if (referrer) {
                    ctl_fatal("multiple rows in %s match \"%s\"",
                              id->table->name, record_id);
                }
                referrer = row;
            }
        }
    }
    if (!referrer) {
        return NULL;
    }

    if (!id->uuid_column) {
        return referrer;
    }
    const struct ovsdb_datum *d = idl_read(referrer, id->uuid_column);
    if (d->n != 1) {
        return NULL;
    }
    return idl_get_row_for_uuid(ctx->idl, table, &d->keys[0].uuid);
}

/* True if 's' could be the beginning of a UUID's string form. */
static bool
is_partial_uuid(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > 36) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-'
                 : !isxdigit((unsigned char) s[i])
                       || isupper((unsigned char) s[i])) {
            return false;
        }
    }
    return true;
}

/* The bucket that OVS's hash table of 'n' rows puts 'uuid' in: OVS walks
 * its rows bucket by bucket, so this orders the rows as OVS finds them.
 * The table grows its buckets (to at least 4) whenever it holds more
 * than two rows per bucket. */
static uint32_t
ovs_row_bucket(const struct uuid *uuid, size_t n)
{
    size_t mask = 0;
    for (size_t i = 1; i <= n; i++) {
        if (i / 2 > mask) {
            size_t m = i / 2;
            for (int j = 0; j <= 5; j++) {
                m |= m >> (1 << j);
            }
            m |= (m & 1) << 1; /* At least 4 buckets, once it has any. */
            mask = m > mask ? m : mask;
        }
    }
    return uuid->parts[0] & mask;
}

/* The row of 'table' whose UUID starts with 'prefix', NULL if none, a
 * fatal error naming two of them (the first two that OVS would find) if
 * several do. */
static const struct idl_row *
get_row_by_partial_uuid(struct ctl_context *ctx,
                        const struct idl_table_class *table,
                        const char *prefix)
{
    size_t len = strlen(prefix), n_rows = 0;
    const struct idl_row *first = NULL, *second = NULL;
    const struct idl_row *r;
    for (r = idl_first_row(ctx->idl, table); r; r = idl_next_row(r)) {
        n_rows++;
    }
    for (r = idl_first_row(ctx->idl, table); r; r = idl_next_row(r)) {
        char buf[UUID_LEN + 1];
        if (strncmp(uuid_to_string(&r->uuid, buf), prefix, len)) {
            continue;
        }
        uint32_t b = ovs_row_bucket(&r->uuid, n_rows);
        if (!first || b < ovs_row_bucket(&first->uuid, n_rows)) {
            second = first;
            first = r;
        } else if (!second || b < ovs_row_bucket(&second->uuid, n_rows)) {
            second = r;
        }
    }
    if (second) {
        ctl_fatal("%s contains 2 or more rows whose UUIDs begin with %s: at "
                  "least " UUID_FMT " and " UUID_FMT,
                  table->name, prefix, UUID_ARGS(&first->uuid),
                  UUID_ARGS(&second->uuid));
    }
    return first;
}

const struct idl_row *
ctl_get_row(struct ctl_context *ctx, const struct idl_table_class *table,
            const char *record_id, bool must_exist)
{
    const struct idl_row *row = NULL;
    struct uuid uuid;

    if (uuid_from_string(&uuid, record_id)) {
        row = idl_get_row_for_uuid(ctx->idl, table, &uuid);
    }
    /* An @name is a UUID only where a value is expected: as a record name
     * OVS 3.1 refuses it ("no row "@q" in table QoS"), and so does this. */
    for (int i = 0; !row && i < CTL_MAX_ROW_IDS; i++) {
        const struct ctl_row_id *id = &ctl_classes[table->index].row_ids[i];
        if (!id->table) {
            break;
        }
        row = get_row_by_id(ctx, table, id, record_id);
    }
    if (!row && is_partial_uuid(record_id)) {
        row = get_row_by_partial_uuid(ctx, table, record_id);
    }
    if (must_exist && !row) {
        ctl_fatal("no row \"%s\" in table %s", record_id, table->name);
    }
    return row;
}
