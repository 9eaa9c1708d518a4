#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/list.h"

struct element {
    int value;
    struct list node;
};

/* Checks that 'list' holds exactly 'values', in order, with consistent
 * links in both directions. */
static void
check_list(const struct list *list, const int *values, size_t n)
{
    struct element *e;
    size_t i = 0;

    LIST_FOR_EACH (e, node, list) {
        assert_true(i < n);
        assert_int_equal(e->value, values[i]);
        assert_ptr_equal(e->node.next->prev, &e->node);
        assert_ptr_equal(e->node.prev->next, &e->node);
        i++;
    }
    assert_int_equal(i, n);

    LIST_FOR_EACH_REVERSE (e, node, list) {
        assert_true(i > 0);
        i--;
        assert_int_equal(e->value, values[i]);
    }
    assert_int_equal(i, 0);

    assert_int_equal(list_size(list), n);
    assert_int_equal(list_is_empty(list), n == 0);
    assert_int_equal(list_is_singleton(list), n == 1);
}

#define CHECK_LIST(LIST, ...)                                                 \
    do {                                                                      \
        static const int values_[] = {__VA_ARGS__};                           \
        check_list(LIST, values_, ARRAY_SIZE(values_));                       \
    } while (0)

static void
make_elements(struct element *elems, int n)
{
    for (int i = 0; i < n; i++) {
        elems[i].value = i;
    }
}

static void
test_empty_list(void **state)
{
    struct list list = LIST_INITIALIZER(&list);
    check_list(&list, NULL, 0);
    list_init(&list);
    check_list(&list, NULL, 0);

    struct element *e;
    LIST_FOR_EACH_POP (e, node, &list) {
        fail();
    }
}

static void
test_push_front_back_and_insert(void **state)
{
    struct list list;
    struct element e[5];
    make_elements(e, 5);
    list_init(&list);

    list_push_back(&list, &e[2].node);
    CHECK_LIST(&list, 2);
    list_push_front(&list, &e[0].node);
    list_push_back(&list, &e[4].node);
    CHECK_LIST(&list, 0, 2, 4);
    list_insert(&e[2].node, &e[1].node); /* Before 2. */
    list_insert(&list, &e[3].node);      /* Before the head: at end. */
    CHECK_LIST(&list, 0, 1, 2, 4, 3);

    assert_ptr_equal(list_front(&list), &e[0].node);
    assert_ptr_equal(list_back(&list), &e[3].node);
}

static void
test_remove_and_pop(void **state)
{
    struct list list;
    struct element e[5];
    make_elements(e, 5);
    list_init(&list);
    for (int i = 0; i < 5; i++) {
        list_push_back(&list, &e[i].node);
    }

    /* list_remove() returns the element that followed. */
    assert_ptr_equal(list_remove(&e[2].node), &e[3].node);
    CHECK_LIST(&list, 0, 1, 3, 4);
    assert_ptr_equal(list_remove(&e[4].node), &list);
    CHECK_LIST(&list, 0, 1, 3);

    assert_ptr_equal(list_pop_front(&list), &e[0].node);
    CHECK_LIST(&list, 1, 3);
    assert_ptr_equal(list_pop_back(&list), &e[3].node);
    CHECK_LIST(&list, 1);
    assert_ptr_equal(list_pop_back(&list), &e[1].node);
    check_list(&list, NULL, 0);
}

static void
test_poison_marks_unlinked_element(void **state)
{
    struct element e;
    list_poison(&e.node);
    assert_ptr_equal(e.node.next, e.node.prev);
    assert_true((uintptr_t) e.node.next == (uintptr_t) 0xccccccccccccccccULL);
}

static void
test_for_each_safe_allows_removal(void **state)
{
    struct list list;
    struct element e[6];
    make_elements(e, 6);
    list_init(&list);
    for (int i = 0; i < 6; i++) {
        list_push_back(&list, &e[i].node);
    }

    struct element *iter, *next;
    int visited = 0;
    LIST_FOR_EACH_SAFE (iter, next, node, &list) {
        visited++;
        if (iter->value % 2 == 0) {
            list_remove(&iter->node);
            list_poison(&iter->node); /* A stale read would crash. */
        }
    }
    assert_int_equal(visited, 6);
    CHECK_LIST(&list, 1, 3, 5);

    LIST_FOR_EACH_SAFE (iter, next, node, &list) {
        list_remove(&iter->node);
    }
    check_list(&list, NULL, 0);
}

static void
test_for_each_pop_removes_before_body(void **state)
{
    struct list list;
    struct element e[4];
    make_elements(e, 4);
    list_init(&list);
    for (int i = 0; i < 4; i++) {
        list_push_back(&list, &e[i].node);
    }

    struct element *iter;
    int expected = 0;
    LIST_FOR_EACH_POP (iter, node, &list) {
        assert_int_equal(iter->value, expected);
        assert_int_equal(list_size(&list), 3 - expected);
        expected++;
    }
    assert_int_equal(expected, 4);
    assert_true(list_is_empty(&list));
}

static void
test_splice_back_moves_all_elements(void **state)
{
    struct list a, b;
    struct element e[5];
    make_elements(e, 5);
    list_init(&a);
    list_init(&b);
    list_push_back(&a, &e[0].node);
    list_push_back(&a, &e[1].node);
    list_push_back(&b, &e[2].node);
    list_push_back(&b, &e[3].node);
    list_push_back(&b, &e[4].node);

    list_splice_back(&a, &b);
    CHECK_LIST(&a, 0, 1, 2, 3, 4);
    check_list(&b, NULL, 0);

    /* Splicing an empty list changes nothing. */
    list_splice_back(&a, &b);
    CHECK_LIST(&a, 0, 1, 2, 3, 4);

    /* Splicing into an empty list. */
    list_splice_back(&b, &a);
    CHECK_LIST(&b, 0, 1, 2, 3, 4);
    check_list(&a, NULL, 0);
}

struct owner {
    char pad[40];
    struct list list;
};

/* A list head inside a realloc'd block: after the move list_moved() must
 * fix the neighbours' links without touching the freed old block (ASan
 * reports a use after free otherwise). */
static void
test_moved_fixes_links_after_realloc(void **state)
{
    struct element e[3];
    make_elements(e, 3);

    struct owner *o = xmalloc(sizeof *o);
    list_init(&o->list);
    for (int i = 0; i < 3; i++) {
        list_push_back(&o->list, &e[i].node);
    }
    struct list *old_head = &o->list;
    struct owner *copy = xmalloc(sizeof *copy);
    memcpy(copy, o, sizeof *o);
    free(o);
    list_moved(&copy->list, old_head);
    CHECK_LIST(&copy->list, 0, 1, 2);
    free(copy);

    /* An empty list: its links pointed to the old head itself. */
    o = xmalloc(sizeof *o);
    list_init(&o->list);
    old_head = &o->list;
    copy = xmalloc(sizeof *copy);
    memcpy(copy, o, sizeof *o);
    free(o);
    list_moved(&copy->list, old_head);
    check_list(&copy->list, NULL, 0);
    list_push_back(&copy->list, &e[0].node);
    CHECK_LIST(&copy->list, 0);
    free(copy);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_list),
        cmocka_unit_test(test_push_front_back_and_insert),
        cmocka_unit_test(test_remove_and_pop),
        cmocka_unit_test(test_poison_marks_unlinked_element),
        cmocka_unit_test(test_for_each_safe_allows_removal),
        cmocka_unit_test(test_for_each_pop_removes_before_body),
        cmocka_unit_test(test_splice_back_moves_all_elements),
        cmocka_unit_test(test_moved_fixes_links_after_realloc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
