/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Buddy allocator against a model: the model knows which frames were added
 * and which are allocated, and after every operation the allocator must
 * agree with it (free count, alignment, no overlap, allocation failing
 * only when no fully free aligned block exists).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <hv/buddy.h>
#include "hv_stubs.h"

struct fixture {
    struct buddy b;
    struct page_info *frames;
    mfn_t nr;
};

static struct fixture *fixture_new(mfn_t nr)
{
    struct fixture *f = calloc(1, sizeof(*f));

    f->frames = calloc(nr, sizeof(*f->frames));
    f->nr = nr;
    buddy_init(&f->b, f->frames, nr);
    return f;
}

static void fixture_free(struct fixture *f)
{
    free(f->frames);
    free(f);
}

/* After a caught BUG_ON the lock is still held; tests reset it. */
static void unlock_after_panic(struct fixture *f)
{
    f->b.lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_BUDDY);
}

static void test_single_block(void **state)
{
    struct fixture *f = fixture_new(1024);

    (void)state;
    assert_int_equal(buddy_free_frames(&f->b), 0);
    assert_int_equal(buddy_alloc(&f->b, 0), INVALID_MFN);
    buddy_add_free_range(&f->b, 0, 1024);
    assert_int_equal(buddy_free_frames(&f->b), 1024);
    /* 1024 aligned frames form one order-10 block. */
    assert_true(f->frames[0].count_info & PGC_buddy_head);
    assert_int_equal(f->frames[0].order, 10);
    assert_int_equal(buddy_alloc(&f->b, 10), 0);
    assert_int_equal(buddy_free_frames(&f->b), 0);
    assert_int_equal(buddy_alloc(&f->b, 0), INVALID_MFN);
    assert_true(page_is_inuse(&f->frames[1023]));
    buddy_free(&f->b, 0, 10);
    assert_int_equal(buddy_free_frames(&f->b), 1024);
    assert_int_equal(buddy_alloc(&f->b, BUDDY_MAX_ORDER + 1), INVALID_MFN);
    fixture_free(f);
}

/* All single frames out, back in a random order: one block again. */
static void test_coalesce_restores_block(void **state)
{
    const mfn_t nr = 2048;
    struct fixture *f = fixture_new(nr);
    mfn_t *got = calloc(nr, sizeof(*got));
    unsigned int seed = 7;

    (void)state;
    buddy_add_free_range(&f->b, 0, nr);
    for (mfn_t i = 0; i < nr; i++) {
        got[i] = buddy_alloc(&f->b, 0);
        assert_true(got[i] < nr);
        assert_int_equal(buddy_free_frames(&f->b), nr - i - 1);
    }
    assert_int_equal(buddy_alloc(&f->b, 0), INVALID_MFN);
    for (mfn_t i = nr - 1; i > 0; i--) { /* shuffle */
        mfn_t j = (mfn_t)rand_r(&seed) % (i + 1), t = got[i];
        got[i] = got[j];
        got[j] = t;
    }
    for (mfn_t i = 0; i < nr; i++)
        buddy_free(&f->b, got[i], 0);
    assert_int_equal(buddy_free_frames(&f->b), nr);
    assert_int_equal(buddy_alloc(&f->b, 11), 0);
    free(got);
    fixture_free(f);
}

/* Ranges with unaligned edges split into the largest aligned blocks. */
static void test_add_unaligned_ranges(void **state)
{
    struct fixture *f = fixture_new(1 << 19);

    (void)state;
    buddy_add_free_range(&f->b, 3, 13); /* 3, 4-7, 8-15 */
    assert_int_equal(buddy_free_frames(&f->b), 13);
    assert_int_equal(f->frames[3].order, 0);
    assert_int_equal(f->frames[4].order, 2);
    assert_int_equal(f->frames[8].order, 3);
    assert_int_equal(buddy_alloc(&f->b, 4), INVALID_MFN);
    /* Adding the neighbours merges everything into 0-15 and up. */
    buddy_add_free_range(&f->b, 0, 3);
    buddy_add_free_range(&f->b, 16, (1 << 19) - 16);
    assert_int_equal(buddy_free_frames(&f->b), 1 << 19);
    /* Blocks never exceed BUDDY_MAX_ORDER: two of them here. */
    mfn_t a = buddy_alloc(&f->b, BUDDY_MAX_ORDER), b = buddy_alloc(&f->b, BUDDY_MAX_ORDER);
    assert_int_equal(a + b, 1 << BUDDY_MAX_ORDER);
    assert_true(a == 0 || b == 0);
    assert_int_equal(buddy_alloc(&f->b, 0), INVALID_MFN);
    fixture_free(f);
}

