/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Force-included when building hypervisor/common/string.c for the host:
 * gives our string functions their own names so test_string can call them
 * next to the C library's.
 */
#define memcpy  lam_memcpy
#define memmove lam_memmove
#define memset  lam_memset
#define memcmp  lam_memcmp
#define strlen  lam_strlen
#define strnlen lam_strnlen
#define strcmp  lam_strcmp
#define strncmp lam_strncmp
#define strchr  lam_strchr
#define strrchr lam_strrchr
