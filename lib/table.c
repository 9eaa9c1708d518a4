#include "lib/table.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json.h"
#include "lib/timeval.h"

void
table_init(struct table *table)
{
    memset(table, 0, sizeof *table);
}

void
table_destroy(struct table *table)
{
    if (!table) {
        return;
    }
    for (size_t i = 0; i < table->n_rows * table->n_columns; i++) {
        free(table->cells[i].text);
        json_decref(table->cells[i].json);
    }
    free(table->cells);
    for (size_t i = 0; i < table->n_columns; i++) {
        free(table->headings[i]);
    }
    free(table->headings);
    free(table->caption);
}

void
table_set_caption(struct table *table, char *caption)
{
    free(table->caption);
    table->caption = caption;
}

void
table_set_timestamp(struct table *table, bool timestamp)
{
    table->timestamp = timestamp;
}

size_t
table_add_column(struct table *table, const char *heading, ...)
{
    va_list args;

    ovs_assert(!table->n_rows);
    if (table->n_columns >= table->allocated_columns) {
        table->headings =
            x2nrealloc(table->headings, &table->allocated_columns,
                       sizeof *table->headings);
    }
    va_start(args, heading);
    table->headings[table->n_columns] = xvasprintf(heading, args);
    va_end(args);
    return table->n_columns++;
}

size_t
table_add_row(struct table *table)
{
    if (table->n_rows >= table->allocated_rows) {
        /* Grow by rows: x2nrealloc() doubles a count of elements, and a
         * row is 'n_columns' cells (at least one element's worth, so that
         * tables without columns still count their rows). */
        size_t row_size = MAX(table->n_columns, 1) * sizeof *table->cells;
        table->cells =
            x2nrealloc(table->cells, &table->allocated_rows, row_size);
    }
    struct table_cell *row = &table->cells[table->n_rows * table->n_columns];
    memset(row, 0, table->n_columns * sizeof *row);
    return table->n_rows++;
}

struct table_cell *
table_cell(const struct table *table, size_t row, size_t column)
{
    ovs_assert(row < table->n_rows && column < table->n_columns);
    return &table->cells[row * table->n_columns + column];
}

struct table_cell *
table_add_cell(struct table *table, size_t column)
{
    ovs_assert(table->n_rows);
    return table_cell(table, table->n_rows - 1, column);
}

void
table_cell_set_text(struct table_cell *cell, char *text)
{
    free(cell->text);
    cell->text = text;
}

void
table_cell_set_json(struct table_cell *cell, json_t *json)
{
    json_decref(cell->json);
    cell->json = json;
}

const char *
table_cell_text(const struct table_cell *cell, char **bufp)
{
    *bufp = NULL;
    if (cell->text) {
        return cell->text;
    } else if (cell->json) {
        *bufp = json_to_string_compact(cell->json, true);
        return *bufp;
    }
    return "";
}

/* Cell texts of a whole table, computed once per printing. */
static char **
table_texts(const struct table *table)
{
    size_t n = table->n_rows * table->n_columns;
    char **texts = xmalloc(MAX(n, 1) * sizeof *texts);

    for (size_t i = 0; i < n; i++) {
        char *buf;
        const char *text = table_cell_text(&table->cells[i], &buf);
        texts[i] = buf ? buf : xstrdup(text);
    }
    return texts;
}

static void
table_free_texts(const struct table *table, char **texts)
{
    for (size_t i = 0; i < table->n_rows * table->n_columns; i++) {
        free(texts[i]);
    }
    free(texts);
}

static void
table_put_timestamp(struct ds *out)
{
    long long msec = time_wall_msec();

    ds_put_strftime(out, "%Y-%m-%d %H:%M:%S", msec / 1000, true);
    ds_put_format(out, ".%03lld", msec % 1000);
}

/* The timestamp and caption lines that every text format starts with. */
static void
table_put_preamble(const struct table *table, struct ds *out)
{
    if (table->timestamp) {
        table_put_timestamp(out);
        ds_put_char(out, '\n');
    }
    if (table->caption) {
        ds_put_format(out, "%s\n", table->caption);
    }
}

/* Ends a line of the table format: trailing padding is not printed. */
static void
table_end_line(struct ds *out)
{
    while (ds_chomp(out, ' ')) {
        continue;
    }
    ds_put_char(out, '\n');
}

