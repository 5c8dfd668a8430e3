/* SPDX-License-Identifier: GPL-2.0-only */
/* PV descriptor tables: the guest's GDT frames and their validation (pv/descriptor.c). */
#ifndef LAMINA_ASM_PV_DESCRIPTOR_H
#define LAMINA_ASM_PV_DESCRIPTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/frame.h>

struct vcpu;

/* A descriptor page holds 512 eight-byte descriptors; DESC_PAGES(n) pages hold n. */
#define DESCS_PER_PAGE   512
#define DESC_PAGES(ents) (((ents) + DESCS_PER_PAGE - 1) / DESCS_PER_PAGE)
/* What an LDT selector can index. */
#define LDT_MAX_ENTRIES 8192

/* Map v's GDT frames into its per-vCPU GDT window (on context switch and set_gdt). */
void pv_load_guest_gdt(const struct vcpu *v);
/* Replace v's GDT with `frames` (each typed as a descriptor page); -errno on failure. */
int pv_vcpu_set_gdt(struct vcpu *v, const mfn_t *frames, unsigned int entries);
/* Is sel a present code segment in this CPU's GDT (the running vCPU's, or ours)? */
bool pv_code_selector_usable(uint16_t sel);
/* Page-type validation of a descriptor page: every entry safe for the guest to load. */
int validate_descriptor_page(struct page_info *pg);

#endif
