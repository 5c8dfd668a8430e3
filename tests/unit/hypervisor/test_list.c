/* SPDX-License-Identifier: GPL-2.0-only */
/* The intrusive list macros. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <hv/list.h>

struct item {
    int v;
    struct list_head link;
};

/* Collect the values in list order into out; returns the count. */
static int values(struct list_head *head, int *out)
{
    struct item *it;
    int n = 0;

    list_for_each_entry(it, head, link)
    {
        out[n++] = it->v;
    }
    return n;
}

static void test_add_order(void **state)
{
    LIST_HEAD(head);
    struct item a = {.v = 1}, b = {.v = 2}, c = {.v = 3};
    int v[4];

    (void)state;
    assert_true(list_empty(&head));
    list_add_tail(&a.link, &head);
    list_add_tail(&b.link, &head);
    list_add(&c.link, &head); /* goes to the front */
    assert_false(list_empty(&head));
    assert_int_equal(values(&head, v), 3);
    assert_int_equal(v[0], 3);
    assert_int_equal(v[1], 1);
    assert_int_equal(v[2], 2);
    assert_ptr_equal(list_first_entry(&head, struct item, link), &c);
    assert_ptr_equal(head.prev, &b.link);
}

static void test_delete_while_iterating(void **state)
{
    struct list_head head;
    struct item items[10], *it, *tmp;
    int v[10];

    (void)state;
    INIT_LIST_HEAD(&head);
    for (int i = 0; i < 10; i++) {
        items[i].v = i;
        list_add_tail(&items[i].link, &head);
    }
    list_for_each_entry_safe(it, tmp, &head, link)
    {
        if (it->v % 2)
            list_del(&it->link);
    }
    assert_null(items[1].link.next); /* deleted entries are poisoned */
    assert_int_equal(values(&head, v), 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(v[i], 2 * i);
    list_for_each_entry_safe(it, tmp, &head, link)
    {
        list_del(&it->link);
    }
    assert_true(list_empty(&head));
    assert_ptr_equal(head.prev, &head);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_order),
        cmocka_unit_test(test_delete_while_iterating),
    };

    return cmocka_run_group_tests_name("list", tests, NULL, NULL);
}
