/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Buddy allocator of machine frames; see buddy.h for the invariants.
 *
 * Costs: allocation and freeing touch O(BUDDY_MAX_ORDER) list heads plus
 * every frame of the block once (to flip its state), which is what lets
 * buddy_free() catch a double free anywhere inside a block.
 */
#include <hv/buddy.h>
#include <hv/panic.h>

/* order of the non-first frames of an allocated block: never a valid order */
#define BUDDY_TAIL 0xff

static inline mfn_t order_frames(unsigned int order)
{
    return (mfn_t)1 << order;
}

/*
 * Flip a block's frames to state. Becoming free, a frame is dirty (whatever it held is
 * still there); becoming in use it keeps PGC_zeroed for page_take_zeroed, and leaves the
 * dirty count if it had none.
 */
static void block_set_state(struct buddy *b, mfn_t mfn, unsigned int order, uint64_t state)
{
    for (mfn_t i = 0; i < order_frames(order); i++) {
        struct page_info *pg = &b->frames[mfn + i];

        pg->count_info &= ~PGC_buddy_head;
        if (state == PGC_state_free) {
            pg->count_info &= ~PGC_zeroed;
            b->dirty_frames++;
        } else if (page_is_free(pg) && !(pg->count_info & PGC_zeroed)) {
            b->dirty_frames--;
        }
        page_set_state(pg, state);
    }
}

/* Put a block (already in state free) on its list. */
static void free_list_insert(struct buddy *b, mfn_t mfn, unsigned int order)
{
    struct page_info *head = &b->frames[mfn];

    head->count_info |= PGC_buddy_head;
    head->order = (uint8_t)order;
    list_add(&head->list, &b->free[order]);
}

static void free_list_remove(struct buddy *b, mfn_t mfn)
{
    struct page_info *head = &b->frames[mfn];

    head->count_info &= ~PGC_buddy_head;
    list_del(&head->list);
}

static bool is_free_head(const struct buddy *b, mfn_t mfn, unsigned int order)
{
    const struct page_info *pg = &b->frames[mfn];

    return page_is_free(pg) && (pg->count_info & PGC_buddy_head) && pg->order == order;
}

/* Free a block whose frames are all in state free; merge upwards. */
static void coalesce_and_insert(struct buddy *b, mfn_t mfn, unsigned int order)
{
    while (order < BUDDY_MAX_ORDER) {
        mfn_t buddy = mfn ^ order_frames(order);

        if (buddy + order_frames(order) > b->nr_frames || !is_free_head(b, buddy, order))
            break;
        free_list_remove(b, buddy);
        mfn &= ~order_frames(order);
        order++;
    }
    free_list_insert(b, mfn, order);
}

void buddy_init(struct buddy *b, struct page_info *frames, mfn_t nr_frames)
{
    spin_lock_init(&b->lock, LOCK_CLASS_BUDDY);
    b->frames = frames;
    b->nr_frames = nr_frames;
    b->free_frames = 0;
    b->dirty_frames = 0;
    b->scrub_cursor = 0;
    for (unsigned int i = 0; i <= BUDDY_MAX_ORDER; i++)
        INIT_LIST_HEAD(&b->free[i]);
    for (mfn_t i = 0; i < nr_frames; i++) {
        frames[i].list.next = frames[i].list.prev = NULL;
        frames[i].owner = NULL;
        frames[i].count_info = PGC_state_reserv;
        frames[i].type_info = PGT_none;
        frames[i].order = 0;
    }
}

/* Largest order of an aligned block starting at mfn that fits in count. */
static unsigned int largest_fit(mfn_t mfn, mfn_t count)
{
    unsigned int order = 0;

    while (order < BUDDY_MAX_ORDER && (mfn & order_frames(order)) == 0 &&
           order_frames(order + 1) <= count)
        order++;
    return order;
}

void buddy_add_free_range(struct buddy *b, mfn_t start, mfn_t count)
{
    BUG_ON(start > b->nr_frames || count > b->nr_frames - start);

    spin_lock(&b->lock);
    for (mfn_t i = 0; i < count; i++)
        BUG_ON(page_state(&b->frames[start + i]) != PGC_state_reserv);
    while (count) {
        unsigned int order = largest_fit(start, count);

        block_set_state(b, start, order, PGC_state_free);
        coalesce_and_insert(b, start, order);
        b->free_frames += order_frames(order);
        start += order_frames(order);
        count -= order_frames(order);
    }
    spin_unlock(&b->lock);
}

/*
 * Take the block at mfn (of order have, on its list) and return its first
 * 2^want frames, giving the upper halves back to the lower lists.
 */
