/* Unit tests for ovsdb/log.c and ovsdb/lockfile.c.
 *
 * The expected error texts are those that the reference ovsdb-tool of
 * Open vSwitch 3.1 prints ("ovsdb-tool show-log FILE") for the same
 * damage to a file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#include "lib/json.h"
#include "lib/poll-loop.h"
#include "lib/util.h"
#include "lib/vlog.h"
#include "ovsdb/lockfile.h"
#include "ovsdb/log.h"
#include "ovsdb/ovsdb-error.h"

static char tmpdir[] = "/tmp/test-ovsdb-log.XXXXXX";
static char *self_path; /* argv[0], to run a second process. */
static int file_counter;

/* Returns a new, unused file name in the test directory. */
static char *
new_file_name(void)
{
    return xasprintf("%s/f%d.db", tmpdir, file_counter++);
}

static json_t *
parse_json(const char *s)
{
    json_t *json;
    char *msg = json_from_string_any(s, &json);
    if (msg) {
        fail_msg("bad JSON in test: %s: %s", s, msg);
    }
    return json;
}

static void
write_file(const char *name, const void *data, size_t n)
{
    FILE *f = fopen(name, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Returns the contents of 'name' (null-terminated) and its size. */
static char *
read_file(const char *name, size_t *np)
{
    FILE *f = fopen(name, "rb");
    assert_non_null(f);
    struct ds ds = DS_EMPTY_INITIALIZER;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        ds_put_buffer(&ds, buf, n);
    }
    fclose(f);
    *np = ds.length;
    return ds_steal_cstr(&ds);
}

static off_t
file_size(const char *name)
{
    struct stat st;
    assert_int_equal(stat(name, &st), 0);
    return st.st_size;
}

/* Asserts that 'error' is non-null with exactly the text 'expected' (a
 * printf format), and frees it. */
static void PRINTF_FORMAT(2, 3)
    assert_error(struct ovsdb_error *error, const char *expected, ...)
{
    assert_non_null(error);
    va_list args;
    va_start(args, expected);
    char *want = xvasprintf(expected, args);
    va_end(args);
    char *got = ovsdb_error_to_string_free(error);
    assert_string_equal(got, want);
    free(got);
    free(want);
}

static void
assert_ok(struct ovsdb_error *error)
{
    if (error) {
        char *s = ovsdb_error_to_string_free(error);
        fail_msg("unexpected error: %s", s);
    }
}

static struct ovsdb_log *
open_log(const char *name, enum ovsdb_log_open_mode mode)
{
    struct ovsdb_log *log;
    assert_ok(ovsdb_log_open(name, mode, mode != OVSDB_LOG_READ_ONLY, &log));
    return log;
}

/* Creates 'name' with the records given as JSON texts (NULL-terminated
 * list). */
static void
make_log(const char *name, ...)
{
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_CREATE_EXCL);
    va_list args;
    va_start(args, name);
    const char *s;
    while ((s = va_arg(args, const char *)) != NULL) {
        json_t *json = parse_json(s);
        assert_ok(ovsdb_log_write(log, json));
        json_decref(json);
    }
    va_end(args);
    assert_ok(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);
}

/* Reads the next record of 'log' and asserts that it equals 'expected'
 * (JSON text). */
static void
assert_next_record(struct ovsdb_log *log, const char *expected)
{
    json_t *record;
    assert_ok(ovsdb_log_read(log, &record));
    assert_non_null(record);
    char *got = json_to_string_compact(record, false);
    assert_string_equal(got, expected);
    free(got);
    json_decref(record);
}

static void
assert_end_of_log(struct ovsdb_log *log)
{
    json_t *record = (json_t *) &record;
    assert_ok(ovsdb_log_read(log, &record));
    assert_null(record);
}

/* Writes 'n' bytes of 'data' over 'name' at 'ofs'. */
static void
patch_file(const char *name, off_t ofs, const char *data)
{
    FILE *f = fopen(name, "r+b");
    assert_non_null(f);
    assert_int_equal(fseeko(f, ofs, SEEK_SET), 0);
    assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
    assert_int_equal(fclose(f), 0);
}

/* The three-record log most tests damage.  Each header is
 * "OVSDB JSON LEN SHA1\n", 55 bytes for a 2-digit length. */
#define HDR_LEN 55
#define REC0 "{\"name\":\"db\"}"       /* 14 bytes with newline. */
#define REC1 "{\"_date\":1,\"T\":{}}"  /* 19 bytes with newline. */
#define REC2 "{\"_date\":2,\"U\":[1]}" /* 20 bytes with newline. */
#define REC1_OFS 69
#define REC2_OFS 143
#define END_OFS 218

static char *
make_three_record_log(void)
{
    char *name = new_file_name();
    make_log(name, REC0, REC1, REC2, NULL);
    assert_int_equal(file_size(name), END_OFS);
    return name;
}

/* Format and round trip. */

static void
test_write_produces_reference_format(void **state OVS_UNUSED)
{
    char *name = new_file_name();
    make_log(name, "{\"a\":1}", "{\"b\":[1,2,\"x\"]}", NULL);

    /* LENGTH counts the newline after the JSON, and the SHA-1 covers it,
     * exactly as in files that OVS's ovsdb-tool writes. */
    static const char expected[] =
        "OVSDB JSON 8 8a3d961f7fe8ef7b41d461059884a9461be85059\n"
        "{\"a\":1}\n"
        "OVSDB JSON 16 19a0f4b9c275586e161609f6871bf4cd5e27d478\n"
        "{\"b\":[1,2,\"x\"]}\n";
    size_t n;
    char *contents = read_file(name, &n);
    assert_int_equal(n, strlen(expected));
    assert_memory_equal(contents, expected, n);
    free(contents);

    struct stat st;
    assert_int_equal(stat(name, &st), 0);
    assert_int_equal(st.st_mode & 0007, 0); /* 0660 less umask. */
    free(name);
}