static void test_alloc_below(void **state)
{
    struct fixture *f = fixture_new(4096);

    (void)state;
    buddy_add_free_range(&f->b, 1024, 3072);
    assert_int_equal(buddy_alloc_below(&f->b, 0, 1024), INVALID_MFN);
    mfn_t m = buddy_alloc_below(&f->b, 3, 1100);
    assert_true(m >= 1024 && m + 8 <= 1100 && m % 8 == 0);
    /* The block must fit entirely below the limit. */
    assert_int_equal(buddy_alloc_below(&f->b, 10, 2047), INVALID_MFN);
    assert_int_equal(buddy_alloc_below(&f->b, 10, 3072), 2048);
    assert_int_equal(buddy_free_frames(&f->b), 3072 - 8 - 1024);
    buddy_free(&f->b, m, 3);
    buddy_free(&f->b, 2048, 10);
    assert_int_equal(buddy_free_frames(&f->b), 3072);
    fixture_free(f);
}

/* A split block is freed frame by frame and coalesces back into one. */
static void test_split_then_free_singly(void **state)
{
    struct fixture *f = fixture_new(64);
    unsigned int seed = 11;
    mfn_t order_of_free[16];

    (void)state;
    buddy_add_free_range(&f->b, 0, 64);
    mfn_t m = buddy_alloc(&f->b, 4);
    assert_int_not_equal(m, INVALID_MFN);
    EXPECT_PANIC(buddy_free(&f->b, m + 3, 0)); /* not yet split */
    unlock_after_panic(f);
    EXPECT_PANIC(buddy_split(&f->b, m, 3)); /* wrong order */
    unlock_after_panic(f);
    buddy_split(&f->b, m, 4);
    for (unsigned int i = 0; i < 16; i++)
        order_of_free[i] = m + i;
    for (unsigned int i = 15; i > 0; i--) {
        unsigned int j = (unsigned int)rand_r(&seed) % (i + 1);
        mfn_t t = order_of_free[i];
        order_of_free[i] = order_of_free[j];
        order_of_free[j] = t;
    }
    for (unsigned int i = 0; i < 16; i++) {
        buddy_free(&f->b, order_of_free[i], 0);
        assert_int_equal(buddy_free_frames(&f->b), 64 - 16 + i + 1);
    }
    EXPECT_PANIC(buddy_free(&f->b, m, 0)); /* each frame only once */
    unlock_after_panic(f);
    assert_int_equal(buddy_alloc(&f->b, 6), 0); /* fully merged again */
    fixture_free(f);
}

/* Is there a naturally aligned block of 2^order frames, all free in the model? */
static bool model_has_free_block(const uint8_t *state_of, mfn_t nr, unsigned int order)
{
    mfn_t size = (mfn_t)1 << order;

    for (mfn_t s = 0; s + size <= nr; s += size) {
        mfn_t i;

        for (i = 0; i < size && state_of[s + i] == 1; i++)
            ;
        if (i == size)
            return true;
    }
    return false;
}