static mfn_t split_block(struct buddy *b, mfn_t mfn, unsigned int have, unsigned int want)
{
    free_list_remove(b, mfn);
    while (have > want) {
        have--;
        free_list_insert(b, mfn + order_frames(have), have);
    }
    block_set_state(b, mfn, want, PGC_state_inuse);
    for (mfn_t i = 1; i < order_frames(want); i++)
        b->frames[mfn + i].order = BUDDY_TAIL;
    b->frames[mfn].order = (uint8_t)want;
    b->free_frames -= order_frames(want);
    return mfn;
}

mfn_t buddy_alloc(struct buddy *b, unsigned int order)
{
    mfn_t mfn = INVALID_MFN;

    if (order > BUDDY_MAX_ORDER)
        return INVALID_MFN;
    spin_lock(&b->lock);
    for (unsigned int o = order; o <= BUDDY_MAX_ORDER; o++) {
        if (!list_empty(&b->free[o])) {
            struct page_info *pg = list_first_entry(&b->free[o], struct page_info, list);

            mfn = split_block(b, (mfn_t)(pg - b->frames), o, order);
            break;
        }
    }
    spin_unlock(&b->lock);
    return mfn;
}

/*
 * Low blocks are rare requests, so a linear scan of the lists is fine.
 * Splitting keeps the lowest sub-block, so any free block that starts low
 * enough yields a result.
 */
mfn_t buddy_alloc_below(struct buddy *b, unsigned int order, mfn_t max_mfn)
{
    mfn_t mfn = INVALID_MFN;

    if (order > BUDDY_MAX_ORDER || max_mfn < order_frames(order))
        return INVALID_MFN;
    spin_lock(&b->lock);
    for (unsigned int o = order; o <= BUDDY_MAX_ORDER && mfn == INVALID_MFN; o++) {
        struct page_info *pg;

        list_for_each_entry(pg, &b->free[o], list)
        {
            mfn_t start = (mfn_t)(pg - b->frames);

            if (start <= max_mfn - order_frames(order)) {
                mfn = split_block(b, start, o, order);
                break;
            }
        }
    }
    spin_unlock(&b->lock);
    return mfn;
}

void buddy_free(struct buddy *b, mfn_t mfn, unsigned int order)
{
    BUG_ON(order > BUDDY_MAX_ORDER);
    BUG_ON(mfn >= b->nr_frames || order_frames(order) > b->nr_frames - mfn);
    BUG_ON(mfn & (order_frames(order) - 1));

    spin_lock(&b->lock);
    BUG_ON(!page_is_inuse(&b->frames[mfn]));
    BUG_ON(b->frames[mfn].order != order);
    for (mfn_t i = 0; i < order_frames(order); i++)
        BUG_ON(!page_is_inuse(&b->frames[mfn + i]));
    block_set_state(b, mfn, order, PGC_state_free);
    b->free_frames += order_frames(order);
    coalesce_and_insert(b, mfn, order);
    spin_unlock(&b->lock);
}

void buddy_split(struct buddy *b, mfn_t mfn, unsigned int order)
{
    BUG_ON(order > BUDDY_MAX_ORDER);
    BUG_ON(mfn >= b->nr_frames || order_frames(order) > b->nr_frames - mfn);

    spin_lock(&b->lock);
    BUG_ON(!page_is_inuse(&b->frames[mfn]) || b->frames[mfn].order != order);
    for (mfn_t i = 0; i < order_frames(order); i++)
        b->frames[mfn + i].order = 0;
    spin_unlock(&b->lock);
}

mfn_t buddy_free_frames(const struct buddy *b)
{
    return __atomic_load_n(&b->free_frames, __ATOMIC_RELAXED);
}

mfn_t buddy_dirty_frames(const struct buddy *b)
{
    return __atomic_load_n(&b->dirty_frames, __ATOMIC_RELAXED);
}

mfn_t buddy_scrub(struct buddy *b, mfn_t scan, mfn_t max_zero, void (*zero_page)(mfn_t mfn))
{
    mfn_t zeroed = 0;

    if (!b->nr_frames || !buddy_dirty_frames(b))
        return 0;
    /* Under the lock, so no frame is handed out while it is cleared; a short hold (a few
     * frames cleared at most) keeps allocations on other CPUs waiting little. */
    spin_lock(&b->lock);
    for (mfn_t i = 0; i < scan && zeroed < max_zero && b->dirty_frames; i++) {
        mfn_t mfn = b->scrub_cursor;
        struct page_info *pg = &b->frames[mfn];

        b->scrub_cursor = mfn + 1 < b->nr_frames ? mfn + 1 : 0;
        if (page_is_free(pg) && !(pg->count_info & PGC_zeroed)) {
            zero_page(mfn);
            pg->count_info |= PGC_zeroed;
            b->dirty_frames--;
            zeroed++;
        }
    }
    spin_unlock(&b->lock);
    return zeroed;
}
