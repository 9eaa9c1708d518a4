#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/table.h"

/* A small fixed table: a caption, three columns (one named "_uuid", as
 * OVS's html output treats specially), two rows with text that needs
 * quoting in csv and escaping in html, and one cell that holds only
 * JSON. */
static void
make_table(struct table *t)
{
    table_init(t);
    table_set_caption(t, xstrdup("Bridge table"));
    table_add_column(t, "_uuid");
    table_add_column(t, "name");
    table_add_column(t, "%s", "ids");

    table_add_row(t);
    table_cell_set_text(table_add_cell(t, 0),
                        xstrdup("46287569-2878-4276-8a11-6c88aa6e3123"));
    table_cell_set_text(table_add_cell(t, 1), xstrdup("br0"));
    table_cell_set_text(table_add_cell(t, 2), xstrdup("{a=\"x y\"}"));
    table_cell_set_json(table_add_cell(t, 2),
                        json_pack("[s,[[s,s]]]", "map", "a", "x y"));

    table_add_row(t);
    table_cell_set_text(table_add_cell(t, 0),
                        xstrdup("7f12faf6-2460-47d4-a06e-6505c52f9ae9"));
    table_cell_set_json(table_add_cell(t, 1), json_pack("[s,[]]", "set"));
    table_cell_set_text(table_add_cell(t, 2), xstrdup("a<b>&c, d"));
}

static char *
format(const struct table *t, const struct table_style *style)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    table_format(t, style, &out);
    return ds_steal_cstr(&out);
}

static void
check(const struct table_style *style, const char *expected)
{
    struct table t;
    make_table(&t);
    char *s = format(&t, style);
    assert_string_equal(s, expected);
    free(s);
    table_destroy(&t);
}

static void
test_table_format_aligns_columns_and_strips_trailing_spaces(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    check(&style,
          "Bridge table\n"
          "_uuid                                name       ids\n"
          "------------------------------------ ---------- ---------\n"
          "46287569-2878-4276-8a11-6c88aa6e3123 br0        {a=\"x y\"}\n"
          "7f12faf6-2460-47d4-a06e-6505c52f9ae9 [\"set\",[]] a<b>&c, d\n");
}

static void
test_table_format_without_headings_sizes_columns_by_data(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    style.headings = false;
    check(&style,
          "Bridge table\n"
          "46287569-2878-4276-8a11-6c88aa6e3123 br0        {a=\"x y\"}\n"
          "7f12faf6-2460-47d4-a06e-6505c52f9ae9 [\"set\",[]] a<b>&c, d\n");
}

static void
test_max_column_width_truncates_cells_but_not_headings(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    style.max_column_width = 4;
    check(&style, "Bridge table\n"
                  "_uuid name ids\n"
                  "----- ---- ----\n"
                  "46287 br0  {a=\"\n"
                  "7f12f [\"se a<b>\n");
}

static void
test_list_format_pads_names_to_20_columns(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    style.format = TF_LIST;
    check(&style, "Bridge table\n"
                  "_uuid               : "
                  "46287569-2878-4276-8a11-6c88aa6e3123\n"
                  "name                : br0\n"
                  "ids                 : {a=\"x y\"}\n"
                  "\n"
                  "_uuid               : "
                  "7f12faf6-2460-47d4-a06e-6505c52f9ae9\n"
                  "name                : [\"set\",[]]\n"
                  "ids                 : a<b>&c, d\n");
}

static void
test_bare_option_is_list_without_names(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    style.format = TF_LIST;
    style.cell_format = CF_BARE;
    style.headings = false;
    check(&style, "Bridge table\n"
                  "46287569-2878-4276-8a11-6c88aa6e3123\n"
                  "br0\n"
                  "{a=\"x y\"}\n"
                  "\n"
                  "7f12faf6-2460-47d4-a06e-6505c52f9ae9\n"
                  "[\"set\",[]]\n"
                  "a<b>&c, d\n");
}

static void
test_csv_quotes_fields_with_commas_and_quotes(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    style.format = TF_CSV;
    check(&style, "Bridge table\n"
                  "_uuid,name,ids\n"
                  "46287569-2878-4276-8a11-6c88aa6e3123,br0,"
                  "\"{a=\"\"x y\"\"}\"\n"
                  "7f12faf6-2460-47d4-a06e-6505c52f9ae9,"
                  "\"[\"\"set\"\",[]]\",\"a<b>&c, d\"\n");
}

static void
test_html_escapes_and_links_uuids(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    style.format = TF_HTML;
    check(&style, "<table border=1>\n"
                  "    <caption>Bridge table</caption>\n"
                  "  <tr>\n"
                  "    <th>_uuid</th>\n"
                  "    <th>name</th>\n"
                  "    <th>ids</th>\n"
                  "  </tr>\n"
                  "  <tr>\n"
                  "    <td><a name=\"46287569-2878-4276-8a11-6c88aa6e3123\">"
                  "46287569</a></td>\n"
                  "    <td>br0</td>\n"
                  "    <td>{a=&quot;x y&quot;}</td>\n"
                  "  </tr>\n"
                  "  <tr>\n"
                  "    <td><a name=\"7f12faf6-2460-47d4-a06e-6505c52f9ae9\">"
                  "7f12faf6</a></td>\n"
                  "    <td>[&quot;set&quot;,[]]</td>\n"
                  "    <td>a&lt;b&gt;&amp;c, d</td>\n"
                  "  </tr>\n"
                  "</table>\n");
}