/* Model states: 0 never added, 1 free, 2 allocated. */
static void test_random_against_model(void **state)
{
    const mfn_t nr = 4096;
    struct fixture *f = fixture_new(nr);
    uint8_t *model = calloc(nr, 1);
    struct {
        mfn_t mfn;
        unsigned int order;
    } live[4096];
    size_t nlive = 0;
    mfn_t model_free = 0;
    unsigned int seed = 99, failures = 0;

    (void)state;
    /* Holes at the start, in the middle and at the end. */
    static const mfn_t ranges[][2] = {{5, 995}, {1003, 1990}, {3001, 1095}};
    for (size_t r = 0; r < 3; r++) {
        buddy_add_free_range(&f->b, ranges[r][0], ranges[r][1]);
        memset(model + ranges[r][0], 1, ranges[r][1]);
        model_free += ranges[r][1];
    }
    for (int step = 0; step < 20000; step++) {
        /* Alloc-heavy, so memory fills up and failures get checked too. */
        if (nlive && (rand_r(&seed) % 5 < 2 || nlive == 4096)) {
            size_t k = (size_t)rand_r(&seed) % nlive;

            buddy_free(&f->b, live[k].mfn, live[k].order);
            memset(model + live[k].mfn, 1, (size_t)1 << live[k].order);
            model_free += (mfn_t)1 << live[k].order;
            live[k] = live[--nlive];
        } else {
            unsigned int order = (unsigned int)rand_r(&seed) % 7;
            mfn_t m = buddy_alloc(&f->b, order);
            mfn_t size = (mfn_t)1 << order;

            if (m == INVALID_MFN) {
                assert_false(model_has_free_block(model, nr, order));
                failures++;
            } else {
                assert_true(m % size == 0 && m + size <= nr);
                for (mfn_t i = 0; i < size; i++)
                    assert_int_equal(model[m + i], 1);
                memset(model + m, 2, size);
                model_free -= size;
                live[nlive].mfn = m;
                live[nlive].order = order;
                nlive++;
            }
        }
        assert_int_equal(buddy_free_frames(&f->b), model_free);
    }
    assert_true(failures > 100);
    while (nlive) {
        nlive--;
        buddy_free(&f->b, live[nlive].mfn, live[nlive].order);
    }
    assert_int_equal(buddy_free_frames(&f->b), 995 + 1990 + 1095);
    free(model);
    fixture_free(f);
}

static void test_misuse_is_caught(void **state)
{
    struct fixture *f = fixture_new(256);

    (void)state;
    buddy_add_free_range(&f->b, 16, 240);
    mfn_t m = buddy_alloc(&f->b, 2);
    assert_int_not_equal(m, INVALID_MFN);
    buddy_free(&f->b, m, 2);
    EXPECT_PANIC(buddy_free(&f->b, m, 2)); /* double free */
    unlock_after_panic(f);
    EXPECT_PANIC(buddy_free(&f->b, 0, 0)); /* never added */
    unlock_after_panic(f);
    m = buddy_alloc(&f->b, 2);
    EXPECT_PANIC(buddy_free(&f->b, m, 1)); /* wrong order */
    unlock_after_panic(f);
    EXPECT_PANIC(buddy_free(&f->b, m + 1, 0)); /* inside the block */
    unlock_after_panic(f);
    EXPECT_PANIC(buddy_free(&f->b, m + 1, 2));        /* misaligned */
    EXPECT_PANIC(buddy_free(&f->b, 300, 0));          /* beyond the table */
    EXPECT_PANIC(buddy_add_free_range(&f->b, 20, 4)); /* added twice */
    unlock_after_panic(f);
    EXPECT_PANIC(buddy_add_free_range(&f->b, 250, 10)); /* beyond the table */
    /* The allocator is still consistent after all that. */
    buddy_free(&f->b, m, 2);
    assert_int_equal(buddy_free_frames(&f->b), 240);
    fixture_free(f);
}

/* The scrub callback's record: which frames it was asked to clear, and how often. */
static unsigned char scrubbed[256];

static void record_scrub(mfn_t mfn)
{
    scrubbed[mfn]++;
}

/*
 * Idle scrubbing: frames arrive dirty, buddy_scrub clears each free one once and marks it
 * zeroed, a block handed out carries the marks (taken once), a freed frame is dirty again
 * and never reported zeroed until cleared anew, allocated frames are never touched.
 */