static void
table_format_table(const struct table *table, const struct table_style *style,
                   char **texts, struct ds *out)
{
    size_t *widths = xcalloc(MAX(table->n_columns, 1), sizeof *widths);
    int max_width = style->max_column_width;

    for (size_t c = 0; c < table->n_columns; c++) {
        size_t width = style->headings ? strlen(table->headings[c]) : 0;
        for (size_t r = 0; r < table->n_rows; r++) {
            size_t len = strlen(texts[r * table->n_columns + c]);
            if (max_width > 0 && len > (size_t) max_width) {
                len = max_width;
            }
            width = MAX(width, len);
        }
        widths[c] = width;
    }

    table_put_preamble(table, out);
    if (style->headings) {
        for (size_t c = 0; c < table->n_columns; c++) {
            if (c) {
                ds_put_char(out, ' ');
            }
            ds_put_format(out, "%-*s", (int) widths[c], table->headings[c]);
        }
        table_end_line(out);
        for (size_t c = 0; c < table->n_columns; c++) {
            if (c) {
                ds_put_char(out, ' ');
            }
            ds_put_char_multiple(out, '-', widths[c]);
        }
        table_end_line(out);
    }
    for (size_t r = 0; r < table->n_rows; r++) {
        for (size_t c = 0; c < table->n_columns; c++) {
            const char *text = texts[r * table->n_columns + c];
            size_t len = MIN(strlen(text), widths[c]);
            if (c) {
                ds_put_char(out, ' ');
            }
            ds_put_buffer(out, text, len);
            ds_put_char_multiple(out, ' ', widths[c] - len);
        }
        table_end_line(out);
    }
    free(widths);
}

static void
table_format_list(const struct table *table, const struct table_style *style,
                  char **texts, struct ds *out)
{
    table_put_preamble(table, out);
    for (size_t r = 0; r < table->n_rows; r++) {
        if (r) {
            ds_put_char(out, '\n');
        }
        for (size_t c = 0; c < table->n_columns; c++) {
            if (style->headings) {
                ds_put_format(out, "%-20s: ", table->headings[c]);
            }
            ds_put_format(out, "%s\n", texts[r * table->n_columns + c]);
        }
    }
}

static void
table_put_html_escaped(const char *s, size_t n, struct ds *out)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        switch (s[i]) {
        case '&':
            ds_put_cstr(out, "&amp;");
            break;
        case '<':
            ds_put_cstr(out, "&lt;");
            break;
        case '>':
            ds_put_cstr(out, "&gt;");
            break;
        case '"':
            ds_put_cstr(out, "&quot;");
            break;
        default:
            ds_put_char(out, s[i]);
            break;
        }
    }
}

/* Returns true if 's' starts with a UUID in its 36-character form. */
static bool
table_starts_with_uuid(const char *s)
{
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char) s[i])) {
            return false;
        }
    }
    return true;
}

/* HTML output turns rows into anchors: the "_uuid" cell names the row,
 * and every UUID elsewhere links to the row it names, showing only the
 * UUID's first 8 characters. */
static void
table_put_html_cell(const char *heading, const char *text, struct ds *out)
{
    if (!strcmp(heading, "_uuid")) {
        ds_put_cstr(out, "<a name=\"");
        table_put_html_escaped(text, SIZE_MAX, out);
        ds_put_cstr(out, "\">");
        table_put_html_escaped(text, 8, out);
        ds_put_cstr(out, "</a>");
        return;
    }

    while (*text) {
        if (table_starts_with_uuid(text)) {
            ds_put_format(out, "<a href=\"#%.36s\">%.8s</a>", text, text);
            text += 36;
        } else {
            table_put_html_escaped(text, 1, out);
            text++;
        }
    }
}

static void
table_format_html(const struct table *table, const struct table_style *style,
                  char **texts, struct ds *out)
{
    if (table->timestamp) {
        table_put_timestamp(out);
        ds_put_char(out, '\n');
    }
    ds_put_cstr(out, "<table border=1>\n");
    if (table->caption) {
        ds_put_cstr(out, "    <caption>");
        table_put_html_escaped(table->caption, SIZE_MAX, out);
        ds_put_cstr(out, "</caption>\n");
    }
    if (style->headings) {
        ds_put_cstr(out, "  <tr>\n");
        for (size_t c = 0; c < table->n_columns; c++) {
            ds_put_cstr(out, "    <th>");
            table_put_html_escaped(table->headings[c], SIZE_MAX, out);
            ds_put_cstr(out, "</th>\n");
        }
        ds_put_cstr(out, "  </tr>\n");
    }
    for (size_t r = 0; r < table->n_rows; r++) {
        ds_put_cstr(out, "  <tr>\n");
        for (size_t c = 0; c < table->n_columns; c++) {
            ds_put_cstr(out, "    <td>");
            table_put_html_cell(table->headings[c],
                                texts[r * table->n_columns + c], out);
            ds_put_cstr(out, "</td>\n");
        }
        ds_put_cstr(out, "  </tr>\n");
    }
    ds_put_cstr(out, "</table>\n");
}

/* RFC 4180: a field with a comma, a quote or a line break is quoted,
 * with quotes inside doubled. */
static void
table_put_csv_field(const char *s, struct ds *out)
{
    if (!strpbrk(s, ",\"\r\n")) {
        ds_put_cstr(out, s);
        return;
    }
    ds_put_char(out, '"');
    for (; *s; s++) {
        if (*s == '"') {
            ds_put_char(out, '"');
        }
        ds_put_char(out, *s);
    }
    ds_put_char(out, '"');
}