static void
test_html_links_uuids_inside_other_cells(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    struct table t;

    style.format = TF_HTML;
    style.headings = false;
    table_init(&t);
    table_add_column(&t, "ports");
    table_add_row(&t);
    table_cell_set_text(table_add_cell(&t, 0),
                        xstrdup("[605b458b-2ef9-45a5-8b1d-a44255054742]"));
    char *s = format(&t, &style);
    assert_string_equal(s, "<table border=1>\n"
                           "  <tr>\n"
                           "    <td>[<a href=\"#605b458b-2ef9-45a5-8b1d-"
                           "a44255054742\">605b458b</a>]</td>\n"
                           "  </tr>\n"
                           "</table>\n");
    free(s);
    table_destroy(&t);
}

static void
test_json_format_uses_cell_json_and_sorted_members(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    style.format = TF_JSON;
    check(&style, "{\"caption\":\"Bridge table\",\"data\":["
                  "[\"46287569-2878-4276-8a11-6c88aa6e3123\",\"br0\","
                  "[\"map\",[[\"a\",\"x y\"]]]],"
                  "[\"7f12faf6-2460-47d4-a06e-6505c52f9ae9\",[\"set\",[]],"
                  "\"a<b>&c, d\"]],"
                  "\"headings\":[\"_uuid\",\"name\",\"ids\"]}\n");
}

static void
test_pretty_json_puts_closing_brackets_on_last_line(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    struct table t;

    style.format = TF_JSON;
    style.json_pretty = true;
    table_init(&t);
    table_add_column(&t, "n");
    table_add_row(&t);
    table_cell_set_json(table_add_cell(&t, 0), json_integer(1));
    char *s = format(&t, &style);
    assert_string_equal(s, "{\n"
                           "  \"data\": [\n"
                           "    [\n"
                           "      1]],\n"
                           "  \"headings\": [\n"
                           "    \"n\"]}\n");
    free(s);
    table_destroy(&t);
}

static void
test_empty_cells_are_null_in_json_and_blank_in_text(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    struct table t;

    table_init(&t);
    table_add_column(&t, "a");
    table_add_column(&t, "b");
    table_add_row(&t);
    table_cell_set_text(table_add_cell(&t, 1), xstrdup("x"));

    char *s = format(&t, &style);
    assert_string_equal(s, "a b\n- -\n  x\n");
    free(s);

    style.format = TF_JSON;
    s = format(&t, &style);
    assert_string_equal(s, "{\"data\":[[null,\"x\"]],"
                           "\"headings\":[\"a\",\"b\"]}\n");
    free(s);
    table_destroy(&t);
}

static void
test_table_without_columns_prints_one_blank_line_per_row(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    struct table t;

    table_init(&t);
    table_set_caption(&t, xstrdup("A table"));
    table_add_row(&t);
    char *s = format(&t, &style);
    assert_string_equal(s, "A table\n\n\n\n");
    free(s);
    table_destroy(&t);
}

static void
test_timestamp_line_precedes_table(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;
    struct table t;

    table_init(&t);
    table_set_timestamp(&t, true);
    table_add_column(&t, "a");
    char *s = format(&t, &style);
    /* "YYYY-MM-DD HH:MM:SS.mmm\n" then the heading. */
    assert_int_equal(strlen(s), 24 + 4);
    assert_int_equal(s[4], '-');
    assert_int_equal(s[10], ' ');
    assert_int_equal(s[19], '.');
    assert_string_equal(s + 24, "a\n-\n");
    free(s);
    table_destroy(&t);
}

static void
test_format_names_parse_to_styles(void **state)
{
    struct table_style style = TABLE_STYLE_DEFAULT_INITIALIZER;

    table_parse_format(&style, "csv");
    assert_int_equal(style.format, TF_CSV);
    table_parse_format(&style, "list");
    assert_int_equal(style.format, TF_LIST);
    table_parse_cell_format(&style, "bare");
    assert_int_equal(style.cell_format, CF_BARE);
    table_parse_cell_format(&style, "json");
    assert_int_equal(style.cell_format, CF_JSON);
    assert_int_equal(table_parse_max_column_width("12"), 12);
    assert_int_equal(table_parse_max_column_width("abc"), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_table_format_aligns_columns_and_strips_trailing_spaces),
        cmocka_unit_test(
            test_table_format_without_headings_sizes_columns_by_data),
        cmocka_unit_test(
            test_max_column_width_truncates_cells_but_not_headings),
        cmocka_unit_test(test_list_format_pads_names_to_20_columns),
        cmocka_unit_test(test_bare_option_is_list_without_names),
        cmocka_unit_test(test_csv_quotes_fields_with_commas_and_quotes),
        cmocka_unit_test(test_html_escapes_and_links_uuids),
        cmocka_unit_test(test_html_links_uuids_inside_other_cells),
        cmocka_unit_test(test_json_format_uses_cell_json_and_sorted_members),
        cmocka_unit_test(test_pretty_json_puts_closing_brackets_on_last_line),
        cmocka_unit_test(test_empty_cells_are_null_in_json_and_blank_in_text),
        cmocka_unit_test(
            test_table_without_columns_prints_one_blank_line_per_row),
        cmocka_unit_test(test_timestamp_line_precedes_table),
        cmocka_unit_test(test_format_names_parse_to_styles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
