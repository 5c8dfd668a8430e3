/* SPDX-License-Identifier: GPL-2.0-only */
/* Inside libdombuild: the hypercalls of a domain build, through /dev/xen/privcmd (hv.c). */
#ifndef LAMINA_DOMBUILD_HV_H
#define LAMINA_DOMBUILD_HV_H

#include <stddef.h>
#include <stdint.h>

struct lam_domctl;
struct lam_sysctl_physinfo;

struct hv {
    int fd;
    void *scratch; /* locked memory for the small requests */
};

/* 0 or -errno (-ENOENT: not in dom0). */
int hv_open(struct hv *hv);
void hv_close(struct hv *hv);

/* Memory the hypervisor may read and write during a call (locked, zeroed). */
void *hv_buf(size_t len);
void hv_buf_free(void *p, size_t len);

long hv_call(struct hv *hv, unsigned long op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
/* inout's union is the request and, on return, the answer; 0 or -errno. */
int hv_domctl(struct hv *hv, uint32_t cmd, uint16_t dom, struct lam_domctl *inout);
int hv_physinfo(struct hv *hv, struct lam_sysctl_physinfo *out);
/* EVTCHNOP_alloc_unbound for dom, remote end remote. */
int hv_alloc_unbound(struct hv *hv, uint16_t dom, uint16_t remote, uint32_t *port);
/* XENMEM_populate_physmap for dom: frames (from hv_buf) holds n first pfns of extents of
 * 2^order pages in, their first MFNs out. The number of extents done, or -errno. */
long hv_populate(struct hv *hv, uint16_t dom, uint64_t *frames, uint64_t n, unsigned int order);
/* One mmuext_op on behalf of dom (foreigndom). */
int hv_mmuext(struct hv *hv, uint16_t dom, unsigned int cmd, uint64_t mfn);
/* GNTTABOP_setup_table for dom, one frame: the MFN of its grant table's first frame. */
int hv_grant_frame(struct hv *hv, uint16_t dom, uint64_t *mfn);
/* Map n frames of dom (MFNs) read-write, contiguous; NULL with *err = -errno. */
void *hv_map(struct hv *hv, uint16_t dom, const uint64_t *mfns, size_t n, int *err);
/* The same at addr (page aligned, replacing what is mapped there): 0 or -errno; on failure
 * addr's range is left unmapped-or-reserved as the caller had it (PROT_NONE). */
int hv_map_at(struct hv *hv, uint16_t dom, void *addr, const uint64_t *mfns, size_t n);
/* n pages of address space, mapped to nothing, for hv_map_at to fill in parts; NULL when
 * none. hv_unmap frees it with whatever was mapped into it. */
void *hv_reserve(size_t n);
void hv_unmap(void *addr, size_t n);

#endif