static void
test_records_read_back_in_order_with_offsets(void **state OVS_UNUSED)
{
    char *name = make_three_record_log();
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_ONLY);
    assert_int_equal(ovsdb_log_get_offset(log), 0);
    assert_next_record(log, REC0);
    assert_int_equal(ovsdb_log_get_offset(log), REC1_OFS);
    assert_next_record(log, REC1);
    assert_int_equal(ovsdb_log_get_offset(log), REC2_OFS);
    assert_next_record(log, REC2);
    assert_int_equal(ovsdb_log_get_offset(log), END_OFS);
    assert_end_of_log(log);
    assert_end_of_log(log);
    assert_int_equal(ovsdb_log_get_n_read(log), 3);
    assert_int_equal(ovsdb_log_get_truncated(log), 0);
    assert_int_equal(ovsdb_log_get_base_size(log), END_OFS);
    ovsdb_log_close(log);
    free(name);
}

static void
test_reader_accepts_body_without_newline_and_uppercase_hash(
    void **state OVS_UNUSED)
{
    /* Other writers may omit the final newline; OVS accepts that, and
     * hashes in either case. */
    char *name = new_file_name();
    static const char data[] =
        "OVSDB JSON 7 9F89C740CEB46D7418C924A78AC57941D5E96520\n{\"a\":1}";
    write_file(name, data, strlen(data));
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_ONLY);
    assert_next_record(log, "{\"a\":1}");
    assert_end_of_log(log);
    ovsdb_log_close(log);
    free(name);
}

static void
test_write_rejects_non_objects(void **state OVS_UNUSED)
{
    char *name = new_file_name();
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_CREATE);
    json_t *array = json_array();
    assert_error(ovsdb_log_write(log, array),
                 "internal error: %s: log records must be JSON objects, "
                 "not array",
                 name);
    json_decref(array);
    assert_int_equal(ovsdb_log_get_written_seq(log), 0);
    ovsdb_log_close(log);
    assert_int_equal(file_size(name), 0);
    free(name);
}

static void
test_write_requires_reading_to_the_end(void **state OVS_UNUSED)
{
    char *name = make_three_record_log();
    json_t *record = parse_json("{\"x\":1}");

    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_WRITE);
    assert_next_record(log, REC0);
    assert_error(ovsdb_log_write(log, record),
                 "internal error: %s: cannot write before every record has "
                 "been read",
                 name);
    assert_next_record(log, REC1);
    assert_next_record(log, REC2);
    assert_end_of_log(log);
    assert_ok(ovsdb_log_write(log, record));
    assert_ok(ovsdb_log_commit_block(log));
    assert_int_equal(ovsdb_log_get_offset(log), file_size(name));
    assert_int_equal(ovsdb_log_get_n_appended(log), 1);
    ovsdb_log_close(log);

    log = open_log(name, OVSDB_LOG_READ_ONLY);
    assert_error(ovsdb_log_write(log, record),
                 "internal error: %s: cannot write to a log opened "
                 "read-only",
                 name);
    assert_next_record(log, REC0);
    assert_next_record(log, REC1);
    assert_next_record(log, REC2);
    assert_next_record(log, "{\"x\":1}");
    assert_end_of_log(log);
    ovsdb_log_close(log);

    json_decref(record);
    free(name);
}

/* Opening. */

static void
test_open_errors_match_ovs(void **state OVS_UNUSED)
{
    struct ovsdb_log *log;
    char *name = new_file_name();

    assert_error(ovsdb_log_open(name, OVSDB_LOG_READ_ONLY, false, &log),
                 "I/O error: %s: open failed (No such file or directory)",
                 name);
    assert_null(log);

    make_log(name, REC0, NULL);
    assert_error(ovsdb_log_open(name, OVSDB_LOG_CREATE_EXCL, true, &log),
                 "I/O error: %s: create failed (File exists)", name);
    assert_null(log);

    /* Empty file. */
    write_file(name, "", 0);
    assert_error(ovsdb_log_open(name, OVSDB_LOG_READ_WRITE, true, &log),
                 "ovsdb error: %s: cannot identify file type", name);

    /* Header that does not parse. */
    static const char bad_lead[] =
        "XVSDB JSON 8 8a3d961f7fe8ef7b41d461059884a9461be85059\n{\"a\":1}\n";
    write_file(name, bad_lead, strlen(bad_lead));
    assert_error(ovsdb_log_open(name, OVSDB_LOG_READ_ONLY, false, &log),
                 "ovsdb error: %s: unexpected file format", name);
    write_file(name, "OVSDB JSON 14", 13);
    assert_error(ovsdb_log_open(name, OVSDB_LOG_READ_ONLY, false, &log),
                 "ovsdb error: %s: unexpected file format", name);

    /* Header that parses, with a magic nobody knows. */
    static const char unknown[] =
        "OVSDB XSON 8 8a3d961f7fe8ef7b41d461059884a9461be85059\n{\"a\":1}\n";
    write_file(name, unknown, strlen(unknown));
    assert_error(ovsdb_log_open(name, OVSDB_LOG_READ_ONLY, false, &log),
                 "ovsdb error: %s: cannot identify file type", name);
    assert_int_equal(ovsdb_log_probe(name), OVSDB_LOG_UNKNOWN);

    free(name);
}

static void
test_clustered_file_is_recognised_and_refused(void **state OVS_UNUSED)
{
    char *name = new_file_name();
    static const char data[] =
        "OVSDB CLUSTER 8 8a3d961f7fe8ef7b41d461059884a9461be85059\n"
        "{\"a\":1}\n";
    write_file(name, data, strlen(data));

    struct ovsdb_log *log;
    assert_error(ovsdb_log_open(name, OVSDB_LOG_READ_WRITE, true, &log),
                 "ovsdb error: %s: clustered database files (\"OVSDB "
                 "CLUSTER\") are not supported",
                 name);
    assert_null(log);
    assert_int_equal(ovsdb_log_probe(name), OVSDB_LOG_CLUSTERED);

    free(name);
}

static void
test_probe(void **state OVS_UNUSED)
{
    char *name = new_file_name();
    assert_int_equal(ovsdb_log_probe(name), OVSDB_LOG_UNKNOWN);
    make_log(name, REC0, NULL);
    assert_int_equal(ovsdb_log_probe(name), OVSDB_LOG_STANDALONE);
    free(name);
}

/* Corruption in the middle: always an error naming the offset. */

/* Opens 'name' read-write (where a torn tail would be truncated), reads
 * REC0 and REC1, and returns the log, positioned at REC2. */
static struct ovsdb_log *
read_up_to_rec2(const char *name)
{
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_WRITE);
    assert_next_record(log, REC0);
    assert_next_record(log, REC1);
    return log;
}

