#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/ds.h"
#include "lib/util.h"
#include "lib/vlog.h"

VLOG_DEFINE_THIS_MODULE(test_vlog);

static char tmpdir[] = "/tmp/test-vlog.XXXXXX";

/* Returns the contents of 'name' (malloc'd), or NULL. */
static char *
read_file(const char *name)
{
    FILE *f = fopen(name, "r");
    if (!f) {
        return NULL;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    int c;
    while ((c = getc(f)) != EOF) {
        ds_put_char(&s, c);
    }
    fclose(f);
    return ds_steal_cstr(&s);
}

static size_t
count_occurrences(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

static char *
format(const char *pattern, enum vlog_level level, unsigned int num,
       const char *message)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    vlog_format_message(pattern, THIS_MODULE, level, num, message, &s);
    return ds_steal_cstr(&s);
}

static void
assert_format(const char *pattern, const char *expected)
{
    char *s = format(pattern, VLL_WARN, 42, "hello");
    assert_string_equal(s, expected);
    free(s);
}

static void
assert_matches(const char *s, const char *regex)
{
    regex_t re;
    assert_int_equal(regcomp(&re, regex, REG_EXTENDED | REG_NOSUB), 0);
    int retval = regexec(&re, s, 0, NULL, 0);
    if (retval) {
        fail_msg("\"%s\" does not match /%s/", s, regex);
    }
    regfree(&re);
}

static void
test_level_names_round_trip_case_insensitively(void **state OVS_UNUSED)
{
    assert_string_equal(vlog_get_level_name(VLL_OFF), "OFF");
    assert_string_equal(vlog_get_level_name(VLL_DBG), "DBG");
    assert_int_equal(vlog_get_level_val("emer"), VLL_EMER);
    assert_int_equal(vlog_get_level_val("Warn"), VLL_WARN);
    assert_int_equal(vlog_get_level_val("INFO"), VLL_INFO);
    assert_int_equal(vlog_get_level_val("debug"), VLL_N_LEVELS);
    assert_int_equal(vlog_get_destination_val("FILE"), VLF_FILE);
    assert_int_equal(vlog_get_destination_val("any"), VLF_ANY_DESTINATION);
    assert_int_equal(vlog_get_destination_val("disk"), VLF_N_DESTINATIONS);
}

static void
test_pattern_escapes_expand_like_ovs(void **state OVS_UNUSED)
{
    assert_format("%c|%p|%m", "test_vlog|WARN|hello");
    assert_format("%05N|%N", "00042|42");
    assert_format("[%-12c]", "[test_vlog   ]");
    assert_format("[%12c]", "[   test_vlog]");
    assert_format("[%6p]", "[  WARN]");
    assert_format("[%-6p]", "[WARN  ]");
    assert_format("[%2m]", "[hello]");
    assert_format("100%%", "100%");
    assert_format("%x%", "x%");
    assert_format("a%nb", "a\nb");
    assert_format("%t%T", "main");

    char *s = format("%A %P", VLL_INFO, 1, "");
    char *expected = xasprintf("%s %ld", program_name, (long) getpid());
    assert_string_equal(s, expected);
    free(expected);
    free(s);

    vlog_set_subprogram_name("monitor");
    assert_format("%t%T", "monitor(monitor)");
    vlog_set_subprogram_name(NULL);
    assert_format("%t%T", "main");
}

static void
test_time_escapes_fill_fractional_seconds(void **state OVS_UNUSED)
{
    char *s = format("%D", VLL_INFO, 1, "");
    assert_matches(s, "^[0-9]{4}-[0-9]{2}-[0-9]{2} "
                      "[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}$");
    free(s);

    s = format("%D{%Y-%m-%dT%H:%M:%S.###Z}", VLL_INFO, 1, "");
    assert_matches(s, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T"
                      "[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$");
    free(s);

    /* Digits beyond the milliseconds are zeros. */
    s = format("%d{%S.######}", VLL_INFO, 1, "");
    assert_matches(s, "^[0-9]{2}\\.[0-9]{3}000$");
    free(s);
}

static void
test_syslog_pri_escape_uses_facility(void **state OVS_UNUSED)
{
    /* With no facility set, %B counts as local0 (16 << 3), as OVS. */
    char *s = format("%B", VLL_INFO, 1, "");
    assert_string_equal(s, "133");
    free(s);

    char *error = vlog_set_levels_from_string("FACILITY:daemon");
    assert_null(error);
    s = format("%B", VLL_WARN, 1, "");
    assert_string_equal(s, "28");
    free(s);
    s = format("%B", VLL_DBG, 1, "");
    assert_string_equal(s, "31");
    free(s);
    s = format("%B", VLL_EMER, 1, "");
    assert_string_equal(s, "25");
    free(s);

    error = vlog_set_levels_from_string("FACILITY:LOCAL3");
    assert_null(error);
    s = format("%B", VLL_INFO, 1, "");
    assert_string_equal(s, "157");
    free(s);
}

static void
assert_spec_error(const char *spec, const char *expected)
{
    char *error = vlog_set_levels_from_string(spec);
    assert_non_null(error);
    assert_string_equal(error, expected);
    free(error);
}

static void
test_spec_errors_use_ovs_texts(void **state OVS_UNUSED)
{
    assert_spec_error("foo", "no destination, level, or module \"foo\"");
    assert_spec_error("console:foo",
                      "no destination, level, or module \"foo\"");
    assert_spec_error("syslog:console",
                      "cannot specify multiple destinations");
    assert_spec_error("dbg:info", "cannot specify multiple levels");
    assert_spec_error("test_vlog:vlog", "cannot specify multiple modules");
    assert_spec_error("PATTERN", "missing destination");
    assert_spec_error("PATTERN:", "missing destination");
    assert_spec_error("PATTERN:disk:%m", "unknown destination \"disk\"");
    assert_spec_error("FACILITY", "invalid facility");
    assert_spec_error("FACILITY:nowhere", "invalid facility");
}

static void
test_spec_sets_levels_in_any_order(void **state OVS_UNUSED)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_INFO);

    assert_null(vlog_set_levels_from_string("Console:WARN:Test_Vlog"));
    assert_int_equal(vlog_get_level(THIS_MODULE, VLF_CONSOLE), VLL_WARN);
    assert_int_equal(vlog_get_level(THIS_MODULE, VLF_SYSLOG), VLL_INFO);

    assert_null(vlog_set_levels_from_string("test_vlog,file off"));
    assert_int_equal(vlog_get_level(THIS_MODULE, VLF_FILE), VLL_OFF);

    /* No level means dbg; no destination means all of them; "any" is
     * ignored. */
    assert_null(vlog_set_levels_from_string("any:test_vlog:any"));
    for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
        assert_int_equal(vlog_get_level(THIS_MODULE, d), VLL_DBG);
    }

    /* An error changes nothing. */
    char *error = vlog_set_levels_from_string("test_vlog:err:bogus");
    assert_non_null(error);
    free(error);
    assert_int_equal(vlog_get_level(THIS_MODULE, VLF_CONSOLE), VLL_DBG);

    /* No module means all of them. */
    assert_null(vlog_set_levels_from_string("syslog:emer"));
    assert_int_equal(vlog_get_level(vlog_module_from_name("vlog"), VLF_SYSLOG),
                     VLL_EMER);
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_INFO);
}

