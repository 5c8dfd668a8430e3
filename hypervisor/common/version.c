/* SPDX-License-Identifier: GPL-2.0-only */
/* xen_version: what guests learn about the hypervisor (same answers as Xen 4.17 where they matter).
 */
#include <hv/domain.h>
#include <hv/errcodes.h>
#include <asm/guest_access.h>
#include <hv/lib.h>
#include <hv/version.h>
#include <hv/bootinfo.h>
#include <asm/sections.h>
#include <lamina/errno.h>
#include <lamina/features.h>
#include <lamina/memory_layout.h>
#include <lamina/version.h>
#include <lamina/vm_assist.h>
#include <hypervisor/hypercall-handlers.h>

/* The GNU build-id note the linker put in the image: {namesz, descsz, type, "GNU\0", id}. */
static const uint8_t *build_id(uint32_t *len)
{
    const uint32_t *note = (const uint32_t *)__build_id_start;
    if ((uintptr_t)__build_id_end - (uintptr_t)__build_id_start < 16 || note[0] != 4)
        return NULL;
    *len = note[1];
    return __build_id_start + 16;
}

static uint32_t feature_submap(const struct domain *d)
{
    /* A PV guest: PRESERVE_AD updates, the MMUEXT page ops and grant-map AVL bits; and, as
     * on Xen 4.17 for any guest that is not translated, direct_mapped (gfn == mfn for
     * device DMA: Linux's swiotlb-xen asks). */
    uint32_t f = LAM_XENFEAT_BIT(LAM_XENFEAT_mmu_pt_update_preserve_ad) |
                 LAM_XENFEAT_BIT(LAM_XENFEAT_highmem_assist) |
                 LAM_XENFEAT_BIT(LAM_XENFEAT_gnttab_map_avail_bits) |
                 LAM_XENFEAT_BIT(LAM_XENFEAT_memory_op_vnode_supported) |
                 LAM_XENFEAT_BIT(LAM_XENFEAT_direct_mapped);
    if (d->vm_assist & (1ul << LAM_VMASST_TYPE_pae_extended_cr3))
        f |= LAM_XENFEAT_BIT(LAM_XENFEAT_pae_pgdir_above_4gb);
    if (d->is_privileged)
        f |= LAM_XENFEAT_BIT(LAM_XENFEAT_dom0);
    return f;
}

static long copy_string_out(guest_ptr_t arg, const char *s, size_t buflen)
{
    char buf[LAM_XENVER_CAPABILITIES_LEN];
    size_t n = MIN(buflen, sizeof(buf));
    memset(buf, 0, n);
    size_t len = MIN(strlen(s), n - 1);
    memcpy(buf, s, len);
    return copy_to_guest(arg, buf, n) ? -EFAULT : 0;
}

long hc_xen_version(int cmd, guest_ptr_t arg)
{
    struct domain *d = current_domain();

    switch (cmd) {
    case LAM_XENVER_version:
        return (LAMINA_ABI_MAJOR << 16) | LAMINA_ABI_MINOR;
    case LAM_XENVER_extraversion:
        return copy_string_out(arg, LAMINA_EXTRAVERSION, LAM_XENVER_EXTRAVERSION_LEN);
    case LAM_XENVER_compile_info: {
        struct lam_xen_compile_info ci;
        memset(&ci, 0, sizeof(ci));
        memcpy(ci.compiler, "gcc", 3);
        memcpy(ci.compile_by, "lamina", 6);
        memcpy(ci.compile_domain, "lamina", 6);
        memcpy(ci.compile_date, __DATE__, MIN(sizeof(__DATE__), sizeof(ci.compile_date)));
        return copy_to_guest(arg, &ci, sizeof(ci)) ? -EFAULT : 0;
    }
    case LAM_XENVER_capabilities:
        return copy_string_out(arg, "xen-3.0-x86_64", LAM_XENVER_CAPABILITIES_LEN);
    case LAM_XENVER_changeset:
        return copy_string_out(arg, "lamina", LAM_XENVER_CHANGESET_LEN);
    case LAM_XENVER_platform_parameters: {
        struct lam_xen_platform_parameters p = {.virt_start = LAM_HYPERVISOR_VIRT_START};
        return copy_to_guest(arg, &p, sizeof(p)) ? -EFAULT : 0;
    }
    case LAM_XENVER_get_features: {
        struct lam_xen_feature_info fi;
        if (copy_from_guest(&fi, arg, sizeof(fi)))
            return -EFAULT;
        if (fi.submap_idx != 0)
            return -EINVAL;
        fi.submap = feature_submap(d);
        return copy_to_guest(arg, &fi, sizeof(fi)) ? -EFAULT : 0;
    }
    case LAM_XENVER_pagesize:
        return LAM_PAGE_SIZE;
    case LAM_XENVER_guest_handle: {
        uint8_t handle[LAM_XENVER_GUEST_HANDLE_LEN] = {0};
        return copy_to_guest(arg, handle, sizeof(handle)) ? -EFAULT : 0;
    }
    case LAM_XENVER_build_id: {
        uint32_t len = 0, cap;
        const uint8_t *id = build_id(&len);
        if (!d->is_privileged)
            return -EPERM;
        if (!id)
            return -ENODATA;
        if (!arg)
            return len; /* size query */
        if (copy_from_guest(&cap, arg, sizeof(cap)))
            return -EFAULT;
        if (cap == 0)
            return -EINVAL;
        if (len > cap)
            return -LAM_ENOBUFS;
        if (copy_to_guest(arg + sizeof(cap), id, len))
            return -EFAULT;
        return len;
    }
    case LAM_XENVER_commandline:
        if (!d->is_privileged)
            return -EPERM;
        return copy_string_out(arg, hv_cmdline, LAM_XENVER_COMMANDLINE_LEN);
    default:
        return -ENOSYS;
    }
}