static void test_scrub_tracks_zeroed_frames(void **state)
{
    struct fixture *f = fixture_new(256);

    (void)state;
    memset(scrubbed, 0, sizeof(scrubbed));
    buddy_add_free_range(&f->b, 0, 256);
    assert_int_equal(buddy_dirty_frames(&f->b), 256);
    mfn_t held = buddy_alloc(&f->b, 4); /* 16 frames in use before any scrub */
    assert_true(held != INVALID_MFN);
    assert_int_equal(buddy_dirty_frames(&f->b), 240);
    /* Bounded work per call: at most max_zero cleared, at most scan looked at. */
    assert_int_equal(buddy_scrub(&f->b, 1000, 8, record_scrub), 8);
    assert_int_equal(buddy_dirty_frames(&f->b), 232);
    mfn_t done = 8;
    for (int i = 0; i < 100 && buddy_dirty_frames(&f->b); i++)
        done += buddy_scrub(&f->b, 64, 8, record_scrub);
    assert_int_equal(done, 240);
    assert_int_equal(buddy_dirty_frames(&f->b), 0);
    assert_int_equal(buddy_scrub(&f->b, 1000, 8, record_scrub), 0);
    for (mfn_t m = 0; m < 256; m++) {
        bool in_held = m >= held && m < held + 16;
        assert_int_equal(scrubbed[m], in_held ? 0 : 1);
        assert_int_equal(!!(f->frames[m].count_info & PGC_zeroed), !in_held);
    }
    /* Handed out marked and freed untouched (its owner never took the mark): dirty again,
     * since nothing says the owner did not write it. */
    mfn_t k = buddy_alloc(&f->b, 2);
    assert_true(k != INVALID_MFN && (f->frames[k].count_info & PGC_zeroed));
    buddy_free(&f->b, k, 2);
    assert_int_equal(buddy_dirty_frames(&f->b), 4);
    for (mfn_t i = 0; i < 4; i++)
        assert_false(f->frames[k + i].count_info & PGC_zeroed);
    while (buddy_dirty_frames(&f->b))
        buddy_scrub(&f->b, 256, 8, record_scrub);
    for (mfn_t i = 0; i < 4; i++)
        assert_int_equal(scrubbed[k + i], 2);
    /* A clean block comes out marked; the mark is taken once. */
    mfn_t m = buddy_alloc(&f->b, 3);
    assert_true(m != INVALID_MFN);
    assert_int_equal(buddy_dirty_frames(&f->b), 0);
    for (mfn_t i = 0; i < 8; i++) {
        assert_true(page_take_zeroed(&f->frames[m + i]));
        assert_false(page_take_zeroed(&f->frames[m + i]));
    }
    /* Freed, the frames are dirty again, even if the owner never wrote them. */
    buddy_free(&f->b, m, 3);
    assert_int_equal(buddy_dirty_frames(&f->b), 8);
    buddy_free(&f->b, held, 4);
    assert_int_equal(buddy_dirty_frames(&f->b), 24);
    mfn_t again = buddy_alloc(&f->b, 3);
    assert_true(again != INVALID_MFN);
    /* Whichever block it was, a frame freed since its scrub is not marked. */
    for (mfn_t i = 0; i < 8; i++) {
        mfn_t x = again + i;
        bool was_freed = (x >= m && x < m + 8) || (x >= held && x < held + 16);
        if (was_freed)
            assert_false(f->frames[x].count_info & PGC_zeroed);
    }
    fixture_free(f);
}

static void test_frame_accessors(void **state)
{
    struct page_info pg = {0};

    (void)state;
    pg.count_info = PGC_allocated | PGC_state_inuse | 5;
    pg.type_info = PGT_l2_page_table | PGT_validated | 3;
    assert_int_equal(page_count(&pg), 5);
    assert_true(page_is_inuse(&pg));
    assert_false(page_is_free(&pg));
    assert_int_equal(page_type(&pg), PGT_l2_page_table);
    assert_int_equal(page_type_count(&pg), 3);
    assert_true(page_type_validated(&pg));
    page_set_state(&pg, PGC_state_free);
    assert_true(page_is_free(&pg));
    assert_true(pg.count_info & PGC_allocated); /* other bits untouched */
    assert_int_equal(page_count(&pg), 5);
    /* The fields do not overlap. */
    assert_int_equal(PGC_allocated & (PGC_buddy_head | PGC_state_mask | PGC_count_mask), 0);
    assert_int_equal(PGC_buddy_head & (PGC_state_mask | PGC_count_mask), 0);
    assert_int_equal(PGC_state_mask & PGC_count_mask, 0);
    assert_int_equal(PGT_type_mask & (PGT_validated | PGT_pinned | PGT_count_mask), 0);
    assert_int_equal((PGT_validated | PGT_pinned) & PGT_count_mask, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_block),
        cmocka_unit_test(test_coalesce_restores_block),
        cmocka_unit_test(test_add_unaligned_ranges),
        cmocka_unit_test(test_alloc_below),
        cmocka_unit_test(test_random_against_model),
        cmocka_unit_test(test_misuse_is_caught),
        cmocka_unit_test(test_frame_accessors),
        cmocka_unit_test(test_split_then_free_singly),
        cmocka_unit_test(test_scrub_tracks_zeroed_frames),
    };

    return cmocka_run_group_tests_name("buddy", tests, NULL, NULL);
}