static void
test_pattern_spec_keeps_colons_and_allows_empty(void **state OVS_UNUSED)
{
    assert_null(vlog_set_levels_from_string("PATTERN:console:%c:%m"));
    assert_string_equal(vlog_get_pattern(VLF_CONSOLE), "%c:%m");
    assert_string_equal(vlog_get_pattern(VLF_FILE),
                        "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m");

    assert_null(vlog_set_levels_from_string("pattern:console"));
    assert_string_equal(vlog_get_pattern(VLF_CONSOLE), "");

    assert_null(vlog_set_levels_from_string("PATTERN:any:%m"));
    for (int d = 0; d < VLF_N_DESTINATIONS; d++) {
        assert_string_equal(vlog_get_pattern(d), "%m");
    }

    vlog_set_pattern(VLF_CONSOLE, "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m");
    vlog_set_pattern(VLF_SYSLOG, "ovs|%05N|%c%T|%p|%m");
    vlog_set_pattern(VLF_FILE, "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m");
}

static void
test_list_formats_match_ovs(void **state OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    vlog_set_levels(THIS_MODULE, VLF_CONSOLE, VLL_OFF);
    vlog_set_levels(THIS_MODULE, VLF_FILE, VLL_DBG);
    vlog_get_levels(&s);
    assert_true(str_startswith(
        ds_cstr(&s), "                 console    syslog    file\n"
                     "                 -------    ------    ------\n"));
    assert_non_null(strstr(
        ds_cstr(&s), "\ntest_vlog          OFF       INFO        DBG\n"));
    /* Sorted by name. */
    assert_true(strstr(ds_cstr(&s), "\ntest_vlog ")
                < strstr(ds_cstr(&s), "\nvlog "));
    vlog_set_levels(THIS_MODULE, VLF_ANY_DESTINATION, VLL_INFO);

    ds_clear(&s);
    vlog_get_patterns(&s);
    assert_string_equal(
        ds_cstr(&s),
        "         prefix                            format\n"
        "         ------                            ------\n"
        "SYSLOG   <%B> %D{%h %e %T} %E %A:          ovs|%05N|%c%T|%p|%m\n"
        "CONSOLE  none                              "
        "%D{%Y-%m-%dT%H:%M:%SZ}|%05N|%c%T|%p|%m\n"
        "FILE     none                              "
        "%D{%Y-%m-%dT%H:%M:%S.###Z}|%05N|%c%T|%p|%m\n");
    ds_destroy(&s);
}

