/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The hypervisor's small-object allocator.
 *
 * Requests up to XMALLOC_SLAB_MAX bytes come from size-class slabs: one
 * page per slab, power-of-two object sizes from 16 to 1024 bytes, each
 * object aligned to its size (so an alignment up to the class size is
 * free). Larger requests, or larger alignments, get whole pages from the
 * page allocator given to xmalloc_init(); their address and order are
 * remembered in a small hash so xfree() can return them.
 *
 * Every pointer handed out is at least 16-byte aligned. A slab pointer is
 * never page aligned (the slab header sits at the start of its page) and a
 * large allocation always is: that is how xfree() tells them apart.
 * Freeing a pointer twice or one that xmalloc never returned is caught
 * (BUG_ON). One spinlock protects all state; page_alloc is called without
 * it (it may wait for other CPUs, see xmalloc.c).
 */
#ifndef LAMINA_HV_XMALLOC_H
#define LAMINA_HV_XMALLOC_H

#include <stddef.h>

#define XMALLOC_PAGE_SHIFT 12
#define XMALLOC_PAGE_SIZE  ((size_t)1 << XMALLOC_PAGE_SHIFT)
#define XMALLOC_SLAB_MAX   1024

/*
 * page_alloc(order) returns 2^order contiguous, page-aligned pages or NULL;
 * page_free(p, order) gives them back. Calling it again starts afresh
 * (whatever was allocated before is forgotten): for tests.
 */
void xmalloc_init(void *(*page_alloc)(unsigned int order),
                  void (*page_free)(void *p, unsigned int order));

/* align: a power of two, or 0 for the default (16). NULL on failure. */
void *xmalloc_bytes(size_t size, size_t align);
void *xzalloc_bytes(size_t size, size_t align);
/* n * size bytes, or NULL if that overflows. */
void *xmalloc_array_bytes(size_t size, size_t n, size_t align);
void *xzalloc_array_bytes(size_t size, size_t n, size_t align);
/* NULL is a no-op. */
void xfree(void *p);

/* Pages currently obtained from page_alloc (slabs plus large blocks). */
size_t xmalloc_pages_held(void);

#define xmalloc(type)          ((type *)xmalloc_bytes(sizeof(type), _Alignof(type)))
#define xzalloc(type)          ((type *)xzalloc_bytes(sizeof(type), _Alignof(type)))
#define xmalloc_array(type, n) ((type *)xmalloc_array_bytes(sizeof(type), (n), _Alignof(type)))
#define xzalloc_array(type, n) ((type *)xzalloc_array_bytes(sizeof(type), (n), _Alignof(type)))

#endif
