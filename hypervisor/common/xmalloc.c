/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small-object allocator; see xmalloc.h for the contract.
 *
 * Slab layout (one page):
 *
 *   [struct slab header][pad][obj 0][obj 1]...   objects at multiples of
 *                                                their size
 *
 * A slab with at least one free object is on its class's partial list.
 * The header carries an allocation bitmap next to the free list so a
 * double free is caught in O(1). One empty slab per class is kept when
 * it is the class's only slab with room, so an alloc/free pair in a loop
 * does not bounce a page through the page allocator every time.
 *
 * Pages are asked for without the lock held: the hypervisor's page allocator
 * may flush other CPUs' TLBs before it hands a frame out again, and wait for
 * them (arch/x86/flushtlb.c), while a CPU freeing with interrupts off (the
 * reaper) may be spinning on this lock. So an allocation that needs a page
 * drops the lock, gets the page, and takes the lock again to use it; two CPUs
 * doing that at once each add a slab, which is harmless.
 */
#include <hv/xmalloc.h>
#include <hv/lib.h>
#include <hv/list.h>
#include <hv/panic.h>
#include <hv/spinlock.h>

#define SLAB_MAGIC    0x51ab51abU
#define MIN_SHIFT     4 /* 16-byte objects */
#define MAX_SHIFT     10
#define NR_CLASSES    (MAX_SHIFT - MIN_SHIFT + 1)
#define MAX_OBJS      (XMALLOC_PAGE_SIZE >> MIN_SHIFT)
#define LARGE_BUCKETS 64
#define DEFAULT_ALIGN ((size_t)1 << MIN_SHIFT)

struct slab {
    uint32_t magic;
    uint16_t shift;   /* object size is 1 << shift */
    uint16_t nr_objs; /* objects in this slab */
    uint16_t nr_free;
    uint16_t first; /* offset of object 0 from the page start */
    struct list_head link;
    void *free_list; /* free objects, linked through their first word */
    uint8_t used[MAX_OBJS / 8];
};

/* Where a large (page-granular) allocation came from. */
struct large_rec {
    struct large_rec *next;
    void *p;    /* the pointer handed out */
    void *base; /* what page_alloc returned */
    unsigned int order;
};

static struct {
    spinlock_t lock; /* everything below, and the slab pages' free lists */
    void *(*page_alloc)(unsigned int order);
    void (*page_free)(void *p, unsigned int order);
    struct list_head partial[NR_CLASSES];
    struct large_rec *large[LARGE_BUCKETS];
    size_t pages_held;
} xm = {.lock = SPIN_LOCK_UNLOCKED(LOCK_CLASS_XMALLOC)};

void xmalloc_init(void *(*page_alloc)(unsigned int order),
                  void (*page_free)(void *p, unsigned int order))
{
    /* Runs before anyone else can allocate (boot, or a test's setup). */
    spin_lock_init(&xm.lock, LOCK_CLASS_XMALLOC);
    xm.page_alloc = page_alloc;
    xm.page_free = page_free;
    for (unsigned int i = 0; i < NR_CLASSES; i++)
        INIT_LIST_HEAD(&xm.partial[i]);
    for (unsigned int i = 0; i < LARGE_BUCKETS; i++)
        xm.large[i] = NULL;
    xm.pages_held = 0;
}

/* Smallest shift with 1 << shift >= n (n >= 1). */
static unsigned int shift_for(size_t n)
{
    unsigned int s = 0;

    while (((size_t)1 << s) < n)
        s++;
    return s;
}

/* Make the page s (from page_alloc, lock held again) a slab of class shift. */
static void slab_new(struct slab *s, unsigned int shift)
{
    size_t size = (size_t)1 << shift;

    xm.pages_held++;
    memset(s, 0, sizeof(*s));
    s->magic = SLAB_MAGIC;
    s->shift = (uint16_t)shift;
    s->first = (uint16_t)ALIGN_UP(sizeof(struct slab), size);
    s->nr_objs = (uint16_t)((XMALLOC_PAGE_SIZE - s->first) >> shift);
    s->nr_free = s->nr_objs;
    /* Thread the free list so that object 0 comes out first. */
    for (unsigned int i = s->nr_objs; i-- > 0;) {
        void **obj = (void **)((char *)s + s->first + (i << shift));

        *obj = s->free_list;
        s->free_list = obj;
    }
    list_add(&s->link, &xm.partial[shift - MIN_SHIFT]);
}

/* An object from a slab of class shift with room; NULL if there is none (lock held). */
static void *slab_take(unsigned int shift)
{
    struct list_head *partial = &xm.partial[shift - MIN_SHIFT];
    struct slab *s;
    void **obj;
    unsigned int idx;

    if (list_empty(partial))
        return NULL;
    s = list_first_entry(partial, struct slab, link);
    obj = s->free_list;
    s->free_list = *obj;
    idx = (unsigned int)(((char *)obj - (char *)s - s->first) >> shift);
    s->used[idx / 8] |= (uint8_t)(1u << (idx % 8));
    if (--s->nr_free == 0)
        list_del(&s->link);
    return obj;
}