/* Logs only to a fresh log file, at dbg for this module. */
static char *
start_file_logging(const char *base)
{
    char *name = xasprintf("%s/%s", tmpdir, base);
    unlink(name);
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_OFF);
    vlog_set_levels(NULL, VLF_SYSLOG, VLL_OFF);
    vlog_set_levels(NULL, VLF_FILE, VLL_INFO);
    vlog_set_levels(THIS_MODULE, VLF_FILE, VLL_DBG);
    assert_int_equal(vlog_set_log_file(name), 0);
    return name;
}

static void
test_file_gets_file_pattern_and_levels(void **state OVS_UNUSED)
{
    char *name = start_file_logging("levels.log");
    VLOG_WARN("warned %d", 1);
    VLOG_DBG("debugged");
    vlog_set_levels(THIS_MODULE, VLF_FILE, VLL_ERR);
    VLOG_WARN("not logged");
    assert_false(VLOG_IS_WARN_ENABLED());
    vlog_close_log_file();

    char *contents = read_file(name);
    assert_non_null(contents);
    assert_matches(contents,
                   "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                   "\\.[0-9]{3}Z\\|[0-9]{5}\\|vlog\\|INFO\\|opened log file "
                   ".*levels\\.log\n");
    assert_matches(contents, "\\|[0-9]{5}\\|test_vlog\\|WARN\\|warned 1\n");
    assert_matches(contents, "\\|test_vlog\\|DBG\\|debugged\n");
    assert_null(strstr(contents, "not logged"));
    free(contents);
    free(name);
}

static void
test_reopen_follows_renamed_file(void **state OVS_UNUSED)
{
    char *name = start_file_logging("rotate.log");
    char *rotated = xasprintf("%s.1", name);
    VLOG_INFO("before");
    assert_int_equal(rename(name, rotated), 0);
    assert_int_equal(vlog_reopen_log_file(), 0);
    VLOG_INFO("after");
    vlog_close_log_file();

    char *old = read_file(rotated);
    char *new = read_file(name);
    assert_non_null(old);
    assert_non_null(new);
    assert_non_null(strstr(old, "|test_vlog|INFO|before\n"));
    assert_non_null(strstr(old, "|vlog|INFO|closing log file\n"));
    assert_null(strstr(old, "after"));
    assert_non_null(strstr(new, "|vlog|INFO|opened log file "));
    assert_non_null(strstr(new, "|test_vlog|INFO|after\n"));
    free(old);
    free(new);
    free(rotated);
    free(name);
}

static void
test_rate_limit_drops_and_summarises(void **state OVS_UNUSED)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(600, 5);
    char *name = start_file_logging("rl.log");

    /* A full bucket admits the burst, then nothing. */
    for (int i = 0; i < 20; i++) {
        VLOG_WARN_RL(&rl, "burst message");
    }
    assert_int_equal(rl.n_dropped, 15);

    /* 600 per minute is one per 100 ms: pretend 250 ms have passed, and
     * that the first drop was 7 seconds ago. */
    rl.last_fill -= 250;
    rl.first_dropped -= 7;
    rl.last_dropped -= 3;
    for (int i = 0; i < 5; i++) {
        VLOG_WARN_RL(&rl, "later message");
    }
    vlog_close_log_file();

    char *contents = read_file(name);
    assert_int_equal(count_occurrences(contents, "burst message"), 5);
    assert_int_equal(count_occurrences(contents, "later message"), 2);
    assert_non_null(strstr(
        contents, "|test_vlog|WARN|Dropped 15 log messages in last 7 seconds "
                  "(most recently, 3 seconds ago) due to excessive rate\n"));
    assert_true(strstr(contents, "Dropped 15")
                < strstr(contents, "later message"));
    free(contents);
    free(name);
}