static void
table_format_csv(const struct table *table, const struct table_style *style,
                 char **texts, struct ds *out)
{
    table_put_preamble(table, out);
    if (style->headings) {
        for (size_t c = 0; c < table->n_columns; c++) {
            if (c) {
                ds_put_char(out, ',');
            }
            table_put_csv_field(table->headings[c], out);
        }
        ds_put_char(out, '\n');
    }
    for (size_t r = 0; r < table->n_rows; r++) {
        for (size_t c = 0; c < table->n_columns; c++) {
            if (c) {
                ds_put_char(out, ',');
            }
            table_put_csv_field(texts[r * table->n_columns + c], out);
        }
        ds_put_char(out, '\n');
    }
}

static void
table_format_json(const struct table *table, const struct table_style *style,
                  struct ds *out)
{
    json_t *object = json_object();

    if (table->caption) {
        json_object_set_new(object, "caption", json_string(table->caption));
    }
    if (table->timestamp) {
        struct ds time = DS_EMPTY_INITIALIZER;
        table_put_timestamp(&time);
        json_object_set_new(object, "time", json_string(ds_cstr(&time)));
        ds_destroy(&time);
    }

    json_t *headings = json_array();
    for (size_t c = 0; c < table->n_columns; c++) {
        json_array_append_new(headings, json_string(table->headings[c]));
    }
    json_object_set_new(object, "headings", headings);

    json_t *data = json_array();
    for (size_t r = 0; r < table->n_rows; r++) {
        json_t *row = json_array();
        for (size_t c = 0; c < table->n_columns; c++) {
            const struct table_cell *cell = table_cell(table, r, c);
            json_array_append_new(row, cell->json   ? json_incref(cell->json)
                                       : cell->text ? json_string(cell->text)
                                                    : json_null());
        }
        json_array_append_new(data, row);
    }
    json_object_set_new(object, "data", data);

    json_to_ds(object, true, style->json_pretty, out);
    ds_put_char(out, '\n');
    json_decref(object);
}

void
table_format(const struct table *table, const struct table_style *style,
             struct ds *out)
{
    if (style->format == TF_JSON) {
        table_format_json(table, style, out);
        return;
    }

    char **texts = table_texts(table);
    switch (style->format) {
    case TF_TABLE:
        table_format_table(table, style, texts, out);
        break;
    case TF_LIST:
        table_format_list(table, style, texts, out);
        break;
    case TF_HTML:
        table_format_html(table, style, texts, out);
        break;
    case TF_CSV:
        table_format_csv(table, style, texts, out);
        break;
    case TF_JSON:
    default:
        break;
    }
    table_free_texts(table, texts);
}

void
table_print(const struct table *table, const struct table_style *style)
{
    static bool printed_before;
    struct ds out = DS_EMPTY_INITIALIZER;

    if (printed_before && style->format != TF_HTML
        && style->format != TF_JSON) {
        ds_put_char(&out, '\n');
    }
    printed_before = true;
    table_format(table, style, &out);
    fputs(ds_cstr(&out), stdout);
    fflush(stdout);
    ds_destroy(&out);
}

void
table_parse_format(struct table_style *style, const char *format)
{
    static const struct {
        const char *name;
        enum table_format format;
    } formats[] = {
        {"table", TF_TABLE}, {"list", TF_LIST}, {"html", TF_HTML},
        {"csv", TF_CSV},     {"json", TF_JSON},
    };

    for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
        if (!strcmp(format, formats[i].name)) {
            style->format = formats[i].format;
            return;
        }
    }
    ovs_fatal(0, "unknown output format \"%s\"", format);
}

void
table_parse_cell_format(struct table_style *style, const char *format)
{
    if (!strcmp(format, "string")) {
        style->cell_format = CF_STRING;
    } else if (!strcmp(format, "bare")) {
        style->cell_format = CF_BARE;
    } else if (!strcmp(format, "json")) {
        style->cell_format = CF_JSON;
    } else {
        ovs_fatal(0, "unknown data format \"%s\"", format);
    }
}

int
table_parse_max_column_width(const char *arg)
{
    /* OVS takes the number as atoi() reads it: anything unparsable is 0,
     * which means no limit. */
    return atoi(arg);
}

void
table_usage(void)
{
    printf("\nOutput formatting options:\n"
           "  -f, --format=FORMAT         output format: \"table\", "
           "\"list\",\n"
           "                              \"html\", \"csv\" or \"json\"\n"
           "  -d, --data=FORMAT           format of cells: \"string\", "
           "\"bare\"\n"
           "                              or \"json\"\n"
           "  --no-headings               leave out the heading row\n"
           "  --pretty                    indent JSON output\n"
           "  --bare                      same as --format=list "
           "--data=bare --no-headings\n"
           "  --max-column-width=N        cut table cells to N "
           "characters\n");
}