static void slab_free(void *p)
{
    struct slab *s = (struct slab *)ALIGN_DOWN((uintptr_t)p, XMALLOC_PAGE_SIZE);
    size_t off = (size_t)((char *)p - (char *)s);
    struct list_head *partial;
    unsigned int idx;

    BUG_ON(s->magic != SLAB_MAGIC);
    BUG_ON(off < s->first || ((off - s->first) & (((size_t)1 << s->shift) - 1)));
    idx = (unsigned int)((off - s->first) >> s->shift);
    BUG_ON(idx >= s->nr_objs);
    BUG_ON(!(s->used[idx / 8] & (1u << (idx % 8)))); /* double free */
    s->used[idx / 8] &= (uint8_t) ~(1u << (idx % 8));
    *(void **)p = s->free_list;
    s->free_list = p;

    partial = &xm.partial[s->shift - MIN_SHIFT];
    if (s->nr_free++ == 0)
        list_add(&s->link, partial);
    if (s->nr_free == s->nr_objs && partial->next->next != partial) {
        /* Empty and not the class's last slab with room: give it back. */
        list_del(&s->link);
        s->magic = 0;
        xm.page_free(s, 0);
        xm.pages_held--;
    }
}

/* An object of class shift, from a new slab if none has room. Called without the lock. */
static void *slab_alloc(unsigned int shift)
{
    spin_lock(&xm.lock);
    void *obj = slab_take(shift);
    spin_unlock(&xm.lock);
    if (obj)
        return obj;
    struct slab *s = xm.page_alloc(0); /* without the lock: see the top */
    if (!s)
        return NULL;
    spin_lock(&xm.lock);
    slab_new(s, shift);
    obj = slab_take(shift);
    spin_unlock(&xm.lock);
    return obj;
}

static unsigned int large_bucket(const void *p)
{
    return (unsigned int)(((uintptr_t)p >> XMALLOC_PAGE_SHIFT) % LARGE_BUCKETS);
}

/* Called without the lock. */
static void *large_alloc(size_t size, size_t align)
{
    struct large_rec *rec;
    size_t need;
    unsigned int order;
    void *base, *p;

    if (align < XMALLOC_PAGE_SIZE)
        align = XMALLOC_PAGE_SIZE;
    /* page_alloc gives page alignment; more may cost align - 1 page. */
    if (size > SIZE_MAX - (align - XMALLOC_PAGE_SIZE))
        return NULL;
    need = size + (align - XMALLOC_PAGE_SIZE);
    if (need > SIZE_MAX - XMALLOC_PAGE_SIZE)
        return NULL;
    order = shift_for((need + XMALLOC_PAGE_SIZE - 1) >> XMALLOC_PAGE_SHIFT);
    rec = slab_alloc(shift_for(sizeof(*rec) < DEFAULT_ALIGN ? DEFAULT_ALIGN : sizeof(*rec)));
    if (!rec)
        return NULL;
    base = xm.page_alloc(order);
    spin_lock(&xm.lock);
    if (!base) {
        slab_free(rec);
        spin_unlock(&xm.lock);
        return NULL;
    }
    xm.pages_held += (size_t)1 << order;
    rec->base = base;
    rec->order = order;
    rec->p = p = (void *)ALIGN_UP((uintptr_t)base, align);
    rec->next = xm.large[large_bucket(p)];
    xm.large[large_bucket(p)] = rec;
    spin_unlock(&xm.lock);
    return p;
}

static void large_free(void *p)
{
    struct large_rec **link = &xm.large[large_bucket(p)];

    while (*link && (*link)->p != p)
        link = &(*link)->next;
    BUG_ON(!*link); /* not from xmalloc, or freed twice */

    struct large_rec *rec = *link;

    *link = rec->next;
    xm.page_free(rec->base, rec->order);
    xm.pages_held -= (size_t)1 << rec->order;
    slab_free(rec);
}

void *xmalloc_bytes(size_t size, size_t align)
{
    if (align == 0)
        align = DEFAULT_ALIGN;
    if (align & (align - 1))
        return NULL;
    if (size < DEFAULT_ALIGN)
        size = DEFAULT_ALIGN;
    if (!xm.page_alloc) /* set once by xmalloc_init, before anyone allocates */
        return NULL;
    if (size <= XMALLOC_SLAB_MAX && align <= XMALLOC_SLAB_MAX)
        return slab_alloc(shift_for(size > align ? size : align));
    return large_alloc(size, align);
}

void *xzalloc_bytes(size_t size, size_t align)
{
    void *p = xmalloc_bytes(size, align);

    if (p)
        memset(p, 0, size);
    return p;
}

void *xmalloc_array_bytes(size_t size, size_t n, size_t align)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return xmalloc_bytes(size * n, align);
}

void *xzalloc_array_bytes(size_t size, size_t n, size_t align)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return xzalloc_bytes(size * n, align);
}

void xfree(void *p)
{
    if (!p)
        return;
    spin_lock(&xm.lock);
    if (IS_ALIGNED((uintptr_t)p, XMALLOC_PAGE_SIZE))
        large_free(p);
    else
        slab_free(p);
    spin_unlock(&xm.lock);
}

size_t xmalloc_pages_held(void)
{
    spin_lock(&xm.lock);
    size_t n = xm.pages_held;
    spin_unlock(&xm.lock);
    return n;
}