static void
test_rate_limit_ignored_when_disabled(void **state OVS_UNUSED)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 1);
    char *name = start_file_logging("norl.log");
    struct vlog_module *module = vlog_module_from_name("test_vlog");
    module->honor_rate_limits = false;
    for (int i = 0; i < 10; i++) {
        VLOG_INFO_RL(&rl, "unlimited");
    }
    module->honor_rate_limits = true;
    vlog_close_log_file();

    char *contents = read_file(name);
    assert_int_equal(count_occurrences(contents, "unlimited"), 10);
    free(contents);
    free(name);
}

#define N_THREADS 4
#define N_PER_THREAD 200

static void *
log_from_thread(void *arg)
{
    long id = (long) arg;
    for (int i = 0; i < N_PER_THREAD; i++) {
        VLOG_INFO("thread %ld message %d", id, i);
    }
    return NULL;
}

static void
test_threads_log_whole_lines_with_unique_serials(void **state OVS_UNUSED)
{
    char *name = start_file_logging("threads.log");
    pthread_t threads[N_THREADS];
    for (long i = 0; i < N_THREADS; i++) {
        assert_int_equal(
            pthread_create(&threads[i], NULL, log_from_thread, (void *) i), 0);
    }
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(threads[i], NULL);
    }
    vlog_close_log_file();

    char *contents = read_file(name);
    bool seen[N_THREADS * N_PER_THREAD + 2] = {false};
    int n_lines = 0;
    char *save_ptr = NULL;
    for (char *line = strtok_r(contents, "\n", &save_ptr); line;
         line = strtok_r(NULL, "\n", &save_ptr)) {
        assert_matches(line, "^[^|]+\\|[0-9]{5}\\|(vlog\\|INFO\\|opened "
                             "log file .*|test_vlog\\|INFO\\|thread [0-9] "
                             "message [0-9]+)$");
        unsigned int serial;
        assert_int_equal(sscanf(strchr(line, '|') + 1, "%u", &serial), 1);
        n_lines++;
        /* Serials continue from earlier tests; count distinct ones. */
        seen[serial % (N_THREADS * N_PER_THREAD + 2)] = true;
    }
    assert_int_equal(n_lines, N_THREADS * N_PER_THREAD + 1);
    int n_distinct = 0;
    for (size_t i = 0; i < ARRAY_SIZE(seen); i++) {
        n_distinct += seen[i];
    }
    assert_int_equal(n_distinct, n_lines);
    free(contents);
    free(name);
}

static void
test_log_file_failure_is_reported(void **state OVS_UNUSED)
{
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    assert_int_equal(vlog_set_log_file("/nonexistent/dir/x.log"), ENOENT);
}

int
main(void)
{
    set_program_name("test-vlog");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_names_round_trip_case_insensitively),
        cmocka_unit_test(test_pattern_escapes_expand_like_ovs),
        cmocka_unit_test(test_time_escapes_fill_fractional_seconds),
        cmocka_unit_test(test_syslog_pri_escape_uses_facility),
        cmocka_unit_test(test_spec_errors_use_ovs_texts),
        cmocka_unit_test(test_spec_sets_levels_in_any_order),
        cmocka_unit_test(test_pattern_spec_keeps_colons_and_allows_empty),
        cmocka_unit_test(test_list_formats_match_ovs),
        cmocka_unit_test(test_file_gets_file_pattern_and_levels),
        cmocka_unit_test(test_reopen_follows_renamed_file),
        cmocka_unit_test(test_rate_limit_drops_and_summarises),
        cmocka_unit_test(test_rate_limit_ignored_when_disabled),
        cmocka_unit_test(test_threads_log_whole_lines_with_unique_serials),
        cmocka_unit_test(test_log_file_failure_is_reported),
    };
    int failures = cmocka_run_group_tests(tests, NULL, NULL);

    char *cmd = xasprintf("rm -rf %s", tmpdir);
    if (system(cmd)) {
        /* Leftovers in /tmp do no harm. */
    }
    free(cmd);
    return failures;
}