static void
test_bad_header_in_middle_is_an_error(void **state OVS_UNUSED)
{
    char *name = make_three_record_log();
    patch_file(name, REC1_OFS + 6, "X"); /* "OVSDB XSON". */

    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_WRITE);
    assert_next_record(log, REC0);
    json_t *record;
    assert_error(ovsdb_log_read(log, &record),
                 "syntax error: %s: parse error at offset %d in header line "
                 "\"OVSDB XSON\"",
                 name, REC1_OFS);
    assert_null(record);

    /* The error sticks, and nothing may be written after it. */
    assert_error(ovsdb_log_read(log, &record),
                 "syntax error: %s: parse error at offset %d in header line "
                 "\"OVSDB XSON\"",
                 name, REC1_OFS);
    json_t *x = parse_json("{}");
    struct ovsdb_error *error = ovsdb_log_write(log, x);
    assert_non_null(error);
    ovsdb_error_destroy(error);
    json_decref(x);
    ovsdb_log_close(log);
    assert_int_equal(file_size(name), END_OFS);

    /* Garbage in the length: what OVS shows is the magic. */
    patch_file(name, REC1_OFS + 6, "J");
    patch_file(name, REC1_OFS + 12, "X");
    log = open_log(name, OVSDB_LOG_READ_WRITE);
    assert_next_record(log, REC0);
    assert_error(ovsdb_log_read(log, &record),
                 "syntax error: %s: parse error at offset %d in header line "
                 "\"OVSDB JSON\"",
                 name, REC1_OFS);
    ovsdb_log_close(log);

    /* A line that does not start like a header is shown whole. */
    patch_file(name, REC1_OFS, "XVSDB JSON 19");
    log = open_log(name, OVSDB_LOG_READ_WRITE);
    assert_next_record(log, REC0);
    assert_error(ovsdb_log_read(log, &record),
                 "syntax error: %s: parse error at offset %d in header line "
                 "\"XVSDB JSON 19 0dbbe1a777aaaa1926a89e4e79f346ef1a1df108\"",
                 name, REC1_OFS);
    ovsdb_log_close(log);
    free(name);
}

static void
test_bad_checksum_in_middle_is_an_error(void **state OVS_UNUSED)
{
    char *name = make_three_record_log();
    patch_file(name, REC1_OFS + HDR_LEN + 3, "X"); /* In REC1's body. */

    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_WRITE);
    assert_next_record(log, REC0);
    json_t *record;
    struct ovsdb_error *error = ovsdb_log_read(log, &record);
    char *s = ovsdb_error_to_string_free(error);
    char *prefix = xasprintf("syntax error: %s: 19 bytes starting at offset "
                             "%d have SHA-1 hash ",
                             name, REC1_OFS + HDR_LEN);
    assert_true(str_startswith(s, prefix));
    assert_non_null(strstr(s, " but should have hash "));
    free(prefix);
    free(s);
    ovsdb_log_close(log);
    assert_int_equal(file_size(name), END_OFS);
    free(name);
}

static void
test_oversized_length_in_middle_is_an_error(void **state OVS_UNUSED)
{
    /* A length that runs past the end of the file looks like a torn
     * record, but a good record follows it, so it is damage in the
     * middle and nothing is truncated. */
    char *name = make_three_record_log();
    patch_file(name, REC1_OFS + 11, "9"); /* Length 19 -> 99. */

    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_WRITE);
    assert_next_record(log, REC0);
    json_t *record;
    assert_error(ovsdb_log_read(log, &record),
                 "I/O error: %s: error reading 99 bytes starting at offset "
                 "%d (End of file)",
                 name, REC1_OFS + HDR_LEN);
    ovsdb_log_close(log);
    assert_int_equal(file_size(name), END_OFS);
    free(name);
}

/* Writes a one-record log whose body is 'body' with a correct hash. */
static char *
make_log_with_body(const char *body)
{
    char *name = new_file_name();
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_CREATE_EXCL);
    assert_ok(ovsdb_log_write_text(log, body, strlen(body)));
    ovsdb_log_close(log);
    return name;
}

static void
test_body_that_is_not_a_json_object_is_an_error(void **state OVS_UNUSED)
{
    json_t *record;
    struct ovsdb_log *log;

    char *name = make_log_with_body("[]");
    log = open_log(name, OVSDB_LOG_READ_ONLY);
    assert_error(ovsdb_log_read(log, &record),
                 "syntax error: %s: 3 bytes starting at offset 54 are not a "
                 "JSON object",
                 name);
    ovsdb_log_close(log);
    free(name);

    name = make_log_with_body("{]");
    log = open_log(name, OVSDB_LOG_READ_WRITE);
    assert_error(ovsdb_log_read(log, &record),
                 "syntax error: %s: 3 bytes starting at offset 54 are not "
                 "valid JSON (line 0, column 1, byte 1: syntax error parsing "
                 "object expecting string)",
                 name);
    ovsdb_log_close(log);
    assert_int_equal(file_size(name), 57);
    free(name);
}

/* Torn tails. */

/* Truncates 'name' to 'size' bytes, opens it read-write, and asserts that
 * REC0 and REC1 read back, that the log ends there, and that the file was
 * cut back to REC2_OFS. */
static void
assert_torn_tail_truncated(const char *name, off_t size)
{
    assert_int_equal(truncate(name, size), 0);
    struct ovsdb_log *log = read_up_to_rec2(name);
    assert_end_of_log(log);
    assert_int_equal(ovsdb_log_get_truncated(log), size - REC2_OFS);
    assert_int_equal(ovsdb_log_get_offset(log), REC2_OFS);
    assert_int_equal(file_size(name), REC2_OFS);

    /* The log continues cleanly after the cut. */
    json_t *record = parse_json("{\"again\":true}");
    assert_ok(ovsdb_log_write(log, record));
    json_decref(record);
    assert_ok(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);

    log = open_log(name, OVSDB_LOG_READ_ONLY);
    assert_next_record(log, REC0);
    assert_next_record(log, REC1);
    assert_next_record(log, "{\"again\":true}");
    assert_end_of_log(log);
    ovsdb_log_close(log);
}

