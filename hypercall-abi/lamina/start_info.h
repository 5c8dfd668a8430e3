/* SPDX-License-Identifier: MIT */
/*
 * lamina/start_info.h - the start_info page a PV kernel finds at entry.
 *
 * The domain builder fills one page inside the guest's initial mapping and
 * enters the kernel with RSI = its virtual address. Layout is Xen's x86-64
 * struct start_info (1168 bytes); the rest of the page is zero except, for the
 * control domain, an optional VGA console description at console.dom0.info_off.
 */
#ifndef LAMINA_START_INFO_H
#define LAMINA_START_INFO_H

#include "types.h"

/* Value of start_info.magic for a 64-bit PV guest (NUL-padded to 32 bytes). */
#define LAM_START_INFO_MAGIC     "xen-3.0-x86_64"
#define LAM_START_INFO_MAGIC_LEN 32
#define LAM_MAX_GUEST_CMDLINE    1024

/* start_info.flags (SIF_*) */
#define LAM_SIF_PRIVILEGED      (1U << 0) /* domain may use privileged hypercalls */
#define LAM_SIF_INITDOMAIN      (1U << 1) /* this is the initial control domain (dom0) */
#define LAM_SIF_MULTIBOOT_MOD   (1U << 2) /* mod_start/mod_len describe a multiboot module list */
#define LAM_SIF_MOD_START_PFN   (1U << 3) /* mod_start is a PFN, not a virtual address */
#define LAM_SIF_VIRT_P2M_4TOOLS (1U << 4) /* p2m for tools is a virtual list (p2m_vaddr) */
#define LAM_SIF_PM_MASK         (0xFFU << 8) /* reserved for power management */

/* Console description for the control domain (console.dom0). */
struct lam_start_info_dom0_console {
    uint32_t info_off;  /* offset of the VGA console info from start_info */
    uint32_t info_size; /* its size; 0 means no VGA console information */
};

/* Console ring of an unprivileged domain (console.domU). */
struct lam_start_info_domU_console {
    lam_pfn_t mfn;            /* machine frame of the console ring page */
    lam_evtchn_port_t evtchn; /* event channel to the console backend */
    uint32_t pad;
};

struct lam_start_info {
    char magic[LAM_START_INFO_MAGIC_LEN]; /* LAM_START_INFO_MAGIC */
    lam_ulong_t nr_pages;                 /* pseudo-physical pages; length of the p2m list */
    lam_ulong_t shared_info;              /* MACHINE address of the shared_info page */
    uint32_t flags;                       /* LAM_SIF_* */
    uint32_t pad0;
    lam_pfn_t store_mfn;            /* xenstore ring frame (0 for dom0) */
    lam_evtchn_port_t store_evtchn; /* xenstore event channel (0 for dom0) */
    uint32_t pad1;
    union {
        struct lam_start_info_domU_console domU;
        struct lam_start_info_dom0_console dom0;
    } console;
    lam_ulong_t pt_base;      /* virtual address of the bootstrap L4 table */
    lam_ulong_t nr_pt_frames; /* number of bootstrap page-table frames */
    lam_ulong_t mfn_list;     /* virtual address of the p2m array (unless INIT_P2M) */
    lam_ulong_t mod_start;    /* initrd: virtual address, or PFN with LAM_SIF_MOD_START_PFN */
    lam_ulong_t mod_len;      /* initrd length in bytes */
    int8_t cmd_line[LAM_MAX_GUEST_CMDLINE]; /* NUL-terminated kernel command line */
    lam_ulong_t first_p2m_pfn; /* first PFN of the INIT_P2M area (p2m and its tables) */
    lam_ulong_t nr_p2m_frames; /* number of frames in that area */
};

LAM_ASSERT_SIZE(struct lam_start_info_domU_console, 16);
LAM_ASSERT_SIZE(struct lam_start_info_dom0_console, 8);
LAM_ASSERT_SIZE(struct lam_start_info, 1168);
LAM_ASSERT_OFFSET(struct lam_start_info, magic, 0);
LAM_ASSERT_OFFSET(struct lam_start_info, nr_pages, 32);
LAM_ASSERT_OFFSET(struct lam_start_info, shared_info, 40);
LAM_ASSERT_OFFSET(struct lam_start_info, flags, 48);
LAM_ASSERT_OFFSET(struct lam_start_info, store_mfn, 56);
LAM_ASSERT_OFFSET(struct lam_start_info, store_evtchn, 64);
LAM_ASSERT_OFFSET(struct lam_start_info, console.domU.mfn, 72);
LAM_ASSERT_OFFSET(struct lam_start_info, console.domU.evtchn, 80);
LAM_ASSERT_OFFSET(struct lam_start_info, console.dom0.info_off, 72);
LAM_ASSERT_OFFSET(struct lam_start_info, console.dom0.info_size, 76);
LAM_ASSERT_OFFSET(struct lam_start_info, pt_base, 88);
LAM_ASSERT_OFFSET(struct lam_start_info, nr_pt_frames, 96);
LAM_ASSERT_OFFSET(struct lam_start_info, mfn_list, 104);
LAM_ASSERT_OFFSET(struct lam_start_info, mod_start, 112);
LAM_ASSERT_OFFSET(struct lam_start_info, mod_len, 120);
LAM_ASSERT_OFFSET(struct lam_start_info, cmd_line, 128);
LAM_ASSERT_OFFSET(struct lam_start_info, first_p2m_pfn, 1152);
LAM_ASSERT_OFFSET(struct lam_start_info, nr_p2m_frames, 1160);

/*
 * VGA/framebuffer description handed to dom0 (dom0_vga_console_info, 40 bytes).
 * video_type selects the union member.
 */
#define LAM_VIDEO_TYPE_VGA_TEXT 0x01
#define LAM_VIDEO_TYPE_VESA_LFB 0x23
#define LAM_VIDEO_TYPE_EFI      0x70

struct lam_dom0_vga_console_info {
    uint8_t video_type;
    uint8_t pad0;
    union {
        struct {
            uint16_t font_height;
            uint16_t cursor_x, cursor_y;
            uint16_t rows, columns;
        } text_mode_3;
        struct {
            uint16_t width, height;
            uint16_t bytes_per_line;
            uint16_t bits_per_pixel;
            uint32_t lfb_base;
            uint32_t lfb_size;
            uint8_t red_pos, red_size;
            uint8_t green_pos, green_size;
            uint8_t blue_pos, blue_size;
            uint8_t rsvd_pos, rsvd_size;
            uint32_t gbl_caps;
            uint16_t mode_attrs;
            uint16_t pad;
            uint32_t ext_lfb_base;
        } vesa_lfb;
    } u;
};

LAM_ASSERT_OFFSET(struct lam_dom0_vga_console_info, u, 4);
LAM_ASSERT_SIZE(struct lam_dom0_vga_console_info, 40);

#endif /* LAMINA_START_INFO_H */
