/* SPDX-License-Identifier: GPL-2.0-only */
/* The sparse frame bitmap of log-dirty mode (see <hv/dirty_bitmap.h>). */
#include <hv/dirty_bitmap.h>
#include <hv/lib.h>

#define NODE_ENTRIES 512u
#define LEAF_BYTES   4096u

/* Which node entry holds pfn at each level: 2 top, 1 middle, 0 the leaf. */
static unsigned int node_index(uint64_t pfn, unsigned int level)
{
    return (unsigned int)(pfn >> (15 + 9 * level)) & (NODE_ENTRIES - 1);
}

/* A new node or leaf, within the bitmap's limit; NULL (and counted) if none. */
static void *new_page(struct dirty_bitmap *b)
{
    void *p = b->max_pages && b->pages >= b->max_pages ? NULL : b->page_alloc();
    if (p)
        b->pages++;
    else
        b->failed_allocs++;
    return p;
}

/* The child at entry i of node, made if make and it is missing; NULL if none. */
static void *child(struct dirty_bitmap *b, void **node, unsigned int i, bool make)
{
    if (!node[i] && make)
        node[i] = new_page(b);
    return node[i];
}

/* The leaf holding pfn's bit (made on the way if make), or NULL. */
static uint8_t *leaf_of(struct dirty_bitmap *b, uint64_t pfn, bool make)
{
    if (!b->top && make)
        b->top = new_page(b);
    if (!b->top)
        return NULL;
    void **mid = child(b, b->top, node_index(pfn, 2), make);
    void **low = mid ? child(b, mid, node_index(pfn, 1), make) : NULL;
    return low ? child(b, low, node_index(pfn, 0), make) : NULL;
}

bool dirty_bitmap_set(struct dirty_bitmap *b, uint64_t pfn)
{
    uint8_t *leaf = leaf_of(b, pfn, true);
    if (!leaf)
        return false;
    unsigned int bit = (unsigned int)(pfn % DIRTY_BITMAP_LEAF_BITS);
    uint8_t m = (uint8_t)(1u << (bit % 8));
    bool was = leaf[bit / 8] & m;
    leaf[bit / 8] |= m;
    return !was;
}

bool dirty_bitmap_test(const struct dirty_bitmap *b, uint64_t pfn)
{
    const uint8_t *leaf = leaf_of((struct dirty_bitmap *)b, pfn, false);
    unsigned int bit = (unsigned int)(pfn % DIRTY_BITMAP_LEAF_BITS);
    return leaf && (leaf[bit / 8] & (1u << (bit % 8)));
}

/* Bits from pfn (leaf-aligned) to the end of the node missing above it; 0 if its leaf exists. */
static uint64_t missing_span(const struct dirty_bitmap *b, uint64_t pfn)
{
    void **node = b->top;
    if (!node)
        return DIRTY_BITMAP_MAX_BITS - pfn;
    for (int level = 2; level >= 0; level--) {
        void **next = node[node_index(pfn, (unsigned int)level)];
        if (!next) {
            uint64_t reach = 1ull << (15 + 9 * level); /* bits under one entry */
            return reach - (pfn & (reach - 1));
        }
        node = next;
    }
    return 0;
}

int dirty_bitmap_read(struct dirty_bitmap *b, uint64_t nbits, bool clear,
                      int (*out)(void *ctx, uint64_t offset, const uint8_t *src, size_t len),
                      void *ctx, uint64_t *covered)
{
    uint64_t want = MIN(nbits, DIRTY_BITMAP_MAX_BITS);
    uint64_t bytes = (want + 7) / 8;
    *covered = want;
    for (uint64_t off = 0; off < bytes;) {
        uint64_t span = missing_span(b, off * 8) / 8;
        uint8_t *leaf = span ? NULL : leaf_of(b, off * 8, false);
        size_t len = (size_t)MIN(span ? span : (uint64_t)LEAF_BYTES, bytes - off);
        int rc = out(ctx, off, leaf, len);
        if (rc)
            return rc;
        if (leaf && clear)
            memset(leaf, 0, LEAF_BYTES);
        off += len;
    }
    return 0;
}

static void free_node(struct dirty_bitmap *b, void **node, unsigned int level)
{
    for (unsigned int i = 0; i < NODE_ENTRIES; i++) {
        if (!node[i])
            continue;
        if (level)
            free_node(b, node[i], level - 1);
        else
            b->page_free(node[i]);
        b->pages--;
    }
    b->page_free(node);
}

void dirty_bitmap_free(struct dirty_bitmap *b)
{
    if (b->top) {
        free_node(b, b->top, 2);
        b->pages--;
    }
    b->top = NULL;
    b->failed_allocs = 0;
}