static void
test_torn_header_is_truncated(void **state OVS_UNUSED)
{
    for (off_t cut = REC2_OFS + 1; cut < REC2_OFS + HDR_LEN; cut += 12) {
        char *name = make_three_record_log();
        assert_torn_tail_truncated(name, cut);
        free(name);
    }
}

static void
test_short_body_is_truncated(void **state OVS_UNUSED)
{
    for (off_t cut = REC2_OFS + HDR_LEN; cut < END_OFS; cut += 7) {
        char *name = make_three_record_log();
        assert_torn_tail_truncated(name, cut);
        free(name);
    }
}

static void
test_bad_checksum_on_last_record_is_truncated(void **state OVS_UNUSED)
{
    char *name = make_three_record_log();
    patch_file(name, END_OFS - 3, "X");
    assert_torn_tail_truncated(name, END_OFS);
    free(name);
}

static void
test_torn_tail_is_an_error_in_read_only_mode(void **state OVS_UNUSED)
{
    char *name = make_three_record_log();
    assert_int_equal(truncate(name, REC2_OFS + 60), 0);

    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_ONLY);
    assert_next_record(log, REC0);
    assert_next_record(log, REC1);
    json_t *record;
    assert_error(ovsdb_log_read(log, &record),
                 "I/O error: %s: error reading 20 bytes starting at offset "
                 "%d (End of file)",
                 name, REC2_OFS + HDR_LEN);
    ovsdb_log_close(log);
    assert_int_equal(file_size(name), REC2_OFS + 60);

    assert_int_equal(truncate(name, REC2_OFS + 13), 0);
    log = open_log(name, OVSDB_LOG_READ_ONLY);
    assert_next_record(log, REC0);
    assert_next_record(log, REC1);
    assert_error(ovsdb_log_read(log, &record),
                 "syntax error: %s: parse error at offset %d in header line "
                 "\"OVSDB JSON\"",
                 name, REC2_OFS);
    ovsdb_log_close(log);
    free(name);
}

static void
test_torn_first_record_is_not_truncated(void **state OVS_UNUSED)
{
    char *name = make_three_record_log();
    assert_int_equal(truncate(name, 60), 0);

    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_WRITE);
    json_t *record;
    assert_error(ovsdb_log_read(log, &record),
                 "I/O error: %s: error reading 14 bytes starting at offset "
                 "55 (End of file)",
                 name);
    ovsdb_log_close(log);
    assert_int_equal(file_size(name), 60);
    free(name);
}

/* Commits. */

static void
test_commit_block_makes_written_records_durable(void **state OVS_UNUSED)
{
    char *name = new_file_name();
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_CREATE_EXCL);
    assert_ok(ovsdb_log_commit_block(log)); /* Nothing to do. */
    assert_int_equal(ovsdb_log_get_durable_seq(log), 0);

    json_t *record = parse_json("{\"n\":1}");
    for (int i = 0; i < 3; i++) {
        assert_ok(ovsdb_log_write(log, record));
    }
    assert_int_equal(ovsdb_log_get_written_seq(log), 3);
    assert_int_equal(ovsdb_log_get_durable_seq(log), 0);
    assert_ok(ovsdb_log_commit_block(log));
    assert_int_equal(ovsdb_log_get_durable_seq(log), 3);
    json_decref(record);
    ovsdb_log_close(log);
    free(name);
}

static void
test_background_commit_reports_durable_seq(void **state OVS_UNUSED)
{
    char *name = new_file_name();
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_CREATE_EXCL);
    json_t *record = parse_json("{\"n\":1}");

    uint64_t durable;
    for (int round = 1; round <= 3; round++) {
        /* Several records, one commit; a second start while the first is
         * under way is folded into a follow-up commit. */
        assert_ok(ovsdb_log_write(log, record));
        ovsdb_log_commit_start(log);
        assert_ok(ovsdb_log_write(log, record));
        ovsdb_log_commit_start(log);
        uint64_t target = ovsdb_log_get_written_seq(log);
        assert_int_equal(target, 2 * round);

        for (int i = 0; i < 1000; i++) {
            assert_ok(ovsdb_log_commit_done(log, &durable));
            if (durable >= target) {
                break;
            }
            ovsdb_log_commit_wait(log);
            poll_timer_wait(100);
            poll_block();
        }
        assert_int_equal(durable, target);
        assert_false(ovsdb_log_commit_in_progress(log));
    }

    /* A start with nothing new to commit does nothing. */
    ovsdb_log_commit_start(log);
    assert_false(ovsdb_log_commit_in_progress(log));

    json_decref(record);
    ovsdb_log_close(log);

    log = open_log(name, OVSDB_LOG_READ_ONLY);
    for (int i = 0; i < 6; i++) {
        assert_next_record(log, "{\"n\":1}");
    }
    assert_end_of_log(log);
    ovsdb_log_close(log);
    free(name);
}

/* With deferred writes, records reach the file together when a commit
 * starts, in order and in the same format. */
static void
test_deferred_writes_reach_the_file_at_commit(void **state OVS_UNUSED)
{
    char *name = new_file_name();
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_CREATE_EXCL);
    ovsdb_log_defer_writes(log);
    json_t *record = parse_json("{\"n\":1}");
    assert_ok(ovsdb_log_write(log, record));
    json_decref(record);
    assert_ok(ovsdb_log_write_text(log, "{\"n\":2}", 7));
    assert_int_equal(ovsdb_log_get_written_seq(log), 2);
    assert_int_equal(file_size(name), 0);
    off_t logical = ovsdb_log_get_offset(log);

    ovsdb_log_commit_start(log);
    assert_int_equal(file_size(name), logical);
    uint64_t durable = 0;
    for (int i = 0; i < 1000 && durable < 2; i++) {
        assert_ok(ovsdb_log_commit_done(log, &durable));
        ovsdb_log_commit_wait(log);
        poll_timer_wait(100);
        poll_block();
    }
    assert_int_equal(durable, 2);

    /* commit_block() and close flush too. */
    assert_ok(ovsdb_log_write_text(log, "{\"n\":3}", 7));
    assert_ok(ovsdb_log_commit_block(log));
    assert_int_equal(ovsdb_log_get_durable_seq(log), 3);
    assert_ok(ovsdb_log_write_text(log, "{\"n\":4}\n", 8));
    ovsdb_log_close(log);

    log = open_log(name, OVSDB_LOG_READ_ONLY);
    assert_next_record(log, "{\"n\":1}");
    assert_next_record(log, "{\"n\":2}");
    assert_next_record(log, "{\"n\":3}");
    assert_next_record(log, "{\"n\":4}");
    assert_end_of_log(log);
    ovsdb_log_close(log);
    free(name);
}

