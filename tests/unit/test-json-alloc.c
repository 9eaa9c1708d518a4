#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json-alloc.h"
#include "lib/json.h"

/* A value freed is the next of its size to be made: the block comes back
 * from the free list, not from malloc(). */
static void
test_freed_blocks_are_reused(void **state)
{
    if (!json_alloc_is_enabled()) {
        skip(); /* Sanitizer build. */
    }
    json_t *a = json_integer(1);
    void *where = a;
    json_decref(a);
    json_t *b = json_integer(2);
    assert_ptr_equal(b, where);
    assert_int_equal(json_integer_value(b), 2);
    json_decref(b);
}

/* Values of every size, small (pooled) and large (not), nest, serialise
 * and free as with malloc(). */
static void
test_values_of_all_sizes_work(void **state)
{
    for (int round = 0; round < 3; round++) {
        json_t *array = json_array();
        for (size_t n = 0; n < 3000; n += 7) {
            char *s = xmalloc(n + 1);
            memset(s, 'a' + n % 26, n);
            s[n] = '\0';
            json_t *object = json_object();
            json_object_set_new(object, s, json_string(s));
            json_array_append_new(array, object);
            free(s);
        }
        for (size_t i = 0; i < json_array_size(array); i++) {
            const char *key;
            json_t *value;
            json_object_foreach (json_array_get(array, i), key, value) {
                assert_int_equal(strlen(key), i * 7);
                assert_string_equal(json_string_value(value), key);
            }
        }
        char *text = json_to_string_compact(array, false);
        json_t *copy;
        assert_null(json_from_string(text, &copy));
        assert_true(json_equal(copy, array));
        free(text);
        json_decref(copy);
        json_decref(array);
    }
}

static void *
free_in_thread(void *value)
{
    json_decref(value);
    json_t *own = json_pack("{s:[i,i,s]}", "k", 1, 2, "three");
    json_decref(own);
    return NULL;
}

/* A value made in one thread may be freed in another. */
static void
test_values_cross_threads(void **state)
{
    json_t *value = json_pack("{s:s,s:[i,{}]}", "a", "b", "c", 1);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, free_in_thread, value), 0);
    assert_int_equal(pthread_join(thread, NULL), 0);
}

int
main(void)
{
    json_alloc_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_freed_blocks_are_reused),
        cmocka_unit_test(test_values_of_all_sizes_work),
        cmocka_unit_test(test_values_cross_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
