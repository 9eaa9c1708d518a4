/* Tabular output as OVS's database tools print it (ovsdb-client dump and
 * monitor, ovs-vsctl list and find): a table of rows by columns of cells,
 * printed in one of five formats.
 *
 *     table   aligned columns under a heading line and a line of dashes
 *     list    one "name                : value" line per cell, a blank
 *             line between rows
 *     html    an HTML <table>
 *     csv     comma-separated values (RFC 4180)
 *     json    {"caption": ..., "data": [[...], ...], "headings": [...]}
 *
 * A cell holds text, JSON, or both.  Every format but json prints the
 * text (or, for a cell with only JSON, its compact form); json prints the
 * JSON (or, for a cell with only text, the text as a JSON string).  The
 * caller formats database values into cells according to the style's
 * 'cell_format' (ovsdb/ovsdb-cell.h does it for OVSDB datums).
 *
 * Programs parse the formatting options with the TABLE_* getopt macros
 * below so that every tool spells and checks them the same way. */
#ifndef LIB_TABLE_H
#define LIB_TABLE_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/ds.h"
#include "lib/util.h"

enum table_format {
    TF_TABLE, /* Aligned columns (the default). */
    TF_LIST,  /* "name : value" lines. */
    TF_HTML,
    TF_CSV,
    TF_JSON,
};

/* How callers turn database values into cell text. */
enum cell_format {
    CF_STRING, /* ovs-vsctl syntax: [a, b], {k=v}, "x y" */
    CF_BARE,   /* Same without punctuation: a b, k=v */
    CF_JSON,   /* RFC 7047 JSON. */
};

struct table_style {
    enum table_format format;
    enum cell_format cell_format;
    bool headings;        /* Print the heading row. */
    bool json_pretty;     /* --pretty: indent JSON output. */
    int max_column_width; /* Table format: cell width cap, 0 = none. */
};

#define TABLE_STYLE_DEFAULT_INITIALIZER                                       \
    {                                                                         \
        TF_TABLE, CF_STRING, true, false, 0                                   \
    }

struct table_cell {
    char *text;   /* Malloc'd, or NULL. */
    json_t *json; /* One reference, or NULL. */
};

struct table {
    struct table_cell *cells; /* 'n_rows' * 'n_columns', row by row. */
    size_t n_rows, allocated_rows;
    char **headings; /* 'n_columns' malloc'd headings. */
    size_t n_columns, allocated_columns;
    char *caption;  /* Malloc'd, or NULL. */
    bool timestamp; /* Print the time above the table. */
};

void table_init(struct table *);
void table_destroy(struct table *);

/* Sets the caption printed above the table ("Bridge table"); takes
 * 'caption', which may be NULL. */
void table_set_caption(struct table *, char *caption);
/* With 'timestamp', printing the table prints the current wall-clock
 * time (UTC, "2024-01-31 12:34:56.789") on a line above it, or, in the
 * json format, as a "time" member. */
void table_set_timestamp(struct table *, bool timestamp);

/* Adds a column with the given heading; columns come before rows.
 * Returns the column's index. */
size_t table_add_column(struct table *, const char *heading, ...)
    PRINTF_FORMAT(2, 3);
/* Adds an empty row (all cells empty) and returns its index. */
size_t table_add_row(struct table *);
/* Returns the cell in 'column' of the last row added. */
struct table_cell *table_add_cell(struct table *, size_t column);
struct table_cell *table_cell(const struct table *, size_t row, size_t column);

/* Replaces the cell's contents.  set_text takes 'text'; set_json takes
 * the reference to 'json'. */
void table_cell_set_text(struct table_cell *, char *text);
void table_cell_set_json(struct table_cell *, json_t *json);

/* Returns the text a non-json format prints for 'cell', in 'style'
 * (for a cell with only JSON, its compact JSON). */
const char *table_cell_text(const struct table_cell *, char **bufp);

/* Appends 'table' in 'style' to 'out', exactly as table_print() would
 * print it as the first table of the program's output. */
void table_format(const struct table *, const struct table_style *,
                  struct ds *out);

/* Prints 'table' to stdout in 'style' and flushes.  Tables after the
 * first are separated from the previous one by a blank line, except in
 * the html and json formats. */
void table_print(const struct table *, const struct table_style *);

/* Parses the argument of --format and --data; exits with OVS's message
 * ("unknown output format \"xml\"") if it is not valid. */
void table_parse_format(struct table_style *, const char *format);
void table_parse_cell_format(struct table_style *, const char *format);

/* Prints the formatting options for a program's --help. */
void table_usage(void);

/* getopt_long() glue:
 *
 *     enum { ..., TABLE_OPTION_ENUMS };
 *     static struct option long_options[] = { ..., TABLE_LONG_OPTIONS };
 *     switch (c) { ... TABLE_OPTION_HANDLERS(&style) }
 *
 * with "f:d:" in the short options string. */
/* clang-format off */
#define TABLE_OPTION_ENUMS                                              \
    OPT_NO_HEADINGS,                                                    \
    OPT_PRETTY,                                                         \
    OPT_BARE,                                                           \
    OPT_MAX_COLUMN_WIDTH

#define TABLE_LONG_OPTIONS                                              \
    {"format", required_argument, NULL, 'f'},                           \
    {"data", required_argument, NULL, 'd'},                             \
    {"no-headings", no_argument, NULL, OPT_NO_HEADINGS},                \
    {"pretty", no_argument, NULL, OPT_PRETTY},                          \
    {"bare", no_argument, NULL, OPT_BARE},                              \
    {"max-column-width", required_argument, NULL, OPT_MAX_COLUMN_WIDTH}

#define TABLE_OPTION_HANDLERS(STYLE)                                    \
    case 'f':                                                           \
        table_parse_format(STYLE, optarg);                              \
        break;                                                          \
    case 'd':                                                           \
        table_parse_cell_format(STYLE, optarg);                         \
        break;                                                          \
    case OPT_NO_HEADINGS:                                               \
        (STYLE)->headings = false;                                      \
        break;                                                          \
    case OPT_PRETTY:                                                    \
        (STYLE)->json_pretty = true;                             \
        break;                                                          \
    case OPT_BARE:                                                      \
        (STYLE)->format = TF_LIST;                                      \
        (STYLE)->cell_format = CF_BARE;                                 \
        (STYLE)->headings = false;                                      \
        break;                                                          \
    case OPT_MAX_COLUMN_WIDTH:                                          \
        (STYLE)->max_column_width = table_parse_max_column_width(optarg); \
        break;
/* clang-format on */

/* Parses the argument of --max-column-width (exits on a bad number). */
int table_parse_max_column_width(const char *arg);

#endif /* lib/table.h */