/* A deferred write that fails cannot fail the records it carries, which
 * were accepted already: it fails the commit instead, for good, and no
 * record after it is accepted. */
static void
test_failed_deferred_write_fails_commits_for_good(void **state OVS_UNUSED)
{
    int fd = open("/dev/full", O_WRONLY);
    assert_true(fd >= 0);
    struct ovsdb_log *log;
    assert_ok(ovsdb_log_open_stream(fd, "full", &log));
    close(fd);
    ovsdb_log_defer_writes(log);
    assert_ok(ovsdb_log_write_text(log, "{\"n\":1}", 7));

    ovsdb_log_commit_start(log);
    uint64_t durable;
    assert_error(ovsdb_log_commit_done(log, &durable),
                 "I/O error: full: write failed (No space left on device)");
    assert_int_equal(durable, 0);
    assert_error(ovsdb_log_commit_block(log),
                 "I/O error: full: write failed (No space left on device)");
    assert_error(ovsdb_log_write_text(log, "{\"n\":2}", 7),
                 "I/O error: full: write failed (No space left on device)");
    assert_int_equal(ovsdb_log_get_durable_seq(log), 0);
    ovsdb_log_close(log);
}

/* Replacing. */

static void
test_replace_swaps_contents_atomically(void **state OVS_UNUSED)
{
    char *name = make_three_record_log();
    struct ovsdb_log *log = read_up_to_rec2(name);
    assert_next_record(log, REC2);
    assert_end_of_log(log);
    json_t *record = parse_json("{\"before\":1}");
    assert_ok(ovsdb_log_write(log, record));
    json_decref(record);

    struct ovsdb_log *new;
    assert_ok(ovsdb_log_replace_start(log, &new));
    char *tmp_name = xasprintf("%s.tmp", name);
    assert_string_equal(ovsdb_log_get_name(new), tmp_name);
    record = parse_json("{\"snapshot\":1}");
    assert_ok(ovsdb_log_write(new, record));
    json_decref(record);

    /* Until the commit, the file holds the old records. */
    off_t old_size = file_size(name);
    struct ovsdb_log *reader = open_log(name, OVSDB_LOG_READ_ONLY);
    assert_next_record(reader, REC0);
    ovsdb_log_close(reader);

    assert_ok(ovsdb_log_replace_commit(log, new));
    assert_int_equal(access(tmp_name, F_OK), -1);
    assert_int_not_equal(file_size(name), old_size);
    assert_int_equal(ovsdb_log_get_offset(log), file_size(name));
    assert_int_equal(ovsdb_log_get_base_size(log), file_size(name));
    assert_int_equal(ovsdb_log_get_n_appended(log), 0);
    assert_int_equal(ovsdb_log_get_durable_seq(log),
                     ovsdb_log_get_written_seq(log));

    /* The log goes on in the new file. */
    record = parse_json("{\"after\":2}");
    assert_ok(ovsdb_log_write(log, record));
    json_decref(record);
    assert_ok(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);

    reader = open_log(name, OVSDB_LOG_READ_ONLY);
    assert_next_record(reader, "{\"snapshot\":1}");
    assert_next_record(reader, "{\"after\":2}");
    assert_end_of_log(reader);
    ovsdb_log_close(reader);
    free(tmp_name);
    free(name);
}

static void
test_replace_abort_keeps_old_file(void **state OVS_UNUSED)
{
    char *name = make_three_record_log();
    struct ovsdb_log *log = read_up_to_rec2(name);
    assert_next_record(log, REC2);
    assert_end_of_log(log);

    struct ovsdb_log *new;
    assert_ok(ovsdb_log_replace_start(log, &new));
    json_t *record = parse_json("{\"snapshot\":1}");
    assert_ok(ovsdb_log_write(new, record));
    json_decref(record);
    char *tmp_name = xasprintf("%s.tmp", name);
    assert_int_equal(access(tmp_name, F_OK), 0);
    ovsdb_log_replace_abort(new);
    assert_int_equal(access(tmp_name, F_OK), -1);
    assert_int_equal(file_size(name), END_OFS);
    ovsdb_log_close(log);
    free(tmp_name);
    free(name);
}

static void
test_replace_through_symlink_keeps_the_link(void **state OVS_UNUSED)
{
    char *name = make_three_record_log();
    char *link_name = xasprintf("%s/link%d.db", tmpdir, file_counter++);
    assert_int_equal(symlink(name, link_name), 0);

    struct ovsdb_log *log = read_up_to_rec2(link_name);
    assert_next_record(log, REC2);
    assert_end_of_log(log);
    json_t *record = parse_json("{\"snapshot\":1}");
    assert_ok(ovsdb_log_replace(log, &record, 1));
    json_decref(record);
    ovsdb_log_close(log);

    struct stat st;
    assert_int_equal(lstat(link_name, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    log = open_log(name, OVSDB_LOG_READ_ONLY);
    assert_next_record(log, "{\"snapshot\":1}");
    assert_end_of_log(log);
    ovsdb_log_close(log);
    free(link_name);
    free(name);
}

static void
test_grew_enough_follows_ovs_size_rule(void **state OVS_UNUSED)
{
    char *name = new_file_name();
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_CREATE_EXCL);
    json_t *small = parse_json("{\"x\":1}");
    assert_ok(ovsdb_log_write(log, small));
    assert_false(ovsdb_log_grew_enough(log));

    /* 10 MiB of data: over the minimum and over twice the (empty) base. */
    size_t n = 10 * 1024 * 1024;
    char *big = xmalloc(n + 16);
    memcpy(big, "{\"s\":\"", 6);
    memset(big + 6, 'a', n);
    memcpy(big + 6 + n, "\"}", 3);
    assert_ok(ovsdb_log_write_text(log, big, strlen(big)));
    free(big);
    assert_true(ovsdb_log_grew_enough(log));

    /* After compaction to a small file the log has not grown. */
    assert_ok(ovsdb_log_replace(log, &small, 1));
    assert_false(ovsdb_log_grew_enough(log));
    json_decref(small);
    ovsdb_log_close(log);
    free(name);
}

/* Transaction records. */

static void
test_txn_record_has_ovs_shape(void **state OVS_UNUSED)
{
    json_t *tables = parse_json(
        "{\"Bridge\":{\"5d919c27-d2fc-4854-80c5-f9223d88d983\":null}}");
    json_t *record =
        ovsdb_log_txn_record(tables, 1795322209664LL, "hello world", true);
    char *s = json_to_string_compact(record, false);
    assert_string_equal(s, "{\"_date\":1795322209664,\"Bridge\":"
                           "{\"5d919c27-d2fc-4854-80c5-f9223d88d983\":null},"
                           "\"_is_diff\":true,\"_comment\":\"hello world\"}");
    free(s);

    long long date;
    const char *comment;
    bool is_diff;
    ovsdb_log_txn_get_meta(record, &date, &comment, &is_diff);
    assert_int_equal(date, 1795322209664LL);
    assert_string_equal(comment, "hello world");
    assert_true(is_diff);
    json_decref(record);

    /* A snapshot: no diff marker, no comment. */
    record = ovsdb_log_txn_record(NULL, 5, NULL, false);
    s = json_to_string_compact(record, false);
    assert_string_equal(s, "{\"_date\":5}");
    free(s);
    ovsdb_log_txn_get_meta(record, &date, &comment, &is_diff);
    assert_int_equal(date, 5);
    assert_null(comment);
    assert_false(is_diff);
    json_decref(record);

    assert_true(ovsdb_log_txn_is_meta("_date"));
    assert_true(ovsdb_log_txn_is_meta("_comment"));
    assert_false(ovsdb_log_txn_is_meta("Bridge"));
}

/* Locking. */

static void
test_lockfile_name_is_next_to_the_file(void **state OVS_UNUSED)
{
    char *s = lockfile_name("foo.db");
    assert_string_equal(s, ".foo.db.~lock~");
    free(s);
    s = lockfile_name("/a/b/foo.db");
    assert_string_equal(s, "/a/b/.foo.db.~lock~");
    free(s);

    /* Through a symbolic link, the lock is the target's. */
    char *target = xasprintf("%s/target.db", tmpdir);
    char *link_name = xasprintf("%s/alias.db", tmpdir);
    assert_int_equal(symlink("target.db", link_name), 0);
    s = lockfile_name(link_name);
    char *expected = xasprintf("%s/.target.db.~lock~", tmpdir);
    assert_string_equal(s, expected);
    free(expected);
    free(s);
    free(link_name);
    free(target);
}

static void
test_second_writer_is_locked_out(void **state OVS_UNUSED)
{
    char *name = make_three_record_log();
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_WRITE);

    /* In this process: refused, and the first lock must survive. */
    struct ovsdb_log *second;
    assert_error(ovsdb_log_open(name, OVSDB_LOG_READ_WRITE, true, &second),
                 "I/O error: %s: failed to lock lockfile (%s)", name,
                 strerror(EDEADLK));
    assert_null(second);

    /* In another process: refused with EAGAIN, as OVS reports it. */
    char *argv[] = {self_path, "--try-lock", name, NULL};
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, self_path, NULL, NULL, argv, environ),
                     0);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    /* Readers need no lock. */
    struct ovsdb_log *reader = open_log(name, OVSDB_LOG_READ_ONLY);
    ovsdb_log_close(reader);

    /* Once the first closes, the file can be locked again. */
    ovsdb_log_close(log);
    log = open_log(name, OVSDB_LOG_READ_WRITE);
    ovsdb_log_close(log);

    char *lock_name = lockfile_name(name);
    struct stat st;
    assert_int_equal(stat(lock_name, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(lock_name);
    free(name);
}

/* The commit journal. */

/* Waits in a poll loop, as ovsdb-server does, until 'log' has made every
 * record written so far durable. */
static struct ovsdb_error *
wait_durable(struct ovsdb_log *log)
{
    uint64_t target = ovsdb_log_get_written_seq(log);
    for (;;) {
        uint64_t durable;
        struct ovsdb_error *error = ovsdb_log_commit_done(log, &durable);
        if (error || durable >= target) {
            return error;
        }
        ovsdb_log_commit_wait(log);
        poll_block();
    }
}

/* Creates a log with one record (REC0) and returns its name, after a
 * writer in a child process opened it, took the journal, wrote the
 * records {"n":FIRST} to {"n":FIRST+N-1}, committing after every 'batch',
 * and died without closing anything: the journal stays, as after a
 * crash.
 *
 * If 'async', it commits as ovsdb-server does where the journal is
 * written asynchronously: it starts each commit and writes the next batch
 * while the disk works, waiting for durability only after every other
 * batch.  Returns NULL if this machine cannot write asynchronously. */
static char *
crash_after_commits(int first, int n, int batch, bool async)
{
    char *name = new_file_name();
    make_log(name, REC0, NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (!pid) {
        struct ovsdb_log *log;
        json_t *record;
        if (ovsdb_log_open(name, OVSDB_LOG_READ_WRITE, true, &log)
            || ovsdb_log_read(log, &record) || !record
            || ovsdb_log_read(log, &record) || record) {
            _exit(1);
        }
        ovsdb_log_defer_writes(log);
        ovsdb_log_use_journal(log);
        if (async && !ovsdb_log_commits_async(log)) {
            _exit(77);
        }
        for (int i = 0; i < n; i++) {
            char text[32];
            int len = snprintf(text, sizeof text, "{\"n\":%d}", first + i);
            if (ovsdb_log_write_text(log, text, len)) {
                _exit(1);
            }
            int n_batches = (i + 1) / batch;
            if ((i + 1) % batch) {
                /* More of this batch to write. */
            } else if (!async) {
                if (ovsdb_log_commit_block(log)) {
                    _exit(1);
                }
            } else {
                ovsdb_log_commit_start(log);
                if (n_batches % 2 == 0 && wait_durable(log)) {
                    _exit(1);
                }
            }
        }
        if (async) {
            ovsdb_log_commit_start(log);
            _exit(wait_durable(log) ? 1 : 0);
        }
        _exit(ovsdb_log_commit_block(log) ? 1 : 0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77) {
        free(name);
        return NULL;
    }
    assert_int_equal(WEXITSTATUS(status), 0);
    return name;
}

static char *
crash_after_journal_commits(int first, int n, int batch)
{
    return crash_after_commits(first, n, batch, false);
}

/* Asserts that the next records of 'log' are {"n":FIRST} to
 * {"n":LAST}. */
static void
assert_next_counted(struct ovsdb_log *log, int first, int last)
{
    for (int i = first; i <= last; i++) {
        char *want = xasprintf("{\"n\":%d}", i);
        assert_next_record(log, want);
        free(want);
    }
}

/* Reads 'name' and asserts that it holds the first record, then
 * {"n":FIRST} to {"n":LAST}, and nothing else. */
static void
assert_counted_records(const char *name, enum ovsdb_log_open_mode mode,
                       int first, int last)
{
    struct ovsdb_log *log = open_log(name, mode);
    assert_next_record(log, REC0);
    assert_next_counted(log, first, last);
    assert_end_of_log(log);
    ovsdb_log_close(log);
}

/* Returns the offsets at which each record of 'name' starts, and its end,
 * in '*ofsp' (the caller frees it); returns how many records. */
static size_t
record_offsets(const char *name, off_t **ofsp)
{
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_ONLY);
    size_t n = 0;
    off_t *ofs = xmalloc(sizeof *ofs);
    ofs[0] = 0;
    for (;;) {
        json_t *record;
        assert_ok(ovsdb_log_read(log, &record));
        if (!record) {
            break;
        }
        json_decref(record);
        ofs = xrealloc(ofs, (n + 2) * sizeof *ofs);
        ofs[++n] = ovsdb_log_get_offset(log);
    }
    ovsdb_log_close(log);
    *ofsp = ofs;
    return n;
}

/* Cuts 'name' at 'ofs' and appends 'n' bytes of 'junk', as a crash of the
 * machine may leave a file whose last writes did not reach the disk. */
static void
lose_tail(const char *name, off_t ofs, const char *junk, size_t n)
{
    assert_int_equal(truncate(name, ofs), 0);
    FILE *f = fopen(name, "ab");
    assert_non_null(f);
    assert_int_equal(fwrite(junk, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Cuts the file 'name', which a writer that crashed after writing
 * {"n":10} to {"n":49} left, at each record and in the middle of some,
 * and asserts that the journal restores every record each time. */
static void
assert_journal_restores_every_cut(const char *name)
{
    char *journal = lockfile_sibling_name(name, "journal");
    assert_true(file_size(journal) > 0);

    off_t *ofs;
    assert_int_equal(record_offsets(name, &ofs), 41);
    off_t end = ofs[41];
    static const char zeros[2048];
    static const char garbage[] = "OVSDB JSON 9 0123\n{\"x\"";
    for (int k = 1; k <= 41; k++) {
        /* Record boundaries and the middle of records; nothing, zeros (a
         * file extended but not written) or garbage after the cut. */
        off_t cut = ofs[k] - (k > 1 && k % 3 == 1 ? 7 : 0);
        if (k % 2) {
            lose_tail(name, cut, zeros, k % 4 == 1 ? sizeof zeros : 100);
        } else {
            lose_tail(name, cut, garbage, k % 4 == 0 ? 0 : strlen(garbage));
        }
        /* A reader does not touch the file. */
        struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_ONLY);
        assert_next_record(log, REC0);
        ovsdb_log_close(log);

        assert_counted_records(name, OVSDB_LOG_READ_WRITE, 10, 49);
        assert_int_equal(file_size(name), end);
    }
    free(ofs);
    free(journal);
}

static void
test_journal_restores_what_a_crash_took_from_the_file(void **state OVS_UNUSED)
{
    char *name = crash_after_journal_commits(10, 40, 3);
    assert_journal_restores_every_cut(name);
    free(name);
}

/* The same with asynchronous journal writes, which overlap the writing of
 * later records. */
static void
test_async_journal_restores_what_a_crash_took(void **state OVS_UNUSED)
{
    char *name = crash_after_commits(10, 40, 3, true);
    if (!name) {
        skip(); /* No Linux AIO here. */
    }
    assert_journal_restores_every_cut(name);
    free(name);
}

/* A journal entry that describes other bytes than those the file has
 * before it, or another file, is not applied. */
static void
test_journal_entries_must_continue_the_file(void **state OVS_UNUSED)
{
    char *name = crash_after_journal_commits(10, 12, 2);
    off_t *ofs;
    assert_int_equal(record_offsets(name, &ofs), 13);

    /* Record {"n":14} becomes {"n":99}, as long, and the rest is lost:
     * the entries that follow do not follow that record. */
    char *other = new_file_name();
    make_log(other, REC0, "{\"n\":99}", NULL);
    size_t n;
    char *bytes = read_file(other, &n);
    off_t rec_len = ofs[6] - ofs[5];
    assert_int_equal(n - ofs[1], rec_len);
    lose_tail(name, ofs[5], bytes + ofs[1], rec_len);
    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_WRITE);
    assert_next_record(log, REC0);
    assert_next_counted(log, 10, 13);
    assert_next_record(log, "{\"n\":99}");
    assert_end_of_log(log);
    ovsdb_log_close(log);

    /* A copy of the file is another inode: the journal is not its. */
    free(other);
    other = crash_after_journal_commits(10, 4, 1);
    char *copy = xasprintf("%s.copy", other);
    bytes = (free(bytes), read_file(other, &n));
    write_file(copy, bytes, n);
    assert_int_equal(rename(copy, other), 0);
    free(ofs);
    assert_int_equal(record_offsets(other, &ofs), 5);
    lose_tail(other, ofs[3], "", 0);
    assert_counted_records(other, OVSDB_LOG_READ_WRITE, 10, 11);

    free(copy);
    free(bytes);
    free(ofs);
    free(other);
    free(name);
}

/* Many commits wrap the ring (syncing the file) and grow it; a crash
 * after that still finds the latest records in it; a clean close deletes
 * it. */
/* Asserts that the journal of 'name', which a writer that crashed after
 * committing {"n":1000} to {"n":3999} one by one left, has grown, and
 * that it restores the last records after a cut. */
static void
assert_grown_journal_restores(const char *name)
{
    char *journal = lockfile_sibling_name(name, "journal");
    assert_true(file_size(journal) > 256 * 1024);
    free(journal);

    off_t *ofs;
    assert_int_equal(record_offsets(name, &ofs), 3001);
    lose_tail(name, ofs[2990] + 3, "", 0);
    assert_counted_records(name, OVSDB_LOG_READ_WRITE, 1000, 3999);
    free(ofs);
}

static void
test_journal_wraps_grows_and_goes_away_on_close(void **state OVS_UNUSED)
{
    char *name = crash_after_journal_commits(1000, 3000, 1);
    assert_grown_journal_restores(name);

    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_WRITE);
    json_t *record;
    for (int i = 0; i < 3001; i++) {
        assert_ok(ovsdb_log_read(log, &record));
        json_decref(record);
    }
    assert_end_of_log(log);
    ovsdb_log_use_journal(log);
    assert_ok(ovsdb_log_write_text(log, "{\"n\":4000}", 10));
    assert_ok(ovsdb_log_commit_block(log));
    ovsdb_log_close(log);
    char *journal = lockfile_sibling_name(name, "journal");
    struct stat st;
    assert_int_equal(stat(journal, &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_counted_records(name, OVSDB_LOG_READ_ONLY, 1000, 4000);

    free(journal);
    free(name);
}

/* Asynchronous commits wrap and grow the ring as synchronous ones do. */
static void
test_async_journal_wraps(void **state OVS_UNUSED)
{
    char *name = crash_after_commits(1000, 3000, 1, true);
    if (!name) {
        skip(); /* No Linux AIO here. */
    }
    assert_grown_journal_restores(name);
    free(name);
}

/* Where the journal cannot be made, commits sync the file, as without
 * one. */
static void
test_without_a_journal_commits_sync_the_file(void **state OVS_UNUSED)
{
    char *name = new_file_name();
    make_log(name, REC0, NULL);
    char *journal = lockfile_sibling_name(name, "journal");
    assert_int_equal(mkdir(journal, 0700), 0);

    struct ovsdb_log *log = open_log(name, OVSDB_LOG_READ_WRITE);
    json_t *record;
    assert_ok(ovsdb_log_read(log, &record));
    json_decref(record);
    assert_end_of_log(log);
    ovsdb_log_defer_writes(log);
    ovsdb_log_use_journal(log);
    assert_ok(ovsdb_log_write_text(log, "{\"n\":1}", 7));
    assert_ok(ovsdb_log_commit_block(log));
    assert_int_equal(ovsdb_log_get_durable_seq(log), 1);
    ovsdb_log_close(log);
    assert_counted_records(name, OVSDB_LOG_READ_ONLY, 1, 1);

    assert_int_equal(rmdir(journal), 0);
    free(journal);
    free(name);
}

static int
setup(void **state OVS_UNUSED)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state OVS_UNUSED)
{
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    int retval = system(cmd);
    free(cmd);
    return retval;
}

/* The other process of test_second_writer_is_locked_out(): tries to open
 * 'name' for writing and exits with status 0 if that fails as it must
 * while another process holds the lock. */
static int
try_lock_main(const char *name)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    struct ovsdb_log *log;
    struct ovsdb_error *error =
        ovsdb_log_open(name, OVSDB_LOG_READ_WRITE, true, &log);
    char *s = error ? ovsdb_error_to_string_free(error) : NULL;
    char *want = xasprintf("I/O error: %s: failed to lock lockfile "
                           "(Resource temporarily unavailable)",
                           name);
    bool ok = s && !strcmp(s, want);
    if (!ok) {
        fprintf(stderr, "try-lock got: %s\n", s ? s : "success");
    }
    ovsdb_log_close(log);
    free(s);
    free(want);
    return ok ? 0 : 1;
}

int
main(int argc, char *argv[])
{
    if (argc == 3 && !strcmp(argv[1], "--try-lock")) {
        return try_lock_main(argv[2]);
    }
    self_path = argv[0];

    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_produces_reference_format),
        cmocka_unit_test(test_records_read_back_in_order_with_offsets),
        cmocka_unit_test(
            test_reader_accepts_body_without_newline_and_uppercase_hash),
        cmocka_unit_test(test_write_rejects_non_objects),
        cmocka_unit_test(test_write_requires_reading_to_the_end),
        cmocka_unit_test(test_open_errors_match_ovs),
        cmocka_unit_test(test_clustered_file_is_recognised_and_refused),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_bad_header_in_middle_is_an_error),
        cmocka_unit_test(test_bad_checksum_in_middle_is_an_error),
        cmocka_unit_test(test_oversized_length_in_middle_is_an_error),
        cmocka_unit_test(test_body_that_is_not_a_json_object_is_an_error),
        cmocka_unit_test(test_torn_header_is_truncated),
        cmocka_unit_test(test_short_body_is_truncated),
        cmocka_unit_test(test_bad_checksum_on_last_record_is_truncated),
        cmocka_unit_test(test_torn_tail_is_an_error_in_read_only_mode),
        cmocka_unit_test(test_torn_first_record_is_not_truncated),
        cmocka_unit_test(test_commit_block_makes_written_records_durable),
        cmocka_unit_test(test_background_commit_reports_durable_seq),
        cmocka_unit_test(test_deferred_writes_reach_the_file_at_commit),
        cmocka_unit_test(test_failed_deferred_write_fails_commits_for_good),
        cmocka_unit_test(
            test_journal_restores_what_a_crash_took_from_the_file),
        cmocka_unit_test(test_async_journal_restores_what_a_crash_took),
        cmocka_unit_test(test_journal_entries_must_continue_the_file),
        cmocka_unit_test(test_journal_wraps_grows_and_goes_away_on_close),
        cmocka_unit_test(test_async_journal_wraps),
        cmocka_unit_test(test_without_a_journal_commits_sync_the_file),
        cmocka_unit_test(test_replace_swaps_contents_atomically),
        cmocka_unit_test(test_replace_abort_keeps_old_file),
        cmocka_unit_test(test_replace_through_symlink_keeps_the_link),
        cmocka_unit_test(test_grew_enough_follows_ovs_size_rule),
        cmocka_unit_test(test_txn_record_has_ovs_shape),
        cmocka_unit_test(test_lockfile_name_is_next_to_the_file),
        cmocka_unit_test(test_second_writer_is_locked_out),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
